/**
 * REVIEW-2026-12's model errors, one test each, as the kernel lines it cites decide them. Each
 * fails on the model before the fix (the commit that fixed it says which).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelModel } from '../../src/model';
import { instanceLookup } from '../../src/model/drivers';
import { KERNEL_DEFS } from '../../src/model/kernels';
import { showExpr } from '../../src/trace/describe';
import { lowerModel } from '../../src/ir/lower';
import { run, violated } from './util';
import { naiveExplore } from '../helpers/naive';
import { ne, v } from '../../src/ir/dsl';

const flags = (k: string) => KERNEL_DEFS.find((x) => x.name === k)!.flags;
const model = (k: string, sc: string) => buildKernelModel({ kernel: k, scenario: sc });
const step = (k: string, sc: string, actor: string, label: string) => model(k, sc).actors.find((a) => a.name === actor)!.steps.find((s) => s.label === label);

test('error 2: SMMUv3 finds itself while registering from v6.14 (bus_find_device_by_fwnode), and returns -ENODEV (never defers) before', () => {
  assert.deepEqual(instanceLookup('smmu-v3', flags('v6.15')), { from: 'publish', miss: 'enodev' });
  assert.deepEqual(instanceLookup('smmu-v3', flags('v6.12.y')), { from: 'bound', miss: 'enodev' });
  // 6.12.y carries the arm-smmu hack; SMMUv3 still only gets -ENODEV.
  const probe = step('v6.12.y', 'dma-owner-before-group', 'R', 'r_probe_dev')!;
  assert.deepEqual(probe.branches.map((b) => b.name), ['enodev', 'ok', 'nosmmu']);
});

test('error 3: from v6.15 the ACPI path never replays the probe (bcb81ac6ae3c deleted it); OF still does', () => {
  assert.equal(step('v6.15', 'dma-owner-before-group', 'C', 'o_replay'), undefined);
  assert.ok(step('v6.12.y', 'dma-owner-before-group', 'C', 'o_replay'));
  assert.ok(step('v6.15', 'probe-vs-register', 'C', 'o_replay'));
});

test('error 4: iommu-dma dereferences the default domain\'s cookie from v4.20 (iommu_get_dma_domain); only v4.19 reads the current domain', () => {
  const cookie = (k: string) => {
    const core = lowerModel(model(k, 'msm-private-domain'));
    const a = core.actions.find((x) => x.name.endsWith(':m_dma_map_sg'))!;
    return showExpr(core, a.asserts[0].cond);
  };
  assert.match(cookie('v4.19'), /group\.domain/);
  assert.doesNotMatch(cookie('v4.20-rc1'), /group\.domain\[/);
  // Seed 003: the oops is v4.19's; later kernels only map into a domain that is not attached.
  assert.ok(violated(run('v4.19', 'msm-private-domain')).includes('DmaApiDomainHasCookie'));
});

test('error 6: on the v6.15 tag a probe that relocks after dev->iommu was freed dereferences it; 0c8e9c148e29 re-checks first', () => {
  const ops = (k: string) => step(k, 'double-probe', 'R', 'r_ops')!.branches.flatMap((b) => (b.asserts ?? []).map((a) => a.name));
  assert.deepEqual(ops('v6.15'), ['NoNullOpsDeref', 'NoNullOpsDeref']);
  assert.deepEqual(ops('v6.15.y'), []);
});

test('error 7: vfio-pci takes its IOMMU group when it binds; without one its probe fails and no vfio group exists', () => {
  const body = step('v5.19', 'dma-owner-before-group', 'C', 'c_drv_probe')!;
  assert.ok(body.branches.some((b) => b.name === 'V_nogroup' && b.goto === 'c_fail_late'));
  assert.ok(!/iommu_group/.test(JSON.stringify(step('v5.19', 'dma-owner-before-group', 'V', 'v_set_container')!.branches.find((b) => b.name === 'ok')!.guard)));
});

test('error 8: a deferred OF client keeps dev->iommu until 3832862eb9c4', () => {
  const init = (k: string) => model(k, 'msm-private-domain').fields.find((f) => f.name === 'dev.iommu')?.init;
  assert.deepEqual(init('v6.6.5'), ['alloc']);
  assert.deepEqual(init('v6.15'), ['null']);
});

test('error 9: c_arch_setup is arch_setup_dma_ops(), which calls the iommu-dma setup only with an IOMMU', () => {
  assert.equal(step('v6.6.5', 'probe-vs-register', 'C', 'c_arch_setup')!.fn, 'arch_setup_dma_ops()');
});

test('not modelled before, item 2: -EPROBE_DEFER from the walk makes the IOMMU probe defer and retry, not fail for good', () => {
  const built = buildKernelModel({ kernel: 'v6.6.87', scenario: 'probe-vs-register' });
  const r = built.actors.find((a) => a.name === 'R')!;
  assert.deepEqual(r.steps.find((s) => s.label === 'r_unregister')!.branches.map((b) => `${b.name}->${b.goto}`), ['fail->$end', 'defer->r_deferred']);
  assert.deepEqual(r.steps.find((s) => s.label === 'r_deferred')!.branches.map((b) => `${b.name}->${b.goto}`), ['retry->r_publish', 'idle->$end']);
  // Reachable: the 229e6ee43d2a hack defers the client's probe inside the walk, so the SMMU defers.
  const m = { ...built, properties: [...built.properties, { name: 'NeverDeferred', kind: 'invariant' as const, expr: ne(v('iommu.driver_state', 0), 'deferred') }] };
  const core = lowerModel(m);
  const res = naiveExplore(core, { continueAfterViolation: true });
  const t = res.violations.get('NeverDeferred')!.map((a) => core.actions[a].name);
  assert.deepEqual(t.slice(-3), ['R[I]:r_probe_dev.defer', 'R[I]:r_unlock.defer', 'R[I]:r_unregister.defer']);
});

test('not modelled before, item 5: a dma-direct handle unmapped after the mode flipped to iommu-dma WARNs (v6.12+ dispatch on dev->dma_iommu)', () => {
  const r = run('v6.18.y', 'dma-owner-before-group');
  assert.ok(violated(r).includes('DmaUnmapMatchesMap'));
  const t = r.res.violations.get('DmaUnmapMatchesMap')!.map((a) => r.core.actions[a].name);
  assert.equal(t[t.length - 1], 'U[D1]:u_remove');
  assert.ok(t.indexOf('C[D1]:d_map') < t.indexOf('R[I1]:r_finalize_group.fin'), t.join(' '));
  // Up to v6.6 the DMA ops pointer is chosen at bind and never flips: no such unmap.
  assert.ok(!violated(run('v6.6.5', 'dma-owner-before-group')).includes('DmaUnmapMatchesMap'));
});
