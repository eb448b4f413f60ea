/**
 * Random small models for the partial-order reduction tests: two or three actors with
 * private fields (indexed by the instance's own slot) and shared ones, guards over their own
 * and other actors' fields and program counters, assertions, invariants, witnesses, a
 * transition property (one that stuttering steps satisfy, or one they can violate), a
 * terminal property and deadlock checks. Private steps make reduction possible; shared
 * fields and waits on other actors make it easy to get wrong.
 */
import fc from 'fast-check';
import type { Expr, Field, Model, Property, Step } from '../../src/ir/types';
import { add, and, at, eq, exists, forall, implies, le, lt, mod, ne, next, not, or, self, v } from '../../src/ir/dsl';

const SLOTS = 3;
const FIELDS: Field[] = [
  { name: 'b', domain: { kind: 'bool' }, init: false },
  { name: 'n', domain: { kind: 'int', min: 0, max: 3 }, init: 0 },
  { name: 'e', domain: { kind: 'enum', values: ['idle', 'busy', 'done'] }, init: 'idle' },
  { name: 'p', domain: { kind: 'int', min: 0, max: 2 }, over: 'slot', init: [0, 1, 2] },
  { name: 'f', domain: { kind: 'bool' }, over: 'slot', init: false },
  { name: 'r', domain: { kind: 'ref', entity: 'slot', nullable: true }, init: 'none' },
];

export const LABELS = ['s0', 's1', 's2'];

/** A generated step as the arbitraries draw it: a guard and branches with one optional assert. */
export interface DrawnStep {
  guard?: Expr;
  branches: { guard?: Expr; assign: Step['branches'][number]['assign']; goto: string; assert?: Expr }[];
}

/** Drawn steps as IR steps s0, s1, ...: branches named when there are two; an assert is 'Oops'. */
export const toSteps = (steps: readonly DrawnStep[]): Step[] => steps.map((s, i) => ({
  label: LABELS[i],
  guard: s.guard,
  branches: s.branches.map((b, j) => ({
    name: s.branches.length > 1 ? `b${j}` : undefined,
    guard: b.guard, assign: b.assign, goto: b.goto,
    asserts: b.assert ? [{ name: 'Oops', cond: b.assert }] : undefined,
  })),
}));

/** `self` stands for the instance's slot; the single actor `main` reads slot 1 instead. */
const localInt = fc.constantFrom<Expr>(v('p', self), { kind: 'lit', value: 1 }, { kind: 'lit', value: 2 });
const anyInt = fc.constantFrom<Expr>(v('n'), v('p', self), v('p', 0), v('p', 1), { kind: 'lit', value: 1 },
  // an index read from the state
  { kind: 'ite', cond: ne(v('r'), 'none'), then: v('p', v('r')), else: { kind: 'lit', value: 0 } });

const sharedLeaf = fc.oneof(
  fc.constantFrom<Expr>(v('b'), not(v('b')), eq(v('e'), 'idle'), eq(v('e'), 'busy'), ne(v('r'), 'none'), eq(v('r'), self),
    not(v('f', 0)), v('f', 1), at('worker', 0, 's1'), at('worker', 1, '$end'), at('main', undefined, 's1')),
  fc.tuple(anyInt, anyInt).map(([a, b]) => lt(a, b)),
  fc.tuple(anyInt, fc.integer({ min: 0, max: 2 })).map(([a, k]) => eq(a, k)),
);
const localLeaf = fc.oneof(
  fc.constantFrom<Expr>(v('f', self), not(v('f', self))),
  fc.tuple(localInt, fc.integer({ min: 0, max: 2 })).map(([a, k]) => eq(a, k)),
);

/** Guards: mostly what the instance owns, sometimes what others write. */
function boolExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.oneof({ weight: 2, arbitrary: localLeaf }, { weight: 1, arbitrary: sharedLeaf });
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(boolExpr(depth - 1), boolExpr(depth - 1)).map(([a, b]) => and(a, b)) },
    { weight: 1, arbitrary: fc.tuple(boolExpr(depth - 1), boolExpr(depth - 1)).map(([a, b]) => or(a, b)) },
  );
}

/** Properties read shared fields (and slot A's flag): steps that write only private state
 *  stay invisible. */
const propLeaf = fc.oneof(
  fc.constantFrom<Expr>(v('b'), not(v('b')), eq(v('e'), 'busy'), eq(v('e'), 'done'), ne(v('r'), 'none'), v('f', 0),
    at('worker', 1, '$end'), at('main', undefined, 's1')),
  fc.integer({ min: 1, max: 3 }).map((k) => eq(v('n'), k)),
);
const propExpr: fc.Arbitrary<Expr> = fc.oneof(
  propLeaf,
  fc.tuple(propLeaf, propLeaf).map(([a, b]) => and(a, b)),
  fc.tuple(propLeaf, propLeaf).map(([a, b]) => or(a, b)),
);
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

type A = { field: string; index?: Expr; value: Expr };
// Private writes are the most frequent: they are what the reduction can postpone.
const assignment: fc.Arbitrary<A> = fc.oneof(
  { weight: 6, arbitrary: localInt.map((x): A => ({ field: 'p', index: self, value: mod(add(x, 1), 3) })) },
  { weight: 4, arbitrary: localLeaf.map((x): A => ({ field: 'f', index: self, value: x })) },
  { weight: 1, arbitrary: anyInt.map((x): A => ({ field: 'p', index: self, value: mod(add(x, 1), 3) })) },
  { weight: 1, arbitrary: anyInt.map((x): A => ({ field: 'n', value: mod(add(x, 1), 4) })) },
  { weight: 1, arbitrary: anyInt.map((x): A => ({ field: 'n', value: add(x, 1) })) }, // may leave 0..3: a model error
  { weight: 1, arbitrary: boolExpr(0).map((x): A => ({ field: 'b', value: x })) },
  { weight: 1, arbitrary: fc.constantFrom('idle', 'busy', 'done').map((s): A => ({ field: 'e', value: { kind: 'sym', name: s } })) },
  { weight: 1, arbitrary: fc.constantFrom<Expr>(self, { kind: 'sym', name: 'none' }).map((x): A => ({ field: 'r', value: x })) },
);

const branchArb = (k: number) => fc.record({
  guard: rarely(boolExpr(1)),
  assign: fc.uniqueArray(assignment, { minLength: 1, maxLength: 2, selector: (a) => a.field }),
  goto: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...LABELS.slice(0, k)) }, { weight: 1, arbitrary: fc.constant('$end') }),
  assert: fc.oneof({ weight: 16, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: boolExpr(0) }),
});

const stepsArb = fc.integer({ min: 2, max: 3 }).chain((k) => fc.array(fc.record({
  guard: rarely(boolExpr(1)),
  branches: fc.array(branchArb(k), { minLength: 1, maxLength: 2 }),
}), { minLength: k, maxLength: k }).map(toSteps));

/** The single-instance actor has no `self`: slot 1 instead. */
function fixSelf<T>(x: T): T {
  return JSON.parse(JSON.stringify(x), (_k, val) => (val && val.kind === 'param' && val.name === 'self' ? { kind: 'lit', value: 1 } : val));
}

export const porModelArb: fc.Arbitrary<Model> = fc.record({
  worker: stepsArb,
  main: stepsArb,
  inv: fc.tuple(propExpr, propLeaf).map(([a, b]) => not(and(a, b))),
  trans: fc.constantFrom('none', 'monotone', 'stutter'),
  terminal: fc.option(boolExpr(0), { nil: undefined }),
  witness: propExpr,
  deadlock: fc.boolean(),
}).map((g): Model => {
  const props: Property[] = [
    { name: 'Inv', kind: 'invariant', expr: fixSelf(g.inv) },
    { name: 'Seen', kind: 'witness', expr: fixSelf(g.witness) },
    { name: 'WorkerEnds', kind: 'witness', expr: at('worker', 0, '$end') },
  ];
  // Stuttering steps satisfy the first; any step that leaves n alone while b holds violates
  // the second, so every step must count as reading it.
  if (g.trans === 'monotone') props.push({ name: 'Trans', kind: 'transition', expr: le(v('n'), next('n')) });
  if (g.trans === 'stutter') props.push({ name: 'Trans', kind: 'transition', expr: implies(v('b'), ne(v('n'), next('n'))) });
  if (g.terminal) props.push({ name: 'Final', kind: 'terminal', expr: fixSelf(g.terminal) });
  return {
    name: 'random-por',
    entities: [{ name: 'slot', count: SLOTS, slotNames: ['A', 'B', 'C'] }],
    fields: FIELDS,
    actors: [
      { name: 'worker', over: 'slot', steps: g.worker },
      { name: 'main', steps: fixSelf(g.main) },
    ],
    properties: props,
    checkDeadlock: g.deadlock,
  };
});

/**
 * Random models whose worker slots are alike (declared `symmetry: ['slot']`): steps read and
 * write their own slot, shared fields and the reference r (set to self or none, compared with
 * self); properties quantify over the slots. Every one must pass the symmetry check.
 */
const symLeaf = fc.oneof(
  fc.constantFrom<Expr>(v('b'), not(v('b')), eq(v('e'), 'busy'), eq(v('r'), self), ne(v('r'), 'none'), v('f', self), not(v('f', self)),
    exists('slot', (x) => and(v('f', x), ne(x, self))), forall('slot', (x) => or(eq(x, self), not(at('worker', x, 's1'))))),
  fc.integer({ min: 0, max: 2 }).map((k) => eq(v('p', self), k)),
  fc.integer({ min: 0, max: 3 }).map((k) => eq(v('n'), k)),
);
function symBool(depth: number): fc.Arbitrary<Expr> {
  if (depth <= 0) return symLeaf;
  return fc.oneof({ weight: 3, arbitrary: symLeaf },
    { weight: 1, arbitrary: fc.tuple(symBool(depth - 1), symBool(depth - 1)).map(([a, b]) => and(a, b)) },
    { weight: 1, arbitrary: fc.tuple(symBool(depth - 1), symBool(depth - 1)).map(([a, b]) => or(a, b)) });
}
const symAssign: fc.Arbitrary<A> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Expr>(v('p', self), v('n'), { kind: 'lit', value: 1 }).map((x): A => ({ field: 'p', index: self, value: mod(add(x, 1), 3) })) },
  { weight: 3, arbitrary: symLeaf.map((x): A => ({ field: 'f', index: self, value: x })) },
  { weight: 1, arbitrary: fc.constantFrom<Expr>(v('p', self), v('n')).map((x): A => ({ field: 'n', value: mod(add(x, 1), 4) })) },
  { weight: 1, arbitrary: symLeaf.map((x): A => ({ field: 'b', value: x })) },
  { weight: 1, arbitrary: fc.constantFrom('idle', 'busy', 'done').map((s): A => ({ field: 'e', value: { kind: 'sym', name: s } })) },
  { weight: 1, arbitrary: fc.constantFrom<Expr>(self, { kind: 'sym', name: 'none' }).map((x): A => ({ field: 'r', value: x })) },
);
const symSteps = fc.integer({ min: 2, max: 3 }).chain((k) => fc.array(fc.record({
  guard: rarely(symBool(1)),
  branches: fc.array(fc.record({
    guard: rarely(symBool(1)),
    assign: fc.uniqueArray(symAssign, { minLength: 1, maxLength: 2, selector: (a) => a.field }),
    goto: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...LABELS.slice(0, k)) }, { weight: 1, arbitrary: fc.constant('$end') }),
    assert: fc.oneof({ weight: 16, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: symLeaf }),
  }), { minLength: 1, maxLength: 2 }),
}), { minLength: k, maxLength: k }).map((steps): Step[] => steps.map((s, i) => ({
  label: LABELS[i], guard: s.guard,
  branches: s.branches.map((b, j) => ({
    name: s.branches.length > 1 ? `b${j}` : undefined, guard: b.guard, assign: b.assign, goto: b.goto,
    asserts: b.assert ? [{ name: 'Oops', cond: b.assert }] : undefined,
  })),
}))));
const symProp = (q: 'forall' | 'exists') => symBool(1).map((e) => (q === 'forall' ? forall('slot', (x) => substSelf(e, x)) : exists('slot', (x) => substSelf(e, x))));

function substSelf(e: Expr, x: Expr): Expr {
  return JSON.parse(JSON.stringify(e), (_k, val) => (val && val.kind === 'param' && val.name === 'self' ? x : val));
}

export const symmetricModelArb: fc.Arbitrary<Model> = fc.record({
  worker: symSteps, inv: symProp('forall'), witness: symProp('exists'), deadlock: fc.boolean(),
  trans: fc.boolean(),
}).map((g): Model => ({
  name: 'random-symmetric',
  entities: [{ name: 'slot', count: 3, slotNames: ['A', 'B', 'C'] }],
  fields: FIELDS.map((f) => (f.name === 'p' ? { ...f, init: [0, 0, 0] } : f.name === 'f' ? { ...f, init: false } : f)),
  actors: [{ name: 'worker', over: 'slot', steps: g.worker }],
  properties: [
    { name: 'Inv', kind: 'invariant', expr: g.inv },
    { name: 'Seen', kind: 'witness', expr: g.witness },
    ...(g.trans ? [{ name: 'Trans', kind: 'transition' as const, expr: le(v('n'), next('n')) }] : []),
  ],
  checkDeadlock: g.deadlock,
  symmetry: ['slot'],
}));
