/**
 * Dead-variable reduction (docs/adr/0006): a state is stored with the variables that no step
 * reads before writing them set back to their initial values. It merges only states that
 * behave alike, so everything a run reports stays the same: the verdict, every violated
 * property with the very same counterexample (action for action), the witnesses and their
 * paths, deadlocks, model errors, the steps never enabled. Only the counts of states and
 * transitions and the depth (the deepest shortest path) can go down. Checked on random models, on every small kernel scenario
 * and on the classic models; and two broken liveness analyses must be caught.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lowerModel } from '../../src/ir/lower';
import type { CoreModel } from '../../src/ir/core';
import type { Model } from '../../src/ir/types';
import { selectProperties } from '../../src/compile/compile';
import { computeLayout } from '../../src/state/layout';
import { explore } from '../../src/explorer/explore';
import { deadVariables, deadVariablesCanonSource, type DeadVariables } from '../../src/explorer/reduction/dead-variables';
import type { ExploreResult } from '../../src/explorer/types';
import { buildKernelModel, KERNELS, SCENARIOS } from '../../src/model';
import { classic } from '../helpers/models';
import { porModelArb } from '../helpers/por-models';

/** Everything a report says but the counts. */
const report = (r: ExploreResult) => ({
  verdict: r.verdict, stop: r.stopReason,
  violations: r.violations.map((v) => ({ property: v.property, actions: [...v.actions] })),
  witnesses: r.witnesses.map((w) => ({ name: w.name, reached: w.reached, actions: w.actions ? [...w.actions] : undefined })),
  modelError: r.modelError ? { message: r.modelError.message, actions: [...r.modelError.actions] } : undefined,
  neverEnabled: r.verdict === 'model-error' ? [] : [...r.actionCounts].flatMap((c, a) => (c === 0 ? [a] : [])),
});

let merged = 0, models = 0;

async function same(model: Model | CoreModel, label: string, opts: { workers?: number } = {}): Promise<ExploreResult> {
  const m = 'actions' in model ? model : lowerModel(model);
  const full = await explore(m, { continueAfterViolation: true });
  const dead = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true }, ...opts, ...(opts.workers ? { parallelThreshold: 0 } : {}) });
  assert.deepEqual(report(dead), report(full), label);
  assert.ok(dead.distinct <= full.distinct, `${label}: ${dead.distinct} > ${full.distinct}`);
  assert.equal(dead.reduction?.deadVars, true, label);
  models++;
  if (dead.distinct < full.distinct) merged++;
  return dead;
}

test('random models: the same report, counterexamples action for action, with fewer or as many states', async () => {
  let n = 0;
  await fc.assert(fc.asyncProperty(porModelArb, (m) => same(m, m.name, ++n % 10 === 0 ? { workers: 2 } : {}).then(() => undefined)), { numRuns: 150, seed: 20261207 });
  // Not vacuous: private scratch fields make some models smaller.
  assert.ok(merged >= models / 10, `states merged in ${merged} of ${models} models`);
});

test('every small kernel scenario on three kernels, and the classic models: the same report, fewer states', async () => {
  const before = merged;
  let pairs = 0;
  for (const kernel of ['v4.19', 'v6.6', KERNELS.find((k) => k.newest)!.name]) {
    for (const { name: scenario } of SCENARIOS) {
      if (scenario === 'register-probe-unbind' || scenario === 'two-smmu-async') continue;
      await same(lowerModel(buildKernelModel({ kernel, scenario })), `${kernel}/${scenario}`);
      pairs++;
    }
  }
  for (const [name, ...settings] of [['counters', 'n=3', 'm=3'], ['dining', 'n=5'], ['peterson', 'n=3'], ['peterson', 'n=3', 'broken=true']]) {
    await same(classic(name, ...settings), `${name} ${settings.join(' ')}`);
  }
  // Measured: 16 of 34 store fewer states (the probe paths' scratch fields; the small
  // sequential ipmmu and msm scenarios and v4.19's paths have little to merge).
  assert.ok(merged - before >= (pairs + 4) / 3, `fewer states in ${merged - before} of ${pairs + 4} runs`);
});

test('random models: with partial-order reduction too, the same violations and traces', async () => {
  await fc.assert(fc.asyncProperty(porModelArb, async (model) => {
    const m = lowerModel(model);
    const full = await explore(m, { continueAfterViolation: true });
    const both = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true, por: true } });
    const essence = (r: ExploreResult) => ({ verdict: r.verdict, violations: report(r).violations, modelError: report(r).modelError,
      reached: r.witnesses.filter((w) => w.reached).map((w) => w.name) });
    assert.deepEqual(essence(both), essence(full), m.name);
  }), { numRuns: 100, seed: 1207 });
});

test('with two workers the reduced counts and traces are those of one worker', async () => {
  const m = lowerModel(buildKernelModel({ kernel: 'v6.18.y', scenario: 'dma-owner-before-group' }));
  const one = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true } });
  const two = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true }, workers: 2, parallelThreshold: 0 });
  assert.deepEqual({ ...report(two), distinct: two.distinct, generated: two.generated }, { ...report(one), distinct: one.distinct, generated: one.generated });
});

test('a variable read by a checked property is never reset; checking fewer properties frees more', () => {
  const m = lowerModel(buildKernelModel({ kernel: 'v6.18.y', scenario: 'dma-owner-before-group' }));
  const L = computeLayout(m);
  const all = deadVariables(m, selectProperties(m), L);
  const one = deadVariables(m, selectProperties(m, ['NoDeadlock']), L);
  assert.ok(one.resettable > all.resettable, `${one.resettable} <= ${all.resettable}`);
  const owner = m.vars.find((x) => x.name === 'group.owner_cnt[G1]');
  assert.ok(owner);
  for (const perPc of all.deadAt) for (const vars of perPc) assert.ok(!vars.includes(owner.index), 'owner_cnt is read by OwnerCountBalanced');
});

/** What a search with a (possibly broken) dead-variable table reports. */
async function withTable(m: CoreModel, mutate: (d: DeadVariables, m: CoreModel) => DeadVariables): Promise<ExploreResult> {
  const d = mutate(deadVariables(m, selectProperties(m), computeLayout(m)), m);
  return explore(m, { continueAfterViolation: true, canonical: deadVariablesCanonSource(m, computeLayout(m), d) });
}

const MUTANTS: [string, (d: DeadVariables, m: CoreModel) => DeadVariables][] = [
  // Dead one step early: reset at the pc of the last read instead of after it.
  ['reset one step early', (d, m) => ({
    ...d, deadAt: d.deadAt.map((perPc, i) => perPc.map((vars, pc) => [...new Set([...vars,
      ...m.actions.filter((a) => a.instance === i && a.pcFrom === pc).flatMap((a) => perPc[a.pcTo] ?? [])])])),
  })],
  // Every variable the instance owns reset everywhere: liveness ignored.
  ['liveness ignored', (d) => {
    const owned = [...new Set(d.deadAt.flatMap((perPc) => perPc.flat()))];
    return { ...d, deadAt: d.deadAt.map((perPc) => perPc.map(() => owned)) };
  }],
];

for (const [name, mutate] of MUTANTS) {
  test(`a broken liveness analysis is caught by the random models: ${name}`, async () => {
    const out = await fc.check(fc.asyncProperty(porModelArb, async (model) => {
      const m = lowerModel(model);
      const full = await explore(m, { continueAfterViolation: true });
      const got = await withTable(m, mutate);
      return JSON.stringify(report(got)) === JSON.stringify(report(full));
    }), { numRuns: 400, seed: 4242 });
    assert.ok(out.failed, `the mutant survived ${out.numRuns} random models`);
  });
}
