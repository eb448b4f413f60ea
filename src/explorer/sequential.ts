/**
 * The single-threaded search: level-synchronous BFS in the calling thread. The inner loop is
 * generated per model (src/compile); this file holds the policy around it: levels, limits,
 * growing the fingerprint table and the frontier, recording violations and witnesses. The
 * parallel search (parallel.ts) must give exactly the same counts, verdicts and traces.
 */
import { instantiate, isModelRuntimeError, type CompiledSource } from '../compile/compile';
import type { CoreModel } from '../ir/core';
import { initialState } from '../ir/interpret';
import { PropertyRecorder } from './recorder';
import { encodeState } from '../state/codec';
import { exactFingerprint } from '../state/fingerprint';
import { ParentLinks } from './parent-links';
import { FingerprintTable } from './fingerprint-table';
import { finishResult, LimitWatch } from './common';
import type { ExploreOptions, ExploreResult, StopReason } from './types';
import { type Snapshot, snapshotProblem, writesAtStop } from './checkpoint';
import { fail } from '../errors';
import { isSplitLevel, keepShare, type ShardSplit } from './shard';
import type { HandoverPolicy } from './handover';

/** The search's state where it stands (views of its arrays: written out before it goes on). */
function snapshot(S: LevelState, seconds: number): Snapshot {
  const W = S.W;
  return {
    W, depth: S.depth, levelBase: S.levelBase, cur: S.cur,
    frontierCount: S.frontierCount, frontier: S.frontier.subarray(0, S.frontierCount * W),
    nextCount: S.nextCount, next: S.next.subarray(0, S.nextCount * W),
    generated: S.generated, actionCounts: S.actionCounts,
    log2cap: S.log2cap, count: S.count, table: S.table,
    links: { n: S.links.length, ...S.links.chunks() },
    ...S.rec.records(), seconds,
  };
}

/** Continue from a snapshot, checked in full first (it comes from a file). */
function restore(S: LevelState, s: Snapshot, m: CoreModel, src: CompiledSource): void {
  const why = snapshotProblem(s, m, src);
  if (why) fail('E_CHECKPOINT', `the checkpoint does not fit model ${m.name}: ${why}`);
  S.restoreTable(s.table, s.log2cap, s.count);
  S.frontier = s.frontier;
  S.frontierCount = s.frontierCount;
  S.cur = s.cur;
  S.next = new Int32Array(Math.max(S.W * 1024, 2 * s.next.length));
  S.next.set(s.next);
  S.nextCount = s.nextCount;
  S.levelBase = s.levelBase;
  S.depth = s.depth;
  S.generated = s.generated;
  S.actionCounts.set(s.actionCounts);
  S.links = ParentLinks.restore(m.actions.length, s.links.n, s.links.parents, s.links.actions);
  S.rec.restore(s.violations, s.witnesses);
}

/** What the generated level loop reads and writes (see emitLevelLoop). */
class LevelState extends FingerprintTable {
  frontier: Int32Array;
  frontierCount = 1;
  next: Int32Array;
  nextCount = 0;
  generated = 0;
  cur = 0;
  levelBase = 0;
  depth = 0;
  errorAt = -1;
  stop: StopReason | null = null;
  readonly out: Int32Array;
  readonly acts: Int32Array;
  readonly actionCounts: Float64Array;
  links: ParentLinks;
  readonly skip: Uint8Array;
  readonly reached: Uint8Array;

  constructor(
    readonly W: number, maxSucc: number, actions: number, readonly rec: PropertyRecorder,
    private readonly watch: LimitWatch, init: Int32Array,
  ) {
    super();
    this.frontier = init;
    this.next = new Int32Array(W * 1024);
    this.out = new Int32Array(maxSucc * W);
    this.acts = new Int32Array(maxSucc);
    this.actionCounts = new Float64Array(actions);
    this.links = new ParentLinks(actions);
    this.skip = rec.skip;
    this.reached = rec.reached;
  }

  get witnessesLeft(): number { return this.rec.allWitnessesReached ? 0 : 1; }

  /** `nextLevel` is 1 when `state` is in the next frontier. */
  violate(prop: number, state: number, extra: number, nextLevel: number): void {
    this.rec.violate(prop, { state, extra, depth: this.depth + nextLevel });
  }

  witness(prop: number, state: number): void {
    this.rec.witness(prop, { state, extra: -1, depth: this.depth + 1 });
  }

  growNext(): Int32Array {
    const bigger = new Int32Array(this.next.length * 2);
    bigger.set(this.next);
    this.next = bigger;
    return bigger;
  }

  get retainedBytes(): number { return this.tableBytes + this.links.bytes; }

  /** Called every 4096 frontier states: true stops the level (a time or memory limit). */
  tick(cur: number): boolean {
    this.stop = this.watch.duringLevel(this.count, this.generated, this.depth, this.frontierCount - cur, this.retainedBytes);
    return this.stop !== null;
  }
}

/** What the sequential search hands to the parallel one when the hand-over policy says so
 *  (handover.ts), and the parallel search back: everything needed to go on at the next level. */
export interface Handoff {
  readonly frontier: Int32Array;
  readonly frontierCount: number;
  readonly levelBase: number;
  readonly depth: number;
  readonly distinct: number;
  readonly generated: number;
  readonly actionCounts: Float64Array;
  readonly links: ParentLinks;
  readonly rec: PropertyRecorder;
  readonly watch: LimitWatch;
  /** The fingerprint table: (h1, h2) pairs, h1 = 0 for an empty slot, of 2^log2cap slots. */
  readonly fingerprints: Int32Array;
  /** A sharded search: where it was split (the hand-over waits for the split). */
  readonly shard?: ShardSplit;
  readonly log2cap: number;
  /** Search seconds of earlier sessions (a resumed checkpoint), and when (on `watch`) the last
   *  checkpoint was written. */
  readonly secondsBefore: number;
  readonly lastCheckpoint: number;
}

/** Go on from a hand-back of the parallel search (in memory: no checks needed). */
function takeOver(S: LevelState, h: Handoff): void {
  S.restoreTable(h.fingerprints, h.log2cap, h.distinct);
  S.frontier = h.frontier;
  S.frontierCount = h.frontierCount;
  S.levelBase = h.levelBase;
  S.depth = h.depth;
  S.generated = h.generated;
  S.actionCounts.set(h.actionCounts);
  S.links = h.links;
}

/** Search in this thread (from the start, a checkpoint, or `from`, a hand-back of the parallel
 *  search); with a `policy`, stop at the first level boundary where it says the workers would
 *  be faster, and return the search's state instead of a result. When the hand-over happens
 *  changes only the time: counts and traces are the same. */
export async function exploreSequential(m: CoreModel, src: CompiledSource, opts: ExploreOptions): Promise<ExploreResult>;
export async function exploreSequential(m: CoreModel, src: CompiledSource, opts: ExploreOptions, policy: HandoverPolicy, from?: Handoff): Promise<ExploreResult | Handoff>;
export async function exploreSequential(m: CoreModel, src: CompiledSource, opts: ExploreOptions, policy?: HandoverPolicy, from?: Handoff): Promise<ExploreResult | Handoff> {
  const cm = instantiate(src.source);
  const W = cm.W;
  const rec = from?.rec ?? new PropertyRecorder(m, src);
  const watch = from?.watch ?? new LimitWatch(opts);
  const S = new LevelState(W, cm.maxSucc, m.actions.length, rec, watch, encodeState(src.layout, initialState(m)));

  const ck = opts.checkpoint;
  if (from) {
    takeOver(S, from);
  } else if (ck?.resume) {
    restore(S, ck.resume, m, src);
  } else {
    // The initial state: stored, checked, and the first frontier.
    const res = new Int32Array(2);
    cm.canon(S.frontier, 0);
    cm.fp(S.frontier, 0, res);
    S.insert(res[0], res[1]);
    S.links.push(0xffffffff, 0);
    if (cm.hasInv) for (let pi = cm.inv(S.frontier, 0, S.skip); pi >= 0; pi = cm.inv(S.frontier, 0, S.skip)) rec.violate(pi, { state: 0, extra: -1, depth: 0 });
    if (cm.hasWit) for (let pi = cm.wit(S.frontier, 0, S.reached); pi >= 0; pi = cm.wit(S.frontier, 0, S.reached)) rec.witness(pi, { state: 0, extra: -1, depth: 0 });
  }
  const before = from ? from.secondsBefore : ck?.resume?.seconds ?? 0;
  let lastCheckpoint = from?.lastCheckpoint ?? 0;
  // A snapshot taken inside a level goes on from its position, past the boundary checks
  // that level already passed.
  let midLevel = S.cur > 0;

  let stop: StopReason = 'complete';
  let modelError: { message: string; actions: number[] } | undefined;
  const cont = !!opts.continueAfterViolation;
  // Measured on the level just expanded (none yet: no move before one level ran here).
  let lastLevelSeconds = 0, lastLevelGenerated = 0, lastLevelCpu = 0;
  // A sharded search splits once, at a level boundary, before any hand-over (shard.ts); a
  // hand-back of the parallel search carries the split it made.
  const spec = opts.shard;
  let split: ShardSplit | undefined = from?.shard;
  for (;;) {
    if (!midLevel) {
      if (S.frontierCount === 0) break;
      if (rec.anyViolation && !cont) { stop = 'violation'; break; }
      // With a signal to watch, let its handler run (Ctrl-C, SIGTERM): the search stops at a
      // level boundary. One turn of the event loop per level costs nothing measurable.
      if (opts.signal) await new Promise<void>((resolve) => setImmediate(resolve));
      const limit = watch.beforeLevel(S.count, S.depth);
      if (limit) { stop = limit; break; }
      if (spec && !split && isSplitLevel(spec, S.depth, S.frontierCount)) {
        const levelStates = S.frontierCount;
        const share = keepShare(S, spec, cm.fp);
        split = { index: spec.index, count: spec.count, level: S.depth, prefixDistinct: S.count, prefixGenerated: S.generated, levelStates, share };
        if (share === 0) break;
      }
      if (ck && watch.seconds() - lastCheckpoint >= ck.everySeconds) {
        ck.write(snapshot(S, before + watch.seconds()));
        lastCheckpoint = watch.seconds();
      }
      if (policy && (!spec || split) && (from === undefined || lastLevelGenerated > 0) && policy.toWorkers(S.count, S.frontierCount, lastLevelSeconds, lastLevelGenerated, lastLevelCpu)) {
        return {
          frontier: S.frontier.subarray(0, S.frontierCount * W), frontierCount: S.frontierCount, levelBase: S.levelBase,
          depth: S.depth, distinct: S.count, generated: S.generated, actionCounts: S.actionCounts, links: S.links,
          rec, watch, fingerprints: S.table, log2cap: S.log2cap, secondsBefore: before, lastCheckpoint, ...(split ? { shard: split } : {}),
        };
      }
    }
    midLevel = false;
    const levelStart = watch.seconds();
    const generatedBefore = S.generated;
    const cpuBefore = process.cpuUsage();
    try {
      cm.expand(S);
    } catch (e) {
      if (!isModelRuntimeError(e)) throw e;
      const actions = S.links.pathTo(S.levelBase + S.errorAt);
      actions.push(e.action);
      modelError = { message: `${m.actions[e.action]?.name ?? 'a property'}: ${e.message}`, actions };
      stop = 'model-error';
      break;
    }
    if (S.stop) { stop = S.stop; break; }
    lastLevelSeconds = watch.seconds() - levelStart;
    lastLevelGenerated = S.generated - generatedBefore;
    const cpu = process.cpuUsage(cpuBefore);
    lastLevelCpu = (cpu.user + cpu.system) / 1e6;
    const done = S.frontier;
    S.levelBase += S.frontierCount;
    S.frontier = S.next;
    S.frontierCount = S.nextCount;
    S.next = done.length >= W * 1024 ? done : new Int32Array(W * 1024);
    S.cur = 0;
    S.nextCount = 0;
    if (S.frontierCount > 0) S.depth++;
  }
  // Stopped by a signal or a limit: what was reached can go on later.
  if (writesAtStop(ck, stop)) ck.write(snapshot(S, before + watch.seconds()));

  const r = finishResult({
    m, rec, stop, workers: 1, seconds: before + watch.seconds(), depth: S.depth, distinct: S.count, generated: S.generated,
    actionCounts: S.actionCounts, retainedBytes: S.retainedBytes, load: S.load,
    pathTo: (i) => S.links.pathTo(i), exactFingerprints: exactFingerprint(W), modelError,
  });
  if (!spec) return r;
  // No split: the search ended or stopped in the prefix, which every shard ran alike.
  return { ...r, shard: split ?? { index: spec.index, count: spec.count, level: null, prefixDistinct: S.count, prefixGenerated: S.generated, levelStates: 0, share: 0 } };
}
