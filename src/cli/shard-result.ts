/**
 * What `check --shard I/N` records of its search (the "shard" section of summary.json) and
 * prints: where the search split, the shared prefix's counts and the shard's own, what was
 * searched (so `check merge` joins only shards of one search), and every counterexample and
 * witness path by step names (so the merge compares traces without replaying the files).
 */
import { reductionsName } from './checkpointing';
import { searchIdentity, type SearchIdentity } from './checkpoint-file';
import type { ExploreResult } from '../explorer/types';
import { splitThreshold, type ShardSplit } from '../explorer/shard';
import { optionsOfSource, type Target } from './target';
import type { ExploreLimits } from './limits';

export const SHARD_FORMAT = 'probecheck-shard';

export interface ShardPath { readonly length: number; readonly actions: readonly string[] }
export interface ShardViolation extends ShardPath { readonly invariant: string; readonly kind: string }
export interface ShardWitness { readonly name: string; readonly reached: boolean; readonly actions?: readonly string[] }

export interface ShardSummary {
  readonly format: typeof SHARD_FORMAT;
  readonly index: number;
  readonly count: number;
  /** The level the search split at; null when it ended or stopped before one. */
  readonly splitLevel: number | null;
  /** --shard-level, or null (the first level of at least `splitThreshold` states). */
  readonly requestedLevel: number | null;
  readonly splitThreshold: number;
  /** States at the split level, and this shard's share of them. */
  readonly levelStates: number;
  readonly share: number;
  /** The prefix every shard explores alike (the split level included). */
  readonly prefix: { readonly distinct: number; readonly generated: number };
  /** This shard's own states: reachable from its share, not in the prefix. */
  readonly own: { readonly distinct: number; readonly generated: number };
  readonly identity: SearchIdentity;
  readonly violations: readonly ShardViolation[];
  readonly witnesses: readonly ShardWitness[];
  readonly modelError?: { readonly message: string; readonly actions: readonly string[] };
}

export function shardSummary(t: Target, r: ExploreResult, limits: ExploreLimits): ShardSummary {
  const split = r.shard as ShardSplit;
  const spec = limits.shard!;
  const name = (id: number) => t.core.actions[id].name;
  return {
    format: SHARD_FORMAT,
    index: split.index, count: split.count, splitLevel: split.level,
    requestedLevel: spec.level ?? null, splitThreshold: splitThreshold(split.count),
    levelStates: split.levelStates, share: split.share,
    prefix: { distinct: split.prefixDistinct, generated: split.prefixGenerated },
    own: { distinct: r.distinct - split.prefixDistinct, generated: r.generated - split.prefixGenerated },
    identity: searchIdentity(t, optionsOfSource(t.source), limits.properties, Boolean(limits.continueAfterViolation), reductionsName(limits.reduce)),
    violations: r.violations.map((v) => ({ invariant: v.property, kind: v.kind, length: v.length, actions: v.actions.map(name) })),
    witnesses: r.witnesses.map((w) => (w.reached && w.actions ? { name: w.name, reached: true, actions: w.actions.map(name) } : { name: w.name, reached: false })),
    ...(r.modelError ? { modelError: { message: r.modelError.message, actions: r.modelError.actions.map(name) } } : {}),
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The summary's lines about the split, after its "states:" line. */
export function shardLines(s: ShardSummary): string[] {
  const me = `shard ${s.index}/${s.count}`;
  if (s.splitLevel === null) {
    const where = s.requestedLevel !== null ? `level ${s.requestedLevel}` : `a level of ${fmt(s.splitThreshold)} states`;
    return [`${me}: no split (the search ended before ${where}): this is the whole search, the same in every shard`];
  }
  return [
    `${me}: split at level ${s.splitLevel} (${fmt(s.levelStates)} states, ${fmt(s.share)} of them this shard's); ` +
      `prefix ${fmt(s.prefix.distinct)} distinct, ${fmt(s.prefix.generated)} generated; own ${fmt(s.own.distinct)} distinct, ${fmt(s.own.generated)} generated`,
    `  join the shards' results with: probecheck check merge DIR...`,
  ];
}

export const SHARD_GUARANTEE = 'guarantee: breadth-first from this shard\'s share: each counterexample is a real path; the shortest over all shards (check merge) is a shortest one';
