/**
 * probecheck drift on fake trees (test/drift/fixtures: small C functions shaped like the ones
 * the model cites, not kernel code). The recorded fingerprints are taken from fixtures/base
 * the way cite-kernel takes them from a release's tree, so each variant is compared with base.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runDrift } from '../../src/cli/commands/drift';
import { ProbeError } from '../../src/errors';
import { BASE, FIXTURES, recordFrom, ROOT, variant } from './helpers';

const drift = async (tree: string, more: { against?: string; json?: boolean; kernel?: string } = {}) =>
  runDrift({ tree, json: Boolean(more.json), ...(more.against ? { against: more.against } : {}), ...(more.kernel ? { kernel: more.kernel } : {}) }, await recordFrom(BASE));

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'probecheck.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('identical: the tree the fingerprints were recorded from has no drift (exit 0)', async () => {
  const o = await drift(BASE);
  assert.equal(o.exitCode, 0, o.stdout);
  assert.match(o.stdout!, /^nearest modelled kernel: v6\.18\.y \(verified; fingerprints from fake\/base@000000000000\): 7 of 7 cited functions identical$/m);
  assert.match(o.stdout!, /^no drift: /m);
  assert.match(o.stdout!, /\(Makefile: 6\.99\.0-fake\)/);
});

test('reformatted (layout, spacing, comments, functions moved): the same fingerprints, no drift', async () => {
  const o = await drift(path.join(FIXTURES, 'reformatted'), { json: true });
  assert.equal(o.exitCode, 0, o.stdout);
  const doc = JSON.parse(o.stdout!);
  assert.equal(doc.identical, 7);
  assert.equal(doc.drifted, 0);
  // The lines are the reformatted tree's own.
  assert.equal(doc.functions.find((f: { fn: string }) => f.fn === 'iommu_init_device()').lines, '10-24');
});

test('a comment-only change inside a function is not drift', async () => {
  const dir = variant('comment', { 'drivers/iommu/iommu.c': (t) => t.replace('/* already probed */', '/* grouped by an earlier probe: nothing to do */\n\t\t/* (a second comment line) */') });
  const o = await drift(dir);
  assert.equal(o.exitCode, 0, o.stdout);
});

test('one changed line: its function and steps are reported with the lines in the tree, and --against prints the diff', async () => {
  const dir = variant('changed', { 'drivers/iommu/iommu.c': (t) => t.replace('return 0;\t/* already probed */', 'return -EEXIST;') });
  const o = await drift(dir);
  assert.equal(o.exitCode, 1);
  assert.match(o.stdout!, /^1 function differs from v6\.18\.y; the model may be stale for its steps:$/m);
  assert.match(o.stdout!, /^__iommu_probe_device\(\) {2}drivers\/iommu\/iommu\.c:28-40 {2}changed \(v6\.18\.y: iommu\.c:28-40\)$/m);
  assert.match(o.stdout!, /^ {2}steps: r_grouped_check \[C,N,R\], r_gm_add \[C,N,R\]$/m);
  assert.doesNotMatch(o.stdout!, /^iommu_init_device/m);

  const d = await drift(dir, { against: BASE });
  assert.equal(d.exitCode, 1);
  assert.match(d.stdout!, /^--- a\/drivers\/iommu\/iommu\.c\t/m);
  assert.match(d.stdout!, /^\+\+\+ b\/drivers\/iommu\/iommu\.c\t/m);
  assert.match(d.stdout!, /^@@ -30,7 \+30,7 @@$/m, 'hunks at the files\' line numbers');
  assert.match(d.stdout!, /^-\t\treturn 0;\t\/\* already probed \*\/$/m);
  assert.match(d.stdout!, /^\+\t\treturn -EEXIST;$/m);

  const j = JSON.parse((await drift(dir, { against: BASE, json: true })).stdout!);
  const f = j.functions.find((x: { fn: string }) => x.fn === '__iommu_probe_device()');
  assert.equal(f.status, 'differs');
  assert.equal(f.lines, '28-40');
  assert.match(f.diff, /\+\t\treturn -EEXIST;/);
  assert.deepEqual([...new Set(f.steps.map((s: { label: string }) => s.label))], ['r_grouped_check', 'r_gm_add']);
  assert.deepEqual([...new Set(f.steps.map((s: { actor: string }) => s.actor))].sort(), ['C', 'N', 'R']);
});

test('a removed function is reported missing; a renamed one is recognised by its body', async () => {
  const removed = variant('removed', { 'drivers/base/dd.c': (t) => t.replace(/static void driver_bound[\s\S]*?\n}\n/, '') });
  const o = await drift(removed);
  assert.equal(o.exitCode, 1);
  assert.match(o.stdout!, /^driver_bound\(\) {2}drivers\/base\/dd\.c {2}missing: no function of that name in the file \(renamed, moved or removed; v6\.18\.y: dd\.c:4-8\)$/m);
  assert.match(o.stdout!, /^ {2}steps: c_bound \[C\], r_bound \[R\]$/m);

  const renamed = variant('renamed', { 'drivers/iommu/of_iommu.c': (t) => t.split('of_iommu_xlate(').join('of_iommu_translate(') });
  const r = await drift(renamed);
  assert.equal(r.exitCode, 1);
  assert.match(r.stdout!, /^of_iommu_xlate\(\) {2}drivers\/iommu\/of_iommu\.c {2}missing: renamed\? of_iommu_translate\(\) at of_iommu\.c:4-11 has the body v6\.18\.y records for of_iommu_xlate\(\)$/m);
  // Its caller now calls another name: that is a change too.
  assert.match(r.stdout!, /^of_iommu_configure\(\) {2}drivers\/iommu\/of_iommu\.c:13-30 {2}changed/m);
});

test('a cited file missing from the tree is bad input: one E_KERNEL_TREE line naming it', async () => {
  const dir = variant('nofile', { 'drivers/iommu/of_iommu.c': null });
  await assert.rejects(drift(dir), (e: unknown) => e instanceof ProbeError && e.code === 'E_KERNEL_TREE'
    && /no drivers\/iommu\/of_iommu\.c, which v6\.18\.y's steps cite \(o_lock, o_sample, o_cleanup, o_replay, \.\.\.\); give a whole kernel source tree$/.test(e.message));
  // The CLI, with the package's fingerprints: the fake tree lacks files every kernel cites.
  const r = cli('drift', '--kernel-tree', BASE);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^probecheck: E_KERNEL_TREE: --kernel-tree \S+: no [^\n]*drivers\/base\/platform\.c[^\n]*; give a whole kernel source tree\n$/);
});

test('bad input, one line and exit 2: not a directory, not a kernel tree, an unknown kernel, no --kernel-tree (every kernel has fingerprints since v6.19 and v7.0 were read)', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-drift-empty-'));
  const cases: [string[], string, RegExp][] = [
    [['--kernel-tree', path.join(empty, 'nope')], 'E_KERNEL_TREE', /no such directory/],
    [['--kernel-tree', path.join(BASE, 'Makefile')], 'E_KERNEL_TREE', /not a directory/],
    [['--kernel-tree', empty], 'E_KERNEL_TREE', /not a kernel source tree \(no drivers\/iommu/],
    [['--kernel-tree', BASE, '--kernel', 'v6.7'], 'E_UNKNOWN_KERNEL', /unknown kernel 'v6\.7'; closest: /],
    [['--kernel-tree', BASE, '--against', empty], 'E_KERNEL_TREE', /./],
    [[], 'E_USAGE', /give --kernel-tree PATH/],
  ];
  for (const [args, code, msg] of cases) {
    const r = cli('drift', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].startsWith(`probecheck: ${code}: `), lines[0]);
    assert.match(lines[0], msg);
  }
});
