/**
 * The kernels as people run them: each baseline is its release's flags (iommu-probe-lts.md,
 * research of 2026-12 per point release), and the forms those flags select are the code of
 * that release. One test per release line where it differs from its neighbours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelModel, definePatch } from '../../src/model';
import { formsOf } from '../../src/model/forms';
import { KERNEL_DEFS } from '../../src/model/kernels';
import { run, unreached, violated } from './util';

const forms = (k: string) => formsOf(KERNEL_DEFS.find((x) => x.name === k)!.flags);
const steps = (k: string, sc: string, actor: string) => buildKernelModel({ kernel: k, scenario: sc }).actors.find((a) => a.name === actor)!.steps;
const labels = (k: string, sc: string, actor: string) => steps(k, sc, actor).map((s) => s.label);

test('the probe path and its lock per release line', () => {
  const table = Object.fromEntries(['v4.19', 'v5.10.y', 'v5.15.y', 'v5.17', 'v6.1', 'v6.1.y', 'v6.6', 'v6.6.5', 'v6.6.y', 'v6.12.y', 'v6.15', 'v6.18.y', 'v7.0']
    .map((k) => [k, `${forms(k).probe}/${forms(k).probeLock}`]));
  assert.deepEqual(table, {
    'v4.19': 'add_device/none', 'v5.10.y': 'probe_device/none', 'v5.15.y': 'probe_device/none', 'v5.17': 'probe_device/none',
    'v6.1': 'probe_device/none', 'v6.1.y': 'probe_device/file_scope', 'v6.6': 'init_device/function_static',
    'v6.6.5': 'init_device/file_scope', 'v6.6.y': 'init_device/file_scope', 'v6.12.y': 'init_device/file_scope',
    'v6.15': 'dropping/file_scope', 'v6.18.y': 'dropping/file_scope', 'v7.0': 'dropping/file_scope',
  });
});

test('v6.6 (the tag): the lock is function-static inside __iommu_probe_device, after the bus-ops test; of_iommu_configure takes none', () => {
  const c = steps('v6.6', 'probe-vs-register-two-smmu', 'C');
  const l = c.map((s) => s.label);
  assert.ok(!l.includes('o_cleanup'), 'no probe lock in of_iommu_configure');
  assert.ok(l.indexOf('pd_bus_ops') < l.indexOf('p_lock') && l.indexOf('p_lock') < l.indexOf('r_grouped_check'));
  assert.equal(c.find((s) => s.label === 'p_lock')!.fn, '__iommu_probe_device()');
  // 6.6.5 (a2e7e59a9426): the caller takes the lock first, and of_iommu_configure too.
  const l5 = labels('v6.6.5', 'probe-vs-register-two-smmu', 'C');
  assert.ok(l5.includes('o_cleanup') && l5.indexOf('p_lock') < l5.indexOf('pd_bus_ops'));
  // Seed 001 is on the tag as on 6.6.5.
  assert.ok(violated(run('v6.6', 'probe-vs-register-two-smmu')).includes('BoundImpliesCorrectDmaOps'));
});

test('v6.1.y: the file-scope lock around the v6.1 body (no grouped early return); the default domain after the unlock', () => {
  const l = labels('v6.1.y', 'probe-vs-register', 'C');
  assert.ok(l.indexOf('p_lock') < l.indexOf('pd_bus_ops') && l.indexOf('r_gm_add') < l.indexOf('p_unlock') && l.indexOf('p_unlock') < l.indexOf('p_alloc_dd'));
  assert.ok(l.includes('o_cleanup'));
  const r = labels('v6.1.y', 'probe-vs-register', 'R');
  assert.ok(r.indexOf('r_grouped_check') < r.indexOf('r_lock'), 'probe_iommu_group checks the group before it takes the lock');
  // One arm-smmu: the 229e6ee43d2a hack (6.1.120) makes its client defer instead of oopsing;
  // what remains is the sub-window where the walk frees the client's fwspec and the client binds
  // on dma-direct without a group, then faults once the SMMU binds (iommu-probe-lts.md 2.1).
  assert.deepEqual(violated(run('v6.1.y', 'probe-vs-register')), ['NoUnattachedDma']);
  assert.deepEqual(violated(run('v6.1', 'probe-vs-register')), ['NoNullOpsDeref']);
});

test('5.10.y and 5.15.y: v5.17\'s probe path with the hack; a second arm-smmu never walks', () => {
  for (const k of ['v5.10.y', 'v5.15.y']) {
    assert.equal(KERNEL_DEFS.find((x) => x.name === k)!.flags.arm_smmu_defer_hack, true);
    assert.deepEqual(violated(run(k, 'probe-vs-register-two-smmu')), [], k);
  }
  // The hack aborts the walk. 5.15 unregisters the instance, retries and binds; the client stays
  // on dma-direct with no group (iommu-probe-lts.md 2.1) and its DMA faults (disable_bypass).
  assert.deepEqual(violated(run('v5.15.y', 'probe-vs-register')), ['NoUnattachedDma']);
  // 5.10 returns without iommu_device_unregister (5.10.265 arm-smmu.c:2260-2261): the freed
  // instance stays listed and the retry fails in sysfs, so the SMMU never binds.
  assert.deepEqual(violated(run('v5.10.y', 'probe-vs-register')).sort(), ['NoFreedInstanceListed', 'NoUnattachedDma']);
  const unwind = definePatch({ id: 'unwind', title: '5.15\'s error path', flags: { iommu_probe_unwinds_register: true } });
  assert.deepEqual(violated(run('v5.10.y', 'probe-vs-register', [unwind])), ['NoUnattachedDma']);
});

test('6.12.y: no walk window (no lock drop) and b46064a18810: seed 001 is closed for arm-smmu', () => {
  const r = run('v6.12.y', 'probe-vs-register-two-smmu');
  assert.deepEqual(violated(r), []);
  assert.deepEqual(unreached(r), []);
  assert.ok(!labels('v6.12.y', 'probe-vs-register-two-smmu', 'R').includes('r_drop'));
});

test('6.18.y, v6.19 and v7.0 have v6.15.y\'s probe path: the walk window is still open', () => {
  for (const k of ['v6.18.y', 'v7.0']) {
    const r = run(k, 'probe-vs-register');
    assert.ok(violated(r).includes('BoundImpliesCorrectDmaOps'), k);
    // The same flags as v6.15.y but the PCI glue's driver check (78447d4545b2, v6.17).
    assert.deepEqual(KERNEL_DEFS.find((x) => x.name === k)!.flags, { ...KERNEL_DEFS.find((x) => x.name === 'v6.15.y')!.flags, pci_dma_configure_driver_snapshot: true });
  }
});

test('REVIEW addendum 10: msm maps for cache maintenance again from v5.10 (e1bf29e022fb) on every later kernel', () => {
  for (const k of KERNEL_DEFS) assert.equal(k.flags.msm_dma_map_for_cache, true, k.name);
  assert.equal(steps('v6.18.y', 'msm-private-domain', 'C').find((s) => s.label === 'm_dma_map_sg')!.fn, 'sync_for_device()');
});

test('the IOMMU driver is a parameter of a scenario: the same topology per driver', () => {
  // One instance registering while its client binds (v6.6.5): arm-smmu's bound-driver lookup
  // oopses (CVE-2024-56568); SMMUv3's returns -ENODEV and the client binds without a group.
  const smmu = buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register', iommuDriver: 'smmu-v3' });
  assert.equal(smmu.params?.iommuDriver, 'smmu-v3');
  assert.ok(smmu.actors.find((a) => a.name === 'C')!.steps.find((s) => s.label === 'r_probe_dev')!.branches.some((b) => b.name === 'nosmmu'));
  assert.deepEqual(violated(run('v6.6.5', 'probe-vs-register')), ['NoNullOpsDeref']);
  assert.throws(() => buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register', iommuDriver: 'intel' }), /E_USAGE|intel DMAR/);
  assert.throws(() => buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register', iommuDriver: 'smmu3' }), /unknown IOMMU driver 'smmu3'; closest: smmu-v3/);
});
