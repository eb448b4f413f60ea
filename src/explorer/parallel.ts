/**
 * The parallel search: level-synchronous BFS over N partitions, the fingerprint set split by
 * owner (a fingerprint belongs to one partition, in that partition's private table). Partition
 * 0 runs in this thread, the others in worker threads (workers/explore-worker.ts). Per level
 * two phases, each one message per worker thread:
 *   route   each partition places its frontier states in the level (the merged order of every
 *           partition's (parent position, action) keys: exactly the sequential search's order)
 *           and writes their parent links, then expands them and sends every successor to its
 *           owner's outbox;
 *   absorb  each owner inserts the records it received in (parent position, action) order, so
 *           a state new in this level keeps its first discovery in BFS order; the new states
 *           stay with their owner as its part of the next frontier.
 * So counts, depths and counterexamples do not depend on the number of workers, and no hot
 * loop needs an atomic operation. Work moves between threads as whole buffers in shared
 * memory, never one state per message; the frontier is never copied into one list.
 *
 * When levels become cheap again (a deep, narrow tail) the search gathers the partitions into
 * one table and frontier and hands back to the calling thread (explore.ts, handover.ts); the
 * same gathering writes checkpoints, which therefore do not depend on the number of workers.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompiledSource } from '../compile/compile';
import { instantiate } from '../compile/compile';
import type { CoreModel } from '../ir/core';
import { exactFingerprint } from '../state/fingerprint';
import { absorb, drop, gather, type FromWorker, type Gathered, PartitionState, rankFrontier, type RankInput, route, seed, type ToWorker, type WorkerSetup } from '../../workers/explore-worker';
import { finishResult } from './common';
import { FingerprintTable } from './fingerprint-table';
import type { HandoverPolicy } from './handover';
import type { Handoff } from './sequential';
import { type Snapshot, writesAtStop } from './checkpoint';
import type { ExploreOptions, ExploreResult, StopReason } from './types';

const WORKER_FILE = path.join(__dirname, '..', '..', 'workers', 'explore-worker.js');

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

/** Frontier states partition 0 expands between two looks at the limits (this thread has no
 *  timer while it works). */
const OWN_CHUNK = 8192;

/** The partitions: 0 in this thread, 1 .. N-1 in worker threads. Kept across hand-backs, so a
 *  search that widens again does not start threads twice. */
export class PartitionPool {
  readonly N: number;
  readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  readonly own: PartitionState;
  private readonly workers: Worker[];
  private readonly pending = new Map<Worker, (m: FromWorker) => void>();
  private failure: Error | null = null;

  constructor(src: CompiledSource, actions: number, N: number) {
    this.N = N;
    const setup = (me: number): WorkerSetup => ({ source: src.source, me, N, actions, ctl: this.ctl.buffer as SharedArrayBuffer });
    this.own = new PartitionState(setup(0), instantiate(src.source));
    this.workers = Array.from({ length: N - 1 }, (_, i) => new Worker(WORKER_FILE, { workerData: setup(i + 1) }));
    for (const w of this.workers) {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'failed') this.failure ??= new Error(m.message);
        const resolve = this.pending.get(w);
        this.pending.delete(w);
        resolve?.(m);
      });
      w.on('error', (e) => {
        this.failure ??= e;
        for (const r of this.pending.values()) r({ type: 'done' });
        this.pending.clear();
      });
    }
  }

  /** Send one message to every worker thread, run partition 0's part here meanwhile, and wait
   *  for every reply: replies in partition order. */
  async all<T extends FromWorker['type']>(make: (p: number) => ToWorker, here: (msg: ToWorker) => FromWorker): Promise<Reply<T>[]> {
    if (this.failure) throw this.failure;
    const replies = this.workers.map((w, i) => new Promise<FromWorker>((resolve) => {
      this.pending.set(w, resolve);
      w.postMessage(make(i + 1));
    }));
    const mine = here(make(0));
    const theirs = await Promise.all(replies);
    if (this.failure) throw this.failure;
    return [mine, ...theirs] as Reply<T>[];
  }

  /** The same, one partition after another (they write one shared table). */
  async each<T extends FromWorker['type']>(make: (p: number) => ToWorker, here: (msg: ToWorker) => FromWorker): Promise<Reply<T>[]> {
    const out = [here(make(0))];
    for (let i = 0; i < this.workers.length; i++) {
      if (this.failure) throw this.failure;
      const w = this.workers[i];
      out.push(await new Promise<FromWorker>((resolve) => { this.pending.set(w, resolve); w.postMessage(make(i + 1)); }));
    }
    if (this.failure) throw this.failure;
    return out as Reply<T>[];
  }

  async close(): Promise<void> { await Promise.all(this.workers.map((w) => w.terminate())); }
}

/** Everything the search keeps between levels, spread over the partitions. */
interface Level {
  levelBase: number;
  /** First index of the level before (the parents of this frontier). */
  parentBase: number;
  frontierCount: number;
  depth: number;
  /** The frontier's places and parent links are still to be computed (by the next route). */
  unranked: RankInput | null;
}

/** Go on from where the sequential search handed over (explore.ts). Returns a result, or a
 *  hand-back to the sequential search when the policy says levels became too cheap here. */
export async function exploreParallel(m: CoreModel, src: CompiledSource, opts: ExploreOptions, from: Handoff, pool: PartitionPool, policy: HandoverPolicy): Promise<ExploreResult | Handoff> {
  const N = pool.N;
  const W = src.words;
  const { rec, watch, links } = from;
  const ctl = pool.ctl;
  Atomics.store(ctl, 0, 0);
  const ck = opts.checkpoint;
  let lastCheckpoint = from.lastCheckpoint;

  // Seed every partition: the fingerprints it owns and a contiguous part of the frontier.
  const fps = new Int32Array(new SharedArrayBuffer(from.fingerprints.byteLength));
  fps.set(from.fingerprints);
  const first = new Int32Array(new SharedArrayBuffer(Math.max(4, from.frontier.byteLength)));
  first.set(from.frontier);
  const part = (p: number) => Math.floor((p * from.frontierCount) / N);
  const seeding = watch.seconds();
  await pool.all<'done'>((p) => ({ cmd: 'seed', fingerprints: fps.buffer as SharedArrayBuffer, frontier: first.buffer as SharedArrayBuffer, lo: part(p), hi: part(p + 1) }),
    (msg) => { seed(pool.own, msg as Extract<ToWorker, { cmd: 'seed' }>); return { type: 'done' }; });
  policy.moved(from.distinct, watch.seconds() - seeding);

  const L: Level = { levelBase: from.levelBase, parentBase: -1, frontierCount: from.frontierCount, depth: from.depth, unranked: null };
  let distinct = from.distinct;
  let generated = from.generated;
  const actionCounts = Float64Array.from(from.actionCounts);
  let tableBytes = 0;
  let stop: StopReason = 'complete';
  let modelError: { message: string; actions: number[] } | undefined;
  const cont = !!opts.continueAfterViolation;
  const here = pool.own;
  const lookHere = () => {
    const during = watch.duringLevel(distinct, generated, L.depth, L.frontierCount, tableBytes + links.bytes);
    if (during && Atomics.load(ctl, 0) === 0) { stop = during; Atomics.store(ctl, 0, 1); }
    return Atomics.load(ctl, 0) !== 0;
  };

  /** Places and parent links of the current frontier, where the next route has not made them. */
  const rankNow = async () => {
    if (!L.unranked) return;
    const input = L.unranked;
    await pool.all<'ranked'>(() => ({ cmd: 'rank', rank: input }), () => { rankFrontier(here, input); return { type: 'ranked' }; });
    pushLinks(input);
  };
  const pushLinks = (input: RankInput) => {
    links.pushPairs(new Int32Array(input.links), L.frontierCount, L.parentBase);
    L.unranked = null;
  };
  /** The partitions as one table and one frontier in BFS order. */
  const gatherAll = async (): Promise<{ table: FingerprintTable; frontier: Int32Array }> => {
    await rankNow();
    const table = new FingerprintTable(12, true);
    table.reserve(distinct);
    table.count = distinct;
    const into = table.table.buffer as SharedArrayBuffer;
    const parts = await pool.each<'gathered'>(() => ({ cmd: 'gather', into, shift: table.shift, mask: table.mask }),
      (msg) => ({ type: 'gathered', ...gather(here, msg as Extract<ToWorker, { cmd: 'gather' }>) }));
    return { table, frontier: joinFrontier(parts, W, L.frontierCount) };
  };
  const snapshotNow = async (): Promise<Snapshot> => {
    const { table, frontier } = await gatherAll();
    return {
      W, depth: L.depth, levelBase: L.levelBase, cur: 0, frontierCount: L.frontierCount, frontier, nextCount: 0, next: new Int32Array(0),
      generated, actionCounts, log2cap: table.log2cap, count: table.count, table: table.table,
      links: { n: links.length, ...links.chunks() }, ...rec.records(), seconds: from.secondsBefore + watch.seconds(),
    };
  };

  // Time limits, interruption and progress while the worker threads run a level.
  const timer = setInterval(lookHere, Math.min(200, opts.progressIntervalMs ?? 200));
  let lossSinceCheap = 0;
  try {
    for (;;) {
      if (L.frontierCount === 0) break;
      if (rec.anyViolation && !cont) { stop = 'violation'; break; }
      // Let a signal handler run (Ctrl-C, SIGTERM): the search stops at a level boundary.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const limit = watch.beforeLevel(distinct, L.depth);
      if (limit) { stop = limit; break; }
      if (ck && watch.seconds() - lastCheckpoint >= ck.everySeconds) {
        ck.write(await snapshotNow());
        lastCheckpoint = watch.seconds();
      }
      if (policy.toOneThread(lossSinceCheap, distinct, L.frontierCount)) {
        const t0 = watch.seconds();
        const { table, frontier } = await gatherAll();
        policy.moved(distinct, watch.seconds() - t0);
        await pool.all<'done'>(() => ({ cmd: 'drop' }), () => { drop(here); return { type: 'done' }; });
        return {
          frontier, frontierCount: L.frontierCount, levelBase: L.levelBase, depth: L.depth, distinct, generated, actionCounts,
          links, rec, watch, fingerprints: table.table, log2cap: table.log2cap, lastCheckpoint, secondsBefore: from.secondsBefore,
        };
      }

      const levelStart = watch.seconds();
      const cpuBefore = process.cpuUsage();
      const rank = L.unranked;
      const skip = rec.skip.slice();
      const routed = await pool.all<'routed'>(() => ({ cmd: 'route', rank, skip: skip.slice() }),
        (msg) => route(here, msg as Extract<ToWorker, { cmd: 'route' }>, OWN_CHUNK, lookHere));
      if (rank) pushLinks(rank);
      const errors = routed.filter((r) => r.modelError).map((r) => r.modelError!);
      if (errors.length > 0) {
        errors.sort((a, b) => a.state - b.state || a.action - b.action);
        const e = errors[0];
        const actions = links.pathTo(L.levelBase + e.state);
        actions.push(e.action);
        modelError = { message: `${m.actions[e.action]?.name ?? 'a property'}: ${e.message}`, actions };
        stop = 'model-error';
        break;
      }
      if (Atomics.load(ctl, 0) !== 0) break; // a time limit or an interruption; `stop` says which
      let levelGenerated = 0;
      for (const r of routed) {
        levelGenerated += r.generated;
        for (let a = 0; a < actionCounts.length; a++) actionCounts[a] += r.actionCounts[a];
        for (const [pi, state, extra] of r.hits) rec.violate(pi, { state: L.levelBase + state, extra, depth: L.depth });
      }
      generated += levelGenerated;

      const reached = rec.reached.slice();
      const absorbed = await pool.all<'absorbed'>((o) => ({
        cmd: 'absorb', inboxes: routed.map((r) => ({ sab: r.boxes[o], count: r.fill[o] })), skip: rec.skip.slice(), reached: reached.slice(),
      }), (msg) => absorb(here, msg as Extract<ToWorker, { cmd: 'absorb' }>));
      const fresh = absorbed.reduce((n, a) => n + a.newCount, 0);
      tableBytes = absorbed.reduce((n, a) => n + a.tableBytes, 0);
      const keys = absorbed.map((a) => ({ sab: a.keys, count: a.newCount }));
      const nextBase = L.levelBase + L.frontierCount;
      for (const a of absorbed) {
        for (const [pi, key] of a.invHits) rec.violate(pi, { state: nextBase + placeOf(keys, key), extra: -1, depth: L.depth + 1 });
        for (const [pi, key] of a.witHits) rec.witness(pi, { state: nextBase + placeOf(keys, key), extra: -1, depth: L.depth + 1 });
      }
      distinct += fresh;
      L.parentBase = L.levelBase;
      L.levelBase = nextBase;
      L.frontierCount = fresh;
      L.unranked = fresh > 0 ? { keys, links: new SharedArrayBuffer(8 * fresh) } : null;
      if (fresh > 0) L.depth++;
      // What this level lost against one thread (estimated); a run of such levels hands back.
      const cpu = process.cpuUsage(cpuBefore);
      const loss = policy.levelLoss(watch.seconds() - levelStart, levelGenerated, (cpu.user + cpu.system) / 1e6);
      lossSinceCheap = loss > 0 ? lossSinceCheap + loss : 0;
    }
  } finally {
    clearInterval(timer);
  }

  await rankNow();
  if (writesAtStop(ck, stop)) ck.write(await snapshotNow());
  await pool.all<'done'>(() => ({ cmd: 'drop' }), () => { drop(here); return { type: 'done' }; });

  const capacity = tableBytes / 8;
  return finishResult({
    m, rec, stop, workers: N, seconds: from.secondsBefore + watch.seconds(), depth: L.depth, distinct, generated,
    actionCounts, retainedBytes: tableBytes + links.bytes, load: capacity > 0 ? distinct / capacity : 0,
    pathTo: (i) => links.pathTo(i), exactFingerprints: exactFingerprint(W), modelError,
  });
}

/** The place of the new state with `key` in its level: how many keys of all partitions are
 *  smaller (each partition's keys are sorted). */
function placeOf(keys: readonly { sab: SharedArrayBuffer; count: number }[], key: number): number {
  let place = 0;
  for (const k of keys) {
    const a = new Float64Array(k.sab);
    let lo = 0, hi = k.count;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] < key) lo = mid + 1; else hi = mid; }
    place += lo;
  }
  return place;
}

/** One frontier, the states at their places, from the partitions' parts. */
function joinFrontier(parts: readonly Gathered[], W: number, frontierCount: number): Int32Array {
  const frontier = new Int32Array(W * frontierCount);
  for (const p of parts) {
    const words = new Int32Array(p.words), places = new Int32Array(p.places);
    for (let k = 0; k < p.n; k++) frontier.set(words.subarray(k * W, (k + 1) * W), places[k] * W);
  }
  return frontier;
}
