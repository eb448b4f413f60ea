/**
 * Between packed words and readable states. Used for initial states, traces and tests,
 * never in the hot loop.
 */
import type { CoreModel } from '../ir/core';
import type { PlainState } from '../ir/interpret';
import { showValue } from '../ir/lower';
import type { Layout } from './layout';

export function encodeState(layout: Layout, s: PlainState, out: Int32Array<ArrayBufferLike> = new Int32Array(layout.words), off = 0): Int32Array<ArrayBufferLike> {
  for (let w = 0; w < layout.words; w++) out[off + w] = 0;
  layout.slots.forEach((sl, i) => {
    if (sl.bits === 0) return;
    out[off + sl.word] |= (s[i] - sl.min) << sl.shift;
  });
  return out;
}

export function decodeState(layout: Layout, words: Int32Array, off = 0): PlainState {
  return layout.slots.map((sl) => (sl.bits === 0 ? sl.min : ((words[off + sl.word] >>> sl.shift) & sl.mask) + sl.min));
}

export type ReadableValue = string | number | boolean;
export type ReadableState = Record<string, ReadableValue | Record<string, ReadableValue>>;

/** A state as a kernel developer reads it: fields by name, per-slot fields as objects keyed
 *  by slot name, enums and refs by name, program counters as `pc.<actor>`. */
export function readableState(m: CoreModel, s: PlainState): ReadableState {
  const entities = new Map(m.entities.map((e) => [e.name, e]));
  const out: ReadableState = {};
  for (const f of m.fields) {
    const show = (v: number): ReadableValue => {
      if (f.domain.kind === 'bool') return v !== 0;
      if (f.domain.kind === 'int') return v;
      return showValue(f.domain, v, entities);
    };
    if (f.name.startsWith('pc.')) {
      const rec: Record<string, ReadableValue> = {};
      for (const vi of f.vars) rec[m.vars[vi].name.slice(3)] = show(s[vi]);
      out[f.name] = f.over === undefined && f.vars.length === 1 ? show(s[f.vars[0]]) : rec;
    } else if (f.over === undefined) {
      out[f.name] = show(s[f.vars[0]]);
    } else {
      const ent = entities.get(f.over)!;
      const rec: Record<string, ReadableValue> = {};
      f.vars.forEach((vi, slot) => { rec[ent.slotNames[slot]] = show(s[vi]); });
      out[f.name] = rec;
    }
  }
  return out;
}
