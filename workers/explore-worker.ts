/**
 * A worker of the parallel search (src/explorer/parallel.ts). Per level it runs two phases
 * on the coordinator's word:
 *   expand: generate the successors of its contiguous part of the frontier and claim them in
 *           the shared fingerprint table (compiled expandShared), keeping candidates;
 *   filter: keep the candidates whose slot still carries its tag (it reached them first),
 *           write them to its part of the next frontier, return their parent links, and check
 *           invariants and witnesses on them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate, isModelRuntimeError, type CompiledModel } from '../src/compile/compile';

export interface WorkerSetup {
  readonly source: string;
  /** 1-based worker tag. */
  readonly me: number;
  readonly actions: number;
  readonly properties: number;
}

export type ToWorker =
  | { readonly cmd: 'table'; readonly table: SharedArrayBuffer; readonly tags: SharedArrayBuffer; readonly ctl: SharedArrayBuffer; readonly log2cap: number; readonly hardLimit: number }
  | { readonly cmd: 'expand'; readonly segments: readonly { sab: SharedArrayBuffer; count: number }[]; readonly lo: number; readonly hi: number; readonly skip: Uint8Array }
  | { readonly cmd: 'filter'; readonly parity: number; readonly skip: Uint8Array; readonly reached: Uint8Array }
  | { readonly cmd: 'finish' };

export type FromWorker =
  | {
      readonly type: 'expanded'; readonly generated: number; readonly candidates: number;
      /** [property, level-relative state, extra action] */
      readonly hits: number[][];
      readonly modelError?: { state: number; action: number; message: string };
    }
  | {
      readonly type: 'filtered'; readonly kept: number; readonly links: Float64Array; readonly out: SharedArrayBuffer;
      /** [property, index among this worker's kept states] */
      readonly invHits: number[][]; readonly witHits: number[][];
    }
  | { readonly type: 'finished'; readonly actionCounts: Float64Array };

export class WorkerState {
  readonly cm: CompiledModel;
  readonly W: number;
  readonly me: number;
  readonly out: Int32Array;
  readonly acts: Int32Array;
  actionCounts: Float64Array;
  readonly totalCounts: Float64Array;
  skip: Uint8Array;
  table: Int32Array<ArrayBufferLike> = new Int32Array(0);
  tags: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  ctl: Int32Array<ArrayBufferLike> = new Int32Array(0);
  shift = 0;
  mask = 0;
  hardLimit = 0;
  cand: Int32Array;
  candCount = 0;
  generated = 0;
  cur = 0;
  lo = 0;
  hi = 0;
  errorAt = -1;
  hits: number[][] = [];
  segments: { words: Int32Array<ArrayBufferLike>; start: number; count: number }[] = [];
  segWords: Int32Array<ArrayBufferLike> = new Int32Array(0);
  segStart = 0;
  segEnd = 0;
  outBufs: SharedArrayBuffer[] = [];

  constructor(setup: WorkerSetup) {
    this.cm = instantiate(setup.source);
    this.W = this.cm.W;
    this.me = setup.me;
    this.out = new Int32Array(this.cm.maxSucc * this.W);
    this.acts = new Int32Array(this.cm.maxSucc);
    this.actionCounts = new Float64Array(setup.actions);
    this.totalCounts = new Float64Array(setup.actions);
    this.skip = new Uint8Array(setup.properties);
    this.cand = new Int32Array((3 + this.W) * 4096);
    this.outBufs = [new SharedArrayBuffer(4 * this.W * 4096), new SharedArrayBuffer(4 * this.W * 4096)];
  }

  /** Point segWords/segStart/segEnd at the frontier segment holding level position `pos`. */
  segmentAt(pos: number): void {
    for (const s of this.segments) {
      if (pos < s.start + s.count) {
        this.segWords = s.words;
        this.segStart = s.start;
        this.segEnd = s.start + s.count;
        return;
      }
    }
    throw new Error(`frontier position ${pos} is past the last segment`);
  }

  growCand(n: number): Int32Array {
    const bigger = new Int32Array(this.cand.length * 2);
    bigger.set(this.cand.subarray(0, n * (3 + this.W)));
    this.cand = bigger;
    return bigger;
  }

  violate(pi: number, state: number, extra: number): void {
    this.hits.push([pi, state, extra]);
    this.skip[pi] = 1;
  }
}

export function expand(S: WorkerState, msg: Extract<ToWorker, { cmd: 'expand' }>): FromWorker {
  let start = 0;
  S.segments = msg.segments.map((s) => {
    const seg = { words: new Int32Array(s.sab), start, count: s.count };
    start += s.count;
    return seg;
  });
  S.lo = msg.lo;
  S.hi = msg.hi;
  S.cur = msg.lo;
  S.skip = msg.skip;
  S.hits = [];
  S.candCount = 0;
  S.generated = 0;
  S.actionCounts.fill(0);
  Atomics.add(S.ctl, 2, 0); // order this phase after the last one in every worker
  let modelError: { state: number; action: number; message: string } | undefined;
  try {
    if (S.lo < S.hi) S.cm.expandShared(S);
  } catch (e) {
    if (!isModelRuntimeError(e)) throw e;
    modelError = { state: S.errorAt, action: e.action, message: e.message };
  }
  Atomics.add(S.ctl, 2, 0);
  return { type: 'expanded', generated: S.generated, candidates: S.candCount, hits: S.hits, modelError };
}

export function filter(S: WorkerState, msg: Extract<ToWorker, { cmd: 'filter' }>): FromWorker {
  const W = S.W, R = 3 + W, cand = S.cand, tags = S.tags, me = S.me, cm = S.cm;
  // Tags are final once every worker has expanded (the coordinator's barrier); in this phase
  // only each slot's owner writes it, so plain reads and writes suffice.
  Atomics.add(S.ctl, 2, 0);
  const table = S.table;
  let kept = 0;
  for (let c = 0; c < S.candCount; c++) if (tags[cand[c * R]] === me) kept++;
  let buf = S.outBufs[msg.parity];
  if (buf.byteLength < kept * W * 4) {
    buf = new SharedArrayBuffer(Math.max(kept * W * 4 * 2, 4 * W * 4096));
    S.outBufs[msg.parity] = buf;
  }
  const out = new Int32Array(buf);
  const links = new Float64Array(kept * 2);
  const skip = msg.skip, reached = msg.reached;
  const invHits: number[][] = [];
  const witHits: number[][] = [];
  let k = 0;
  for (let c = 0; c < S.candCount; c++) {
    const r = c * R;
    const slot = cand[r];
    if (tags[slot] !== me) continue;
    tags[slot] = 0;
    table[slot << 1] |= 2; // no longer new in this level
    const np = k * W;
    for (let w = 0; w < W; w++) out[np + w] = cand[r + 3 + w];
    links[2 * k] = S.lo + cand[r + 1];
    links[2 * k + 1] = cand[r + 2];
    if (cm.hasInv) for (let pi = cm.inv(out, np, skip); pi >= 0; pi = cm.inv(out, np, skip)) { invHits.push([pi, k]); skip[pi] = 1; }
    if (cm.hasWit) for (let pi = cm.wit(out, np, reached); pi >= 0; pi = cm.wit(out, np, reached)) { witHits.push([pi, k]); reached[pi] = 1; }
    k++;
  }
  for (let a = 0; a < S.actionCounts.length; a++) S.totalCounts[a] += S.actionCounts[a];
  Atomics.add(S.ctl, 2, 0);
  return { type: 'filtered', kept, links, out: buf, invHits, witHits };
}

if (parentPort) {
  const port = parentPort;
  const S = new WorkerState(workerData as WorkerSetup);
  port.on('message', (msg: ToWorker) => {
    switch (msg.cmd) {
      case 'table':
        S.table = new Int32Array(msg.table);
        S.tags = new Uint8Array(msg.tags);
        S.ctl = new Int32Array(msg.ctl);
        S.shift = 32 - msg.log2cap;
        S.mask = (1 << msg.log2cap) - 1;
        S.hardLimit = msg.hardLimit;
        break;
      case 'expand':
        port.postMessage(expand(S, msg));
        break;
      case 'filter': {
        const reply = filter(S, msg) as Extract<FromWorker, { type: 'filtered' }>;
        port.postMessage(reply, [reply.links.buffer as ArrayBuffer]);
        break;
      }
      case 'finish':
        port.postMessage({ type: 'finished', actionCounts: S.totalCounts });
        break;
    }
  });
}
