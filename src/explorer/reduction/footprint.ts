/**
 * Footprints for partial-order reduction, computed once per model from the lowered IR (never
 * per model by hand): which variables each action reads and writes, which actions may
 * conflict, which may enable a disabled one, and which are visible to the checked properties.
 * See docs/adr/0004-partial-order-reduction.md for why each rule is there.
 *
 * Conservative by construction: a read or write through a run-time index counts as touching
 * every copy of the field, and a guard that is false counts every writer of anything it reads
 * as a possible enabler. Missing an entry would be unsound; an extra one only costs reduction.
 *
 * The crash record is left out of the tables on purpose: a failing assertion ends the run at
 * that state (nothing follows a crash); what the assertion tests is added to the step's reads
 * instead, as REDUCTION.md §2 prescribes, and a state where a chosen step's assertion fails
 * is expanded in full by the search (reduced-search.ts), since that step disables all others.
 */
import { conjuncts, MAX_ATOMS } from '../../compile/guard-atoms';
import type { CExpr, CoreModel } from '../../ir/core';
import { guardFacts, type GuardFacts } from '../../ir/guard-facts';
import { readVars } from '../../ir/reads';
import { findMutexes, type Mutexes } from './mutexes';
import { localValues, mayRepair, propertyConjuncts, type LocalValues } from './repair';

import { bitWords, type Bits, hasBit, setBit } from './bits';

export { bitWords, type Bits, hasBit } from './bits';

export interface Footprint {
  readonly actions: number;
  /** Words of an action set. */
  readonly aw: number;
  /** Per action: the variables read (guard, pc, assignments, indexes, assertions, plus what
   *  step properties need) and written (pc when it moves, assignment targets). */
  readonly reads: readonly Bits[];
  readonly writes: readonly Bits[];
  /** Per action, an action set: those that may conflict with it (a write of one meets a read
   *  or write of the other; the same instance's steps conflict through the pc). */
  readonly dep: readonly Bits[];
  /** Per action, an action set: those that move its instance's pc to its step. */
  readonly pcEnablers: readonly Bits[];
  /** Per action, pcEnablers closed transitively: every step of its instance from which its
   *  step can be reached. Enough enablers for each of its members too. */
  readonly pcReach: readonly Bits[];
  /** Per action, an action set: those that write anything its guard reads. */
  readonly guardEnablers: readonly Bits[];
  /** Per action and guard conjunct (guard-atoms.ts): the actions that can make it true. */
  readonly atomEnablers: readonly (readonly Bits[])[];
  /** 1 for an action that writes what an invariant or witness reads. */
  readonly visible: Uint8Array;
  readonly pcVar: Int32Array;
  readonly instance: Int32Array;
  readonly pcFrom: Int32Array;
  /** How many actions are visible, for the summary (never silently zero when properties read
   *  something: LTSmin #169). */
  readonly visibleCount: number;
  /** The mutexes the model's steps take and release (mutexes.ts). */
  readonly mutexes: Mutexes;
}

/** What the search checks, by property index (CompiledSource.selected). */
export interface Checked {
  readonly invariant: readonly number[];
  readonly transition: readonly number[];
  readonly terminal: readonly number[];
  readonly witness: readonly number[];
}

/** Variables an expression reads (primed and unprimed alike). */
export function exprReads(m: CoreModel, e: CExpr, into: Bits): void {
  for (const v of readVars(m, e)) setBit(into, v);
}

/**
 * How an action reads one variable: the literals it compares it with by = or !=, or null
 * when it uses the value otherwise. A step that moves the variable between two known values
 * outside that set cannot change what such a reader sees: this is what makes waiting on
 * another actor's pc ('at') independent of that actor's other steps.
 */
type ReadUse = Map<number, Set<number> | null>;
/** How an action writes one variable: the value before (known from a guard conjunct
 *  `v = lit`, or the pc's own label) and after (a literal), when known. */
interface WriteUse { readonly from?: number; readonly to?: number }

function noteReads(m: CoreModel, e: CExpr, use: ReadUse): void {
  const any = (v: number) => use.set(v, null);
  const lit = (v: number, k: number) => { const old = use.get(v); if (old === undefined) use.set(v, new Set([k])); else if (old !== null) old.add(k); };
  switch (e.k) {
    case 'lit': return;
    case 'var': any(e.v); return;
    case 'ivar': for (const v of m.fields[e.field].vars) any(v); noteReads(m, e.index, use); return;
    case 'not': noteReads(m, e.a, use); return;
    case 'ite': noteReads(m, e.c, use); noteReads(m, e.t, use); noteReads(m, e.e, use); return;
    case 'bin':
      if ((e.op === 'eq' || e.op === 'ne') && e.l.k === 'var' && e.r.k === 'lit') { lit(e.l.v, e.r.v); return; }
      if ((e.op === 'eq' || e.op === 'ne') && e.r.k === 'var' && e.l.k === 'lit') { lit(e.r.v, e.l.v); return; }
      noteReads(m, e.l, use); noteReads(m, e.r, use);
  }
}

/** False only when no state enables both: their guards pin a variable to different values,
 *  or one pins a value the other rules out. */
function mayBeCoEnabled(a: GuardFacts, b: GuardFacts): boolean {
  for (const [v, k] of a.pins) {
    const kb = b.pins.get(v);
    if (kb !== undefined && kb !== k) return false;
    if (b.outs.get(v)?.has(k)) return false;
  }
  for (const [v, k] of b.pins) if (a.outs.get(v)?.has(k)) return false;
  return true;
}

function mergeReads(into: ReadUse, from: ReadUse): void {
  for (const [v, ks] of from) {
    const old = into.get(v);
    if (old === null) continue;
    if (ks === null) into.set(v, null);
    else if (old === undefined) into.set(v, new Set(ks));
    else for (const k of ks) old.add(k);
  }
}

/** Can this write change what this read sees? */
function changes(w: WriteUse, ks: Set<number> | null): boolean {
  if (ks === null || w.from === undefined || w.to === undefined) return true;
  if (w.from === w.to) return false;
  return ks.has(w.from) || ks.has(w.to);
}

/** Two writes of one variable clash unless each step's guard pins a different old value:
 *  then they are never enabled together, and one can follow the other only through a step
 *  that writes back the other's old value, which meets that step's guard read. */
function writesClash(a: Map<number, WriteUse>, b: Map<number, WriteUse>): boolean {
  for (const [v, wa] of a) {
    const wb = b.get(v);
    if (wb === undefined) continue;
    if (wa.from === undefined || wb.from === undefined || wa.from === wb.from) return true;
  }
  return false;
}

function meets(writes: Map<number, WriteUse>, reads: ReadUse): boolean {
  for (const [v, w] of writes) { const ks = reads.get(v); if (ks !== undefined && changes(w, ks)) return true; }
  return false;
}

/** The analyses a footprint builds on: the model's own unless a test gives others. */
export interface FootprintInputs { readonly mutexes?: Mutexes; readonly local?: LocalValues }

export function computeFootprint(m: CoreModel, checked: Checked, given: FootprintInputs = {}): Footprint {
  const mutexes = given.mutexes ?? findMutexes(m);
  const n = m.actions.length, vw = bitWords(m.vars.length), aw = bitWords(n);
  const crash = m.crashVar;
  const readUse = (exprs: readonly CExpr[]): ReadUse => { const u: ReadUse = new Map(); for (const e of exprs) noteReads(m, e, u); u.delete(crash); return u; };
  const bitsOf = (keys: Iterable<number>): Bits => { const b = new Uint32Array(vw); for (const v of keys) setBit(b, v); return b; };

  // What the properties read.
  const user = (list: readonly number[]) => list.map((i) => m.properties[i]).filter((p) => !p.synthetic);
  const visExprs = [...user(checked.invariant), ...user(checked.witness)].map((p) => p.expr);
  // A property that reads the crash record sees every asserting step.
  const crashVisible = crash >= 0 && visExprs.some((e) => { const b = new Uint32Array(vw); exprReads(m, e, b); return hasBit(b, crash); });
  const visUse = readUse(visExprs);
  // A terminal property that holds at every crash state ("crashed, or ...") sees nothing of
  // what an asserting step read.
  const termUse = readUse(user(checked.terminal).filter((p) => !holdsWhenCrashed(p.expr, crash)).map((p) => p.expr));

  const readUses: ReadUse[] = [], writeUses: Map<number, WriteUse>[] = [], guardUses: ReadUse[] = [], factsOf: GuardFacts[] = [];
  for (const a of m.actions) {
    const own: ReadUse = new Map([[a.pcVar, new Set([a.pcFrom])]]);
    const g = readUse([a.guard]);
    mergeReads(g, own);
    guardUses.push(g);
    const r = readUse([a.guard, ...a.assign.map((x) => x.value), ...a.asserts.map((x) => x.cond)]);
    mergeReads(r, own);
    const facts = guardFacts(a.guard);
    facts.pins.set(a.pcVar, a.pcFrom);
    factsOf.push(facts);
    const pins = facts.pins;
    const w = new Map<number, WriteUse>();
    if (a.pcTo !== a.pcFrom) w.set(a.pcVar, { from: a.pcFrom, to: a.pcTo });
    for (const x of a.assign) {
      if (x.target.k === 'var') {
        const v = x.target.v;
        w.set(v, w.has(v) ? {} : { from: pins.get(v), to: x.value.k === 'lit' ? x.value.v : undefined });
      } else {
        for (const v of m.fields[x.target.field].vars) w.set(v, {});
        mergeReads(r, readUse([x.target.index]));
      }
    }
    w.delete(crash);
    // A crash state is the state before the step plus the crash record: a terminal property
    // evaluated there depends on what the asserting step saw.
    if (a.asserts.length > 0) mergeReads(r, termUse);
    readUses.push(r);
    writeUses.push(w);
  }
  // A transition property is a check of the step (REDUCTION.md §2): its reads join the reads
  // of every step that can change its value, which is every step that writes what it reads,
  // and every step at all unless a stuttering step always satisfies it.
  for (const i of checked.transition) {
    const p = m.properties[i];
    const pu = readUse([p.expr]);
    const stutterSafe = holdsWhenStuttering(p.expr);
    for (let t = 0; t < n; t++) if (!stutterSafe || [...writeUses[t].keys()].some((v) => pu.has(v))) mergeReads(readUses[t], pu);
  }

  const atomEnablers = m.actions.map((a) => conjuncts(a.guard).slice(0, MAX_ATOMS).map((c) => {
    const cu = readUse([c]);
    const b = new Uint32Array(aw);
    for (let u = 0; u < n; u++) if (meets(writeUses[u], cu)) setBit(b, u);
    return b;
  }));
  // Steps of two instances that both surely hold one mutex are never enabled together.
  const exclusive = (t: number, u: number) => m.actions[t].instance !== m.actions[u].instance && mutexes.heldAt[t].some((k) => mutexes.heldAt[u].includes(k));
  const dep: Bits[] = [], pcEnablers: Bits[] = [], guardEnablers: Bits[] = [];
  const visible = new Uint8Array(n);
  const local = given.local ?? localValues(m);
  const visConjuncts = propertyConjuncts(m, checked.invariant, checked.witness);
  let visibleCount = 0;
  for (let t = 0; t < n; t++) {
    const d = new Uint32Array(aw), pe = new Uint32Array(aw), ge = new Uint32Array(aw);
    const at = m.actions[t];
    for (let u = 0; u < n; u++) {
      // Strong stubborn sets need, for an enabled step, the conflicting steps that can be
      // enabled with it (Laarman et al. 2013): a step never enabled together with t can
      // neither disable t nor fire between t's enabling and t.
      const co = mayBeCoEnabled(factsOf[t], factsOf[u]) && !exclusive(t, u);
      if (co && (writesClash(writeUses[t], writeUses[u]) || meets(writeUses[t], readUses[u]) || meets(writeUses[u], readUses[t]))) setBit(d, u);
      const au = m.actions[u];
      if (au.instance === at.instance && au.pcTo === at.pcFrom && au.pcFrom !== at.pcFrom) setBit(pe, u);
      if (meets(writeUses[u], guardUses[t])) setBit(ge, u);
    }
    setBit(d, t);
    dep.push(d); pcEnablers.push(pe); guardEnablers.push(ge);
    // Visible: it writes what an invariant or witness reads, in a way that can repair a
    // violated invariant or falsify a reached witness (repair.ts).
    if ((crashVisible && at.asserts.length > 0) || (meets(writeUses[t], visUse) && mayRepair(m, at, visConjuncts, local))) { visible[t] = 1; visibleCount++; }
  }
  const pcReach = pcEnablers.map((pe) => {
    const r = Uint32Array.from(pe);
    const todo: number[] = [];
    for (let u = 0; u < n; u++) if (hasBit(pe, u)) todo.push(u);
    while (todo.length > 0) {
      const u = todo.pop() as number;
      for (let x = 0; x < n; x++) if (hasBit(pcEnablers[u], x) && !hasBit(r, x)) { setBit(r, x); todo.push(x); }
    }
    return r;
  });
  return {
    actions: n, aw, dep, pcEnablers, pcReach, guardEnablers, atomEnablers, visible, visibleCount, mutexes,
    reads: readUses.map((r) => bitsOf(r.keys())), writes: writeUses.map((w) => bitsOf(w.keys())),
    pcVar: Int32Array.from(m.actions, (a) => a.pcVar), instance: Int32Array.from(m.actions, (a) => a.instance), pcFrom: Int32Array.from(m.actions, (a) => a.pcFrom),
  };
}

/**
 * True when the expression is true for every state paired with itself (x' read as x): then
 * a step that writes nothing it reads cannot violate it. Decided by folding, so false means
 * "not shown", never "fails".
 */
export function holdsWhenStuttering(e: CExpr): boolean {
  return fold(unprime(e)) === 1;
}

/** True when the expression is true in every state whose crash record is set (read as
 *  `crash != 0`, or `crash = 0` false), decided by folding. */
export function holdsWhenCrashed(e: CExpr, crash: number): boolean {
  if (crash < 0) return false;
  const sub = (x: CExpr): CExpr => {
    switch (x.k) {
      case 'lit': case 'var': case 'ivar': return x;
      case 'not': return { k: 'not', a: sub(x.a) };
      case 'ite': return { k: 'ite', c: sub(x.c), t: sub(x.t), e: sub(x.e) };
      case 'bin': {
        const onCrash = (x.op === 'ne' || x.op === 'eq') && ((x.l.k === 'var' && x.l.v === crash && x.r.k === 'lit' && x.r.v === 0) || (x.r.k === 'var' && x.r.v === crash && x.l.k === 'lit' && x.l.v === 0));
        if (onCrash) return { k: 'lit', v: x.op === 'ne' ? 1 : 0 };
        return { k: 'bin', op: x.op, l: sub(x.l), r: sub(x.r) };
      }
    }
  };
  return fold(sub(e)) === 1;
}

function unprime(e: CExpr): CExpr {
  switch (e.k) {
    case 'lit': return e;
    case 'var': return { k: 'var', v: e.v, primed: false };
    case 'ivar': return { k: 'ivar', field: e.field, index: unprime(e.index), primed: false };
    case 'not': return { k: 'not', a: unprime(e.a) };
    case 'bin': return { k: 'bin', op: e.op, l: unprime(e.l), r: unprime(e.r) };
    case 'ite': return { k: 'ite', c: unprime(e.c), t: unprime(e.t), e: unprime(e.e) };
  }
}

const same = (a: CExpr, b: CExpr): boolean => JSON.stringify(a) === JSON.stringify(b);

/** 1 or 0 when the boolean value is known whatever the state, else undefined. */
function fold(e: CExpr): 0 | 1 | undefined {
  switch (e.k) {
    case 'lit': return e.v !== 0 ? 1 : 0;
    case 'not': { const a = fold(e.a); return a === undefined ? undefined : a === 1 ? 0 : 1; }
    case 'ite': {
      const c = fold(e.c), t = fold(e.t), f = fold(e.e);
      if (c !== undefined) return c === 1 ? t : f;
      return t !== undefined && t === f ? t : undefined;
    }
    case 'bin': {
      const l = fold(e.l), r = fold(e.r);
      switch (e.op) {
        case 'and': return l === 0 || r === 0 ? 0 : l === 1 && r === 1 ? 1 : undefined;
        case 'or': return l === 1 || r === 1 ? 1 : l === 0 && r === 0 ? 0 : undefined;
        case 'implies': return l === 0 || r === 1 ? 1 : l === 1 && r === 0 ? 0 : undefined;
        case 'eq': case 'le': case 'ge': return same(e.l, e.r) ? 1 : undefined;
        case 'ne': case 'lt': case 'gt': return same(e.l, e.r) ? 0 : undefined;
        default: return undefined;
      }
    }
    default: return undefined;
  }
}
