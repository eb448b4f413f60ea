/** resolveTargets is where the options become models: the default kernel, the scenarios and the
 *  --invariant names are settled there, once, for every command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { DEFAULT_KERNEL } from '../../src/model';
import { targetOptions } from '../../src/cli/options';
import { optionsOfSource, resolveTargets } from '../../src/cli/target';

test('a kernel target without --kernel records the default kernel, one target per scenario', () => {
  const ts = resolveTargets(targetOptions({ scenario: ['msm-private-domain', 'multi-dmar-register'] }));
  assert.deepEqual(ts.map((t) => t.label), [`${DEFAULT_KERNEL}/msm-private-domain`, `${DEFAULT_KERNEL}/multi-dmar-register`]);
  for (const t of ts) assert.equal(t.source.kernel, DEFAULT_KERNEL);
});

test('--invariant is checked for a classic model too, and recorded in a kernel target\'s source', () => {
  assert.throws(() => resolveTargets(targetOptions({ model: 'counters', invariant: ['Nope'] })),
    (e: unknown) => e instanceof ProbeError && e.code === 'E_UNKNOWN_INVARIANT');
  const [t] = resolveTargets(targetOptions({ kernel: 'v6.6.5', scenario: ['probe-vs-register'], invariant: ['BoundImpliesCorrectDmaOps'] }));
  assert.deepEqual(t.source, { kernel: 'v6.6.5', scenario: 'probe-vs-register', patches: [], invariants: ['BoundImpliesCorrectDmaOps'] });
});

test('a trace header resolves back to the same target', () => {
  const [t] = resolveTargets(targetOptions({ kernel: 'v4.20-rc1', scenario: ['ipmmu-early-free'], patch: ['ipmmu-free-guard'] }));
  const [again] = resolveTargets(optionsOfSource(t.source));
  assert.deepEqual(again.source, t.source);
  assert.equal(again.core.actions.length, t.core.actions.length);
});
