/**
 * One partition of the parallel search (src/explorer/parallel.ts): the fingerprints that hash
 * to it, in a private table, and the states of the current frontier it owns. Partition 0 runs
 * in the coordinator's thread, the others each in a worker thread running this file. Per level
 * two phases, on the coordinator's word:
 *   route:  (first) give each of its frontier states its place in the whole level, the merged
 *           (parent position, action) order of every partition's keys, and write its parent
 *           link there; then expand its states and send every successor to its owner's outbox
 *           (compiled `route`);
 *   absorb: as owner, insert the records of all outboxes in (parent position, action) order
 *           into its table (compiled `absorb`), keeping the new states, which are its part of
 *           the next frontier, and check them.
 * No phase writes memory another thread reads in the same phase, so there are no atomics in
 * the loops; the coordinator's messages order the phases.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate, isModelRuntimeError, type CompiledModel } from '../src/compile/compile';
import { FingerprintTable, rehashInto } from '../src/explorer/fingerprint-table';
import { ownerOf } from '../src/state/fingerprint';

export interface WorkerSetup {
  readonly source: string;
  /** This partition's index (0-based) and the number of partitions. */
  readonly me: number;
  readonly N: number;
  readonly actions: number;
  readonly ctl: SharedArrayBuffer;
}

export interface SharedSlice { readonly sab: SharedArrayBuffer; readonly count: number }

/** Every partition's keys of the frontier about to be expanded, and where the parent links of
 *  that frontier go: (parent position in the level before, action) per state, by place. */
export interface RankInput { readonly keys: readonly SharedSlice[]; readonly links: SharedArrayBuffer }

export type ToWorker =
  /** Take the fingerprints of a table (h1, h2 pairs; h1 = 0 empty) that this partition owns,
   *  and frontier states lo .. hi-1 (their places) as its own frontier. */
  | { readonly cmd: 'seed'; readonly fingerprints: SharedArrayBuffer; readonly frontier: SharedArrayBuffer; readonly lo: number; readonly hi: number }
  | { readonly cmd: 'route'; readonly rank: RankInput | null; readonly skip: Uint8Array }
  /** Per partition, its outbox for this owner. */
  | { readonly cmd: 'absorb'; readonly inboxes: readonly SharedSlice[]; readonly skip: Uint8Array; readonly reached: Uint8Array }
  | { readonly cmd: 'rank'; readonly rank: RankInput }
  /** Copy the table's fingerprints into `into` (an empty table of 2^(32 - shift) slots, one
   *  partition after another), and show the frontier (with places) to the coordinator. */
  | { readonly cmd: 'gather'; readonly into: SharedArrayBuffer; readonly shift: number; readonly mask: number }
  /** Forget the table and the frontier (the search went back to one thread). */
  | { readonly cmd: 'drop' };

export interface Gathered {
  readonly words: SharedArrayBuffer; readonly places: SharedArrayBuffer; readonly n: number;
}

export type FromWorker =
  | {
      readonly type: 'routed'; readonly generated: number; readonly actionCounts: Float64Array;
      /** Outboxes by owner, and how many records each holds. */
      readonly boxes: readonly SharedArrayBuffer[]; readonly fill: readonly number[];
      /** [property, place of the state in its level, extra action] */
      readonly hits: number[][];
      readonly modelError?: { state: number; action: number; message: string };
    }
  /** hits: [property, key of the new state] */
  | { readonly type: 'absorbed'; readonly newCount: number; readonly keys: SharedArrayBuffer; readonly tableBytes: number; readonly invHits: number[][]; readonly witHits: number[][] }
  | { readonly type: 'ranked' }
  | ({ readonly type: 'gathered' } & Gathered)
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly message: string };

const START = 1024;

export class PartitionState extends FingerprintTable {
  readonly cm: CompiledModel;
  readonly W: number;
  readonly me: number;
  readonly N: number;
  readonly nActions: number;
  readonly out: Int32Array;
  readonly acts: Int32Array;
  readonly actionCounts: Float64Array;
  readonly ctl: Int32Array;
  skip: Uint8Array = new Uint8Array(0);
  // route: the own frontier (states in BFS order) and each one's place in the whole level
  frontier: Int32Array<ArrayBufferLike> = new Int32Array(0);
  rank: Int32Array<ArrayBufferLike> = new Int32Array(0);
  lo = 0;
  hi = 0;
  cur = 0;
  generated = 0;
  errorAt = -1;
  hits: number[][] = [];
  boxes: Int32Array<ArrayBufferLike>[];
  readonly fill: Int32Array;
  // absorb: the new states become the own frontier of the next level (same buffers)
  inboxes: Int32Array<ArrayBufferLike>[] = [];
  inCounts: number[] = [];
  newWords: Int32Array<ArrayBufferLike>;
  newKeys: Float64Array<ArrayBufferLike>;
  newCount = 0;

  constructor(setup: WorkerSetup, cm = instantiate(setup.source)) {
    // Private memory: the coordinator gathers the table through `gather`.
    super(12);
    this.cm = cm;
    this.W = cm.W;
    this.me = setup.me;
    this.N = setup.N;
    this.nActions = setup.actions;
    this.out = new Int32Array(cm.maxSucc * this.W);
    this.acts = new Int32Array(cm.maxSucc);
    this.actionCounts = new Float64Array(setup.actions);
    this.ctl = new Int32Array(setup.ctl);
    this.boxes = Array.from({ length: this.N }, () => new Int32Array(new SharedArrayBuffer(4 * (2 + this.W) * START)));
    this.fill = new Int32Array(this.N);
    this.newWords = new Int32Array(new SharedArrayBuffer(4 * this.W * START));
    this.newKeys = new Float64Array(new SharedArrayBuffer(8 * START));
  }

  growBox(owner: number): Int32Array<ArrayBufferLike> {
    const old = this.boxes[owner];
    const bigger = new Int32Array(new SharedArrayBuffer(old.byteLength * 2));
    bigger.set(old);
    this.boxes[owner] = bigger;
    return bigger;
  }

  growNew(): Int32Array<ArrayBufferLike> {
    const words = new Int32Array(new SharedArrayBuffer(this.newWords.byteLength * 2));
    words.set(this.newWords.subarray(0, this.newCount * this.W));
    this.newWords = words;
    const keys = new Float64Array(new SharedArrayBuffer(this.newKeys.byteLength * 2));
    keys.set(this.newKeys.subarray(0, this.newCount));
    this.newKeys = keys;
    return words;
  }

  violate(pi: number, state: number, extra: number): void {
    this.hits.push([pi, state, extra]);
    this.skip[pi] = 1;
  }
}

export function seed(S: PartitionState, msg: Extract<ToWorker, { cmd: 'seed' }>): void {
  const fps = new Int32Array(msg.fingerprints);
  S.clear();
  let owned = 0;
  for (let j = 0; j < fps.length; j += 2) if (fps[j] !== 0 && ownerOf(fps[j], S.N) === S.me) owned++;
  S.reserve(owned);
  for (let j = 0; j < fps.length; j += 2) {
    const h1 = fps[j];
    if (h1 !== 0 && ownerOf(h1, S.N) === S.me) S.insert(h1, fps[j + 1]);
  }
  // The first frontier after a hand-over: a contiguous part of the sequential one.
  const n = msg.hi - msg.lo, W = S.W;
  S.newWords = new Int32Array(new SharedArrayBuffer(4 * W * Math.max(START, n)));
  S.newWords.set(new Int32Array(msg.frontier, 4 * W * msg.lo, W * n));
  S.newKeys = new Float64Array(new SharedArrayBuffer(8 * Math.max(START, n)));
  S.newCount = n;
  S.rank = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
  for (let k = 0; k < n; k++) S.rank[k] = msg.lo + k;
}

/** Place of each own frontier state = its index + how many keys of the other partitions are
 *  smaller; its parent link goes there. */
export function rankFrontier(S: PartitionState, input: RankInput): void {
  const n = S.newCount, mine = S.newKeys;
  const others = input.keys.map((k, o) => (o === S.me ? null : { keys: new Float64Array(k.sab), count: k.count, at: 0 }));
  const links = new Int32Array(input.links);
  if (S.rank.length < n) S.rank = new Int32Array(new SharedArrayBuffer(4 * Math.max(START, n + (n >> 1))));
  const rank = S.rank, nA = S.nActions;
  for (let k = 0; k < n; k++) {
    const key = mine[k];
    let place = k;
    for (const o of others) {
      if (!o) continue;
      while (o.at < o.count && o.keys[o.at] < key) o.at++;
      place += o.at;
    }
    rank[k] = place;
    const parent = Math.floor(key / nA);
    links[2 * place] = parent;
    links[2 * place + 1] = key - parent * nA;
  }
}

export function route(S: PartitionState, msg: Extract<ToWorker, { cmd: 'route' }>, chunk = Infinity, stopAsked: () => boolean = () => false): FromWorker {
  if (msg.rank) rankFrontier(S, msg.rank);
  S.frontier = S.newWords;
  S.skip = msg.skip;
  S.hits = [];
  S.fill.fill(0);
  S.actionCounts.fill(0);
  let generated = 0;
  let modelError: { state: number; action: number; message: string } | undefined;
  try {
    // In chunks where the caller must look at its limits itself (the coordinator's thread).
    for (let lo = 0; lo < S.newCount; lo += chunk) {
      S.lo = lo;
      S.hi = Math.min(S.newCount, lo + chunk);
      S.cm.route(S);
      generated += S.generated;
      if (S.cur < S.hi || stopAsked()) break;
    }
  } catch (e) {
    if (!isModelRuntimeError(e)) throw e;
    generated += S.generated;
    modelError = { state: S.rank[S.errorAt], action: e.action, message: e.message };
  }
  return {
    type: 'routed', generated, actionCounts: S.actionCounts.slice(), boxes: S.boxes.map((b) => b.buffer as SharedArrayBuffer),
    fill: Array.from(S.fill), hits: S.hits, modelError,
  };
}

export function absorb(S: PartitionState, msg: Extract<ToWorker, { cmd: 'absorb' }>): FromWorker {
  S.inboxes = msg.inboxes.map((b) => new Int32Array(b.sab));
  S.inCounts = msg.inboxes.map((b) => b.count);
  S.newCount = 0;
  S.cm.absorb(S);
  S.inboxes = [];
  const cm = S.cm, W = S.W, words = S.newWords, keys = S.newKeys, skip = msg.skip, reached = msg.reached;
  const invHits: number[][] = [];
  const witHits: number[][] = [];
  if (cm.hasInv || cm.hasWit) {
    for (let k = 0; k < S.newCount; k++) {
      const np = k * W;
      if (cm.hasInv) for (let pi = cm.inv(words, np, skip); pi >= 0; pi = cm.inv(words, np, skip)) { invHits.push([pi, keys[k]]); skip[pi] = 1; }
      if (cm.hasWit) for (let pi = cm.wit(words, np, reached); pi >= 0; pi = cm.wit(words, np, reached)) { witHits.push([pi, keys[k]]); reached[pi] = 1; }
    }
  }
  return { type: 'absorbed', newCount: S.newCount, keys: S.newKeys.buffer as SharedArrayBuffer, tableBytes: S.table.byteLength, invHits, witHits };
}

export function gather(S: PartitionState, msg: Extract<ToWorker, { cmd: 'gather' }>): Gathered {
  rehashInto(S.table, new Int32Array(msg.into), msg.shift, msg.mask);
  return {
    words: S.newWords.buffer as SharedArrayBuffer, places: S.rank.buffer as SharedArrayBuffer, n: S.newCount,
  };
}

export function drop(S: PartitionState): void {
  S.clear();
  S.newWords = new Int32Array(new SharedArrayBuffer(4 * S.W * START));
  S.newKeys = new Float64Array(new SharedArrayBuffer(8 * START));
  S.rank = new Int32Array(0);
  S.newCount = 0;
  S.boxes = S.boxes.map(() => new Int32Array(new SharedArrayBuffer(4 * (2 + S.W) * START)));
}

if (parentPort) {
  const port = parentPort;
  const S = new PartitionState(workerData as WorkerSetup);
  port.on('message', (msg: ToWorker) => {
    try {
      switch (msg.cmd) {
        case 'seed': seed(S, msg); port.postMessage({ type: 'done' }); break;
        case 'route': port.postMessage(route(S, msg)); break;
        case 'absorb': port.postMessage(absorb(S, msg)); break;
        case 'rank': rankFrontier(S, msg.rank); port.postMessage({ type: 'ranked' }); break;
        case 'gather': port.postMessage({ type: 'gathered', ...gather(S, msg) }); break;
        case 'drop': drop(S); port.postMessage({ type: 'done' }); break;
      }
    } catch (e) {
      port.postMessage({ type: 'failed', message: (e as Error).stack ?? String(e) });
    }
  });
}
