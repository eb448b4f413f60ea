/**
 * Driver N, a client driver that does no DMA: its bind is K's (really_probe runs
 * dev->bus->dma_configure, so the firmware configure, arch_setup_dma_ops and, from v5.19, the
 * default-domain use), and its probe maps nothing. The invariants about live DMA then have
 * nothing to say about the device; the ownership ones count it as K.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import type { ScenarioDef } from '../../src/model/config';
import { BUILTIN_SCENARIOS } from '../../src/model/scenarios';
import { naiveExplore } from '../helpers/naive';

/** probe-vs-register with its client bound by `driver` and unbound again. */
function withDriver(driver: 'K' | 'N'): ScenarioDef {
  const base = BUILTIN_SCENARIOS.get('probe-vs-register');
  return { ...base, name: `probe-vs-register-${driver}`, devices: base.devices.map((d) => ({ ...d, driver, unbind: true })) };
}

const violations = (kernel: string, sc: ScenarioDef): Set<string> =>
  new Set(naiveExplore(lowerModel(buildKernelModel({ kernel, scenario: sc })), { continueAfterViolation: true }).violations.keys());

const DMA_INVARIANTS = ['BoundImpliesCorrectDmaOps', 'DmaOpsMatchDomain', 'NoUnattachedDma', 'DmaUnmapMatchesMap', 'NoTranslationChangeUnderLiveDma', 'DmaApiDomainHasCookie'];
const OWNERSHIP_INVARIANTS = ['OwnerCountBalanced', 'OwnerCountMatchesDmaApiBinders', 'UnuseMatchesUse', 'KernelUserExclusive'];

test('driver N binds through the same steps as K, with no DMA map step', () => {
  for (const kernel of ['v4.19', 'v5.17', 'v6.6', 'v6.18.y']) {
    const steps = (driver: 'K' | 'N') => buildKernelModel({ kernel, scenario: withDriver(driver) }).actors.find((a) => a.name === 'C')!.steps;
    const k = steps('K').map((s) => s.label), n = steps('N').map((s) => s.label);
    assert.deepEqual(n, k.filter((l) => l !== 'd_map'), `${kernel}: N's steps are K's without d_map`);
    const probe = steps('N').find((s) => s.label === 'c_drv_probe')!;
    assert.deepEqual(probe.branches.map((b) => `${b.name}->${b.goto}`), ['N->c_bound'], kernel);
    // Nothing N runs records a live mapping.
    for (const a of buildKernelModel({ kernel, scenario: withDriver('N') }).actors) {
      for (const s of a.steps) for (const b of s.branches) {
        for (const as of b.assign) if (as.field === 'dev.live_maps') assert.deepEqual(as.value, { kind: 'sym', name: 'none' }, `${kernel} ${a.name}.${s.label}`);
      }
    }
  }
});

test('driver N: the DMA invariants find nothing where K breaks them; the ownership ones find what they find for K', () => {
  // v6.18.y: the walk groups the client while its bind runs (the v6.15 window), so the bind is
  // not counted and, for K, runs on dma-direct under a DMA domain.
  const k = violations('v6.18.y', withDriver('K'));
  const n = violations('v6.18.y', withDriver('N'));
  assert.ok(DMA_INVARIANTS.some((i) => k.has(i)), `K breaks a DMA invariant: ${[...k]}`);
  assert.deepEqual(DMA_INVARIANTS.filter((i) => n.has(i)), [], `N breaks no DMA invariant: ${[...n]}`);
  assert.ok(OWNERSHIP_INVARIANTS.some((i) => k.has(i)), `K breaks an ownership invariant: ${[...k]}`);
  assert.deepEqual(OWNERSHIP_INVARIANTS.filter((i) => n.has(i)), OWNERSHIP_INVARIANTS.filter((i) => k.has(i)), 'N is counted (or missed) in owner_cnt as K is');
});

test('driver N joins the driver enums only where a device has it (the other models keep theirs)', () => {
  const dom = (sc: ScenarioDef) => buildKernelModel({ kernel: 'v6.6', scenario: sc }).fields.find((f) => f.name === 'dev.drv')!.domain;
  assert.deepEqual(dom(withDriver('K')), { kind: 'enum', values: ['none', 'K', 'M', 'V'] });
  assert.deepEqual(dom(withDriver('N')), { kind: 'enum', values: ['none', 'K', 'M', 'V', 'N'] });
});
