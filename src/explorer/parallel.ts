/**
 * The parallel search: level-synchronous BFS over worker threads with one fingerprint table in
 * shared memory. The coordinator (this thread) splits each level's frontier into contiguous,
 * ordered parts, one per worker, and runs two phases (see workers/explore-worker.ts):
 * expand (claim successors in the table, the lowest worker's first discovery winning a state
 * new in this level) and filter (winners become the next frontier, in worker order). The next
 * frontier is therefore ordered by (parent position, action) exactly as the sequential search
 * orders it, so counts, depths and counterexamples do not depend on the number of workers.
 *
 * When a level would fill the table past its hard limit, the workers stop, the coordinator
 * rehashes into a larger table without the slots claimed in that level, and the level runs
 * again. Work moves between threads as whole frontier segments in shared buffers and parent
 * links as one transferred buffer per worker and level, never one state per message.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { instantiate, type CompiledSource } from '../compile/compile';
import type { CoreModel } from '../ir/core';
import { initialState } from '../ir/interpret';
import { PropertyRecorder } from '../invariants/recorder';
import { encodeState } from '../state/codec';
import { exactFingerprint, fingerprint } from '../state/fingerprint';
import type { FromWorker, ToWorker, WorkerSetup } from '../../workers/explore-worker';
import { finishResult, LimitWatch } from './common';
import { MAX_LOAD, rehashInto } from './fingerprint-table';
import { ParentLinks } from './parent-links';
import type { ExploreOptions, ExploreResult, StopReason } from './types';

const HARD_LOAD = 0.9;
const WORKER_FILE = path.join(__dirname, '..', '..', 'workers', 'explore-worker.js');

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
      w.on('error', (e) => { this.failure = e; for (const r of this.pending.values()) r({ type: 'finished', actionCounts: new Float64Array(0) }); });
    }
  }

  /** Send one message per worker and wait for every reply. */
  async all<T extends FromWorker>(make: (w: number) => ToWorker, transfer?: (w: number) => ArrayBuffer[]): Promise<T[]> {
    const replies = this.workers.map((w, i) => new Promise<FromWorker>((resolve) => {
      this.pending.set(w, resolve);
      w.postMessage(make(i), transfer?.(i) ?? []);
    }));
    const out = await Promise.all(replies);
    if (this.failure) throw this.failure;
    return out as T[];
  }

  broadcast(msg: ToWorker): void { for (const w of this.workers) w.postMessage(msg); }

  async close(): Promise<void> { await Promise.all(this.workers.map((w) => w.terminate())); }
}

class SharedTable {
  log2cap: number;
  table: Int32Array<ArrayBufferLike>;
  tags: Uint8Array<ArrayBufferLike>;
  readonly ctl = new Int32Array(new SharedArrayBuffer(16));

  constructor(log2cap: number) {
    this.log2cap = log2cap;
    this.table = new Int32Array(new SharedArrayBuffer(8 << log2cap));
    this.tags = new Uint8Array(new SharedArrayBuffer(1 << log2cap));
  }

  get capacity(): number { return 1 << this.log2cap; }
  get hardLimit(): number { return Math.floor(this.capacity * HARD_LOAD); }
  get bytes(): number { return this.table.byteLength + this.tags.byteLength; }

  insertInitial(h1: number, h2: number): void {
    const mask = this.capacity - 1;
    let i = h1 >>> (32 - this.log2cap);
    while (this.table[i << 1] !== 0) i = (i + 1) & mask;
    this.table[i << 1] = h1;
    this.table[(i << 1) + 1] = h2;
  }

  /** Rehash into a table of at least `minCap` slots, dropping slots claimed in an aborted
   *  level (tag set); returns the number of fingerprints kept. */
  grow(minCap: number, dropTagged: boolean): number {
    let log2 = this.log2cap;
    while ((1 << log2) < minCap) log2++;
    if (log2 === this.log2cap && !dropTagged) return -1;
    const next = new Int32Array(new SharedArrayBuffer(8 << log2));
    const kept = rehashInto(this.table, next, 32 - log2, (1 << log2) - 1, dropTagged);
    this.table = next;
    this.tags = new Uint8Array(new SharedArrayBuffer(1 << log2));
    this.log2cap = log2;
    return kept;
  }

  message(): ToWorker {
    return {
      cmd: 'table', table: this.table.buffer as SharedArrayBuffer, tags: this.tags.buffer as SharedArrayBuffer,
      ctl: this.ctl.buffer as SharedArrayBuffer, log2cap: this.log2cap, hardLimit: this.hardLimit,
    };
  }
}

export async function exploreParallel(m: CoreModel, src: CompiledSource, opts: ExploreOptions & { workers: number }): Promise<ExploreResult> {
  const N = opts.workers;
  if (N > 254) throw new Error('at most 254 workers');
  const cm = instantiate(src.source);
  const W = cm.W;
  const rec = new PropertyRecorder(m, src);
  const watch = new LimitWatch(opts);
  const links = new ParentLinks(m.actions.length);
  const table = new SharedTable(12);
  const pool = new Pool(Array.from({ length: N }, (_, i) => new Worker(WORKER_FILE, {
    workerData: { source: src.source, me: i + 1, actions: m.actions.length, properties: m.properties.length } satisfies WorkerSetup,
  })));

  try {
    const init = encodeState(src.layout, initialState(m), new Int32Array(new SharedArrayBuffer(4 * W)));
    const [h1, h2] = fingerprint(init, 0, W);
    table.insertInitial(h1, h2);
    let distinct = 1;
    links.push(0xffffffff, 0);
    if (cm.hasInv) for (let pi = cm.inv(init, 0, rec.skip); pi >= 0; pi = cm.inv(init, 0, rec.skip)) rec.violate(pi, { state: 0, extra: -1, depth: 0 });
    if (cm.hasWit) for (let pi = cm.wit(init, 0, rec.reached); pi >= 0; pi = cm.wit(init, 0, rec.reached)) rec.witness(pi, { state: 0, extra: -1, depth: 0 });

    let segments: { sab: SharedArrayBuffer; count: number }[] = [{ sab: init.buffer as SharedArrayBuffer, count: 1 }];
    let frontierCount = 1;
    let levelBase = 0;
    let depth = 0;
    let generated = 0;
    let growthRatio = 8;
    let stop: StopReason = 'complete';
    let modelError: { message: string; actions: number[] } | undefined;
    const cont = !!opts.continueAfterViolation;
    pool.broadcast(table.message());

    // Time limits, interruption and progress while workers run a level.
    const timer = setInterval(() => {
      const during = watch.duringLevel(Atomics.load(table.ctl, 1), generated, depth, frontierCount, table.bytes + links.bytes);
      if (during && Atomics.load(table.ctl, 0) === 0) { stop = during; Atomics.store(table.ctl, 0, 1); }
    }, Math.min(200, opts.progressIntervalMs ?? 200));

    try {
      for (;;) {
        if (frontierCount === 0) break;
        if (rec.anyViolation && !cont) { stop = 'violation'; break; }
        const limit = watch.beforeLevel(distinct, depth);
        if (limit) { stop = limit; break; }
        // Room for this level's new states, estimated from the last level's growth.
        const want = distinct + frontierCount * growthRatio;
        if (want > table.capacity * MAX_LOAD && table.grow(Math.ceil(want / MAX_LOAD), false) >= 0) pool.broadcast(table.message());

        Atomics.store(table.ctl, 0, 0);
        Atomics.store(table.ctl, 1, distinct);
        const lo = (w: number) => Math.floor((w * frontierCount) / N);
        const skip = rec.skip.slice();
        const expanded = await pool.all<Extract<FromWorker, { type: 'expanded' }>>((w) => ({ cmd: 'expand', segments, lo: lo(w), hi: lo(w + 1), skip }));
        const errors = expanded.filter((e) => e.modelError).map((e) => e.modelError!);
        if (errors.length > 0) {
          errors.sort((a, b) => a.state - b.state || a.action - b.action);
          const e = errors[0];
          const actions = links.pathTo(levelBase + e.state);
          actions.push(e.action);
          modelError = { message: `${m.actions[e.action]?.name ?? 'a property'}: ${e.message}`, actions };
          stop = 'model-error';
          break;
        }
        const ctl = Atomics.load(table.ctl, 0);
        if (ctl === 2) {
          // The table filled up: drop this level's claims, grow, and run the level again.
          const kept = table.grow(table.capacity * 2, true);
          if (kept !== distinct) throw new Error(`internal: rehash kept ${kept} of ${distinct} fingerprints`);
          growthRatio *= 2;
          pool.broadcast(table.message());
          continue;
        }
        if (ctl === 1) break; // a time limit or an interruption; `stop` says which
        for (const e of expanded) {
          generated += e.generated;
          for (const [pi, state, extra] of e.hits) rec.violate(pi, { state: levelBase + state, extra, depth });
        }

        const parity = (depth + 1) & 1;
        const reached = rec.reached.slice();
        const filtered = await pool.all<Extract<FromWorker, { type: 'filtered' }>>(() => ({ cmd: 'filter', parity, skip: rec.skip.slice(), reached }));
        const nextBase = levelBase + frontierCount;
        let offset = nextBase;
        const nextSegments: { sab: SharedArrayBuffer; count: number }[] = [];
        for (const f of filtered) {
          for (let k = 0; k < f.kept; k++) links.push(f.links[2 * k] + levelBase, f.links[2 * k + 1]);
          for (const [pi, k] of f.invHits) rec.violate(pi, { state: offset + k, extra: -1, depth: depth + 1 });
          for (const [pi, k] of f.witHits) rec.witness(pi, { state: offset + k, extra: -1, depth: depth + 1 });
          if (f.kept > 0) nextSegments.push({ sab: f.out, count: f.kept });
          offset += f.kept;
        }
        const fresh = offset - nextBase;
        growthRatio = Math.max(1, (fresh / frontierCount) * 1.5);
        distinct += fresh;
        levelBase = nextBase;
        frontierCount = fresh;
        segments = nextSegments;
        if (fresh > 0) depth++;
      }
    } finally {
      clearInterval(timer);
    }
    if (stop !== 'complete' && stop !== 'violation' && stop !== 'model-error') distinct = Math.max(distinct, Atomics.load(table.ctl, 1));

    const finished = await pool.all<Extract<FromWorker, { type: 'finished' }>>(() => ({ cmd: 'finish' }));
    const actionCounts = new Float64Array(m.actions.length);
    for (const f of finished) for (let a = 0; a < actionCounts.length; a++) actionCounts[a] += f.actionCounts[a] ?? 0;

    return finishResult({
      m, rec, stop, workers: N, seconds: watch.seconds(), depth, distinct, generated,
      actionCounts, retainedBytes: table.bytes + links.bytes, load: distinct / table.capacity,
      pathTo: (i) => links.pathTo(i), exactFingerprints: exactFingerprint(W), modelError,
    });
  } finally {
    await pool.close();
  }
}
