/**
 * How a lowered model (CoreModel) looks in the TLA+ world: one TLA+ variable per field (a
 * function over the slot names for a field over an entity, a plain value for a scalar), the
 * value encoding of each domain, and TLA-legal, readable, unique names. Shared by the TLA+
 * exporter (tla.ts) and the ITF reader and writer (itf.ts), so that an ITF trace is a trace
 * of the exported spec.
 *
 * Values. probecheck stores every value as an integer (src/ir/types.ts); TLA+ sees
 *   bool -> TRUE / FALSE, enum -> the value's name as a string, int -> the integer,
 *   ref  -> the slot's name as a string, or "none",
 *   pc   -> the step label as a string ("$end" at the end), crash -> "none" or the assertion.
 * The mapping is a bijection on each field's domain, so probecheck states and TLA+ states
 * correspond one to one.
 */
import { fail } from '../errors';
import type { CoreEntity, CoreField, CoreModel } from '../ir/core';
import { CRASH } from '../ir/types';

/** The TLA+ sort of a value; `int` carries no range (ranges matter only to TypeOK). */
export type Sort =
  | { readonly k: 'int' }
  | { readonly k: 'bool' }
  | { readonly k: 'enum'; readonly values: readonly string[] }
  | { readonly k: 'ref'; readonly entity: string; readonly slots: readonly string[]; readonly nullable: boolean };

export const INT: Sort = { k: 'int' };
export const BOOL: Sort = { k: 'bool' };

export function sortEq(a: Sort, b: Sort): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'enum') return a.values.length === (b as typeof a).values.length && a.values.every((x, i) => x === (b as typeof a).values[i]);
  if (a.k === 'ref') return a.entity === (b as typeof a).entity;
  return true;
}

/** Whether the integer `v` encodes a value of `s`. */
export function inSort(v: number, s: Sort): boolean {
  switch (s.k) {
    case 'int': return true;
    case 'bool': return v === 0 || v === 1;
    case 'enum': return v >= 0 && v < s.values.length;
    case 'ref': return v >= (s.nullable ? -1 : 0) && v < s.slots.length;
  }
}

/** A TLA+ value as plain JS: number, boolean or string. */
export type Scalar = number | boolean | string;

export function encodeValue(v: number, s: Sort): Scalar {
  switch (s.k) {
    case 'int': return v;
    case 'bool': return v !== 0;
    case 'enum': return s.values[v];
    case 'ref': return v < 0 ? 'none' : s.slots[v];
  }
}

/** The integer for a plain JS value of sort `s`, or undefined when it is not one. */
export function decodeValue(x: unknown, s: Sort): number | undefined {
  switch (s.k) {
    case 'int': return typeof x === 'number' && Number.isSafeInteger(x) ? x : undefined;
    case 'bool': return typeof x === 'boolean' ? (x ? 1 : 0) : undefined;
    case 'enum': { const i = typeof x === 'string' ? s.values.indexOf(x) : -1; return i < 0 ? undefined : i; }
    case 'ref': {
      if (typeof x !== 'string') return undefined;
      if (x === 'none') return s.nullable ? -1 : undefined;
      const i = s.slots.indexOf(x);
      return i < 0 ? undefined : i;
    }
  }
}

export interface TlaVar {
  /** TLA+ identifier of the variable. */
  readonly name: string;
  readonly field: CoreField;
  /** The field's value sort. */
  readonly sort: Sort;
  /** Integer range of the field (for TypeOK). */
  readonly min: number;
  readonly max: number;
  /** Slot names of the function's domain, in variable order; null for a scalar. */
  readonly keys: readonly string[] | null;
  /** TLA+ expression of the function's domain (a set), or null for a scalar. */
  readonly domainSet: string | null;
  /** Core variable index per key (one entry for a scalar). */
  readonly coreVars: readonly number[];
  /** 'field', 'pc' or 'crash'. */
  readonly role: 'field' | 'pc' | 'crash';
}

export interface Layout {
  readonly core: CoreModel;
  readonly vars: readonly TlaVar[];
  /** TLA variable and key (slot name, or null) per core variable. */
  readonly ofCore: readonly { readonly tv: TlaVar; readonly key: string | null }[];
  /** TLA variable per core field index. */
  readonly ofField: readonly TlaVar[];
  /** TLA+ name of the set of slot names of each entity. */
  readonly entitySet: ReadonlyMap<string, string>;
  readonly entities: ReadonlyMap<string, CoreEntity>;
  readonly names: NameTable;
}

// TLA+ keywords, proof keywords, and the operators of the standard modules the export extends.
const RESERVED = new Set((
  'ASSUME ASSUMPTION AXIOM BOOLEAN CASE CHOOSE CONSTANT CONSTANTS COROLLARY DOMAIN ELSE ENABLED ' +
  'EXCEPT EXTENDS FALSE IF IN INSTANCE LEMMA LET LOCAL MODULE OTHER PROPOSITION STRING SUBSET ' +
  'THEN THEOREM TRUE UNCHANGED UNION VARIABLE VARIABLES WITH ACTION BY DEF DEFINE DEFS HAVE ' +
  'HIDE LAMBDA NEW OBVIOUS OMITTED ONLY PICK PROOF PROVE QED RECURSIVE STATE SUFFICES TAKE ' +
  'TEMPORAL USE WITNESS Nat Int Real Infinity Seq Len Append Head Tail SubSeq SelectSeq ' +
  'Cardinality IsFiniteSet Print PrintT Assert JavaTime TLCGet TLCSet Permutations SortSeq ' +
  'RandomElement Any ToString TLCEval'
).split(' '));

/** Unique TLA+ identifiers, first come first served; a clash gets a numeric suffix. */
export class NameTable {
  private readonly taken = new Set<string>(RESERVED);

  /** A legal identifier for `raw`: runs of other characters become '_'. */
  static ident(raw: string): string {
    let s = raw.replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
    if (!/[A-Za-z]/.test(s)) s = 'x_' + s;
    if (/^[0-9]/.test(s) || /^(WF|SF)_/.test(s)) s = 'v_' + s;
    return s.replace(/_+$/g, '');
  }

  take(raw: string): string {
    const base = NameTable.ident(raw);
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/** A TLA+ string literal. */
export function tlaString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

/** Names the exporter reserves before any model name, in this order. */
export const FIXED_NAMES = ['Init', 'Next', 'Spec', 'vars', 'TypeOK', 'Running', 'Ended', 'Stuck', 'Done'] as const;

/**
 * Build the layout. `where` names the model in errors. Fails with E_EXPORT when the model's
 * values cannot be told apart in TLA+ (two slots or two enum values with the same name, a
 * slot named "none" in a nullable reference).
 */
export function buildLayout(core: CoreModel, names = new NameTable()): Layout {
  const where = `model ${core.name}`;
  for (const n of FIXED_NAMES) names.take(n);
  const entities = new Map(core.entities.map((e) => [e.name, e]));
  for (const e of core.entities) {
    const dup = e.slotNames.find((s, i) => e.slotNames.indexOf(s) !== i);
    if (dup !== undefined) fail('E_EXPORT', `${where}, entity ${e.name}: two slots are named '${dup}'; TLA+ values must differ`);
  }
  const sortOf = (f: CoreField): Sort => {
    const d = f.domain;
    switch (d.kind) {
      case 'bool': return BOOL;
      case 'int': return INT;
      case 'enum': {
        const dup = d.values.find((s, i) => d.values.indexOf(s) !== i);
        if (dup !== undefined) fail('E_EXPORT', `${where}, field ${f.name}: the enum value '${dup}' appears twice`);
        return { k: 'enum', values: d.values };
      }
      case 'ref': {
        const e = entities.get(d.entity);
        if (!e) return fail('E_EXPORT', `${where}, field ${f.name}: unknown entity '${d.entity}'`);
        if (d.nullable && e.slotNames.includes('none')) {
          fail('E_EXPORT', `${where}, field ${f.name}: entity ${d.entity} has a slot named 'none', which is also the null reference`);
        }
        return { k: 'ref', entity: d.entity, slots: e.slotNames, nullable: d.nullable };
      }
    }
  };

  // Variables first (their names are what users read most), then entity sets.
  const pending: { f: CoreField; name: string; role: TlaVar['role'] }[] = [];
  for (const f of core.fields) {
    const role: TlaVar['role'] = f.name === CRASH ? 'crash' : f.synthetic ? 'pc' : 'field';
    const raw = role === 'crash' ? 'crash' : f.name; // 'pc.probe' -> pc_probe
    pending.push({ f, name: names.take(raw), role });
  }
  const entitySet = new Map<string, string>();
  for (const e of core.entities) {
    const base = NameTable.ident(e.name);
    entitySet.set(e.name, names.take(base.charAt(0).toUpperCase() + base.slice(1)));
  }
  const vars: TlaVar[] = [];
  const ofCore: { tv: TlaVar; key: string | null }[] = new Array(core.vars.length);
  for (const { f, name, role } of pending) {
    const sort = sortOf(f);
    const cv = f.vars.map((i) => core.vars[i]);
    let keys: string[] | null = null;
    let domainSet: string | null = null;
    if (f.over !== undefined) {
      const e = entities.get(f.over);
      if (!e) return fail('E_EXPORT', `${where}, field ${f.name}: unknown entity '${f.over}'`);
      keys = cv.map((x) => e.slotNames[x.slot]);
      domainSet = keys.length === e.count ? (entitySet.get(f.over) as string) : `{${keys.map(tlaString).join(', ')}}`;
    }
    const min = cv.length ? cv[0].min : 0, max = cv.length ? cv[0].max : 0;
    const tv: TlaVar = { name, field: f, sort, min, max, keys, domainSet, coreVars: [...f.vars], role };
    vars.push(tv);
    f.vars.forEach((vi, k) => { ofCore[vi] = { tv, key: keys ? keys[k] : null }; });
  }
  const ofField: TlaVar[] = [];
  for (const tv of vars) ofField[tv.field.index] = tv;
  return { core, vars, ofCore, ofField, entitySet, entities, names };
}

/** TLA+ text of a value of sort `s` (which must be in the sort). */
export function tlaValue(v: number, s: Sort): string {
  const x = encodeValue(v, s);
  if (typeof x === 'string') return tlaString(x);
  if (typeof x === 'boolean') return x ? 'TRUE' : 'FALSE';
  return x < 0 ? `(${x})` : String(x);
}

/** TLA+ set of a variable's values (its codomain for a function). */
export function tlaValueSet(tv: TlaVar, layout: Layout): string {
  const s = tv.sort;
  switch (s.k) {
    case 'bool': return 'BOOLEAN';
    case 'int': return `${tv.min < 0 ? `(${tv.min})` : tv.min}..${tv.max}`;
    case 'enum': return `{${s.values.map(tlaString).join(', ')}}`;
    case 'ref': {
      const set = layout.entitySet.get(s.entity) as string;
      return s.nullable ? `(${set} \\cup {"none"})` : set;
    }
  }
}
