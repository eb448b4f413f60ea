/**
 * The search moves from the calling thread to the workers and back (handover.ts): forced
 * here by frontier size (handBackBelow), so every model below goes to the workers and comes
 * back at least once, and must report exactly what one thread reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/explorer/explore';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import { classic, essence } from '../helpers/models';
import type { CoreModel } from '../../src/ir/core';

async function sameAcrossMoves(m: CoreModel, below: number): Promise<void> {
  const one = await explore(m, { workers: 1, continueAfterViolation: true });
  const two = await explore(m, { workers: 2, parallelThreshold: 0, handBackBelow: below, continueAfterViolation: true });
  const three = await explore(m, { workers: 3, parallelThreshold: 10, handBackBelow: below, continueAfterViolation: true });
  assert.deepEqual(essence(two), essence(one));
  assert.deepEqual(essence(three), essence(one));
}

test('to the workers and back: counters, peterson, broken peterson and dining give the same results', async () => {
  await sameAcrossMoves(classic('counters', 'n=4', 'm=5'), 20);
  await sameAcrossMoves(classic('peterson', 'n=3'), 30);
  await sameAcrossMoves(classic('peterson', 'n=3', 'broken=true'), 30);
  await sameAcrossMoves(classic('dining', 'n=6'), 40);
});

test('to the workers and back on a kernel scenario with witnesses and many violations', async () => {
  await sameAcrossMoves(lowerModel(buildKernelModel({ kernel: 'v6.15.y', scenario: 'probe-vs-register' })), 50);
});

test('a violation stops the search at the same level after a hand-back', async () => {
  const m = classic('peterson', 'n=3', 'broken=true');
  const one = await explore(m, { workers: 1 });
  const two = await explore(m, { workers: 2, parallelThreshold: 0, handBackBelow: 30 });
  assert.equal(one.verdict, 'violation');
  assert.deepEqual(essence(two), essence(one));
});
