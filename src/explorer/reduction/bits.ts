/** Sets of small indexes (actions, variables) as 32-bit words, for the reduction's tables. */
export type Bits = Uint32Array;

/** Words of a set of indexes 0..n-1. */
export const bitWords = (n: number): number => Math.max(1, (n + 31) >>> 5);
export const setBit = (b: Bits, i: number): void => { b[i >>> 5] |= 1 << (i & 31); };
export const hasBit = (b: Bits, i: number): boolean => (b[i >>> 5] & (1 << (i & 31))) !== 0;
