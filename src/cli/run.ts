/**
 * One exploration as the CLI runs it: progress on stderr, Ctrl-C through an AbortSignal,
 * and the summary (JSON and the end-of-run report in the field's vocabulary).
 */
import { explore } from '../explorer/explore';
import { offPathActions, type CoreModel } from '../ir/core';
import type { ExploreResult, Progress, ReductionReport, Verdict } from '../explorer/types';
import type { CheckpointHooks } from '../explorer/checkpoint';
import type { CliContext } from './context';
import type { ExploreLimits } from './limits';
import { traceFileName } from './artifacts';
import type { Target } from './target';
import { exploredAll } from './outcome';
import type { ShardSummary } from './shard-result';

const fmt = (n: number) => n.toLocaleString('en-US');
const offPaths = new WeakMap<CoreModel, Set<number>>();
/** The actions on another instance's path (core.ts), once per model. */
function offPath(core: CoreModel): Set<number> {
  let s = offPaths.get(core);
  if (!s) offPaths.set(core, (s = offPathActions(core)));
  return s;
}


export function progressLine(label: string, p: Progress): string {
  return `${label}: ${fmt(p.distinct)} distinct, ${fmt(p.generated)} generated, depth ${p.depth}, frontier ${fmt(p.frontier)}, ` +
    `${fmt(Math.round(p.statesPerSecond))} states/s, ${p.seconds.toFixed(0)} s`;
}

/** What a command asks of one search's display and time budget. */
export interface SearchView {
  /** Show progress (on a terminal by default; elsewhere only with --progress; never with --quiet). */
  readonly progress: boolean;
  /** --max-seconds counts from this moment (performance.now() ms): the command's start for
   *  check and verify-patch (model building and worker start-up included), a cell's for matrix. */
  readonly since: number;
}

/** The view of a command's options: --quiet wins, --progress asks for it off a terminal. */
export function searchView(ctx: CliContext, o: { quiet?: boolean; progress?: boolean }, since = ctx.startedAt): SearchView {
  return { progress: !o.quiet && (ctx.stderrIsTTY || Boolean(o.progress)), since };
}

/** The time left of a --max-seconds budget that started at `since` (a little above zero when
 *  spent, so the search stops at its first check and reports what it had). */
export function remainingSeconds(limits: ExploreLimits, since: number): ExploreLimits {
  if (limits.maxSeconds === undefined) return limits;
  const left = limits.maxSeconds - (performance.now() - since) / 1000;
  return { ...limits, maxSeconds: Math.max(0.001, left) };
}

/** Explore with progress (live line on a terminal, a line every 5 s with --progress otherwise)
 *  and signals: the first SIGINT/SIGTERM/SIGHUP stops the search (verdict incomplete,
 *  stopReason interrupted); main.ts exits at a second one. */
export async function exploreTarget(t: Target, limits: ExploreLimits, ctx: CliContext, view: SearchView, checkpoint?: CheckpointHooks): Promise<{ result: ExploreResult; interrupted: boolean }> {
  try {
    const result = await explore(t.core, {
      ...remainingSeconds(limits, view.since),
      ...(checkpoint ? { checkpoint } : {}),
      signal: ctx.stop.signal,
      progressIntervalMs: ctx.stderrIsTTY ? 500 : 5000,
      ...(view.progress ? { onProgress: (p: Progress) => ctx.progress(progressLine(t.label, p), true) } : {}),
    });
    return { result, interrupted: result.stopReason === 'interrupted' };
  } finally {
    ctx.endProgress();
  }
}

export interface ViolationSummary { invariant: string; kind: string; length: number; trace: string }

export interface RunSummary {
  verdict: Verdict;
  model: string;
  kernel?: string;
  patches?: string[];
  scenario?: string;
  iommuDriver?: string;
  params: Record<string, string | number | boolean>;
  workers: number;
  seconds: number;
  depth: number;
  /** `upperBound`: check merge of shards that split (a state reachable from several shares
   *  is counted once per shard). */
  states: { distinct: number; generated: number; upperBound?: boolean };
  violations: ViolationSummary[];
  witnesses: { name: string; reached: boolean }[];
  checked: string[];
  notSelected: string[];
  /** Null under partial-order reduction: a step the reduced search never took may still be
   *  enabled somewhere in the full space. */
  unreachedSteps: string[] | null;
  /** The reductions that ran (null: none asked for). */
  reduction: ReductionReport | null;
  collisionProbability: number;
  bytesPerState: number;
  fingerprintLoad: number;
  stopReason: string;
  /** False when a limit or a signal stopped the search before it explored its whole space. */
  complete: boolean;
  /** The signal that stopped the search (SIGINT, SIGTERM, SIGHUP), when one did. */
  interrupted?: string;
  out: string | null;
  modelError?: { message: string; trace: string[] };
  /** check --shard: where the search split, and what `check merge` needs (shard-result.ts). */
  shard?: ShardSummary;
}

export function summarize(t: Target, r: ExploreResult, out: string | null, signal?: string): RunSummary {
  const s = t.source;
  return {
    verdict: r.verdict,
    model: s.model ?? 'kernel',
    ...(s.kernel ? { kernel: s.kernel } : {}),
    ...(s.model === undefined ? { patches: [...(s.patches ?? [])] } : {}),
    ...(s.scenario ? { scenario: s.scenario } : {}),
    ...(s.iommuDriver ? { iommuDriver: s.iommuDriver } : {}),
    params: s.model !== undefined ? { ...t.core.params } : {},
    workers: r.workers, seconds: r.seconds, depth: r.depth,
    states: { distinct: r.distinct, generated: r.generated },
    violations: r.violations.map((v) => ({ invariant: v.property, kind: v.kind, length: v.length, trace: `${traceFileName(v.property)}.json` })),
    witnesses: r.witnesses.map((w) => ({ name: w.name, reached: w.reached })),
    checked: [...r.checked], notSelected: [...r.notSelected],
    // An action on another device's path (dev-paths.ts) is no step of its instance: not listed.
    unreachedSteps: r.reduction?.por ? null : t.core.actions.filter((a) => !offPath(t.core).has(a.id) && (r.actionCounts[a.id] ?? 0) === 0).map((a) => a.name),
    reduction: r.reduction ?? null,
    collisionProbability: r.collisionProbability, bytesPerState: r.bytesPerState, fingerprintLoad: r.fingerprintLoad,
    stopReason: r.stopReason, complete: exploredAll(r.stopReason),
    ...(r.stopReason === 'interrupted' ? { interrupted: signal ?? 'SIGINT' } : {}),
    out,
    ...(r.modelError ? { modelError: { message: r.modelError.message, trace: r.modelError.actions.map((id) => t.core.actions[id]?.name ?? String(id)) } } : {}),
  };
}

const STOP_TEXT: Record<string, string> = {
  complete: 'search complete',
  violation: 'search stopped at the end of the first level with a violation (--continue explores the rest)',
  'max-states': 'search INCOMPLETE: stopped by --max-states',
  'max-depth': 'search INCOMPLETE: stopped by --max-depth',
  'max-seconds': 'search INCOMPLETE: stopped by --max-seconds',
  'max-memory': 'search INCOMPLETE: stopped by --max-memory (the fingerprint tables and parent links)',
  interrupted: 'search INCOMPLETE: interrupted',
  'model-error': 'search stopped by a model error',
};

function reductionLines(x: ReductionReport): string[] {
  const sym = x.symmetry ? `symmetry over the slots of ${x.symmetryEntity}${x.symmetryLinked ? `, each with its own ${x.symmetryLinked}` : ''}` : '';
  const por = x.por
    ? `partial-order (${fmt(x.reducedExpansions)} states expanded by a stubborn subset, ${fmt(x.provisoExpansions)} of them in full by the proviso; ` +
      `${fmt(x.prunedTransitions)} enabled steps not taken; ${x.visibleSteps} of ${x.steps} steps visible to the properties)`
    : '';
  const dead = x.deadVars ? `dead variables (${x.resetVariables} variables stored reset where no step reads them before writing them)` : '';
  const L = [`reduction: ${[dead, por, sym].filter((t) => t).join('; ') || 'none'}`];
  if (x.symmetryAvailable) {
    L.push(`  the slots of ${x.symmetryAvailable.join(' (each with its own ') + (x.symmetryAvailable.length > 1 ? ')' : '')} are interchangeable: declare symmetry: [${x.symmetryAvailable.join(', ')}] to store one state per permutation`);
  }
  if (x.rebuild) {
    L.push(x.rebuild.complete
      ? `  counterexamples rebuilt by an unreduced search to depth ${x.rebuild.depth}: ${fmt(x.rebuild.distinct)} states`
      : `  the unreduced search that rebuilds counterexamples stopped at a limit (depth ${x.rebuild.depth}): traces are the reduced search's, real but maybe not shortest`);
  }
  return L;
}

export const sci = (p: number) => (p === 0 ? '0 (states fit one word: fingerprints are exact)' : p.toExponential(1));

/** Lines of the report that a sharded run or a merge of shards words differently. */
export interface RunWording {
  /** Replaces the "states:" line (a merge counts an upper bound). */
  readonly states?: string;
  /** Lines after the "states:" line. */
  readonly afterStates?: readonly string[];
  readonly guarantee?: string;
}

/** The end-of-run report (TLC/SPIN style). */
export function formatRun(t: Target, r: ExploreResult, s: RunSummary, mails: readonly string[], wording: RunWording = {}): string {
  const L: string[] = [];
  const what = t.source.model !== undefined
    ? `model ${t.source.model}${Object.keys(t.core.params).length ? ' (' + Object.entries(t.core.params).map(([k, v]) => `${k}=${v}`).join(', ') + ')' : ''}`
    : `kernel ${t.source.kernel}, scenario ${t.source.scenario}${t.source.iommuDriver ? ` (IOMMU driver ${t.source.iommuDriver})` : ''}, patches: ${(t.source.patches ?? []).join(', ') || 'none'}`;
  L.push(`== probecheck check: ${what}`);
  const stopText = (STOP_TEXT[r.stopReason] ?? r.stopReason) + (s.interrupted ? ` by ${s.interrupted}` : '');
  L.push(`verdict: ${s.verdict.toUpperCase()}; ${stopText}`);
  const rate = r.seconds > 0 ? Math.round(r.distinct / r.seconds) : r.distinct;
  L.push(wording.states ?? `states: ${fmt(r.distinct)} distinct, ${fmt(r.generated)} generated, depth ${r.depth}; ${r.seconds.toFixed(2)} s, ${fmt(rate)} states/s, ${r.workers} worker${r.workers === 1 ? '' : 's'}`);
  L.push(...(wording.afterStates ?? []));
  L.push(wording.guarantee ?? 'guarantee: breadth-first, level by level: each counterexample is a shortest one, the same for any --workers');
  if (r.reduction) L.push(...reductionLines(r.reduction));
  const complete = r.stopReason === 'complete';
  const partial = complete ? '' : ' (up to the depth reached)';
  const w = Math.max(20, ...r.checked.map((x) => x.length), ...r.notSelected.map((x) => x.length), ...r.witnesses.map((x) => x.name.length)) + 2;
  L.push('invariants:');
  for (const name of r.checked) {
    const v = r.violations.find((x) => x.property === name);
    L.push(`  ${name.padEnd(w)}${v ? `VIOLATED (${v.length} step${v.length === 1 ? '' : 's'}, ${v.kind})` : `checked${partial}`}`);
  }
  for (const name of r.notSelected) L.push(`  ${name.padEnd(w)}- (not selected)`);
  if (r.witnesses.length) {
    L.push('witnesses (states that must be reachable):');
    for (const x of r.witnesses) L.push(`  ${x.name.padEnd(w)}${x.reached ? 'reached' : complete ? 'NOT reached' : 'not reached yet (search stopped early)'}`);
  }
  if (s.shard && s.shard.splitLevel !== null) {
    // Another shard may enable what this one did not.
    L.push('steps never enabled: not reported for one shard (check merge reports them for the whole search)');
  } else if (s.unreachedSteps === null) {
    L.push('steps never enabled: not reported under partial-order reduction (--no-reduce lists them)');
  } else if (complete) {
    if (s.unreachedSteps.length) {
      L.push(`steps never enabled (${s.unreachedSteps.length} of ${t.core.actions.length - offPath(t.core).size}; a modelling bug or a scenario that cannot get there):`);
      const shown = s.unreachedSteps.slice(0, 30);
      for (const n of shown) L.push(`  ${n}`);
      if (s.unreachedSteps.length > shown.length) L.push(`  ... and ${s.unreachedSteps.length - shown.length} more (summary.json: unreachedSteps)`);
    } else {
      L.push('steps never enabled: none');
    }
  } else {
    L.push(`steps never enabled: not reported (the search stopped early; ${s.unreachedSteps.length} not yet enabled)`);
  }
  L.push(`fingerprint collision probability: ${sci(r.collisionProbability)}; ${r.bytesPerState.toFixed(1)} bytes/state retained, table ${(r.fingerprintLoad * 100).toFixed(1)}% full`);
  if (r.modelError) {
    L.push(`MODEL ERROR: ${r.modelError.message}`);
    L.push(`  reached by: ${s.modelError?.trace.join(' ') ?? ''}`);
  }
  if (s.out) L.push(`results: ${s.out}`);
  for (const mail of mails) {
    L.push('');
    L.push(mail.trimEnd());
  }
  return L.join('\n') + '\n';
}
