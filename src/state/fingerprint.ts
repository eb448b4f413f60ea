/**
 * The 64-bit fingerprint of a packed state, as two 32-bit halves (h1, h2). The two low bits
 * of h1 are always set (62 bits of hash), so the table can tell apart an empty slot (0), a
 * slot being written (2), and, in the parallel search, a state stored in the current level
 * (h1 with bit 1 cleared) from an older one. A one-word state is its own h2, which makes its
 * fingerprint exact (no collision is possible); longer states hash every word into both
 * halves (h1 MurmurHash3-style, h2 xxHash32-style) with fixed seeds, so fingerprints are the
 * same in every run, thread and process. src/compile emits the same arithmetic unrolled for a
 * model's word count; this is the reference the tests hold it to.
 */
export const SEED1 = 0x9747b28c;
export const SEED2 = 0x165667b1;

/** True when the fingerprint of a state of `n` words is the state itself (no collisions). */
export const exactFingerprint = (n: number) => n === 1;

export function fingerprint(words: Int32Array<ArrayBufferLike>, off: number, n: number): [number, number] {
  if (n === 1) {
    // h2 is the state, so h1 only spreads table slots and owners: a Fibonacci multiply with
    // the high half folded down is enough, and cheap.
    const w = words[off];
    let h1 = Math.imul(w ^ SEED1, 0x9e3779b1);
    h1 ^= h1 >>> 16;
    return [h1 | 3, w];
  }
  let h1 = SEED1 ^ n;
  let h2 = (SEED2 + n) | 0;
  for (let i = 0; i < n; i++) {
    const w = words[off + i];
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = (h2 + Math.imul(w, 0xc2b2ae3d)) | 0;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = Math.imul(h2, 0x27d4eb2f);
  }
  h1 ^= h1 >>> 16; h1 = Math.imul(h1, 0x85ebca6b); h1 ^= h1 >>> 13; h1 = Math.imul(h1, 0xc2b2ae35); h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 15; h2 = Math.imul(h2, 0x85ebca77); h2 ^= h2 >>> 13; h2 = Math.imul(h2, 0x165667b1); h2 ^= h2 >>> 16;
  return [h1 | 3, h2];
}

/** Fingerprint source for src/compile: declares `h1` and `h2` from `arr[p .. p+n)`. */
export function fingerprintSource(n: number, arr: string, p: string): string {
  if (n === 1) {
    return [
      `const h2 = ${arr}[${p}];`,
      `let h1 = Math.imul(h2 ^ ${SEED1 | 0}, 0x9e3779b1);`,
      'h1 ^= h1 >>> 16; h1 |= 3;',
    ].join('\n');
  }
  const lines = [`let h1 = ${SEED1 ^ n}, h2 = ${(SEED2 + n) | 0}, k = 0, w = 0;`];
  for (let i = 0; i < n; i++) {
    lines.push(
      `w = ${arr}[${p} + ${i}];`,
      'k = Math.imul(w, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);',
      'h1 ^= k; h1 = (h1 << 13) | (h1 >>> 19); h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;',
      'h2 = (h2 + Math.imul(w, 0xc2b2ae3d)) | 0; h2 = (h2 << 17) | (h2 >>> 15); h2 = Math.imul(h2, 0x27d4eb2f);',
    );
  }
  lines.push(
    'h1 ^= h1 >>> 16; h1 = Math.imul(h1, 0x85ebca6b); h1 ^= h1 >>> 13; h1 = Math.imul(h1, 0xc2b2ae35); h1 ^= h1 >>> 16; h1 |= 3;',
    'h2 ^= h2 >>> 15; h2 = Math.imul(h2, 0x85ebca77); h2 ^= h2 >>> 13; h2 = Math.imul(h2, 0x165667b1); h2 ^= h2 >>> 16;',
  );
  return lines.join('\n');
}

/** The worker that owns a fingerprint in the parallel search: low, well-mixed bits of h1,
 *  away from the top bits that choose a table slot. One definition for the worker (seeding
 *  its table) and the generated route loop (`ownerSource`), which must agree. */
export const ownerOf = (h1: number, workers: number): number => ((h1 >>> 2) & 0xffff) % workers;
export const ownerSource = (h1: string, workers: string): string => `((${h1} >>> 2) & 0xffff) % ${workers}`;
