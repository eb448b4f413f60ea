/**
 * Every flag matters: flipping any flag on any kernel either changes the compiled model of at
 * least one scenario, or is refused with one E_PATCH line because no form of the resulting
 * kernel reads it; and a refused flip would indeed have changed nothing (checked by building
 * it anyway). So a user's patch can never set a flag that is silently ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { buildKernelModel, definePatch, KERNELS, SCENARIOS, type FlagName, type KernelFlags } from '../../src/model';
import { KERNEL_DEFS } from '../../src/model/kernels';
import { modelDigest } from '../helpers/model-digest';
import * as path from 'node:path';
import type { ScenarioDef } from '../../src/model/config';
import { readScenarioFile } from '../../src/scenario-file/parse';
import { ROOT } from '../cli/helpers';

/** The other values a flag can take (enums listed from every baseline and the flag's type). */
const DOMAINS: Partial<Record<FlagName, readonly unknown[]>> = {
  probe_op: ['add_device', 'probe_device'],
  registration_model: ['bus_set_iommu', 'walk_in_iommu_device_register'],
  group_get_for_dev_ops_source: ['bus', 'dev_iommu_ops'],
  of_replay_condition: ['no_group', 'always', 'not_present'],
  dma_api_domain_lookup: ['current_domain', 'default_domain'],
  dma_mode_decided_in: ['client_arch_setup', 'iommu_core'],
  use_default_domain_site: ['before_fw_configure', 'after_fw_configure'],
  claim_semantics: ['none', 'detach', 'blocking_domain'],
  sysfs_group_type_store: ['absent', 'device_lock', 'owner_cnt'],
};
const valuesOf = (name: FlagName, cur: unknown): unknown[] =>
  (typeof cur === 'boolean' ? [!cur] : (DOMAINS[name] ?? assert.fail(`no domain listed for flag ${name}`)).filter((x) => x !== cur));

/** The built-ins, and the example of the keys no built-in uses (a sysfs type change): a kernel
 *  without the event refuses it (E_USAGE), which a flip can change too. */
const SYSFS_EXAMPLE = readScenarioFile(path.join(ROOT, 'docs', 'examples', 'sysfs-type.yaml')).def;
/** And one that mixes IOMMU drivers: a flag may matter only there (register_refuses_other_driver);
 *  the add_device-era kernels refuse to build it. */
const MIXED = readScenarioFile(path.join(ROOT, 'docs', 'examples', 'mixed-smmu.yaml')).def;
const ALL: { name: string; scenario: string | ScenarioDef }[] = [...SCENARIOS.map((s) => ({ name: s.name, scenario: s.name })), ...[SYSFS_EXAMPLE, MIXED].map((d) => ({ name: d.name, scenario: d }))];
function digestOf(opts: Parameters<typeof buildKernelModel>[0]): string {
  try {
    return modelDigest(buildKernelModel(opts));
  } catch (e) {
    if (e instanceof ProbeError && e.code === 'E_USAGE') return `refused: ${e.message}`;
    throw e;
  }
}

test('every flag, flipped on every kernel, changes some scenario\'s model or is refused as unread', () => {
  const inert: string[] = [];
  const overRefused: string[] = [];
  let changed = 0;
  let refused = 0;
  let unbuildable = 0;
  for (const k of KERNEL_DEFS) {
    const base = new Map(ALL.map((s) => [s.name, digestOf({ kernel: k.name, scenario: s.scenario })]));
    for (const name of Object.keys(k.flags) as FlagName[]) {
      for (const value of valuesOf(name, k.flags[name])) {
        const flip = definePatch({ id: `flip-${name}`, title: 'flip', flags: { [name]: value } as Partial<KernelFlags> });
        const what = `${k.name} ${name}=${JSON.stringify(value)}`;
        let differs = false;
        let refusedHere = false;
        const unbuildableBefore = unbuildable;
        for (const s of ALL) {
          try {
            differs ||= digestOf({ kernel: k.name, scenario: s.scenario, patches: [flip] }) !== base.get(s.name);
          } catch (e) {
            assert.ok(e instanceof ProbeError && e.code === 'E_PATCH', `${what}: ${String(e)}`);
            if (/cannot be built on/.test(e.message)) { unbuildable++; refusedHere = true; break; }
            assert.match(e.message, new RegExp(`^patch flip-${name}: ${name} = .* changes nothing on ${k.name}: only `), what);
            refusedHere = true;
            break;
          }
        }
        if (refusedHere && unbuildableBefore !== unbuildable) continue;
        if (refusedHere) {
          refused++;
          const wouldChange = ALL.some((s) => digestOf({ kernel: k.name, scenario: s.scenario, patches: [flip], allowUnreadFlags: true }) !== base.get(s.name));
          if (wouldChange) overRefused.push(what);
        } else if (differs) changed++;
        else inert.push(what);
      }
    }
  }
  assert.deepEqual(inert, [], 'flips that change no model and are not refused');
  assert.deepEqual(overRefused, [], 'flips refused although they would change a model');
  assert.ok(changed > 100 && refused > 10, `changed ${changed}, refused ${refused}`);
  assert.equal(KERNELS.length, KERNEL_DEFS.length);
});
