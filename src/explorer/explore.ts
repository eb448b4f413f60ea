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
import { compileModel, selectProperties } from '../compile/compile';
import { fail, unknownName } from '../errors';
import type { CoreModel } from '../ir/core';
import { computeLayout } from '../state/layout';
import { deadVariables, deadVariablesCanonSource, type DeadVariables } from './reduction/dead-variables';
import { computeFootprint } from './reduction/footprint';
import { exploreReduced } from './reduction/reduced-search';
import { countsUpToSymmetry, symmetryCanonSource } from './reduction/symmetry-canon';
import type { LinkedEntity } from '../ir/symmetry';
import { FixedHandover, type HandoverPolicy, MeasuredHandover } from './handover';
import { exploreSequential } from './sequential';
import type { ExploreOptions, ExploreResult, ReductionReport } from './types';

/** Re-exported: the hand-over's defaults live with the policy (handover.ts). */
export { HANDOFF_LEVEL_SECONDS, PARALLEL_THRESHOLD } from './handover';

export async function explore(m: CoreModel, opts: ExploreOptions = {}): Promise<ExploreResult> {
  if (opts.properties) {
    const names = m.properties.filter((p) => p.kind !== 'witness').map((p) => p.name);
    for (const n of opts.properties) if (!names.includes(n)) unknownName('E_UNKNOWN_INVARIANT', `invariant of model ${m.name}`, n, names);
  }
  const symmetric = opts.reduce?.symmetry ? symmetricEntity(m) : undefined;
  if (opts.checkpoint && opts.reduce?.por) fail('E_USAGE', 'checkpoints save a search without partial-order reduction; use --reduce dead-vars,symmetry or --no-reduce (or drop --checkpoint-every / --resume)');
  if (opts.shard) checkShardOptions(opts, symmetric);
  const dead = opts.reduce?.deadVars ? deadVariables(m, selectProperties(m, opts.properties), computeLayout(m)) : undefined;
  if (opts.reduce?.por || symmetric) return exploreReducedThenRebuild(m, opts, symmetric, dead);
  const r = await exploreFull(m, { ...opts, canonical: composeCanon(m, opts.canonical, dead) });
  if (!opts.reduce?.symmetry && !dead) return r;
  // Say what ran (asked for symmetry where no slots are declared interchangeable: nothing).
  const available = opts.reduce?.symmetry && m.symmetryAvailable ? { symmetryAvailable: m.symmetryAvailable } : {};
  return { ...r, reduction: { ...NOTHING, steps: m.actions.length, symmetryRequested: !!opts.reduce?.symmetry, ...available, ...deadReport(dead) } };
}

const NOTHING: ReductionReport = { por: false, symmetry: false, symmetryRequested: false, deadVars: false, resetVariables: 0, visibleSteps: 0, steps: 0, reducedExpansions: 0, provisoExpansions: 0, prunedTransitions: 0 };
const deadReport = (dead: DeadVariables | undefined) => ({ deadVars: !!dead, resetVariables: dead?.resettable ?? 0 });

/** One canonical-form hook from several (each the source of a `canon(a, p)`), applied in
 *  order: dead variables reset first, then the user's or the symmetry's. */
function composeCanon(m: CoreModel, ...parts: (string | DeadVariables | undefined)[]): string | undefined {
  const sources = parts.filter((x) => x !== undefined).map((x) => (typeof x === 'string' ? x : deadVariablesCanonSource(m, computeLayout(m), x)));
  if (sources.length <= 1) return sources[0];
  const each = sources.map((src, i) => `const canon${i} = (function () {\n${src}\nreturn canon;\n})();`);
  return `${each.join('\n')}\nfunction canon(a, p) { ${sources.map((_, i) => `canon${i}(a, p);`).join(' ')} }`;
}

/** A shard splits the unreduced search, once, from its start (docs/adr/0005). */
function checkShardOptions(opts: ExploreOptions, symmetric: Symmetric | undefined): void {
  const { index, count, level } = opts.shard!;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) fail('E_BAD_VALUE', `shard ${index}/${count}: the index must be between 1 and the count`);
  if (level !== undefined && (!Number.isInteger(level) || level < 0)) fail('E_BAD_VALUE', `shard split level ${level} is not a depth`);
  // Dead-variable reduction keeps paths (ADR 6): a shard may use it; the others rebuild.
  if (opts.reduce?.por || symmetric) fail('E_USAGE', '--shard splits a search without partial-order or symmetry reduction; use --reduce dead-vars or --no-reduce');
  if (opts.checkpoint) fail('E_USAGE', '--shard cannot be combined with --checkpoint-every or --resume');
}

type Symmetric = { readonly entity: string; readonly linked?: LinkedEntity };

/** The entity a symmetric run permutes (and the one moved with it), or undefined when the model
 *  declares none; a declared symmetry the model breaks is refused with the first place that
 *  breaks it. */
function symmetricEntity(m: CoreModel): Symmetric | undefined {
  if (!m.symmetry?.length) return undefined;
  const [{ entity, linked, refused }] = m.symmetry;
  if (refused) fail('E_BAD_VALUE', `model ${m.name}: symmetry over '${entity}'${linked ? ` with '${linked.entity}'` : ''} refused: ${refused}; drop the declaration, or run without symmetry (--reduce dead-vars)`);
  return { entity, ...(linked ? { linked } : {}) };
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
  // A sharded search split before the hand-over (sequential.ts): say where, whoever ends it.
  const shard = state.shard;
  const withShard = (r: ExploreResult): ExploreResult => (shard ? { ...r, shard } : r);
  const { exploreParallel, PartitionPool } = await import('./parallel');
  const pool = new PartitionPool(src, m.actions.length, workers);
  try {
    for (;;) {
      const back = await exploreParallel(m, src, opts, state, pool, policy);
      if (!('fingerprints' in back)) return withShard(back);
      const r = await exploreSequential(m, src, opts, policy, shard ? { ...back, shard } : back);
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
async function exploreReducedThenRebuild(m: CoreModel, opts: ExploreOptions, symmetric: Symmetric | undefined, dead: DeadVariables | undefined): Promise<ExploreResult> {
  const por = !!opts.reduce?.por;
  if (symmetric && opts.canonical) fail('E_BAD_VALUE', 'a canonical-form hook and symmetry reduction cannot be combined');
  const canonical = composeCanon(m, opts.canonical, dead, symmetric ? symmetryCanonSource(m, computeLayout(m), symmetric.entity, symmetric.linked) : undefined);
  // Dead-variable reduction keeps paths and their order (ADR 6): the rebuild uses it too.
  const rebuildCanonical = composeCanon(m, opts.canonical, dead);
  const src = compileModel(m, opts.properties, { canonical });
  const fp = por ? computeFootprint(m, src.selected) : undefined;
  const reduced = fp ? await exploreReduced(m, src, fp, opts) : { result: await exploreFull(m, { ...opts, canonical }), stats: { reducedExpansions: 0, provisoExpansions: 0, prunedTransitions: 0 } };
  const r0 = reduced.result;
  // Paths between representatives do not replay: keep only what the rebuild gives.
  // An instance's step fired from a representative stands for its copy in every alike instance.
  const r = symmetric ? { ...r0, witnesses: r0.witnesses.map((w) => ({ name: w.name, reached: w.reached })), actionCounts: countsUpToSymmetry(m, r0.actionCounts, symmetric.entity, symmetric.linked) } : r0;
  const base = {
    por, symmetry: !!symmetric, symmetryRequested: !!opts.reduce?.symmetry, ...(symmetric ? { symmetryEntity: symmetric.entity, ...(symmetric.linked ? { symmetryLinked: symmetric.linked.entity } : {}) } : {}), ...deadReport(dead),
    visibleSteps: fp?.visibleCount ?? 0, steps: m.actions.length, ...reduced.stats,
  };
  const bound = Math.max(-1, ...r.violations.map((v) => v.length), r.modelError ? r.modelError.actions.length : -1);
  if (bound < 0) return { ...r, reduction: base };
  // Rebuild: the unreduced search up to one level past the deepest counterexample found
  // (a terminal state is checked when its level is expanded), so it reports exactly what an
  // unreduced run reports up to there.
  // The rebuild is a search of its own: it neither resumes nor writes the checkpoint.
  const full = await exploreFull(m, { ...opts, checkpoint: undefined, canonical: rebuildCanonical, maxDepth: Math.min(opts.maxDepth ?? Infinity, bound + 1), onProgress: undefined });
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
