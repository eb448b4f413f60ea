/**
 * The model IR: plain data that can be printed (TLA+), walked (read/write sets per step),
 * validated, interpreted (src/ir/interpret.ts, the reference semantics) and compiled
 * (src/compile, the hot loop).
 *
 * Values. Every value is an integer: a bool is 0/1, an enum value is its index in `values`,
 * an int is itself, a reference is a slot index of its entity or -1 for none. Symbolic
 * literals (`sym`) name an enum value or a slot ('idle', 'none', 'G1') and are resolved
 * against the domain of the field they are compared with or assigned to.
 *
 * Determinism contract. The initial state is unique. Actions are numbered in a fixed order:
 * actors in declaration order, then instances in slot order, then steps in declaration order,
 * then branches in declaration order. A trace is the sequence of those numbers, so a trace
 * replays exactly on the same model; the explorer orders every BFS level by (parent position,
 * action id), which makes each reported counterexample the shortest, and among the shortest
 * the smallest action sequence.
 *
 * Steps are atomic. A step is enabled when its actor instance's program counter is at the
 * step, its guard holds and at least one branch guard holds; each enabled branch is one
 * action. Assignments of a branch are simultaneous: every right-hand side and every index
 * reads the state before the step (as primed variables do in TLA+).
 */

export type Domain =
  | { readonly kind: 'bool' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  /** A slot of `entity`, or none (-1) when nullable. `$thread` names the actor instances. */
  | { readonly kind: 'ref'; readonly entity: string; readonly nullable: boolean };

export interface Entity {
  readonly name: string;
  readonly count: number;
  /** Display names of the slots ('D1', 'D2'); default `${name}${i}`. Usable as `sym` literals. */
  readonly slotNames?: readonly string[];
}

/** An initial value: a number, or a symbol resolved against the field's domain. */
export type InitValue = number | boolean | string;

export interface Field {
  readonly name: string;
  readonly domain: Domain;
  /** One copy per slot of this entity; absent for a scalar field. */
  readonly over?: string;
  /** Initial value, or one per slot for a field `over` an entity. */
  readonly init: InitValue | readonly InitValue[];
  /** Model-only bookkeeping that no kernel structure holds (ghost fields). */
  readonly ghost?: boolean;
  readonly doc?: string;
}

export type BinOp =
  | 'add' | 'sub' | 'mul' | 'mod' | 'min' | 'max'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  | 'and' | 'or' | 'implies';

export type Expr =
  | { readonly kind: 'lit'; readonly value: number }
  | { readonly kind: 'sym'; readonly name: string }
  /** Read a field; `index` is required for a field over an entity. `primed` reads the
   *  state after the step (transition properties only). */
  | { readonly kind: 'var'; readonly field: string; readonly index?: Expr; readonly primed?: boolean }
  /** A bound name: `self` (the actor instance's slot) or a quantifier variable. */
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'bin'; readonly op: BinOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'ite'; readonly cond: Expr; readonly then: Expr; readonly else: Expr }
  /** Quantifier over the slots of an entity; `count` counts the slots where body holds. */
  | {
      readonly kind: 'quant';
      readonly q: 'forall' | 'exists' | 'count';
      readonly entity: string;
      readonly var: string;
      readonly body: Expr;
    }
  /** True when the given actor instance's program counter is at one of `labels`
   *  ('$end' is the end). `instance` must be constant once quantifiers are unrolled. */
  | {
      readonly kind: 'at';
      readonly actor: string;
      readonly instance?: Expr;
      readonly labels: readonly string[];
      readonly primed?: boolean;
    };

export interface Assign {
  readonly field: string;
  readonly index?: Expr;
  readonly value: Expr;
}

/** A fatal check at a step: when `cond` is false in the state before the step, the step
 *  records the failure in the crash record (`$crash`, an enum of 'none' and the assertion
 *  names, readable by properties) instead of its assignments, and the system stops (no step
 *  is enabled in a crashed state). Models the kernel's oops/BUG. */
export interface Assertion {
  readonly name: string;
  readonly cond: Expr;
  readonly doc?: string;
}

export interface Branch {
  /** Shown in traces as `label.name`; required when a step has several branches. */
  readonly name?: string;
  readonly guard?: Expr;
  readonly assign: readonly Assign[];
  /** Label of the next step of the same actor, or '$end'. */
  readonly goto: string;
  readonly asserts?: readonly Assertion[];
  readonly doc?: string;
}

/** One check of a step against kernel source: the release, the tree it was read in
 *  (`repo@commit`) and the lines that decide it. */
export interface StepCheck {
  readonly release: string;
  readonly tree: string;
  readonly lines: string;
}

export interface Step {
  readonly label: string;
  /** The kernel function and file this step stands for (required by the kernel model). */
  readonly fn?: string;
  readonly file?: string;
  readonly doc?: string;
  /** The model source file (a form of a kernel code path) that built this step. */
  readonly origin?: string;
  /** The releases this step was checked against, with lines; absent or empty: inferred. */
  readonly checked?: readonly StepCheck[];
  readonly guard?: Expr;
  readonly branches: readonly Branch[];
}

export interface Actor {
  readonly name: string;
  /** One instance per slot of this entity (or of `slots` of it); absent: one instance. */
  readonly over?: string;
  readonly slots?: readonly number[];
  /** The first step's label is where every instance starts. */
  readonly steps: readonly Step[];
  readonly doc?: string;
}

/**
 * - invariant: holds in every reachable state.
 * - transition: holds for every step (reads primed and unprimed fields).
 * - terminal: holds in every state with no enabled step.
 * - witness: some reachable state satisfies it (non-vacuity; TLA+ users know it as a
 *   "sometimes" property). A witness that is never reached fails the run.
 */
export type PropertyKind = 'invariant' | 'transition' | 'terminal' | 'witness';

export interface Property {
  readonly name: string;
  readonly kind: PropertyKind;
  readonly expr: Expr;
  readonly doc?: string;
}

export interface Model {
  readonly name: string;
  /** Shown in summaries: the values that built this model (e.g. { n: 6, m: 11 }). */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly entities: readonly Entity[];
  readonly fields: readonly Field[];
  readonly actors: readonly Actor[];
  readonly properties: readonly Property[];
  /** Report states with no enabled step where some actor has not ended (default true). */
  readonly checkDeadlock?: boolean;
  /** Entities whose slots are interchangeable (symmetry reduction, docs/adr/0004): the model
   *  treats them alike (no slot named by a constant, slot ids only compared for equality,
   *  equal initial values, an actor over the entity on every slot). Checked when a run asks
   *  for symmetry; refused with the first place that breaks it. */
  readonly symmetry?: readonly string[];
  /** Free-form provenance (kernel, patches, scenario, assumptions). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export const END = '$end';
export const THREAD = '$thread';
export const CRASH = '$crash';
export const DEADLOCK = 'NoDeadlock';
/** Bound in every step to the running actor instance (a `$thread` slot): lock holders. */
export const ME = '$me';
