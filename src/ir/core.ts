/**
 * The lowered model: what the compiler, the reference interpreter and the exporters consume.
 * Lowering (lower.ts) resolves symbols, unrolls quantifiers and actor instances, turns program
 * counters and the crash record into ordinary variables, and flattens every field copy into a
 * variable. Every expression here is closed: no parameters, no quantifiers, no symbols.
 */
import type { BinOp, Domain, PropertyKind } from './types';
import type { LinkedEntity } from './symmetry';

/** One copy of a field: a scalar field has one, a field over an entity one per slot. */
export interface CoreVar {
  readonly index: number;
  /** Display name: `field` or `field[SLOT]`. */
  readonly name: string;
  readonly field: number;
  readonly slot: number;
  readonly min: number;
  readonly max: number;
  readonly init: number;
}

export interface CoreField {
  readonly index: number;
  readonly name: string;
  readonly domain: Domain;
  readonly over?: string;
  /** Variable index per slot (one entry for a scalar field). */
  readonly vars: readonly number[];
  readonly ghost: boolean;
  /** Program counters and the crash record are made by lowering, not declared. */
  readonly synthetic: boolean;
}

export type CExpr =
  | { readonly k: 'lit'; readonly v: number }
  | { readonly k: 'var'; readonly v: number; readonly primed: boolean }
  /** A field copy chosen at run time by `index` (a slot read from the state). */
  | { readonly k: 'ivar'; readonly field: number; readonly index: CExpr; readonly primed: boolean }
  | { readonly k: 'not'; readonly a: CExpr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly l: CExpr; readonly r: CExpr }
  | { readonly k: 'ite'; readonly c: CExpr; readonly t: CExpr; readonly e: CExpr };

export type CTarget =
  | { readonly k: 'var'; readonly v: number }
  | { readonly k: 'ivar'; readonly field: number; readonly index: CExpr };

export interface CAssign {
  readonly target: CTarget;
  readonly value: CExpr;
}

export interface CAssert {
  /** Value written to the crash record when `cond` fails (1-based). */
  readonly crash: number;
  readonly name: string;
  readonly cond: CExpr;
}

export interface ActorInstance {
  readonly index: number;
  readonly actor: string;
  /** Entity slot this instance runs for, or -1 for a single-instance actor. */
  readonly slot: number;
  /** `actor` or `actor[SLOT]`. */
  readonly name: string;
  readonly pcVar: number;
  /** Step labels in order; the pc value of a label is its position, END is last. */
  readonly labels: readonly string[];
}

export interface CoreAction {
  readonly id: number;
  readonly instance: number;
  readonly step: string;
  readonly branch?: string;
  /** `instance:step` or `instance:step.branch`, as traces print it. */
  readonly name: string;
  readonly fn?: string;
  readonly file?: string;
  readonly pcVar: number;
  readonly pcFrom: number;
  readonly pcTo: number;
  /** Step guard and branch guard (the pc and crash tests are implied). */
  readonly guard: CExpr;
  readonly assign: readonly CAssign[];
  readonly asserts: readonly CAssert[];
}

export interface CoreProperty {
  readonly index: number;
  readonly name: string;
  readonly kind: PropertyKind;
  readonly expr: CExpr;
  readonly doc?: string;
  /** Made by lowering (deadlock, assertions) rather than declared by the model. */
  readonly synthetic: boolean;
}

export interface CoreEntity {
  readonly name: string;
  readonly count: number;
  readonly slotNames: readonly string[];
}

export interface CoreModel {
  readonly name: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly meta: Readonly<Record<string, unknown>>;
  /** The declared interchangeable entity (with a second one permuted with it through a link
   *  field), and the first reason it is not symmetric (when one is found): see
   *  src/ir/symmetry.ts. Absent when none is declared. */
  readonly symmetry?: readonly { readonly entity: string; readonly linked?: LinkedEntity; readonly refused?: string }[];
  /** Without a declaration: entities the check finds interchangeable, which a declaration
   *  would let the search permute (a hint for the report). */
  readonly symmetryAvailable?: readonly string[];
  readonly entities: readonly CoreEntity[];
  readonly fields: readonly CoreField[];
  readonly vars: readonly CoreVar[];
  readonly instances: readonly ActorInstance[];
  readonly actions: readonly CoreAction[];
  readonly properties: readonly CoreProperty[];
  /** Variable holding the crash record (0 = no crash), or -1 when no step asserts. */
  readonly crashVar: number;
  /** Assertion names by crash value - 1. */
  readonly crashNames: readonly string[];
}

export const lit = (v: number): CExpr => ({ k: 'lit', v });

/**
 * The actions that are no step of their instance: a guard the lowering folded to false (a
 * branch into the path of another instance, e.g. another device's bus glue), or a step whose
 * only way in is through such branches. Steps nothing jumps to at all stay (those are the
 * model's own, and a report lists them as never enabled).
 */
export function offPathActions(core: CoreModel): Set<number> {
  const off = (a: CoreAction) => a.guard.k === 'lit' && a.guard.v === 0;
  const reach = (acts: readonly CoreAction[], skipOff: boolean): Set<number> => {
    const seen = new Set([0]);
    const todo = [0];
    while (todo.length) {
      const pc = todo.pop()!;
      for (const a of acts) if (a.pcFrom === pc && !(skipOff && off(a)) && !seen.has(a.pcTo)) { seen.add(a.pcTo); todo.push(a.pcTo); }
    }
    return seen;
  };
  const out = new Set<number>();
  for (const inst of core.instances) {
    const acts = core.actions.filter((a) => a.instance === inst.index);
    if (!acts.some(off)) continue;
    const all = reach(acts, false), live = reach(acts, true);
    for (const a of acts) if (off(a) || (all.has(a.pcFrom) && !live.has(a.pcFrom))) out.add(a.id);
  }
  return out;
}
