/**
 * Parent links: for every stored state, the index of the state it was first reached from and
 * the action taken, in fixed-size chunks so that growing never copies more than one chunk (the
 * first chunk starts small and doubles, so a small model keeps a few KiB). A trace is rebuilt
 * by walking back to the initial state and replaying forward (states are not kept).
 */
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export class ParentLinks {
  private parents: Uint32Array[] = [];
  private actions: (Uint8Array | Uint16Array | Uint32Array)[] = [];
  private n = 0;
  private readonly ActionArray: typeof Uint8Array | typeof Uint16Array | typeof Uint32Array;

  constructor(actionCount: number) {
    this.ActionArray = actionCount < 256 ? Uint8Array : actionCount < 65536 ? Uint16Array : Uint32Array;
  }

  get length(): number { return this.n; }

  /** Parent -1 (the initial state) is stored as 0xffffffff. */
  push(parent: number, action: number): void {
    const i = this.n++;
    const c = i >>> CHUNK_BITS;
    if (c === this.parents.length) {
      const size = c === 0 ? 1024 : CHUNK;
      this.parents.push(new Uint32Array(size));
      this.actions.push(new this.ActionArray(size));
    } else if ((i & MASK) === this.parents[c].length) {
      // Only the first chunk is ever short: double it.
      const size = Math.min(CHUNK, this.parents[c].length * 2);
      const p = new Uint32Array(size); p.set(this.parents[c]); this.parents[c] = p;
      const a = new this.ActionArray(size); a.set(this.actions[c]); this.actions[c] = a;
    }
    this.parents[c][i & MASK] = parent;
    this.actions[c][i & MASK] = action;
  }

  /** Append `count` links given as (parent - base, action) pairs: a parallel level's links,
   *  in place order (parallel.ts). One tight loop per chunk instead of a push per link. */
  pushPairs(pairs: Int32Array, count: number, base: number): void {
    let r = 0;
    while (r < count) {
      // push() makes room (a new chunk, or the short first one doubled); fill the rest of it here.
      this.push(base + pairs[2 * r], pairs[2 * r + 1]);
      r++;
      const c = (this.n - 1) >>> CHUNK_BITS;
      const parents = this.parents[c], actions = this.actions[c];
      let at = this.n - c * CHUNK;
      const end = Math.min(count, r + parents.length - at);
      for (; r < end; r++, at++) { parents[at] = base + pairs[2 * r]; actions[at] = pairs[2 * r + 1]; }
      this.n = c * CHUNK + at;
    }
  }

  parentOf(i: number): number {
    const p = this.parents[i >>> CHUNK_BITS][i & MASK];
    return p === 0xffffffff ? -1 : p;
  }

  actionOf(i: number): number { return this.actions[i >>> CHUNK_BITS][i & MASK]; }

  /** Action ids from the initial state to state i. */
  pathTo(i: number): number[] {
    const out: number[] = [];
    for (let k = i; this.parentOf(k) >= 0; k = this.parentOf(k)) out.push(this.actionOf(k));
    return out.reverse();
  }

  /** The used part of each chunk (views, not copies): what a checkpoint writes. */
  chunks(): { parents: Uint32Array[]; actions: (Uint8Array | Uint16Array | Uint32Array)[] } {
    const used = (c: number) => Math.min(CHUNK, this.n - c * CHUNK);
    return { parents: this.parents.map((p, c) => p.subarray(0, used(c))), actions: this.actions.map((a, c) => a.subarray(0, used(c))) };
  }

  /** Links rebuilt from a checkpoint's chunks (validated by the caller: snapshotProblem). */
  static restore(actionCount: number, n: number, parents: readonly Uint32Array[], actions: readonly (Uint8Array | Uint16Array | Uint32Array)[]): ParentLinks {
    const l = new ParentLinks(actionCount);
    for (let c = 0; c < parents.length; c++) {
      // Every chunk but the first is full size, so that push() never outgrows one.
      const size = c === 0 ? Math.min(CHUNK, Math.max(1024, parents[0].length)) : CHUNK;
      const p = new Uint32Array(size); p.set(parents[c].subarray(0, size));
      const a = new l.ActionArray(size); a.set(actions[c].subarray(0, size));
      l.parents.push(p); l.actions.push(a);
    }
    l.n = n;
    return l;
  }

  get bytes(): number {
    let n = 0;
    for (const p of this.parents) n += p.length;
    return n * (4 + this.ActionArray.BYTES_PER_ELEMENT);
  }
}
