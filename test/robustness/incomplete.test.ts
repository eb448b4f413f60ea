/**
 * Items 1, 8, 9: limits and partial runs. One rule for every command: a run that did not
 * explore its whole space says so in the table, the JSON and the exit code (3). Before: a
 * matrix cell stopped by --max-seconds showed as a complete VIOL and exited 0, check --continue
 * stopped by a limit exited 1 as if complete, verify-patch blamed the patch for witnesses the
 * baseline never reaches and invented a patched column when interrupted, and --workers 1000
 * started 1000 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultWorkers, limitsOf } from '../../src/cli/limits';
import { remainingSeconds } from '../../src/cli/run';
import { compareMatrices } from '../../src/cli/commands/matrix';
import { cliIn, LONG, start, tmp, until } from './helpers';

test('--workers above the cores is capped at the cores, with a one-line warning', () => {
  assert.equal(limitsOf({ workers: 1000 }).workers, defaultWorkers());
  const dir = tmp('workers');
  const r = cliIn(dir, 'check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1000', '--out', 'run', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^probecheck: warning: --workers 1000 is more than the ${defaultWorkers()} available cores?; using ${defaultWorkers()}$`, 'm'));
  assert.ok(JSON.parse(r.stdout).workers <= defaultWorkers());
});

test('--max-seconds counts from the start of the command (model building and worker start-up included)', () => {
  const left = remainingSeconds({ workers: 1, maxSeconds: 5 }, performance.now() - 3000).maxSeconds as number;
  assert.ok(left > 1.5 && left <= 2, String(left));
  assert.equal(remainingSeconds({ workers: 1, maxSeconds: 1 }, performance.now() - 3000).maxSeconds, 0.001, 'spent: stop at the first check');
  const dir = tmp('max-seconds');
  const t0 = Date.now();
  const r = cliIn(dir, ...LONG.filter((a, i, all) => a !== '--max-seconds' && all[i - 1] !== '--max-seconds'), '--max-seconds', '1', '--workers', '2', '--out', 'run', '--json', '--quiet');
  assert.equal(r.code, 3, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.stopReason, 'max-seconds');
  assert.equal(s.complete, false);
  assert.ok(Date.now() - t0 < 15_000);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8')).complete, false, 'on disk: marked partial');
});

test('matrix --max-seconds: a cell stopped early is marked in the table and the JSON, and the exit is 3', () => {
  const dir = tmp('matrix-limit');
  const r = cliIn(dir, 'matrix', '--kernel', 'v6.18.y', '--scenario', 'msm-private-domain', '--scenario', 'register-probe-unbind', '--max-seconds', '1', '--workers', '1', '--out', 'm.json');
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /register-probe-unbind\s+(VIOL \d+|incompl|pass|witness)\*/);
  assert.match(r.stdout, /^\* stopped early/m);
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'm.json'), 'utf8'));
  assert.equal(doc.complete, false);
  assert.deepEqual(doc.runs.map((x: { complete: boolean }) => x.complete), [true, false]);
});

test('check --continue stopped by a limit exits 3 even with violations found (they are still written)', () => {
  const dir = tmp('continue-limit');
  const r = cliIn(dir, 'check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--continue', '--max-depth', '29', '--workers', '1', '--out', 'run', '--json', '--quiet');
  assert.equal(r.code, 3, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.verdict, 'violation');
  assert.equal(s.complete, false);
  assert.ok(fs.existsSync(path.join(dir, 'run', 'violation-NoUnattachedDma.json')));
});

test('verify-patch: a witness the baseline never reaches is not blamed on the patch', () => {
  const dir = tmp('verify-witness');
  const r = cliIn(dir, 'verify-patch', '--kernel', 'v4.19', '--scenario', 'multi-dmar-register', '--patch', 'ipmmu-free-guard', '--workers', '1', '--json');
  assert.equal(r.code, 0, r.stdout);
  const [s] = JSON.parse(r.stdout).scenarios;
  const w = s.witnesses.find((x: { name: string }) => x.name === 'AllDevicesGrouped');
  assert.deepEqual(w, { name: 'AllDevicesGrouped', reached: false, baseline: false, lost: false });
});

test('verify-patch: a FAIL says why in one line', () => {
  const dir = tmp('verify-fail');
  const r = cliIn(dir, 'verify-patch', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', 'ipmmu-free-guard', '--workers', '1');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^verdict: FAIL: NoNullOpsDeref still violated \(15 steps\)$/m);
});

test('verify-patch gains --max-states/--max-seconds/--max-memory; a side stopped early makes the verdict incomplete (exit 3)', () => {
  const dir = tmp('verify-limit');
  const r = cliIn(dir, 'verify-patch', '--kernel', 'v6.18.y', '--scenario', 'register-probe-unbind', '--patch', 'ipmmu-free-guard', '--max-states', '2000', '--workers', '1', '--json');
  assert.equal(r.code, 3, r.stdout);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'incomplete');
  assert.equal(doc.scenarios[0].baseline.complete, false);
  assert.match(doc.scenarios[0].reason, /the baseline was stopped by --max-states/);
  for (const flag of ['--max-seconds', '--max-memory']) {
    assert.equal(cliIn(dir, 'verify-patch', '--kernel', 'v4.19', '--scenario', 'multi-dmar-register', '--patch', 'ipmmu-free-guard', flag, '100', '--workers', '1', '--quiet').code, 0, flag);
  }
});

test('verify-patch interrupted in the baseline: no patched column is invented, exit 130', async () => {
  const dir = tmp('verify-int');
  const c = start(dir, ['verify-patch', '--kernel', 'v6.18.y', '--scenario', 'register-probe-unbind', '--patch', 'ipmmu-free-guard', '--workers', '1', '--json', '--progress']);
  await until(() => /register-probe-unbind: [\d,]+ distinct/.test(c.stderrSoFar()), 60_000, 'the baseline to report progress');
  c.kill('SIGINT');
  const r = await c.done;
  assert.equal(r.code, 130, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'incomplete');
  assert.equal(doc.interrupted, 'SIGINT');
  const [s] = doc.scenarios;
  assert.equal(s.patched, undefined, 'the patched model was not explored');
  assert.equal(s.baseline.interrupted, 'SIGINT');
  assert.match(r.stderr, /patched: not explored \(the baseline was interrupted\)/);
});

test('matrix --compare does not compare a run stopped early with a complete one', () => {
  const row = { kernel: 'v6.18.y', scenario: 's', patches: [], verdict: 'pass', stopReason: 'complete', complete: true, distinct: 100, generated: 0, depth: 0, seconds: 0, violations: {}, witnessesNotReached: [] };
  const partial = { ...row, verdict: 'violation', stopReason: 'max-seconds', complete: false, distinct: 40, violations: { X: 3 } };
  const changes = compareMatrices({ probecheckMatrix: 1, generated: '', runs: [row] }, { probecheckMatrix: 1, generated: '', runs: [partial] });
  assert.deepEqual(changes.map((c) => c.what), ['not-comparable']);
  assert.match(changes[0].text, /stopped early this time/);
});
