/**
 * A private seen-set: 64-bit fingerprints as (h1, h2) pairs in one Int32Array, open
 * addressing with linear probing, the slot chosen by the top bits of h1, an all-zero pair
 * meaning empty (h1 always has its two low bits set). Doubles at 3/4 load; while it copies into
 * the doubled table it gives the old one back piece by piece (a resizable buffer, shrunk from
 * the top as the copy moves down), so growing needs little more than the new table: old and
 * new together would be three times the old one, the process's peak on large spaces. The generated level
 * loops (src/compile) read `table`, `shift`, `mask`, `limit` and `count` and call `grow()`;
 * the sequential search and each owner of the parallel search extend this class, so both store
 * exactly the same set of fingerprints.
 */
export const MAX_LOAD = 0.75;
/** Tables from this size on give their memory back while they double (256 MiB: 32 million
 *  slots, some 24 million states). */
const RESIZABLE_FROM_BYTES = 256 * 1048576;

/** ES2024's resizable ArrayBuffer (Node 20 has it; the project's TypeScript lib predates it). */
interface Resizable { readonly resizable?: boolean; resize(bytes: number): void }
const ResizableBuffer = ArrayBuffer as unknown as new (bytes: number, o: { maxByteLength: number }) => ArrayBuffer;

export class FingerprintTable {
  table: Int32Array;
  log2cap: number;
  shift = 0;
  mask = 0;
  limit = 0;
  count = 0;

  /** `shared`: the table lives in shared memory, so that another thread can write it (the
   *  parallel search gathers its partitions into one shared table). */
  constructor(log2cap = 12, private readonly shared = false) {
    this.log2cap = log2cap;
    this.table = this.allocate(2 << log2cap);
    this.resize();
  }

  private allocate(words: number): Int32Array {
    if (this.shared) return new Int32Array(new SharedArrayBuffer(4 * words));
    // The generated loops read a view of a resizable buffer slower (Node 20's V8: counters(6,11)
    // 2.8-3.3 s against 2.4-2.7 s; counters(7,11), whose last tables are resizable, 64.6 s and
    // 20 bytes a state at the peak against 50.6 s and 27 with plain ones): only a table big
    // enough for its give-back to decide whether a run fits in memory is made resizable.
    if (4 * words < RESIZABLE_FROM_BYTES) return new Int32Array(words);
    return new Int32Array(new ResizableBuffer(4 * words, { maxByteLength: 4 * words }), 0, words);
  }

  /** Forget every fingerprint and give the memory back. */
  clear(): void {
    this.log2cap = 12;
    this.count = 0;
    this.table = this.allocate(2 << this.log2cap);
    this.resize();
  }

  private resize(): void {
    this.shift = 32 - this.log2cap;
    this.mask = (1 << this.log2cap) - 1;
    this.limit = Math.floor((1 << this.log2cap) * MAX_LOAD);
  }

  /** Make room for `n` fingerprints in an empty table. Inserting fingerprints in table order
   *  into a table much smaller than their source would pile them into one cluster (their
   *  home slots come from the same top bits), so size first, then insert. */
  reserve(n: number): void {
    if (this.count !== 0) throw new Error('reserve() needs an empty table');
    while (Math.floor((1 << this.log2cap) * MAX_LOAD) < n) this.log2cap++;
    this.table = this.allocate(2 << this.log2cap);
    this.resize();
  }

  /** Insert outside the generated loops (the initial state); true when it was not there. */
  insert(h1: number, h2: number): boolean {
    let i = h1 >>> this.shift;
    for (;;) {
      const a = this.table[i << 1];
      if (a === 0) break;
      if (a === h1 && this.table[(i << 1) + 1] === h2) return false;
      i = (i + 1) & this.mask;
    }
    this.table[i << 1] = h1;
    this.table[(i << 1) + 1] = h2;
    if (++this.count > this.limit) this.grow();
    return true;
  }

  /** Take over a checkpoint's table (validated by the caller: snapshotProblem). */
  restoreTable(table: Int32Array, log2cap: number, count: number): void {
    this.table = table;
    this.log2cap = log2cap;
    this.count = count;
    this.resize();
  }

  grow(): void {
    const old = this.table;
    this.log2cap++;
    this.table = this.allocate(2 << this.log2cap);
    this.resize();
    rehashGivingBack(old, this.table, this.shift, this.mask);
  }

  get capacity(): number { return 1 << this.log2cap; }
  get load(): number { return this.count / this.capacity; }
  get tableBytes(): number { return this.table.byteLength; }
}

/** Words copied between two shrinks of the old table (4 MiB). */
const GIVE_BACK_WORDS = 1 << 20;

/** rehashInto, from the top of `from` down, shrinking its buffer behind the copy when it is
 *  resizable (the caller holds no other view of it). The copy fills `to` from the top down as
 *  well (a slot's home comes from the top bits), so the memory in use stays near the size of
 *  `to` rather than `from` plus `to`. */
function rehashGivingBack(from: Int32Array, to: Int32Array, shift: number, mask: number): void {
  const buf = from.buffer;
  if (!(buf instanceof ArrayBuffer) || !(buf as unknown as Resizable).resizable || from.byteOffset !== 0) { rehashInto(from, to, shift, mask); return; }
  for (let end = from.length; end > 0; end -= GIVE_BACK_WORDS) {
    const start = Math.max(0, end - GIVE_BACK_WORDS);
    // A view per piece: a fixed-length view of a shrunk buffer reads nothing.
    rehashInto(new Int32Array(buf, 4 * start, end - start), to, shift, mask);
    (buf as unknown as Resizable).resize(4 * start);
  }
}

/** Copy every fingerprint of `from` into the empty table `to`. */
export function rehashInto(from: Int32Array, to: Int32Array, shift: number, mask: number): number {
  let n = 0;
  for (let j = 0; j < from.length; j += 2) {
    const h1 = from[j];
    if (h1 === 0) continue;
    let i = h1 >>> shift;
    while (to[i << 1] !== 0) i = (i + 1) & mask;
    to[i << 1] = h1;
    to[(i << 1) + 1] = from[j + 1];
    n++;
  }
  return n;
}
