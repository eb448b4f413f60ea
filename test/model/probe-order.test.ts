/**
 * IOMMU instances probed in turn (`probe: sync`, src/model/probe-order.ts): the boot thread's
 * driver_attach probes one instance at a time, so an instance's registration never begins
 * before the one listed before it returned from its first probe. Instances in their own
 * threads (the default) register concurrently. The choice adds state only to scenarios that
 * make it: every other model is unchanged (the model digests pin that).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { explore } from '../../src/explorer/explore';
import { and, eq } from '../../src/ir/dsl';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import type { ScenarioDef } from '../../src/model/config';
import { readScenarioFile } from '../../src/scenario-file/parse';
import { errorOf } from '../scenario-file/helpers';
import { ROOT } from '../cli/helpers';

const inTurn = readScenarioFile(path.join(ROOT, 'test', 'scenario-file', 'fixtures', 'two-smmu-in-turn.yaml')).def;
// The same board with both instances in their own threads; its witness cannot name the boot
// thread's counter (the model has none), so it asks only for I2 listed while I1 is still idle.
const concurrent: ScenarioDef = {
  ...inTurn, name: 'two-smmu-concurrent', iommus: inTurn.iommus.map(({ probe: _, ...u }) => u),
  witnesses: [inTurn.witnesses[0], { name: 'SecondListedWhileFirstIdle', doc: '', expr: (h) => and(h.v('iommu.listed', h.iommu('I2')), eq(h.v('iommu.driver_state', h.iommu('I1')), 'idle')) }],
};

const run = (kernel: string, sc: ScenarioDef) => explore(lowerModel(buildKernelModel({ kernel, scenario: sc })), { continueAfterViolation: true });
const reached = (r: Awaited<ReturnType<typeof run>>, name: string) => r.witnesses.find((w) => w.name === name)?.reached;

for (const kernel of ['v4.19', 'v5.10.y', 'v6.6', 'v6.18.y']) {
  test(`${kernel}: an instance probed in turn begins only after the one before it returned; both still register`, async () => {
    const r = await run(kernel, inTurn);
    assert.equal(r.stopReason, 'complete');
    assert.equal(reached(r, 'SecondListedDuringFirstProbe'), false, 'I2 listed while I1\'s first probe runs');
    assert.equal(reached(r, 'BothRegistered'), true, 'the boot thread must get to I2');
  });

  test(`${kernel}: instances in their own threads overlap, and the order removes those interleavings`, async () => {
    const [sync, async] = [await run(kernel, inTurn), await run(kernel, concurrent)];
    assert.equal(reached(async, 'SecondListedWhileFirstIdle'), true);
    assert.equal(reached(async, 'BothRegistered'), true);
    assert.ok(sync.distinct < async.distinct, `in turn ${sync.distinct} states, concurrent ${async.distinct}`);
  });
}

test('the choice adds no state to a scenario without it', () => {
  const fields = (sc: ScenarioDef) => buildKernelModel({ kernel: 'v6.6', scenario: sc }).fields.map((f) => f.name);
  assert.ok(fields(inTurn).includes('boot.sync_probe_next'));
  assert.ok(!fields(concurrent).includes('boot.sync_probe_next'));
});

test('probe: sync is refused, with one line, where there is no probe to order', () => {
  const base = (iommus: string, extra = '') => `name: b\nbus: platform\n${extra}iommus: ${iommus}\ngroups: [G]\ndevices:\n  - {name: D, iommu: I, group: G, driver: K, start: probe}\n`;
  assert.match(errorOf(base('[{name: I, driver: arm-smmu, atBoot: true, probe: sync}]')), /^board\.yaml:3:\d+: IOMMU 'I' is bound at boot \(atBoot\): it does not probe during the scenario/);
  assert.match(errorOf(base('[{name: I, driver: intel, probe: sync}]', 'bootThread: true\n').replace('platform', 'pci')), /bootThread scenario already register in order from one boot thread/);
  assert.match(errorOf(base('[{name: I, driver: arm-smmu, probe: later}]')), /unknown value "later" \(valid: async, sync\)/);
});
