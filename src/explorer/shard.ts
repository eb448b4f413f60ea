/**
 * A sharded search (check --shard I/N, docs/adr/0005): every shard runs the same breadth-first
 * prefix, picks the same split level, keeps the states of that level whose fingerprint falls
 * in its share, and explores only what is reachable from them. Its fingerprint table still
 * holds every prefix state, so no prefix state is explored again.
 *
 * The split happens in the sequential search (sequential.ts), at a level boundary and before
 * any hand-over to the worker threads, so the parallel search needs no change: it goes on from
 * a frontier that is already the share.
 */
import type { ParentLinks } from './parent-links';

/** Which shard this search is, and where to split (absent: splitThreshold decides). */
export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
  /** --shard-level: split at this depth (if the search gets there). */
  readonly level?: number;
}

/** Where the search was split, for the result. `level` null: the search ended (or stopped)
 *  before a split level, so this shard's result is the whole prefix and its share is empty. */
export interface ShardSplit {
  readonly index: number;
  readonly count: number;
  readonly level: number | null;
  /** States stored, and successors computed, when the split happened (the shared prefix,
   *  the split level included); the whole search when there was no split. */
  readonly prefixDistinct: number;
  readonly prefixGenerated: number;
  /** States at the split level, and how many of them are this shard's share. */
  readonly levelStates: number;
  readonly share: number;
}

/** The split level, when --shard-level does not give it, is the first level with at least
 *  this many states: enough that the fingerprints spread the work evenly over the shards
 *  (64 per shard), and not so early that a few states carry most of the space below them. */
export const splitThreshold = (count: number): number => Math.max(64 * count, 1000);

/** Whether the level about to be expanded (depth `depth`, `states` wide) is the split level. */
export function isSplitLevel(spec: ShardSpec, depth: number, states: number): boolean {
  return spec.level !== undefined ? depth === spec.level : states >= splitThreshold(spec.count);
}

/** The shard (1-based) of a fingerprint: both halves mixed again (h2 of a one-word state is
 *  the state itself, whose low bits are far from uniform), so the partition is even and
 *  depends only on the state, never on the number of workers. */
export function shardOfFingerprint(h1: number, h2: number, count: number): number {
  let h = (h1 ^ Math.imul(h2, 0x9e3779b1)) | 0;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return ((h >>> 0) % count) + 1;
}

/** The part of the sequential search's state the split rewrites. */
export interface SplittableLevel {
  readonly W: number;
  frontier: Int32Array;
  frontierCount: number;
  levelBase: number;
  links: ParentLinks;
}

/**
 * Keep the frontier states of this shard's share, in their order. The kept states get new
 * indices right after the level (their parent links copied there), because the generated
 * level loop numbers a state `levelBase + its frontier position`: the dropped states keep
 * their indices and links (a trace to a prefix state still walks through them), and nothing
 * points at the new copies but the next level. The fingerprint table is not touched.
 * Returns how many states were kept.
 */
export function keepShare(S: SplittableLevel, spec: ShardSpec, fp: (arr: Int32Array, off: number, out: Int32Array) => void): number {
  const W = S.W, h = new Int32Array(2);
  let kept = 0;
  for (let i = 0; i < S.frontierCount; i++) {
    fp(S.frontier, i * W, h);
    if (shardOfFingerprint(h[0], h[1], spec.count) !== spec.index) continue;
    const at = S.levelBase + i, parent = S.links.parentOf(at);
    S.links.push(parent < 0 ? 0xffffffff : parent, S.links.actionOf(at));
    if (kept !== i) S.frontier.copyWithin(kept * W, i * W, (i + 1) * W);
    kept++;
  }
  S.levelBase += S.frontierCount;
  S.frontierCount = kept;
  return kept;
}
