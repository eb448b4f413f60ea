/**
 * Actor S, `echo TYPE > /sys/kernel/iommu_groups/N/type` (iommu_group_store_type): built only
 * on kernels that have it (08a27c1c3ecf, v5.11), in the form the kernel's flag names; its
 * refusals (device_is_bound under device_lock before 49a22aae7d9c, owner_cnt after) hold in the
 * explored models, and an uncounted bind lets the change through on the kernels that have one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ProbeError } from '../../src/errors';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import { KERNEL_DEFS } from '../../src/model/kernels';
import type { ScenarioDef } from '../../src/model/config';
import { parseScenarioText, readScenarioFile } from '../../src/scenario-file/parse';
import { naiveExplore, type NaiveResult } from '../helpers/naive';
import { ROOT } from '../cli/helpers';

const EXAMPLE = readScenarioFile(path.join(ROOT, 'docs', 'examples', 'sysfs-type.yaml')).def;

function explore(kernel: string, sc: ScenarioDef): { res: NaiveResult; names: (p: number[]) => string[] } {
  const core = lowerModel(buildKernelModel({ kernel, scenario: sc }));
  return { res: naiveExplore(core, { continueAfterViolation: true }), names: (p) => p.map((a) => core.actions[a].name) };
}

/** One client in group G, `to` written to G's type file; `atBoot`: the SMMU is bound before. */
function board(opts: { atBoot: boolean; devices?: string; to?: string }): ScenarioDef {
  return parseScenarioText(`name: s
bus: platform
iommus: [{name: I, driver: arm-smmu${opts.atBoot ? ', atBoot: true' : ''}}]
groups: [G]
devices:
${opts.devices ?? '  - {name: D, iommu: I, group: G, driver: K, start: probe}'}
sysfsType: {group: G, to: ${opts.to ?? 'identity'}}
invariants: [NoDefaultDomainChangeUnderDriver, OwnerCountBalanced]
witnesses:
  - name: Changed
    when: {field: group.default_domain, group: G, equals: identity}
`, 'board.yaml');
}

test('actor S exists exactly on the kernels with iommu_group_store_type, in their form; the others refuse the scenario with one line', () => {
  for (const k of KERNEL_DEFS) {
    const form = k.flags.sysfs_group_type_store;
    if (form === 'absent') {
      assert.throws(() => buildKernelModel({ kernel: k.name, scenario: EXAMPLE }), (e: unknown) =>
        e instanceof ProbeError && e.code === 'E_USAGE' && !e.message.includes('\n') && /has no \/sys\/kernel\/iommu_groups\/\*\/type .*08a27c1c3ecf/.test(e.message), k.name);
      continue;
    }
    const s = buildKernelModel({ kernel: k.name, scenario: EXAMPLE }).actors.find((a) => a.name === 'S');
    assert.ok(s, `${k.name}: actor S`);
    const labels = s.steps.map((x) => x.label);
    if (form === 'device_lock') assert.deepEqual(labels, ['s_count', 's_dev_lock', 's_change', 's_dev_unlock'], k.name);
    else assert.deepEqual(labels, ['s_store'], k.name);
    for (const st of s.steps) assert.ok(st.fn && st.file, `${k.name} ${st.label} names its kernel function and file`);
  }
  // The existing scenarios have no S.
  assert.equal(buildKernelModel({ kernel: 'v6.18.y', scenario: 'probe-vs-register' }).actors.some((a) => a.name === 'S'), false);
});

test('owner_cnt form: the change is refused while a bound driver is counted (explored), and goes through before the bind', () => {
  for (const kernel of ['v6.6.y', 'v6.12.y', 'v6.18.y']) {
    const { res } = explore(kernel, board({ atBoot: true }));
    // Never replaced under the bound (counted) driver. (On v6.6.y a change between
    // arch_setup_dma_ops and the use breaks DmaApiDomainHasCookie: the window b67483b3c44e closed.)
    assert.equal(res.violations.has('NoDefaultDomainChangeUnderDriver'), false, kernel);
    assert.ok(res.witnesses.get('Changed'), `${kernel}: the change happens (before the bind counts)`);
  }
});

test('device_lock form: refused while the device is bound (explored)', () => {
  // The walk cannot find an arm-smmu instance that is still registering, so D joins its group
  // only inside its own bind, under device_lock, and is bound after it: the change can come only
  // once D is unbound again.
  const unbound = '  - {name: D, iommu: I, group: G, driver: K, start: probe, unbind: true}';
  for (const kernel of ['v5.15.y', 'v6.1.y']) {
    assert.equal(explore(kernel, board({ atBoot: false })).res.witnesses.get('Changed'), null, `${kernel}: never while D is bound`);
    const one = explore(kernel, board({ atBoot: false, devices: unbound }));
    assert.equal(one.res.violations.has('NoDefaultDomainChangeUnderDriver'), false, kernel);
    assert.ok(one.res.witnesses.get('Changed'), `${kernel}: after the unbind`);
  }
});

test('an uncounted bind (the v6.15 walk window) lets the change through under a bound driver on v6.18.y; v6.1.y refuses it', () => {
  const { res, names } = explore('v6.18.y', board({ atBoot: false }));
  const trace = res.violations.get('NoDefaultDomainChangeUnderDriver');
  assert.ok(trace, `violations: ${[...res.violations.keys()]}`);
  const steps = names(trace);
  assert.equal(steps[steps.length - 1], 'S[G]:s_store.change', steps.join(' '));
  assert.ok(steps.includes('R[I]:r_dma_use.nogroup') || steps.includes('C[D]:c_use_dd.nogroup'), `the bind was not counted: ${steps.join(' ')}`);
  const old = explore('v6.1.y', board({ atBoot: false }));
  assert.equal(old.res.violations.has('NoDefaultDomainChangeUnderDriver'), false);
});

test('DMA -> DMA-FQ is allowed in place whatever is bound: the domain is not replaced', () => {
  for (const kernel of ['v6.1.y', 'v6.18.y']) {
    const sc = board({ atBoot: true, to: 'DMA-FQ' });
    const s = buildKernelModel({ kernel, scenario: sc }).actors.find((a) => a.name === 'S')!;
    const fq = s.steps.flatMap((st) => st.branches).find((b) => b.name === 'fq');
    assert.ok(fq, kernel);
    assert.deepEqual(fq.assign, [], `${kernel}: fq changes no model state`);
  }
});
