/**
 * Random small models with a mutex, for the partial-order reduction's lock rules
 * (src/explorer/reduction/mutexes.ts): two workers and a main actor, each a program of blocks
 * that are either one plain step or a critical section (take the lock `lk`, one or two steps,
 * drop it). Steps inside and outside the sections read and write the same shared fields, so
 * some accesses are protected and some race; guards wait on shared fields and on other
 * actors' positions; an assertion now and then. Invariant, witness and deadlock check as in
 * por-models.ts.
 */
import fc from 'fast-check';
import type { Assign, Expr, Field, Model, Step } from '../../src/ir/types';
import { acquire, add, and, at, eq, lockFree, mod, not, or, release, self, v } from '../../src/ir/dsl';

const FIELDS: Field[] = [
  { name: 'lk', domain: { kind: 'ref', entity: '$thread', nullable: true }, init: 'none' },
  { name: 'x', domain: { kind: 'int', min: 0, max: 2 }, init: 0 },
  { name: 'b', domain: { kind: 'bool' }, init: false },
  { name: 'f', domain: { kind: 'bool' }, over: 'slot', init: false },
];

const leaf = fc.constantFrom<Expr>(v('b'), not(v('b')), eq(v('x'), 0), eq(v('x'), 1), eq(v('x'), 2), v('f', self), not(v('f', self)),
  v('f', 0), at('worker', 0, '$end'), at('main', undefined, '$end'));
const guard = fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: leaf },
  { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => and(a, b)) });
const op = fc.oneof<fc.Arbitrary<Assign>[]>(
  fc.constantFrom<Expr>(v('x'), v('x'), { kind: 'lit', value: 1 }).map((e) => ({ field: 'x', value: mod(add(e, 1), 3) })),
  leaf.map((e) => ({ field: 'b', value: e })),
  leaf.map((e) => ({ field: 'f', index: self, value: e })),
);

interface Block { critical: boolean; ops: { guard?: Expr; assign: Assign; assert?: Expr }[] }
const opStep = fc.record({ guard, assign: op, assert: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: leaf }) });
const block: fc.Arbitrary<Block> = fc.oneof(
  opStep.map((o) => ({ critical: false, ops: [o] })),
  fc.array(opStep, { minLength: 1, maxLength: 2 }).map((ops) => ({ critical: true, ops })),
);

/** Blocks as IR steps k0, k1, ...; the last goes to the end or back to the start. */
function program(blocks: readonly Block[], loop: boolean): Step[] {
  const steps: { guard?: Expr; assign: Assign[]; assert?: Expr }[] = [];
  for (const b of blocks) {
    if (b.critical) steps.push({ guard: lockFree('lk'), assign: [acquire('lk')] });
    for (const o of b.ops) steps.push({ guard: o.guard, assign: [o.assign], assert: o.assert });
    if (b.critical) steps.push({ assign: [release('lk')] });
  }
  return steps.map((s, i) => ({
    label: `k${i}`, guard: s.guard,
    branches: [{ assign: s.assign, goto: i + 1 < steps.length ? `k${i + 1}` : loop ? 'k0' : '$end', asserts: s.assert ? [{ name: 'Oops', cond: s.assert }] : undefined }],
  }));
}

const actorArb = fc.tuple(fc.array(block, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([bs, loop]) => program(bs, loop));

/** The single-instance actor has no `self`: slot 1 instead. */
function fixSelf<T>(x: T): T {
  return JSON.parse(JSON.stringify(x), (_k, val) => (val && val.kind === 'param' && val.name === 'self' ? { kind: 'lit', value: 1 } : val));
}

export const lockModelArb: fc.Arbitrary<Model> = fc.record({
  worker: actorArb, main: actorArb,
  inv: fc.tuple(leaf, leaf).map(([a, b]) => not(and(a, b))),
  witness: fc.tuple(leaf, leaf).map(([a, b]) => or(a, b)),
  deadlock: fc.boolean(),
}).map((g): Model => ({
  name: 'random-lock',
  entities: [{ name: 'slot', count: 2, slotNames: ['A', 'B'] }],
  fields: FIELDS,
  actors: [
    { name: 'worker', over: 'slot', steps: g.worker },
    { name: 'main', steps: fixSelf(g.main) },
  ],
  properties: [
    { name: 'Inv', kind: 'invariant', expr: fixSelf(g.inv) },
    { name: 'Seen', kind: 'witness', expr: fixSelf(g.witness) },
  ],
  checkDeadlock: g.deadlock,
}));
