/**
 * Issue 14 part 1 names what a scenario file describes. Each feature the format has is used by
 * at least one file (a built-in in scenarios/, or fixtures/firmware-dma.yaml for the keys no
 * built-in uses; the example files of docs/examples for a bus or firmware per device, mixed IOMMU
 * drivers, a client without DMA and a sysfs type change; fixtures/two-smmu-in-turn.yaml for
 * instances probed in turn), and the fixture's keys reach the model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildKernelModel, INVARIANTS } from '../../src/model';
import type { ScenarioDef } from '../../src/model/config';
import { BUILTIN_SCENARIOS } from '../../src/model/scenarios';
import { readScenarioFile } from '../../src/scenario-file/parse';
import { ROOT } from '../cli/helpers';

const FIXTURE = path.join(ROOT, 'test', 'scenario-file', 'fixtures', 'firmware-dma.yaml');
const fixture = readScenarioFile(FIXTURE).def;
const inTurn = readScenarioFile(path.join(ROOT, 'test', 'scenario-file', 'fixtures', 'two-smmu-in-turn.yaml')).def;
const sysfsExample = readScenarioFile(path.join(ROOT, 'docs', 'examples', 'sysfs-type.yaml')).def;
const example = (f: string) => readScenarioFile(path.join(ROOT, 'docs', 'examples', f)).def;
const files: ScenarioDef[] = [...BUILTIN_SCENARIOS.all(), fixture, inTurn, sysfsExample, example('mixed-bus.yaml'), example('mixed-smmu.yaml')];

const devs = (s: ScenarioDef) => s.devices;
const FEATURES: [string, (s: ScenarioDef) => boolean][] = [
  ['instance driver arm-smmu', (s) => s.iommus.some((i) => i.driver === 'arm-smmu')],
  ['instance driver smmu-v3', (s) => s.iommus.some((i) => i.driver === 'smmu-v3')],
  ['instance driver ipmmu', (s) => s.iommus.some((i) => i.driver === 'ipmmu')],
  ['instance driver intel (boot thread)', (s) => s.iommus.some((i) => i.driver === 'intel') && !!s.bootThread],
  ['firmware OF (platform, amba)', (s) => s.bus === 'platform' || s.bus === 'amba'],
  ['firmware ACPI (pci: IORT, DMAR scope)', (s) => s.bus === 'pci'],
  ['bus platform', (s) => s.bus === 'platform'],
  ['bus amba', (s) => s.bus === 'amba'],
  ['bus pci', (s) => s.bus === 'pci'],
  ['clients on more than one bus', (s) => new Set(devs(s).map((d) => d.bus ?? s.bus)).size > 1],
  ['firmware apart from the bus (PCI described by the device tree)', (s) => devs(s).some((d) => (d.bus ?? s.bus) === 'pci' && (d.firmware ?? s.firmware) === 'of')],
  ['IOMMUs of two drivers in one scenario', (s) => new Set(s.iommus.map((i) => i.driver)).size > 1],
  ['instance bound at boot', (s) => s.iommus.some((i) => i.atBoot)],
  ['instance registering', (s) => s.iommus.some((i) => !i.atBoot)],
  ['two instances registering at once', (s) => s.iommus.filter((i) => !i.atBoot).length >= 2 && !s.bootThread],
  ['instances probed in turn by the boot thread (probe: sync)', (s) => s.iommus.filter((i) => i.probe === 'sync').length >= 2],
  ['async probe (clients binding from boot, concurrently)', (s) => devs(s).filter((d) => d.start === 'probe').length >= 2],
  ['deferred probe', (s) => devs(s).some((d) => d.start === 'deferred')],
  ['client never bound', (s) => devs(s).some((d) => d.start === 'none')],
  ['client DMA-API driver', (s) => devs(s).some((d) => d.driver === 'K')],
  ['client msm-style private domain', (s) => devs(s).some((d) => d.driver === 'M' && !!d.compatListed)],
  ['client vfio', (s) => devs(s).some((d) => d.driver === 'V')],
  ['client driver that does no DMA', (s) => devs(s).some((d) => d.driver === 'N')],
  ['group sharing', (s) => devs(s).some((d, i) => devs(s).findIndex((x) => x.group === d.group) !== i)],
  ['firmware DMA left running', (s) => devs(s).some((d) => d.fwDmaLive)],
  ['fw_devlink ordering', (s) => devs(s).some((d) => d.linksBlock)],
  ['event unbind', (s) => devs(s).some((d) => d.unbind)],
  ['event hot-plug', (s) => devs(s).some((d) => d.start === 'hotplug')],
  ['event vfio claim', (s) => !!s.vfio],
  ['event sysfs default-domain type change', (s) => !!s.sysfsType],
  ['event deferred_probe_initcall', (s) => !!s.initcallsActor],
  ['fault f_ctx_exhausted', (s) => s.faults.includes('f_ctx_exhausted')],
  ['fault f_pgtable_dma_reject', (s) => s.faults.includes('f_pgtable_dma_reject')],
  ['fault f_drv_probe_fail', (s) => s.faults.includes('f_drv_probe_fail')],
  ['witnesses', (s) => s.witnesses.length > 0],
  ['a selection of invariants', (s) => s.invariants.length > 0 && s.invariants.length < INVARIANTS.length],
];

for (const [feature, uses] of FEATURES) {
  test(`a scenario file expresses: ${feature}`, () => {
    assert.ok(files.some(uses), `no file uses ${feature}`);
  });
}

test('fixtures/firmware-dma.yaml: its keys reach the model (live firmware DMA, fw_devlink, the probe-failure branch)', () => {
  const m = buildKernelModel({ kernel: 'v6.6', scenario: fixture });
  const init = (f: string) => m.fields.find((x) => x.name === f)?.init;
  assert.deepEqual(init('ghost.fw_dma_live'), [true, false]);
  assert.deepEqual(init('dev.links_block'), [true, false]);
  // fw_devlink may defer the bind (c_links); the driver probe may fail (c_drv_probe, c_fail_late).
  const shape = (model: typeof m) => model.actors.find((a) => a.name === 'C')!.steps.map((st) => `${st.label}/${st.branches.map((br) => br.name).join(',')}`);
  assert.ok(shape(m).includes('c_links/ok,defer') && shape(m).includes('c_drv_probe/K,fail') && shape(m).includes('c_fail_late/'), shape(m).join(' '));
  const plain = buildKernelModel({ kernel: 'v6.6', scenario: { ...fixture, faults: [], devices: fixture.devices.map((d) => ({ ...d, fwDmaLive: false, linksBlock: false })) } });
  assert.ok(shape(plain).includes('c_links/ok') && shape(plain).includes('c_drv_probe/K') && !shape(plain).includes('c_fail_late/'), shape(plain).join(' '));
});
