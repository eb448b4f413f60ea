/**
 * A naive reference explorer for the tests: plain arrays, a Map of serialised states, the IR
 * interpreter. Slow and obviously right; the real explorer must agree with it.
 */
import type { CoreModel } from '../../src/ir/core';
import { evalExpr, initialState, successors, type PlainState } from '../../src/ir/interpret';

export interface NaiveResult {
  distinct: number;
  generated: number;
  depth: number;
  /** First violation of each property, as an action path, in BFS order. */
  violations: Map<string, number[]>;
  witnesses: Map<string, number[] | null>;
}

export function naiveExplore(m: CoreModel, opts: { continueAfterViolation?: boolean } = {}): NaiveResult {
  const init = initialState(m);
  const index = new Map<string, number>([[init.join(','), 0]]);
  const parent: number[] = [-1];
  const via: number[] = [-1];
  const states: PlainState[] = [init];
  const depthOf: number[] = [0];
  const violations = new Map<string, number[]>();
  const witnesses = new Map<string, number[] | null>();
  for (const p of m.properties) if (p.kind === 'witness') witnesses.set(p.name, null);
  const pathTo = (i: number): number[] => {
    const out: number[] = [];
    for (let k = i; parent[k] >= 0; k = parent[k]) out.push(via[k]);
    return out.reverse();
  };
  const checkState = (i: number) => {
    const s = states[i];
    for (const p of m.properties) {
      if (p.kind === 'invariant' && !violations.has(p.name) && !evalExpr(m, p.expr, s)) violations.set(p.name, pathTo(i));
      if (p.kind === 'witness' && witnesses.get(p.name) === null && evalExpr(m, p.expr, s)) witnesses.set(p.name, pathTo(i));
    }
  };
  checkState(0);
  let generated = 0;
  let levelEnd = 1;
  let depth = 0;
  let stopAfterLevel = violations.size > 0 && !opts.continueAfterViolation; // the initial state violates
  for (let head = 0; head < states.length && !(head === 0 && stopAfterLevel); head++) {
    if (head === levelEnd) {
      if (stopAfterLevel) break;
      depth++;
      levelEnd = states.length;
    }
    const s = states[head];
    const succ = successors(m, s);
    generated += succ.length;
    if (succ.length === 0) {
      for (const p of m.properties) {
        if (p.kind === 'terminal' && !violations.has(p.name) && !evalExpr(m, p.expr, s)) {
          violations.set(p.name, pathTo(head));
          if (!opts.continueAfterViolation) stopAfterLevel = true;
        }
      }
    }
    for (const { action, state } of succ) {
      for (const p of m.properties) {
        if (p.kind === 'transition' && !violations.has(p.name) && !evalExpr(m, p.expr, s, state)) {
          violations.set(p.name, [...pathTo(head), action]);
          if (!opts.continueAfterViolation) stopAfterLevel = true;
        }
      }
      const key = state.join(',');
      if (index.has(key)) continue;
      const i = states.length;
      index.set(key, i);
      states.push(state);
      parent.push(head);
      via.push(action);
      depthOf.push(depthOf[head] + 1);
      const before = violations.size;
      checkState(i);
      if (violations.size > before && !opts.continueAfterViolation) stopAfterLevel = true;
    }
  }
  return { distinct: states.length, generated, depth: depthOf[depthOf.length - 1], violations, witnesses };
}
