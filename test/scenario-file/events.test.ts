/**
 * Scenario-file keys of issue 14's second part: a client driver that does no DMA (`driver: N`)
 * and a sysfs default-domain type change (`sysfsType`). Good files reach the model; bad ones are
 * one line `FILE:LINE:COL: what (closest names)`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelModel } from '../../src/model';
import { parseScenarioText } from '../../src/scenario-file/parse';
import { errorOf } from './helpers';
import { lowerModel } from '../../src/ir/lower';
import { explore } from '../../src/explorer/explore';
import { ProbeError } from '../../src/errors';

const BASE = `name: b
bus: platform
iommus: [{name: I, driver: arm-smmu}]
groups: [G]
devices:
  - {name: D, iommu: I, group: G, driver: N, start: probe}
`;

test('driver: N parses and reaches the model as the driver of the device', () => {
  const d = parseScenarioText(BASE, 'board.yaml');
  assert.equal(d.devices[0].driver, 'N');
  const m = buildKernelModel({ kernel: 'v6.6', scenario: d });
  assert.deepEqual(m.fields.find((f) => f.name === 'dev.drv')!.init, ['N']);
});

test('an unknown driver kind is one line naming the kinds', () => {
  assert.match(errorOf(BASE.replace('driver: N', 'driver: X')), /^board\.yaml:6:43: devices\[0\]\.driver: unknown value "X" \(closest: .*N/);
});

const SYSFS = BASE.replace('driver: N', 'driver: K') + 'sysfsType: {group: G, to: identity}\n';

test('sysfsType parses and adds actor S over its group', () => {
  const d = parseScenarioText(SYSFS, 'board.yaml');
  assert.deepEqual(d.sysfsType, { group: 'G', to: 'identity' });
  const s = buildKernelModel({ kernel: 'v6.18.y', scenario: d }).actors.find((a) => a.name === 'S');
  assert.deepEqual(s?.slots, [0]);
});

const BAD: [string, string, RegExp][] = [
  ['a group not listed', SYSFS.replace('{group: G,', '{group: H,'), /^board\.yaml:7:20: no group 'H' in groups \(valid: G\)$/],
  ['an unknown type', SYSFS.replace('to: identity', 'to: dma'), /^board\.yaml:7:27: sysfsType\.to: unknown value "dma" \(valid: identity, DMA, DMA-FQ\)$/],
  ['a misspelt key', SYSFS.replace('to: identity', 'type: identity'), /^board\.yaml:7:23: sysfsType: unknown key 'type' \(valid: group, to\)$/],
  ['a misspelt event', SYSFS.replace('sysfsType:', 'sysfsTyp:'), /^board\.yaml:7:1: the file: unknown key 'sysfsTyp' \(closest: sysfsType/],
];
for (const [what, text, want] of BAD) {
  test(`sysfsType refused with one line: ${what}`, () => assert.match(errorOf(text), want));
}

// Symmetry (issue 12 part 2): a scenario may declare an entity whose slots it believes
// interchangeable. The model is checked as the classic models are (src/ir/symmetry.ts). Here
// the SMMU registers during the scenario: its walk visits the devices in bus order, so they are
// not alike, and a run says where with one line (alike clients of an SMMU up at boot pass:
// test/model/alike-clients.test.ts).
const ALIKE = BASE.replace('  - {name: D, iommu: I, group: G, driver: N, start: probe}\n',
  '  - {name: D1, iommu: I, group: G, driver: K, start: probe}\n  - {name: D2, iommu: I, group: G, driver: K, start: probe}\n') + 'symmetry: [dev]\n';

test('symmetry: a declared entity reaches the model and is refused with the first place that breaks it', async () => {
  const d = parseScenarioText(ALIKE, 'board.yaml');
  assert.deepEqual(d.symmetry, ['dev']);
  const m = lowerModel(buildKernelModel({ kernel: 'v6.18.y', scenario: d }));
  assert.equal(m.symmetry?.[0].entity, 'dev');
  assert.match(m.symmetry?.[0].refused ?? '', /^step R:r_walk_next reads 'dev\.added' at a slot given by a constant or a computed value$/);
  await assert.rejects(explore(m, { reduce: { symmetry: true } }), (e: unknown) => e instanceof ProbeError && e.code === 'E_BAD_VALUE' &&
    /symmetry over 'dev' refused: .*; drop the declaration, or run without symmetry \(--reduce dead-vars\)$/.test(e.message) && !e.message.includes('\n'));
  // Without symmetry in the reductions the declaration is not used: the run goes on.
  assert.notEqual((await explore(m, { reduce: { deadVars: true }, continueAfterViolation: true })).verdict, 'model-error');
});

test('symmetry: an unknown entity is one line naming the entities', () => {
  assert.match(errorOf(ALIKE.replace('symmetry: [dev]', 'symmetry: [devs]')), /^board\.yaml:8:12: symmetry\[0\]: unknown value "devs" \(valid: iommu, dev, group\)$/);
});
