/** Bad input: exit 2 and exactly one line on stderr with a stable code and the closest names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, oneErrorLine, ROOT, tmpDir } from './helpers';

const out = () => path.join(tmpDir('err'), 'run');

test('an unknown kernel names the closest kernels', () => {
  const r = cli('check', '--kernel', 'v6.7', '--scenario', 'probe-vs-register', '--out', out());
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_UNKNOWN_KERNEL'), /unknown kernel 'v6\.7'; closest: .*v6\.6/);
  assert.equal(r.stdout, '');
});

test('an unknown scenario names the closest scenarios', () => {
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-registr', '--out', out());
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_UNKNOWN_SCENARIO'), /probe-vs-register/);
});

test('an unknown built-in patch names the closest patches', () => {
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', 'ipmmu-free-gaurd', '--out', out());
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_UNKNOWN_PATCH'), /ipmmu-free-guard/);
});

test('a patch file that does not exist is an unknown patch', () => {
  const r = cli('verify-patch', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', './no-such-fix.ts');
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_UNKNOWN_PATCH'), /no-such-fix\.ts/);
});

test('an unknown invariant names the closest invariants', () => {
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--invariant', 'DomainFreeSaf', '--out', out());
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_UNKNOWN_INVARIANT'), /DomainFreeSafe/);
});

test('an unknown classic model and an unknown --set key name the valid ones', () => {
  const m = cli('check', '--model', 'counter', '--out', out());
  assert.equal(m.code, 2);
  assert.match(oneErrorLine(m, 'E_UNKNOWN_MODEL'), /counters/);
  const k = cli('check', '--model', 'counters', '--set', 'q=3', '--out', out());
  assert.equal(k.code, 2);
  assert.match(oneErrorLine(k, 'E_UNKNOWN_PARAM'), /valid: n, m/);
  const v = cli('check', '--model', 'counters', '--set', 'n=99', '--out', out());
  assert.equal(v.code, 2);
  oneErrorLine(v, 'E_BAD_VALUE');
});

test('impossible combinations are rejected before any work', () => {
  const a = cli('check', '--model', 'counters', '--kernel', 'v6.6.5', '--out', out());
  assert.equal(a.code, 2);
  assert.match(oneErrorLine(a, 'E_USAGE'), /--kernel/);
  const b = cli('check', '--set', 'n=3', '--out', out());
  assert.equal(b.code, 2);
  assert.match(oneErrorLine(b, 'E_USAGE'), /--model/);
  const c = cli('check', '--workers', 'many');
  assert.equal(c.code, 2);
  oneErrorLine(c, 'E_BAD_VALUE');
  const d = cli('check', '--no-such-option');
  assert.equal(d.code, 2);
  assert.match(oneErrorLine(d, 'E_USAGE'), /unknown option/);
});

test('a corrupt or unreadable trace file names the file and what is wrong', () => {
  const dir = tmpDir('corrupt');
  const bad = path.join(dir, 'violation-X.json');
  fs.writeFileSync(bad, '{"format": "probecheck-trace", "steps": [');
  const r = cli('trace', bad);
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_TRACE_FILE'), /violation-X\.json: not JSON/);
  const missing = cli('trace', path.join(dir, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing, 'E_TRACE_FILE'), /nope\.json: cannot read it \(no such file\)/);
  fs.writeFileSync(bad, '{"hello": 1}');
  const other = cli('replay', bad, '--model', 'counters');
  assert.equal(other.code, 2);
  oneErrorLine(other, 'E_TRACE_FILE');
});

test('a user patch that edits a missing label fails naming the patch and the label', () => {
  const patch = path.join(ROOT, 'test', 'cli', 'fixtures', 'missing-label.ts');
  const r = cli('verify-patch', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', patch);
  assert.equal(r.code, 2);
  const line = oneErrorLine(r, 'E_PATCH');
  assert.match(line, /guard-missing-label/);
  assert.match(line, /c_use_dx/);
});

test('a user patch module that throws while loading fails with E_PATCH naming the file', () => {
  const file = path.join(tmpDir('throw'), 'boom.ts');
  fs.writeFileSync(file, 'const x: number = 1;\nthrow new Error("boom " + x);\nexport default {};\n');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--patch', file, '--out', out());
  assert.equal(r.code, 2);
  assert.match(oneErrorLine(r, 'E_PATCH'), /boom\.ts: loading it threw: boom 1/);
});

test('--iommu-driver: an unknown driver is one line with the closest names, exit 2; a run records it for replay', () => {
  const bad = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--iommu-driver', 'smmu3', '--out', out());
  assert.equal(bad.code, 2);
  assert.match(oneErrorLine(bad, 'E_UNKNOWN_DRIVER'), /closest: smmu-v3/);
  const dir = out();
  // SMMUv3 returns -ENODEV for a client while it registers: the client binds on dma-direct with
  // no group, and the SMMU (resetting before it registers) aborts its DMA.
  const ok = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--iommu-driver', 'smmu-v3', '--out', dir, '--json', '--quiet');
  assert.equal(ok.code, 1, ok.stderr);
  const doc = JSON.parse(ok.stdout);
  assert.equal(doc.iommuDriver, 'smmu-v3');
  assert.deepEqual(doc.violations.map((v: { invariant: string }) => v.invariant), ['NoUnattachedDma']);
});
