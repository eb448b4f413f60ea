/**
 * The shape of a model, checked node by node before it is lowered: every expression has a
 * known kind and operator and the children that kind needs, every branch its assignments and
 * goto, every step its label and branches. A model built by hand, a user's model or a patch's
 * edit can hold anything; without this an unknown operator reached the compiler, which
 * recursed until the stack overflowed. The first bad node is refused with one E_MODEL line
 * naming its path (`actor C, step c_lock, branch ok, assign[0].value.left: unknown operator 'xor'`).
 */
import { fail } from '../errors';
import type { BinOp, Model } from './types';

const BIN_OPS: ReadonlySet<BinOp> = new Set<BinOp>(['add', 'sub', 'mul', 'mod', 'min', 'max', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'implies']);
const QUANTS = new Set(['forall', 'exists', 'count']);
const KINDS = ['lit', 'sym', 'var', 'param', 'not', 'bin', 'ite', 'quant', 'at'];
/** Deeper than any model we build; a cycle (an expression that contains itself) ends here. */
const MAX_DEPTH = 500;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown) => (typeof x === 'string' ? `'${x}'` : JSON.stringify(x) ?? String(x));

export function validateModelShape(model: Model): void {
  const name = isObj(model) && typeof model.name === 'string' ? model.name : '(unnamed)';
  const bad = (where: string, msg: string): never => fail('E_MODEL', `model ${name}, ${where}: ${msg}`);
  const str = (o: Obj, key: string, where: string) => { if (typeof o[key] !== 'string') bad(where, `'${key}' must be a string, got ${show(o[key])}`); };
  const arr = (o: Obj, key: string, where: string): unknown[] => {
    const v = o[key];
    if (!Array.isArray(v)) bad(where, `'${key}' must be a list, got ${show(v)}`);
    return v as unknown[];
  };

  const expr = (e: unknown, where: string, depth = 0): void => {
    if (depth > MAX_DEPTH) bad(where, `an expression nested deeper than ${MAX_DEPTH} (does it contain itself?)`);
    if (!isObj(e)) return bad(where, `an expression must be an object with a 'kind', got ${show(e)}`);
    const sub = (key: string) => expr(e[key], `${where}.${key}`, depth + 1);
    switch (e.kind) {
      case 'lit': if (typeof e.value !== 'number' || !Number.isFinite(e.value)) bad(where, `a literal's value must be a number, got ${show(e.value)}`); return;
      case 'sym': return str(e, 'name', where);
      case 'param': return str(e, 'name', where);
      case 'var': str(e, 'field', where); if (e.index !== undefined) sub('index'); return;
      case 'not': return sub('arg');
      case 'bin':
        if (!BIN_OPS.has(e.op as BinOp)) bad(where, `unknown operator ${show(e.op)}; valid: ${[...BIN_OPS].join(', ')}`);
        sub('left'); sub('right'); return;
      case 'ite': sub('cond'); sub('then'); sub('else'); return;
      case 'quant':
        if (!QUANTS.has(e.q as string)) bad(where, `unknown quantifier ${show(e.q)}; valid: forall, exists, count`);
        str(e, 'entity', where); str(e, 'var', where); sub('body'); return;
      case 'at':
        str(e, 'actor', where);
        if (!arr(e, 'labels', where).every((l) => typeof l === 'string')) bad(where, `'labels' must be a list of labels`);
        if (e.instance !== undefined) sub('instance');
        return;
      default: bad(where, `unknown expression kind ${show(e.kind)}; valid: ${KINDS.join(', ')}`);
    }
  };

  if (!isObj(model)) return void fail('E_MODEL', `a model must be an object, got ${show(model)}`);
  for (const [i, f] of arr(model, 'fields', 'the model').entries()) {
    const where = `field[${i}]`;
    if (!isObj(f)) bad(where, `a field must be an object`);
    str(f as Obj, 'name', where);
    if (!isObj((f as Obj).domain)) bad(`field ${(f as Obj).name}`, `'domain' must be an object`);
  }
  for (const [i, a] of arr(model, 'actors', 'the model').entries()) {
    if (!isObj(a)) return bad(`actor[${i}]`, 'an actor must be an object');
    str(a, 'name', `actor[${i}]`);
    for (const [j, s] of arr(a, 'steps', `actor ${a.name}`).entries()) {
      if (!isObj(s)) return bad(`actor ${a.name}, step[${j}]`, 'a step must be an object');
      str(s, 'label', `actor ${a.name}, step[${j}]`);
      const sw = `actor ${a.name}, step ${s.label}`;
      if (s.guard !== undefined) expr(s.guard, `${sw}, guard`);
      for (const [k, b] of arr(s, 'branches', sw).entries()) {
        if (!isObj(b)) return bad(`${sw}, branch[${k}]`, 'a branch must be an object');
        const bw = `${sw}, branch ${typeof b.name === 'string' ? b.name : `[${k}]`}`;
        str(b, 'goto', bw);
        if (b.guard !== undefined) expr(b.guard, `${bw}, guard`);
        for (const [n, x] of arr(b, 'assign', bw).entries()) {
          if (!isObj(x)) return bad(`${bw}, assign[${n}]`, 'an assignment must be an object');
          str(x, 'field', `${bw}, assign[${n}]`);
          if (x.index !== undefined) expr(x.index, `${bw}, assign[${n}].index`);
          expr(x.value, `${bw}, assign[${n}].value`);
        }
        if (b.asserts !== undefined) {
          for (const [n, x] of arr(b, 'asserts', bw).entries()) {
            if (!isObj(x)) return bad(`${bw}, asserts[${n}]`, 'an assertion must be an object');
            str(x, 'name', `${bw}, asserts[${n}]`);
            expr(x.cond, `${bw}, assert ${x.name}.cond`);
          }
        }
      }
    }
  }
  for (const [i, p] of arr(model, 'properties', 'the model').entries()) {
    if (!isObj(p)) return bad(`property[${i}]`, 'a property must be an object');
    str(p, 'name', `property[${i}]`);
    expr(p.expr, `property ${p.name}, expr`);
  }
}
