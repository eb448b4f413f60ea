/**
 * A device's own bus and firmware in a scenario file (docs/cli.md "Scenarios in files"): the keys
 * parse into the scenario, a bad value or key is one line with the valid or closest names, and a
 * combination the kernel cannot have (an IPMMU client on ACPI or on PCI, an Intel DMAR client
 * described by DT) is one line at the key that says it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseScenarioText, readScenarioFile } from '../../src/scenario-file/parse';
import { errorOf } from './helpers';
import { ROOT } from '../cli/helpers';

const MIXED = `name: m
bus: platform
iommus: [{name: I, driver: arm-smmu}]
groups: [G1, G2]
devices:
  - {name: UFS, iommu: I, group: G1, driver: K, start: probe}
  - {name: NVME, iommu: I, group: G2, driver: K, start: probe, bus: pci, firmware: of}
`;

test('a device names its own bus and firmware; the scenario may name a default firmware', () => {
  const d = parseScenarioText(MIXED, 'board.yaml');
  assert.equal(d.bus, 'platform');
  assert.equal(d.firmware, undefined);
  assert.deepEqual(d.devices.map((x) => [x.name, x.bus, x.firmware]), [['UFS', undefined, undefined], ['NVME', 'pci', 'of']]);
  const withDefault = parseScenarioText(MIXED.replace('bus: platform\n', 'bus: platform\nfirmware: acpi\n'), 'board.yaml');
  assert.equal(withDefault.firmware, 'acpi');
  // amba devices are created from ACPI too (drivers/acpi/arm64/amba.c, ARMH0061 ...): allowed.
  parseScenarioText(MIXED.replace('bus: pci, firmware: of', 'bus: amba, firmware: acpi'), 'board.yaml');
});

test('bad values and keys: one line with the valid names', () => {
  assert.match(errorOf(MIXED.replace('bus: pci,', 'bus: pcie,')), /^board\.yaml:7:\d+: devices\[1\]\.bus: unknown value "pcie" \(valid: platform, amba, pci\)$/);
  assert.match(errorOf(MIXED.replace('firmware: of', 'firmware: dt')), /^board\.yaml:7:\d+: devices\[1\]\.firmware: unknown value "dt" \(valid: of, acpi\)$/);
  assert.match(errorOf(MIXED.replace('bus: platform\n', 'bus: platform\nfirmware: ACPI\n')), /^board\.yaml:3:11: firmware: unknown value "ACPI" \(valid: of, acpi\)$/);
  assert.match(errorOf(MIXED.replace('firmware: of', 'firmwre: of')), /^board\.yaml:7:\d+: devices\[1\]: unknown key 'firmwre' \(closest: firmware, /);
});

test('what the kernel cannot have is one line at the key that says it', () => {
  const ipmmu = MIXED.replace('driver: arm-smmu', 'driver: ipmmu');
  assert.match(errorOf(ipmmu), /^board\.yaml:7:\d+: scenario m: ipmmu-vmsa serves DT platform devices; device NVME is on pci$/);
  const ipmmuAcpi = ipmmu.replace('bus: pci, firmware: of', 'firmware: acpi');
  assert.match(errorOf(ipmmuAcpi), /^board\.yaml:7:\d+: scenario m: ipmmu-vmsa serves DT platform devices; device NVME is described by ACPI \(no IORT node describes an IPMMU\)$/);
  // The scenario's own firmware key is where a default the driver cannot serve is named.
  assert.match(errorOf(ipmmu.replace(', bus: pci, firmware: of', '').replace('bus: platform\n', 'bus: platform\nfirmware: acpi\n')), /^board\.yaml:3:11: .*device UFS is described by ACPI/);
  const intel = `name: x
bus: pci
bootThread: true
iommus: [{name: I, driver: intel}]
groups: [G]
devices:
  - {name: D, iommu: I, group: G, driver: K, start: none, firmware: of}
`;
  assert.match(errorOf(intel), /^board\.yaml:7:\d+: scenario x: Intel DMAR units find their clients in the ACPI DMAR table; device D is described by OF \(firmware: acpi\)$/);
  assert.match(errorOf(intel.replace('firmware: of', 'bus: platform, firmware: acpi')), /^board\.yaml:7:\d+: .*Intel DMAR units serve PCI devices .*; device D is on platform$/);
  // The scenario-wide misfit keeps its old wording and place.
  assert.match(errorOf(MIXED.replace('bus: platform', 'bus: amba').replace('driver: arm-smmu', 'driver: ipmmu').replace(', bus: pci, firmware: of', '')), /^board\.yaml:3:\d+: scenario m: ipmmu-vmsa serves DT platform devices; this scenario's clients are on amba$/);
});

test('docs/examples/mixed-bus.yaml reads with the published schema', () => {
  const d = readScenarioFile(path.join(ROOT, 'docs', 'examples', 'mixed-bus.yaml')).def;
  assert.deepEqual(d.devices.map((x) => x.bus ?? d.bus), ['platform', 'pci']);
  assert.equal(d.firmware, 'of');
});
