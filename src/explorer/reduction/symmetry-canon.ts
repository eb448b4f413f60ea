/**
 * The canonical form for a symmetric entity (src/ir/symmetry.ts says when one is), as the
 * source of the compile step's `canon(a, p)` hook: the slots' blocks (every field over the
 * entity, program counters of its actors included) are sorted by their values, the blocks
 * move to their new slots, and every value naming a slot (fields referring to the entity) or
 * one of its actors' threads (lock holders) is renamed the same way. The result is π(s) for a
 * permutation π of the slots, which is all soundness needs; blocks that hold ids of their own
 * entity can leave several representatives per class (less reduction, never a wrong one).
 */
import type { CoreModel } from '../../ir/core';
import { THREAD } from '../../ir/types';
import type { Layout } from '../../state/layout';

export function symmetryCanonSource(m: CoreModel, layout: Layout, entity: string): string {
  const n = m.entities.find((e) => e.name === entity)?.count ?? 0;
  const over = m.fields.filter((f) => f.over === entity);
  const slotOf = (v: number) => { const sl = layout.slots[v]; return [sl.word, sl.shift, sl.mask | 0, sl.min, sl.bits]; };
  // blocks[i * K + k]: the k-th variable of slot i.
  const K = over.length;
  const blocks = Array.from({ length: n }, (_, i) => over.map((f) => slotOf(f.vars[i]))).flat();
  const refs = m.fields.filter((f) => f.domain.kind === 'ref' && f.domain.entity === entity).flatMap((f) => f.vars.map(slotOf));
  const threadRefs = m.fields.filter((f) => f.domain.kind === 'ref' && f.domain.entity === THREAD).flatMap((f) => f.vars.map(slotOf));
  // threadAt[t] = [actor group, slot] for threads of actors over the entity; the group's
  // threads by slot, to rename a thread when its slot moves.
  const groups = new Map<string, number[]>();
  for (const inst of m.instances) {
    const pc = m.fields.find((f) => f.vars.includes(inst.pcVar));
    if (pc?.over !== entity) continue;
    const g = groups.get(inst.actor) ?? new Array<number>(n).fill(-1);
    g[inst.slot] = inst.index;
    groups.set(inst.actor, g);
  }
  const threadSlot = new Array<number>(m.instances.length).fill(-1), threadGroup = new Array<number>(m.instances.length).fill(-1);
  [...groups.values()].forEach((g, gi) => g.forEach((t, slot) => { if (t >= 0) { threadSlot[t] = slot; threadGroup[t] = gi; } }));
  const J = JSON.stringify;
  return `
const SYM_N = ${n}, SYM_K = ${K};
const SYM_B = ${J(blocks)}, SYM_R = ${J(refs)}, SYM_T = ${J(threadRefs)};
const SYM_TS = ${J(threadSlot)}, SYM_TG = ${J(threadGroup)}, SYM_G = ${J([...groups.values()])};
const SYM_V = new Int32Array(${Math.max(1, n * K)}), SYM_O = new Int32Array(${Math.max(1, n)}), SYM_I = new Int32Array(${Math.max(1, n)});
function symRead(a, p, d) { return ((a[p + d[0]] >>> d[1]) & d[2]) + d[3]; }
function symWrite(a, p, d, x) { if (d[4] !== 0) a[p + d[0]] = (a[p + d[0]] & ~(d[2] << d[1])) | ((x - d[3]) << d[1]); }
function symLess(i, j) {
  for (let k = 0; k < SYM_K; k++) { const x = SYM_V[i * SYM_K + k], y = SYM_V[j * SYM_K + k]; if (x !== y) return x < y; }
  return false;
}
function canon(a, p) {
  for (let i = 0; i < SYM_N * SYM_K; i++) SYM_V[i] = symRead(a, p, SYM_B[i]);
  for (let i = 0; i < SYM_N; i++) {
    let j = i;
    for (; j > 0 && symLess(i, SYM_O[j - 1]); j--) SYM_O[j] = SYM_O[j - 1];
    SYM_O[j] = i;
  }
  let same = true;
  for (let j = 0; j < SYM_N; j++) { SYM_I[SYM_O[j]] = j; if (SYM_O[j] !== j) same = false; }
  if (same) return;
  for (let j = 0; j < SYM_N; j++) for (let k = 0; k < SYM_K; k++) symWrite(a, p, SYM_B[j * SYM_K + k], SYM_V[SYM_O[j] * SYM_K + k]);
  for (const d of SYM_R) { const x = symRead(a, p, d); if (x >= 0) symWrite(a, p, d, SYM_I[x]); }
  for (const d of SYM_T) { const t = symRead(a, p, d); if (t >= 0 && SYM_TS[t] >= 0) symWrite(a, p, d, SYM_G[SYM_TG[t]][SYM_I[SYM_TS[t]]]); }
}`;
}
