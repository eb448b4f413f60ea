/** Small helpers shared by the explorer tests. */
import { lowerModel } from '../../src/ir/lower';
import type { CoreModel } from '../../src/ir/core';
import type { Model } from '../../src/ir/types';
import { buildClassicModel } from '../../src/examples';
import { explore } from '../../src/explorer/explore';
import type { ExploreOptions, ExploreResult } from '../../src/explorer/types';

export const classic = (name: string, ...settings: string[]): CoreModel => lowerModel(buildClassicModel(name, settings));

export const core = (m: Model): CoreModel => lowerModel(m);

/** Explore with 1 worker, with 2 from the start, and with 3 from the level where 5 states
 *  are stored (the hand-over from the calling thread to the workers), and return the results. */
export async function acrossWorkers(m: CoreModel, opts: ExploreOptions = {}): Promise<ExploreResult[]> {
  return [
    await explore(m, { ...opts, workers: 1 }),
    await explore(m, { ...opts, workers: 2, parallelThreshold: 0 }),
    await explore(m, { ...opts, workers: 3, parallelThreshold: 5 }),
  ];
}

/** What must not depend on the number of workers. A model error stops the search where
 *  each worker is, so only the error and the trace that reaches it are compared then. */
export function essence(r: ExploreResult) {
  if (r.verdict === 'model-error') return { verdict: r.verdict, modelError: r.modelError };
  return {
    verdict: r.verdict, distinct: r.distinct, generated: r.generated, depth: r.depth,
    violations: r.violations.map((v) => ({ property: v.property, actions: [...v.actions] })),
    witnesses: r.witnesses.map((w) => ({ name: w.name, reached: w.reached, actions: w.actions ? [...w.actions] : undefined })),
    actionCounts: [...r.actionCounts], modelError: r.modelError ? [...r.modelError.actions] : undefined,
  };
}
