/**
 * Items 10 and 11: every trace probecheck writes replays from any working folder, and a corrupt
 * or hand-edited trace gets one line naming what is wrong. Before: the ITF trace of
 * `check --invariant I` was rejected by replay (it needed the model on the command line, and
 * the whole model has fields the trace lacks); a trace made with `--patch ./relative.ts` did
 * not replay from another folder; a hand-edited trace crashed or replayed partly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliIn, oneErrorLine, tmp } from './helpers';

const VIOL = ['--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--quiet'];

test('the ITF trace of check --invariant I replays with no options from another folder', () => {
  const dir = tmp('itf');
  assert.equal(cliIn(dir, 'check', ...VIOL, '--invariant', 'NoUnattachedDma', '--out', 'run').code, 1);
  const elsewhere = tmp('itf-elsewhere');
  const r = cliIn(elsewhere, 'replay', path.join(dir, 'run', 'violation-NoUnattachedDma.itf.json'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /replays: all 28 steps enabled, each leads to the recorded state/);
  assert.match(r.stdout, /at the end, NoUnattachedDma is VIOLATED/);
});

test('a trace made with --patch ./relative.ts replays from another folder; a changed patch is refused', () => {
  const dir = tmp('relpatch');
  fs.writeFileSync(path.join(dir, 'note.ts'), `import { definePatch } from 'probecheck';\nexport default definePatch({ id: 'note', title: 'an assumption only', edit(m) { m.assume('nothing changes'); } });\n`);
  assert.equal(cliIn(dir, 'check', ...VIOL, '--patch', './note.ts', '--out', 'run').code, 1);
  const trace = path.join(dir, 'run', 'violation-NoUnattachedDma.json');
  const recorded = JSON.parse(fs.readFileSync(trace, 'utf8'));
  assert.deepEqual(recorded.source.patches, [path.join(dir, 'note.ts')], 'recorded by absolute path');
  assert.match(recorded.source.patchDigests[path.join(dir, 'note.ts')], /^[0-9a-f]{64}$/);
  assert.match(recorded.replay, new RegExp(`--patch ${path.join(dir, 'note.ts').replace(/[.]/g, '\\.')}`));
  const elsewhere = tmp('relpatch-elsewhere');
  for (const file of [trace, trace.replace(/\.json$/, '.itf.json')]) {
    const r = cliIn(elsewhere, 'replay', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /NoUnattachedDma is VIOLATED/);
  }
  fs.appendFileSync(path.join(dir, 'note.ts'), '// edited\n');
  const r = cliIn(elsewhere, 'replay', trace);
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_TRACE_FILE'), /note\.ts changed since the trace was written/);
});

test('a corrupt or hand-edited trace: one line naming the field and the state', () => {
  const dir = tmp('corrupt');
  assert.equal(cliIn(dir, 'check', ...VIOL, '--out', 'run').code, 1);
  const file = path.join(dir, 'run', 'violation-NoUnattachedDma.json');
  const good = JSON.parse(fs.readFileSync(file, 'utf8'));
  const cases: [string, (t: any) => unknown, RegExp][] = [
    ['no-field', (t) => { delete t.steps[2].state['dev.iommu[D1]']; delete t.steps[2].state[Object.keys(t.steps[2].state)[0]]; }, /step 3's state has no field "/],
    ['extra-field', (t) => { t.initial.bogus = 1; }, /the initial state has a field "bogus" that the model does not have/],
    ['action', (t) => { t.steps[4].action = 7; }, /step 5: "action" is missing or not a string/],
    ['length', (t) => { t.steps.pop(); }, /"length" is 28 but there are 27 steps/],
    ['source', (t) => { t.source.patches = 'x'; }, /"source"\.patches is not a list of strings/],
    ['initial', (t) => { delete t.initial; }, /"initial" \(the initial state\) is missing/],
  ];
  for (const [name, edit, want] of cases) {
    const t = structuredClone(good);
    edit(t);
    const f = path.join(dir, `${name}.json`);
    fs.writeFileSync(f, JSON.stringify(t));
    const r = cliIn(dir, 'replay', f);
    assert.equal(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '', `${name}: no partial replay`);
    assert.match(oneErrorLine(r, 'E_TRACE_FILE'), want, name);
  }
  const truncated = path.join(dir, 'truncated.json');
  fs.writeFileSync(truncated, fs.readFileSync(file, 'utf8').slice(0, 5000));
  assert.match(oneErrorLine(cliIn(dir, 'replay', truncated), 'E_TRACE_FILE'), /truncated\.json: not JSON/);
  const itf = JSON.parse(fs.readFileSync(file.replace(/\.json$/, '.itf.json'), 'utf8'));
  itf.states[3].probe_lock = { '#bigint': '99' };
  const badItf = path.join(dir, 'bad.itf.json');
  fs.writeFileSync(badItf, JSON.stringify(itf));
  assert.match(oneErrorLine(cliIn(dir, 'replay', badItf), 'E_TRACE_FILE'), /state 3: variable probe_lock is/);
});
