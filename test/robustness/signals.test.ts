/**
 * Items 5, 7, 18: SIGTERM, SIGHUP and SIGINT stop the search, write the partial results marked
 * interrupted and exit 128 + the signal (143, 129, 130); a second signal exits at once.
 * Before: SIGTERM and SIGHUP killed the process and wrote nothing; Ctrl-C during matrix
 * crashed (exit 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StopOnSignal } from '../../src/cli/signals';
import { spawn } from 'node:child_process';
import { allJsonParses, leftovers, LONG, ROOT, sleep, stagingOf, start, tmp, until } from './helpers';

for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129], ['SIGINT', 130]] as const) {
  test(`check: ${sig} writes the partial run marked interrupted and exits ${code}`, async () => {
    const dir = tmp(`sig-${sig}`);
    const out = path.join(dir, 'run');
    const c = start(dir, [...LONG, '--out', out, '--json']);
    await until(() => stagingOf(out).length > 0, 30_000, 'the search to start');
    await sleep(300);
    c.kill(sig);
    const r = await c.done;
    assert.equal(r.code, code, r.stderr);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.stopReason, 'interrupted');
    assert.equal(summary.interrupted, sig);
    assert.equal(summary.complete, false);
    assert.equal(summary.verdict, 'incomplete');
    assert.ok(summary.states.distinct < 10_000_000, 'partial: not the whole space');
    assert.deepEqual(JSON.parse(r.stdout).interrupted, sig, 'the verdict is still printed');
    assert.match(r.stderr, new RegExp(`interrupted by ${sig}`));
    assert.deepEqual(leftovers(dir), [], 'no staging folder or lock left behind');
  });
}

test('a second signal runs the cleanups (staging folder, lock) and exits at once with its code', () => {
  // In-process: a child busy writing cannot be caught between two signals reliably.
  const stop = new StopOnSignal();
  const exits: number[] = [];
  const cleaned: string[] = [];
  const realExit = process.exit, realWrite = process.stderr.write;
  process.exit = ((code: number) => { exits.push(code); }) as typeof process.exit;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    stop.install();
    stop.onHardExit(() => cleaned.push('staging'));
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(stop.signal.aborted, true, 'the first signal stops the search');
    assert.deepEqual(exits, [], 'and does not exit');
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(cleaned, ['staging']);
    assert.deepEqual(exits, [143]);
  } finally {
    stop.uninstall();
    process.exit = realExit;
    process.stderr.write = realWrite;
  }
});

test('matrix: Ctrl-C stops the running cell, writes the document so far with that cell marked, exit 130', async () => {
  const dir = tmp('sig-matrix');
  const out = path.join(dir, 'm.json');
  // The first cell is tiny; the second (register-probe-unbind) runs for minutes.
  const c = start(dir, ['matrix', '--kernel', 'v6.18.y', '--scenario', 'msm-private-domain', '--scenario', 'register-probe-unbind', '--workers', '1', '--out', out, '--progress']);
  await until(() => /register-probe-unbind: [\d,]+ distinct/.test(c.stderrSoFar()), 60_000, 'the second cell to report progress');
  c.kill('SIGINT');
  const r = await c.done;
  assert.equal(r.code, 130, r.stderr);
  allJsonParses(dir);
  const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(doc.complete, false);
  assert.equal(doc.interrupted, 'SIGINT');
  const last = doc.runs[doc.runs.length - 1];
  assert.equal(last.interrupted, 'SIGINT');
  assert.equal(last.complete, false);
  assert.equal(doc.runs.length, 2);
  assert.equal(doc.runs[0].complete, true, 'the cell before is complete');
  assert.match(r.stdout, /\*/, 'the table marks the interrupted cell');
});

test('npx probecheck: Ctrl-C (SIGINT to the whole process group, as a terminal sends it) writes the partial run; the shell sees 130', async () => {
  const dir = tmp('sig-npx');
  const out = path.join(dir, 'run');
  const c = spawn('npx', ['--offline', 'probecheck', ...LONG, '--out', out], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const done = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => c.on('close', (code, signal) => resolve([code, signal])));
  await until(() => stagingOf(out).length > 0, 60_000, 'the search to start');
  await sleep(300);
  process.kill(-(c.pid as number), 'SIGINT');
  const [code, signal] = await done;
  // npm re-raises the signal its child ended with: a shell reports either as 130.
  assert.ok(code === 130 || signal === 'SIGINT', `exit ${code}, signal ${signal}\n${stderr}`);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.interrupted, 'SIGINT');
  assert.equal(summary.complete, false);
  assert.deepEqual(leftovers(dir), []);
});
