/**
 * The reference semantics of a CoreModel, written for clarity, not speed: states are plain
 * arrays of variable values. The compiled explorer must agree with it exactly; the tests
 * hold them to that.
 */
import { fail } from '../errors';
import type { CExpr, CoreAction, CoreModel, CTarget } from './core';
import type { BinOp } from './types';

export type PlainState = number[];

export function initialState(m: CoreModel): PlainState {
  return m.vars.map((x) => x.init);
}

function ivarIndex(m: CoreModel, field: number, slot: number, where: string): number {
  const f = m.fields[field];
  if (slot < 0 || slot >= f.vars.length) {
    fail('E_MODEL_RUNTIME', `${where}: reads '${f.name}' at ${slot < 0 ? 'none' : 'slot ' + slot}`);
  }
  return f.vars[slot];
}

export function evalExpr(m: CoreModel, e: CExpr, s: PlainState, t?: PlainState, where = m.name): number {
  switch (e.k) {
    case 'lit': return e.v;
    case 'var': return (e.primed ? (t as PlainState) : s)[e.v];
    case 'ivar': {
      const slot = evalExpr(m, e.index, s, t, where);
      return (e.primed ? (t as PlainState) : s)[ivarIndex(m, e.field, slot, where)];
    }
    case 'not': return evalExpr(m, e.a, s, t, where) ? 0 : 1;
    case 'ite': return evalExpr(m, e.c, s, t, where) ? evalExpr(m, e.t, s, t, where) : evalExpr(m, e.e, s, t, where);
    case 'bin': {
      if (e.op === 'and') return evalExpr(m, e.l, s, t, where) && evalExpr(m, e.r, s, t, where) ? 1 : 0;
      if (e.op === 'or') return evalExpr(m, e.l, s, t, where) || evalExpr(m, e.r, s, t, where) ? 1 : 0;
      if (e.op === 'implies') return !evalExpr(m, e.l, s, t, where) || evalExpr(m, e.r, s, t, where) ? 1 : 0;
      return applyBinOp(e.op, evalExpr(m, e.l, s, t, where), evalExpr(m, e.r, s, t, where), where);
    }
  }
}

/** A comparison or an arithmetic operator on two values (not and/or/implies, which short-cut). */
export function applyBinOp(op: BinOp, a: number, b: number, where: string): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'mod': return b === 0 ? fail('E_MODEL_RUNTIME', `${where}: modulo by zero`) : ((a % b) + b) % b;
    case 'min': return Math.min(a, b);
    case 'max': return Math.max(a, b);
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
    case 'lt': return a < b ? 1 : 0;
    case 'le': return a <= b ? 1 : 0;
    case 'gt': return a > b ? 1 : 0;
    case 'ge': return a >= b ? 1 : 0;
    case 'and': return a && b ? 1 : 0;
    case 'or': return a || b ? 1 : 0;
    case 'implies': return !a || b ? 1 : 0;
  }
}

function targetVar(m: CoreModel, t: CTarget, s: PlainState, where: string): number {
  return t.k === 'var' ? t.v : ivarIndex(m, t.field, evalExpr(m, t.index, s, undefined, where), where);
}

/** The successor of `s` by action `a`, or null when the action is not enabled. */
export function applyAction(m: CoreModel, a: CoreAction, s: PlainState): PlainState | null {
  if (m.crashVar >= 0 && s[m.crashVar] !== 0) return null;
  if (s[a.pcVar] !== a.pcFrom) return null;
  if (!evalExpr(m, a.guard, s, undefined, a.name)) return null;
  const t = s.slice();
  for (const as of a.asserts) {
    if (!evalExpr(m, as.cond, s, undefined, a.name)) {
      t[m.crashVar] = as.crash;
      return t;
    }
  }
  for (const as of a.assign) {
    const vi = targetVar(m, as.target, s, a.name);
    const value = evalExpr(m, as.value, s, undefined, a.name);
    const v = m.vars[vi];
    if (value < v.min || value > v.max) {
      fail('E_MODEL_RUNTIME', `${a.name}: writes ${value} to '${v.name}', outside ${v.min}..${v.max}`);
    }
    t[vi] = value;
  }
  t[a.pcVar] = a.pcTo;
  return t;
}

export function successors(m: CoreModel, s: PlainState): { action: number; state: PlainState }[] {
  const out: { action: number; state: PlainState }[] = [];
  for (const a of m.actions) {
    const t = applyAction(m, a, s);
    if (t) out.push({ action: a.id, state: t });
  }
  return out;
}
