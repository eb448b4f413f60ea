/** probecheck check: verdicts, exit codes, the JSON summary and the results folder. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tmpDir } from './helpers';

test('check on counters(3,3) passes: exit 0, one JSON document with the summary fields', () => {
  const out = path.join(tmpDir('counters'), 'run');
  const r = cli('check', '--model', 'counters', '--set', 'n=3', '--set', 'm=3', '--workers', '1', '--json', '--out', out, '--no-reduce');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'pass');
  assert.equal(doc.model, 'counters');
  assert.deepEqual(doc.params, { n: 3, m: 3 });
  assert.deepEqual(doc.states, { distinct: 64, generated: doc.states.generated });
  assert.equal(doc.stopReason, 'complete');
  assert.deepEqual(doc.violations, []);
  for (const k of ['workers', 'seconds', 'depth', 'witnesses', 'checked', 'notSelected', 'unreachedSteps', 'collisionProbability', 'bytesPerState', 'out']) {
    assert.ok(k in doc, `summary has ${k}`);
  }
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).states, doc.states);
  assert.match(r.stderr, /verdict: PASS; search complete/);
});

test('check on counters without --json prints the end-of-run report on stdout', () => {
  const r = cli('check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '2', '--out', path.join(tmpDir('report'), 'run'), '--no-reduce');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /verdict: PASS; search complete/);
  assert.match(r.stdout, /9 distinct/);
  assert.match(r.stdout, /fingerprint collision probability/);
  assert.match(r.stdout, /steps never enabled/);
});

test('check reduces by default with the exact reductions (dead-vars; symmetry where the model declares it); --reduce picks; --no-reduce; --reduce foo is refused with one line, exit 2', () => {
  const run = (...extra: string[]) => cli('check', '--model', 'counters', '--set', 'n=3', '--set', 'm=3', '--workers', '1', '--json', '--quiet', '--out', path.join(tmpDir('reduce'), 'run'), ...extra);
  const byDefault = JSON.parse(run().stdout), por = JSON.parse(run('--reduce', 'por').stdout), both = JSON.parse(run('--reduce', 'por,symmetry').stdout);
  const none = JSON.parse(run('--no-reduce').stdout), dead = JSON.parse(run('--reduce', 'dead-vars').stdout);
  // Only deadlocks are checked and no counter ever blocks: one counter's cycle is enough.
  assert.equal(none.states.distinct, 64);
  assert.equal(none.reduction, null);
  // The counters cycle for ever: no value is ever dead, nothing merges; what ran is said.
  assert.equal(dead.states.distinct, 64);
  assert.deepEqual([dead.reduction.deadVars, dead.reduction.symmetry, dead.reduction.por], [true, false, false]);
  for (const doc of [none, dead, byDefault]) assert.ok(Array.isArray(doc.unreachedSteps));
  assert.deepEqual([byDefault.reduction.deadVars, byDefault.reduction.symmetry, byDefault.reduction.por], [true, true, false]);
  assert.equal(byDefault.states.distinct, 20, 'one state per multiset of three values 0..3');
  for (const doc of [both, por]) {
    assert.equal(doc.verdict, 'pass');
    assert.ok(doc.states.distinct < 64, `reduced to ${doc.states.distinct}`);
    assert.equal(doc.reduction.por, true);
    assert.equal(doc.reduction.deadVars, false, 'only what --reduce names');
    assert.equal(doc.unreachedSteps, null, 'not reported under partial-order reduction');
  }
  assert.equal(both.reduction.symmetryRequested, true);
  assert.equal(por.reduction.symmetryRequested, false);
  const sym = JSON.parse(run('--reduce', 'symmetry').stdout);
  assert.equal(sym.states.distinct, 20, 'one state per multiset of three values 0..3');
  assert.equal(sym.reduction.symmetry, true);
  assert.equal(sym.reduction.symmetryEntity, 'counter');
  const bad = run('--reduce', 'por,foo');
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /E_BAD_VALUE: --reduce takes a comma-separated list of por, symmetry, dead-vars, got 'foo'/);
  // A depth bound would cut off violations the reduced graph reaches only by longer paths.
  const bounded = run('--reduce', 'por', '--max-depth', '3');
  assert.equal(bounded.code, 2);
  assert.equal(bounded.stderr.trim().split('\n').length, 1);
  assert.match(bounded.stderr, /E_USAGE: --max-depth cannot bound a search with partial-order reduction/);
  assert.equal(run('--reduce', 'dead-vars,symmetry', '--max-depth', '3').code, 3, 'the exact reductions keep depths');
});

test('a board whose clients are alike but declares no symmetry: the report says what to declare', () => {
  const dir = tmpDir('alike');
  const file = path.join(dir, 'alike.yaml');
  fs.writeFileSync(file, 'name: alike\nbus: platform\niommus: [{name: I, driver: arm-smmu, atBoot: true}]\ngroups: [G1, G2]\ndevices:\n' +
    '  - {name: D1, iommu: I, group: G1, driver: K, start: probe}\n  - {name: D2, iommu: I, group: G2, driver: K, start: probe}\n');
  const r = cli('check', '--kernel', 'v6.18.y', '--scenario-file', file, '--out', path.join(dir, 'run'), '--workers', '1', '--no-report');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}the slots of dev \(each with its own group\) are interchangeable: declare symmetry: \[dev, group\] to store one state per permutation$/m);
  // The built-in scenarios have an IOMMU that registers: its walk orders the devices, no hint.
  const walk = cli('check', '--kernel', 'v6.18.y', '--scenario', 'double-probe', '--out', path.join(dir, 'walk'), '--workers', '1', '--no-report');
  assert.doesNotMatch(walk.stdout, /interchangeable/);
});

test('check v6.6 probe-vs-register finds the seed-001 race: exit 1, results folder, a mail trace that fits 100 ASCII columns', () => {
  const out = path.join(tmpDir('pvr'), 'run');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--out', out, '--workers', '1');
  assert.equal(r.code, 1, r.stderr);
  assert.ok(fs.existsSync(path.join(out, 'summary.json')));
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.verdict, 'violation');
  assert.ok(summary.violations.length >= 1);
  const txts = fs.readdirSync(out).filter((f) => f.endsWith('.txt'));
  assert.equal(txts.length, summary.violations.length);
  for (const v of summary.violations) {
    for (const ext of ['.json', '.itf.json', '.txt']) assert.ok(fs.existsSync(path.join(out, v.trace.replace(/\.json$/, ext))), `${v.trace} ${ext}`);
  }
  const mail = fs.readFileSync(path.join(out, txts[0]), 'utf8');
  assert.match(mail, /of_iommu_configure/);
  assert.match(mail, /bus_iommu_probe|probe_iommu_group/);
  assert.match(mail, /arch_setup_dma_ops/);
  for (const line of mail.split('\n')) {
    assert.ok(line.length <= 100, `line longer than 100: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII line: ${line}`);
  }
  // the report ends each violation with the command that reproduces it
  assert.match(r.stdout, /Reproduce with:\n {2}probecheck replay[\s\\]*\S*violation-\w+\.json/);
  assert.match(r.stdout, /violation-\w+\.json[\s\\]*--kernel[\s\\]*v6\.6\.5[\s\\]*--scenario[\s\\]*probe-vs-register/);
});

test('check --json with several scenarios prints one document with one run per scenario', () => {
  const out = path.join(tmpDir('multi'), 'run');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--scenario', 'multi-dmar-register', '--out', out, '--workers', '1', '--json', '--quiet');
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.runs.map((x: { scenario: string }) => x.scenario), ['probe-vs-register-two-smmu', 'multi-dmar-register']);
  assert.ok(['violation', 'witness-failure', 'pass'].includes(doc.verdict));
  assert.equal(r.code, doc.verdict === 'pass' ? 0 : 1);
  assert.ok(fs.existsSync(path.join(out, 'probe-vs-register-two-smmu', 'summary.json')));
  assert.ok(fs.existsSync(path.join(out, 'multi-dmar-register', 'summary.json')));
  assert.equal(r.stderr, '');
});

test('--max-states stops the search: verdict incomplete, exit 3', () => {
  const r = cli('check', '--model', 'counters', '--set', 'n=3', '--set', 'm=3', '--max-states', '10', '--workers', '1', '--no-reduce', '--json', '--out', path.join(tmpDir('limit'), 'run'));
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'incomplete');
  assert.equal(doc.stopReason, 'max-states');
});

test('--max-memory stops the search once the tables and parent links pass the budget: incomplete, exit 3', () => {
  const r = cli('check', '--model', 'counters', '--set', 'n=6', '--set', 'm=11', '--max-memory', '1', '--workers', '1', '--no-reduce', '--json', '--out', path.join(tmpDir('memory'), 'run'));
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'incomplete');
  assert.equal(doc.stopReason, 'max-memory');
  assert.ok(doc.states.distinct < 2985984);
});

test('a results folder that holds a run is refused without --force and replaced with it', () => {
  const out = path.join(tmpDir('force'), 'run');
  const args = ['check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1', '--out', out];
  assert.equal(cli(...args).code, 0);
  const again = cli(...args);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^probecheck: E_OUT_EXISTS: .*--force/);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  const forced = cli(...args, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /replaced 2 files/, 'summary.json and report.html');
});
