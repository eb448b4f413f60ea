/**
 * explore: check a lowered model. One worker runs in the calling thread; more run the
 * level-synchronous parallel search, with the same counts and counterexamples.
 */
import { compileModel } from '../compile/compile';
import { unknownName } from '../errors';
import type { CoreModel } from '../ir/core';
import { exploreSequential } from './sequential';
import type { ExploreOptions, ExploreResult } from './types';

export async function explore(m: CoreModel, opts: ExploreOptions = {}): Promise<ExploreResult> {
  if (opts.properties) {
    const names = m.properties.filter((p) => p.kind !== 'witness').map((p) => p.name);
    for (const n of opts.properties) if (!names.includes(n)) unknownName('E_UNKNOWN_INVARIANT', `invariant of model ${m.name}`, n, names);
  }
  const src = compileModel(m, opts.properties, { canonical: opts.canonical });
  const workers = opts.workers ?? 1;
  if (workers <= 1) return exploreSequential(m, src, opts);
  const { exploreParallel } = await import('./parallel');
  return exploreParallel(m, src, { ...opts, workers });
}
