/**
 * The conjuncts of each action's guard, and JavaScript that says which of them are false in
 * a packed state: partial-order reduction (src/explorer/reduction) uses one false conjunct of
 * a disabled step to choose the steps that could enable it. A conjunct that reads a field
 * through a run-time index is never reported (it is treated as possibly true), which is sound:
 * the caller then falls back to a conjunct it can evaluate, or to the whole guard.
 */
import type { CExpr, CoreModel } from '../ir/core';
import { computeLayout } from '../state/layout';
import { Emitter } from './compile';

/** The top-level conjuncts of a guard (a guard that is not an `and` is one conjunct). */
export function conjuncts(e: CExpr, out: CExpr[] = []): CExpr[] {
  if (e.k === 'bin' && e.op === 'and') { conjuncts(e.l, out); conjuncts(e.r, out); }
  else if (!(e.k === 'lit' && e.v !== 0)) out.push(e);
  return out;
}

/** At most this many conjuncts per guard are tested (bits of the returned mask). */
export const MAX_ATOMS = 30;

const indexed = (e: CExpr): boolean =>
  e.k === 'ivar' || (e.k === 'not' && indexed(e.a)) || (e.k === 'bin' && (indexed(e.l) || indexed(e.r))) ||
  (e.k === 'ite' && (indexed(e.c) || indexed(e.t) || indexed(e.e)));

/** Source of `falseAtoms(t, s, o)`: bit j set when conjunct j of action t's guard is false
 *  in the state at s[o..]. */
export function guardAtomsSource(m: CoreModel): string {
  const E = new Emitter(m, computeLayout(m));
  const src = { arr: 's', off: 'o' };
  const lines = ['"use strict";', 'function modz(a, b) { return b === 0 ? 0 : ((a % b) + b) % b; }', 'function falseAtoms(t, s, o) {', '  const ACT = -1;', '  switch (t) {'];
  for (const a of m.actions) {
    const cs = conjuncts(a.guard).slice(0, MAX_ATOMS);
    const tests = cs.map((c, j) => (indexed(c) ? '' : `if (!${E.bool(c, src)}) m |= ${1 << j};`)).filter((x) => x);
    if (tests.length === 0) continue;
    lines.push(`    case ${a.id}: { let m = 0; ${tests.join(' ')} return m; }`);
  }
  lines.push('  }', '  return 0;', '}', 'return falseAtoms;');
  return lines.join('\n');
}

export function compileGuardAtoms(m: CoreModel): (t: number, s: Int32Array, o: number) => number {
  return new Function(guardAtomsSource(m))() as (t: number, s: Int32Array, o: number) => number;
}
