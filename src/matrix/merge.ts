/**
 * probecheck matrix merge: shard documents (matrix --shard I/N --out) joined into the one
 * document an unsharded run writes. Every shard names the whole matrix's cells in order, so
 * the merge needs no options and the result does not depend on the order of the files: rows
 * are put back in the matrix's order. A cell no shard ran, a cell two shards ran, or shards
 * of different matrices is one line (E_MERGE, exit 2).
 */
import { fail } from '../errors';
import type { MatrixDoc, MatrixRow } from '../cli/commands/matrix';
import { cellKey } from './doc';

export interface ShardInfo {
  readonly index: number;
  readonly count: number;
  /** Every cell of the whole matrix, in its order (cellKey). */
  readonly cells: readonly string[];
}

export function validateShardInfo(x: unknown, file: string): ShardInfo {
  const s = x as Partial<ShardInfo> | undefined;
  if (typeof s !== 'object' || s === null) fail('E_MERGE', `${file}: not a shard document (no "shard"; write shards with matrix --shard I/N --out FILE)`);
  const int = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (!int(s.index) || !int(s.count) || (s.index as number) > (s.count as number)) fail('E_MERGE', `${file}: "shard" has no valid index/count`);
  if (!Array.isArray(s.cells) || s.cells.some((c) => typeof c !== 'string')) fail('E_MERGE', `${file}: "shard.cells" is not a list of cells`);
  return s as ShardInfo;
}

export interface ShardFile { readonly file: string; readonly doc: MatrixDoc & { readonly shard?: unknown } }

export function mergeShards(files: readonly ShardFile[]): MatrixDoc {
  if (files.length === 0) fail('E_USAGE', 'matrix merge needs the shard documents (FILES...)');
  const infos = files.map((f) => validateShardInfo(f.doc.shard, f.file));
  const first = infos[0];
  const sameCells = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => c === b[i]);
  infos.forEach((s, i) => {
    if (s.count !== first.count || !sameCells(s.cells, first.cells)) {
      fail('E_MERGE', `${files[i].file} is a shard of another matrix than ${files[0].file} (${s.count !== first.count ? `${s.count} shards vs ${first.count}` : 'other cells'})`);
    }
  });
  const byCell = new Map<string, { row: MatrixRow; file: string }>();
  for (const f of files) {
    for (const row of f.doc.runs) {
      const key = cellKey(row);
      if (!first.cells.includes(key)) fail('E_MERGE', `${f.file}: cell ${key} is not a cell of this matrix`);
      const seen = byCell.get(key);
      if (seen) fail('E_MERGE', `cell ${key} is in two shards: ${seen.file} and ${f.file}`);
      byCell.set(key, { row, file: f.file });
    }
  }
  const missing = first.cells.filter((c) => !byCell.has(c));
  if (missing.length) {
    const given = new Set(infos.map((s) => s.index));
    const absent = Array.from({ length: first.count }, (_, i) => i + 1).filter((i) => !given.has(i));
    const why = absent.length ? `shard ${absent.map((i) => `${i}/${first.count}`).join(', ')} not given` : 'a shard is incomplete (interrupted, or a limit)';
    fail('E_MERGE', `cell ${missing[0]} is in no shard${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}: ${why}`);
  }
  const generated = files.map((f) => f.doc.generated).sort().pop() ?? '';
  return { probecheckMatrix: 1, generated, runs: first.cells.map((c) => (byCell.get(c) as { row: MatrixRow }).row) };
}
