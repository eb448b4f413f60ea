/** Small helpers shared by the explorer tests. */
import { lowerModel } from '../../src/ir/lower';
import type { CoreModel } from '../../src/ir/core';
import type { Model } from '../../src/ir/types';
import { buildClassicModel } from '../../src/models';
import { explore } from '../../src/explorer/explore';
import type { ExploreOptions, ExploreResult } from '../../src/explorer/types';

export const classic = (name: string, ...settings: string[]): CoreModel => lowerModel(buildClassicModel(name, settings));

export const core = (m: Model): CoreModel => lowerModel(m);

/** Explore with 1, 2 and 3 workers and return the three results. */
export async function acrossWorkers(m: CoreModel, opts: ExploreOptions = {}): Promise<ExploreResult[]> {
  const out: ExploreResult[] = [];
  for (const workers of [1, 2, 3]) out.push(await explore(m, { ...opts, workers }));
  return out;
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
