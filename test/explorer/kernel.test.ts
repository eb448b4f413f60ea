/**
 * The explorer on the kernel model: the same counts and counterexamples for 1, 2 and 3
 * workers on a seed scenario with tens of thousands of states, and the compiled explorer
 * agrees with the reference explorer there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import { naiveExplore } from '../helpers/naive';
import { acrossWorkers, essence } from '../helpers/models';

test('dma-owner-before-group on v5.17 + dma-owner-v7: identical results for 1, 2 and 3 workers, and the reference explorer agrees', async () => {
  const m = lowerModel(buildKernelModel({ kernel: 'v5.17', scenario: 'dma-owner-before-group', patches: ['dma-owner-v7'] }));
  const rs = await acrossWorkers(m, { continueAfterViolation: true });
  assert.deepEqual(essence(rs[1]), essence(rs[0]));
  assert.deepEqual(essence(rs[2]), essence(rs[0]));
  const naive = naiveExplore(m, { continueAfterViolation: true });
  assert.equal(rs[0].distinct, naive.distinct);
  assert.equal(rs[0].generated, naive.generated);
  assert.deepEqual(new Map(rs[0].violations.map((v) => [v.property, [...v.actions]])), naive.violations);
  assert.ok(rs[0].violations.some((v) => v.property === 'UnuseMatchesUse'));
});

test('probe-vs-register on every kernel: identical results for 1 and 2 workers', async () => {
  for (const kernel of ['v4.19', 'v5.17', 'v5.19', 'v6.1', 'v6.6.5', 'v6.15', 'v6.15.y']) {
    const m = lowerModel(buildKernelModel({ kernel, scenario: 'probe-vs-register' }));
    const rs = await acrossWorkers(m, { continueAfterViolation: true });
    assert.deepEqual(essence(rs[1]), essence(rs[0]), kernel);
  }
});
