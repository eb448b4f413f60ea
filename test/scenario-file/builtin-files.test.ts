/**
 * The built-in scenarios are the files in scenarios/ (src/model/scenarios.ts). Read at every
 * start with the cheap schema check (shape.ts), they are validated here with Ajv, as a user's
 * file is; the cheap check words a mistake as Ajv does; the order file lists every file once;
 * and a broken shipped file (a copy in a temp folder) is one line FILE:LINE:COL, never a stack
 * trace, and breaks only the commands that read it. That the files build the same models as
 * the TypeScript definitions they replaced is test/model's digest fixture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProbeError } from '../../src/errors';
import { buildKernelModel, DEFAULT_KERNEL, scenarioNames, scenarios } from '../../src/model';
import { BUILTIN_SCENARIOS, ORDER_FILE, scenarioFolder } from '../../src/model/scenarios';
import { parseScenarioText, readScenarioFile } from '../../src/scenario-file/parse';
import { ROOT, tmpDir } from '../cli/helpers';
import { modelDigest } from '../helpers/model-digest';

const DIR = path.join(ROOT, 'scenarios');
const yamlFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
/** A def without its witness closures, for comparison. */
const plain = (d: unknown) => JSON.parse(JSON.stringify(d)) as unknown;

function copyOfScenarios(tag: string): string {
  const dir = tmpDir(tag);
  for (const f of fs.readdirSync(DIR)) fs.copyFileSync(path.join(DIR, f), path.join(dir, f));
  return dir;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ProbeError, String(e));
    assert.equal(e.code, 'E_SCENARIO_FILE');
    assert.ok(!e.message.includes('\n'), e.message);
    return e.message;
  }
  return assert.fail('accepted');
}

test('the order file lists every scenarios/*.yaml once; the twelve built-ins, named after their files', () => {
  assert.deepEqual([...scenarioNames()].sort(), yamlFiles(DIR).sort());
  assert.equal(scenarioNames().length, 12);
  assert.deepEqual(scenarios().map((s) => s.name), scenarioNames());
  assert.deepEqual(scenarios().filter((s) => s.defaultScenario).map((s) => s.name), ['probe-vs-register', 'probe-vs-register-two-smmu', 'dma-owner-before-group', 'multi-dmar-register']);
});

for (const name of yamlFiles(DIR)) {
  test(`scenarios/${name}.yaml passes the published schema (Ajv) and reads the same through the cheap check`, () => {
    const full = readScenarioFile(path.join(DIR, `${name}.yaml`));
    const cheap = BUILTIN_SCENARIOS.get(name);
    assert.deepEqual(plain(full.def), plain(cheap));
    assert.deepEqual(full.def.witnesses.map((w) => w.name), cheap.witnesses.map((w) => w.name));
    assert.equal(modelDigest(buildKernelModel({ kernel: DEFAULT_KERNEL, scenario: full.def })), modelDigest(buildKernelModel({ kernel: DEFAULT_KERNEL, scenario: name })));
  });
}

test('the cheap check words each schema mistake as Ajv does', () => {
  const base = fs.readFileSync(path.join(DIR, 'dma-owner-before-group.yaml'), 'utf8');
  const edits: [string, string][] = [
    ['bus: pci', 'bus: pcie'],
    ['bus: pci', 'bus: [pci]'],
    ['bus: pci', 'buss: pci'],
    ['name: dma-owner-before-group', 'name: Dma Owner'],
    ['name: dma-owner-before-group', 'name: 7'],
    ['defaultScenario: true', 'defaultScenario: yes please'],
    ['    driver: K', '    driver: X'],
    ['    start: probe\n    unbind: true', '    start: probe\n    unbind: true\n    unbnd: true'],
    ['  - {name: I1, driver: smmu-v3}', '  - {name: I1}'],
    ['  - {name: I1, driver: smmu-v3}', '  - {name: I1, driver: smmu-v3}\n  - {name: I2, driver: smmu-v3}\n  - {name: I3, driver: smmu-v3}\n  - {name: I4, driver: smmu-v3}\n  - {name: I5, driver: smmu-v3}'],
    ['invariants: all', 'invariants: some'],
    ['invariants: all', 'invariants: [NoDeadlock, NoDedlock]'],
    ['invariants: all', 'invariants: [NoDeadlock, NoDeadlock]'],
    ['invariants: all', 'faults: [f_ctx_exhausted, f_ctx_exhausted]\ninvariants: all'],
    ['invariants: all', 'faults: [f_nope]\ninvariants: all'],
    ['vfio:', 'vfio: 3\nvfio_was:'],
    ['  - name: UserOwned', '  - nam: UserOwned'],
    ['  - name: UserOwned', '  - name: UserOwned\n    doc: 5'],
  ];
  for (const [from, to] of edits) {
    assert.ok(base.includes(from), from);
    const text = base.replace(from, to);
    const ajv = errorOf(() => parseScenarioText(text, 'x.yaml'));
    const dir = tmpDir('cheap');
    fs.writeFileSync(path.join(dir, 'x.yaml'), text);
    fs.writeFileSync(path.join(dir, ORDER_FILE), 'x\n');
    assert.equal(errorOf(() => scenarioFolder(dir).get('x')), ajv.replace('x.yaml', path.join(dir, 'x.yaml')), to);
  }
});

test('a broken built-in file is one line FILE:LINE:COL when its scenario is read, and only then', () => {
  const dir = copyOfScenarios('broken-builtin');
  const file = path.join(dir, 'double-probe.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('    start: hotplug', '    start: hotplugged'));
  const folder = scenarioFolder(dir);
  // Read lazily: another scenario, and the names, still come.
  assert.equal(folder.get('probe-vs-register').name, 'probe-vs-register');
  assert.equal(folder.names().length, 12);
  assert.match(errorOf(() => folder.get('double-probe')), /^\/.*\/double-probe\.yaml:\d+:12: devices\[0\]\.start: unknown value "hotplugged" \(closest: hotplug/);
  assert.match(errorOf(() => folder.all()), /double-probe\.yaml:\d+:\d+: /);
  fs.writeFileSync(file, 'name: double-probe\nbus: [platform\n');
  assert.match(errorOf(() => scenarioFolder(dir).get('double-probe')), /double-probe\.yaml:3:1: /);
  fs.writeFileSync(file, fs.readFileSync(path.join(DIR, 'double-probe.yaml'), 'utf8').replace('name: double-probe', 'name: double-probes'));
  assert.match(errorOf(() => scenarioFolder(dir).get('double-probe')), /double-probe\.yaml:3:7: name 'double-probes' differs from the file's name \(double-probe\.yaml\)/);
});

test('the order file and the folder agree: a file not listed, a name without its file, a name listed twice', () => {
  const dir = copyOfScenarios('order');
  const order = path.join(dir, ORDER_FILE);
  const text = fs.readFileSync(order, 'utf8');
  fs.writeFileSync(order, text.replace('double-probe\n', ''));
  assert.match(errorOf(() => scenarioFolder(dir).names()), /\/double-probe\.yaml:1:1: not listed in .*builtin-order\.txt/);
  fs.writeFileSync(order, `${text}my-board\n`);
  assert.match(errorOf(() => scenarioFolder(dir).names()), new RegExp(`builtin-order\\.txt:${text.split('\n').length}:1: no file my-board\\.yaml in `));
  fs.writeFileSync(order, `${text}double-probe\n`);
  assert.match(errorOf(() => scenarioFolder(dir).get('double-probe')), /builtin-order\.txt:\d+:1: 'double-probe' is listed twice/);
  fs.writeFileSync(order, text);
  assert.match(errorOf(() => scenarioFolder(path.join(dir, 'nowhere')).names()), /nowhere\/builtin-order\.txt: the built-in scenarios cannot be read \(ENOENT\)/);
});

test('the CLI on a package whose shipped file is broken: one line, exit 2; other scenarios still check', () => {
  // A copy of what the package ships (bin/, dist/src/, the data folders) with one file broken.
  const pkg = tmpDir('broken-package');
  for (const d of ['bin', 'scenarios', 'schema']) fs.cpSync(path.join(ROOT, d), path.join(pkg, d), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist', 'src'), path.join(pkg, 'dist', 'src'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  const file = path.join(pkg, 'scenarios', 'msm-private-domain.yaml');
  const broken = fs.readFileSync(file, 'utf8').replace('bus: platform', 'bus: platform\nbus: amba');
  fs.writeFileSync(file, broken);
  const line = broken.split('\n').indexOf('bus: amba') + 1;
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(pkg, 'bin', 'probecheck.js'), ...args], { cwd: pkg, encoding: 'utf8', timeout: 120_000 });
  const list = run('list', 'scenarios');
  assert.equal(list.status, 2);
  assert.equal(list.stderr, `probecheck: E_SCENARIO_FILE: scenarios/msm-private-domain.yaml:${line}:1: Map keys must be unique\n`);
  const other = run('check', '--kernel', 'v6.6', '--scenario', 'probe-vs-register', '--quiet', '--no-report', '--out', 'run');
  assert.equal(other.status, 1, other.stderr);
  const unknown = run('check', '--scenario', 'probe-vs-registr');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^probecheck: E_UNKNOWN_SCENARIO: unknown scenario 'probe-vs-registr'; closest: probe-vs-register/);
});
