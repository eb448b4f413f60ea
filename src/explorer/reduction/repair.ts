/**
 * Which steps the checked invariants and witnesses can see (docs/adr/0004, "Visibility").
 *
 * C2 keeps a step that writes what a property reads out of a reduced set. The soundness
 * argument needs less: a step t fired ahead of a path w that reaches a violating state e
 * ends in t(e), which must still violate. That holds when t can never turn a state that
 * violates an invariant into one that satisfies it (nor one where a witness holds into one
 * where it does not). Since an invariant is false only if one of its conjuncts is, and a
 * witness true only if one of its disjuncts is, it is enough that t repairs no conjunct
 * (negated disjunct).
 *
 * Decided without the search, per step and conjunct: fix what is known before the step (the
 * pc, the values its guard pins, the values the instance's own variables may hold at that pc,
 * each combination of the old values of what it writes), then partially evaluate the
 * conjunct before (Po) and after (Pn, the written variables replaced by what is written).
 * The step cannot repair it when Po is always true, Pn always false, or Po and Pn are the
 * same expression. Anything not decided this way counts as "may repair": visible, as before.
 */
import type { CExpr, CoreAction, CoreModel } from '../../ir/core';
import { applyBinOp } from '../../ir/interpret';
import { guardFacts } from '../../ir/guard-facts';
import { readVars } from '../../ir/reads';
import type { BinOp } from '../../ir/types';

type Env = ReadonlyMap<number, number>;

const lit = (v: number): CExpr => ({ k: 'lit', v });
const isLit = (e: CExpr, v?: number): boolean => e.k === 'lit' && (v === undefined || (v === 0 ? e.v === 0 : e.v !== 0));
/** Structural equality of two expressions. */
function same(a: CExpr, b: CExpr): boolean {
  if (a === b) return true;
  switch (a.k) {
    case 'lit': return b.k === 'lit' && a.v === b.v;
    case 'var': return b.k === 'var' && a.v === b.v && a.primed === b.primed;
    case 'ivar': return b.k === 'ivar' && a.field === b.field && a.primed === b.primed && same(a.index, b.index);
    case 'not': return b.k === 'not' && same(a.a, b.a);
    case 'bin': return b.k === 'bin' && a.op === b.op && same(a.l, b.l) && same(a.r, b.r);
    case 'ite': return b.k === 'ite' && same(a.c, b.c) && same(a.t, b.t) && same(a.e, b.e);
  }
}

/** Thrown where a run-time index may hit a written copy: the step counts as visible. */
class Undecided extends Error {}

/** Partial evaluation: known variables become literals, written ones their new values. */
export function simplify(m: CoreModel, e: CExpr, env: Env, subst?: ReadonlyMap<number, CExpr>): CExpr {
  const s = (x: CExpr) => simplify(m, x, env, subst);
  switch (e.k) {
    case 'lit': return e;
    case 'var': {
      if (e.primed) return e;
      const w = subst?.get(e.v);
      if (w !== undefined) return w;
      const k = env.get(e.v);
      return k === undefined ? e : lit(k);
    }
    case 'ivar': {
      const index = s(e.index);
      const vars = m.fields[e.field].vars;
      if (index.k === 'lit' && !e.primed && index.v >= 0 && index.v < vars.length) return s({ k: 'var', v: vars[index.v], primed: false });
      if (subst && vars.some((v) => subst.has(v))) throw new Undecided();
      return { ...e, index };
    }
    case 'not': {
      const a = s(e.a);
      return a.k === 'lit' ? lit(a.v ? 0 : 1) : { k: 'not', a };
    }
    case 'ite': {
      const c = s(e.c);
      if (c.k === 'lit') return c.v ? s(e.t) : s(e.e);
      const t = s(e.t), f = s(e.e);
      return same(t, f) ? t : { k: 'ite', c, t, e: f };
    }
    case 'bin': {
      const l = s(e.l), r = s(e.r);
      switch (e.op) {
        case 'and':
          if (isLit(l, 0) || isLit(r, 0)) return lit(0);
          if (isLit(l, 1)) return r.k === 'lit' ? lit(r.v ? 1 : 0) : r;
          if (isLit(r, 1)) return l;
          return { k: 'bin', op: 'and', l, r };
        case 'or':
          if (isLit(l, 1) || isLit(r, 1)) return lit(1);
          if (isLit(l, 0)) return r.k === 'lit' ? lit(r.v ? 1 : 0) : r;
          if (isLit(r, 0)) return l;
          return { k: 'bin', op: 'or', l, r };
        case 'implies':
          if (isLit(l, 0) || isLit(r, 1)) return lit(1);
          if (isLit(l, 1)) return r.k === 'lit' ? lit(r.v ? 1 : 0) : r;
          if (isLit(r, 0)) return { k: 'not', a: l };
          return { k: 'bin', op: 'implies', l, r };
      }
      if (l.k === 'lit' && r.k === 'lit') return lit(arith(e.op, l.v, r.v));
      if ((e.op === 'eq' || e.op === 'le' || e.op === 'ge') && same(l, r)) return lit(1);
      if ((e.op === 'ne' || e.op === 'lt' || e.op === 'gt') && same(l, r)) return lit(0);
      return { k: 'bin', op: e.op, l, r };
    }
  }
}

/** A comparison or arithmetic of two literals, as the interpreter computes it; a division by
 *  zero (a model error at run time) leaves the step undecided. */
function arith(op: BinOp, a: number, b: number): number {
  try { return applyBinOp(op, a, b, ''); } catch { throw new Undecided(); }
}

const splitOn = (op: 'and' | 'or', e: CExpr, into: CExpr[] = []): CExpr[] => {
  if (e.k === 'bin' && e.op === op) { splitOn(op, e.l, into); splitOn(op, e.r, into); } else into.push(e);
  return into;
};


/** What a conjunct reads, computed once per conjunct (mayRepair asks per step). */
const readsCache = new WeakMap<CExpr, Set<number>>();
function conjunctReads(m: CoreModel, c: CExpr): Set<number> {
  let r = readsCache.get(c);
  if (r === undefined) { r = readVars(m, c); readsCache.set(c, r); }
  return r;
}

/** Per instance and pc: what its own variables (those only it writes) may hold there together,
 *  each a map from variable to value; undefined where too many combinations were found. */
export type LocalValues = (Map<number, number>[] | undefined)[][];

const MAX_LOCAL_STATES = 20_000;

/**
 * The combinations of an instance's own variables at each of its pcs: a search over the
 * instance alone, from the initial values, taking a step whenever its guard is not false
 * given those variables (what others write is unknown: either way) and writing every value
 * an assignment may produce. Exact about the instance's own correlations (a deferral flag
 * and the bind phase it goes with), blind to the rest.
 */
export function localValues(m: CoreModel): LocalValues {
  const writer = writersOf(m);
  return m.instances.map((inst) => {
    const own = m.vars.filter((x) => writer.get(x.index) === inst.index && x.index !== inst.pcVar && x.index !== m.crashVar).map((x) => x.index);
    const acts = m.actions.filter((a) => a.instance === inst.index);
    const seen = inst.labels.map(() => new Map<string, Map<number, number>>());
    const todo: [number, Map<number, number>][] = [];
    const add = (pc: number, env: Map<number, number>) => {
      const key = own.map((v) => env.get(v)).join(',');
      if (seen[pc].has(key)) return;
      seen[pc].set(key, env);
      todo.push([pc, env]);
    };
    // Variables no step writes are known too: they decide guards like any own variable.
    add(0, new Map([...constantsOf(m), ...own.map((v): [number, number] => [v, m.vars[v].init])]));
    let count = 0;
    while (todo.length > 0) {
      if (++count > MAX_LOCAL_STATES) return inst.labels.map(() => undefined);
      const [pc, env] = todo.pop()!;
      for (const a of acts) {
        if (a.pcFrom !== pc) continue;
        let outs: Map<number, number>[];
        try {
          if (isLit(simplify(m, a.guard, env), 0)) continue;
          outs = [new Map(env)];
          for (const x of a.assign) {
            if (x.target.k !== 'var' || !env.has(x.target.v)) continue;
            const v = x.target.v, value = simplify(m, x.value, env);
            const ks = value.k === 'lit' ? [value.v] : range(m.vars[v].min, m.vars[v].max);
            outs = outs.flatMap((o) => ks.map((k) => new Map(o).set(v, k)));
          }
        } catch (e) { if (e instanceof Undecided) return inst.labels.map(() => undefined); throw e; }
        for (const o of outs) add(a.pcTo, o);
      }
    }
    return seen.map((s) => [...s.values()]);
  });
}

/** The conjuncts a step must not repair: each invariant's, each witness's negated disjunct. */
export function propertyConjuncts(m: CoreModel, invariants: readonly number[], witnesses: readonly number[]): CExpr[] {
  const out: CExpr[] = [];
  for (const i of invariants) if (!m.properties[i].synthetic) out.push(...splitOn('and', m.properties[i].expr));
  for (const i of witnesses) if (!m.properties[i].synthetic) for (const d of splitOn('or', m.properties[i].expr)) out.push({ k: 'not', a: d });
  return out;
}

const MAX_COMBINATIONS = 256;

/** The variables no step writes (a device's group, its firmware IOMMU; never a program
 *  counter): their initial values, known everywhere. */
const constantsCache = new WeakMap<CoreModel, Map<number, number>>();
function constantsOf(m: CoreModel): Map<number, number> {
  let c = constantsCache.get(m);
  if (c !== undefined) return c;
  // Program counters move with every step, outside the assignments.
  const writer = writersOf(m), pcs = new Set(m.instances.map((i) => i.pcVar));
  c = new Map(m.vars.filter((x) => !writer.has(x.index) && !pcs.has(x.index) && x.index !== m.crashVar).map((x) => [x.index, x.init]));
  constantsCache.set(m, c);
  return c;
}

/** Who assigns each variable: the one instance that does, or -1 (several, or through a
 *  run-time index); absent when no assignment does. */
function writersOf(m: CoreModel): Map<number, number> {
  const writer = new Map<number, number>();
  for (const a of m.actions) for (const x of a.assign) {
    if (x.target.k === 'ivar') { for (const v of m.fields[x.target.field].vars) writer.set(v, -1); continue; }
    const v = x.target.v, w = writer.get(v);
    writer.set(v, w === undefined || w === a.instance ? a.instance : -1);
  }
  return writer;
}

/** Can action a turn some conjunct false -> true? (false: surely not; true: maybe) */
export function mayRepair(m: CoreModel, a: CoreAction, conjuncts: readonly CExpr[], local: LocalValues): boolean {
  const here = local[a.instance][a.pcFrom];
  // Never reached by the instance alone: never enabled.
  if (here !== undefined && here.length === 0) return false;
  for (const own of here ?? [new Map<number, number>()]) if (mayRepairFrom(m, a, conjuncts, own)) return true;
  return false;
}

function mayRepairFrom(m: CoreModel, a: CoreAction, conjuncts: readonly CExpr[], own: ReadonlyMap<number, number>): boolean {
  const known = new Map<number, number>(constantsOf(m));
  for (const [v, k] of own) known.set(v, k);
  for (const [v, k] of guardFacts(a.guard).pins) {
    // A pin the instance's own values contradict: not enabled from here.
    if (known.has(v) && known.get(v) !== k) return false;
    known.set(v, k);
  }
  known.set(a.pcVar, a.pcFrom);
  // What the step writes: variable -> value expression (over the state before).
  const writes = new Map<number, CExpr>();
  writes.set(a.pcVar, lit(a.pcTo));
  try {
    if (isLit(simplify(m, a.guard, known), 0)) return false;
    for (const x of a.assign) {
      if (x.target.k === 'var') { writes.set(x.target.v, x.value); continue; }
      const index = simplify(m, x.target.index, known);
      const vars = m.fields[x.target.field].vars;
      if (index.k !== 'lit' || index.v < 0 || index.v >= vars.length) return true;
      writes.set(vars[index.v], x.value);
    }
  } catch (e) { if (e instanceof Undecided) return true; throw e; }
  for (const c of conjuncts) {
    const reads = conjunctReads(m, c);
    const hit = [...writes.keys()].filter((v) => reads.has(v));
    if (hit.length === 0) continue;
    // Each combination of the old values of the written variables the conjunct reads.
    const choices: number[][] = [];
    let combos = 1;
    for (const v of hit) {
      const k = known.get(v);
      const ks = k !== undefined ? [k] : range(m.vars[v].min, m.vars[v].max);
      choices.push(ks);
      combos *= ks.length;
    }
    if (combos > MAX_COMBINATIONS) return true;
    for (let n = 0; n < combos; n++) {
      const env = new Map(known);
      let r = n;
      hit.forEach((v, i) => { env.set(v, choices[i][r % choices[i].length]); r = Math.floor(r / choices[i].length); });
      try {
        const before = simplify(m, c, env);
        if (isLit(before, 1)) continue;
        const subst = new Map<number, CExpr>();
        for (const [v, value] of writes) subst.set(v, simplify(m, value, env));
        const after = simplify(m, c, env, subst);
        if (isLit(after, 0) || same(before, after)) continue;
        return true;
      } catch (e) { if (e instanceof Undecided) return true; throw e; }
    }
  }
  return false;
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(k);
  return out;
}
