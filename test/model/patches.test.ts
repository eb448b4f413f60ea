/**
 * Patches in two phases: flag changes are data applied before the model is built; step edits
 * run once on the model built for the final flags. The older apply(m) form keeps working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { v } from '../../src/ir/dsl';
import { buildKernelModel, definePatch, PATCHES, type Patch } from '../../src/model';
import { modelDigest } from '../helpers/model-digest';

const base = { kernel: 'v6.6.5', scenario: 'probe-vs-register' };
const digest = (patches: (string | Patch)[], k = base) => modelDigest(buildKernelModel({ ...k, patches }));
const error = (fn: () => unknown): string => {
  try { fn(); } catch (e) { assert.ok(e instanceof ProbeError, String(e)); return `${e.code}: ${e.message}`; }
  return 'no error';
};
const flagsOf = (k: string, s: string, patches: (string | Patch)[]) =>
  (buildKernelModel({ kernel: k, scenario: s, patches }).meta as { flags: Record<string, unknown> }).flags;

test('a patch that declares flags as data builds the same model as the apply(m){ m.setFlag } form', () => {
  const data = definePatch({ id: 'd', title: 't', flags: { use_default_domain_defers_if_no_default_domain: true } });
  const old = definePatch({ id: 'o', title: 't', apply(m) { m.setFlag('use_default_domain_defers_if_no_default_domain', true); } });
  assert.equal(digest([data]), digest([old]));
  assert.notEqual(digest([data]), digest([]));
});

test('edit(m) runs once, on the model built for the final flags, and reads the flags it set', () => {
  let runs = 0;
  let seen: unknown;
  const p = definePatch({
    id: 'e', title: 't', flags: { use_default_domain_defers_if_no_default_domain: true },
    edit(m) { runs++; seen = m.flag('use_default_domain_defers_if_no_default_domain'); assert.ok(m.getStep('C', 'use_check').branches.some((b) => b.name === 'defer')); },
  });
  buildKernelModel({ ...base, patches: [p] });
  assert.equal(runs, 1);
  assert.equal(seen, true);
});

test('an apply(m) patch runs twice: for its flags, then for its edits, and its edits land once', () => {
  let runs = 0;
  const p = definePatch({
    id: 'a', title: 't',
    apply(m) {
      runs++;
      m.setFlag('use_default_domain_defers_if_no_default_domain', true);
      m.addBranch('C', 'c_dma_cfg', { name: 'extra', guard: v('dev.added', 0), assign: [], goto: 'o_lock' });
    },
  });
  const m = buildKernelModel({ ...base, patches: [p] });
  assert.equal(runs, 2);
  const step = m.actors.find((a) => a.name === 'C')!.steps.find((s) => s.label === 'c_dma_cfg')!;
  assert.deepEqual(step.branches.map((b) => b.name), ['orig', 'extra']);
});

test('later patches see the flags earlier ones set; flagsWhen picks a backport\'s form from them', () => {
  assert.equal(flagsOf('v6.6.5', 'probe-vs-register', ['b46064a18810']).probe_device_defers_if_no_default_domain, true);
  assert.equal(flagsOf('v6.15', 'probe-vs-register', ['b46064a18810']).probe_device_defers_if_no_default_domain, false);
  const toCore = definePatch({ id: 'core-dma', title: 't', flags: { dma_mode_decided_in: 'iommu_core' } });
  assert.equal(flagsOf('v6.6.5', 'probe-vs-register', [toCore, 'b46064a18810']).probe_device_defers_if_no_default_domain, false);
});

test('patch errors are one E_PATCH line naming the patch', () => {
  assert.equal(error(() => buildKernelModel({ ...base, patches: ['0c8e9c148e29'] })),
    'E_PATCH: patch 0c8e9c148e29: applies to kernels with dt_acpi_parsing_in_probe_path = true; v6.6.5 has false');
  assert.match(error(() => buildKernelModel({ ...base, patches: [definePatch({ id: 'f', title: 't', flags: { no_such: true } as never })] })), /^E_PATCH: patch f: no flag 'no_such'; closest: /);
  assert.match(error(() => buildKernelModel({ ...base, patches: [definePatch({ id: 'f', title: 't', flags: { probe_op: true } as never })] })), /^E_PATCH: patch f: flag 'probe_op' takes a string, not true$/);
  const asyncApply = definePatch({ id: 'z', title: 't', async apply(m) { m.setFlag('arm_smmu_defer_hack', true); } });
  assert.equal(error(() => buildKernelModel({ ...base, patches: [asyncApply] })), 'E_PATCH: patch z: apply(m) must not be async (its edits would be lost)');
  const readsFirst = definePatch({ id: 'r', title: 't', apply(m) { if (m.labels('C').length) m.setFlag('arm_smmu_defer_hack', true); } });
  assert.match(error(() => buildKernelModel({ ...base, patches: [readsFirst] })), /^E_PATCH: patch r: apply\(m\) set flags differently on its second run/);
  assert.match(error(() => definePatch({ id: 'n', title: 't' })), /^E_PATCH: patch n: give flags, edit\(m\) or apply\(m\)$/);
  assert.match(error(() => definePatch({ id: 'n', title: 't', flags: {}, apply() { /* */ } })), /apply\(m\) stands alone/);
});

test('list patches shows the flags each built-in patch sets', () => {
  const p = (id: string) => PATCHES.find((x) => x.id === id)!;
  assert.deepEqual(p('0c8e9c148e29').flags, { walk_recheck_after_relock: true });
  assert.deepEqual(p('0c8e9c148e29').requires, { dt_acpi_parsing_in_probe_path: true });
  assert.deepEqual(p('b46064a18810').flagsWhen[0].set, { probe_device_defers_if_no_default_domain: true });
  assert.equal(p('ipmmu-free-guard').edits, true);
  assert.deepEqual(p('ipmmu-free-guard').flags, {});
});
