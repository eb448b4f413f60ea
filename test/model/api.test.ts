import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { lowerModel } from '../../src/ir/lower';
import { not, v } from '../../src/ir/dsl';
import { buildKernelModel, definePatch, INVARIANTS, KERNELS, NEXT, PATCHES, SCENARIOS } from '../../src/model';
import { run, violated } from './util';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { assert.ok(e instanceof ProbeError, String(e)); return `${e.code}: ${e.message}`; }
  return 'no error';
};

test('lists: kernels with commits, patches, scenarios, invariants', () => {
  for (const k of ['v4.19', 'v4.20-rc1', 'v5.10.y', 'v5.15.y', 'v5.17', 'v5.19', 'v6.1', 'v6.1.y', 'v6.6', 'v6.6.5', 'v6.6.87', 'v6.6.y', 'v6.12.y', 'v6.15', 'v6.15.y', 'v6.18.y', 'v6.19', 'v7.0']) {
    assert.ok(KERNELS.some((x) => x.name === k), k);
  }
  assert.equal(KERNELS.filter((k) => k.newest).map((k) => k.name).join(), 'v6.18.y');
  // A kernel is its base plus its commits: a stable line does not inherit a later mainline's.
  const c = (k: string) => KERNELS.find((x) => x.name === k)!.commits.map((x) => x.id);
  assert.ok(c('v6.6.y').includes('b46064a18810') && !c('v6.6.87').includes('b46064a18810'));
  assert.ok(c('v5.10.y').includes('229e6ee43d2a') && !c('v5.17').includes('229e6ee43d2a'));
  assert.ok(!c('v6.12.y').includes('bcb81ac6ae3c') && c('v6.18.y').includes('bcb81ac6ae3c'));
  const y = KERNELS.find((k) => k.name === 'v6.15.y')!;
  for (const id of ['0c8e9c148e29', 'da33e87bd2bf', 'b46064a18810', '57365a04c921']) assert.ok(y.commits.some((c) => c.id === id), id);
  assert.ok(!KERNELS.find((k) => k.name === 'v6.6.5')!.commits.some((c) => c.id === 'b46064a18810'));
  for (const id of ['ipmmu-free-guard', 'dma-owner-v7', '57365a04c921', 'c919739ce472', '0e764a01015d', 'b46064a18810', 'da33e87bd2bf', '229e6ee43d2a']) {
    assert.ok(PATCHES.some((p) => p.id === id && p.title), id);
  }
  for (const s of ['ipmmu-early-free', 'probe-vs-register', 'dma-owner-before-group', 'msm-private-domain', 'multi-dmar-register']) {
    const sc = SCENARIOS.find((x) => x.name === s)!;
    assert.ok(sc.seed && sc.witnesses.length > 0, s);
  }
  assert.ok(SCENARIOS.length >= 7);
  for (const i of ['BoundImpliesCorrectDmaOps', 'DmaOpsMatchDomain', 'OwnerCountBalanced', 'UnuseMatchesUse', 'KernelUserExclusive', 'NoNullOpsDeref',
    'DomainFreeSafe', 'DmaApiDomainHasCookie', 'NoTranslationChangeUnderLiveDma', 'DmaUnmapMatchesMap', 'GroupMembershipConsistent', 'NoDeadlock', 'EventuallyResolved']) {
    assert.ok(INVARIANTS.some((x) => x.name === i), i);
  }
  assert.equal(INVARIANTS.find((x) => x.name === 'EventuallyResolved')!.kind, 'terminal');
});

test('unknown names fail with their codes and the closest names', () => {
  assert.match(code(() => buildKernelModel({ kernel: 'v6.7', scenario: 'probe-vs-register' })), /^E_UNKNOWN_KERNEL: unknown kernel 'v6.7'; closest: /);
  assert.match(code(() => buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-registr' })), /^E_UNKNOWN_SCENARIO: .*probe-vs-register/);
  assert.match(code(() => buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register', patches: ['b46064a1881'] })), /^E_UNKNOWN_PATCH: .*b46064a18810/);
  assert.match(code(() => buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register', invariants: ['NoDeadlok'] })), /^E_UNKNOWN_INVARIANT: .*NoDeadlock/);
});

test('every kernel x scenario builds and lowers; every step names a kernel function and file', () => {
  for (const k of KERNELS) for (const s of SCENARIOS) {
    const m = buildKernelModel({ kernel: k.name, scenario: s.name });
    assert.equal(m.name, s.name);
    assert.deepEqual(m.params, { kernel: k.name, scenario: s.name, patches: '' });
    assert.ok(Array.isArray((m.meta as { assumptions: string[] }).assumptions));
    for (const a of m.actors) for (const st of a.steps) assert.ok(st.fn && st.file, `${k.name} ${s.name} ${a.name}:${st.label}`);
    lowerModel(m);
  }
});

test('params, meta and the invariant selection', () => {
  const m = buildKernelModel({ kernel: 'v4.20-rc1', scenario: 'ipmmu-early-free', patches: ['ipmmu-free-guard'], invariants: ['DomainFreeSafe', 'BoundImpliesCorrectDmaOps'] });
  assert.deepEqual(m.params, { kernel: 'v4.20-rc1', scenario: 'ipmmu-early-free', patches: 'ipmmu-free-guard' });
  assert.deepEqual((m.meta as { patches: string[] }).patches, ['ipmmu-free-guard']);
  assert.deepEqual(m.properties.filter((p) => p.kind !== 'witness').map((p) => p.name), ['BoundImpliesCorrectDmaOps']);
  assert.equal(m.checkDeadlock, false);
  assert.ok((m.meta as { assumptions: string[] }).assumptions.length > 0);
});

test('patch errors are one line naming the patch and the closest labels', () => {
  const base = { kernel: 'v6.6.5', scenario: 'probe-vs-register' };
  const bad = (apply: Parameters<typeof definePatch>[0]['apply']) => code(() => buildKernelModel({ ...base, patches: [definePatch({ id: 'p1', title: 't', apply })] }));
  assert.equal(bad((m) => m.addGuard('C', 'c_use_dx', v('dev.added', 0))), "E_PATCH: patch p1: no step 'c_use_dx' in actor 'C'; closest: c_use_dd, c_use_fail, c_bound");
  assert.match(bad((m) => m.removeStep('Q', 'x')), /^E_PATCH: patch p1: no actor 'Q'; closest: /);
  assert.match(bad((m) => m.setFlag('no_such_flag' as never, true as never)), /^E_PATCH: patch p1: no flag 'no_such_flag'; closest: /);
  assert.equal(bad(() => { throw new Error('boom\nmore'); }), 'E_PATCH: patch p1: boom');
});

test('a user patch re-expressing ipmmu-free-guard with step edits gives the built-in result', () => {
  const fix = definePatch({
    id: 'my-ipmmu-guard', title: 'guard the context teardown',
    apply(m) {
      for (const actor of m.actorsWith('gr_destroy_ctx')) {
        m.replaceStep(actor, 'gr_destroy_ctx', (old) => {
          const b = old.branches[0];
          const cond = b.asserts![0].cond;
          return { ...old, branches: [{ ...b, name: 'teardown', guard: cond, asserts: undefined }, { ...b, name: 'skip', guard: not(cond), asserts: undefined }] };
        });
      }
    },
  });
  const a = run('v4.20-rc1', 'ipmmu-early-free', [fix]);
  const b = run('v4.20-rc1', 'ipmmu-early-free', ['ipmmu-free-guard']);
  assert.deepEqual(violated(a), []);
  assert.equal(a.res.distinct, b.res.distinct);
});

test('draft edits: insert before/after, remove, add a branch, flags compose with step edits', () => {
  const p = definePatch({
    id: 'edits', title: 'edits',
    apply(m) {
      m.insertAfter('C', 'c_set_driver', { label: 'x_after', fn: 'f()', file: 'f.c', branches: [{ assign: [], goto: NEXT }] });
      m.insertBefore('C', 'c_bound', { label: 'x_before', fn: 'f()', file: 'f.c', branches: [{ assign: [], goto: NEXT }] });
      m.removeStep('C', 'x_before');
      m.setFlag('use_default_domain_defers_if_no_default_domain', true);
      m.addBranch('C', 'c_dma_cfg', { name: 'extra', guard: v('dev.added', 0), assign: [], goto: 'o_lock' });
      assert.equal(m.flag('use_default_domain_defers_if_no_default_domain'), true);
    },
  });
  const m = buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register', patches: [p] });
  const c = m.actors.find((a) => a.name === 'C')!;
  const labels = c.steps.map((s) => s.label);
  assert.ok(labels.includes('x_after') && !labels.includes('x_before'));
  assert.equal(c.steps.find((s) => s.label === 'c_set_driver')!.branches[0].goto, 'x_after');
  assert.equal(c.steps.find((s) => s.label === 'x_after')!.branches[0].goto, 'c_dma_cfg');
  assert.ok(c.steps.find((s) => s.label === 'use_check')!.branches.some((b) => b.name === 'defer'));
  lowerModel(m);
});
