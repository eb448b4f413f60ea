/**
 * Replay by step name. Action ids differ between models (a patch inserts or removes steps);
 * names (`instance:step.branch`) do not, so a counterexample of one model is replayed on
 * another by name. `probecheck replay` and `probecheck verify-patch` both use this.
 */
import type { CoreModel, CoreProperty } from '../ir/core';
import { applyAction, evalExpr, initialState, successors, type PlainState } from '../ir/interpret';

export interface NamedDivergence {
  /** 0-based index of the step that cannot be taken. */
  readonly step: number;
  readonly name: string;
  /** The step does not exist in this model (a patch removed or renamed it). */
  readonly missing: boolean;
  readonly enabled: readonly string[];
  readonly reason: string;
}

export interface NamedReplay {
  readonly states: PlainState[];
  readonly actions: number[];
  readonly divergence?: NamedDivergence;
}

export function replayNames(m: CoreModel, names: readonly string[]): NamedReplay {
  const byName = new Map(m.actions.map((a) => [a.name, a]));
  const states: PlainState[] = [initialState(m)];
  const actions: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const s = states[states.length - 1];
    const a = byName.get(names[i]);
    const t = a ? applyAction(m, a, s) : null;
    if (!a || !t) {
      const enabled = successors(m, s).map((x) => m.actions[x.action].name);
      const reason = a
        ? `step ${i + 1} ${names[i]} is not enabled`
        : `step ${i + 1} ${names[i]} does not exist in model ${m.name}`;
      return { states, actions, divergence: { step: i, name: names[i], missing: !a, enabled, reason } };
    }
    states.push(t);
    actions.push(a.id);
  }
  return { states, actions };
}

/** Whether property `p` holds at the end of a trace: in its last state (invariant), for its
 *  last step (transition), or, when no step is enabled there, in its last state (terminal). */
export function holdsAtEnd(m: CoreModel, p: CoreProperty, states: readonly PlainState[]): boolean {
  const last = states[states.length - 1];
  switch (p.kind) {
    case 'invariant': return evalExpr(m, p.expr, last) !== 0;
    case 'transition': return states.length < 2 || evalExpr(m, p.expr, states[states.length - 2], last) !== 0;
    case 'terminal': return successors(m, last).length > 0 || evalExpr(m, p.expr, last) !== 0;
    case 'witness': return evalExpr(m, p.expr, last) !== 0;
  }
}
