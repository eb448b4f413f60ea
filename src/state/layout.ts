/**
 * The packed layout of a state: each variable gets the fewest bits that hold its domain,
 * placed first-fit (widest first) into 32-bit words, never straddling two words. A variable
 * whose domain has one value takes no bits. A state is a slice of W words of an Int32Array.
 */
import { fail } from '../errors';
import type { CoreModel } from '../ir/core';

export interface VarSlot {
  readonly word: number;
  readonly shift: number;
  readonly bits: number;
  /** (1 << bits) - 1, as an unsigned number. */
  readonly mask: number;
  readonly min: number;
  readonly max: number;
}

export interface Layout {
  /** Words per state (at least 1). */
  readonly words: number;
  readonly slots: readonly VarSlot[];
  /** Bits actually used, for the summary. */
  readonly bitsUsed: number;
}

export function bitsFor(size: number): number {
  let b = 0;
  while ((1 << b) < size) b++;
  return b;
}

/** Variables no action ever writes (or, for a program counter, never changes): they keep
 *  their initial value, so the layout gives them no bits. */
export function constantVars(m: CoreModel): Set<number> {
  const written = new Set<number>();
  for (const a of m.actions) {
    if (a.pcTo !== a.pcFrom) written.add(a.pcVar);
    if (a.asserts.length > 0 && m.crashVar >= 0) written.add(m.crashVar);
    for (const as of a.assign) {
      if (as.target.k === 'var') written.add(as.target.v);
      else for (const v of m.fields[as.target.field].vars) written.add(v);
    }
  }
  return new Set(m.vars.filter((v) => !written.has(v.index)).map((v) => v.index));
}

export function computeLayout(m: CoreModel): Layout {
  const n = m.vars.length;
  const constant = constantVars(m);
  const bits = m.vars.map((v) => {
    if (constant.has(v.index)) return 0;
    const size = v.max - v.min + 1;
    if (size > 2 ** 30) fail('E_MODEL', `model ${m.name}: field '${v.name}' has ${size} values; at most 2^30 fit a word`);
    return bitsFor(size);
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => bits[b] - bits[a] || a - b);
  const free: number[] = [];
  const placed: { word: number; shift: number }[] = new Array(n);
  for (const i of order) {
    const b = bits[i];
    if (b === 0) { placed[i] = { word: 0, shift: 0 }; continue; }
    let w = free.findIndex((f) => f >= b);
    if (w < 0) { w = free.length; free.push(32); }
    placed[i] = { word: w, shift: 32 - free[w] };
    free[w] -= b;
  }
  const slots = m.vars.map((v, i): VarSlot => ({
    word: placed[i].word, shift: placed[i].shift, bits: bits[i],
    mask: bits[i] === 0 ? 0 : bits[i] === 32 ? 0xffffffff : (2 ** bits[i]) - 1,
    // A constant variable reads as its initial value.
    min: constant.has(v.index) ? v.init : v.min,
    max: constant.has(v.index) ? v.init : v.max,
  }));
  return { words: Math.max(1, free.length), slots, bitsUsed: bits.reduce((a, b) => a + b, 0) };
}
