/**
 * Items 13-18 (friction): progress that fits the terminal and stays off when stderr is not one,
 * one meaning of --quiet, `list fields`, a mail table that fits 72-80 columns, a matrix
 * --compare of another patch set refused, "did you mean" for a mistyped command or option.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fitWidth, usageLine } from '../../src/cli/main';
import { progressLine, searchView } from '../../src/cli/run';
import type { CliContext } from '../../src/cli/context';
import { StopOnSignal } from '../../src/cli/signals';
import { cliIn, oneErrorLine, tmp } from './helpers';

const ctx = (tty: boolean): CliContext => ({ stderrIsTTY: tty, progress: () => undefined, endProgress: () => undefined, stop: new StopOnSignal(), startedAt: 0 });

test('the progress line fits the terminal (it was 121 characters on an 80-column one)', () => {
  const line = progressLine('v6.18.y/probe-vs-register-two-smmu', { distinct: 12_345_678, generated: 98_765_432, depth: 123, frontier: 4_567_890, seconds: 1234, statesPerSecond: 987_654 });
  assert.ok(line.length > 100);
  assert.ok(fitWidth(line, 80).length <= 79);
  assert.ok(fitWidth(line, undefined).length <= 79, 'unknown width: 80 columns');
  assert.equal(fitWidth('short', 80), 'short');
});

test('no progress when stderr is not a terminal unless --progress; never with --quiet', () => {
  assert.equal(searchView(ctx(false), {}).progress, false);
  assert.equal(searchView(ctx(false), { progress: true }).progress, true);
  assert.equal(searchView(ctx(true), {}).progress, true);
  assert.equal(searchView(ctx(true), { quiet: true, progress: true }).progress, false);
});

test('--quiet means one thing everywhere: stdout holds only the verdict, stderr nothing', () => {
  const dir = tmp('quiet');
  const runs: [string[], string][] = [
    [['check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1', '--out', 'run'], 'pass'],
    [['verify-patch', '--kernel', 'v4.19', '--scenario', 'multi-dmar-register', '--patch', 'ipmmu-free-guard', '--workers', '1'], 'pass'],
    [['matrix', '--kernel', 'v6.1', '--scenario', 'msm-private-domain', '--workers', '1'], 'done'],
  ];
  for (const [args, word] of runs) {
    const r = cliIn(dir, ...args, '--quiet');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, word + '\n', args[0]);
    assert.equal(r.stderr, '', args[0]);
  }
});

test('list fields: name, domain and entity of a model\'s fields', () => {
  const dir = tmp('fields');
  const r = cliIn(dir, 'list', 'fields', '--kernel', 'v6.6', '--scenario', 'probe-vs-register');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^fields of v6\.6\/probe-vs-register: \d+$/m);
  assert.match(r.stdout, /^iommu\.driver_state\s+enum \{idle, bound, failed, deferred\}\s+iommu$/m);
  const j = JSON.parse(cliIn(dir, 'list', 'fields', '--model', 'counters', '--set', 'n=2', '--json').stdout);
  assert.equal(j.model, 'counters');
  assert.deepEqual(j.fields.map((f: { name: string; domain: string; entity: string }) => [f.name, f.domain, f.entity]), [['value', 'int 0..11', 'counter']]);
  assert.equal(cliIn(dir, 'list', 'kernels', '--scenario', 'x').code, 2, 'model options only with fields');
});

test('the mail race table fits 78 columns, even with several actors', () => {
  const dir = tmp('mail');
  cliIn(dir, 'check', '--kernel', 'v6.6.5', '--scenario', 'two-smmu-async', '--workers', '1', '--out', 'run', '--quiet');
  const mails = fs.readdirSync(path.join(dir, 'run')).filter((f) => f.endsWith('.txt'));
  assert.ok(mails.length > 0);
  for (const f of mails) {
    const text = fs.readFileSync(path.join(dir, 'run', f), 'utf8');
    const table = text.split('\nReproduce with:')[0];
    for (const line of table.split('\n')) assert.ok(line.length <= 78, `${f}: ${line.length}: ${line}`);
    assert.match(text, / \| /, 'still a table');
  }
});

test('matrix --compare with a document of another patch set is refused up front', () => {
  const dir = tmp('compare-mix');
  assert.equal(cliIn(dir, 'matrix', '--kernel', 'v6.1', '--scenario', 'msm-private-domain', '--workers', '1', '--out', 'plain.json', '--quiet').code, 0);
  const r = cliIn(dir, 'matrix', '--kernel', 'v6.1', '--scenario', 'msm-private-domain', '--patch', 'ipmmu-free-guard', '--workers', '1', '--compare', 'plain.json');
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_USAGE'), /plain\.json: its runs have patches \[\], this matrix \[ipmmu-free-guard\]/);
  assert.equal(r.stdout, '', 'refused before any run');
});

test('a mistyped command or option gets "did you mean"', () => {
  const dir = tmp('suggest');
  assert.match(oneErrorLine(cliIn(dir, 'chek'), 'E_USAGE'), /unknown command 'chek'; did you mean check\?/);
  assert.match(oneErrorLine(cliIn(dir, 'check', '--modl', 'counters'), 'E_USAGE'), /unknown option '--modl'; did you mean --model\?/);
  assert.equal(usageLine("error: unknown command 'x'"), "unknown command 'x'");
});
