/** Test helpers for the kernel model: explore with the naive reference explorer, print traces
 *  by action name, replay a trace on another model by step names. */
import { lowerModel } from '../../src/ir/lower';
import type { CoreModel } from '../../src/ir/core';
import { applyAction, initialState, type PlainState } from '../../src/ir/interpret';
import { buildKernelModel } from '../../src/model';
import type { Patch } from '../../src/model';
import { naiveExplore, type NaiveResult } from '../helpers/naive';

export interface Run { core: CoreModel; res: NaiveResult }

const cache = new Map<string, Run>();
export function run(kernel: string, scenario: string, patches: (string | Patch)[] = []): Run {
  const key = `${kernel}|${scenario}|${patches.map((p) => (typeof p === 'string' ? p : p.id)).join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const core = lowerModel(buildKernelModel({ kernel, scenario, patches }));
  const r = { core, res: naiveExplore(core, { continueAfterViolation: true }) };
  cache.set(key, r);
  return r;
}

export const names = (core: CoreModel, path: readonly number[]): string[] => path.map((a) => core.actions[a].name);

/** Replay a trace given as action names on another model; returns the index of the first step
 *  that is not an enabled action of that model, or -1 if the whole trace replays. */
export function replayByName(core: CoreModel, steps: readonly string[]): { diverged: number; state: PlainState } {
  let s = initialState(core);
  for (let i = 0; i < steps.length; i++) {
    const a = core.actions.find((x) => x.name === steps[i]);
    const t = a ? applyAction(core, a, s) : null;
    if (!t) return { diverged: i, state: s };
    s = t;
  }
  return { diverged: -1, state: s };
}

export const violated = (r: Run) => [...r.res.violations.keys()];
export const unreached = (r: Run) => [...r.res.witnesses].filter(([, p]) => p === null).map(([n]) => n);
