/**
 * Devices on several buses, each described by its own firmware (dev-paths.ts, bus-walk.ts): the
 * registration walks the buses in the kernel's order of each line (bus by bus, each bus's
 * devices in order), the bus ops and notifiers are per bus, and each client takes its own
 * firmware's path whatever its bus: a PCI client on a DT system goes through of_iommu_configure,
 * on an ACPI system through IORT. A scenario whose devices share one path builds the model it
 * built before (the digests of test/model/equivalence.test.ts are unchanged).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { and, at, eq, not, ne, v } from '../../src/ir/dsl';
import { offPathActions, type CoreModel } from '../../src/ir/core';
import { lowerModel } from '../../src/ir/lower';
import { initialState, successors } from '../../src/ir/interpret';
import { buildKernelModel } from '../../src/model';
import type { ScenarioDef, WitnessDef } from '../../src/model/config';
import { parseScenarioText, readScenarioFile } from '../../src/scenario-file/parse';
import { modelDigest } from '../helpers/model-digest';
import { naiveExplore } from '../helpers/naive';
import { loadTlaParser, syntaxProblems } from '../../src/bridge/grammar';
import { exportTla } from '../../src/bridge/tla';
import { cliIn, ROOT, tmpDir } from '../cli/helpers';

const MIXED = readScenarioFile(path.join(ROOT, 'docs', 'examples', 'mixed-bus.yaml')).def;
const build = (kernel: string, scenario: ScenarioDef) => buildKernelModel({ kernel, scenario });
const stepsOf = (kernel: string, sc: ScenarioDef, actor: string) => build(kernel, sc).actors.find((a) => a.name === actor)!.steps;
const step = (kernel: string, sc: ScenarioDef, actor: string, label: string) => {
  const s = stepsOf(kernel, sc, actor).find((x) => x.label === label);
  assert.ok(s, `${kernel}: no step ${actor}:${label}`);
  return s;
};
const withWitnesses = (sc: ScenarioDef, ws: WitnessDef[]): ScenarioDef => ({ ...sc, witnesses: ws });
const reached = (core: CoreModel) => {
  const r = naiveExplore(core, { continueAfterViolation: true });
  return new Map([...r.witnesses].map(([n, p]) => [n, p !== null]));
};

test('platform and PCI clients behind one arm-smmu, both OF: the model builds and explores to the end (v5.10.y, v6.6, v6.18.y)', () => {
  for (const k of ['v5.10.y', 'v6.6', 'v6.18.y']) {
    const m = build(k, MIXED);
    assert.deepEqual(m.entities.find((e) => e.name === 'bus'), { name: 'bus', count: 2, slotNames: ['platform', 'pci'] }, k);
    const w = reached(lowerModel(m));
    assert.equal(w.get('RegistrationFinished'), true, `${k}: the SMMU registers`);
    assert.equal(w.get('BothBoundWithIommu'), true, `${k}: both clients can bind with IOMMU DMA ops`);
  }
});

/** Run R alone (every client start: none) and list the devices its walk visits, in order. */
function walkOrder(kernel: string, sc: ScenarioDef): string[] {
  const core = lowerModel(build(kernel, sc));
  const walkDev = core.fields.find((f) => f.name === 'R.walk_dev')!.vars[0];
  const devs = core.entities.find((e) => e.name === 'dev')!.slotNames;
  const out: string[] = [];
  let s = initialState(core);
  for (let n = 0; n < 10_000; n++) {
    const next = successors(core, s);
    if (next.length === 0) break;
    const a = core.actions[next[0].action];
    if (a.step === 'r_walk_next' && a.branch === 'add') out.push(devs[s[walkDev]]);
    s = next[0].state;
  }
  return out;
}

const FOUR_BUSES = (driver: string) => parseScenarioText(`name: walk
bus: pci
iommus: [{name: I, driver: ${driver}}]
groups: [G1, G2, G3, G4]
devices:
  - {name: P1, iommu: I, group: G1, driver: K, start: none, firmware: of}
  - {name: A1, iommu: I, group: G2, driver: K, start: none, bus: amba, firmware: of}
  - {name: X1, iommu: I, group: G3, driver: K, start: none, bus: platform, firmware: of}
  - {name: P2, iommu: I, group: G4, driver: K, start: none, firmware: of}
`, 'walk.yaml');

test('the walk goes bus by bus in the kernel\'s order of each line, each bus\'s devices in scenario order', () => {
  // Up to v6.0 the driver's bus_set_iommu() calls: arm-smmu platform, amba, pci (5.10.265
  // arm-smmu.c:2067-2111; 4.19 arm-smmu.c:2042-2057); smmu-v3 pci, amba, platform (5.10.265
  // arm-smmu-v3.c:3457-3492).
  for (const k of ['v4.19', 'v5.10.y', 'v5.19']) assert.deepEqual(walkOrder(k, FOUR_BUSES('arm-smmu')), ['X1', 'A1', 'P1', 'P2'], k);
  assert.deepEqual(walkOrder('v5.10.y', FOUR_BUSES('smmu-v3')), ['P1', 'P2', 'A1', 'X1']);
  // From v6.1 (57365a04c921) iommu_device_register() walks iommu_buses[]: platform, pci, amba
  // (6.6.150 iommu.c:152-169; 6.18.9 iommu.c:158-175), whatever the driver.
  for (const k of ['v6.1', 'v6.6', 'v6.12.y', 'v6.18.y', 'v7.0']) {
    assert.deepEqual(walkOrder(k, FOUR_BUSES('arm-smmu')), ['X1', 'P1', 'P2', 'A1'], k);
    assert.deepEqual(walkOrder(k, FOUR_BUSES('smmu-v3')), ['X1', 'P1', 'P2', 'A1'], k);
  }
  // One bus: R.walk_dev counts up through every device, as it always did.
  const one = parseScenarioText(`name: one
bus: pci
iommus: [{name: I, driver: arm-smmu}]
groups: [G]
devices:
  - {name: B, iommu: I, group: G, driver: K, start: none}
  - {name: A, iommu: I, group: G, driver: K, start: none}
`, 'one.yaml');
  assert.deepEqual(walkOrder('v6.6', one), ['B', 'A']);
  // Each bus is set and walked (phase 1, then its phase 2) before the next bus's ops are set.
  const loop = step('v6.6', FOUR_BUSES('arm-smmu'), 'R', 'r_finalize_group');
  assert.deepEqual(loop.branches.map((b) => [b.name, b.goto]), [['fin', 'r_finalize_group'], ['skip', 'r_finalize_group'], ['done', 'r_done'], ['done_next_bus', 'r_bus_loop']]);
  const set = step('v5.10.y', FOUR_BUSES('arm-smmu'), 'R', 'r_bus_set_ops');
  assert.deepEqual(set.branches.map((b) => [b.name, b.goto]), [['busy', 'r_bound'], ['busy_next_bus', 'r_bus_set_ops'], ['set', 'r_notifier_reg']]);
});

test('up to v6.0 a bus gets its notifier when its turn in the walk comes; from v6.1 every bus has one from boot (c13dbc1e2485)', () => {
  const sc = parseScenarioText(`name: hot
bus: platform
iommus: [{name: I, driver: arm-smmu}]
groups: [G1, G2]
devices:
  - {name: X, iommu: I, group: G1, driver: K, start: none}
  - {name: P, iommu: I, group: G2, driver: K, start: hotplug, bus: pci, firmware: of}
`, 'hot.yaml');
  // P added (device_add) with no notifier on PCI while the platform bus already has one.
  const early: WitnessDef = {
    name: 'AddedBetweenBuses', doc: '',
    expr: () => and(at('N', 1, '$end'), v('bus.notifier_registered', 'platform'), not(v('bus.notifier_registered', 'pci')), eq(v('dev.iommu', 1), 'null')),
  };
  const grouped: WitnessDef = { name: 'PGrouped', doc: '', expr: () => ne(v('dev.iommu_group', 1), 'none') };
  const w510 = reached(lowerModel(build('v5.10.y', withWitnesses(sc, [early, grouped]))));
  assert.equal(w510.get('AddedBetweenBuses'), true, 'v5.10.y: the PCI bus has no notifier yet while the platform bus is walked');
  assert.equal(w510.get('PGrouped'), true);
  const w66 = reached(lowerModel(build('v6.6', withWitnesses(sc, [early, grouped]))));
  assert.equal(w66.get('AddedBetweenBuses'), false, 'v6.6: iommu_subsys_init registered a notifier on every bus');
  // The notifier of a device's own bus: N reads bus.notifier_registered at dev.bus.
  const add = step('v5.10.y', sc, 'N', 'n_add');
  assert.deepEqual(add.branches[0].guard, v('bus.notifier_registered', v('dev.bus', { kind: 'param', name: 'self' })));
});

const ACPI_PCI: ScenarioDef = { ...MIXED, name: 'mixed-acpi', firmware: undefined, devices: MIXED.devices.map((d) => (d.bus === 'pci' ? { ...d, firmware: 'acpi' } : d)) };

test('a PCI client on OF takes the OF path (o_* cite of_iommu_configure); on ACPI the IORT path', () => {
  for (const k of ['v5.10.y', 'v6.6', 'v6.18.y']) {
    // Both OF: one firmware path, its steps the OF functions; the PCI glue goes straight to it.
    const c = stepsOf(k, MIXED, 'C');
    assert.deepEqual(c.filter((s) => s.label.startsWith('o_')).map((s) => s.fn).filter((x, i, a) => a.indexOf(x) === i).sort(), ['of_iommu_configure()', 'of_iommu_xlate()'], k);
    const pciCfg = step(k, MIXED, 'C', 'c_dma_cfg_pci');
    assert.equal(pciCfg.fn, 'pci_dma_configure()');
    assert.equal(pciCfg.file, 'drivers/pci/pci-driver.c');
    assert.equal(step(k, MIXED, 'C', 'c_dma_cfg').fn, 'platform_dma_configure()');
    assert.deepEqual(pciCfg.branches.map((b) => b.goto), ['o_lock']);
    // Checked against the release's tree: of_iommu.c lines.
    assert.match(step(k, MIXED, 'C', 'o_lock').checked?.[0]?.lines ?? 'inferred', /^of_iommu\.c:\d+-\d+$/, k);

    // The PCI client on ACPI: a second firmware path, suffixed, through IORT.
    const xl = step(k, ACPI_PCI, 'C', 'o_xlate_acpi');
    assert.equal(xl.fn, 'iort_iommu_xlate()');
    assert.equal(xl.file, 'drivers/acpi/arm64/iort.c');
    assert.equal(step(k, ACPI_PCI, 'C', 'o_lock_acpi').fn, 'acpi_iommu_configure_id()');
    assert.equal(step(k, ACPI_PCI, 'C', 'o_lock').fn, 'of_iommu_configure()');
    // In the lowered model each client's own path is its firmware's: the other's steps are no
    // action of it.
    const core = lowerModel(build(k, ACPI_PCI));
    const off = offPathActions(core);
    const live = (inst: string, label: string) => core.actions.some((a) => a.name.startsWith(`C[${inst}]:${label}`) && !off.has(a.id));
    assert.ok(live('NVME', 'o_lock_acpi') && !live('NVME', 'o_lock.') && !live('NVME', 'o_xlate.'), k);
    assert.ok(live('UFS', 'o_lock.') && !live('UFS', 'o_lock_acpi') && !live('UFS', 'o_xlate_acpi'), k);
  }
  // And the ACPI client does get through IORT in a run (v6.18.y).
  const via: WitnessDef = { name: 'NvmeViaIort', doc: '', expr: () => at('C', 1, 'o_xlate_acpi') };
  assert.equal(reached(lowerModel(build('v6.18.y', withWitnesses(ACPI_PCI, [via])))).get('NvmeViaIort'), true);
  // v6.15 (bcb81ac6ae3c): acpi_iommu_configure_id no longer replays the probe, OF still does.
  const labels = stepsOf('v6.18.y', ACPI_PCI, 'C').map((s) => s.label);
  assert.ok(labels.includes('o_replay') && !labels.includes('o_replay_acpi'));
});

test('each glue is the device\'s own: on v6.15 the walk\'s pci_dma_configure still reads dev->driver twice (78447d4545b2: v6.17, 6.15.y and 6.16.y in Aug 2025)', () => {
  const oops = (k: string, label: string) => step(k, MIXED, 'R', label).branches.some((b) => (b.asserts ?? []).some((x) => x.name === 'NoNullOpsDeref'));
  assert.equal(oops('v6.15', 'r_dma_use'), false, 'platform_dma_configure: 95deee37a123');
  assert.equal(oops('v6.15', 'r_dma_use_pci'), true);
  assert.equal(oops('v6.15.y', 'r_dma_use_pci'), false);
  assert.equal(oops('v6.18.y', 'r_dma_use_pci'), false);
  assert.equal(step('v6.15', MIXED, 'R', 'r_dma_use_pci').fn, 'pci_dma_configure()');
});

test('keys that say what the default says build the same model', () => {
  const base = parseScenarioText(`name: b
bus: platform
iommus: [{name: I, driver: arm-smmu}]
groups: [G]
devices:
  - {name: D, iommu: I, group: G, driver: K, start: probe, unbind: true}
  - {name: E, iommu: I, group: G, driver: K, start: deferred}
`, 'b.yaml');
  const explicit: ScenarioDef = { ...base, firmware: 'of', devices: base.devices.map((d) => ({ ...d, bus: 'platform', firmware: 'of' })) };
  const pci: ScenarioDef = { ...base, bus: 'pci' };
  const pciExplicit: ScenarioDef = { ...base, bus: 'platform', devices: base.devices.map((d) => ({ ...d, bus: 'pci', firmware: 'acpi' })) };
  for (const k of ['v4.19', 'v5.10.y', 'v6.6', 'v6.18.y']) {
    assert.equal(modelDigest(build(k, explicit)), modelDigest(build(k, base)), k);
    assert.equal(modelDigest(build(k, pciExplicit)), modelDigest(build(k, pci)), k);
  }
});

test('the TLA+ export of a model over two buses parses, with the buses as a set and dev.bus as a function', async () => {
  const ex = exportTla(lowerModel(build('v5.10.y', MIXED)));
  assert.deepEqual(syntaxProblems((await loadTlaParser()).parse(ex.tla)), []);
  assert.match(ex.tla, /^Bus == \{"platform", "pci"\}$/m);
  assert.match(ex.tla, /dev_bus = \("UFS" :> "platform" @@ "NVME" :> "pci"\)/);
});

test('check does not list another device\'s path among the steps never enabled', () => {
  const dir = tmpDir('mixedbus');
  const r = cliIn(dir, 'check', '--kernel', 'v6.6', '--scenario-file', path.join(ROOT, 'docs', 'examples', 'mixed-bus.yaml'), '--continue', '--out', 'run', '--no-report', '--quiet', '--workers', '1');
  assert.equal(r.code, 1, r.stderr);
  const unreachedSteps = (JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')) as { unreachedSteps: string[] }).unreachedSteps;
  assert.ok(unreachedSteps.length > 0);
  assert.deepEqual(unreachedSteps.filter((x) => /^C\[UFS\]:.*_pci|^C\[NVME\]:c_dma_cfg\b|^C\[UFS\]:c_set_driver\.pci/.test(x)), []);
});
