/**
 * The parallel search: level-synchronous BFS over worker threads, the fingerprint set
 * partitioned by owner (a fingerprint belongs to one worker, in that worker's private table).
 * Per level the coordinator (this thread) runs three phases (workers/explore-worker.ts):
 *   route   each worker expands a contiguous, ordered part of the frontier and sends every
 *           successor to its owner's outbox;
 *   absorb  each owner inserts its records in worker order, which is frontier order, so a
 *           state new in this level keeps its first discovery in BFS order;
 *   place   the owners' new states, each list sorted by (parent position, action), are merged
 *           by rank into one next frontier, ordered exactly as the sequential search orders it.
 * So counts, depths and counterexamples do not depend on the number of workers, and no hot
 * loop needs an atomic operation. Work moves between threads as whole buffers (outboxes,
 * frontiers, keys) in shared memory, never one state per message.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompiledSource } from '../compile/compile';
import type { CoreModel } from '../ir/core';
import { exactFingerprint } from '../state/fingerprint';
import type { FromWorker, ToWorker, WorkerSetup } from '../../workers/explore-worker';
import { finishResult } from './common';
import type { Handoff } from './sequential';
import type { ExploreOptions, ExploreResult, StopReason } from './types';

const WORKER_FILE = path.join(__dirname, '..', '..', 'workers', 'explore-worker.js');

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

class Pool {
  private readonly pending = new Map<Worker, (m: FromWorker) => void>();
  private failure: Error | null = null;

  constructor(readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: FromWorker) => {
        const resolve = this.pending.get(w);
        this.pending.delete(w);
        resolve?.(m);
      });
      w.on('error', (e) => {
        this.failure = e;
        for (const r of this.pending.values()) r({ type: 'finished', actionCounts: new Float64Array(0) });
      });
    }
  }

  /** Send one message per worker and wait for every reply. */
  async all<T extends FromWorker['type']>(make: (w: number) => ToWorker): Promise<Reply<T>[]> {
    const replies = this.workers.map((w, i) => new Promise<FromWorker>((resolve) => {
      this.pending.set(w, resolve);
      w.postMessage(make(i));
    }));
    const out = await Promise.all(replies);
    if (this.failure) throw this.failure;
    return out as Reply<T>[];
  }

  async close(): Promise<void> { await Promise.all(this.workers.map((w) => w.terminate())); }
}

/** Go on from where the sequential search handed over (explore.ts): its fingerprints are
 *  distributed to their owners, its frontier becomes the first shared frontier. */
export async function exploreParallel(m: CoreModel, src: CompiledSource, opts: ExploreOptions & { workers: number }, from: Handoff): Promise<ExploreResult> {
  const N = opts.workers;
  const W = src.words;
  const { rec, watch, links } = from;
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  const seed = new Int32Array(new SharedArrayBuffer(from.fingerprints.byteLength));
  seed.set(from.fingerprints);
  const pool = new Pool(Array.from({ length: N }, (_, i) => new Worker(WORKER_FILE, {
    workerData: {
      source: src.source, me: i, N, actions: m.actions.length, properties: m.properties.length,
      seed: seed.buffer as SharedArrayBuffer, ctl: ctl.buffer as SharedArrayBuffer,
    } satisfies WorkerSetup,
  })));

  try {
    let distinct = from.distinct;
    const first = new Int32Array(new SharedArrayBuffer(Math.max(4, from.frontier.byteLength)));
    first.set(from.frontier);
    let frontier = first.buffer as SharedArrayBuffer;
    let frontierCount = from.frontierCount;
    let levelBase = from.levelBase;
    let depth = from.depth;
    let generated = from.generated;
    let tableBytes = 0;
    let stop: StopReason = 'complete';
    let modelError: { message: string; actions: number[] } | undefined;
    const cont = !!opts.continueAfterViolation;

    // Time limits, interruption and progress while the workers run a level.
    const timer = setInterval(() => {
      const during = watch.duringLevel(distinct, generated, depth, frontierCount, tableBytes + links.bytes);
      if (during && Atomics.load(ctl, 0) === 0) { stop = during; Atomics.store(ctl, 0, 1); }
    }, Math.min(200, opts.progressIntervalMs ?? 200));

    try {
      for (;;) {
        if (frontierCount === 0) break;
        if (rec.anyViolation && !cont) { stop = 'violation'; break; }
        const limit = watch.beforeLevel(distinct, depth);
        if (limit) { stop = limit; break; }

        const lo = (w: number) => Math.floor((w * frontierCount) / N);
        const skip = rec.skip.slice();
        const routed = await pool.all<'routed'>((w) => ({ cmd: 'route', frontier, lo: lo(w), hi: lo(w + 1), skip }));
        const errors = routed.filter((r) => r.modelError).map((r) => r.modelError!);
        if (errors.length > 0) {
          errors.sort((a, b) => a.state - b.state || a.action - b.action);
          const e = errors[0];
          const actions = links.pathTo(levelBase + e.state);
          actions.push(e.action);
          modelError = { message: `${m.actions[e.action]?.name ?? 'a property'}: ${e.message}`, actions };
          stop = 'model-error';
          break;
        }
        if (Atomics.load(ctl, 0) !== 0) break; // a time limit or an interruption; `stop` says which
        for (const r of routed) {
          generated += r.generated;
          for (const [pi, state, extra] of r.hits) rec.violate(pi, { state: levelBase + state, extra, depth });
        }

        const absorbed = await pool.all<'absorbed'>((o) => ({
          cmd: 'absorb', inboxes: routed.map((r) => ({ sab: r.boxes[o], count: r.fill[o] })),
        }));
        const fresh = absorbed.reduce((n, a) => n + a.newCount, 0);
        tableBytes = absorbed.reduce((n, a) => n + a.tableBytes, 0);
        const nextBase = levelBase + frontierCount;
        let next = new SharedArrayBuffer(0);
        if (fresh > 0) {
          next = new SharedArrayBuffer(4 * W * fresh);
          const linkBuf = new SharedArrayBuffer(8 * fresh);
          const keys = absorbed.map((a) => ({ sab: a.keys, count: a.newCount }));
          const reached = rec.reached.slice();
          const placed = await pool.all<'placed'>(() => ({ cmd: 'place', keys, next, links: linkBuf, skip: rec.skip.slice(), reached }));
          const pairs = new Int32Array(linkBuf);
          for (let r = 0; r < fresh; r++) links.push(levelBase + pairs[2 * r], pairs[2 * r + 1]);
          for (const p of placed) {
            for (const [pi, rank] of p.invHits) rec.violate(pi, { state: nextBase + rank, extra: -1, depth: depth + 1 });
            for (const [pi, rank] of p.witHits) rec.witness(pi, { state: nextBase + rank, extra: -1, depth: depth + 1 });
          }
        }
        distinct += fresh;
        levelBase = nextBase;
        frontierCount = fresh;
        frontier = next;
        if (fresh > 0) depth++;
      }
    } finally {
      clearInterval(timer);
    }

    const finished = await pool.all<'finished'>(() => ({ cmd: 'finish' }));
    const actionCounts = Float64Array.from(from.actionCounts);
    for (const f of finished) for (let a = 0; a < actionCounts.length; a++) actionCounts[a] += f.actionCounts[a] ?? 0;

    const capacity = tableBytes / 8;
    return finishResult({
      m, rec, stop, workers: N, seconds: watch.seconds(), depth, distinct, generated,
      actionCounts, retainedBytes: tableBytes + links.bytes, load: capacity > 0 ? distinct / capacity : 0,
      pathTo: (i) => links.pathTo(i), exactFingerprints: exactFingerprint(W), modelError,
    });
  } finally {
    await pool.close();
  }
}
