/**
 * Symmetry reduction (docs/adr/0004): a model declares an entity whose slots are alike; the
 * search stores one representative per permutation class (the compile step's canon hook),
 * reports the same verdicts and, rebuilt by the unreduced search, the same shortest traces;
 * a declaration the model breaks (a property naming one slot) is refused with one line; a
 * canonical form that forgets to rename slot ids is caught.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerModel } from '../../src/ir/lower';
import { ProbeError } from '../../src/errors';
import type { Model } from '../../src/ir/types';
import { at, exists } from '../../src/ir/dsl';
import { buildClassicModel } from '../../src/examples';
import { compileModel } from '../../src/compile/compile';
import { explore } from '../../src/explorer/explore';
import type { ExploreResult } from '../../src/explorer/types';
import { symmetryCanonSource } from '../../src/explorer/reduction/symmetry-canon';
import { replayActions } from '../../src/trace/replay';
import { essence } from '../helpers/models';
import fc from 'fast-check';
import { whyNotSymmetric } from '../../src/ir/symmetry';
import { naiveExplore } from '../helpers/naive';
import { symmetricModelArb } from '../helpers/por-models';

const verdicts = (r: ExploreResult) => ({
  verdict: r.verdict,
  violations: r.violations.map((v) => ({ property: v.property, actions: [...v.actions] })),
  witnesses: r.witnesses.map((w) => ({ name: w.name, reached: w.reached })),
});

/** Peterson's filter lock with its witness made symmetric ("some process enters"), its
 *  processes declared alike. */
function symmetricPeterson(n: number, broken: boolean): Model {
  const m = buildClassicModel('peterson', [`n=${n}`, `broken=${broken}`]);
  return {
    ...m, symmetry: ['proc'],
    properties: m.properties.map((p) => (p.name === 'SomeoneEnters' ? { ...p, expr: exists('proc', (x) => at('proc', x, 'cs')) } : p)),
  };
}

test('counters: one state per multiset of values, C(n+m, n) of them', async () => {
  const m = lowerModel(buildClassicModel('counters', ['n=4', 'm=3']));
  const full = await explore(m, {});
  const sym = await explore(m, { reduce: { symmetry: true } });
  assert.equal(full.distinct, 256);
  assert.equal(sym.distinct, 35); // C(7, 4)
  assert.deepEqual(verdicts(sym), verdicts(full));
  assert.equal(sym.reduction?.symmetry, true);
  assert.equal(sym.reduction?.symmetryEntity, 'counter');
});

for (const broken of [false, true]) {
  test(`peterson(3${broken ? ', broken' : ''}) declared symmetric: the same verdicts and shortest traces, fewer states, alone and with partial-order reduction`, async () => {
    const m = lowerModel(symmetricPeterson(3, broken));
    const full = await explore(m, { continueAfterViolation: true });
    for (const reduce of [{ symmetry: true }, { symmetry: true, por: true }]) {
      const r = await explore(m, { continueAfterViolation: true, reduce });
      assert.deepEqual(verdicts(r), verdicts(full), JSON.stringify(reduce));
      assert.ok(r.distinct < full.distinct, `${r.distinct} < ${full.distinct}`);
      for (const v of r.violations) assert.equal(replayActions(m, v.actions).divergence, undefined, 'the trace replays concretely');
      const two = await explore(m, { continueAfterViolation: true, reduce, workers: 2, parallelThreshold: 0 });
      assert.deepEqual(essence(two), essence(r), 'the same for 2 workers');
    }
    if (broken) assert.ok(full.violations.some((v) => v.property === 'MutualExclusion'));
  });
}

test('a declared symmetry the model breaks is refused with one line naming the place', async () => {
  // The stock witness names process 0.
  const m = lowerModel({ ...buildClassicModel('peterson', ['n=3']), symmetry: ['proc'] });
  await assert.rejects(explore(m, { reduce: { symmetry: true } }), (e: unknown) => {
    assert.ok(e instanceof ProbeError);
    assert.equal(e.code, 'E_BAD_VALUE');
    assert.match(e.message, /symmetry over 'proc' refused: witness SomeoneEnters tests actor 'proc' of a constant slot/);
    assert.equal(e.message.split('\n').length, 1);
    return true;
  });
  // Without symmetry the model runs as before.
  assert.equal((await explore(m, { reduce: { por: true } })).verdict, 'pass');
});

test('a canonical form that forgets to rename slot ids is caught by the comparison', async () => {
  const m = lowerModel(symmetricPeterson(3, true));
  const full = await explore(m, { continueAfterViolation: true });
  const good = symmetryCanonSource(m, compileModel(m).layout, 'proc');
  // Drop the renaming of the fields that hold a process (victim): blocks move, ids do not.
  const broken = good.replace(/\/\* rename ids of the entity \*\/[^\n]*\n/, '\n');
  assert.notEqual(broken, good);
  const r = await explore(m, { continueAfterViolation: true, canonical: broken });
  const rGood = await explore(m, { continueAfterViolation: true, canonical: good });
  assert.deepEqual(rGood.violations.map((v) => v.property).sort(), full.violations.map((v) => v.property).sort(), 'the real one agrees');
  // Measured: the broken form merges states that are not alike and misses the violation.
  assert.notDeepEqual(r.violations.map((v) => v.property).sort(), full.violations.map((v) => v.property).sort(), 'the broken one gets the verdict wrong');
});

test('random symmetric models: symmetry, alone and with partial-order reduction, agrees with the naive explorer', async () => {
  let smaller = 0, runs = 0;
  await fc.assert(fc.asyncProperty(symmetricModelArb, async (model) => {
    assert.equal(whyNotSymmetric(model, 'slot'), undefined, 'the generated model passes the symmetry check');
    const m = lowerModel(model);
    let ref: ReturnType<typeof naiveExplore> | 'model-error';
    try { ref = naiveExplore(m, { continueAfterViolation: true }); } catch (e) {
      if (!(e instanceof ProbeError) || e.code !== 'E_MODEL_RUNTIME') throw e;
      ref = 'model-error';
    }
    for (const reduce of [{ symmetry: true }, { symmetry: true, por: true }]) {
      const r = await explore(m, { continueAfterViolation: true, reduce });
      if (ref === 'model-error') { assert.equal(r.verdict, 'model-error'); continue; }
      assert.deepEqual(new Map(r.violations.map((x) => [x.property, [...x.actions]])), ref.violations, 'violations and their shortest traces');
      assert.deepEqual(r.witnesses.filter((w) => w.reached).map((w) => w.name), [...ref.witnesses].filter(([, p]) => p !== null).map(([n]) => n), 'witnesses');
      assert.ok(r.distinct <= ref.distinct);
      if (reduce.por === undefined) { runs++; if (r.distinct < ref.distinct) smaller++; }
    }
  }), { numRuns: 60, seed: 3107 });
  assert.ok(smaller >= runs / 2, `symmetry reduced ${smaller} of ${runs} models`);
});
