/**
 * A small vocabulary for writing IR by hand: `eq(v('dev.bind_phase', self), 'bound')`
 * reads like the kernel model's documents. Strings are symbols (resolved against the field they meet), numbers
 * are literals, booleans are 0/1.
 */
import { END, ME } from './types';
import type { Assign, BinOp, Branch, Expr, Step } from './types';

export type Val = Expr | number | string | boolean;

export const lit = (value: number): Expr => ({ kind: 'lit', value });
export const sym = (name: string): Expr => ({ kind: 'sym', name });
export const param = (name: string): Expr => ({ kind: 'param', name });
/** The slot of the running actor instance. */
export const self: Expr = param('self');
/** The running actor instance as a `$thread` slot (a lock holder). */
export const me: Expr = param(ME);
export const TRUE: Expr = lit(1);
export const FALSE: Expr = lit(0);

export function val(x: Val): Expr {
  if (typeof x === 'number') return lit(x);
  if (typeof x === 'boolean') return lit(x ? 1 : 0);
  if (typeof x === 'string') return sym(x);
  return x;
}

/** Read a field (with its slot index when it is over an entity). */
export const v = (field: string, index?: Val): Expr =>
  index === undefined ? { kind: 'var', field } : { kind: 'var', field, index: val(index) };
/** Read a field after the step (transition properties). */
export const next = (field: string, index?: Val): Expr =>
  index === undefined ? { kind: 'var', field, primed: true } : { kind: 'var', field, index: val(index), primed: true };

const bin = (op: BinOp) => (a: Val, b: Val): Expr => ({ kind: 'bin', op, left: val(a), right: val(b) });
export const eq = bin('eq');
export const ne = bin('ne');
export const lt = bin('lt');
export const le = bin('le');
export const gt = bin('gt');
export const ge = bin('ge');
export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const mod = bin('mod');
export const min = bin('min');
export const max = bin('max');
export const implies = bin('implies');
export const not = (a: Val): Expr => ({ kind: 'not', arg: val(a) });

export function and(...xs: Val[]): Expr {
  if (xs.length === 0) return TRUE;
  return xs.map(val).reduce((l, r) => ({ kind: 'bin', op: 'and', left: l, right: r }));
}
export function or(...xs: Val[]): Expr {
  if (xs.length === 0) return FALSE;
  return xs.map(val).reduce((l, r) => ({ kind: 'bin', op: 'or', left: l, right: r }));
}
export const ite = (cond: Val, then: Val, els: Val): Expr => ({ kind: 'ite', cond: val(cond), then: val(then), else: val(els) });
/** `x` is one of `values`. */
export const isIn = (x: Val, ...values: Val[]): Expr => or(...values.map((y) => eq(x, y)));

// The bound variable is named by the height of the quantifiers inside the body, not by a
// global counter, so that building the same model twice gives the same expressions (show
// --diff compares them); a quantifier is always higher than those in its body, so a name never
// shadows an enclosing one, however the expressions were put together.
let placeholder = 0;
function quant(q: 'forall' | 'exists' | 'count', entity: string, body: (x: Expr) => Val): Expr {
  const tmp = `$quant${placeholder++}`;
  const b = val(body(param(tmp)));
  const name = `${entity}_${q}${quantHeight(b)}`;
  return { kind: 'quant', q, entity, var: name, body: renameParam(b, tmp, name) };
}
function quantHeight(e: Expr): number {
  switch (e.kind) {
    case 'lit': case 'sym': case 'param': return 0;
    case 'var': return e.index ? quantHeight(e.index) : 0;
    case 'at': return e.instance ? quantHeight(e.instance) : 0;
    case 'not': return quantHeight(e.arg);
    case 'bin': return Math.max(quantHeight(e.left), quantHeight(e.right));
    case 'ite': return Math.max(quantHeight(e.cond), quantHeight(e.then), quantHeight(e.else));
    case 'quant': return 1 + quantHeight(e.body);
  }
}
function renameParam(e: Expr, from: string, to: string): Expr {
  const r = (x: Expr) => renameParam(x, from, to);
  switch (e.kind) {
    case 'lit': case 'sym': return e;
    case 'param': return e.name === from ? { kind: 'param', name: to } : e;
    case 'var': return e.index ? { ...e, index: r(e.index) } : e;
    case 'at': return e.instance ? { ...e, instance: r(e.instance) } : e;
    case 'not': return { kind: 'not', arg: r(e.arg) };
    case 'bin': return { ...e, left: r(e.left), right: r(e.right) };
    case 'ite': return { kind: 'ite', cond: r(e.cond), then: r(e.then), else: r(e.else) };
    case 'quant': return { ...e, body: r(e.body) };
  }
}
export const forall = (entity: string, body: (x: Expr) => Val) => quant('forall', entity, body);
export const exists = (entity: string, body: (x: Expr) => Val) => quant('exists', entity, body);
export const count = (entity: string, body: (x: Expr) => Val) => quant('count', entity, body);
/** `body` holds on each of `slots` of `entity` (which has `n` slots): one quantifier when they
 *  are all of them, the form symmetry reduction can check (src/ir/symmetry.ts); else one
 *  conjunct per slot. */
export function forallOf(entity: string, n: number, slots: readonly number[], body: (x: Expr) => Val): Expr {
  return slots.length === n ? forall(entity, body) : and(...slots.map((s) => body(lit(s))));
}

/** The actor instance (slot `instance`, or the single instance) is at one of `labels`. */
export const at = (actor: string, instance: Val | undefined, ...labels: string[]): Expr =>
  ({ kind: 'at', actor, instance: instance === undefined ? undefined : val(instance), labels });
export const ended = (actor: string, instance?: Val): Expr => at(actor, instance, END);

export const set = (field: string, index: Val | undefined, value: Val): Assign =>
  index === undefined ? { field, value: val(value) } : { field, index: val(index), value: val(value) };

/** A one-branch step. */
export function step(
  label: string,
  opts: { fn?: string; file?: string; doc?: string; guard?: Val; assign?: Assign[]; goto: string; asserts?: Branch['asserts'] },
): Step {
  return {
    label, fn: opts.fn, file: opts.file, doc: opts.doc,
    guard: opts.guard === undefined ? undefined : val(opts.guard),
    branches: [{ assign: opts.assign ?? [], goto: opts.goto, asserts: opts.asserts }],
  };
}

export const branch = (name: string, opts: { guard?: Val; assign?: Assign[]; goto: string; asserts?: Branch['asserts']; doc?: string }): Branch =>
  ({ name, guard: opts.guard === undefined ? undefined : val(opts.guard), assign: opts.assign ?? [], goto: opts.goto, asserts: opts.asserts, doc: opts.doc });

/** Lock sugar: a lock is a field holding its holder (`$thread` slot or none). Taking it is
 *  enabled only while it is free; releasing it is an ordinary write. */
export const lockFree = (lock: string, index?: Val): Expr => eq(v(lock, index), 'none');
export const acquire = (lock: string, index?: Val): Assign => set(lock, index, me);
export const release = (lock: string, index?: Val): Assign => set(lock, index, 'none');
export const holds = (lock: string, index?: Val): Expr => eq(v(lock, index), me);
