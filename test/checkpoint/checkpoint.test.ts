/**
 * check --checkpoint-every / --resume: a run killed (SIGKILL) after a checkpoint, then
 * resumed, reports what an uninterrupted run reports (counts, verdicts, traces); a checkpoint
 * of another search, a corrupt one and a cut one are refused with one line, leaving the folder
 * as it was.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, cli, oneErrorLine, tmpDir } from '../cli/helpers';

// The search's mechanics, on spaces big enough to stop in: counters' values never die, so
// dead-variable reduction keeps all of them; the kernel search unreduced.
const COUNTERS = ['--model', 'counters', '--set', 'n=6', '--set', 'm=11', '--reduce', 'dead-vars']; // 2,985,984 states, a few seconds
const KERNEL = ['--kernel', 'v6.15', '--scenario', 'dma-owner-before-group', '--continue', '--no-reduce']; // 145,800 states, 30 violations

/** What must not differ between an uninterrupted run and a resumed one. */
function outcome(dir: string) {
  const s = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  const traces = Object.fromEntries(fs.readdirSync(dir).filter((f) => /^violation-.*\.json$/.test(f)).map((f) => {
    const { replay: _replay, ...t } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return [f, t];
  }));
  return {
    verdict: s.verdict, stopReason: s.stopReason, complete: s.complete, depth: s.depth, states: s.states,
    violations: s.violations, witnesses: s.witnesses, checked: s.checked, unreachedSteps: s.unreachedSteps, traces,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a run killed with SIGKILL after a checkpoint resumes to the counts of an uninterrupted run', async () => {
  const d = tmpDir('ckpt-kill');
  const whole = path.join(d, 'whole'), cut = path.join(d, 'cut');
  assert.equal(cli('check', ...COUNTERS, '--out', whole, '--quiet').code, 0);
  const child = spawn(process.execPath, [BIN, 'check', ...COUNTERS, '--checkpoint-every', '200ms', '--out', cut, '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const file = path.join(cut, 'checkpoint.msgpack');
  for (let i = 0; i < 600 && !fs.existsSync(file); i++) await sleep(50);
  assert.ok(fs.existsSync(file), 'a checkpoint was written');
  child.kill('SIGKILL');
  await exited;
  assert.ok(!fs.existsSync(path.join(cut, 'summary.json')), 'killed before any result was written');
  const r = cli('check', '--resume', cut);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /resumed from the checkpoint of /);
  assert.deepEqual(outcome(cut), outcome(whole));
  assert.ok(!fs.existsSync(file), 'the checkpoint of a finished search is removed');
});

test('a search stopped inside a level (--max-memory) resumes to the same counterexamples', () => {
  const d = tmpDir('ckpt-mid');
  const whole = path.join(d, 'whole'), cut = path.join(d, 'cut');
  assert.equal(cli('check', ...KERNEL, '--out', whole, '--quiet').code, 1);
  const stopped = cli('check', ...KERNEL, '--max-memory', '1', '--checkpoint-every', '1h', '--out', cut, '--quiet');
  assert.equal(stopped.code, 3, stopped.stderr);
  assert.match(stopped.stderr, /go on with: probecheck check --resume /);
  assert.equal(outcome(cut).stopReason, 'max-memory');
  const r = cli('check', '--resume', cut, '--quiet');
  assert.equal(r.code, 1, r.stderr);
  const a = outcome(whole), b = outcome(cut);
  assert.equal(b.violations.length, 10);
  assert.equal(Object.keys(b.traces).length, 20); // .json and .itf.json
  assert.deepEqual(b, a);
});

test('a search stopped at a level boundary (--max-states) resumes, keeping the interval', () => {
  const d = tmpDir('ckpt-states');
  const whole = path.join(d, 'whole'), cut = path.join(d, 'cut');
  assert.equal(cli('check', ...KERNEL, '--out', whole, '--quiet').code, 1);
  assert.equal(cli('check', ...KERNEL, '--max-states', '20000', '--checkpoint-every', '1h', '--out', cut, '--quiet').code, 3);
  assert.equal(outcome(cut).stopReason, 'max-states');
  // Given again, the same options are accepted.
  assert.equal(cli('check', ...KERNEL, '--resume', cut, '--quiet').code, 1);
  assert.deepEqual(outcome(cut), outcome(whole));
});

test('a checkpoint of another model, kernel or invariant selection is refused with one line, the folder kept', () => {
  const d = tmpDir('ckpt-other');
  const cut = path.join(d, 'cut');
  assert.equal(cli('check', ...KERNEL, '--max-states', '20000', '--checkpoint-every', '1h', '--out', cut, '--quiet').code, 3);
  const before = fs.readdirSync(cut).sort();
  const bytes = fs.readFileSync(path.join(cut, 'checkpoint.msgpack'));
  const other = [
    ['--model', 'counters', '--set', 'n=3'],
    ['--kernel', 'v6.6', '--scenario', 'dma-owner-before-group', '--continue'],
    ['--kernel', 'v6.15', '--scenario', 'probe-vs-register', '--continue'],
    [...KERNEL, '--invariant', 'NoNullOpsDeref'],
  ];
  for (const args of other) {
    const r = cli('check', ...args, '--resume', cut);
    assert.equal(r.code, 2, r.stderr);
    assert.match(oneErrorLine(r, 'E_CHECKPOINT'), /refused: it (is of|checks)/);
  }
  assert.deepEqual(fs.readdirSync(cut).sort(), before);
  assert.deepEqual(fs.readFileSync(path.join(cut, 'checkpoint.msgpack')), bytes);

  const c = path.join(d, 'counters');
  assert.equal(cli('check', '--model', 'counters', '--set', 'n=3', '--max-states', '10', '--checkpoint-every', '1h', '--out', c, '--quiet').code, 3);
  const r = cli('check', '--model', 'counters', '--set', 'n=4', '--resume', c);
  assert.match(oneErrorLine(r, 'E_CHECKPOINT'), /refused: it is of counters with n=3/);
});

test('a corrupt, cut, foreign or missing checkpoint is refused with one line (data, never run)', () => {
  const d = tmpDir('ckpt-bad');
  const cut = path.join(d, 'cut');
  assert.equal(cli('check', ...KERNEL, '--max-states', '20000', '--checkpoint-every', '1h', '--out', cut, '--quiet').code, 3);
  const file = path.join(cut, 'checkpoint.msgpack');
  const good = fs.readFileSync(file);
  const cases: [string, Buffer, RegExp][] = [
    ['a flipped byte', Buffer.from(good.map((b, i) => (i === Math.floor(good.length / 2) ? b ^ 0x40 : b))), /corrupt/],
    ['cut short', good.subarray(0, Math.floor(good.length * 0.7)), /corrupt|cut short/],
    ['empty', Buffer.alloc(0), /not a (probecheck )?checkpoint/],
    ['JSON', Buffer.from('{"format":"probecheck-checkpoint"}'), /not a|cut short|malformed/],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)), /./],
  ];
  for (const [what, bytes, re] of cases) {
    fs.writeFileSync(file, bytes);
    const r = cli('check', '--resume', cut);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(oneErrorLine(r, 'E_CHECKPOINT'), re, what);
  }
  fs.rmSync(file);
  assert.match(oneErrorLine(cli('check', '--resume', cut), 'E_CHECKPOINT'), /no checkpoint there/);
});

test('--checkpoint-every refuses --reduce and a malformed duration with one line', () => {
  oneErrorLine(cli('check', ...KERNEL, '--reduce', 'por', '--checkpoint-every', '10s'), 'E_USAGE');
  oneErrorLine(cli('check', ...KERNEL, '--checkpoint-every', 'soon'), 'E_BAD_VALUE');
  oneErrorLine(cli('check', '--kernel', 'v6.15', '--scenario', 'dma-owner-before-group', '--scenario', 'probe-vs-register', '--checkpoint-every', '10s'), 'E_USAGE');
});

test('SIGTERM writes a checkpoint where the search stops (exit 143); resuming finishes the count', async () => {
  const d = tmpDir('ckpt-term');
  const cut = path.join(d, 'cut');
  const big = ['--model', 'counters', '--set', 'n=7', '--set', 'm=9', '--reduce', 'dead-vars']; // 10^7 states (symmetry would leave 11,440)
  const child = spawn(process.execPath, [BIN, 'check', ...big, '--checkpoint-every', '1h', '--out', cut, '--progress'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // The first progress line says the search runs (and the signal handlers are in place),
  // however slow the machine is to start node.
  await new Promise<void>((r) => { let text = ''; child.stderr.on('data', (b: Buffer) => { text += b.toString(); if (/states/.test(text)) r(); }); });
  child.kill('SIGTERM');
  assert.equal(await exited, 143);
  assert.ok(fs.existsSync(path.join(cut, 'checkpoint.msgpack')));
  const partial = outcome(cut);
  assert.equal(partial.stopReason, 'interrupted');
  assert.ok(partial.states.distinct < 10_000_000);
  const r = cli('check', '--resume', cut, '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const s = outcome(cut);
  assert.deepEqual([s.verdict, s.states, s.depth], ['pass', { distinct: 10_000_000, generated: 70_000_000 }, 63]);
});

test('--workers 2: a run killed after a checkpoint resumes with 1 worker, and one checkpointed with 1 resumes with 2', async () => {
  const d = tmpDir('ckpt-kill-2');
  const whole = path.join(d, 'whole'), cut = path.join(d, 'cut'), cut1 = path.join(d, 'cut1');
  assert.equal(cli('check', ...COUNTERS, '--workers', '1', '--out', whole, '--quiet').code, 0);
  const child = spawn(process.execPath, [BIN, 'check', ...COUNTERS, '--workers', '2', '--checkpoint-every', '200ms', '--out', cut, '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const file = path.join(cut, 'checkpoint.msgpack');
  for (let i = 0; i < 600 && !fs.existsSync(file); i++) await sleep(50);
  assert.ok(fs.existsSync(file), 'a checkpoint was written');
  // Let the search reach the workers (a later checkpoint replaces the first one).
  await sleep(700);
  child.kill('SIGKILL');
  await exited;
  const r = cli('check', '--resume', cut, '--workers', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(outcome(cut), outcome(whole));
  assert.equal(cli('check', ...KERNEL, '--workers', '1', '--max-states', '20000', '--checkpoint-every', '1h', '--out', cut1, '--quiet').code, 3);
  const wholeKernel = path.join(d, 'whole-kernel');
  assert.equal(cli('check', ...KERNEL, '--workers', '2', '--out', wholeKernel, '--quiet').code, 1);
  assert.equal(cli('check', '--resume', cut1, '--workers', '2', '--quiet').code, 1);
  assert.deepEqual(outcome(cut1), outcome(wholeKernel));
});

test('--max-memory without --checkpoint-every stops with exit 3 and a checkpoint; resumed with a larger budget it completes', () => {
  const d = tmpDir('ckpt-memory');
  const whole = path.join(d, 'whole'), cut = path.join(d, 'cut');
  assert.equal(cli('check', ...KERNEL, '--out', whole, '--quiet').code, 1);
  const stopped = cli('check', ...KERNEL, '--workers', '2', '--max-memory', '1', '--out', cut);
  assert.equal(stopped.code, 3, stopped.stderr);
  assert.equal(outcome(cut).stopReason, 'max-memory');
  assert.match(stopped.stderr, /go on with: probecheck check --resume /);
  assert.ok(fs.existsSync(path.join(cut, 'checkpoint.msgpack')));
  const r = cli('check', '--resume', cut, '--max-memory', '256', '--quiet');
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(outcome(cut), outcome(whole));
  assert.ok(!fs.existsSync(path.join(cut, 'checkpoint.msgpack')), 'removed once the search ended');
});

test('without --max-memory or --checkpoint-every a stopped run writes no checkpoint', () => {
  const d = tmpDir('ckpt-none');
  const cut = path.join(d, 'cut');
  assert.equal(cli('check', ...KERNEL, '--max-states', '20000', '--out', cut, '--quiet').code, 3);
  assert.ok(!fs.existsSync(path.join(cut, 'checkpoint.msgpack')));
});
