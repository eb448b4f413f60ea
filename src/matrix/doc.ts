/**
 * A matrix document read back from disk (--compare, merge, report): parsed as data, each row
 * checked field by field before anything uses it, so a hand-edited or truncated document fails
 * with one line naming the row and the field.
 */
import { fail } from '../errors';
import type { MatrixDoc, MatrixRow } from '../cli/commands/matrix';

export type MatrixDocData = MatrixDoc;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function isMatrixDoc(x: unknown): boolean {
  return isObj(x) && x.probecheckMatrix === 1;
}

/** `kernel/scenario[driver]+patches`: the identity of a cell. */
export const cellKey = (r: Pick<MatrixRow, 'kernel' | 'scenario' | 'patches' | 'iommuDriver'>): string =>
  `${r.kernel}/${r.scenario}${r.iommuDriver ? `[${r.iommuDriver}]` : ''}${r.patches.length ? '+' + r.patches.join('+') : ''}`;

function validateRow(r: unknown, where: string): MatrixRow {
  const bad = (what: string): never => fail('E_TRACE_FILE', `${where}: ${what}`);
  if (!isObj(r)) return bad('not an object');
  for (const k of ['kernel', 'scenario', 'verdict', 'stopReason'] as const) if (typeof r[k] !== 'string') bad(`"${k}" is not a string`);
  for (const k of ['distinct', 'generated', 'depth', 'seconds'] as const) if (typeof r[k] !== 'number' || !Number.isFinite(r[k])) bad(`"${k}" is not a number`);
  if (!Array.isArray(r.patches) || r.patches.some((p) => typeof p !== 'string')) bad('"patches" is not a list of names');
  if (r.iommuDriver !== undefined && typeof r.iommuDriver !== 'string') bad('"iommuDriver" is not a string');
  if (!isObj(r.violations) || Object.values(r.violations).some((n) => typeof n !== 'number')) bad('"violations" is not an object of lengths');
  if (!Array.isArray(r.witnessesNotReached) || r.witnessesNotReached.some((w) => typeof w !== 'string')) bad('"witnessesNotReached" is not a list of names');
  if (r.checked !== undefined && (!Array.isArray(r.checked) || r.checked.some((w) => typeof w !== 'string'))) bad('"checked" is not a list of names');
  return r as unknown as MatrixRow;
}

export function validateMatrixDoc(x: unknown, file: string): MatrixDocData {
  if (!isObj(x) || x.probecheckMatrix !== 1 || !Array.isArray(x.runs)) fail('E_TRACE_FILE', `${file}: not a probecheck matrix document (no "probecheckMatrix": 1 and "runs")`);
  if (x.generated !== undefined && typeof x.generated !== 'string') fail('E_TRACE_FILE', `${file}: "generated" is not a string`);
  x.runs.forEach((r, i) => validateRow(r, `${file}: run ${i + 1}`));
  if (x.changes !== undefined) {
    if (!Array.isArray(x.changes)) fail('E_TRACE_FILE', `${file}: "changes" is not a list`);
    x.changes.forEach((c, i) => {
      if (!isObj(c) || typeof c.run !== 'string' || typeof c.text !== 'string' || typeof c.what !== 'string') fail('E_TRACE_FILE', `${file}: change ${i + 1} lacks run, what or text`);
    });
  }
  return { ...(x as unknown as MatrixDoc), generated: typeof x.generated === 'string' ? x.generated : '' };
}
