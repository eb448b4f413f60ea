/**
 * Replay: rebuild the states of a trace from its action ids, or recover the action ids of a
 * trace given as states (ITF, JSON), and say where a trace first diverges from a model.
 * Uses the reference semantics (src/ir/interpret.ts): traces are short, clarity wins.
 */
import type { CoreModel } from '../ir/core';
import { applyAction, initialState, successors, type PlainState } from '../ir/interpret';

export interface Divergence {
  /** Index of the step that cannot be taken (0 = the first step), or -1 for the initial state. */
  readonly step: number;
  readonly reason: string;
}

export interface Replayed {
  /** States reached: the initial state and one per step taken. */
  readonly states: PlainState[];
  readonly actions: number[];
  readonly divergence?: Divergence;
}

/** Replay action ids from the initial state; stop at the first one that is not enabled. */
export function replayActions(m: CoreModel, actions: readonly number[]): Replayed {
  const states: PlainState[] = [initialState(m)];
  const taken: number[] = [];
  for (let i = 0; i < actions.length; i++) {
    const id = actions[i];
    const a = m.actions[id];
    if (!a) {
      return { states, actions: taken, divergence: { step: i, reason: `action ${id} does not exist (valid: 0..${m.actions.length - 1})` } };
    }
    const t = applyAction(m, a, states[states.length - 1]);
    if (!t) {
      const enabled = successors(m, states[states.length - 1]).map((x) => m.actions[x.action].name);
      return {
        states, actions: taken,
        divergence: { step: i, reason: `${a.name} is not enabled; enabled: ${enabled.length ? enabled.join(', ') : 'none'}` },
      };
    }
    states.push(t);
    taken.push(id);
  }
  return { states, actions: taken };
}

const sameState = (a: PlainState, b: PlainState) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Find, for each consecutive pair of states, the smallest action that leads from one to
 *  the next; stop where none does. `states[0]` must be the initial state. */
export function replayStates(m: CoreModel, states: readonly PlainState[]): Replayed {
  const init = initialState(m);
  if (states.length === 0 || !sameState(states[0], init)) {
    const diff = states.length === 0 ? -1 : init.findIndex((x, i) => x !== states[0][i]);
    return {
      states: [], actions: [],
      divergence: { step: -1, reason: diff < 0 ? 'the trace has no states' : `the first state is not the initial state ('${m.vars[diff].name}' differs)` },
    };
  }
  const out: PlainState[] = [init];
  const actions: number[] = [];
  for (let i = 1; i < states.length; i++) {
    const hit = successors(m, out[out.length - 1]).find((x) => sameState(x.state, states[i]));
    if (!hit) return { states: out, actions, divergence: { step: i - 1, reason: `no enabled step leads from state ${i - 1} to state ${i}` } };
    out.push(hit.state);
    actions.push(hit.action);
  }
  return { states: out, actions };
}
