/**
 * The seen-set of the single-threaded search: 64-bit fingerprints as (h1, h2) pairs in one
 * Int32Array, open addressing with linear probing, slot chosen by the top bits of h1, an
 * all-zero pair meaning empty (fingerprints are never zero). Doubles at 3/4 load. The
 * parallel search uses the same layout in shared memory (shared-table.ts), so both store
 * exactly the same set of fingerprints.
 */
export const MAX_LOAD = 0.75;

export class FingerprintTable {
  table: Int32Array;
  count = 0;
  private log2cap: number;
  private shift: number;
  private mask: number;
  private limit: number;

  constructor(log2cap: number) {
    this.log2cap = log2cap;
    this.table = new Int32Array(2 << log2cap);
    this.shift = 32 - log2cap;
    this.mask = (1 << log2cap) - 1;
    this.limit = Math.floor((1 << log2cap) * MAX_LOAD);
  }

  /** Insert a fingerprint; true when it was not there. */
  insert(h1: number, h2: number): boolean {
    const t = this.table;
    const mask = this.mask;
    let i = h1 >>> this.shift;
    for (;;) {
      const j = i << 1;
      const a = t[j];
      if (a === 0) {
        t[j] = h1;
        t[j + 1] = h2;
        if (++this.count > this.limit) this.grow();
        return true;
      }
      if (a === h1 && t[j + 1] === h2) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.log2cap++;
    this.table = new Int32Array(2 << this.log2cap);
    this.shift = 32 - this.log2cap;
    this.mask = (1 << this.log2cap) - 1;
    this.limit = Math.floor((1 << this.log2cap) * MAX_LOAD);
    rehashInto(old, this.table, this.shift, this.mask);
  }

  get capacity(): number { return 1 << this.log2cap; }
  get load(): number { return this.count / this.capacity; }
  get bytes(): number { return this.table.byteLength; }
}

/** Copy every fingerprint of `from` into the empty table `to`; with `dropFresh`, leave out
 *  the ones stored in an unfinished level of the parallel search (bit 1 of h1 clear). */
export function rehashInto(from: Int32Array<ArrayBufferLike>, to: Int32Array<ArrayBufferLike>, shift: number, mask: number, dropFresh = false): number {
  let n = 0;
  for (let j = 0; j < from.length; j += 2) {
    const h1 = from[j];
    if (h1 === 0 || (dropFresh && (h1 & 2) === 0)) continue;
    let i = h1 >>> shift;
    while (to[i << 1] !== 0) i = (i + 1) & mask;
    to[i << 1] = h1;
    to[(i << 1) + 1] = from[j + 1];
    n++;
  }
  return n;
}
