/**
 * When a declared entity's slots are really interchangeable (Ip & Dill's scalarsets;
 * REDUCTION.md §3): permuting them maps states to states, steps to steps and every property's
 * value to itself. Checked on the model as written, before quantifiers are unrolled, because
 * only there a constant slot can be told from a quantified one. The first place that breaks it
 * is returned, in words for a one-line refusal; undefined means symmetric.
 *
 * Ids are the values that name a slot of the entity: `self` in an actor over it, a variable
 * bound by a quantifier over it, a field whose domain is a reference to it. They may only be
 * compared for equality with each other or with none; nothing names a slot by a constant.
 */
import type { Expr, Model } from './types';
import { THREAD } from './types';

export function whyNotSymmetric(model: Model, entity: string): string | undefined {
  const ent = model.entities.find((e) => e.name === entity);
  if (!ent) return `there is no entity '${entity}'`;
  const slotNames = new Set(ent.slotNames ?? Array.from({ length: ent.count }, (_, i) => `${entity}${i}`));
  const refFields = new Set(model.fields.filter((f) => f.domain.kind === 'ref' && f.domain.entity === entity).map((f) => f.name));
  const overFields = new Set(model.fields.filter((f) => f.over === entity).map((f) => f.name));
  const overActors = new Set(model.actors.filter((a) => a.over === entity).map((a) => a.name));

  for (const f of model.fields) {
    if (f.over === THREAD) return `field '${f.name}' is per thread`;
    const inits = Array.isArray(f.init) ? f.init : [f.init];
    if (f.over === entity && inits.some((x) => x !== inits[0])) return `field '${f.name}' starts with different values on different slots`;
    if (refFields.has(f.name) && inits.some((x) => x !== 'none' && x !== -1)) return `field '${f.name}' starts naming a slot`;
  }
  for (const a of model.actors) {
    if (a.over === entity && a.slots && a.slots.length !== ent.count) return `actor '${a.name}' runs on some slots only`;
  }

  const check = (e: Expr, ids: Set<string>, where: string): string | undefined => {
    const isId = (x: Expr): boolean =>
      (x.kind === 'param' && ids.has(x.name)) || (x.kind === 'var' && refFields.has(x.field)) ||
      (x.kind === 'ite' && (isId(x.then) || isId(x.else)));
    const isNone = (x: Expr): boolean => (x.kind === 'sym' && x.name === 'none') || (x.kind === 'lit' && x.value === -1);
    const sub = (x: Expr | undefined): string | undefined => (x ? check(x, ids, where) : undefined);
    switch (e.kind) {
      case 'sym': return slotNames.has(e.name) ? `${where} names slot ${e.name}` : undefined;
      case 'lit': case 'param': return undefined;
      case 'var':
        if (overFields.has(e.field) && e.index && !isId(e.index)) return `${where} reads '${e.field}' at a slot given by a constant or a computed value`;
        return sub(e.index);
      case 'at':
        if (overActors.has(e.actor) && (!e.instance || !isId(e.instance))) return `${where} tests actor '${e.actor}' of a constant slot`;
        return sub(e.instance);
      case 'not': return sub(e.arg);
      case 'ite': return sub(e.cond) ?? sub(e.then) ?? sub(e.else);
      case 'quant': {
        const inner = e.entity === entity ? new Set([...ids, e.var]) : ids;
        return check(e.body, inner, where);
      }
      case 'bin': {
        if (isId(e.left) || isId(e.right)) {
          if (e.op !== 'eq' && e.op !== 'ne') return `${where} uses a slot id of '${entity}' in '${e.op}' (ids may only be compared for equality)`;
          const other = isId(e.left) ? e.right : e.left;
          if (!isId(other) && !isNone(other)) return `${where} compares a slot id of '${entity}' with a constant`;
        }
        return sub(e.left) ?? sub(e.right);
      }
    }
  };

  for (const a of model.actors) {
    const ids = new Set<string>(a.over === entity ? ['self'] : []);
    for (const st of a.steps) {
      const where = `step ${a.name}:${st.label}`;
      const exprs: Expr[] = [];
      if (st.guard) exprs.push(st.guard);
      for (const b of st.branches) {
        if (b.guard) exprs.push(b.guard);
        for (const as of b.asserts ?? []) exprs.push(as.cond);
        for (const as of b.assign) {
          exprs.push(as.value);
          if (as.index) exprs.push(as.index);
          if (overFields.has(as.field)) {
            const bad = check({ kind: 'var', field: as.field, index: as.index }, ids, where);
            if (bad) return bad.replace('reads', 'writes');
          }
          if (refFields.has(as.field)) {
            const v = as.value;
            const ok = (v.kind === 'param' && ids.has(v.name)) || (v.kind === 'var' && refFields.has(v.field)) || (v.kind === 'sym' && v.name === 'none') || (v.kind === 'lit' && v.value === -1);
            if (!ok) return `${where} stores into '${as.field}' something other than a slot id or none`;
          }
        }
      }
      for (const x of exprs) { const bad = check(x, ids, where); if (bad) return bad; }
    }
  }
  for (const p of model.properties) {
    const bad = check(p.expr, new Set(), `${p.kind} ${p.name}`);
    if (bad) return bad;
  }
  return undefined;
}
