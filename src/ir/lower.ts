/**
 * lowerModel: validate a Model and turn it into a CoreModel.
 *
 * Every malformed construct fails here, once, with one line naming the model and the step
 * (E_MODEL): unknown entity, field or label, a symbol outside its domain, a duplicate label,
 * an initial value or a constant assignment outside the field's domain.
 */
import { fail } from '../errors';
import type {
  ActorInstance, CAssert, CAssign, CExpr, CoreAction, CoreEntity, CoreField, CoreModel,
  CoreProperty, CoreVar, CTarget,
} from './core';
import { CRASH, DEADLOCK, END, ME, THREAD } from './types';
import type { Domain, Expr, Field, InitValue, Model, Step } from './types';

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

interface Ctx {
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

export function lowerModel(model: Model): CoreModel {
  const mname = model.name;
  const err = (where: string, msg: string): never => fail('E_MODEL', `model ${mname}${where ? ', ' + where : ''}: ${msg}`);

  // Entities, with the actor instances as the pseudo-entity $thread.
  const entities = new Map<string, CoreEntity>();
  for (const e of model.entities) {
    if (entities.has(e.name)) err('', `duplicate entity '${e.name}'`);
    if (!Number.isInteger(e.count) || e.count < 0) err('', `entity '${e.name}' has a bad count ${e.count}`);
    const slotNames = e.slotNames ? [...e.slotNames] : Array.from({ length: e.count }, (_, i) => `${e.name}${i}`);
    if (slotNames.length !== e.count) err('', `entity '${e.name}' names ${slotNames.length} slots for a count of ${e.count}`);
    entities.set(e.name, { name: e.name, count: e.count, slotNames });
  }
  const actorNames = new Set<string>();
  const instSpecs: { actor: string; slot: number; name: string }[] = [];
  for (const a of model.actors) {
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

  // Fields and their variables.
  const fields: CoreField[] = [];
  const vars: CoreVar[] = [];
  const fieldByName = new Map<string, CoreField>();
  const addField = (f: Field, synthetic: boolean): CoreField => {
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
  };
  for (const f of model.fields) {
    if (f.name.startsWith('$') || f.name.startsWith('pc.')) err('', `field name '${f.name}' is reserved`);
    addField(f, false);
  }

  // Program counters: one scalar variable per actor instance.
  const actorByName = new Map(model.actors.map((a) => [a.name, a]));
  const instances: ActorInstance[] = [];
  const instIndex = new Map<string, number>(); // `${actor}#${slot}` -> instance
  for (const a of model.actors) {
    const labels = a.steps.map((s) => s.label);
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l)) err(`actor ${a.name}`, `duplicate label '${l}'`);
      if (l === END || l.startsWith('$')) err(`actor ${a.name}`, `label '${l}' is reserved`);
      seen.add(l);
    }
    if (labels.length === 0) err(`actor ${a.name}`, 'has no steps');
    const pcLabels = [...labels, END];
    const mine = instSpecs.filter((i) => i.actor === a.name);
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

  // The crash record, when any step asserts.
  const crashNames: string[] = [];
  for (const a of model.actors) for (const s of a.steps) for (const b of s.branches) for (const as of b.asserts ?? []) {
    if (!crashNames.includes(as.name)) crashNames.push(as.name);
  }
  let crashVar = -1;
  if (crashNames.length > 0) {
    const cf = addField({ name: CRASH, domain: { kind: 'enum', values: ['none', ...crashNames] }, init: 'none', ghost: true }, true);
    crashVar = cf.vars[0];
  }

  // Expressions.
  const domainOf = (e: Expr, ctx: Ctx): Domain | undefined => {
    if (e.kind === 'var') return fieldByName.get(e.field)?.domain;
    if (e.kind === 'ite') return domainOf(e.then, ctx) ?? domainOf(e.else, ctx);
    if (e.kind === 'param') {
      return undefined;
    }
    return undefined;
  };

  const lowerExpr = (e: Expr, ctx: Ctx, expect?: Domain): CExpr => {
    switch (e.kind) {
      case 'lit':
        if (!Number.isInteger(e.value)) err(ctx.where, `literal ${e.value} is not an integer`);
        return { k: 'lit', v: e.value };
      case 'sym': {
        if (!expect) return err(ctx.where, `cannot tell which domain symbol '${e.name}' belongs to; compare it with a field`);
        const v = resolveSym(expect, e.name, entities);
        if (v === undefined) err(ctx.where, `'${e.name}' is not a value of ${describeDomain(expect)}`);
        return { k: 'lit', v: v as number };
      }
      case 'param': {
        const v = ctx.params.get(e.name);
        if (v === undefined) err(ctx.where, `unbound name '${e.name}'`);
        return { k: 'lit', v: v as number };
      }
      case 'var': {
        const f = fieldByName.get(e.field) ?? err(ctx.where, `unknown field '${e.field}'`);
        // Properties may read the crash record (e.g. "terminal, unless crashed"); program
        // counters are read with 'at'.
        if (f.synthetic && f.name !== CRASH) err(ctx.where, `field '${e.field}' is internal; use 'at' for program counters`);
        if (e.primed && !ctx.allowPrimed) err(ctx.where, `primed '${e.field}' outside a transition property`);
        return varRef(f, e.index, !!e.primed, ctx);
      }
      case 'not': return fold({ k: 'not', a: lowerExpr(e.arg, ctx) });
      case 'bin': {
        const cmp = e.op === 'eq' || e.op === 'ne' || e.op === 'lt' || e.op === 'le' || e.op === 'gt' || e.op === 'ge';
        if (cmp || e.op === 'min' || e.op === 'max') {
          const dl = domainOf(e.left, ctx), dr = domainOf(e.right, ctx);
          return fold({ k: 'bin', op: e.op, l: lowerExpr(e.left, ctx, dl ?? dr ?? expect), r: lowerExpr(e.right, ctx, dr ?? dl ?? expect) });
        }
        return fold({ k: 'bin', op: e.op, l: lowerExpr(e.left, ctx), r: lowerExpr(e.right, ctx) });
      }
      case 'ite':
        return fold({ k: 'ite', c: lowerExpr(e.cond, ctx), t: lowerExpr(e.then, ctx, expect), e: lowerExpr(e.else, ctx, expect) });
      case 'quant': {
        const ent = entities.get(e.entity) ?? err(ctx.where, `unknown entity '${e.entity}'`);
        if (ctx.params.has(e.var)) err(ctx.where, `quantifier variable '${e.var}' shadows a bound name`);
        const parts: CExpr[] = [];
        for (let s = 0; s < ent.count; s++) {
          const params = new Map(ctx.params); params.set(e.var, s);
          parts.push(lowerExpr(e.body, { ...ctx, params }));
        }
        if (e.q === 'count') {
          return parts.map((p): CExpr => ({ k: 'ite', c: p, t: { k: 'lit', v: 1 }, e: { k: 'lit', v: 0 } }))
            .reduce((acc, x) => ({ k: 'bin', op: 'add', l: acc, r: x }), { k: 'lit', v: 0 } as CExpr);
        }
        const op = e.q === 'forall' ? 'and' : 'or';
        if (parts.length === 0) return { k: 'lit', v: e.q === 'forall' ? 1 : 0 };
        return parts.reduce((acc, x) => ({ k: 'bin', op, l: acc, r: x }));
      }
      case 'at': {
        const a = actorByName.get(e.actor) ?? err(ctx.where, `unknown actor '${e.actor}'`);
        if (e.primed && !ctx.allowPrimed) err(ctx.where, `primed 'at' outside a transition property`);
        let slot = -1;
        if (a.over !== undefined) {
          if (!e.instance) err(ctx.where, `'at ${e.actor}' needs an instance`);
          const ix = lowerExpr(e.instance as Expr, ctx, { kind: 'ref', entity: a.over, nullable: false });
          if (ix.k !== 'lit') err(ctx.where, `'at ${e.actor}' needs a constant instance (a slot, self, or a quantifier variable)`);
          slot = (ix as { v: number }).v;
        }
        const ii = instIndex.get(`${a.name}#${slot}`);
        if (ii === undefined) return { k: 'lit', v: 0 }; // no such instance: never at any label
        const inst = instances[ii];
        const tests: CExpr[] = [];
        for (const l of e.labels) {
          const pc = inst.labels.indexOf(l);
          if (pc < 0) err(ctx.where, `actor '${a.name}' has no label '${l}'`);
          tests.push({ k: 'bin', op: 'eq', l: { k: 'var', v: inst.pcVar, primed: !!e.primed }, r: { k: 'lit', v: pc } });
        }
        if (tests.length === 0) return { k: 'lit', v: 0 };
        return tests.reduce((acc, x) => ({ k: 'bin', op: 'or', l: acc, r: x }));
      }
    }
  };

  const varRef = (f: CoreField, index: Expr | undefined, primed: boolean, ctx: Ctx): CExpr => {
    if (f.over === undefined) {
      if (index) err(ctx.where, `field '${f.name}' is not over an entity and takes no index`);
      return { k: 'var', v: f.vars[0], primed };
    }
    if (!index) return err(ctx.where, `field '${f.name}' is over '${f.over}' and needs an index`);
    const ix = lowerExpr(index, ctx, { kind: 'ref', entity: f.over, nullable: true });
    if (ix.k === 'lit') {
      if (ix.v < 0 || ix.v >= f.vars.length) err(ctx.where, `index ${ix.v} of '${f.name}' is not a slot of '${f.over}'`);
      return { k: 'var', v: f.vars[ix.v], primed };
    }
    return { k: 'ivar', field: f.index, index: ix, primed };
  };

  const lowerTarget = (field: string, index: Expr | undefined, ctx: Ctx): { target: CTarget; f: CoreField } => {
    const f = fieldByName.get(field) ?? err(ctx.where, `assignment to unknown field '${field}'`);
    if (f.synthetic) err(ctx.where, `assignment to internal field '${field}'`);
    const r = varRef(f, index, false, ctx);
    if (r.k === 'var') return { target: { k: 'var', v: r.v }, f };
    if (r.k === 'ivar') return { target: { k: 'ivar', field: r.field, index: r.index }, f };
    return err(ctx.where, 'bad assignment target');
  };

  // Actions.
  const actions: CoreAction[] = [];
  const TRUE: CExpr = { k: 'lit', v: 1 };
  const conj = (a: CExpr, b: CExpr): CExpr => (a.k === 'lit' && a.v !== 0 ? b : b.k === 'lit' && b.v !== 0 ? a : { k: 'bin', op: 'and', l: a, r: b });
  for (const inst of instances) {
    const a = actorByName.get(inst.actor)!;
    const params = new Map<string, number>([[ME, inst.index]]);
    if (inst.slot >= 0) params.set('self', inst.slot);
    a.steps.forEach((step: Step, pcFrom: number) => {
      const where = `actor ${a.name}, step ${step.label}`;
      const ctx: Ctx = { where, params, allowPrimed: false };
      if (step.branches.length === 0) err(where, 'has no branches');
      const names = new Set<string>();
      if (step.branches.length > 1) {
        for (const b of step.branches) {
          if (!b.name) err(where, 'a step with several branches must name each of them');
          if (names.has(b.name as string)) err(where, `duplicate branch '${b.name}'`);
          names.add(b.name as string);
        }
      }
      const sguard = step.guard ? lowerExpr(step.guard, ctx) : TRUE;
      for (const b of step.branches) {
        const bwhere = b.name ? `${where}.${b.name}` : where;
        const bctx: Ctx = { ...ctx, where: bwhere };
        const pcTo = b.goto === END ? inst.labels.length - 1 : inst.labels.indexOf(b.goto);
        if (pcTo < 0) err(bwhere, `jump to missing label '${b.goto}'`);
        const guard = conj(sguard, b.guard ? lowerExpr(b.guard, bctx) : TRUE);
        const assign: CAssign[] = [];
        const targets = new Set<string>();
        for (const as of b.assign) {
          const { target, f } = lowerTarget(as.field, as.index, bctx);
          if (target.k === 'var') {
            const key = `v${target.v}`;
            if (targets.has(key)) err(bwhere, `assigns '${vars[target.v].name}' twice`);
            targets.add(key);
          }
          const value = lowerExpr(as.value, bctx, f.domain);
          if (value.k === 'lit') {
            const r = domainRange(f.domain, entities);
            if (value.v < r.min || value.v > r.max) err(bwhere, `assigns ${value.v} to '${f.name}', outside ${describeDomain(f.domain)}`);
          }
          assign.push({ target, value });
        }
        const asserts: CAssert[] = (b.asserts ?? []).map((x) => ({
          crash: crashNames.indexOf(x.name) + 1, name: x.name, cond: lowerExpr(x.cond, bctx),
        }));
        const id = actions.length;
        actions.push({
          id, instance: inst.index, step: step.label, branch: b.name,
          name: `${inst.name}:${step.label}${b.name ? '.' + b.name : ''}`,
          fn: step.fn, file: step.file,
          pcVar: inst.pcVar, pcFrom, pcTo, guard, assign, asserts,
        });
      }
    });
  }

  // Properties.
  const properties: CoreProperty[] = [];
  const propNames = new Set<string>();
  for (const p of model.properties) {
    if (propNames.has(p.name)) err('', `duplicate property '${p.name}'`);
    if (p.name === DEADLOCK || crashNames.includes(p.name)) err('', `property '${p.name}' clashes with a built-in check of the same name`);
    propNames.add(p.name);
    const expr = lowerExpr(p.expr, { where: `property ${p.name}`, params: new Map(), allowPrimed: p.kind === 'transition' });
    properties.push({ index: properties.length, name: p.name, kind: p.kind, expr, doc: p.doc, synthetic: false });
  }
  for (let i = 0; i < crashNames.length; i++) {
    properties.push({
      index: properties.length, name: crashNames[i], kind: 'invariant', synthetic: true,
      expr: { k: 'bin', op: 'ne', l: { k: 'var', v: crashVar, primed: false }, r: { k: 'lit', v: i + 1 } },
      doc: 'a step assertion (an oops in the kernel) never fails',
    });
  }
  if (model.checkDeadlock !== false) {
    let ended: CExpr = TRUE;
    for (const inst of instances) {
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

  return {
    name: model.name,
    params: model.params ?? {},
    meta: model.meta ?? {},
    entities: [...entities.values()],
    fields, vars, instances, actions, properties, crashVar, crashNames,
  };
}
