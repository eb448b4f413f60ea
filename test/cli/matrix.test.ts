/**
 * probecheck matrix, the nightly job: every kernel x scenario over the whole space, one JSON
 * document, and what changed since the previous one (exit 1 when something did).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, oneErrorLine, tmpDir } from './helpers';
import { compareMatrices, type MatrixDoc } from '../../src/cli/commands/matrix';

const SMALL = ['--kernel', 'v4.19', '--kernel', 'v6.1', '--scenario', 'msm-private-domain', '--scenario', 'multi-dmar-register', '--workers', '1'];

test('a matrix runs every kernel x scenario and writes one document; the same matrix again changes nothing', () => {
  const dir = tmpDir('matrix');
  const first = path.join(dir, 'first.json');
  const r1 = cli('matrix', ...SMALL, '--out', first, '--quiet');
  assert.equal(r1.code, 0, r1.stderr);
  const doc = JSON.parse(fs.readFileSync(first, 'utf8')) as MatrixDoc;
  assert.equal(doc.probecheckMatrix, 1);
  assert.deepEqual(doc.runs.map((r) => `${r.kernel}/${r.scenario}:${r.verdict}`), [
    'v4.19/msm-private-domain:violation', 'v4.19/multi-dmar-register:witness-failure',
    'v6.1/msm-private-domain:pass', 'v6.1/multi-dmar-register:pass',
  ]);
  assert.equal(doc.runs[0].violations.DmaApiDomainHasCookie, 26);
  const r2 = cli('matrix', ...SMALL, '--compare', first, '--json', '--quiet');
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(JSON.parse(r2.stdout).changes, []);
});

test('a flipped verdict, a new violation and a changed state count are reported, and exit 1', () => {
  const dir = tmpDir('matrix-change');
  const first = path.join(dir, 'first.json');
  assert.equal(cli('matrix', ...SMALL, '--out', first, '--quiet').code, 0);
  const doc = JSON.parse(fs.readFileSync(first, 'utf8')) as MatrixDoc;
  // Pretend last night was different: v6.1 msm failed, v4.19 msm had fewer states and no cookie bug.
  const edited = { ...doc, runs: doc.runs.map((r) => r.kernel === 'v6.1' && r.scenario === 'msm-private-domain'
    ? { ...r, verdict: 'violation', violations: { DmaApiDomainHasCookie: 30 } }
    : r.kernel === 'v4.19' && r.scenario === 'msm-private-domain' ? { ...r, distinct: r.distinct - 5, violations: { DmaOpsMatchDomain: 25 } } : r) };
  const prev = path.join(dir, 'prev.json');
  fs.writeFileSync(prev, JSON.stringify(edited));
  // Not --quiet: that prints only the verdict word (changed), not the changes.
  const r = cli('matrix', ...SMALL, '--compare', prev);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /v6\.1\/msm-private-domain: verdict violation -> pass/);
  assert.match(r.stdout, /v6\.1\/msm-private-domain: DmaApiDomainHasCookie no longer violated \(was 30 steps\)/);
  assert.match(r.stdout, /v4\.19\/msm-private-domain: DmaApiDomainHasCookie now VIOLATED \(26 steps\)/);
  assert.match(r.stdout, /v4\.19\/msm-private-domain: distinct states \d+ -> \d+ \(\+/);
});

test('compareMatrices names runs that appear or disappear', () => {
  const row = { kernel: 'v6.6.5', scenario: 's', patches: [], verdict: 'pass', stopReason: 'complete', distinct: 1, generated: 0, depth: 0, seconds: 0, violations: {}, witnessesNotReached: [] };
  const changes = compareMatrices({ probecheckMatrix: 1, generated: '', runs: [row] }, { probecheckMatrix: 1, generated: '', runs: [{ ...row, kernel: 'v6.15' }] });
  assert.deepEqual(changes.map((c) => c.what), ['new-run', 'missing-run']);
});

test('bad input: an unknown kernel, an existing --out, a file that is not a matrix', () => {
  const dir = tmpDir('matrix-bad');
  assert.match(oneErrorLine(cli('matrix', '--kernel', 'v6.7', '--scenario', 'msm-private-domain'), 'E_UNKNOWN_KERNEL'), /v6\.6/);
  const out = path.join(dir, 'm.json');
  fs.writeFileSync(out, '{}');
  const r = cli('matrix', ...SMALL, '--out', out);
  assert.equal(r.code, 2);
  oneErrorLine(r, 'E_OUT_EXISTS');
  assert.equal(fs.readFileSync(out, 'utf8'), '{}', 'nothing already written is lost');
  const r2 = cli('matrix', ...SMALL, '--compare', out);
  assert.equal(r2.code, 2);
  oneErrorLine(r2, 'E_TRACE_FILE');
});
