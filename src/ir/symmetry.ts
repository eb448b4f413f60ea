/**
 * When a declared entity's slots are really interchangeable (Ip & Dill's scalarsets;
 * REDUCTION.md §3): permuting them maps states to states, steps to steps and every property's
 * value to itself. Checked on the model as written, before quantifiers are unrolled, because
 * only there a constant slot can be told from a quantified one. The first place that breaks it
 * is returned, in words for a one-line refusal; undefined means symmetric.
 *
 * Ids are the values that name a slot of the entity: `self` in an actor over it, a variable
 * bound by a quantifier over it, a field whose domain is a reference to it. They may only be
 * compared for equality with each other or with none; nothing names a slot by a constant,
 * except one value written to every slot at once. Actors with no instance are not looked at.
 *
 * Two entities may be permuted together when a constant field links them one to one (each
 * device in a group of its own: `dev.group_of`): a permutation of the devices then moves their
 * groups with them, and both kinds of ids obey the rules above.
 *
 * Slots need not all be alike: a field over the entity that no step writes may start with
 * different values (a device's IOMMU, its driver), and an actor over it may run on some slots
 * only. Such slots fall in different classes (slotClasses in symmetry-canon.ts), and only
 * permutations within a class are used: they keep every such value where it was.
 */
import type { Assign, Expr, Field, Model } from './types';
import { THREAD } from './types';

/** A second entity permuted with the first through a constant one-to-one field over it. */
export interface LinkedEntity { readonly entity: string; readonly link: string }

export function whyNotSymmetric(model: Model, entity: string, linked?: LinkedEntity): string | undefined {
  const names = [entity, ...(linked ? [linked.entity] : [])];
  const ents = names.map((n) => model.entities.find((e) => e.name === n));
  const missing = names.find((_, i) => !ents[i]);
  if (missing) return `there is no entity '${missing}'`;
  const slotNames = new Map<string, string>();
  ents.forEach((ent) => (ent!.slotNames ?? Array.from({ length: ent!.count }, (_, i) => `${ent!.name}${i}`)).forEach((s) => slotNames.set(s, ent!.name)));
  const count = new Map(ents.map((e) => [e!.name, e!.count]));
  /** field name -> the permuted entity it refers to, or that it is over. */
  const refOf = new Map<string, string>(), overOf = new Map<string, string>();
  for (const f of model.fields) {
    if (f.domain.kind === 'ref' && names.includes(f.domain.entity)) refOf.set(f.name, f.domain.entity);
    if (f.over && names.includes(f.over)) overOf.set(f.name, f.over);
  }
  const actorOver = new Map(model.actors.filter((a) => a.over && names.includes(a.over)).map((a) => [a.name, a.over as string]));
  const written = new Set(model.actors.filter((a) => a.slots?.length !== 0).flatMap((a) => a.steps.flatMap((st) => st.branches.flatMap((b) => b.assign.map((as) => as.field)))));

  const differing: Field[] = [];
  for (const f of model.fields) {
    if (f.over === THREAD) return `field '${f.name}' is per thread`;
    if (f.name === linked?.link) continue; // the link: constant, one to one (linkOf)
    const inits = Array.isArray(f.init) ? f.init : [f.init];
    // A constant of the main entity that differs between slots splits them into classes.
    const classField = f.over === entity && !written.has(f.name) && !refOf.has(f.name);
    if (overOf.has(f.name) && inits.some((x) => x !== inits[0])) {
      if (!classField) return `field '${f.name}' starts with different values on different slots`;
      differing.push(f);
    }
    if (refOf.has(f.name) && inits.some((x) => x !== 'none' && x !== -1)) return `field '${f.name}' starts naming a slot`;
  }
  // Classes: the same constants and the same actors. With every slot in a class of its own,
  // nothing is left to permute.
  const main = ents[0]!;
  const classKey = (i: number) => JSON.stringify([differing.map((f) => (f.init as readonly unknown[])[i]),
    model.actors.filter((a) => a.over === entity && (!a.slots || a.slots.includes(i))).map((a) => a.name)]);
  const keys = Array.from({ length: main.count }, (_, i) => classKey(i));
  if (main.count > 1 && new Set(keys).size === keys.length) {
    const own = differing.find((f) => f.domain.kind === 'ref' && new Set(f.init as readonly unknown[]).size === main.count);
    const hint = own && own.domain.kind === 'ref' && !linked ? ` (if each has a ${own.domain.entity} of its own, declare [${entity}, ${own.domain.entity}])` : '';
    return `no two slots of '${entity}' are alike` + (differing.length ? `: they differ in ${differing.map((f) => `'${f.name}'`).join(', ')}` : ': they run different actors') + hint;
  }
  for (const a of model.actors) {
    if (a.slots?.length === 0) continue;
    const over = actorOver.get(a.name);
    if (over !== undefined && over === linked?.entity && a.slots && a.slots.length !== count.get(over)) return `actor '${a.name}' runs on some slots only`;
    if (over !== undefined && over === linked?.entity) return `actor '${a.name}' runs over '${over}', which moves with '${entity}' (not supported)`;
  }

  /** ids: a bound name (self, a quantifier variable) -> the entity whose slot it names. */
  type Ids = ReadonlyMap<string, string>;
  const isNone = (x: Expr): boolean => (x.kind === 'sym' && x.name === 'none') || (x.kind === 'lit' && x.value === -1);
  const idOf = (x: Expr, ids: Ids): string | undefined => {
    if (x.kind === 'param') return ids.get(x.name);
    if (x.kind === 'var') return refOf.get(x.field);
    if (x.kind !== 'ite') return undefined;
    // A choice between ids of one entity, or an id and none.
    const t = idOf(x.then, ids), e = idOf(x.else, ids);
    if (t !== undefined && (e === t || isNone(x.else))) return t;
    return e !== undefined && isNone(x.then) ? e : undefined;
  };
  const check = (e: Expr, ids: Ids, where: string): string | undefined => {
    const sub = (x: Expr | undefined): string | undefined => (x ? check(x, ids, where) : undefined);
    switch (e.kind) {
      case 'sym': return slotNames.has(e.name) ? `${where} names slot ${e.name}` : undefined;
      case 'lit': case 'param': return undefined;
      case 'var': {
        const over = overOf.get(e.field);
        if (over !== undefined && e.index && idOf(e.index, ids) !== over) return `${where} reads '${e.field}' at a slot given by a constant or a computed value`;
        return sub(e.index);
      }
      case 'at': {
        const over = actorOver.get(e.actor);
        if (over !== undefined && (!e.instance || idOf(e.instance, ids) !== over)) return `${where} tests actor '${e.actor}' of a constant slot`;
        return sub(e.instance);
      }
      case 'not': return sub(e.arg);
      case 'ite': return sub(e.cond) ?? sub(e.then) ?? sub(e.else);
      case 'quant': return check(e.body, names.includes(e.entity) ? new Map([...ids, [e.var, e.entity]]) : ids, where);
      case 'bin': {
        const id = idOf(e.left, ids) ?? idOf(e.right, ids);
        if (id !== undefined) {
          if (e.op !== 'eq' && e.op !== 'ne') return `${where} uses a slot id of '${id}' in '${e.op}' (ids may only be compared for equality)`;
          const other = idOf(e.left, ids) !== undefined ? e.right : e.left;
          if (idOf(other, ids) !== id && !isNone(other)) return `${where} compares a slot id of '${id}' with a constant`;
        }
        return sub(e.left) ?? sub(e.right);
      }
    }
  };

  for (const a of model.actors) {
    if (a.slots?.length === 0) continue; // no instance: its steps never run
    const ids: Ids = new Map(a.over && names.includes(a.over) ? [['self', a.over]] : []);
    for (const st of a.steps) {
      const where = `step ${a.name}:${st.label}`;
      const exprs: Expr[] = [];
      if (st.guard) exprs.push(st.guard);
      for (const b of st.branches) {
        if (b.guard) exprs.push(b.guard);
        for (const as of b.asserts ?? []) exprs.push(as.cond);
        const everySlot = writesEverySlot(b.assign, overOf, count);
        for (const as of b.assign) {
          exprs.push(as.value);
          if (everySlot.has(as)) continue;
          if (as.field === linked?.link) return `${where} writes '${as.field}', which links '${entity}' to '${linked.entity}'`;
          if (as.index) exprs.push(as.index);
          if (overOf.has(as.field)) {
            const bad = check({ kind: 'var', field: as.field, index: as.index }, ids, where);
            if (bad) return bad.replace('reads', 'writes');
          }
          const ref = refOf.get(as.field);
          if (ref !== undefined && idOf(as.value, ids) !== ref && !isNone(as.value)) return `${where} stores into '${as.field}' something other than a slot id or none`;
        }
      }
      for (const x of exprs) { const bad = check(x, ids, where); if (bad) return bad; }
    }
  }
  for (const p of model.properties) {
    const bad = check(p.expr, new Map(), `${p.kind} ${p.name}`);
    if (bad) return bad;
  }
  return undefined;
}

/** For two declared entities: the field over one that names a different slot of the other for
 *  each of its slots, covering them all (each device in a group of its own), and which entity
 *  it is over; or why there is none, in words. */
export function linkOf(model: Model, a: string, b: string): { entity: string; linked: LinkedEntity } | string {
  for (const [x, y] of [[a, b], [b, a]]) {
    const ey = model.entities.find((e) => e.name === y), ex = model.entities.find((e) => e.name === x);
    if (!ex || !ey) return `there is no entity '${!ex ? x : y}'`;
    const ySlots = ey.slotNames ?? Array.from({ length: ey.count }, (_, i) => `${y}${i}`);
    for (const f of model.fields) {
      if (f.over !== x || f.domain.kind !== 'ref' || f.domain.entity !== y || !Array.isArray(f.init)) continue;
      const slots = f.init.map((v) => (typeof v === 'number' ? v : ySlots.indexOf(String(v))));
      if (ex.count === ey.count && slots.every((s) => s >= 0) && new Set(slots).size === ey.count) return { entity: x, linked: { entity: y, link: f.name } };
      return `'${x}' and '${y}' move together only when each ${x} has a ${y} of its own ('${f.name}' does not name a different ${y} for each ${x})`;
    }
  }
  return `no field over '${a}' names a slot of '${b}' or the other way round, so they cannot be permuted together`;
}

/** The assignments that write one field over a permuted entity at every slot by constant
 *  index, each the same value: an unrolled "for every slot" (driver_deferred_probe_trigger's
 *  "every deferred device"), which any permutation maps to itself. Their values are still
 *  checked. */
function writesEverySlot(assign: readonly Assign[], overOf: ReadonlyMap<string, string>, count: ReadonlyMap<string, number>): Set<Assign> {
  const out = new Set<Assign>();
  const byField = new Map<string, Assign[]>();
  for (const as of assign) {
    if (!overOf.has(as.field) || as.index?.kind !== 'lit') continue;
    byField.set(as.field, [...(byField.get(as.field) ?? []), as]);
  }
  for (const [field, list] of byField) {
    const n = count.get(overOf.get(field)!)!;
    const slots = new Set(list.map((as) => (as.index as { value: number }).value));
    const same = list.every((as) => JSON.stringify(as.value) === JSON.stringify(list[0].value));
    if (list.length === n && slots.size === n && same) for (const as of list) out.add(as);
  }
  return out;
}
