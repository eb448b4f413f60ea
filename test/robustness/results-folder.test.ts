/**
 * Items 3, 4, 6, 12: nothing already written is lost. A run is staged beside its folder and
 * renamed into place when complete (--force on a full disk once deleted the earlier run and
 * left truncated files); an unwritable --out is refused before the search (it was found after
 * it, exit 4 with a stack report); an output error is one line and exit 5, the verdict still
 * printed; one writer per folder; default folder names are unique (two runs in the same second
 * collided, E_OUT_EXISTS); --out "" is refused (it wrote into the current folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allJsonParses, BIN, CLI_ENV, cliIn, leftovers, LONG, oneErrorLine, snapshot, stagingOf, start, tmp, until } from './helpers';

const VIOL = ['check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1'];

/** The CLI under `ulimit -f` (512-byte blocks): files past the limit fail with EFBIG. */
function cliFullDisk(cwd: string, blocks: number, ...args: string[]) {
  const r = spawnSync('sh', ['-c', `ulimit -f ${blocks}; exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: CLI_ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--force on a full disk: the earlier run survives whole, no truncated file, exit 5 and the verdict printed', () => {
  const dir = tmp('full-force');
  assert.equal(cliIn(dir, ...VIOL, '--out', 'run', '--quiet').code, 1);
  const before = snapshot(path.join(dir, 'run'));
  assert.ok(Object.keys(before).length === 5, 'summary, the three files of the violation, report.html');
  const r = cliFullDisk(dir, 8, ...VIOL, '--out', 'run', '--force');
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stdout, /verdict: VIOLATION/, 'the verdict already computed is printed');
  const line = oneErrorLine(r, 'E_OUTPUT');
  assert.match(line, /EFBIG/);
  assert.match(line, /earlier run in run is intact/);
  assert.deepEqual(snapshot(path.join(dir, 'run')), before, 'the earlier run, byte for byte');
  assert.deepEqual(leftovers(dir), [], 'no staging folder, no lock');
});

test('a first run on a full disk leaves no folder at all (never a truncated one)', () => {
  const dir = tmp('full-new');
  const r = cliFullDisk(dir, 8, ...VIOL, '--out', 'run', '--json');
  assert.equal(r.code, 5, r.stderr);
  assert.equal(JSON.parse(r.stdout).verdict, 'violation', 'the JSON summary is still printed');
  assert.equal(JSON.parse(r.stdout).out, null, 'and points at no folder');
  const last = r.stderr.trimEnd().split('\n').pop() as string;
  assert.match(last, /^probecheck: E_OUTPUT: .*EFBIG.*nothing was written$/);
  assert.doesNotMatch(r.stderr, /results: run/, 'the report does not point at a folder that is not there');
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('matrix --force on a full disk keeps the earlier document', () => {
  const dir = tmp('full-matrix');
  const m = ['matrix', '--kernel', 'v4.19', '--scenario', 'msm-private-domain', '--workers', '1', '--out', 'm.json'];
  // The cell is cached first: the full disk would also refuse a new cache entry (one more
  // line, and a test that depended on what the developer's own cache held).
  assert.equal(cliIn(dir, ...m.slice(0, -1), 'warm.json').code, 0);
  fs.writeFileSync(path.join(dir, 'm.json'), '{"probecheckMatrix": 1, "runs": []}\n');
  const r = cliFullDisk(dir, 1, ...m, '--force');
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stdout, /msm-private-domain\s+VIOL/, 'the table is printed');
  assert.match(oneErrorLine(r, 'E_OUTPUT'), /earlier m\.json is intact/);
  assert.equal(fs.readFileSync(path.join(dir, 'm.json'), 'utf8'), '{"probecheckMatrix": 1, "runs": []}\n');
  assert.deepEqual(leftovers(dir), []);
});

test('an unwritable --out is refused before the search: one line, exit 5, nothing explored', () => {
  const dir = tmp('unwritable');
  fs.writeFileSync(path.join(dir, 'file'), 'not a folder\n');
  const t0 = Date.now();
  const r = cliIn(dir, ...LONG, '--out', 'file/run');
  assert.equal(r.code, 5, r.stderr);
  assert.match(oneErrorLine(r, 'E_OUTPUT'), /file\/run.*a file is in the way/);
  assert.equal(r.stdout, '', 'no verdict: the search never started');
  assert.ok(Date.now() - t0 < 20_000, 'refused up front, not after a 10^7-state search');
  assert.equal(fs.readFileSync(path.join(dir, 'file'), 'utf8'), 'not a folder\n');
});

test('--out "" is refused, and nothing is written in the current folder', () => {
  const dir = tmp('empty-out');
  const r = cliIn(dir, 'check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1', '--out', '');
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_USAGE'), /--out ""/);
  assert.deepEqual(fs.readdirSync(dir), []);
  const m = cliIn(dir, 'matrix', '--kernel', 'v4.19', '--scenario', 'msm-private-domain', '--out', '');
  assert.equal(m.code, 2);
  oneErrorLine(m, 'E_USAGE');
});

test('two runs writing the same --out: the second is refused with one line while the first writes', async () => {
  const dir = tmp('lock');
  const first = start(dir, [...LONG, '--out', 'run']);
  await until(() => stagingOf(path.join(dir, 'run')).length > 0, 30_000, 'the first run to start');
  const second = cliIn(dir, 'check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1', '--out', 'run', '--force');
  assert.equal(second.code, 2);
  assert.match(oneErrorLine(second, 'E_OUT_LOCKED'), new RegExp(`pid ${first.pid}`));
  first.kill('SIGINT');
  const r = await first.done;
  assert.equal(r.code, 130, r.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
  assert.deepEqual(summary.params, { n: 7, m: 9 }, 'the folder holds the first run only');
  assert.deepEqual(leftovers(dir), []);
});

test('a lock left by a process that is gone is taken over', () => {
  const dir = tmp('stale');
  fs.writeFileSync(path.join(dir, '.run.lock'), '999999999\n');
  const r = cliIn(dir, 'check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1', '--out', 'run', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'run', 'summary.json')));
  assert.deepEqual(leftovers(dir), []);
});

test('two runs started in the same second with default folders both write, each its own folder', async () => {
  const dir = tmp('default-names');
  const args = ['check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', 'ipmmu-free-guard', '--workers', '1', '--quiet'];
  const a = start(dir, args), b = start(dir, args);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.notEqual(ra.code, 2, ra.stderr);
  assert.notEqual(rb.code, 2, rb.stderr);
  const folders = fs.readdirSync(path.join(dir, 'results'));
  assert.equal(folders.length, 2, folders.join(' '));
  for (const f of folders) {
    assert.match(f, /^\d{8}-\d{6}-v6\.6\.5-probe-vs-register-ipmmu-free-guard-[0-9a-f]{6}$/);
    allJsonParses(path.join(dir, 'results', f));
  }
});
