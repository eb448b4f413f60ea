/**
 * explore: check a lowered model. One worker runs in the calling thread; with more, the
 * search starts there and moves to the level-synchronous parallel search once the space is
 * large enough to pay for the threads, with the same counts and counterexamples.
 *
 * With partial-order reduction the deciding search runs in this thread over a stubborn
 * subset of each state's steps (reduction/); a counterexample it finds at depth k is then
 * rebuilt by the unreduced search bounded by depth k + 1, which reports exactly what an
 * unreduced run reports (the same shortest traces), at the cost of the space up to depth k.
 */
import { compileModel } from '../compile/compile';
import { fail, unknownName } from '../errors';
import type { CoreModel } from '../ir/core';
import { computeLayout } from '../state/layout';
import { computeFootprint } from './reduction/footprint';
import { exploreReduced } from './reduction/reduced-search';
import { symmetryCanonSource } from './reduction/symmetry-canon';
import { FixedHandover, type HandoverPolicy, MeasuredHandover } from './handover';
import { exploreSequential } from './sequential';
import type { ExploreOptions, ExploreResult } from './types';

/** Re-exported: the hand-over's defaults live with the policy (handover.ts). */
export { HANDOFF_LEVEL_SECONDS, PARALLEL_THRESHOLD } from './handover';

export async function explore(m: CoreModel, opts: ExploreOptions = {}): Promise<ExploreResult> {
  if (opts.properties) {
    const names = m.properties.filter((p) => p.kind !== 'witness').map((p) => p.name);
    for (const n of opts.properties) if (!names.includes(n)) unknownName('E_UNKNOWN_INVARIANT', `invariant of model ${m.name}`, n, names);
  }
  if (opts.checkpoint && (opts.reduce?.por || opts.reduce?.symmetry)) fail('E_USAGE', 'checkpoints save the unreduced search only; drop --reduce (or --checkpoint-every / --resume)');
  const symmetric = opts.reduce?.symmetry ? symmetricEntity(m) : undefined;
  if (opts.reduce?.por || symmetric) return exploreReducedThenRebuild(m, opts, symmetric);
  const r = await exploreFull(m, opts);
  if (!opts.reduce?.symmetry) return r;
  // Asked for symmetry where no slots are declared interchangeable: say that nothing ran.
  return { ...r, reduction: { por: false, symmetry: false, symmetryRequested: true, visibleSteps: 0, steps: m.actions.length, reducedExpansions: 0, provisoExpansions: 0, prunedTransitions: 0 } };
}

/** The entity a symmetric run permutes, or undefined when the model declares none; a declared
 *  symmetry the model breaks is refused with the first place that breaks it. */
function symmetricEntity(m: CoreModel): string | undefined {
  if (!m.symmetry?.length) return undefined;
  if (m.symmetry.length > 1) fail('E_BAD_VALUE', `model ${m.name}: symmetry over several entities (${m.symmetry.map((x) => x.entity).join(', ')}) is not supported; run with --reduce por`);
  const [{ entity, refused }] = m.symmetry;
  if (refused) fail('E_BAD_VALUE', `model ${m.name}: symmetry over '${entity}' refused: ${refused}; run with --reduce por or --no-reduce`);
  return entity;
}

async function exploreFull(m: CoreModel, opts: ExploreOptions): Promise<ExploreResult> {
  const src = compileModel(m, opts.properties, { canonical: opts.canonical });
  const workers = opts.workers ?? 1;
  if (workers <= 1) return exploreSequential(m, src, opts);
  // The search starts in this thread (small spaces finish before worker threads would have
  // started) and moves to the workers and back at level boundaries as the policy says.
  const policy: HandoverPolicy = opts.parallelThreshold === undefined ? new MeasuredHandover() : new FixedHandover(opts.parallelThreshold, opts.handBackBelow);
  let state = await exploreSequential(m, src, opts, policy);
  if (!('fingerprints' in state)) return state;
  const { exploreParallel, PartitionPool } = await import('./parallel');
  const pool = new PartitionPool(src, m.actions.length, workers);
  try {
    for (;;) {
      const back = await exploreParallel(m, src, opts, state, pool, policy);
      if (!('fingerprints' in back)) return back;
      const r = await exploreSequential(m, src, opts, policy, back);
      if (!('fingerprints' in r)) return { ...r, workers };
      state = r;
    }
  } finally {
    await pool.close();
  }
}

/** The reduced search (partial-order, symmetry or both) decides; the unreduced one rebuilds
 *  what it found. Under symmetry the search stores representatives, so its paths are not
 *  concrete: only rebuilt traces are reported. */
async function exploreReducedThenRebuild(m: CoreModel, opts: ExploreOptions, symmetric: string | undefined): Promise<ExploreResult> {
  const por = !!opts.reduce?.por;
  let canonical = opts.canonical;
  if (symmetric) {
    if (canonical) fail('E_BAD_VALUE', 'a canonical-form hook and symmetry reduction cannot be combined');
    canonical = symmetryCanonSource(m, computeLayout(m), symmetric);
  }
  const src = compileModel(m, opts.properties, { canonical });
  const fp = por ? computeFootprint(m, src.selected) : undefined;
  const reduced = fp ? await exploreReduced(m, src, fp, opts) : { result: await exploreFull(m, { ...opts, canonical }), stats: { reducedExpansions: 0, provisoExpansions: 0, prunedTransitions: 0 } };
  const r0 = reduced.result;
  // Paths between representatives do not replay: keep only what the rebuild gives.
  const r = symmetric ? { ...r0, witnesses: r0.witnesses.map((w) => ({ name: w.name, reached: w.reached })) } : r0;
  const base = {
    por, symmetry: !!symmetric, symmetryRequested: !!opts.reduce?.symmetry, ...(symmetric ? { symmetryEntity: symmetric } : {}),
    visibleSteps: fp?.visibleCount ?? 0, steps: m.actions.length, ...reduced.stats,
  };
  const bound = Math.max(-1, ...r.violations.map((v) => v.length), r.modelError ? r.modelError.actions.length : -1);
  if (bound < 0) return { ...r, reduction: base };
  // Rebuild: the unreduced search up to one level past the deepest counterexample found
  // (a terminal state is checked when its level is expanded), so it reports exactly what an
  // unreduced run reports up to there.
  const full = await exploreFull(m, { ...opts, canonical: opts.canonical, maxDepth: Math.min(opts.maxDepth ?? Infinity, bound + 1), onProgress: undefined });
  // Complete: the rebuild got to its bound and found what it looks for (it must: every path
  // of the reduced search is a path of the full graph); else keep the reduced search's traces.
  const complete = (full.stopReason === 'violation' || full.stopReason === 'model-error' || full.stopReason === 'max-depth' || full.stopReason === 'complete') &&
    (full.violations.length > 0 || full.modelError !== undefined);
  const rebuild = { distinct: full.distinct, generated: full.generated, depth: full.depth, seconds: full.seconds, complete };
  if (!complete) return { ...r, seconds: r.seconds + full.seconds, reduction: { ...base, rebuild } };
  const verdict = full.modelError ? 'model-error' : full.violations.length > 0 ? 'violation' : r.verdict;
  const stopReason = full.modelError ? 'model-error' : opts.continueAfterViolation ? r.stopReason : 'violation';
  // A witness the rebuild reached has its shortest path there; one it did not (deeper than
  // the bound) keeps the reduced search's path.
  const witnesses = r.witnesses.map((w) => { const f = full.witnesses.find((x) => x.name === w.name); return f?.reached ? f : w; });
  return {
    ...r, verdict, stopReason, violations: full.violations, modelError: full.modelError, witnesses,
    seconds: r.seconds + full.seconds, workers: Math.max(r.workers, full.workers), reduction: { ...base, rebuild },
  };
}
