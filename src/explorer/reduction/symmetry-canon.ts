/**
 * The canonical form for a symmetric entity (src/ir/symmetry.ts says when one is), as the
 * source of the compile step's `canon(a, p)` hook: the slots' blocks (every field over the
 * entity, program counters of its actors included, and with a linked entity the fields of the
 * slot's own linked slot: a device's group) are sorted by their values, the blocks move to
 * their new slots, and every value naming a slot (fields referring to either entity) or one of
 * the entity's actors' threads (lock holders) is renamed the same way. The result is π(s) for
 * a permutation π of the slots (moving each linked slot with its own), which is all soundness
 * needs. A block's reference to its own slot, its own linked slot or its own slot's thread
 * sorts by a key that does not name the slot; references to other slots can leave several
 * representatives per class (less reduction, never a wrong one). Blocks are sorted only among
 * the slots of one class (slotClasses): π keeps every constant that tells slots apart.
 */
import type { CoreModel } from '../../ir/core';
import type { LinkedEntity } from '../../ir/symmetry';
import { THREAD } from '../../ir/types';
import type { Layout } from '../../state/layout';

/**
 * The class of each slot of the entity: slots with the same values of the constants over the
 * entity that differ between slots (a device's IOMMU or driver: fields no action writes), and
 * the same actors over the entity, are in one class. Numbered by first slot.
 */
export function slotClasses(m: CoreModel, entity: string, linked?: LinkedEntity): number[] {
  const n = m.entities.find((e) => e.name === entity)?.count ?? 0;
  // Written variables, and fields written at a computed index (every copy may change).
  const written = new Set(m.actions.flatMap((a) => a.assign.flatMap((as) => (as.target.k === 'var' ? [as.target.v] : m.fields[as.target.field].vars))));
  // References to the permuted entities are renamed, not compared (the link among them).
  const permuted = (f: CoreModel['fields'][number]) => f.domain.kind === 'ref' && (f.domain.entity === entity || f.domain.entity === linked?.entity);
  const constants = m.fields.filter((f) => f.over === entity && !permuted(f) && f.vars.every((v) => !written.has(v)) && new Set(f.vars.map((v) => m.vars[v].init)).size > 1);
  const actorsAt = (slot: number) => m.instances.filter((i) => i.slot === slot && m.fields.find((f) => f.vars.includes(i.pcVar))?.over === entity).map((i) => i.actor);
  const keys = Array.from({ length: n }, (_, i) => JSON.stringify([constants.map((f) => m.vars[f.vars[i]].init), actorsAt(i)]));
  return keys.map((k) => keys.indexOf(k));
}

export function symmetryCanonSource(m: CoreModel, layout: Layout, entity: string, linked?: LinkedEntity): string {
  const n = m.entities.find((e) => e.name === entity)?.count ?? 0;
  const classOf = slotClasses(m, entity, linked);
  const classes = [...new Set(classOf)].map((c) => classOf.flatMap((x, i) => (x === c ? [i] : []))).filter((s) => s.length > 1);
  const slotOf = (v: number) => { const sl = layout.slots[v]; return [sl.word, sl.shift, sl.mask | 0, sl.min, sl.bits]; };
  // link[i]: slot i's own linked slot (constant; the identity without a linked entity).
  const linkField = linked ? m.fields.find((f) => f.name === linked.link) : undefined;
  const link = Array.from({ length: n }, (_, i) => (linkField ? m.vars[linkField.vars[i]].init : i));
  const linkInv = new Array<number>(n).fill(-1);
  link.forEach((g, i) => { linkInv[g] = i; });
  const over = m.fields.filter((f) => f.over === entity), overLinked = linked ? m.fields.filter((f) => f.over === linked.entity) : [];
  // blocks[i * K + k]: the k-th variable of slot i (its own fields, then its linked slot's).
  const K = over.length + overLinked.length;
  // A program counter of an actor that runs on some slots only has no copy on the others: a
  // constant stands there (blocks move only within a class, whose slots have the same actors).
  const NONE = [0, 0, 0, -1, 0];
  const at = (f: CoreModel['fields'][number], slot: number) => { const v = f.vars.find((x) => m.vars[x].slot === slot); return v === undefined ? NONE : slotOf(v); };
  const blocks = Array.from({ length: n }, (_, i) => [...over.map((f) => at(f, i)), ...overLinked.map((f) => at(f, link[i]))]).flat();
  const isRef = (to: string) => (f: CoreModel['fields'][number]) => f.domain.kind === 'ref' && f.domain.entity === to;
  const refs = m.fields.filter(isRef(entity)).flatMap((f) => f.vars.map(slotOf));
  const linkedRefs = linked ? m.fields.filter(isRef(linked.entity)).flatMap((f) => f.vars.map(slotOf)) : [];
  const threadRefs = m.fields.filter(isRef(THREAD)).flatMap((f) => f.vars.map(slotOf));
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
  // A block's own id (a device lock held by the device's own client, a device's own group)
  // sorts as the same key on every slot, so two states alike up to a permutation sort alike.
  const refKind = [...over, ...overLinked].map((f) => (isRef(entity)(f) ? 1 : isRef(THREAD)(f) ? 2 : linked && isRef(linked.entity)(f) ? 3 : 0));
  // Straight-line code: every read and write names its word, shift and mask (the canonical
  // form runs on every successor).
  const read = (d: number[]) => (d[4] === 0 ? `${d[3]}` : `(((a[p + ${d[0]}] >>> ${d[1]}) & ${d[2]}) + ${d[3]})`);
  const write = (d: number[], x: string) => (d[4] === 0 ? '' : `a[p + ${d[0]}] = (a[p + ${d[0]}] & ${~(d[2] << d[1])}) | ((${x} - ${d[3]}) << ${d[1]});`);
  const keyOf = (rk: number, i: number) => [`x`, `x === ${i} ? -2 : x`, `x >= 0 && SYM_TS[x] === ${i} ? -3 - SYM_TG[x] : x`, `x === ${link[i]} ? -2 : x`][rk];
  const reads: string[] = [], writes: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) reads.push(`x = ${read(blocks[i * K + k])}; SYM_V[${i * K + k}] = x; SYM_KEY[${i * K + k}] = ${keyOf(refKind[k], i)};`);
    writes.push(`o = SYM_O[${i}] * ${K};`, ...Array.from({ length: K }, (_, k) => write(blocks[i * K + k], `SYM_V[o + ${k}]`)).filter((w) => w));
  }
  const rename = (ds: number[][], to: string) => ds.filter((d) => d[4] !== 0).map((d) => `x = ${read(d)}; if (x >= 0) { ${write(d, to)} }`).join(' ');
  const J = JSON.stringify;
  return `
const SYM_N = ${n}, SYM_K = ${K};
const SYM_L = ${J(link)}, SYM_LI = ${J(linkInv)};
const SYM_TS = ${J(threadSlot)}, SYM_TG = ${J(threadGroup)}, SYM_G = ${J([...groups.values()])};
const SYM_C = ${J(classes)};
const SYM_V = new Int32Array(${Math.max(1, n * K)}), SYM_KEY = new Int32Array(${Math.max(1, n * K)}), SYM_O = new Int32Array(${Math.max(1, n)}), SYM_I = new Int32Array(${Math.max(1, n)});
function symLess(i, j) {
  for (let k = 0; k < SYM_K; k++) { const x = SYM_KEY[i * SYM_K + k], y = SYM_KEY[j * SYM_K + k]; if (x !== y) return x < y; }
  return false;
}
function canon(a, p) {
  let x, o;
  ${reads.join('\n  ')}
  for (let i = 0; i < SYM_N; i++) SYM_O[i] = i;
  for (const S of SYM_C) {
    for (let r = 1; r < S.length; r++) {
      const i = S[r];
      let q = r;
      for (; q > 0 && symLess(i, SYM_O[S[q - 1]]); q--) SYM_O[S[q]] = SYM_O[S[q - 1]];
      SYM_O[S[q]] = i;
    }
  }
  let same = true;
  for (let j = 0; j < SYM_N; j++) { SYM_I[SYM_O[j]] = j; if (SYM_O[j] !== j) same = false; }
  if (same) return;
  ${writes.join('\n  ')}
  /* rename ids of the entity */ ${rename(refs, 'SYM_I[x]')}
  /* rename ids of the linked entity */ ${rename(linkedRefs, 'SYM_L[SYM_I[SYM_LI[x]]]')}
  /* rename threads */ ${rename(threadRefs, '(SYM_TS[x] >= 0 ? SYM_G[SYM_TG[x]][SYM_I[SYM_TS[x]]] : x)')}
}`;
}

/** Action counts of a search over representatives, summed over each step's copies in the
 *  instances of the entity's actors in one class: if the step fired in one instance from a
 *  reachable state s, its copy in any alike instance fires from the permuted image of s, which
 *  is reachable too. */
export function countsUpToSymmetry(m: CoreModel, counts: readonly number[], entity: string, linked?: LinkedEntity): number[] {
  const over = new Set(m.fields.filter((f) => f.over === entity).flatMap((f) => f.vars));
  const classOf = slotClasses(m, entity, linked);
  const key = (id: number) => {
    const a = m.actions[id], inst = m.instances[a.instance];
    return over.has(inst.pcVar) ? `${inst.actor} ${a.step} ${a.branch ?? ''} ${classOf[inst.slot]}` : `#${id}`;
  };
  const sums = new Map<string, number>();
  m.actions.forEach((a) => sums.set(key(a.id), (sums.get(key(a.id)) ?? 0) + (counts[a.id] ?? 0)));
  return m.actions.map((a) => sums.get(key(a.id)) ?? 0);
}
