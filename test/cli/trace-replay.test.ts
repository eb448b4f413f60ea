/** probecheck trace and replay: the formats of a counterexample, and replays that succeed,
 *  diverge, or do not fit the model. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, oneErrorLine, tmpDir } from './helpers';

let dir = '';
let trace = '';
let itf = '';

before(() => {
  dir = path.join(tmpDir('trace'), 'run');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--out', dir, '--workers', '1', '--quiet');
  assert.equal(r.code, 1, r.stderr);
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  trace = path.join(dir, s.violations[0].trace);
  itf = trace.replace(/\.json$/, '.itf.json');
});

test('trace defaults to the mail format: a column per actor, the invariant, its predicate and values', () => {
  const r = cli('trace', trace);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^C\[D\] +\| R\[I2\]$/m);
  assert.match(r.stdout, /Predicate:/);
  assert.match(r.stdout, /Values in the last state:/);
  assert.equal(r.stdout, fs.readFileSync(trace.replace(/\.json$/, '.txt'), 'utf8'));
  for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100);
});

test('trace --format text has one line per step with the changed fields', () => {
  const r = cli('trace', trace, '--format', 'text');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^ {2}1 C\[D\] c_lock\.attach really_probe\(\)/m);
  assert.match(r.stdout, /dev\.iommu_group\[D\]=G/);
});

test('trace --format json is the trace file; --format itf is an ITF trace of the same steps', () => {
  const j = cli('trace', trace, '--format', 'json');
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.format, 'probecheck-trace');
  assert.equal(doc.steps.length, doc.length);
  const step = doc.steps[0];
  for (const k of ['index', 'actor', 'label', 'action', 'actionId', 'function', 'file', 'reads', 'writes', 'changes', 'state']) assert.ok(k in step, k);
  const i = cli('trace', trace, '--format', 'itf');
  assert.equal(i.code, 0, i.stderr);
  const it = JSON.parse(i.stdout);
  assert.equal(it.states.length, doc.length + 1);
  assert.equal(it.states[1]['#meta'].action, doc.steps[0].action);
});

test('a trace replays on its model: exit 0, and the invariant is violated at its end', () => {
  const r = cli('replay', trace, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /replays: all 28 steps enabled/);
  assert.match(r.stdout, /is VIOLATED/);
  const i = cli('replay', itf, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu');
  assert.equal(i.code, 0, i.stderr);
});

test('a tampered trace diverges: exit 1, the step, and the enabled steps there', () => {
  const doc = JSON.parse(fs.readFileSync(trace, 'utf8'));
  [doc.steps[2], doc.steps[5]] = [doc.steps[5], doc.steps[2]];
  const bad = path.join(path.dirname(dir), 'tampered.json');
  fs.writeFileSync(bad, JSON.stringify(doc));
  const r = cli('replay', bad, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu');
  assert.equal(r.code, 1, r.stderr);
  // step 3 is now o_xlate, which is not enabled: c_set_driver has not run
  assert.match(r.stdout, /DIVERGES at step 3 of 28 \(C\[D\]:o_xlate\.ok\): step 3 C\[D\]:o_xlate\.ok is not enabled/);
  assert.match(r.stdout, /enabled there: C\[D\]:c_set_driver, R\[I2\]:r_publish/);
  assert.match(r.stdout, /the first 2 steps replayed/);
});

test('an ITF trace with a state no step reaches diverges there: exit 1', () => {
  const doc = JSON.parse(fs.readFileSync(itf, 'utf8'));
  const st = doc.states[10];
  const key = Object.keys(st).find((k) => typeof st[k] === 'boolean');
  assert.ok(key);
  st[key] = !st[key];
  const bad = path.join(path.dirname(dir), 'tampered.itf.json');
  fs.writeFileSync(bad, JSON.stringify(doc));
  const r = cli('replay', bad, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--json');
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.replays, false);
  assert.ok(out.divergence.step <= 9, `diverges by state 10, got ${out.divergence.step}`);
});

test('an ITF trace of another model fails naming the variable and the state', () => {
  const r = cli('replay', itf, '--model', 'counters', '--set', 'n=2', '--set', 'm=2');
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_TRACE_FILE'), /state 0: variable \S+/);
});

test('a counterexample recorded with --invariant replays on its own model, and by step name on another kernel', () => {
  const out = path.join(tmpDir('replay-inv'), 'run');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--invariant', 'BoundImpliesCorrectDmaOps', '--out', out, '--workers', '1', '--quiet');
  assert.equal(r.code, 1, r.stderr);
  const file = path.join(out, 'violation-BoundImpliesCorrectDmaOps.json');
  const same = cli('replay', file);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /each leads to the recorded state/);
  assert.match(same.stdout, /BoundImpliesCorrectDmaOps is VIOLATED/);
  // v6.6's shortest counterexample is not a path of v6.15: the walk and the client serialise differently there.
  const other = cli('replay', file, '--kernel', 'v6.15', '--scenario', 'probe-vs-register-two-smmu');
  assert.equal(other.code, 1, other.stderr);
  assert.match(other.stdout, /DIVERGES at step \d+ of 31 \(C\[D\]:/);
});

test('trace --format repro: a recipe for a real kernel, one hold per switch between threads', () => {
  const r = cli('trace', trace, '--format', 'repro');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Reproducer for NoUnattachedDma \(28 steps; kernel v6\.6\.5, scenario probe-vs-register-two-smmu\):$/m);
  assert.match(r.stdout, /^1\. C\[D\]: bind D's driver .*driver_async_probe=/m);
  // The client is held after the replay is decided until the walk has grouped D.
  const flat = r.stdout.replace(/\s+/g, ' ');
  assert.match(flat, /Hold it in of_iommu_configure\(\) after o_replay\.replay until R\[I2\] has done r_unlock\.ok/);
  assert.match(flat, /Then NoUnattachedDma is violated\. What you would see: IOMMU faults/);
  for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100, line);
});
