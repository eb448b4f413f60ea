/**
 * Partial-order reduction (docs/adr/0004): on random small models, the reduced search agrees
 * with the naive reference explorer (test/helpers/naive.ts) on every violated property and
 * its shortest counterexample (rebuilt by the bounded unreduced search), on the witnesses
 * reached and on model errors; it never stores more states; and it does reduce. Then each
 * condition is broken on purpose and the same check must find a model where it goes wrong,
 * so the suite can catch an unsound reduction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lowerModel } from '../../src/ir/lower';
import { ProbeError } from '../../src/errors';
import type { CoreModel } from '../../src/ir/core';
import type { Model } from '../../src/ir/types';
import { and, not, set, step, v } from '../../src/ir/dsl';
import { compileModel } from '../../src/compile/compile';
import { explore } from '../../src/explorer/explore';
import { computeFootprint, hasBit, type Footprint } from '../../src/explorer/reduction/footprint';
import { exploreReduced } from '../../src/explorer/reduction/reduced-search';
import { naiveExplore, type NaiveResult } from '../helpers/naive';
import { essence } from '../helpers/models';
import { porModelArb } from '../helpers/por-models';

function naive(m: CoreModel, cont: boolean): NaiveResult | 'model-error' {
  try { return naiveExplore(m, { continueAfterViolation: cont }); } catch (e) {
    if (e instanceof ProbeError && e.code === 'E_MODEL_RUNTIME') return 'model-error';
    throw e;
  }
}

let reducedModels = 0, comparedModels = 0, agreeRuns = 0;

async function agree(model: Model, cont: boolean): Promise<void> {
  const m = lowerModel(model);
  const ref = naive(m, cont);
  const r = await explore(m, { continueAfterViolation: cont, reduce: { por: true } });
  // Every tenth model also with two workers (the rebuild runs on them): nothing changes.
  if (++agreeRuns % 10 === 0) {
    const r2 = await explore(m, { continueAfterViolation: cont, reduce: { por: true }, workers: 2, parallelThreshold: 0 });
    assert.deepEqual(essence(r2), essence(r), 'the same for 2 workers');
  }
  if (ref === 'model-error') { assert.equal(r.verdict, 'model-error'); return; }
  assert.notEqual(r.verdict, 'model-error', r.modelError?.message);
  const got = new Map(r.violations.map((x) => [x.property, [...x.actions]]));
  assert.deepEqual(got, ref.violations, 'violations and their shortest traces');
  if (cont) {
    const reached = (names: [string, unknown][]) => names.filter(([, p]) => p !== null && p !== undefined).map(([n]) => n).sort();
    assert.deepEqual(reached(r.witnesses.map((w) => [w.name, w.actions])), reached([...ref.witnesses]), 'witnesses reached');
    assert.ok(r.distinct <= ref.distinct, `reduced ${r.distinct} > full ${ref.distinct}`);
    comparedModels++;
    if (r.distinct < ref.distinct) reducedModels++;
  }
}

test('random models: the reduced search finds every violation, with the shortest trace, over the whole space', async () => {
  await fc.assert(fc.asyncProperty(porModelArb, (m) => agree(m, true)), { numRuns: 120, seed: 20261207 });
  // Not vacuous: the reduction has to remove states in a good share of the models.
  assert.ok(reducedModels >= comparedModels / 5, `reduced ${reducedModels} of ${comparedModels} models`);
});

test('random models: the reduced search reports what the unreduced one does at the first violating level', async () => {
  await fc.assert(fc.asyncProperty(porModelArb, (m) => agree(m, false)), { numRuns: 60, seed: 712 });
});

/** What a (possibly broken) reduced search decides: violated properties, witnesses reached. */
async function verdicts(m: CoreModel, mutate: (fp: Footprint, m: CoreModel) => void, proviso = true): Promise<{ violated: string[]; reached: string[]; error: boolean }> {
  const src = compileModel(m);
  const fp = computeFootprint(m, src.selected);
  mutate(fp, m);
  const { result } = await exploreReduced(m, src, fp, { continueAfterViolation: true }, { proviso });
  return {
    violated: result.violations.map((v) => v.property).sort(), reached: result.witnesses.filter((w) => w.reached).map((w) => w.name).sort(),
    error: result.verdict === 'model-error',
  };
}

async function sameVerdicts(model: Model, mutate: (fp: Footprint, m: CoreModel) => void, proviso = true): Promise<boolean> {
  const m = lowerModel(model);
  const ref = naive(m, true);
  const got = await verdicts(m, mutate, proviso);
  if (ref === 'model-error') return got.error;
  if (got.error) return false;
  const violated = [...ref.violations.keys()].sort();
  const reached = [...ref.witnesses].filter(([, p]) => p !== null).map(([n]) => n).sort();
  return JSON.stringify({ violated, reached }) === JSON.stringify({ violated: got.violated, reached: got.reached });
}

const keepOnly = (fp: Footprint, keep: (t: number, u: number) => boolean) => {
  fp.dep.forEach((d, t) => { for (let u = 0; u < fp.actions; u++) if (hasBit(d, u) && !keep(t, u)) d[u >>> 5] &= ~(1 << (u & 31)); });
};

const noVisibility = (fp: Footprint) => fp.visible.fill(0);
const noEnablers = (fp: Footprint) => { for (const b of [...fp.pcEnablers, ...fp.guardEnablers, ...fp.atomEnablers.flat()]) b.fill(0); };

// The random models catch these within a few hundred models.
const MUTANTS: [string, (fp: Footprint, m: CoreModel) => void, boolean][] = [
  ['every step independent of every other', (fp) => keepOnly(fp, (t, u) => t === u), true],
  ['steps of different actors always independent', (fp, m) => keepOnly(fp, (t, u) => m.actions[t].instance === m.actions[u].instance), true],
  ['no proviso (ignoring)', () => {}, false],
];

for (const [name, mutate, proviso] of MUTANTS) {
  test(`a broken reduction is caught by the random models: ${name}`, async () => {
    const out = await fc.check(fc.asyncProperty(porModelArb, (m) => sameVerdicts(m, mutate, proviso)), { numRuns: 400, seed: 4242 });
    assert.ok(out.failed, `the mutant survived ${out.numRuns} random models`);
  });
}

// These two survive thousands of random models (a violation that needs one visible step
// deferred, or an enabling step left out, is rare there), so each has a model made for it.
const g = (name: string) => ({ name, domain: { kind: 'bool' as const }, init: false });
/** x goes up and down again in A; B sets y. Only x and y together break the invariant: a
 *  search that may defer B's visible step past A's two steps never sees it. */
const VISIBILITY: Model = {
  name: 'visibility', entities: [], fields: [g('x'), g('y')],
  actors: [
    { name: 'A', steps: [step('s0', { assign: [set('x', undefined, 1)], goto: 's1' }), step('s1', { assign: [set('x', undefined, 0)], goto: '$end' })] },
    { name: 'B', steps: [step('s0', { assign: [set('y', undefined, 1)], goto: '$end' })] },
  ],
  properties: [{ name: 'NotBoth', kind: 'invariant', expr: not(and(v('x'), v('y'))) }],
  checkDeadlock: false,
};
/** R asserts x was never set; P sets x once Q has opened the gate g. R's stubborn set must
 *  bring Q (which enables P, which conflicts with R), else R runs first and the oops is lost. */
const ENABLING: Model = {
  name: 'enabling', entities: [], fields: [g('g'), g('x'), g('y')],
  actors: [
    { name: 'R', steps: [step('s0', { assign: [set('y', undefined, 1)], goto: '$end', asserts: [{ name: 'Oops', cond: not(v('x')) }] })] },
    { name: 'P', steps: [step('s0', { guard: v('g'), assign: [set('x', undefined, 1)], goto: '$end' })] },
    { name: 'Q', steps: [step('s0', { assign: [set('g', undefined, 1)], goto: '$end' })] },
  ],
  properties: [],
  checkDeadlock: false,
};

for (const [name, model, mutate] of [['no step visible (C2 dropped)', VISIBILITY, noVisibility], ['no step can enable a disabled one', ENABLING, noEnablers]] as const) {
  test(`a broken reduction is caught by a model made for it: ${name}`, async () => {
    assert.equal(await sameVerdicts(model, () => {}), true, 'the reduction as built finds the violation');
    assert.equal(await sameVerdicts(model, mutate), false, 'the mutant misses it');
  });
}

test('the unbroken reduction passes the same check the mutants fail', async () => {
  await fc.assert(fc.asyncProperty(porModelArb, (m) => sameVerdicts(m, () => {})), { numRuns: 200, seed: 4242 });
});
