/**
 * TLC's own counterexample, as `tlc2.TLC -dumpTrace json FILE` writes it: the TLCExt record
 * CounterExample serialized by TLC's Json module, `{"state": [[1, s1], [2, s2], ...],
 * "action": [[[i, s], A, [j, t]], ...]}`. Levels are 1-based (TLC counts the initial state
 * as level 1); a state is an object from TLA+ variable names to values, where integers are
 * JSON numbers and a function over slot names is an object keyed by them. We read it as an ITF
 * trace of the export (layout.ts gives both the same names and values): `replay` takes it
 * directly. Parsed as data and checked before use; anything else is one line (E_TRACE_FILE).
 */
import { fail } from '../errors';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A TLC -dumpTrace json document: an object whose "state" is a list of [level, state] pairs. */
export function isTlcDump(x: unknown): boolean {
  return isObj(x) && Array.isArray(x.state) && !('states' in x) && x.state.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number');
}

/** The ITF trace (states in level order, "#meta" with the index and TLC's action name). */
export function tlcDumpToItf(x: unknown, file: string): { '#meta': Record<string, unknown>; states: Record<string, unknown>[] } {
  const bad = (what: string): never => fail('E_TRACE_FILE', `${file}: ${what}`);
  if (!isObj(x) || !Array.isArray(x.state)) return bad('not a TLC -dumpTrace json trace (no "state" list)');
  const pairs = x.state.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !Number.isInteger(p[0]) || !isObj(p[1])) return bad(`state entry ${i + 1} is not a [level, state] pair`);
    return { level: p[0] as number, state: p[1] as Record<string, unknown> };
  }).sort((a, b) => a.level - b.level);
  if (pairs.length === 0) bad('the trace has no states');
  pairs.forEach((p, i) => { if (p.level !== i + 1) bad(`level ${i + 1} is ${pairs.some((q) => q.level === i + 1) ? 'given twice' : 'missing'} (TLC levels are 1, 2, ...)`); });
  // Action names by the level they lead to, when TLC recorded them.
  const names = new Map<number, string>();
  if (Array.isArray(x.action)) {
    for (const a of x.action) {
      if (!Array.isArray(a) || a.length !== 3 || !Array.isArray(a[2]) || !Number.isInteger(a[2][0])) continue;
      const n = isObj(a[1]) && typeof a[1].name === 'string' ? a[1].name : undefined;
      if (n) names.set(a[2][0] as number, n);
    }
  }
  return {
    '#meta': { format: 'ITF', source: `${file} (TLC -dumpTrace json)` },
    states: pairs.map((p, i) => {
      const st: Record<string, unknown> = { ...p.state };
      for (const k of Object.keys(st)) if (k.startsWith('#')) bad(`level ${p.level}: "${k}" is not a TLA+ variable name`);
      const tlcAction = names.get(p.level);
      return { '#meta': { index: i, ...(tlcAction && i > 0 ? { tlcAction } : {}) }, ...st };
    }),
  };
}
