/**
 * explore: check a lowered model. One worker runs in the calling thread; with more, the
 * search starts there and moves to the level-synchronous parallel search once the space is
 * large enough to pay for the threads, with the same counts and counterexamples.
 */
import { compileModel } from '../compile/compile';
import { unknownName } from '../errors';
import type { CoreModel } from '../ir/core';
import { exploreSequential } from './sequential';
import type { ExploreOptions, ExploreResult } from './types';

/** Distinct states below which a multi-worker search stays in the calling thread. */
export const PARALLEL_THRESHOLD = 100_000;

export async function explore(m: CoreModel, opts: ExploreOptions = {}): Promise<ExploreResult> {
  if (opts.properties) {
    const names = m.properties.filter((p) => p.kind !== 'witness').map((p) => p.name);
    for (const n of opts.properties) if (!names.includes(n)) unknownName('E_UNKNOWN_INVARIANT', `invariant of model ${m.name}`, n, names);
  }
  const src = compileModel(m, opts.properties, { canonical: opts.canonical });
  const workers = opts.workers ?? 1;
  if (workers <= 1) return exploreSequential(m, src, opts);
  // Small spaces finish in this thread before worker threads would have started; the
  // search moves to the workers at the first level boundary past the threshold.
  const start = await exploreSequential(m, src, opts, opts.parallelThreshold ?? PARALLEL_THRESHOLD);
  if (!('fingerprints' in start)) return start;
  const { exploreParallel } = await import('./parallel');
  return exploreParallel(m, src, { ...opts, workers }, start);
}
