/**
 * The second fidelity slice: the 6.1.2 .. 6.1.67 lock, the amba glue, 5.10's aborted SMMU probe,
 * and deferred_probe_initcall. Each test names the kernel lines that decide it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelModel } from '../../src/model';
import { run, unreached, violated } from './util';

const steps = (k: string, sc: string, actor: string) => buildKernelModel({ kernel: k, scenario: sc }).actors.find((a) => a.name === actor)!.steps;
const labels = (k: string, sc: string, actor: string) => steps(k, sc, actor).map((s) => s.label);

test('6.1.2 .. 6.1.67: __iommu_probe_device takes its function-static lock after the bus-ops test (6.1.67 iommu.c:286-291)', () => {
  const r = labels('v6.1.67', 'probe-vs-register', 'R');
  assert.ok(r.indexOf('pd_bus_ops') < r.indexOf('r_lock') && r.indexOf('r_lock') < r.indexOf('r_alloc'));
  const busOps = steps('v6.1.67', 'probe-vs-register', 'R').find((s) => s.label === 'pd_bus_ops')!;
  assert.deepEqual(busOps.branches.map((b) => b.goto), ['r_walk_next', 'r_lock'], '-ENODEV leaves without the lock');
  // The lock serialises probes but not the client's replay against the walk's list: the seed-001
  // race (two SMMUs) and the CVE-2024-56568 oops (no hack before 6.1.120) are as on v6.1.
  assert.deepEqual(violated(run('v6.1.67', 'probe-vs-register')), violated(run('v6.1', 'probe-vs-register')));
  assert.ok(violated(run('v6.1.67', 'probe-vs-register-two-smmu')).includes('BoundImpliesCorrectDmaOps'));
});

test('amba_dma_configure still reads dev->driver twice: the walk oopses when the client binds in between (v6.15 .. v7.0)', () => {
  for (const k of ['v6.15.y', 'v6.18.y', 'v7.0']) {
    assert.ok(violated(run(k, 'amba-probe-vs-register')).includes('NoNullOpsDeref'), k);
    // The same topology on the platform bus has 95deee37a123's snapshot: no oops.
    assert.ok(!violated(run(k, 'probe-vs-register')).includes('NoNullOpsDeref'), k);
  }
  // With the posted amba fix, what is left is the walk window of the platform bus.
  const fixed = violated(run('v6.18.y', 'amba-probe-vs-register', ['amba-dma-configure']));
  assert.ok(!fixed.includes('NoNullOpsDeref'));
  assert.deepEqual(fixed.sort(), violated(run('v6.18.y', 'probe-vs-register')).sort());
  // Before v5.19 amba shares platform_dma_configure (4a6d9dd564d0): the steps cite platform.c.
  const cfg = (k: string) => steps(k, 'amba-probe-vs-register', 'C').find((s) => s.label === 'c_dma_cfg')!;
  assert.equal(cfg('v5.17').file, 'drivers/base/platform.c');
  assert.equal(cfg('v6.18.y').file, 'drivers/amba/bus.c');
});

test('5.10.y: the SMMU probe that the hack aborts leaves its freed instance listed; 5.15.y unregisters it (arm-smmu.c 5.10:2260-2261, 5.15:2232-2235)', () => {
  // The SMMU was reset before the walk (5.10.265 arm-smmu.c:2241-2242): with the probe failed,
  // its client's dma-direct DMA faults too.
  const v510 = run('v5.10.y', 'probe-vs-register');
  assert.deepEqual(violated(v510).sort(), ['NoFreedInstanceListed', 'NoUnattachedDma']);
  assert.ok(!violated(run('v5.15.y', 'probe-vs-register')).includes('NoFreedInstanceListed'));
  // After the abort, the retried probe fails in sysfs on 5.10 [inferred]; 5.15 probes again.
  const retry = (k: string) => steps(k, 'probe-vs-register', 'R').find((s) => s.label === 'r_deferred')!.branches.find((b) => b.name === 'retry')!.goto;
  assert.equal(retry('v5.15.y'), 'r_publish');
  assert.notEqual(retry('v5.10.y'), 'r_publish');
});

test('deferred_probe_initcall runs the deferred client, waits for it, then lets it give up on a missing SMMU', () => {
  const e = steps('v6.18.y', 'iommu-after-initcalls', 'E');
  assert.deepEqual(e.map((s) => s.label), ['k_trigger', 'k_initcalls_done']);
  assert.ok(e[1].guard, 'initcalls_done waits for flush_work');
  const r = run('v6.18.y', 'iommu-after-initcalls');
  assert.deepEqual(unreached(r), [], 'both endings are reachable: D on dma-direct, and D with the SMMU');
  // D bound on dma-direct, then the SMMU probed: its stream is unattached under disable_bypass.
  assert.ok(violated(r).includes('NoUnattachedDma'));
  // Only after initcalls_done does of_iommu_configure give up on the missing instance.
  const xlate = steps('v6.18.y', 'iommu-after-initcalls', 'C').find((s) => s.label === 'o_xlate')!;
  assert.ok(xlate.branches.some((b) => b.name === 'nodev'));
  assert.ok(!steps('v6.18.y', 'probe-vs-register', 'C').find((s) => s.label === 'o_xlate')!.branches.some((b) => b.name === 'nodev'));
});
