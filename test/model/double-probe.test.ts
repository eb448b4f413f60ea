/** iommu-probe-v6.15.md 5.3 (v6.15-rc7): the double probe across the dropped probe lock. v6.15
 *  reports it; v6.15.y (0c8e9c148e29) closes it. Both also count owner_cnt twice through the
 *  walk's own dma_configure (95deee37a123's use of the default domain): a separate finding. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { names, replayByName, run, unreached, violated } from './util';

const trace = (r: ReturnType<typeof run>, inv: string) => names(r.core, r.res.violations.get(inv)!);

/** The shortest counterexamples on v6.15 (breadth-first, clients declared first). */
const PREFIX = [
  'N[D]:n_add.notify', 'N[D]:p_lock', 'N[D]:r_grouped_check.new', 'N[D]:r_alloc', 'N[D]:r_fw_test.drop', 'N[D]:r_drop',
  'N[D]:r_dma_cfg', 'N[D]:o_lock.parse', 'N[D]:o_sample', 'N[D]:o_xlate.ok', 'N[D]:o_cleanup.ok', 'N[D]:r_dma_use.nodrv',
  'R[I2]:r_publish', 'R[I2]:r_bus_loop', 'R[I2]:r_walk_next.add', 'R[I2]:r_lock', 'R[I2]:r_grouped_check.new', 'R[I2]:r_alloc', 'R[I2]:r_fw_test.drop', 'R[I2]:r_drop',
  'N[D]:r_relock', 'N[D]:r_ops.ok', 'N[D]:r_probe_dev.ok', 'N[D]:r_group', 'N[D]:r_gm_add', 'N[D]:p_unlock.ok',
  'R[I2]:r_dma_cfg', 'R[I2]:o_lock.fast', 'R[I2]:r_dma_use.nodrv', 'R[I2]:r_relock', 'R[I2]:r_ops.ok', 'R[I2]:r_probe_dev.eexist',
];

/** The interleaving of addendum 5.3, steps 1-5, ending in the oops in the client's replay. */
const ADDENDUM_53 = [
  // 1. N: device_add -> notifier -> iommu_probe_device, drops the lock (no driver)
  'N[D]:n_add.notify', 'N[D]:p_lock', 'N[D]:r_grouped_check.new', 'N[D]:r_alloc', 'N[D]:r_fw_test.drop', 'N[D]:r_drop',
  // 2. R (I2's walk): D not grouped, dev->iommu exists, drops the lock too
  'R[I2]:r_publish', 'R[I2]:r_bus_loop', 'R[I2]:r_walk_next.add', 'R[I2]:r_lock', 'R[I2]:r_grouped_check.new', 'R[I2]:r_alloc', 'R[I2]:r_fw_test.drop', 'R[I2]:r_drop',
  // 3. N: fwspec for I1, relock, probe, link, group, default domain, finalize
  'N[D]:r_dma_cfg', 'N[D]:o_lock.parse', 'N[D]:o_sample', 'N[D]:o_xlate.ok', 'N[D]:o_cleanup.ok', 'N[D]:r_dma_use.nodrv', 'N[D]:r_relock', 'N[D]:r_ops.ok',
  'N[D]:r_probe_dev.ok', 'N[D]:r_group', 'N[D]:r_gm_add', 'N[D]:p_unlock.ok', 'N[D]:p_finalize',
  // 4. R: fwspec present, relock, no re-check, probe again: -EEXIST frees dev->iommu, the walk aborts
  'R[I2]:r_dma_cfg', 'R[I2]:o_lock.fast', 'R[I2]:r_dma_use.nodrv', 'R[I2]:r_relock', 'R[I2]:r_ops.ok', 'R[I2]:r_probe_dev.eexist', 'R[I2]:r_unlock.err', 'R[I2]:r_unregister.fail',
  // 5. C: new dev->iommu + fwspec, replay returns 0 at the grouped check, probe_finalize oopses
  'C[D]:c_lock.attach', 'C[D]:c_links.ok', 'C[D]:c_set_driver', 'C[D]:c_dma_cfg', 'C[D]:o_lock.parse', 'C[D]:o_sample', 'C[D]:o_xlate.ok', 'C[D]:o_cleanup.ok', 'C[D]:o_replay.replay',
  'C[D]:p_lock', 'C[D]:r_grouped_check.grouped', 'C[D]:p_unlock.ok', 'C[D]:p_finalize',
];

test('5.3 double-probe: v6.15 leaves a grouped device without iommu_dev and dereferences it in probe_finalize', () => {
  const r = run('v6.15', 'double-probe');
  assert.deepEqual(violated(r).sort(), ['GroupImpliesIommuDev', 'NoNullOpsDeref', 'OwnerCountBalanced', 'OwnerCountMatchesDmaApiBinders']);
  assert.deepEqual(unreached(r), []);
  assert.deepEqual(trace(r, 'GroupImpliesIommuDev'), PREFIX);
  // the shortest oops is the notifier's own probe_finalize, one step after the -EEXIST
  assert.deepEqual(trace(r, 'NoNullOpsDeref'), [...PREFIX, 'N[D]:p_finalize']);
  // the addendum's order (oops in the client's replay, Johan's trace ii) is a path of v6.15 too
  const d = replayByName(r.core, ADDENDUM_53);
  assert.equal(d.diverged, -1);
  assert.notEqual(d.state[r.core.crashVar], 0);
  const ok = replayByName(r.core, ADDENDUM_53.slice(0, -1));
  assert.equal(ok.state[r.core.crashVar], 0);
});

test('5.3 double-probe: v6.15.y (0c8e9c148e29) closes the double probe with every witness reached; no v6.15 trace is a path of it', () => {
  const r = run('v6.15.y', 'double-probe');
  // What remains is the walk's own use of the default domain (the next test).
  assert.deepEqual(violated(r).sort(), ['OwnerCountBalanced', 'OwnerCountMatchesDmaApiBinders']);
  assert.deepEqual(unreached(r), []);
  const bad = run('v6.15', 'double-probe');
  for (const t of [trace(bad, 'GroupImpliesIommuDev'), trace(bad, 'NoNullOpsDeref'), ADDENDUM_53]) {
    assert.ok(replayByName(r.core, t).diverged >= 0, t.join(' '));
  }
  // both probes still drop the lock when neither has a fwspec; the re-check after relock stops the second
  const w = names(r.core, r.res.witnesses.get('BothProbesDroppedTheLock')!);
  assert.ok(w.includes('R[I2]:r_drop') && w.includes('N[D]:r_drop'), w.join(' '));
  assert.equal(replayByName(r.core, ADDENDUM_53).diverged, ADDENDUM_53.indexOf('N[D]:r_ops.ok'));
});

test('the built-in patch 0c8e9c148e29 closes the double probe on v6.15 and keeps every witness; it refuses a kernel that never drops the lock', async () => {
  const r = run('v6.15', 'double-probe', ['0c8e9c148e29']);
  assert.deepEqual(violated(r).sort(), ['OwnerCountBalanced', 'OwnerCountMatchesDmaApiBinders']);
  assert.deepEqual(unreached(r), []);
  const { buildKernelModel } = await import('../../src/model');
  const { ProbeError } = await import('../../src/errors');
  assert.throws(() => buildKernelModel({ kernel: 'v6.6.5', scenario: 'double-probe', patches: ['0c8e9c148e29'] }),
    (e: unknown) => e instanceof ProbeError && e.code === 'E_PATCH' && /0c8e9c148e29/.test(e.message));
});

test('FINDING (v6.15 .. v7.0): the walk\'s dma_configure counts owner_cnt for the driver that binds meanwhile, then the driver counts itself', () => {
  for (const k of ['v6.15.y', 'v6.18.y']) {
    const r = run(k, 'double-probe');
    const t = trace(r, 'OwnerCountMatchesDmaApiBinders');
    // The notifier's probe groups D while I2's walk has dropped the lock; the client sets
    // dev->driver; the walk's platform_dma_configure snapshots it and uses the default domain.
    assert.ok(t.indexOf('N[D]:r_gm_add') < t.indexOf('C[D]:c_set_driver'), t.join(' '));
    assert.ok(t.indexOf('C[D]:c_set_driver') < t.indexOf('R[I2]:r_dma_cfg'), t.join(' '));
    assert.equal(t[t.length - 1], 'R[I2]:r_dma_use.counted');
  }
});

test('FINDING (v6.15, and 6.15.y until Aug 2025): the walk\'s pci_dma_configure reads dev->driver twice; a driver bound in between is the NULL deref 78447d4545b2 fixed', () => {
  const r = run('v6.15', 'dma-owner-before-group');
  const t = trace(r, 'NoNullOpsDeref');
  assert.ok(t.indexOf('R[I1]:r_dma_cfg') < t.indexOf('C[D1]:c_set_driver'), t.join(' '));
  assert.equal(t[t.length - 1].replace(/\..*$/, ''), 'R[I1]:r_dma_use');
  // The fix, in v6.17 and backported to the last 6.15.y releases (the model's v6.15.y).
  for (const k of ['v6.15.y', 'v6.18.y']) assert.ok(!violated(run(k, 'dma-owner-before-group')).includes('NoNullOpsDeref'), k);
});
