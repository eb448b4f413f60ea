/**
 * A tiny, independent explicit-state checker for the TLA+ fragment the exporter emits, run on
 * the exported TEXT (parsed by the tree-sitter grammar), never on the CoreModel. It stands in
 * for TLC, which this machine does not have: breadth-first from Init, Next as a relation
 * (conjunctions thread primed bindings left to right, disjunctions fork, `x' = e` binds an
 * unbound x', UNCHANGED binds to the old value, IF chooses a branch), invariants from the cfg
 * checked on every distinct state, action properties `[][A]_v` on every step, distinct states
 * counted by value. Evaluation errors (a function applied outside its domain, a failed
 * Assert, a CASE with no arm) throw, as they stop TLC.
 */
import type { TsNode } from '../../src/bridge/grammar';

export interface Ast {
  readonly t: string;
  readonly text: string;
  readonly kids: readonly Ast[];
  readonly f: Readonly<Record<string, Ast[]>>;
}

export function toAst(n: TsNode): Ast {
  const kids: Ast[] = [];
  const f: Record<string, Ast[]> = {};
  const cs = n.children;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (!c.isNamed || c.type === 'comment' || c.type === 'block_comment') continue;
    const a = toAst(c);
    kids.push(a);
    const name = n.fieldNameForChild(i);
    if (name) (f[name] ??= []).push(a);
  }
  return { t: n.type, text: kids.length ? '' : n.text, kids, f };
}

// Values: number | boolean | string | Fn | TSet.
export type Value = number | boolean | string | Fn | TSet;
export class Fn { constructor(readonly m: Map<string, [Value, Value]>) {} }
export class TSet { constructor(readonly m: Map<string, Value>) {} }

export function key(v: Value): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Fn) return '[' + [...v.m.keys()].sort().map((k) => `${k}|->${key(v.m.get(k)![1])}`).join(',') + ']';
  return '{' + [...v.m.keys()].sort().join(',') + '}';
}
const setOf = (xs: Value[]) => new TSet(new Map(xs.map((x) => [key(x), x])));
const tuple = (xs: Value[]) => new Fn(new Map(xs.map((x, i) => [key(i + 1), [i + 1, x] as [Value, Value]])));

class EvalError extends Error {}
const bad = (msg: string): never => { throw new EvalError(msg); };

type State = Map<string, Value>;
interface Ctx { s: State; t: State | null; bound: Map<string, Value> }

export class MiniTlc {
  readonly defs = new Map<string, { params: string[]; body: Ast }>();
  readonly vars: string[] = [];

  constructor(root: TsNode) {
    const mod = toAst(root).kids.find((k) => k.t === 'module') ?? bad('no module');
    for (const u of mod.kids) {
      if (u.t === 'variable_declaration') for (const k of u.kids) this.vars.push(k.text);
      if (u.t === 'operator_definition') {
        this.defs.set(u.f.name[0].text, { params: (u.f.parameter ?? []).map((p) => p.text), body: u.f.definition[0] });
      }
    }
  }

  private def(name: string) { return this.defs.get(name) ?? bad(`unknown operator ${name}`); }

  // ---- state-level evaluation ----
  ev(a: Ast, c: Ctx): Value {
    switch (a.t) {
      case 'nat_number': return Number(a.text);
      case 'string': return JSON.parse(a.text);
      case 'boolean': return a.text === 'TRUE';
      case 'boolean_set': return setOf([false, true]);
      case 'parentheses': return this.ev(a.kids[0], c);
      case 'identifier_ref': {
        const n = a.text;
        if (c.bound.has(n)) return c.bound.get(n)!;
        if (this.vars.includes(n)) return c.s.get(n) ?? bad(`unbound variable ${n}`);
        const d = this.def(n);
        if (d.params.length) bad(`${n} needs arguments`);
        return this.ev(d.body, { ...c, bound: new Map() });
      }
      case 'finite_set_literal': return setOf(a.kids.map((k) => this.ev(k, c)));
      case 'tuple_literal': return tuple(a.kids.filter((k) => k.t !== 'langle_bracket' && k.t !== 'rangle_bracket').map((k) => this.ev(k, c)));
      case 'function_evaluation': {
        const f = this.ev(a.kids[0], c);
        return this.apply(f, this.ev(a.kids[1], c));
      }
      case 'function_literal': {
        const qb = a.kids[0];
        const v = qb.f.intro[0].text;
        const dom = this.asSet(this.ev(qb.f.set[0], c));
        const m = new Map<string, [Value, Value]>();
        for (const [k, x] of dom.m) m.set(k, [x, this.ev(a.kids[a.kids.length - 1], { ...c, bound: new Map(c.bound).set(v, x) })]);
        return new Fn(m);
      }
      case 'if_then_else': return this.truth(this.ev(a.f.if[0], c)) ? this.ev(a.f.then[0], c) : this.ev(a.f.else[0], c);
      case 'case': {
        for (const arm of a.kids.filter((k) => k.t === 'case_arm')) {
          const [cond, val] = arm.kids.filter((k) => k.t !== 'case_arrow');
          if (this.truth(this.ev(cond, c))) return this.ev(val, c);
        }
        return bad('CASE: no arm applies');
      }
      case 'choose': {
        const v = a.f.intro[0].text;
        for (const [, x] of this.asSet(this.ev(a.f.set[0], c)).m) {
          if (this.truth(this.ev(a.f.expression[0], { ...c, bound: new Map(c.bound).set(v, x) }))) return x;
        }
        return bad('CHOOSE: no value satisfies');
      }
      case 'except': {
        const f = this.ev(a.f.expr_to_update[0], c);
        if (!(f instanceof Fn)) return bad('EXCEPT on a non-function');
        const m = new Map(f.m);
        for (const u of a.kids.filter((k) => k.t === 'except_update')) {
          const spec = u.f.update_specifier[0].kids[0];
          const k = this.ev(spec.kids[0], c);
          const old = m.get(key(k));
          if (!old) continue; // TLA+: [f EXCEPT ![x] = v] is f when x is outside DOMAIN f
          m.set(key(k), [k, this.ev(u.f.new_val[0], c)]);
        }
        return new Fn(m);
      }
      case 'bound_op': {
        const name = a.f.name[0].text;
        const args = (a.f.parameter ?? []).map((p) => this.ev(p, c));
        if (name === 'Assert') return this.truth(args[0]) ? true : bad(`Assert failed: ${String(args[1])}`);
        const d = this.def(name);
        return this.ev(d.body, { ...c, bound: new Map(d.params.map((p, i) => [p, args[i]])) });
      }
      case 'bound_postfix_op': {
        if (a.f.symbol[0].t !== 'prime') return bad(`postfix ${a.f.symbol[0].t}`);
        const n = a.f.lhs[0].text;
        if (!c.t) return bad(`primed ${n} in a state predicate`);
        return c.t.get(n) ?? bad(`${n}' is not bound yet`);
      }
      case 'bound_prefix_op': {
        const op = a.f.symbol[0].t;
        if (op === 'lnot') return !this.truth(this.ev(a.f.rhs[0], c));
        if (op === 'negative') return -this.num(this.ev(a.f.rhs[0], c));
        if (op === 'domain') {
          const f = this.ev(a.f.rhs[0], c);
          return f instanceof Fn ? setOf([...f.m.values()].map((e) => e[0])) : bad('DOMAIN of a non-function');
        }
        return bad(`prefix ${op}`);
      }
      case 'bound_infix_op': return this.infix(a, c);
      case 'conj_list': return a.kids.every((it) => this.truth(this.ev(it.kids[it.kids.length - 1], c)));
      case 'disj_list': return a.kids.some((it) => this.truth(this.ev(it.kids[it.kids.length - 1], c)));
      default: return bad(`cannot evaluate ${a.t}`);
    }
  }

  private infix(a: Ast, c: Ctx): Value {
    const op = a.f.symbol[0].t;
    const L = () => this.ev(a.f.lhs[0], c), R = () => this.ev(a.f.rhs[0], c);
    switch (op) {
      case 'land': return this.truth(L()) && this.truth(R());
      case 'lor': return this.truth(L()) || this.truth(R());
      case 'implies': return !this.truth(L()) || this.truth(R());
      case 'eq': return key(L()) === key(R());
      case 'neq': return key(L()) !== key(R());
      case 'lt': return this.num(L()) < this.num(R());
      case 'leq': return this.num(L()) <= this.num(R());
      case 'gt': return this.num(L()) > this.num(R());
      case 'geq': return this.num(L()) >= this.num(R());
      case 'plus': return this.num(L()) + this.num(R());
      case 'minus': return this.num(L()) - this.num(R());
      case 'mul': return this.num(L()) * this.num(R());
      case 'mod': {
        const x = this.num(L()), y = this.num(R());
        if (y <= 0) bad('% needs a positive divisor');
        return ((x % y) + y) % y;
      }
      case 'dots_2': {
        const lo = this.num(L()), hi = this.num(R());
        return setOf(Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i));
      }
      case 'cup': return setOf([...this.asSet(L()).m.values(), ...this.asSet(R()).m.values()]);
      case 'in': {
        const rhs = a.f.rhs[0];
        const x = L();
        if (rhs.t === 'set_of_functions') {
          const [dom, cod] = rhs.kids.filter((k) => k.t !== 'maps_to').map((k) => this.asSet(this.ev(k, c)));
          return x instanceof Fn && x.m.size === dom.m.size && [...x.m.entries()].every(([k, [, v]]) => dom.m.has(k) && cod.m.has(key(v)));
        }
        return this.asSet(this.ev(rhs, c)).m.has(key(x));
      }
      case 'map_to': { const k = L(); return new Fn(new Map([[key(k), [k, R()]]])); }
      case 'compose': {
        const f = L(), g = R();
        if (!(f instanceof Fn) || !(g instanceof Fn)) return bad('@@ on non-functions');
        const m = new Map(g.m);
        for (const [k, e] of f.m) m.set(k, e);
        return new Fn(m);
      }
      default: return bad(`infix ${op}`);
    }
  }

  private apply(f: Value, x: Value): Value {
    if (!(f instanceof Fn)) return bad('application of a non-function');
    const e = f.m.get(key(x));
    return e ? e[1] : bad(`function applied to ${key(x)}, outside its domain`);
  }
  private asSet(v: Value): TSet { return v instanceof TSet ? v : bad('not a set'); }
  private num(v: Value): number { return typeof v === 'number' ? v : bad(`not a number: ${key(v)}`); }
  truth(v: Value): boolean { return typeof v === 'boolean' ? v : bad(`not a boolean: ${key(v)}`); }

  // ---- actions: the successor bindings of `a` from partial next-state `t` ----
  act(a: Ast, s: State, t: State, bound: Map<string, Value>, init: boolean): State[] {
    const c: Ctx = { s: init ? t : s, t: init ? null : t, bound };
    switch (a.t) {
      case 'parentheses': return this.act(a.kids[0], s, t, bound, init);
      case 'conj_list': {
        let acc = [t];
        for (const it of a.kids) acc = acc.flatMap((x) => this.act(it.kids[it.kids.length - 1], s, x, bound, init));
        return acc;
      }
      case 'disj_list': return a.kids.flatMap((it) => this.act(it.kids[it.kids.length - 1], s, t, bound, init));
      case 'identifier_ref': {
        const d = this.defs.get(a.text);
        if (d && !d.params.length && !bound.has(a.text)) return this.act(d.body, s, t, new Map(), init);
        break;
      }
      case 'if_then_else':
        return this.truth(this.ev(a.f.if[0], c)) ? this.act(a.f.then[0], s, t, bound, init) : this.act(a.f.else[0], s, t, bound, init);
      case 'bound_prefix_op':
        if (a.f.symbol[0].t === 'unchanged') {
          let names: Ast = a.f.rhs[0];
          if (names.t === 'identifier_ref' && this.defs.has(names.text)) names = this.def(names.text).body;
          const vs = names.t === 'tuple_literal' ? names.kids.filter((k) => k.t === 'identifier_ref').map((k) => k.text) : [names.text];
          let acc = [t];
          for (const v of vs) acc = acc.flatMap((x) => this.bind(x, v, s.get(v)!));
          return acc;
        }
        break;
      case 'bound_infix_op': {
        const op = a.f.symbol[0].t;
        if (op === 'land') return this.act(a.f.lhs[0], s, t, bound, init).flatMap((x) => this.act(a.f.rhs[0], s, x, bound, init));
        if (op === 'lor') return [...this.act(a.f.lhs[0], s, t, bound, init), ...this.act(a.f.rhs[0], s, t, bound, init)];
        const lhs = a.f.lhs[0];
        const target = init ? (lhs.t === 'identifier_ref' && this.vars.includes(lhs.text) ? lhs.text : null)
          : (lhs.t === 'bound_postfix_op' && lhs.f.symbol[0].t === 'prime' ? lhs.f.lhs[0].text : null);
        if (op === 'eq' && target !== null && !t.has(target)) return this.bind(t, target, this.ev(a.f.rhs[0], c));
        break;
      }
    }
    return this.truth(this.ev(a, c)) ? [t] : [];
  }

  private bind(t: State, v: string, x: Value): State[] {
    if (t.has(v)) return key(t.get(v)!) === key(x) ? [t] : [];
    return [new Map(t).set(v, x)];
  }

  stateKey(s: State): string { return this.vars.map((v) => key(s.get(v)!)).join('|'); }

  /** Breadth-first exploration of the whole space; each violated invariant or property with
   *  the depth (steps) of its first violation. */
  explore(cfg: TlcConfig, opts: { limit?: number; stopOnViolation?: boolean } = {}): MiniResult {
    const limit = opts.limit ?? 1_000_000;
    const spec = this.def(cfg.specification).body;
    // Spec == Init /\ [][Next]_vars
    const initName = spec.f.lhs[0].text;
    const box = spec.f.rhs[0].f.rhs[0];
    const nextName = box.kids[0].text;
    const empty = new Map<string, Value>();
    const inits = this.act(this.def(initName).body, empty, new Map(), new Map(), true);
    const seen = new Map<string, number>();
    // parent: the index of the state it was first reached from (-1 for an initial state).
    const queue: { s: State; d: number; parent: number }[] = [];
    const violations = new Map<string, number>();
    const checkState = (s: State, d: number) => {
      for (const inv of cfg.invariants) {
        if (!violations.has(inv) && !this.truth(this.ev(this.def(inv).body, { s, t: null, bound: new Map() }))) {
          violations.set(inv, d);
          if (opts.stopOnViolation) return; // TLC reports the first invariant (cfg order) a state violates
        }
      }
    };
    const actionProps = cfg.properties.map((p) => {
      const b = this.def(p).body; // [][A]_v
      return { name: p, action: b.f.rhs[0].kids[0], sub: b.f.rhs[0].kids[1] };
    });
    for (const s of inits) {
      if (s.size !== this.vars.length) bad('Init leaves a variable unbound');
      const k = this.stateKey(s);
      if (!seen.has(k)) { seen.set(k, queue.length); queue.push({ s, d: 0, parent: -1 }); checkState(s, 0); }
    }
    let generated = 0;
    // Without -continue TLC stops at the first violation.
    for (let head = 0; head < queue.length && !(opts.stopOnViolation && violations.size); head++) {
      const { s, d } = queue[head];
      const succ = this.act(this.def(nextName).body, s, new Map(), new Map(), false);
      for (const t of succ) {
        if (t.size !== this.vars.length) bad('a step leaves a variable unbound');
        generated++;
        for (const p of actionProps) {
          if (violations.has(p.name)) continue;
          const c: Ctx = { s, t, bound: new Map() };
          const stutter = key(this.ev(p.sub, { s, t: null, bound: new Map() })) === key(this.ev(p.sub, { s: t, t: null, bound: new Map() }));
          if (!stutter && !this.truth(this.ev(p.action, c))) violations.set(p.name, d + 1);
        }
        const k = this.stateKey(t);
        if (seen.has(k)) continue;
        seen.set(k, queue.length);
        queue.push({ s: t, d: d + 1, parent: head });
        checkState(t, d + 1);
        if (queue.length > limit) bad('state limit');
        if (opts.stopOnViolation && violations.size) break;
      }
    }
    return { distinct: queue.length, generated, initial: inits.length, violations, states: queue.map((q) => q.s), parents: queue.map((q) => q.parent), depth: queue.length ? queue[queue.length - 1].d : 0 };
  }
}

export interface MiniResult {
  distinct: number;
  /** Successors generated, duplicates and stuttering steps included (not the initial states). */
  generated: number;
  /** Initial states generated. */
  initial: number;
  /** Per distinct state, the index of the state it was first reached from (-1: initial). */
  parents: number[];
  depth: number;
  violations: Map<string, number>;
  states: State[];
}

export interface TlcConfig {
  specification: string;
  invariants: string[];
  properties: string[];
  checkDeadlock: boolean;
}

/** Read the subset of the TLC cfg syntax that the exporter writes. */
export function parseCfg(text: string): TlcConfig {
  const cfg: TlcConfig = { specification: '', invariants: [], properties: [], checkDeadlock: true };
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\\\*.*$/, '').trim();
    if (!line) continue;
    const [head, ...rest] = line.split(/\s+/);
    if (['SPECIFICATION', 'INVARIANT', 'INVARIANTS', 'PROPERTY', 'PROPERTIES', 'CHECK_DEADLOCK'].includes(head)) {
      section = head;
      if (head === 'CHECK_DEADLOCK') cfg.checkDeadlock = rest[0] === 'TRUE';
      if (head === 'SPECIFICATION') cfg.specification = rest[0];
      else if (head.startsWith('INVARIANT')) cfg.invariants.push(...rest);
      else if (head.startsWith('PROPERT')) cfg.properties.push(...rest);
      continue;
    }
    if (section.startsWith('INVARIANT')) cfg.invariants.push(...line.split(/\s+/));
    else if (section.startsWith('PROPERT')) cfg.properties.push(...line.split(/\s+/));
    else throw new Error(`cfg: unexpected line '${line}'`);
  }
  return cfg;
}
