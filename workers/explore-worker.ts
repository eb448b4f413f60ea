/**
 * A worker of the parallel search (src/explorer/parallel.ts). Each worker owns the fingerprints
 * that hash to it, in a private table, and runs three phases per level on the coordinator's word:
 *   route:  expand its contiguous part of the frontier; send every successor to its owner's
 *           outbox (compiled `route`);
 *   absorb: as owner, insert the records of all outboxes, in worker order, into its table,
 *           keeping new states with their (parent position, action) key (compiled `absorb`);
 *   place:  give each of its new states its rank in the merged key order of all owners, write
 *           it there in the next frontier with its parent link, and check it.
 * No phase writes memory another thread reads in the same phase, so there are no atomics in
 * the loops; the coordinator's messages order the phases.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate, isModelRuntimeError, type CompiledModel } from '../src/compile/compile';
import { FingerprintTable } from '../src/explorer/fingerprint-table';
import { ownerOf } from '../src/state/fingerprint';

export interface WorkerSetup {
  readonly source: string;
  /** This worker's index (0-based) and the number of workers. */
  readonly me: number;
  readonly N: number;
  readonly actions: number;
  readonly properties: number;
  /** The fingerprints stored so far, as (h1, h2) pairs (h1 = 0: empty): each worker keeps
   *  those it owns. */
  readonly seed: SharedArrayBuffer;
  readonly ctl: SharedArrayBuffer;
}

export interface SharedSlice { readonly sab: SharedArrayBuffer; readonly count: number }

export type ToWorker =
  | { readonly cmd: 'route'; readonly frontier: SharedArrayBuffer; readonly lo: number; readonly hi: number; readonly skip: Uint8Array }
  /** Per source worker, in worker order, its outbox for this owner. */
  | { readonly cmd: 'absorb'; readonly inboxes: readonly SharedSlice[] }
  /** Every owner's keys, in owner order; the next frontier and its parent links to fill. */
  | { readonly cmd: 'place'; readonly keys: readonly SharedSlice[]; readonly next: SharedArrayBuffer; readonly links: SharedArrayBuffer; readonly skip: Uint8Array; readonly reached: Uint8Array }
  | { readonly cmd: 'finish' };

export type FromWorker =
  | {
      readonly type: 'routed'; readonly generated: number;
      /** Outboxes by owner, and how many records each holds. */
      readonly boxes: readonly SharedArrayBuffer[]; readonly fill: readonly number[];
      /** [property, level position of the state, extra action] */
      readonly hits: number[][];
      readonly modelError?: { state: number; action: number; message: string };
    }
  | { readonly type: 'absorbed'; readonly newCount: number; readonly keys: SharedArrayBuffer; readonly tableBytes: number }
  /** [property, rank among the new states] */
  | { readonly type: 'placed'; readonly invHits: number[][]; readonly witHits: number[][] }
  | { readonly type: 'finished'; readonly actionCounts: Float64Array };

export class WorkerState extends FingerprintTable {
  readonly cm: CompiledModel;
  readonly W: number;
  readonly me: number;
  readonly N: number;
  readonly nActions: number;
  readonly out: Int32Array;
  readonly acts: Int32Array;
  readonly actionCounts: Float64Array;
  readonly totalCounts: Float64Array;
  readonly ctl: Int32Array;
  skip: Uint8Array;
  // route
  frontier: Int32Array<ArrayBufferLike> = new Int32Array(0);
  lo = 0;
  hi = 0;
  cur = 0;
  generated = 0;
  errorAt = -1;
  hits: number[][] = [];
  boxes: Int32Array<ArrayBufferLike>[];
  readonly fill: Int32Array;
  // absorb
  inboxes: Int32Array<ArrayBufferLike>[] = [];
  inCounts: number[] = [];
  newWords: Int32Array;
  newKeys: Float64Array<ArrayBufferLike>;
  newCount = 0;

  constructor(setup: WorkerSetup) {
    super();
    this.cm = instantiate(setup.source);
    this.W = this.cm.W;
    this.me = setup.me;
    this.N = setup.N;
    this.nActions = setup.actions;
    this.out = new Int32Array(this.cm.maxSucc * this.W);
    this.acts = new Int32Array(this.cm.maxSucc);
    this.actionCounts = new Float64Array(setup.actions);
    this.totalCounts = new Float64Array(setup.actions);
    this.ctl = new Int32Array(setup.ctl);
    this.skip = new Uint8Array(setup.properties);
    this.boxes = Array.from({ length: this.N }, () => new Int32Array(new SharedArrayBuffer(4 * (4 + this.W) * 1024)));
    this.fill = new Int32Array(this.N);
    this.newWords = new Int32Array(this.W * 1024);
    this.newKeys = new Float64Array(new SharedArrayBuffer(8 * 1024));
    const seed = new Int32Array(setup.seed);
    let owned = 0;
    for (let j = 0; j < seed.length; j += 2) if (seed[j] !== 0 && ownerOf(seed[j], this.N) === this.me) owned++;
    this.reserve(owned);
    for (let j = 0; j < seed.length; j += 2) {
      const h1 = seed[j];
      if (h1 !== 0 && ownerOf(h1, this.N) === this.me) this.insert(h1, seed[j + 1]);
    }
  }

  growBox(owner: number): Int32Array<ArrayBufferLike> {
    const old = this.boxes[owner];
    const bigger = new Int32Array(new SharedArrayBuffer(old.byteLength * 2));
    bigger.set(old);
    this.boxes[owner] = bigger;
    return bigger;
  }

  growNew(): Int32Array {
    const words = new Int32Array(this.newWords.length * 2);
    words.set(this.newWords);
    this.newWords = words;
    const keys = new Float64Array(new SharedArrayBuffer(this.newKeys.byteLength * 2));
    keys.set(this.newKeys);
    this.newKeys = keys;
    return words;
  }

  violate(pi: number, state: number, extra: number): void {
    this.hits.push([pi, state, extra]);
    this.skip[pi] = 1;
  }
}

export function route(S: WorkerState, msg: Extract<ToWorker, { cmd: 'route' }>): FromWorker {
  S.frontier = new Int32Array(msg.frontier);
  S.lo = msg.lo;
  S.hi = msg.hi;
  S.skip = msg.skip;
  S.hits = [];
  S.generated = 0;
  S.fill.fill(0);
  S.actionCounts.fill(0);
  let modelError: { state: number; action: number; message: string } | undefined;
  try {
    if (S.lo < S.hi) S.cm.route(S);
  } catch (e) {
    if (!isModelRuntimeError(e)) throw e;
    modelError = { state: S.errorAt, action: e.action, message: e.message };
  }
  for (let a = 0; a < S.actionCounts.length; a++) S.totalCounts[a] += S.actionCounts[a];
  return {
    type: 'routed', generated: S.generated, boxes: S.boxes.map((b) => b.buffer as SharedArrayBuffer),
    fill: Array.from(S.fill), hits: S.hits, modelError,
  };
}

export function absorb(S: WorkerState, msg: Extract<ToWorker, { cmd: 'absorb' }>): FromWorker {
  S.inboxes = msg.inboxes.map((b) => new Int32Array(b.sab));
  S.inCounts = msg.inboxes.map((b) => b.count);
  S.newCount = 0;
  S.cm.absorb(S);
  return { type: 'absorbed', newCount: S.newCount, keys: S.newKeys.buffer as SharedArrayBuffer, tableBytes: S.table.byteLength };
}

/** Rank of each own new state = its index + how many keys of the other owners are smaller. */
export function place(S: WorkerState, msg: Extract<ToWorker, { cmd: 'place' }>): FromWorker {
  const W = S.W, cm = S.cm, n = S.newCount;
  const mine = S.newKeys;
  const others = msg.keys.map((k, o) => (o === S.me ? null : { keys: new Float64Array(k.sab), count: k.count, at: 0 }));
  const next = new Int32Array(msg.next);
  const links = new Int32Array(msg.links);
  const words = S.newWords;
  const skip = msg.skip, reached = msg.reached;
  const invHits: number[][] = [];
  const witHits: number[][] = [];
  for (let k = 0; k < n; k++) {
    const key = mine[k];
    let rank = k;
    for (const o of others) {
      if (!o) continue;
      while (o.at < o.count && o.keys[o.at] < key) o.at++;
      rank += o.at;
    }
    const np = rank * W;
    for (let w = 0; w < W; w++) next[np + w] = words[k * W + w];
    links[2 * rank] = Math.floor(key / S.nActions);
    links[2 * rank + 1] = key % S.nActions;
    if (cm.hasInv) for (let pi = cm.inv(next, np, skip); pi >= 0; pi = cm.inv(next, np, skip)) { invHits.push([pi, rank]); skip[pi] = 1; }
    if (cm.hasWit) for (let pi = cm.wit(next, np, reached); pi >= 0; pi = cm.wit(next, np, reached)) { witHits.push([pi, rank]); reached[pi] = 1; }
  }
  return { type: 'placed', invHits, witHits };
}

if (parentPort) {
  const port = parentPort;
  const S = new WorkerState(workerData as WorkerSetup);
  port.on('message', (msg: ToWorker) => {
    switch (msg.cmd) {
      case 'route': port.postMessage(route(S, msg)); break;
      case 'absorb': port.postMessage(absorb(S, msg)); break;
      case 'place': port.postMessage(place(S, msg)); break;
      case 'finish': port.postMessage({ type: 'finished', actionCounts: S.totalCounts }); break;
    }
  });
}
