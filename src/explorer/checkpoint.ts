/**
 * The state of the unreduced sequential search at a point where it can stop and go on later:
 * between two frontier states of a level (at a level boundary `cur` is 0). Everything the
 * search reads is here: the fingerprint table, the frontier (from `cur` on) and the next
 * frontier so far, the parent links, the counters and what the property recorder kept. The
 * search is deterministic from such a point, so a resumed run reports exactly what an
 * uninterrupted one does. The file format is the CLI's (src/cli/checkpoint-file.ts); this
 * module only says what a snapshot holds and whether one fits a model.
 */
import type { CompiledSource } from '../compile/compile';
import type { CoreModel } from '../ir/core';
import type { StopReason } from './types';

/** Where a stopped search can go on later: a checkpoint is written there when enabled. */
export const RESUMABLE: ReadonlySet<StopReason> = new Set(['interrupted', 'max-states', 'max-depth', 'max-seconds', 'max-memory']);

/** Write a snapshot where the search stopped? */
export const writesAtStop = (ck: CheckpointHooks | undefined, stop: StopReason): ck is CheckpointHooks => !!ck && RESUMABLE.has(stop) && (ck.atStop?.(stop) ?? true);

/** A violation or witness hit: property index, state index, action (-1: none), depth. */
export type HitRecord = readonly [prop: number, state: number, extra: number, depth: number];

export type ActionArray = Uint8Array | Uint16Array | Uint32Array;

export interface Snapshot {
  readonly W: number;
  readonly depth: number;
  /** Index (in BFS order) of the frontier's first state. */
  readonly levelBase: number;
  /** The next frontier state to expand (0 at a level boundary). */
  readonly cur: number;
  readonly frontierCount: number;
  readonly frontier: Int32Array;
  readonly nextCount: number;
  readonly next: Int32Array;
  readonly generated: number;
  readonly actionCounts: Float64Array;
  readonly log2cap: number;
  readonly count: number;
  readonly table: Int32Array;
  /** Parent links: `n` entries in chunks (parent 0xffffffff for the initial state). */
  readonly links: { readonly n: number; readonly parents: readonly Uint32Array[]; readonly actions: readonly ActionArray[] };
  readonly violations: readonly HitRecord[];
  readonly witnesses: readonly HitRecord[];
  /** Search seconds spent before this snapshot (over every earlier session). */
  readonly seconds: number;
}

export interface CheckpointHooks {
  /** Write a snapshot at the first level boundary this long after the last one (or the start). */
  readonly everySeconds: number;
  /** Called at those boundaries, and where a signal or a limit stops the search. */
  write(s: Snapshot): void;
  /** Which resumable stops write a snapshot (default: every one). */
  readonly atStop?: (stop: StopReason) => boolean;
  /** Start from this snapshot instead of the initial state. */
  readonly resume?: Snapshot;
}

const isCount = (x: number) => Number.isSafeInteger(x) && x >= 0;

/** Why a snapshot cannot be the state of a search of `m` (compiled as `src`), or undefined.
 *  Checked in full before use: a snapshot is data from a file. */
export function snapshotProblem(s: Snapshot, m: CoreModel, src: CompiledSource): string | undefined {
  const W = src.words, actions = m.actions.length;
  if (s.W !== W) return `states of ${s.W} words, the model has ${W}`;
  for (const [k, v] of Object.entries({ depth: s.depth, levelBase: s.levelBase, cur: s.cur, frontierCount: s.frontierCount, nextCount: s.nextCount, generated: s.generated, count: s.count })) {
    if (!isCount(v)) return `${k} is not a count`;
  }
  if (!(s.seconds >= 0)) return 'seconds is not a duration';
  if (s.cur > s.frontierCount) return 'the position is past the frontier';
  if (s.frontier.length !== s.frontierCount * W || s.next.length !== s.nextCount * W) return 'frontier sizes do not match their counts';
  if (s.levelBase + s.frontierCount + s.nextCount !== s.count) return 'frontier counts do not add up to the stored states';
  if (s.actionCounts.length !== actions) return `${s.actionCounts.length} action counters, the model has ${actions} actions`;
  if (!Number.isInteger(s.log2cap) || s.log2cap < 12 || s.log2cap > 30 || s.table.length !== 2 << s.log2cap) return 'the fingerprint table has a bad size';
  if (s.count > Math.floor((1 << s.log2cap) * 0.75)) return 'the fingerprint table is over-full';
  let used = 0;
  for (let j = 0; j < s.table.length; j += 2) {
    const h1 = s.table[j];
    if (h1 === 0) continue;
    if ((h1 & 3) !== 3) return 'the fingerprint table holds a malformed fingerprint';
    used++;
  }
  if (used !== s.count) return `the fingerprint table holds ${used} fingerprints, the counts say ${s.count}`;
  if (s.links.n !== s.count) return 'the parent links do not cover the stored states';
  let i = 0;
  for (let c = 0; c < s.links.parents.length; c++) {
    const p = s.links.parents[c], a = s.links.actions[c];
    if (a.length !== p.length) return 'parent link chunks differ in size';
    for (let k = 0; k < p.length && i < s.links.n; k++, i++) {
      // BFS: a state's parent was stored before it; only the initial state has none.
      if (i === 0 ? p[k] !== 0xffffffff : p[k] >= i) return `parent link ${i} is not an earlier state`;
      if (i > 0 && a[k] >= actions) return `parent link ${i} names no action of the model`;
    }
  }
  if (i !== s.links.n) return 'the parent links are short';
  const hits = (list: readonly HitRecord[], kinds: readonly number[], what: string) => {
    const seen = new Set<number>();
    for (const h of list) {
      if (h.length !== 4 || !h.every((x) => Number.isInteger(x))) return `a ${what} record is malformed`;
      const [prop, state, extra, depth] = h;
      if (!kinds.includes(prop) || seen.has(prop)) return `a ${what} of a property not checked here`;
      seen.add(prop);
      if (state < 0 || state >= s.count || extra < -1 || extra >= actions || depth < 0 || depth > s.depth + 1) return `a ${what} record is out of range`;
    }
    return undefined;
  };
  const sel = src.selected;
  return hits(s.violations, [...sel.invariant, ...sel.transition, ...sel.terminal], 'violation') ?? hits(s.witnesses, sel.witness, 'witness');
}
