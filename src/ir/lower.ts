/**
 * lowerModel: validate a Model and turn it into a CoreModel.
 *
 * Every malformed construct fails here, once, with one line naming the model and the step
 * (E_MODEL): unknown entity, field or label, a symbol outside its domain, a duplicate label,
 * an initial value or a constant assignment outside the field's domain.
 *
 * lowerModel runs seven passes over one LowerCtx, each filling tables the next ones read:
 * entities -> instances ($thread) -> fields -> program counters -> crash record -> actions ->
 * properties. The order fixes the variable, action and property indexes, and which error a
 * model with several faults reports first.
 */
import { validateModelShape } from './validate';
import { fail } from '../errors';
import type {
  ActorInstance, CAssert, CAssign, CExpr, CoreAction, CoreEntity, CoreField, CoreModel,
  CoreProperty, CoreVar, CTarget,
} from './core';
import { CRASH, DEADLOCK, END, ME, THREAD } from './types';
import { linkOf, whyNotSymmetric } from './symmetry';
import type { Actor, Branch, Domain, Expr, Field, InitValue, Model, Step } from './types';

interface Range { min: number; max: number }

export function domainRange(d: Domain, entities: ReadonlyMap<string, CoreEntity>): Range {
  switch (d.kind) {
    case 'bool': return { min: 0, max: 1 };
    case 'enum': return { min: 0, max: d.values.length - 1 };
    case 'int': return { min: d.min, max: d.max };
    case 'ref': {
      const e = entities.get(d.entity);
      if (!e) throw new Error(`unknown entity '${d.entity}'`);
      return { min: d.nullable ? -1 : 0, max: e.count - 1 };
    }
  }
}

/** Display form of a value in a domain: 'true', 'idle', 'G1', 'none', '3'. */
export function showValue(d: Domain, v: number, entities: ReadonlyMap<string, CoreEntity>): string {
  switch (d.kind) {
    case 'bool': return v ? 'true' : 'false';
    case 'enum': return d.values[v] ?? `?${v}`;
    case 'int': return String(v);
    case 'ref': return v < 0 ? 'none' : (entities.get(d.entity)?.slotNames[v] ?? `?${v}`);
  }
}

/** Resolve a symbolic value in a domain, or return undefined. */
export function resolveSym(d: Domain, name: string, entities: ReadonlyMap<string, CoreEntity>): number | undefined {
  switch (d.kind) {
    case 'bool': return name === 'true' ? 1 : name === 'false' ? 0 : undefined;
    case 'enum': { const i = d.values.indexOf(name); return i < 0 ? undefined : i; }
    case 'int': return undefined;
    case 'ref': {
      if (name === 'none') return d.nullable ? -1 : undefined;
      const e = entities.get(d.entity);
      const i = e ? e.slotNames.indexOf(name) : -1;
      return i < 0 ? undefined : i;
    }
  }
}

function describeDomain(d: Domain): string {
  switch (d.kind) {
    case 'bool': return 'bool';
    case 'enum': return `{${d.values.join(', ')}}`;
    case 'int': return `${d.min}..${d.max}`;
    case 'ref': return `${d.entity}${d.nullable ? ' or none' : ''}`;
  }
}

/** One instance of an actor, named before any field exists (the `$thread` slots). */
interface InstSpec { actor: string; slot: number; name: string }

/**
 * What the passes share: the model, its error reporter, and the tables each pass fills in for
 * the passes after it. A table is complete once the pass that fills it has returned.
 */
interface LowerCtx {
  readonly model: Model;
  /** Fail with one E_MODEL line naming the model and `where`. */
  readonly err: (where: string, msg: string) => never;
  readonly entities: Map<string, CoreEntity>;
  readonly instSpecs: InstSpec[];
  readonly actorByName: Map<string, Actor>;
  readonly fields: CoreField[];
  readonly vars: CoreVar[];
  readonly fieldByName: Map<string, CoreField>;
  readonly instances: ActorInstance[];
  /** `${actor}#${slot}` -> instance index. */
  readonly instIndex: Map<string, number>;
  readonly crashNames: string[];
  crashVar: number;
  readonly actions: CoreAction[];
  readonly properties: CoreProperty[];
}

export function lowerModel(model: Model): CoreModel {
  validateModelShape(model);
  const mname = model.name;
  const cx: LowerCtx = {
    model,
    err: (where: string, msg: string): never => fail('E_MODEL', `model ${mname}${where ? ', ' + where : ''}: ${msg}`),
    entities: new Map(), instSpecs: [], actorByName: new Map(),
    fields: [], vars: [], fieldByName: new Map(), instances: [], instIndex: new Map(),
    crashNames: [], crashVar: -1, actions: [], properties: [],
  };
  lowerEntities(cx);
  lowerInstances(cx);
  lowerFields(cx);
  lowerProgramCounters(cx);
  lowerCrashRecord(cx);
  lowerActions(cx);
  lowerProperties(cx);
  return {
    name: model.name,
    params: model.params ?? {},
    meta: model.meta ?? {},
    entities: [...cx.entities.values()],
    fields: cx.fields, vars: cx.vars, instances: cx.instances, actions: cx.actions, properties: cx.properties,
    crashVar: cx.crashVar, crashNames: cx.crashNames,
    ...(model.symmetry?.length ? { symmetry: [declaredSymmetry(model, model.symmetry)] } : availableSymmetry(model)),
  };
}

/** The first entity (or pair linked one to one) with two or more slots that the symmetry check
 *  would accept, when the model declares none. Only entities that run an actor on two or more
 *  slots are tried first (the check walks every step, and lowering runs it each time). */
function availableSymmetry(model: Model): { symmetryAvailable?: readonly string[] } {
  const many = model.entities.filter((e) => e.count >= 2).map((e) => e.name);
  const running = many.filter((e) => model.actors.some((a) => a.over === e && (a.slots ?? [0, 1]).length >= 2));
  for (const e of running) {
    if (!whyNotSymmetric(model, e)) return { symmetryAvailable: [e] };
    for (const f of many) {
      if (f === e) continue;
      const l = linkOf(model, e, f);
      if (typeof l !== 'string' && l.entity === e && !whyNotSymmetric(model, e, l.linked)) return { symmetryAvailable: [e, f] };
    }
  }
  return {};
}

/** One entity, or two permuted together through the field that links them one to one; with
 *  the first place that breaks the symmetry, if any. */
function declaredSymmetry(model: Model, declared: readonly string[]): NonNullable<CoreModel['symmetry']>[number] {
  const refusal = (why: string | undefined) => (why ? { refused: why } : {});
  if (declared.length === 1) return { entity: declared[0], ...refusal(whyNotSymmetric(model, declared[0])) };
  if (declared.length > 2) return { entity: declared[0], refused: `${declared.length} entities declared; at most two are permuted together` };
  const l = linkOf(model, declared[0], declared[1]);
  if (typeof l === 'string') return { entity: declared[0], refused: l };
  return { entity: l.entity, linked: l.linked, ...refusal(whyNotSymmetric(model, l.entity, l.linked)) };
}

// Pass 1. The declared entities and their slot names: first, because every later pass resolves
// entity names (an actor's `over`, a field's `over` and reference domains, quantifiers).
function lowerEntities(cx: LowerCtx): void {
  const { err, entities } = cx;
  for (const e of cx.model.entities) {
    if (entities.has(e.name)) err('', `duplicate entity '${e.name}'`);
    if (!Number.isInteger(e.count) || e.count < 0) err('', `entity '${e.name}' has a bad count ${e.count}`);
    const slotNames = e.slotNames ? [...e.slotNames] : Array.from({ length: e.count }, (_, i) => `${e.name}${i}`);
    if (slotNames.length !== e.count) err('', `entity '${e.name}' names ${slotNames.length} slots for a count of ${e.count}`);
    entities.set(e.name, { name: e.name, count: e.count, slotNames });
  }
}

// Pass 2. The actor instances, as the slots of the pseudo-entity $thread: after the entities
// (an actor is over one) and before the fields (a field may hold a $thread, e.g. a lock owner).
function lowerInstances(cx: LowerCtx): void {
  const { err, entities, instSpecs } = cx;
  const actorNames = new Set<string>();
  for (const a of cx.model.actors) {
    if (actorNames.has(a.name)) err('', `duplicate actor '${a.name}'`);
    actorNames.add(a.name);
    if (a.over === undefined) {
      if (a.slots) err(`actor ${a.name}`, `'slots' needs 'over'`);
      instSpecs.push({ actor: a.name, slot: -1, name: a.name });
    } else {
      const e = entities.get(a.over) ?? err(`actor ${a.name}`, `unknown entity '${a.over}'`);
      const slots = a.slots ?? Array.from({ length: e.count }, (_, i) => i);
      for (const s of slots) {
        if (!Number.isInteger(s) || s < 0 || s >= e.count) err(`actor ${a.name}`, `slot ${s} is not a slot of '${a.over}'`);
        instSpecs.push({ actor: a.name, slot: s, name: `${a.name}[${e.slotNames[s]}]` });
      }
    }
  }
  entities.set(THREAD, { name: THREAD, count: instSpecs.length, slotNames: instSpecs.map((i) => i.name) });
}

// Pass 3. The model's own fields and their variables: after every entity (including $thread)
// is known, and first among the fields, so their variables take the lowest indexes.
function lowerFields(cx: LowerCtx): void {
  for (const f of cx.model.fields) {
    if (f.name.startsWith('$') || f.name.startsWith('pc.')) cx.err('', `field name '${f.name}' is reserved`);
    addField(cx, f, false);
  }
}

/** Add a field: check its domain and initial values, and give each of its copies a variable. */
function addField(cx: LowerCtx, f: Field, synthetic: boolean): CoreField {
  const { err, entities, fields, vars, fieldByName } = cx;
  if (fieldByName.has(f.name)) err('', `duplicate field '${f.name}'`);
  let range: Range;
  try { range = domainRange(f.domain, entities); } catch (e) { return err(`field ${f.name}`, (e as Error).message); }
  if (f.domain.kind === 'enum' && f.domain.values.length === 0) err(`field ${f.name}`, 'empty enum');
  if (range.min > range.max) err(`field ${f.name}`, `empty domain ${describeDomain(f.domain)}`);
  const slots = f.over === undefined ? null : entities.get(f.over) ?? err(`field ${f.name}`, `unknown entity '${f.over}'`);
  const n = slots ? slots.count : 1;
  const inits: readonly InitValue[] = Array.isArray(f.init) ? f.init : Array.from({ length: n }, () => f.init as InitValue);
  if (inits.length !== n) err(`field ${f.name}`, `${inits.length} initial values for ${n} slots`);
  const fi = fields.length;
  const varIdx: number[] = [];
  for (let s = 0; s < n; s++) {
    const raw = inits[s];
    let v: number | undefined;
    if (typeof raw === 'number') v = raw;
    else if (typeof raw === 'boolean') v = raw ? 1 : 0;
    else v = resolveSym(f.domain, raw, entities);
    if (v === undefined || !Number.isInteger(v) || v < range.min || v > range.max) {
      err(`field ${f.name}`, `initial value '${String(raw)}' is outside ${describeDomain(f.domain)}`);
    }
    varIdx.push(vars.length);
    vars.push({
      index: vars.length,
      name: slots ? `${f.name}[${slots.slotNames[s]}]` : f.name,
      field: fi, slot: slots ? s : -1, min: range.min, max: range.max, init: v as number,
    });
  }
  const cf: CoreField = { index: fi, name: f.name, domain: f.domain, over: f.over, vars: varIdx, ghost: !!f.ghost, synthetic };
  fields.push(cf);
  fieldByName.set(f.name, cf);
  return cf;
}

// Pass 4. One program counter field per actor (a variable per instance) and the instances
// themselves: after the model's fields, so program counters follow them in the variable order.
function lowerProgramCounters(cx: LowerCtx): void {
  const { err, fields, vars, fieldByName, instances, instIndex } = cx;
  for (const a of cx.model.actors) cx.actorByName.set(a.name, a);
  for (const a of cx.model.actors) {
    const labels = a.steps.map((s) => s.label);
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l)) err(`actor ${a.name}`, `duplicate label '${l}'`);
      if (l === END || l.startsWith('$')) err(`actor ${a.name}`, `label '${l}' is reserved`);
      seen.add(l);
    }
    if (labels.length === 0) err(`actor ${a.name}`, 'has no steps');
    const pcLabels = [...labels, END];
    const mine = cx.instSpecs.filter((i) => i.actor === a.name);
    const fi = fields.length;
    const varIdx: number[] = [];
    for (const spec of mine) {
      varIdx.push(vars.length);
      vars.push({ index: vars.length, name: `pc.${spec.name}`, field: fi, slot: spec.slot, min: 0, max: pcLabels.length - 1, init: 0 });
    }
    const cf: CoreField = { index: fi, name: `pc.${a.name}`, domain: { kind: 'enum', values: pcLabels }, over: a.over, vars: varIdx, ghost: false, synthetic: true };
    fields.push(cf);
    fieldByName.set(cf.name, cf);
    mine.forEach((spec, k) => {
      instIndex.set(`${a.name}#${spec.slot}`, instances.length);
      instances.push({ index: instances.length, actor: a.name, slot: spec.slot, name: spec.name, pcVar: varIdx[k], labels: pcLabels });
    });
  }
}

// Pass 5. The crash record, a ghost field, when any step asserts: the last variable, and known
// before the actions (an assertion sets it) and the properties (one invariant per assertion).
function lowerCrashRecord(cx: LowerCtx): void {
  const { crashNames } = cx;
  for (const a of cx.model.actors) for (const s of a.steps) for (const b of s.branches) for (const as of b.asserts ?? []) {
    if (!crashNames.includes(as.name)) crashNames.push(as.name);
  }
  if (crashNames.length > 0) {
    const cf = addField(cx, { name: CRASH, domain: { kind: 'enum', values: ['none', ...crashNames] }, init: 'none', ghost: true }, true);
    cx.crashVar = cf.vars[0];
  }
}

const TRUE: CExpr = { k: 'lit', v: 1 };
const conj = (a: CExpr, b: CExpr): CExpr => ((a.k === 'lit' && a.v === 0) || (b.k === 'lit' && b.v === 0) ? { k: 'lit', v: 0 }
  : a.k === 'lit' && a.v !== 0 ? b : b.k === 'lit' && b.v !== 0 ? a : { k: 'bin', op: 'and', l: a, r: b });

// Pass 6. One action per instance, step and branch, in that order (the action ids): after
// every variable exists, since guards, assignments and assertions read and write them.
function lowerActions(cx: LowerCtx): void {
  for (const inst of cx.instances) {
    const a = cx.actorByName.get(inst.actor)!;
    const params = new Map<string, number>([[ME, inst.index]]);
    if (inst.slot >= 0) params.set('self', inst.slot);
    a.steps.forEach((step: Step, pcFrom: number) => {
      const where = `actor ${a.name}, step ${step.label}`;
      const scope: Scope = { where, params, allowPrimed: false };
      if (step.branches.length === 0) cx.err(where, 'has no branches');
      const names = new Set<string>();
      if (step.branches.length > 1) {
        for (const b of step.branches) {
          if (!b.name) cx.err(where, 'a step with several branches must name each of them');
          if (names.has(b.name as string)) cx.err(where, `duplicate branch '${b.name}'`);
          names.add(b.name as string);
        }
      }
      const sguard = step.guard ? lowerExpr(cx, step.guard, scope) : TRUE;
      for (const b of step.branches) lowerBranch(cx, inst, step, pcFrom, sguard, b, scope);
    });
  }
}

/** One branch of a step of an instance as an action: its guard (the step's and its own),
 *  assignments, assertions and jump. */
function lowerBranch(cx: LowerCtx, inst: ActorInstance, step: Step, pcFrom: number, sguard: CExpr, b: Branch, scope: Scope): void {
  const { err } = cx;
  const bwhere = b.name ? `${scope.where}.${b.name}` : scope.where;
  const bscope: Scope = { ...scope, where: bwhere };
  const pcTo = b.goto === END ? inst.labels.length - 1 : inst.labels.indexOf(b.goto);
  if (pcTo < 0) err(bwhere, `jump to missing label '${b.goto}'`);
  const guard = conj(sguard, b.guard ? lowerExpr(cx, b.guard, bscope) : TRUE);
  const assign: CAssign[] = [];
  const targets = new Set<string>();
  for (const as of b.assign) {
    const { target, f } = lowerTarget(cx, as.field, as.index, bscope);
    if (target.k === 'var') {
      const key = `v${target.v}`;
      if (targets.has(key)) err(bwhere, `assigns '${cx.vars[target.v].name}' twice`);
      targets.add(key);
    }
    const value = lowerExpr(cx, as.value, bscope, f.domain);
    if (value.k === 'lit') {
      const r = domainRange(f.domain, cx.entities);
      if (value.v < r.min || value.v > r.max) err(bwhere, `assigns ${value.v} to '${f.name}', outside ${describeDomain(f.domain)}`);
    }
    assign.push({ target, value });
  }
  const asserts: CAssert[] = (b.asserts ?? []).map((x) => ({
    crash: cx.crashNames.indexOf(x.name) + 1, name: x.name, cond: lowerExpr(cx, x.cond, bscope),
  }));
  const id = cx.actions.length;
  cx.actions.push({
    id, instance: inst.index, step: step.label, branch: b.name,
    name: `${inst.name}:${step.label}${b.name ? '.' + b.name : ''}`,
    fn: step.fn, file: step.file,
    pcVar: inst.pcVar, pcFrom, pcTo, guard, assign, asserts,
  });
}

// Pass 7. The model's properties, then the built-in checks (one invariant per assertion, and
// deadlock): last, because they read every variable, and the built-ins follow the model's own.
function lowerProperties(cx: LowerCtx): void {
  const { err, crashNames, crashVar, properties } = cx;
  const propNames = new Set<string>();
  for (const p of cx.model.properties) {
    if (propNames.has(p.name)) err('', `duplicate property '${p.name}'`);
    if (p.name === DEADLOCK || crashNames.includes(p.name)) err('', `property '${p.name}' clashes with a built-in check of the same name`);
    propNames.add(p.name);
    const expr = lowerExpr(cx, p.expr, { where: `property ${p.name}`, params: new Map(), allowPrimed: p.kind === 'transition' });
    properties.push({ index: properties.length, name: p.name, kind: p.kind, expr, doc: p.doc, synthetic: false });
  }
  for (let i = 0; i < crashNames.length; i++) {
    properties.push({
      index: properties.length, name: crashNames[i], kind: 'invariant', synthetic: true,
      expr: { k: 'bin', op: 'ne', l: { k: 'var', v: crashVar, primed: false }, r: { k: 'lit', v: i + 1 } },
      doc: 'a step assertion (an oops in the kernel) never fails',
    });
  }
  if (cx.model.checkDeadlock !== false) {
    let ended: CExpr = TRUE;
    for (const inst of cx.instances) {
      ended = conj(ended, { k: 'bin', op: 'eq', l: { k: 'var', v: inst.pcVar, primed: false }, r: { k: 'lit', v: inst.labels.length - 1 } });
    }
    const expr: CExpr = crashVar >= 0
      ? { k: 'bin', op: 'or', l: { k: 'bin', op: 'ne', l: { k: 'var', v: crashVar, primed: false }, r: { k: 'lit', v: 0 } }, r: ended }
      : ended;
    properties.push({
      index: properties.length, name: DEADLOCK, kind: 'terminal', expr, synthetic: true,
      doc: 'a state with no enabled step has every actor at its end',
    });
  }
}

// Expressions, lowered for the actions and properties passes once every table is complete.

/** Where an expression is lowered: the text of its errors and the names bound there. */
interface Scope {
  where: string;
  params: Map<string, number>;
  /** Transition properties may read primed fields. */
  allowPrimed: boolean;
}

/** Fold an expression whose operands are literals (so `(self + 1) % N` becomes a slot). */
function fold(e: CExpr): CExpr {
  if (e.k === 'not' && e.a.k === 'lit') return { k: 'lit', v: e.a.v ? 0 : 1 };
  if (e.k === 'ite' && e.c.k === 'lit') return e.c.v ? e.t : e.e;
  if (e.k === 'bin' && e.l.k === 'lit' && e.r.k === 'lit') {
    const a = e.l.v, b = e.r.v;
    switch (e.op) {
      case 'add': return { k: 'lit', v: a + b };
      case 'sub': return { k: 'lit', v: a - b };
      case 'mul': return { k: 'lit', v: a * b };
      case 'mod': return b === 0 ? e : { k: 'lit', v: ((a % b) + b) % b };
      case 'min': return { k: 'lit', v: Math.min(a, b) };
      case 'max': return { k: 'lit', v: Math.max(a, b) };
      case 'eq': return { k: 'lit', v: a === b ? 1 : 0 };
      case 'ne': return { k: 'lit', v: a !== b ? 1 : 0 };
      case 'lt': return { k: 'lit', v: a < b ? 1 : 0 };
      case 'le': return { k: 'lit', v: a <= b ? 1 : 0 };
      case 'gt': return { k: 'lit', v: a > b ? 1 : 0 };
      case 'ge': return { k: 'lit', v: a >= b ? 1 : 0 };
      case 'and': return { k: 'lit', v: a && b ? 1 : 0 };
      case 'or': return { k: 'lit', v: a || b ? 1 : 0 };
      case 'implies': return { k: 'lit', v: !a || b ? 1 : 0 };
    }
  }
  if (e.k === 'bin' && (e.op === 'and' || e.op === 'or')) {
    const lt = e.l.k === 'lit' ? e.l.v !== 0 : undefined;
    const rt = e.r.k === 'lit' ? e.r.v !== 0 : undefined;
    if (e.op === 'and') {
      if (lt === false || rt === false) return { k: 'lit', v: 0 };
      if (lt === true) return e.r;
      if (rt === true) return e.l;
    } else {
      if (lt === true || rt === true) return { k: 'lit', v: 1 };
      if (lt === false) return e.r;
      if (rt === false) return e.l;
    }
  }
  return e;
}
/** The domain an expression's value is in, when it says (a field, or an ite of one). */
function domainOf(cx: LowerCtx, e: Expr): Domain | undefined {
  if (e.kind === 'var') return cx.fieldByName.get(e.field)?.domain;
  if (e.kind === 'ite') return domainOf(cx, e.then) ?? domainOf(cx, e.else);
  return undefined;
}

/** An expression as a CExpr; `expect` is the domain a symbol in it resolves in. */
function lowerExpr(cx: LowerCtx, e: Expr, scope: Scope, expect?: Domain): CExpr {
  const { err } = cx;
  switch (e.kind) {
    case 'lit':
      if (!Number.isInteger(e.value)) err(scope.where, `literal ${e.value} is not an integer`);
      return { k: 'lit', v: e.value };
    case 'sym': {
      if (!expect) return err(scope.where, `cannot tell which domain symbol '${e.name}' belongs to; compare it with a field`);
      const v = resolveSym(expect, e.name, cx.entities);
      if (v === undefined) err(scope.where, `'${e.name}' is not a value of ${describeDomain(expect)}`);
      return { k: 'lit', v: v as number };
    }
    case 'param': {
      const v = scope.params.get(e.name);
      if (v === undefined) err(scope.where, `unbound name '${e.name}'`);
      return { k: 'lit', v: v as number };
    }
    case 'var': {
      const f = cx.fieldByName.get(e.field) ?? err(scope.where, `unknown field '${e.field}'`);
      // Properties may read the crash record (e.g. "terminal, unless crashed"); program
      // counters are read with 'at'.
      if (f.synthetic && f.name !== CRASH) err(scope.where, `field '${e.field}' is internal; use 'at' for program counters`);
      if (e.primed && !scope.allowPrimed) err(scope.where, `primed '${e.field}' outside a transition property`);
      return varRef(cx, f, e.index, !!e.primed, scope);
    }
    case 'not': return fold({ k: 'not', a: lowerExpr(cx, e.arg, scope) });
    case 'bin': {
      const cmp = e.op === 'eq' || e.op === 'ne' || e.op === 'lt' || e.op === 'le' || e.op === 'gt' || e.op === 'ge';
      if (cmp || e.op === 'min' || e.op === 'max') {
        const dl = domainOf(cx, e.left), dr = domainOf(cx, e.right);
        return fold({ k: 'bin', op: e.op, l: lowerExpr(cx, e.left, scope, dl ?? dr ?? expect), r: lowerExpr(cx, e.right, scope, dr ?? dl ?? expect) });
      }
      return fold({ k: 'bin', op: e.op, l: lowerExpr(cx, e.left, scope), r: lowerExpr(cx, e.right, scope) });
    }
    case 'ite':
      return fold({ k: 'ite', c: lowerExpr(cx, e.cond, scope), t: lowerExpr(cx, e.then, scope, expect), e: lowerExpr(cx, e.else, scope, expect) });
    case 'quant': return lowerQuant(cx, e, scope);
    case 'at': return lowerAt(cx, e, scope);
  }
}

/** A quantifier over an entity, unrolled over its slots. */
function lowerQuant(cx: LowerCtx, e: Extract<Expr, { kind: 'quant' }>, scope: Scope): CExpr {
  const ent = cx.entities.get(e.entity) ?? cx.err(scope.where, `unknown entity '${e.entity}'`);
  if (scope.params.has(e.var)) cx.err(scope.where, `quantifier variable '${e.var}' shadows a bound name`);
  const parts: CExpr[] = [];
  for (let s = 0; s < ent.count; s++) {
    const params = new Map(scope.params); params.set(e.var, s);
    parts.push(lowerExpr(cx, e.body, { ...scope, params }));
  }
  if (e.q === 'count') {
    if (parts.length === 0) return { k: 'lit', v: 0 };
    return parts.map((p): CExpr => ({ k: 'ite', c: p, t: { k: 'lit', v: 1 }, e: { k: 'lit', v: 0 } }))
      .reduce((acc, x) => ({ k: 'bin', op: 'add', l: acc, r: x }));
  }
  const op = e.q === 'forall' ? 'and' : 'or';
  if (parts.length === 0) return { k: 'lit', v: e.q === 'forall' ? 1 : 0 };
  return parts.reduce((acc, x) => ({ k: 'bin', op, l: acc, r: x }));
}

/** `at`: an actor instance's program counter is at one of some labels. */
function lowerAt(cx: LowerCtx, e: Extract<Expr, { kind: 'at' }>, scope: Scope): CExpr {
  const { err } = cx;
  const a = cx.actorByName.get(e.actor) ?? err(scope.where, `unknown actor '${e.actor}'`);
  if (e.primed && !scope.allowPrimed) err(scope.where, `primed 'at' outside a transition property`);
  let slot = -1;
  if (a.over !== undefined) {
    if (!e.instance) err(scope.where, `'at ${e.actor}' needs an instance`);
    const ix = lowerExpr(cx, e.instance as Expr, scope, { kind: 'ref', entity: a.over, nullable: false });
    if (ix.k !== 'lit') err(scope.where, `'at ${e.actor}' needs a constant instance (a slot, self, or a quantifier variable)`);
    slot = (ix as { v: number }).v;
  }
  const ii = cx.instIndex.get(`${a.name}#${slot}`);
  if (ii === undefined) return { k: 'lit', v: 0 }; // no such instance: never at any label
  const inst = cx.instances[ii];
  const tests: CExpr[] = [];
  for (const l of e.labels) {
    const pc = inst.labels.indexOf(l);
    if (pc < 0) err(scope.where, `actor '${a.name}' has no label '${l}'`);
    tests.push({ k: 'bin', op: 'eq', l: { k: 'var', v: inst.pcVar, primed: !!e.primed }, r: { k: 'lit', v: pc } });
  }
  if (tests.length === 0) return { k: 'lit', v: 0 };
  return tests.reduce((acc, x) => ({ k: 'bin', op: 'or', l: acc, r: x }));
}

/** A read of field `f`: its variable when the index is constant, else an indexed read. */
function varRef(cx: LowerCtx, f: CoreField, index: Expr | undefined, primed: boolean, scope: Scope): CExpr {
  const { err } = cx;
  if (f.over === undefined) {
    if (index) err(scope.where, `field '${f.name}' is not over an entity and takes no index`);
    return { k: 'var', v: f.vars[0], primed };
  }
  if (!index) return err(scope.where, `field '${f.name}' is over '${f.over}' and needs an index`);
  const ix = lowerExpr(cx, index, scope, { kind: 'ref', entity: f.over, nullable: true });
  if (ix.k === 'lit') {
    if (ix.v < 0 || ix.v >= f.vars.length) err(scope.where, `index ${ix.v} of '${f.name}' is not a slot of '${f.over}'`);
    return { k: 'var', v: f.vars[ix.v], primed };
  }
  return { k: 'ivar', field: f.index, index: ix, primed };
}

/** The target of an assignment, and its field. */
function lowerTarget(cx: LowerCtx, field: string, index: Expr | undefined, scope: Scope): { target: CTarget; f: CoreField } {
  const f = cx.fieldByName.get(field) ?? cx.err(scope.where, `assignment to unknown field '${field}'`);
  if (f.synthetic) cx.err(scope.where, `assignment to internal field '${field}'`);
  const r = varRef(cx, f, index, false, scope);
  if (r.k === 'var') return { target: { k: 'var', v: r.v }, f };
  if (r.k === 'ivar') return { target: { k: 'ivar', field: r.field, index: r.index }, f };
  return cx.err(scope.where, 'bad assignment target');
}
