/**
 * Soundness: on random small models, the compiled explorer agrees with the naive reference
 * explorer (plain arrays, a Map of serialised states, the IR interpreter) on the number of
 * states, transitions, the depth, the verdict and every counterexample, for 1, 2 and 3
 * workers. The random models use every construct: fields over entities, references, indices
 * read from the state, quantifiers, several branches, assertions, transition and terminal
 * properties, and values that can leave their domain (a model error in both explorers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lowerModel } from '../../src/ir/lower';
import { ProbeError } from '../../src/errors';
import type { Expr, Field, Model, Property } from '../../src/ir/types';
import { add, and, eq, exists, forall, ite, le, lt, mod, ne, not, or, self, v, next, at } from '../../src/ir/dsl';
import { naiveExplore } from '../helpers/naive';
import { acrossWorkers, essence } from '../helpers/models';
import { LABELS, toSteps } from '../helpers/por-models';

const SLOTS = 3;
const FIELDS: Field[] = [
  { name: 'b', domain: { kind: 'bool' }, init: false },
  { name: 'n', domain: { kind: 'int', min: 0, max: 3 }, init: 0 },
  { name: 'e', domain: { kind: 'enum', values: ['idle', 'busy', 'done'] }, init: 'idle' },
  { name: 'arr', domain: { kind: 'int', min: 0, max: 2 }, over: 'slot', init: [0, 1, 2] },
  { name: 'r', domain: { kind: 'ref', entity: 'slot', nullable: true }, init: 'none' },
  { name: 'flags', domain: { kind: 'bool' }, over: 'slot', init: false },
];

/** Integer expressions that stay small; `wild` ones may leave a field's domain. */
function intExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.oneof(
    fc.constantFrom<Expr>(v('n'), v('arr', self), v('arr', 0), v('arr', 2), { kind: 'lit', value: 0 }, { kind: 'lit', value: 1 }, { kind: 'lit', value: 2 }),
    // An index read from the state: arr[r] when r is set.
    fc.constant<Expr>(ite(ne(v('r'), 'none'), v('arr', v('r')), 0)),
  );
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(intExpr(depth - 1), intExpr(depth - 1)).map(([a, b]) => mod(add(a, b), 3)) },
    { weight: 1, arbitrary: fc.tuple(boolExpr(depth - 1), intExpr(depth - 1), intExpr(depth - 1)).map(([c, a, b]) => ite(c, a, b)) },
  );
}

function boolExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.oneof(
    fc.constantFrom<Expr>(v('b'), not(v('b')), eq(v('e'), 'idle'), eq(v('e'), 'busy'), ne(v('r'), 'none'), v('flags', self), eq(v('r'), self)),
    fc.tuple(intExpr(0), intExpr(0)).map(([a, b]) => lt(a, b)),
    fc.tuple(intExpr(0), fc.integer({ min: 0, max: 3 })).map(([a, k]) => le(a, k)),
  );
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(boolExpr(depth - 1), boolExpr(depth - 1)).map(([a, b]) => and(a, b)) },
    { weight: 1, arbitrary: fc.tuple(boolExpr(depth - 1), boolExpr(depth - 1)).map(([a, b]) => or(a, b)) },
    { weight: 1, arbitrary: boolExpr(depth - 1).map((a) => forall('slot', (x) => or(a, v('flags', x)))) },
    { weight: 1, arbitrary: fc.constant(exists('slot', (x) => eq(v('arr', x), 2))) },
  );
}

const assignment = fc.oneof(
  intExpr(1).map((x) => ({ field: 'n', value: mod(x, 4) })),
  intExpr(1).map((x) => ({ field: 'n', value: add(x, 1) })), // may leave 0..3: a model error
  intExpr(1).map((x) => ({ field: 'arr', index: self as Expr, value: mod(x, 3) })),
  fc.constant({ field: 'arr', index: v('r'), value: { kind: 'lit', value: 1 } as Expr }), // through none: a model error
  boolExpr(1).map((x) => ({ field: 'b', value: x })),
  fc.constantFrom('idle', 'busy', 'done').map((s) => ({ field: 'e', value: { kind: 'sym', name: s } as Expr })),
  fc.constantFrom<Expr>(self, { kind: 'sym', name: 'none' }, { kind: 'lit', value: 0 }).map((x) => ({ field: 'r', value: x })),
  boolExpr(0).map((x) => ({ field: 'flags', index: self as Expr, value: x })),
);

const branchArb = (stepCount: number) => fc.record({
  guard: fc.option(boolExpr(1), { nil: undefined, freq: 2 }),
  assign: fc.uniqueArray(assignment as fc.Arbitrary<{ field: string; index?: Expr; value: Expr }>, { minLength: 1, maxLength: 2, selector: (a) => `${a.field}${a.index ? JSON.stringify(a.index) : ''}` }),
  goto: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...LABELS.slice(0, stepCount)) }, { weight: 1, arbitrary: fc.constant('$end') }),
  assert: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: boolExpr(0) }),
});

const stepsArb = fc.integer({ min: 1, max: 3 }).chain((k) => fc.array(fc.record({
  guard: fc.option(boolExpr(1), { nil: undefined, freq: 2 }),
  branches: fc.array(branchArb(k), { minLength: 1, maxLength: 2 }),
}), { minLength: k, maxLength: k }).map(toSteps));

const modelArb: fc.Arbitrary<Model> = fc.record({
  perSlot: stepsArb,
  single: fc.option(stepsArb, { nil: undefined }),
  inv: fc.tuple(boolExpr(1), boolExpr(1)).map(([a, b]) => not(and(a, b))),
  trans: fc.boolean(),
  terminal: fc.option(boolExpr(0), { nil: undefined }),
  witness: boolExpr(1),
  deadlock: fc.boolean(),
}).map((g): Model => {
  const props: Property[] = [
    { name: 'Inv', kind: 'invariant', expr: replaceSelf(g.inv) },
    { name: 'Seen', kind: 'witness', expr: replaceSelf(g.witness) },
  ];
  if (g.trans) props.push({ name: 'NMonotone', kind: 'transition', expr: le(v('n'), next('n')) });
  if (g.terminal) props.push({ name: 'Final', kind: 'terminal', expr: replaceSelf(g.terminal) });
  props.push({ name: 'SomeEnd', kind: 'witness', expr: at('worker', 0, '$end') });
  return {
    name: 'random',
    entities: [{ name: 'slot', count: SLOTS, slotNames: ['A', 'B', 'C'] }],
    fields: FIELDS,
    actors: [
      { name: 'worker', over: 'slot', steps: g.perSlot },
      ...(g.single ? [{ name: 'main', steps: g.single.map((s) => replaceSelf(s)) }] : []),
    ],
    properties: props,
    checkDeadlock: g.deadlock,
  };
});

/** The single-instance actor has no `self`: read slot A instead. */
function replaceSelf<T>(x: T): T {
  return JSON.parse(JSON.stringify(x), (_k, val) => (val && val.kind === 'param' && val.name === 'self' ? { kind: 'lit', value: 0 } : val));
}

async function agree(model: Model, cont: boolean): Promise<void> {
  const m = lowerModel(model);
  let naive: ReturnType<typeof naiveExplore> | undefined;
  let naiveError: ProbeError | undefined;
  try { naive = naiveExplore(m, { continueAfterViolation: cont }); } catch (e) {
    if (!(e instanceof ProbeError) || e.code !== 'E_MODEL_RUNTIME') throw e;
    naiveError = e;
  }
  const rs = await acrossWorkers(m, { continueAfterViolation: cont });
  for (const r of rs) assert.deepEqual(essence(r), essence(rs[0]), `workers ${r.workers} differ from 1`);
  const r = rs[0];
  if (naiveError) {
    assert.equal(r.verdict, 'model-error', `naive: ${naiveError.message}`);
    return;
  }
  assert.ok(naive);
  assert.notEqual(r.verdict, 'model-error', r.modelError?.message);
  assert.equal(r.distinct, naive.distinct, 'distinct');
  assert.equal(r.generated, naive.generated, 'generated');
  assert.equal(r.depth, naive.depth, 'depth');
  const got = new Map(r.violations.map((x) => [x.property, [...x.actions]]));
  assert.deepEqual(got, naive.violations, 'violations');
  for (const w of r.witnesses) assert.deepEqual(w.actions ? [...w.actions] : null, naive.witnesses.get(w.name), `witness ${w.name}`);
}

test('random models: the explorer agrees with the reference explorer, stopping at the first violating level', async () => {
  await fc.assert(fc.asyncProperty(modelArb, (m) => agree(m, false)), { numRuns: 60, seed: 20261121 });
});

test('random models: the explorer agrees with the reference explorer over the whole space (--continue)', async () => {
  await fc.assert(fc.asyncProperty(modelArb, (m) => agree(m, true)), { numRuns: 60, seed: 1121 });
});
