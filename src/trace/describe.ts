/**
 * Reading a lowered model for people: variable values by name, the fields a step reads and
 * writes (walked from its guard and assignments), and IR expressions printed readably.
 * Used by trace files and the CLI; never in the hot loop.
 */
import type { CExpr, CoreAction, CoreModel, CoreProperty } from '../ir/core';
import { evalExpr, type PlainState } from '../ir/interpret';
import { showValue } from '../ir/lower';

const entityMaps = new WeakMap<CoreModel, Map<string, CoreModel['entities'][number]>>();
function entitiesOf(m: CoreModel) {
  let e = entityMaps.get(m);
  if (!e) { e = new Map(m.entities.map((x) => [x.name, x])); entityMaps.set(m, e); }
  return e;
}

/** The value of variable `vi` as the model names it: 'G', 'none', 'true', 'dma', '3'. */
export function showVar(m: CoreModel, vi: number, value: number): string {
  const f = m.fields[m.vars[vi].field];
  if (f.name === '$crash') return value === 0 ? 'none' : (m.crashNames[value - 1] ?? String(value));
  return showValue(f.domain, value, entitiesOf(m));
}

/** Program counters and the crash record are made by lowering; they are not kernel fields. */
export function isSynthetic(m: CoreModel, vi: number): boolean {
  return m.fields[m.vars[vi].field].synthetic;
}

export function isGhost(m: CoreModel, vi: number): boolean {
  return m.fields[m.vars[vi].field].ghost;
}

/** Variables an expression reads in state `s` (an indexed read resolved in `s`). */
export function readVars(m: CoreModel, e: CExpr, s: PlainState, out: Set<number> = new Set(), t?: PlainState): Set<number> {
  switch (e.k) {
    case 'lit': break;
    case 'var': out.add(e.v); break;
    case 'ivar': {
      readVars(m, e.index, s, out, t);
      const slot = safeEval(m, e.index, s, t);
      const f = m.fields[e.field];
      if (slot !== undefined && slot >= 0 && slot < f.vars.length) out.add(f.vars[slot]);
      break;
    }
    case 'not': readVars(m, e.a, s, out, t); break;
    case 'bin': readVars(m, e.l, s, out, t); readVars(m, e.r, s, out, t); break;
    case 'ite': readVars(m, e.c, s, out, t); readVars(m, e.t, s, out, t); readVars(m, e.e, s, out, t); break;
  }
  return out;
}

function safeEval(m: CoreModel, e: CExpr, s: PlainState, t?: PlainState): number | undefined {
  try { return evalExpr(m, e, s, t); } catch { return undefined; }
}

/** The kernel fields a step reads (guard, values, indices, asserts) and writes, in state `s`
 *  before the step; program counters left out. Sorted by variable index. */
export function readWriteSets(m: CoreModel, a: CoreAction, s: PlainState): { reads: string[]; writes: string[] } {
  const r = new Set<number>();
  readVars(m, a.guard, s, r);
  for (const as of a.asserts) readVars(m, as.cond, s, r);
  const w = new Set<number>();
  for (const as of a.assign) {
    readVars(m, as.value, s, r);
    if (as.target.k === 'var') w.add(as.target.v);
    else {
      readVars(m, as.target.index, s, r);
      const slot = safeEval(m, as.target.index, s);
      const f = m.fields[as.target.field];
      if (slot !== undefined && slot >= 0 && slot < f.vars.length) w.add(f.vars[slot]);
    }
  }
  const names = (set: Set<number>) => [...set].filter((vi) => !isSynthetic(m, vi)).sort((x, y) => x - y).map((vi) => m.vars[vi].name);
  return { reads: names(r), writes: names(w) };
}

/** Variables that differ between two states, kernel fields first (no program counters). */
export function changedVars(m: CoreModel, before: PlainState, after: PlainState): number[] {
  const out: number[] = [];
  for (let i = 0; i < after.length; i++) if (before[i] !== after[i] && !(isSynthetic(m, i) && m.vars[i].name.startsWith('pc.'))) out.push(i);
  return out;
}

/** `dev.iommu_group[D]=G` for each changed variable. */
export function changes(m: CoreModel, before: PlainState, after: PlainState): string[] {
  return changedVars(m, before, after).map((vi) => `${m.vars[vi].name}=${showVar(m, vi, after[vi])}`);
}

const OPS: Record<string, [string, number]> = {
  implies: ['=>', 1], or: ['\\/', 2], and: ['/\\', 3],
  eq: ['=', 4], ne: ['#', 4], lt: ['<', 4], le: ['<=', 4], gt: ['>', 4], ge: ['>=', 4],
  add: ['+', 5], sub: ['-', 5], mul: ['*', 6], mod: ['%', 6],
};

/** An expression in a TLA+-like notation with the model's names: a comparison of a field
 *  with a literal shows the literal in the field's domain (`dev.iommu_group[D] = G`). */
export function showExpr(m: CoreModel, e: CExpr): string {
  const domainOf = (x: CExpr): number | undefined => (x.k === 'var' ? x.v : x.k === 'ivar' ? m.fields[x.field].vars[0] : undefined);
  const go = (x: CExpr, prec: number, hint?: number): string => {
    switch (x.k) {
      case 'lit': return hint !== undefined ? showVar(m, hint, x.v) : String(x.v);
      case 'var': return m.vars[x.v].name + (x.primed ? "'" : '');
      case 'ivar': return `${m.fields[x.field].name}[${go(x.index, 0)}]${x.primed ? "'" : ''}`;
      case 'not': return `~${go(x.a, 9)}`;
      case 'ite': return `(IF ${go(x.c, 0)} THEN ${go(x.t, 0, hint)} ELSE ${go(x.e, 0, hint)})`;
      case 'bin': {
        if (x.op === 'min' || x.op === 'max') return `${x.op}(${go(x.l, 0)}, ${go(x.r, 0)})`;
        const [sym, p] = OPS[x.op];
        const cmp = p === 4;
        const lh = cmp ? domainOf(x.r) : undefined, rh = cmp ? domainOf(x.l) : undefined;
        const text = `${go(x.l, p + (x.op === 'implies' ? 1 : 0), lh)} ${sym} ${go(x.r, p + 1, rh)}`;
        return p < prec ? `(${text})` : text;
      }
    }
  };
  return go(e, 0);
}

/** The fields a property reads, with their values in the last state (and the one before,
 *  for a transition property): the values that broke it. */
export function propertyValues(m: CoreModel, p: CoreProperty, states: readonly PlainState[]): string[] {
  const last = states[states.length - 1];
  const prev = states.length > 1 ? states[states.length - 2] : last;
  if (p.kind === 'transition') {
    const vs = readVars(m, p.expr, prev, new Set(), last);
    return [...vs].sort((a, b) => a - b).map((vi) => {
      const a = showVar(m, vi, prev[vi]), b = showVar(m, vi, last[vi]);
      return a === b ? `${m.vars[vi].name} = ${a}` : `${m.vars[vi].name} = ${a} -> ${b}`;
    });
  }
  const vs = readVars(m, p.expr, last);
  return [...vs].sort((a, b) => a - b).map((vi) => `${m.vars[vi].name} = ${showVar(m, vi, last[vi])}`);
}
