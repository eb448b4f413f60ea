/**
 * scenario from-dts on a small SoC tree written for the test (fixtures/soc.dts: an MMU-500
 * application SMMU, a GPU SMMU enabled by a board overlay, clients through iommus with macros in
 * their cells, a PCIe host bridge through iommu-map, disabled nodes, #include lines). Bad trees
 * are one line FILE:LINE:COL (E_DTS_FILE), exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProbeError } from '../../src/errors';
import { parseDts } from '../../src/scenario-file/dts';
import { scenarioFromDts } from '../../src/scenario-file/from-dts';
import { parseScenarioText } from '../../src/scenario-file/parse';
import { cliIn, oneErrorLine, ROOT, tmpDir } from '../cli/helpers';

const SOC = path.join(ROOT, 'test', 'scenario-file', 'fixtures', 'soc.dts');
const text = fs.readFileSync(SOC, 'utf8');

const fromText = (t: string, opts: { bus?: 'platform' | 'pci'; maxDevices?: number } = {}) => scenarioFromDts(parseDts(t, 'soc.dts'), { file: 'soc.dts', ...opts });

test('the SoC tree: each enabled IOMMU a client references, each client, groups by stream IDs', () => {
  const r = fromText(text);
  const def = parseScenarioText(r.yaml, 'out.yaml');
  assert.equal(def.name, 'example-phone-soc-evb');
  assert.equal(def.bus, 'platform');
  // adreno_smmu is disabled in the SoC file and enabled by the board's &adreno_smmu overlay;
  // ufs_mem_hc likewise; its stream ID is a macro, kept as written.
  assert.deepEqual(def.iommus, [{ name: 'apps_smmu', driver: 'arm-smmu' }, { name: 'adreno_smmu', driver: 'arm-smmu' }]);
  assert.deepEqual(def.devices.map((d) => [d.name, d.iommu, d.group]), [['ufs_mem_hc', 'apps_smmu', 'G1'], ['crypto', 'apps_smmu', 'G2'], ['mdss', 'apps_smmu', 'G3'], ['gpu', 'adreno_smmu', 'G4']]);
  assert.match(r.yaml, /client crypto: \/soc@0\/crypto@1dfa000 -> apps_smmu \[0x100 0x0,0x101 0x0\]/);
  // The host bridge's two RID ranges come after the platform clients in tree order.
  assert.match(r.notes.join('\n'), /kept the first 4 of 6 clients/);
  assert.deepEqual(def.witnesses.map((w) => w.name), ['RegistrationFinished', 'AllClientsBoundWithIommu']);
});

test('an SMMUv3 beside an MMU-500 keeps both IOMMUs, each with its own driver; an ipmmu beside them is left out with a note', () => {
  const v3 = text.replace('"qcom,example-smmu-500", "qcom,adreno-smmu", "qcom,smmu-500", "arm,mmu-500"', '"arm,smmu-v3"');
  const def = parseScenarioText(fromText(v3).yaml, 'out.yaml');
  assert.deepEqual(def.iommus, [{ name: 'apps_smmu', driver: 'arm-smmu' }, { name: 'adreno_smmu', driver: 'smmu-v3' }]);
  assert.deepEqual(def.devices.map((d) => d.iommu), ['apps_smmu', 'apps_smmu', 'apps_smmu', 'adreno_smmu']);
  const ipmmu = fromText(text.replace('"qcom,example-smmu-500", "qcom,adreno-smmu", "qcom,smmu-500", "arm,mmu-500"', '"renesas,ipmmu-vmsa"'));
  assert.deepEqual(parseScenarioText(ipmmu.yaml, 'out.yaml').iommus.map((i) => i.driver), ['arm-smmu']);
  assert.match(ipmmu.notes.join('\n'), /left out 1 client\(s\) of IOMMUs not served by arm-smmu/);
});

test('platform and PCI clients in one scenario: a PCI client of the tree is bus: pci, firmware: of', () => {
  const r = fromText(text, { maxDevices: 6 });
  const def = parseScenarioText(r.yaml, 'out.yaml');
  assert.equal(def.bus, 'platform');
  assert.deepEqual(def.devices.map((d) => [d.name, d.bus ?? def.bus, d.firmware ?? 'of']), [
    ['ufs_mem_hc', 'platform', 'of'], ['crypto', 'platform', 'of'], ['mdss', 'platform', 'of'], ['gpu', 'platform', 'of'],
    ['pcie0_rid0', 'pci', 'of'], ['pcie0_rid100', 'pci', 'of'],
  ]);
  // Said on the PCI clients, whose bus alone would mean ACPI.
  assert.deepEqual(def.devices.filter((d) => d.bus === 'pci').map((d) => d.firmware), ['of', 'of']);
  assert.match(r.yaml, /# PCI clients are described by the tree too \(firmware: of\)/);
  assert.deepEqual(r.notes, []);
});

test('--bus pci: one client per iommu-map range, described by the tree; clients with the same stream IDs share a group', () => {
  const r = fromText(text, { bus: 'pci' });
  const def = parseScenarioText(r.yaml, 'out.yaml');
  assert.equal(def.bus, 'pci');
  assert.deepEqual(def.devices.map((d) => [d.name, d.iommu, d.bus, d.firmware]), [['pcie0_rid0', 'apps_smmu', undefined, 'of'], ['pcie0_rid100', 'apps_smmu', undefined, 'of']]);
  assert.match(r.notes.join('\n'), /left out 4 platform client\(s\) \(iommus\): --bus pci keeps one bus/);
  const shared = text.replace('<0x100 &apps_smmu 0x1401 0x1>', '<0x100 &apps_smmu 0x1400 0x1>');
  const d2 = parseScenarioText(fromText(shared, { bus: 'pci' }).yaml, 'out.yaml');
  assert.deepEqual(d2.devices.map((d) => d.group), ['G1', 'G1']);
});

test('--max-devices keeps the first clients in tree order, and drops the IOMMUs none of them uses', () => {
  const r = fromText(text, { maxDevices: 2 });
  const def = parseScenarioText(r.yaml, 'out.yaml');
  assert.deepEqual(def.devices.map((d) => d.name), ['ufs_mem_hc', 'crypto']);
  assert.deepEqual(def.iommus.map((i) => i.name), ['apps_smmu']);
  assert.match(r.notes.join('\n'), /kept the first 2 of 6 clients/);
});

function dtsError(t: string): string {
  try {
    fromText(t);
  } catch (e) {
    assert.ok(e instanceof ProbeError);
    assert.equal(e.code, 'E_DTS_FILE');
    assert.ok(!e.message.includes('\n'));
    return e.message;
  }
  assert.fail('accepted');
}

test('bad trees: one line with the position', () => {
  assert.match(dtsError(text.replace('"arm,mmu-500";\n\t\t\treg = <0 0x15000000', '"foo,iommu";\n\t\t\treg = <0 0x15000000').replace(/"qcom,example-smmu-500", "qcom,smmu-500", "foo,iommu"/, '"foo,iommu"')), /^soc\.dts:\d+:\d+: IOMMU \/soc@0\/iommu@15000000: compatible "foo,iommu" is no driver probecheck models \(known: arm,smmu-v3/);
  assert.match(dtsError(text.replace('<&adreno_smmu 0 0x400>', '<&nosuch_smmu 0 0x400>')), /^soc\.dts:\d+:\d+: \/soc@0\/gpu@3d00000: iommus names .*nosuch_smmu.*which is no node/);
  assert.match(dtsError(text.replace('#iommu-cells = <2>;\n\t\t\t#global', '#global')), /has no #iommu-cells/);
  assert.match(dtsError(text.replace('status = "okay";\n};\n\n&adreno', 'status = "okay";\n\n&adreno')), /^soc\.dts:\d+:\d+: /);
  assert.match(dtsError(text.replace('&ufs_mem_hc {', '&ufs_mem {')), /^soc\.dts:\d+:1: &ufs_mem: no node has that label/);
  assert.match(dtsError('/dts-v1/;\n/ { model = "x"; };\n'), /^soc\.dts: no node has an iommus or iommu-map property/);
  assert.match(dtsError('/dts-v1/;\n/ { a = "unterminated; };\n'), /^soc\.dts:2:9: a string runs past the end of its line/);
});

test('the CLI: from-dts --out, then check the scenario; a .dtb without dtc, and a bad tree, are one line, exit 2', () => {
  const dir = tmpDir('fromdts');
  const w = cliIn(dir, 'scenario', 'from-dts', SOC, '--out', 'board.yaml', '--max-devices', '2');
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /2 client\(s\)/);
  const c = cliIn(dir, 'check', '--kernel', 'v6.6', '--scenario-file', 'board.yaml', '--out', 'run', '--no-report', '--quiet');
  assert.ok(c.code === 0 || c.code === 1, c.stderr);
  const again = cliIn(dir, 'scenario', 'from-dts', SOC, '--out', 'board.yaml');
  assert.equal(again.code, 2);
  oneErrorLine(again, 'E_OUT_EXISTS');
  fs.writeFileSync(path.join(dir, 'board.dtb'), Buffer.from([0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0x28]));
  const dtb = cliIn(dir, 'scenario', 'from-dts', 'board.dtb');
  assert.equal(dtb.code, 2);
  const line = oneErrorLine(dtb, 'E_DTS_FILE');
  // Said clearly either way: dtc missing, or dtc refusing this (truncated) blob.
  assert.match(line, /board\.dtb: (a \.dtb; reading one needs dtc \(Debian package device-tree-compiler\), which is not installed|dtc could not read this \.dtb)/);
  fs.writeFileSync(path.join(dir, 'bad.dts'), '/dts-v1/;\n/ {\n\tfoo {\n');
  const bad = cliIn(dir, 'scenario', 'from-dts', 'bad.dts');
  assert.equal(bad.code, 2);
  assert.match(oneErrorLine(bad, 'E_DTS_FILE'), /bad\.dts:3:\d+: node \/foo is not closed/);
});
