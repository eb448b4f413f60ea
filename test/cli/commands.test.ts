/** verify-patch, list, export and --help. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, oneErrorLine, ROOT, tmpDir } from './helpers';

test('verify-patch ipmmu-free-guard on v4.20-rc1 fixes DomainFreeSafe: exit 0', () => {
  const r = cli('verify-patch', '--kernel', 'v4.20-rc1', '--scenario', 'ipmmu-early-free', '--patch', 'ipmmu-free-guard', '--workers', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^DomainFreeSafe +\| VIOLATED \(\d+\) +\| holds +\| fixed$/m);
  assert.match(r.stdout, /DomainFreeSafe: blocked by the patch at step/);
  assert.match(r.stdout, /verdict: PASS/);
});

test('verify-patch --json is one document; a user .ts patch fixes the addendum 5.5 window on v6.15', () => {
  const fix = path.join(ROOT, 'test', 'model', 'fixtures', 'fix-5.5.ts');
  const r = cli('verify-patch', '--kernel', 'v6.15', '--scenario', 'probe-vs-register', '--patch', fix, '--workers', '1', '--json', '--quiet');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'pass');
  const rows = doc.scenarios[0].invariants;
  assert.equal(rows.find((x: { invariant: string }) => x.invariant === 'BoundImpliesCorrectDmaOps').verdict, 'fixed');
  assert.ok(doc.scenarios[0].witnesses.every((w: { reached: boolean }) => w.reached));
});

test('verify-patch with a patch that leaves the race: exit 1, still violated', () => {
  const r = cli('verify-patch', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', 'ipmmu-free-guard', '--workers', '1', '--json', '--quiet');
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, 'fail');
  assert.ok(doc.scenarios[0].invariants.some((x: { verdict: string }) => x.verdict === 'still violated'));
});

test('list shows kernels with commits, patches, scenarios with the default marker, invariants', () => {
  const r = cli('list');
  assert.equal(r.code, 0);
  for (const h of ['kernels:', 'patches:', 'scenarios:', 'invariants:']) assert.match(r.stdout, new RegExp(`^${h}$`, 'm'));
  assert.match(r.stdout, /^ *v6\.6\.5 +point +v6\.6 \+ a2e7e59a9426$/m);
  assert.match(r.stdout, /^ *v6\.18\.y \(default\) +lts /m);
  assert.match(r.stdout, /checked: verified, unifreq\/linux-6\.18\.y/);
  assert.match(r.stdout, /probe-vs-register +seed 001 +default/);
  const j = cli('list', 'invariants', '--json');
  const arr = JSON.parse(j.stdout);
  assert.ok(Array.isArray(arr) && arr.some((x: { name: string }) => x.name === 'DomainFreeSafe'));
  const bad = cli('list', 'kernals');
  assert.equal(bad.code, 2);
  oneErrorLine(bad, 'E_USAGE');
});

test('export tla writes <Module>.tla and .cfg and refuses to overwrite them without --force', () => {
  const out = tmpDir('tla');
  const args = ['export', 'tla', '--model', 'counters', '--set', 'n=3', '--set', 'm=3', '--out', out];
  const r = cli(...args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(path.join(out, 'counters_3_3.tla'), 'utf8'), /MODULE counters_3_3/);
  assert.ok(fs.existsSync(path.join(out, 'counters_3_3.cfg')));
  const again = cli(...args);
  assert.equal(again.code, 2);
  oneErrorLine(again, 'E_OUT_EXISTS');
  assert.equal(cli(...args, '--force').code, 0);
  const k = cli('export', 'tla', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--out', out);
  assert.equal(k.code, 0, k.stderr);
});

test('every command has --help with an example', () => {
  for (const c of ['check', 'verify-patch', 'trace', 'replay', 'list', 'export']) {
    const r = cli(c, '--help');
    assert.equal(r.code, 0, c);
    assert.match(r.stdout, /Example/, c);
    assert.match(r.stdout, /probecheck /, c);
  }
});
