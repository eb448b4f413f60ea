/**
 * check merge: the results of `check --shard I/N` joined into the result of the whole search
 * (docs/adr/0005). The shards must be of one search (same model digest, target, invariants,
 * --continue, probecheck build, N and split level) and each of 1..N given exactly once; else
 * one line, E_MERGE, as matrix merge does.
 *
 * What is joined: a property is violated if a shard violates it, with the shortest trace over
 * the shards (ties: the smaller action-id sequence, which is the one breadth-first order
 * reaches first, so the merge does not depend on the order of its inputs and reports the
 * trace an unsharded run reports); a witness is reached if a shard reaches it, by the same
 * rule; the counts are the prefix plus each shard's own, an upper bound, because a state
 * reachable from the shares of several shards is stored by each of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import type { StopReason, Verdict } from '../explorer/types';
import type { RunSummary } from './run';
import { SHARD_FORMAT, type ShardPath, type ShardSummary, type ShardViolation, type ShardWitness } from './shard-result';

export interface ShardInput { readonly file: string; readonly run: RunSummary & { shard: ShardSummary } }

/** A results folder of check --shard (its summary.json), or that summary.json itself. */
export function readShardResult(arg: string): ShardInput {
  let file = arg;
  try {
    if (fs.statSync(arg).isDirectory()) file = path.join(arg, 'summary.json');
  } catch {
    fail('E_MERGE', `${arg}: no such results folder or file`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no summary.json (not a results folder of check --shard)' : `not readable JSON (${(e as Error).message.split('\n')[0]})`;
    fail('E_MERGE', `${file}: ${why}`);
  }
  return { file: arg, run: validateShardRun(doc, arg) };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const count = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');

/** The fields the merge reads, checked as data (the file may come from anywhere). */
function validateShardRun(doc: unknown, file: string): RunSummary & { shard: ShardSummary } {
  const bad = (what: string): never => fail('E_MERGE', `${file}: ${what}`);
  if (!isObj(doc)) return bad('summary.json is not an object');
  if (Array.isArray(doc.runs)) return bad('holds several scenarios; a shard is of one search (check --shard with one --scenario)');
  const s = doc.shard;
  if (!isObj(s) || s.format !== SHARD_FORMAT) return bad('not a shard result (no "shard"; write shards with check --shard I/N)');
  if (!count(s.index) || !count(s.count) || (s.index as number) < 1 || (s.index as number) > (s.count as number)) bad('"shard" has no valid index/count');
  if (!(s.splitLevel === null || count(s.splitLevel)) || !(s.requestedLevel === null || count(s.requestedLevel))) bad('"shard.splitLevel" is not a level');
  for (const k of ['prefix', 'own'] as const) if (!isObj(s[k]) || !count((s[k] as Record<string, unknown>).distinct) || !count((s[k] as Record<string, unknown>).generated)) bad(`"shard.${k}" has no counts`);
  for (const k of ['levelStates', 'share', 'splitThreshold'] as const) if (!count(s[k])) bad(`"shard.${k}" is not a count`);
  const id = s.identity;
  if (!isObj(id) || !isObj(id.options) || !['label', 'model', 'probecheck', 'engine'].every((k) => typeof id[k] === 'string') || typeof id.continueAfterViolation !== 'boolean' || typeof id.reduce !== 'string' || !(id.invariants === null || strings(id.invariants))) bad('"shard.identity" does not say what was searched');
  const path = (p: unknown) => isObj(p) && strings(p.actions);
  if (!Array.isArray(s.violations) || !s.violations.every((v) => path(v) && typeof v.invariant === 'string' && typeof v.kind === 'string' && count(v.length) && v.length === (v.actions as string[]).length)) bad('"shard.violations" is not a list of traces');
  if (!Array.isArray(s.witnesses) || !s.witnesses.every((w) => isObj(w) && typeof w.name === 'string' && typeof w.reached === 'boolean' && (!w.reached || path(w)))) bad('"shard.witnesses" is not a list of witnesses');
  if (s.modelError !== undefined && !(path(s.modelError) && typeof (s.modelError as Record<string, unknown>).message === 'string')) bad('"shard.modelError" is malformed');
  for (const k of ['verdict', 'stopReason'] as const) if (typeof doc[k] !== 'string') bad(`"${k}" is missing`);
  for (const k of ['seconds', 'depth', 'workers', 'collisionProbability', 'bytesPerState', 'fingerprintLoad'] as const) if (typeof doc[k] !== 'number') bad(`"${k}" is not a number`);
  if (typeof doc.complete !== 'boolean') bad('"complete" is missing');
  if (!strings(doc.checked) || !strings(doc.notSelected)) bad('"checked" is not a list of invariants');
  if (!(doc.unreachedSteps === null || strings(doc.unreachedSteps))) bad('"unreachedSteps" is not a list of steps');
  return doc as unknown as RunSummary & { shard: ShardSummary };
}

/** Shards of one search, 1..N each once: else the first problem, in one line. */
export function checkShardSet(inputs: readonly ShardInput[]): void {
  if (inputs.length === 0) fail('E_USAGE', 'check merge needs the shard results (DIR_OR_FILE...)');
  const first = inputs[0];
  const a = first.run.shard;
  for (const x of inputs.slice(1)) {
    const b = x.run.shard;
    const why = differs(a, b);
    if (why) fail('E_MERGE', `${x.file} is a shard of another search than ${first.file}: ${why}`);
  }
  const byIndex = new Map<number, string>();
  for (const x of inputs) {
    const seen = byIndex.get(x.run.shard.index);
    if (seen !== undefined) fail('E_MERGE', `shard ${x.run.shard.index}/${a.count} is given twice: ${seen} and ${x.file}`);
    byIndex.set(x.run.shard.index, x.file);
  }
  const missing = Array.from({ length: a.count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) fail('E_MERGE', `shard ${missing.map((i) => `${i}/${a.count}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${[...byIndex.keys()].sort((x, y) => x - y).join(', ')})`);
}

/** How shard b's search differs from shard a's, in the user's words, or undefined. */
function differs(a: ShardSummary, b: ShardSummary): string | undefined {
  const x = a.identity, y = b.identity;
  if (x.probecheck !== y.probecheck || x.engine !== y.engine) return `written by probecheck ${y.probecheck} (build ${y.engine}), not ${x.probecheck} (build ${x.engine})`;
  if (x.label !== y.label) return `it checks ${y.label}, not ${x.label}`;
  const words = (o: object, k: 'set' | 'patches') => JSON.stringify((o as Record<string, unknown>)[k] ?? []);
  if (words(x.options, 'set') !== words(y.options, 'set')) return `parameters ${words(y.options, 'set')}, not ${words(x.options, 'set')}`;
  if (words(x.options, 'patches') !== words(y.options, 'patches')) return `patches ${words(y.options, 'patches')}, not ${words(x.options, 'patches')}`;
  if (JSON.stringify(x.invariants) !== JSON.stringify(y.invariants)) return `invariants ${y.invariants?.join(', ') ?? 'all'}, not ${x.invariants?.join(', ') ?? 'all'}`;
  if (x.continueAfterViolation !== y.continueAfterViolation) return `run ${y.continueAfterViolation ? 'with' : 'without'} --continue`;
  if (x.reduce !== y.reduce) return `run with --reduce ${y.reduce}, not ${x.reduce}`;
  if (x.model !== y.model) return `another model (digest ${y.model}, not ${x.model}: a parameter, patch or file changed)`;
  if (a.count !== b.count) return `${b.count} shards, not ${a.count}`;
  if (a.requestedLevel !== b.requestedLevel) return `--shard-level ${b.requestedLevel ?? 'unset'}, not ${a.requestedLevel ?? 'unset'}`;
  // Every shard runs the same prefix, so they split alike; a shard stopped early by a
  // limit may not have got there (it is merged, and makes the merge incomplete).
  if (a.splitLevel !== null && b.splitLevel !== null && (a.splitLevel !== b.splitLevel || a.prefix.distinct !== b.prefix.distinct)) {
    return `split at level ${b.splitLevel} after ${b.prefix.distinct} states, not level ${a.splitLevel} after ${a.prefix.distinct}`;
  }
  return undefined;
}

/** Paths compared as breadth-first order meets them: shorter first, then by action ids. */
export function earlierPath(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** The level whose expansion finds a violation: a terminal state's own level; a bad
 *  successor's or a bad step's parent level (docs/adr/0005: what a merge without
 *  --continue keeps). */
export const foundAtLevel = (kind: string, length: number): number => (kind === 'terminal' ? length : length - 1);

export interface MergedPath<T> { readonly of: T; readonly ids: number[] }

export interface MergedShards {
  readonly count: number;
  readonly splitLevel: number | null;
  readonly prefix: { readonly distinct: number; readonly generated: number };
  readonly distinct: number;
  readonly generated: number;
  /** True when the shards split: a state reachable from several shares counts once each. */
  readonly upperBound: boolean;
  readonly violations: readonly MergedPath<ShardViolation>[];
  readonly witnesses: readonly (MergedPath<ShardWitness> | { readonly of: ShardWitness; readonly ids?: undefined })[];
  readonly modelError?: { readonly message: string; readonly ids: number[] };
  readonly verdict: Verdict;
  readonly stopReason: StopReason;
  readonly complete: boolean;
  readonly depth: number;
  readonly seconds: number;
  readonly workers: number;
  /** Steps no shard enabled; null when some shard does not say (stopped early). */
  readonly unreachedSteps: readonly string[] | null;
  readonly collisionProbability: number;
  readonly bytesPerState: number;
  readonly fingerprintLoad: number;
  readonly checked: readonly string[];
  readonly notSelected: readonly string[];
  /** The shards in index order. */
  readonly shards: readonly ShardInput[];
  /** The interrupting signal of an interrupted shard, if any. */
  readonly interrupted?: string;
}

/**
 * Join validated shards (checkShardSet) of one search. `idOf` turns a step name into its
 * action id in the rebuilt model (the order breadth-first search tries steps in).
 */
export function mergeShardResults(inputs: readonly ShardInput[], idOf: (step: string) => number): MergedShards {
  const shards = [...inputs].sort((a, b) => a.run.shard.index - b.run.shard.index);
  const runs = shards.map((x) => x.run);
  const split = runs.find((r) => r.shard.splitLevel !== null)?.shard;
  const cont = runs[0].shard.identity.continueAfterViolation;
  const ids = (p: ShardPath | { actions: readonly string[] }) => p.actions.map(idOf);

  // The earliest path per property and per witness, over every shard.
  const shortest = <T extends { actions?: readonly string[] }>(items: readonly T[], key: (x: T) => string): Map<string, MergedPath<T>> => {
    const best = new Map<string, MergedPath<T>>();
    for (const x of items) {
      if (!x.actions) continue;
      const p = { of: x, ids: ids(x as { actions: readonly string[] }) };
      const old = best.get(key(x));
      if (!old || earlierPath(p.ids, old.ids)) best.set(key(x), p);
    }
    return best;
  };
  const byProperty = shortest(runs.flatMap((r) => r.shard.violations), (v) => v.invariant);
  const byWitness = shortest(runs.flatMap((r) => r.shard.witnesses.filter((w) => w.reached)), (w) => w.name);

  // Without --continue an unsharded search stops after the first level that finds a
  // violation; each shard stopped after its own first such level, which is never earlier.
  // Keep what the unsharded search would have found by then (ADR 0005).
  let violations = [...byProperty.values()];
  let lastLevel = Infinity;
  if (!cont && violations.length > 0) {
    lastLevel = Math.min(...violations.map((v) => foundAtLevel(v.of.kind, v.of.length)));
    violations = violations.filter((v) => foundAtLevel(v.of.kind, v.of.length) === lastLevel);
  }
  violations.sort((a, b) => a.of.length - b.of.length || a.of.invariant.localeCompare(b.of.invariant));
  const witnesses = runs[0].shard.witnesses.map((w) => {
    const hit = byWitness.get(w.name);
    return hit && hit.ids.length - 1 <= lastLevel ? hit : { of: { name: w.name, reached: false } };
  });

  const errors = runs.filter((r) => r.shard.modelError).map((r) => ({ message: r.shard.modelError!.message, ids: ids(r.shard.modelError!) }));
  const modelError = errors.reduce<(typeof errors)[number] | undefined>((best, e) => (!best || earlierPath(e.ids, best.ids) ? e : best), undefined);

  // The stop of the whole: the first shard (in index order) that did not explore its share,
  // else 'violation' when a shard stopped at its first violating level.
  const abnormal = runs.find((r) => !['complete', 'violation'].includes(r.stopReason));
  const stopReason = (modelError ? 'model-error' : abnormal?.stopReason ?? (runs.some((r) => r.stopReason === 'violation') ? 'violation' : 'complete')) as StopReason;
  const complete = runs.every((r) => r.complete);
  const interrupted = runs.find((r) => r.interrupted)?.interrupted;
  let verdict: Verdict;
  if (modelError) verdict = 'model-error';
  else if (stopReason === 'interrupted') verdict = 'incomplete';
  else if (violations.length > 0) verdict = 'violation';
  else if (!complete) verdict = 'incomplete';
  else if (witnesses.some((w) => !w.of.reached)) verdict = 'witness-failure';
  else verdict = 'pass';

  const prefix = split ? split.prefix : runs[0].shard.prefix;
  const own = split ? runs.reduce((n, r) => ({ distinct: n.distinct + r.shard.own.distinct, generated: n.generated + r.shard.own.generated }), { distinct: 0, generated: 0 }) : { distinct: 0, generated: 0 };
  const unreached = runs.every((r) => r.unreachedSteps !== null && r.stopReason === 'complete')
    ? runs.map((r) => r.unreachedSteps as string[]).reduce((a, b) => a.filter((s) => b.includes(s)))
    : null;
  return {
    count: runs[0].shard.count, splitLevel: split?.splitLevel ?? null, prefix,
    distinct: prefix.distinct + own.distinct, generated: prefix.generated + own.generated, upperBound: split !== undefined,
    violations, witnesses, ...(modelError ? { modelError } : {}),
    verdict, stopReason, complete,
    depth: Math.max(...runs.map((r) => r.depth)),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    workers: Math.max(...runs.map((r) => r.workers)),
    unreachedSteps: unreached,
    // A collision in any shard could hide a state: their probabilities add up (at most).
    collisionProbability: Math.min(1, runs.reduce((n, r) => n + r.collisionProbability, 0)),
    bytesPerState: Math.max(...runs.map((r) => r.bytesPerState)),
    fingerprintLoad: Math.max(...runs.map((r) => r.fingerprintLoad)),
    checked: runs[0].checked, notSelected: runs[0].notSelected,
    shards, ...(interrupted ? { interrupted } : {}),
  };
}
