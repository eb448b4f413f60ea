/** The acceptance rows: each seed's buggy run reports its invariant with a trace that follows the
 *  thread, and the fixed run passes because the race is closed (witnesses reached). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalExpr } from '../../src/ir/interpret';
import { names, replayByName, run, unreached, violated } from './util';

const trace = (r: ReturnType<typeof run>, inv: string) => names(r.core, r.res.violations.get(inv)!);
/** The labels in order, as `actor:label` without the instance and branch. */
const labels = (t: string[]) => t.map((s) => s.replace(/\[[^\]]*\]/, '').replace(/\.[a-z_0-9]+$/, ''));
const before = (t: string[], a: string, b: string) => t.indexOf(a) >= 0 && t.indexOf(b) > t.indexOf(a);

test('000 ipmmu-early-free: v4.20-rc1 frees a domain whose context never initialised', () => {
  const r = run('v4.20-rc1', 'ipmmu-early-free');
  assert.ok(violated(r).includes('DomainFreeSafe'));
  const t = trace(r, 'DomainFreeSafe');
  const l = labels(t);
  for (const x of ['R:r_bound', 'C:c_lock', 'C:o_xlate', 'C:o_replay', 'C:r_group', 'C:ad_default_domain', 'C:g_link', 'C:r_gm_add', 'C:ad_fail_unlink', 'C:ad_put_on_fail', 'C:gr_release', 'C:gr_destroy_ctx']) assert.ok(l.includes(x), x);
  assert.ok(t.includes('C[SATA]:r_gm_add.ctx_fail') && t.includes('C[SATA]:c_lock.w_run'));
  assert.equal(t[t.length - 1], 'C[SATA]:gr_destroy_ctx');
});

test('000 fixed: v4.20-rc1 + ipmmu-free-guard passes; SATA falls back to dma-direct', () => {
  const r = run('v4.20-rc1', 'ipmmu-early-free', ['ipmmu-free-guard']);
  assert.deepEqual(violated(r), []);
  assert.deepEqual(unreached(r), []);
});

/** Seed 001 as Charan tells it (iommu-probe-v6.15.md 4.1), in the model's step names: I2
 *  registers and walks the bus while D, a client of the bound I1, binds. */
const SEED001 = [
  'C[D]:c_lock.attach', 'C[D]:c_links.ok', 'C[D]:c_set_driver', 'C[D]:c_dma_cfg', 'C[D]:o_lock.parse',
  'R[I2]:r_publish', 'R[I2]:r_bus_loop', 'C[D]:o_xlate.ok', 'C[D]:o_cleanup.ok', 'C[D]:o_replay.replay',
  'R[I2]:r_walk_next.add', 'R[I2]:r_lock', 'R[I2]:pd_bus_ops.ok', 'R[I2]:r_grouped_check.new', 'R[I2]:r_alloc', 'R[I2]:r_probe_dev.ok',
  'R[I2]:r_group', 'R[I2]:r_gm_add', 'R[I2]:r_unlock.ok',
  'C[D]:p_lock', 'C[D]:pd_bus_ops.ok', 'C[D]:r_grouped_check.grouped', 'C[D]:p_unlock.ok', 'C[D]:c_arch_setup.retain',
  'C[D]:c_use_dd.group', 'C[D]:use_check.ok', 'C[D]:c_drv_probe.K', 'C[D]:d_map', 'C[D]:c_bound',
  'R[I2]:r_walk_next.done', 'R[I2]:r_finalize_group.fin',
];

test('001 probe-vs-register-two-smmu: v6.6 binds the client on platform ops, then attaches the default domain; the shortest trace is the thread\'s', () => {
  const r = run('v6.6.5', 'probe-vs-register-two-smmu');
  assert.ok(violated(r).includes('BoundImpliesCorrectDmaOps'));
  // The thread's account is a path of v6.6 that ends in the violation ...
  const d = replayByName(r.core, SEED001);
  assert.equal(d.diverged, -1);
  const p = r.core.properties.find((x) => x.name === 'BoundImpliesCorrectDmaOps')!;
  assert.equal(evalExpr(r.core, p.expr, d.state), 0);
  const prefix = replayByName(r.core, SEED001.slice(0, -1));
  assert.equal(evalExpr(r.core, p.expr, prefix.state), 1);
  // ... and the shortest counterexample has its steps: the same length, the walk grouping D
  // before D's replay returns early, the bind before the default domain.
  const t = trace(r, 'BoundImpliesCorrectDmaOps');
  assert.equal(t.length, SEED001.length);
  assert.deepEqual([...t].sort(), [...SEED001].sort());
  assert.ok(before(t, 'R[I2]:r_gm_add', 'C[D]:r_grouped_check.grouped'));
  assert.ok(before(t, 'C[D]:c_bound', 'R[I2]:r_finalize_group.fin'));
  // Neither is a path of v6.15 (nor of v6.15.y).
  for (const k of ['v6.15', 'v6.15.y']) assert.ok(replayByName(run(k, 'probe-vs-register-two-smmu').core, SEED001).diverged >= 0, `${k} replays the seed`);
});

test('001 needs a walk of the second instance: before 57365a04c921 (v6.1) a second arm-smmu does not walk a bus that has ops', () => {
  // REVIEW-2026-12 error 1: 5.17 arm_smmu_bus_init skips buses that already have ops.
  for (const k of ['v5.17', 'v5.19']) {
    const r = run(k, 'probe-vs-register-two-smmu');
    assert.deepEqual(violated(r), [], k);
    assert.deepEqual(unreached(r), [], k);
  }
  assert.ok(violated(run('v6.1', 'probe-vs-register-two-smmu')).includes('BoundImpliesCorrectDmaOps'));
});

test('001 on v6.15: the seed order is closed; the remaining violation goes through the walk\'s unlocked window (iommu-probe-v6.15.md 5.5)', () => {
  for (const k of ['v6.15', 'v6.15.y']) {
    for (const sc of ['probe-vs-register', 'probe-vs-register-two-smmu']) {
      const r = run(k, sc);
      const R = sc === 'probe-vs-register' ? 'R[I]' : 'R[I2]';
      assert.deepEqual(unreached(r), [], `${k} ${sc}`);
      // FINDING: BoundImpliesCorrectDmaOps fails, but only via r_drop .. r_relock around the bind.
      const t = trace(r, 'BoundImpliesCorrectDmaOps');
      assert.ok(before(t, `${R}:r_drop`, 'C[D]:c_use_dd.nogroup'), t.join(' '));
      assert.ok(before(t, 'C[D]:c_bound', `${R}:r_relock`), t.join(' '));
      assert.ok(before(t, `${R}:r_relock`, `${R}:r_finalize_group.fin`));
      assert.ok(violated(r).includes('NoTranslationChangeUnderLiveDma'));
      assert.ok(violated(r).includes('OwnerCountMatchesDmaApiBinders'));
    }
  }
});

test('001 fixed on v6.6 by b46064a18810 (its 6.6.90 form): the seed order is closed and the client binds with the IOMMU', () => {
  const r = run('v6.6.5', 'probe-vs-register-two-smmu', ['b46064a18810']);
  assert.ok(replayByName(r.core, SEED001).diverged >= 0);
  assert.deepEqual(violated(r), []);
  assert.deepEqual(unreached(r), []);
});

test('REVIEW error 1: one arm-smmu registering: its client\'s probe finds no instance until the SMMU is bound', () => {
  // 6.6.9 (no 229e6ee43d2a): arm_smmu_probe_device dereferences the NULL smmu: CVE-2024-56568.
  for (const k of ['v5.17', 'v6.6.5']) {
    const r = run(k, 'probe-vs-register');
    // 5.17 also has the W1 window: the SMMU is reset (disable_bypass) before bus_set_iommu sets
    // the bus ops, so a client that got -ENODEV meanwhile does unattached DMA.
    assert.deepEqual(violated(r).sort(), k === 'v5.17' ? ['NoNullOpsDeref', 'NoUnattachedDma'] : ['NoNullOpsDeref'], k);
    const t = trace(r, 'NoNullOpsDeref');
    assert.equal(t[t.length - 1], 'C[D]:r_probe_dev.ok', k);
    assert.ok(!t.includes('R[I]:r_bound'), 'the SMMU is not bound yet');
  }
  // With the 229e6ee43d2a hack the probe defers and no oops is left; the client binds with the
  // IOMMU later, or (the walk freed its fwspec first) on dma-direct without a group.
  const hack = run('v6.6.5', 'probe-vs-register', ['229e6ee43d2a']);
  assert.deepEqual(violated(hack), ['NoUnattachedDma']);
  assert.deepEqual(unreached(hack), []);
  // From v6.14 (7d835134d4e1) the SMMU finds itself once listed: no oops, the v6.15 window.
  assert.ok(!violated(run('v6.15', 'probe-vs-register')).includes('NoNullOpsDeref'));
});

test('002 dma-owner-before-group: the v7 order leaves the use uncounted; unbind unuses it', () => {
  const r = run('v5.17', 'dma-owner-before-group', ['dma-owner-v7']);
  const v = violated(r);
  assert.ok(v.includes('UnuseMatchesUse') || v.includes('OwnerCountBalanced'), v.join());
  const t = trace(r, 'UnuseMatchesUse');
  assert.ok(before(t, 'C[D1]:c_use_dd.nogroup', 'C[D1]:o_xlate.ok'));
  assert.ok(before(t, 'C[D1]:c_bound', 'U[D1]:unuse_dec'));
  assert.equal(t[t.length - 1], 'U[D1]:unuse_dec');
  assert.ok(v.includes('OwnerCountBalanced') && v.includes('KernelUserExclusive'));
});

test('002 fixed: v5.19 counts every kernel user; FINDING: a vfio claim/release between arch_setup_dma_ops and the use still binds e1000e on dma-direct', () => {
  const r = run('v5.19', 'dma-owner-before-group');
  const v = violated(r);
  for (const inv of ['OwnerCountBalanced', 'UnuseMatchesUse', 'OwnerCountMatchesDmaApiBinders', 'KernelUserExclusive', 'NoNullOpsDeref', 'EventuallyResolved', 'NoDeadlock']) assert.ok(!v.includes(inv), inv);
  assert.deepEqual(unreached(r), []);
  const t = trace(r, 'BoundImpliesCorrectDmaOps');
  assert.ok(before(t, 'V[G1]:v_set_container.ok', 'C[D1]:c_arch_setup.other'), t.join(' '));
  assert.ok(before(t, 'C[D1]:c_arch_setup.other', 'V[G1]:v_unset_container.ok'));
  assert.ok(before(t, 'V[G1]:v_unset_container.ok', 'C[D1]:use_check.ok'));
  // the v7 counterexample is not a path of v5.19
  const bad = trace(run('v5.17', 'dma-owner-before-group', ['dma-owner-v7']), 'UnuseMatchesUse');
  assert.ok(replayByName(r.core, bad).diverged >= 0);
});

test('003 msm-private-domain: v4.19 maps through a private domain without a cookie; 0e764a01015d passes', () => {
  const r = run('v4.19', 'msm-private-domain');
  assert.ok(violated(r).includes('DmaApiDomainHasCookie'));
  const t = trace(r, 'DmaApiDomainHasCookie');
  assert.ok(before(t, 'C[MDSS]:c_arch_setup.iommu', 'C[MDSS]:m_attach.ok'));
  assert.equal(t[t.length - 1], 'C[MDSS]:m_dma_map_sg');
  const f = run('v4.19', 'msm-private-domain', ['0e764a01015d']);
  assert.deepEqual(violated(f), []);
  assert.deepEqual(unreached(f), []);
});

test('004 multi-dmar-register: v5.19 + 57365a04c921 dereferences the unregistered unit\'s ops; v6.1 passes', () => {
  const r = run('v5.19', 'multi-dmar-register', ['57365a04c921']);
  assert.ok(violated(r).includes('NoNullOpsDeref'));
  const t = trace(r, 'NoNullOpsDeref');
  assert.ok(before(t, 'R[I1]:r_publish', 'R[I1]:r_probe_dev.ok'));
  assert.equal(t[t.length - 1], 'R[I1]:r_group.new');
  assert.equal(t.filter((x) => x === 'R[I1]:r_probe_dev.ok').length, 2);
  const f = run('v6.1', 'multi-dmar-register');
  assert.deepEqual(violated(f), []);
  assert.deepEqual(unreached(f), []);
  assert.ok(names(f.core, f.res.witnesses.get('AllDevicesGrouped')!).includes('R[I1]:r_probe_dev.enodev'));
});
