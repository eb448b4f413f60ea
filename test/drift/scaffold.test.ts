/** patch scaffold: a kernel diff to a definePatch skeleton (docs/examples/avoid-races.patch,
 *  written for the docs in the shape of 0c8e9c148e29, applies to fixtures/base). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScaffold } from '../../src/cli/commands/patch';
import { loadPatch } from '../../src/cli/patch-loader';
import { parseUnifiedDiff } from '../../src/drift/diff-hunks';
import { touchedByContext } from '../../src/drift/scaffold';
import { buildKernelModel, PATCHES } from '../../src/model';
import { BASE, ROOT } from './helpers';

const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'avoid-races.patch');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'probecheck.js'), ...args], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('from the diff alone: the hunk in iommu_init_device() sits above its steps; the other is not modelled', async () => {
  const o = await runScaffold({ diff: EXAMPLE, kernel: 'v6.15', force: false });
  assert.equal(o.exitCode, 0);
  const m = o.stdout!;
  assert.match(m, /^ {4}\/\/ ---- iommu_init_device\(\) drivers\/iommu\/iommu\.c: steps r_alloc \[C,N,R\], r_ops \[C,N,R\], r_group \[C,N,R\], r_fw_test \[N,R\], r_drop \[N,R\], r_relock \[N,R\]$/m);
  // The hunk comes before the steps it touches.
  const hunkAt = m.indexOf('    // -\tif (!dev->driver) {');
  assert.ok(hunkAt > 0 && hunkAt < m.indexOf('    //   r_fw_test [N,R]: whether to drop the probe lock'));
  assert.match(m, /^ \* {3}drivers\/iommu\/iommu\.c @@ -54,6 \+58,8 @@ iommu_device_link\(\)$/m);
  assert.match(m, /^ {2}title: 'iommu: Drop the probe lock only without a fwspec, and re-check after',$/m);
  assert.match(o.stderr!, /2 hunks, 1 in functions the model cites, 1 not modelled/);
});

test('the scaffold loads as it is (an empty edit) and the model builds with it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-scaffold-'));
  const file = path.join(dir, 'fix.ts');
  const r = cli('patch', 'scaffold', EXAMPLE, '--kernel', 'v6.15', '--out', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`wrote ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n$`));
  const p = loadPatch(file);
  assert.equal(p.id, 'avoid-races');
  assert.ok(buildKernelModel({ kernel: 'v6.15', scenario: 'double-probe', patches: [p] }).actors.length > 0);
  // --out refuses to overwrite without --force.
  const again = cli('patch', 'scaffold', EXAMPLE, '--out', file);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^probecheck: E_OUT_EXISTS: .* exists \(use --force to replace it\)\n$/);
});

test('docs/examples: the scaffold in the docs is what the command writes, and the completed patch is 0c8e9c148e29\'s form', async () => {
  const o = await runScaffold({ diff: EXAMPLE, kernel: 'v6.15', force: false });
  assert.equal(fs.readFileSync(path.join(ROOT, 'docs', 'examples', 'avoid-races.scaffold.ts'), 'utf8'), o.stdout);
  const done = loadPatch(path.join(ROOT, 'docs', 'examples', 'avoid-races.ts'));
  const builtin = PATCHES.find((p) => p.id === '0c8e9c148e29')!;
  assert.deepEqual(done.flags, builtin.flags);
});

test('with the tree the diff applies to: functions by their parsed ranges, found at an offset too', async () => {
  const o = await runScaffold({ diff: EXAMPLE, kernel: 'v6.15', kernelTree: BASE, force: false });
  assert.match(o.stdout!, /functions found by function ranges parsed from --kernel-tree/);
  assert.match(o.stdout!, /---- iommu_init_device\(\) drivers\/iommu\/iommu\.c/);
  // The same diff with wrong line numbers in its headers: found 5 lines off, as patch(1) would.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-scaffold-'));
  const moved = path.join(dir, 'moved.patch');
  fs.writeFileSync(moved, fs.readFileSync(EXAMPLE, 'utf8').replace('@@ -12,10 +12,14 @@ static int iommu_init_device(struct device *dev)', '@@ -17,10 +17,14 @@'));
  const m = await runScaffold({ diff: moved, kernel: 'v6.15', kernelTree: BASE, force: false });
  assert.match(m.stdout!, /---- iommu_init_device\(\) drivers\/iommu\/iommu\.c/);
  assert.doesNotMatch(m.stderr!, /does not apply/);
  // Without the tree and without the function context, that hunk is not placed in a function.
  const blind = await runScaffold({ diff: moved, kernel: 'v6.15', force: false });
  assert.match(blind.stdout!, /@@ -17,10 \+17,14 @@ outside any function/);
});

test('function context: a hunk that ends one function and starts another touches both', () => {
  const d = parseUnifiedDiff([
    '--- a/drivers/iommu/iommu.c', '+++ b/drivers/iommu/iommu.c',
    '@@ -10,6 +10,6 @@ static int first_fn(struct device *dev)',
    '-\treturn 1;', '+\treturn 2;', ' }', ' ', ' static int second_fn(void)', ' {', '-\treturn 3;', '+\treturn 4;',
  ].join('\n') + '\n', 'inline');
  assert.deepEqual(touchedByContext(d.hunks[0]), ['first_fn', 'second_fn']);
});

test('bad input: no such diff, or a file that is not a unified diff: one E_DIFF_FILE line, exit 2', () => {
  const r = cli('patch', 'scaffold', 'no-such.patch');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "probecheck: E_DIFF_FILE: no diff file 'no-such.patch'\n");
  const n = cli('patch', 'scaffold', 'README.md');
  assert.equal(n.code, 2);
  assert.match(n.stderr, /^probecheck: E_DIFF_FILE: README\.md: no hunk \(@@ -a,b \+c,d @@\) in it: not a unified diff\n$/);
  const k = cli('patch', 'scaffold', EXAMPLE, '--kernel', 'v6.7');
  assert.equal(k.code, 2);
  assert.match(k.stderr, /^probecheck: E_UNKNOWN_KERNEL: unknown kernel 'v6\.7'/);
});
