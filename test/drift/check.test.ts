/** check --kernel-tree: the kernel is picked (or --kernel kept), and the drifted steps are
 *  warned of on stderr before the run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { citedFunctions } from '../../src/drift/compare';
import { BASE, ROOT } from './helpers';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'probecheck.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** fixtures/base plus an empty file for every other file v6.6 cites: a tree with every file,
 *  whose functions all differ from the recorded ones (they are not kernel code). */
function stubTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-drift-stub-'));
  fs.cpSync(BASE, dir, { recursive: true });
  for (const c of citedFunctions('v6.6')) {
    const p = path.join(dir, c.file);
    if (!fs.existsSync(p)) { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, '/* empty */\n'); }
  }
  return dir;
}

test('check --kernel-tree --kernel K warns of every drifted step before the run, then checks K', () => {
  const tree = stubTree();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-drift-check-'));
  const r = cli('check', '--kernel-tree', tree, '--kernel', 'v6.6', '--scenario', 'probe-vs-register', '--out', path.join(out, 'r'), '--quiet');
  assert.equal(r.stdout, 'violation\n');
  assert.equal(r.code, 1);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.ok(lines.every((l) => l.startsWith('probecheck: warning: ')), r.stderr);
  assert.ok(lines.some((l) => /^probecheck: warning: __iommu_probe_device\(\) drivers\/iommu\/iommu\.c:28-40 changed since v6\.6; the model may be stale for steps pd_bus_ops \[C,N,R\], p_lock \[C,N\]/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /^probecheck: warning: device_add\(\) drivers\/base\/core\.c missing \(v6\.6 has it at core\.c:\d+-\d+\)/.test(l)), r.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'r', 'summary.json'), 'utf8'));
  assert.equal(summary.kernel, 'v6.6');
});

test('check --kernel-tree: a tree without a cited file, or with --model, is bad input', () => {
  const r = cli('check', '--kernel-tree', BASE, '--scenario', 'probe-vs-register', '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^probecheck: E_KERNEL_TREE: --kernel-tree \S+: no [^\n]+\n$/);
  const m = cli('check', '--kernel-tree', BASE, '--model', 'counters');
  assert.equal(m.code, 2);
  assert.match(m.stderr, /^probecheck: E_USAGE: --kernel-tree picks a kernel baseline; --model takes a classic model\n$/);
});

test('drift and patch scaffold have --help with an example', () => {
  for (const c of [['drift'], ['patch', 'scaffold']]) {
    const r = cli(...c, '--help');
    assert.equal(r.code, 0, c.join(' '));
    assert.match(r.stdout, /Example/, c.join(' '));
    assert.match(r.stdout, /probecheck /, c.join(' '));
  }
});
