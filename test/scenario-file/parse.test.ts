/**
 * Scenario files: every problem is one line `FILE:LINE:COL: what (closest names)` with
 * E_SCENARIO_FILE (exit 2 from the CLI); a good file is checked like a built-in scenario and its
 * traces replay from the file (refused when the file changed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseScenarioText } from '../../src/scenario-file/parse';
import { errorOf } from './helpers';
import { INVARIANTS } from '../../src/model';
import { schemaJson } from '../../src/scenario-file/schema';
import { cliIn, oneErrorLine, tmpDir } from '../cli/helpers';

const BASE = `name: b
bus: platform
iommus: [{name: I, driver: arm-smmu}]
groups: [G]
devices:
  - {name: D, iommu: I, group: G, driver: K, start: probe}
`;

test('an arm-smmu and an smmu-v3 instance share a scenario, each device keeping its own instance\'s driver', () => {
  const d = parseScenarioText(BASE.replace('[{name: I, driver: arm-smmu}]', '[{name: I, driver: arm-smmu}, {name: J, driver: smmu-v3}]')
    + '  - {name: E, iommu: J, group: G, driver: K, start: probe}\n', 'board.yaml');
  assert.deepEqual(d.iommus.map((i) => i.driver), ['arm-smmu', 'smmu-v3']);
  assert.deepEqual(d.devices.map((x) => x.iommu), ['I', 'J']);
});

test('a minimal file parses with the defaults (all invariants, no faults, no witnesses)', () => {
  const d = parseScenarioText(BASE, 'board.yaml');
  assert.equal(d.name, 'b');
  assert.deepEqual(d.invariants, INVARIANTS.map((i) => i.name));
  assert.deepEqual(d.faults, []);
  assert.equal(d.defaultScenario, false);
});

const CASES: [string, string, RegExp][] = [
  ['a misspelt driver', BASE.replace('arm-smmu', 'arm-smu'), /^board\.yaml:3:28: iommus\[0\]\.driver: unknown value "arm-smu" \(closest: arm-smmu/],
  ['a misspelt key', BASE.replace('driver: K', 'drivr: K'), /^board\.yaml:6:35: devices\[0\]: unknown key 'drivr' \(closest: driver/],
  ['an unknown start', BASE.replace('start: probe', 'start: probed'), /^board\.yaml:6:53: .*unknown value "probed" \(closest: probe/],
  ['a device of an IOMMU not listed', BASE.replace('iommu: I,', 'iommu: J,'), /^board\.yaml:6:22: no IOMMU 'J' in iommus \(valid: I\)/],
  ['a group not listed', BASE.replace('group: G,', 'group: H,'), /^board\.yaml:6:32: no group 'H' in groups \(valid: G\)/],
  ['a device given twice', BASE + '  - {name: D, iommu: I, group: G, driver: K, start: none}\n', /^board\.yaml:7:12: devices: 'D' is given twice/],
  ['an unknown invariant', BASE + 'invariants: [NoDedlock]\n', /^board\.yaml:7:14: invariants\[0\]: unknown value "NoDedlock" \(closest: NoDeadlock/],
  ['an unknown fault', BASE + 'faults: [f_ctx_exhaust]\n', /^board\.yaml:7:10: faults\[0\]: unknown value "f_ctx_exhaust" \(valid: f_ctx_exhausted/],
  ['an Intel DMAR unit beside an SMMU', BASE.replace('[{name: I, driver: arm-smmu}]', '[{name: I, driver: arm-smmu}, {name: J, driver: intel}]'), /^board\.yaml:3:57: intel DMAR units register from one boot thread over PCI\/ACPI and cannot share a scenario with arm-smmu; got arm-smmu, intel$/],
  ['an ipmmu beside an SMMU', BASE.replace('[{name: I, driver: arm-smmu}]', '[{name: I, driver: smmu-v3}, {name: J, driver: ipmmu}]'), /^board\.yaml:3:56: ipmmu cannot share a scenario with another IOMMU driver \(mixed drivers are modelled for arm-smmu \+ smmu-v3 only\); got smmu-v3, ipmmu$/],
  ['intel without a boot thread', BASE.replace('arm-smmu', 'intel'), /^board\.yaml:3:28: .*intel DMAR units register from one boot thread/],
  ['vfio after a non-vfio device', BASE + 'vfio: {group: G, afterBound: D}\n', /^board\.yaml:7:30: device 'D' must be bound to vfio/],
  ['an unknown witness condition', BASE + 'witnesses:\n  - name: W\n    when: {bond: D}\n', /^board\.yaml:9:12: witnesses\[0\]\.when\.bond: unknown condition 'bond' \(closest: bound/],
  ['a witness naming no device', BASE + 'witnesses:\n  - name: W\n    when: {all: [{bound: X}]}\n', /^board\.yaml:9:26: .*no device 'X' \(valid: D\)/],
  ['an unknown code form', BASE + 'witnesses:\n  - name: W\n    when: {form: {probe: droping}}\n', /^board\.yaml:9:26: .*unknown form "droping" \(closest: dropping/],
  ['code in a tag is data, and not a condition', BASE + 'witnesses:\n  - name: W\n    when: !!js/function "function () { process.exit(9) }"\n', /^board\.yaml:9:25: .*a condition is true, false or a map/],
  ['not YAML', 'name: [b\n', /^board\.yaml:2:1: /],
  ['not a map', '- a\n', /^board\.yaml:1:1: a scenario file is a map/],
  ['a key given twice', BASE + 'name: c\n', /^board\.yaml:7:1: Map keys must be unique/],
  ['a cyclic alias', 'x: &a [*a]\n', /^board\.yaml:1:8: an alias inside the node it refers to/],
  ['an alias bomb', 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /^board\.yaml:1:1: .*alias/i],
];
for (const [what, text, want] of CASES) {
  test(`refused with one line: ${what}`, () => assert.match(errorOf(text), want));
}

test('the published schema lists exactly the model\'s invariants, drivers and faults', () => {
  const s = schemaJson() as { properties: Record<string, { oneOf?: { items?: { enum: string[] } }[]; items?: { enum: string[] } }>; $defs: Record<string, { properties: Record<string, { enum?: string[] }> }> };
  assert.deepEqual([...s.properties.invariants.oneOf![1].items!.enum].sort(), INVARIANTS.map((i) => i.name).sort());
  assert.deepEqual([...s.$defs.iommu.properties.driver.enum!].sort(), ['arm-smmu', 'intel', 'ipmmu', 'smmu-v3']);
  // Every fault a built-in scenario uses is in the schema.
  const { BUILTIN_SCENARIOS } = require('../../src/model/scenarios') as typeof import('../../src/model/scenarios');
  for (const f of BUILTIN_SCENARIOS.all().flatMap((x) => x.faults)) assert.ok(s.properties.faults.items!.enum.includes(f), f);
});

test('check --scenario-file: a file scenario is checked, its trace replays from the file, a changed file is refused', () => {
  const dir = tmpDir('scenfile');
  fs.writeFileSync(path.join(dir, 'board.yaml'), `${BASE.replace('start: probe}', 'start: probe, unbind: true}')}witnesses:\n  - name: ClientBoundWithIommu\n    when: {all: [{bound: D}, {mode: {dev: D, is: iommu}}]}\n`);
  const r = cliIn(dir, 'check', '--kernel', 'v6.6', '--scenario-file', 'board.yaml', '--out', 'out', '--no-report');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /scenario b, patches: none/);
  assert.match(r.stdout, /--scenario-file \S*board\.yaml/);
  const trace = fs.readdirSync(path.join(dir, 'out')).find((f) => f.startsWith('violation-'))!;
  const rep = cliIn(dir, 'replay', path.join('out', trace));
  assert.equal(rep.code, 0, rep.stderr);
  fs.appendFileSync(path.join(dir, 'board.yaml'), '# edited\n');
  const changed = cliIn(dir, 'replay', path.join('out', trace));
  assert.equal(changed.code, 2);
  assert.match(oneErrorLine(changed, 'E_TRACE_FILE'), /scenario file .*board\.yaml changed since the trace was written/);
});

test('check --scenario-file: a bad file is one line, exit 2; a witness on a step the kernel lacks points at the witness', () => {
  const dir = tmpDir('scenfile-bad');
  fs.writeFileSync(path.join(dir, 'bad.yaml'), BASE.replace('arm-smmu', 'arm-smu'));
  const r = cliIn(dir, 'check', '--scenario-file', 'bad.yaml', '--out', 'out');
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_SCENARIO_FILE'), /bad\.yaml:3:28: /);
  fs.writeFileSync(path.join(dir, 'w.yaml'), `${BASE}witnesses:\n  - name: W\n    when: {at: {actor: C, dev: D, step: no_such_step}}\n`);
  const w = cliIn(dir, 'check', '--kernel', 'v6.6', '--scenario-file', 'w.yaml', '--out', 'out2');
  assert.equal(w.code, 2);
  assert.match(oneErrorLine(w, 'E_SCENARIO_FILE'), /w\.yaml:9:11: witness W on kernel v6\.6: actor 'C' has no label 'no_such_step' \(closest: /);
  const missing = cliIn(dir, 'check', '--scenario-file', 'nope.yaml');
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing, 'E_SCENARIO_FILE'), /nope\.yaml: no such file/);
  const clash = cliIn(dir, 'check', '--model', 'counters', '--scenario-file', 'w.yaml');
  assert.equal(clash.code, 2);
  oneErrorLine(clash, 'E_USAGE');
});

test('matrix --scenario-file: the file is one more column, named by the scenario inside it', () => {
  const dir = tmpDir('scenfile-matrix');
  fs.writeFileSync(path.join(dir, 'board.yaml'), BASE.replace('name: b', 'name: my-board'));
  const r = cliIn(dir, 'matrix', '--kernel', 'v6.6', '--scenario', 'probe-vs-register', '--scenario-file', 'board.yaml', '--no-cache', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { runs: { scenario: string; verdict: string }[] };
  assert.deepEqual(doc.runs.map((x) => x.scenario), ['probe-vs-register', 'my-board']);
  const twice = cliIn(dir, 'matrix', '--kernel', 'v6.6', '--scenario-file', 'board.yaml', '--scenario-file', 'board.yaml');
  assert.equal(twice.code, 2);
  oneErrorLine(twice, 'E_USAGE');
});
