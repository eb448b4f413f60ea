/** probecheck show: the steps of a model one a line, filters, diffs; the rendering on a hand-made model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ProbeError } from '../../src/errors';
import { eq, me, ne, self, set, v } from '../../src/ir/dsl';
import type { Model } from '../../src/ir/types';
import { diffRows, filterRows, formatDiff, formatRows, rowsJson, stepRows } from '../../src/cli/steps';
import { cli, oneErrorLine, ROOT } from './helpers';

/** The cells of a table line (columns are separated by two or more spaces). */
const cells = (l: string) => l.trim().split(/ {2,}/);

/** The labels of `actor`'s lines in a show table, in order. */
function labelsOf(stdout: string, actor: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith(actor + ' ')).map((l) => cells(l)[1]);
}

// ------------------------------------------------------------------ the kernel model, through the CLI

test('show v6.6 probe-vs-register: the client lists the probe path in model order, one line a step', () => {
  const r = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^== probecheck show: kernel v6\.6\.5, scenario probe-vs-register, patches: none$/m);
  assert.match(r.stdout, /^actor +label +function +file +checked +branches +origin$/m);
  const c = labelsOf(r.stdout, 'C[D]');
  const path = ['p_lock', 'pd_bus_ops', 'r_grouped_check', 'r_alloc', 'r_probe_dev', 'r_group', 'r_gm_add', 'p_unlock'];
  const at = c.indexOf('p_lock');
  assert.ok(at >= 0, c.join(' '));
  assert.deepEqual(c.slice(at, at + path.length), path);
  assert.ok(c.indexOf('p_lock') < c.indexOf('pd_bus_ops') && c.indexOf('pd_bus_ops') < c.indexOf('r_grouped_check'));
  assert.ok(labelsOf(r.stdout, 'R[I]').includes('r_publish'));
  assert.ok(!labelsOf(r.stdout, 'R[I]').includes('r_fw_test'), 'v6.6 has no r_fw_test');
  // One step's whole line: actor, label, function, file, checked, branches, origin.
  const line = r.stdout.split('\n').find((l) => l.startsWith('C[D] ') && cells(l)[1] === 'pd_bus_ops')!;
  assert.deepEqual(cells(line), ['C[D]', 'pd_bus_ops', '__iommu_probe_device()', 'drivers/iommu/iommu.c',
    'v6.6.5 unifreq/linux-6.6.y@338b333eae4c iommu.c:484-559', 'enodev -> p_unlock, ok -> r_grouped_check', '(src/model/paths/init-device.ts)']);
  const single = r.stdout.split('\n').find((l) => l.startsWith('C[D] ') && cells(l)[1] === 'p_lock')!;
  assert.equal(cells(single)[5], '-> pd_bus_ops');
  // Columns are aligned: every row's file cell starts where the header's does.
  const lines = r.stdout.split('\n');
  const head = lines.find((l) => l.startsWith('actor '))!;
  const col = head.indexOf('file');
  for (const l of lines.filter((x) => /^[CR]\[/.test(x))) assert.equal(l.indexOf(cells(l)[3], col), col, l);
});

test('show --actor keeps one actor; --fn keeps the steps whose kernel function contains NAME', () => {
  const a = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--actor', 'R');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(labelsOf(a.stdout, 'C[D]').length, 0);
  assert.equal(labelsOf(a.stdout, 'R[I]')[0], 'r_publish');
  const f = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--fn', 'iommu_probe_device');
  assert.equal(f.code, 0, f.stderr);
  const rows = f.stdout.split('\n').filter((l) => /^[CR]\[/.test(l));
  assert.ok(rows.length > 0);
  for (const l of rows) assert.match(cells(l)[2], /iommu_probe_device/, l);
  assert.deepEqual(labelsOf(f.stdout, 'C[D]'), ['p_lock', 'pd_bus_ops', 'r_grouped_check', 'r_gm_add', 'p_unlock']);
  assert.deepEqual(labelsOf(f.stdout, 'R[I]'), ['pd_bus_ops', 'r_grouped_check', 'r_gm_add']);
  assert.doesNotMatch(f.stdout, /really_probe/);
  assert.match(f.stdout, /^8 steps in 2 actors; checked against kernel source: 8, inferred: 0$/m);
  // v7.0 was read in an import of 7.0.0: every step is checked there.
  assert.match(cli('show', '--kernel', 'v7.0', '--scenario', 'probe-vs-register', '--fn', 'iommu_probe_device').stdout, /checked against kernel source: \d+, inferred: 0$/m);
  const both = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--actor', 'C', '--fn', 'iommu_probe_device', '--json');
  const doc = JSON.parse(both.stdout);
  assert.deepEqual(doc.actors.map((x: { actor: string }) => x.actor), ['C']);
  assert.deepEqual(doc.actors[0].steps.map((s: { label: string }) => s.label), ['p_lock', 'pd_bus_ops', 'r_grouped_check', 'r_gm_add', 'p_unlock']);
});

test('show --json: each step with function, file, checked (empty: inferred), branches, origin', () => {
  const r = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.kernel, 'v6.6.5');
  assert.equal(doc.scenario, 'probe-vs-register');
  const c = doc.actors.find((a: { actor: string }) => a.actor === 'C');
  assert.deepEqual(c.instances, ['C[D]']);
  const s = c.steps.find((x: { label: string }) => x.label === 'pd_bus_ops');
  assert.deepEqual(s, {
    actor: 'C', label: 'pd_bus_ops', fn: '__iommu_probe_device()', file: 'drivers/iommu/iommu.c',
    checked: [{ release: 'v6.6.5', tree: 'unifreq/linux-6.6.y@338b333eae4c', lines: 'iommu.c:484-559' }], inferred: false,
    branches: [{ name: 'enodev', goto: 'p_unlock' }, { name: 'ok', goto: 'r_grouped_check' }], origin: 'src/model/paths/init-device.ts',
  });
});

test('show --guards prints guards with showExpr; an instance\'s own slot reads [self]', () => {
  const r = cli('show', '--kernel', 'v6.6.5', '--scenario', 'two-smmu-async', '--actor', 'C', '--fn', 'iommu_probe_device', '--guards');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^C\[D1,D2,D3,D4\] +p_lock /m);
  assert.match(r.stdout, /^ +guard: probe_lock = none$/m);
  assert.match(r.stdout, /^ +grouped if: dev\.iommu_group\[self\] # none$/m);
  const plain = cli('show', '--kernel', 'v6.6.5', '--scenario', 'two-smmu-async', '--actor', 'C', '--fn', 'iommu_probe_device');
  assert.doesNotMatch(plain.stdout, /guard:/);
});

test('show --diff v6.15 on v6.6: r_fw_test and r_drop added in R, pd_bus_ops removed', () => {
  const r = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--diff', 'v6.15');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^== probecheck show: scenario probe-vs-register, kernel v6\.6\.5 -> v6\.15/m);
  assert.match(r.stdout, /^R\[I\]: v6\.6\.5 16 steps -> v6\.15 25 steps: \d+ added, \d+ removed, \d+ changed, \d+ unchanged$/m);
  assert.match(r.stdout, /^\+ R\[I\] +r_fw_test +iommu_init_device\(\) /m);
  assert.match(r.stdout, /^\+ R\[I\] +r_drop /m);
  assert.match(r.stdout, /^- R\[I\] +pd_bus_ops /m);
  assert.doesNotMatch(r.stdout, /^- R\[I\] +r_fw_test /m);
  // A changed step: its - and + lines, then what changed.
  assert.match(r.stdout, /^- R\[I\] +r_lock .* -> pd_bus_ops +\(src\/model\/paths\/init-device\.ts\)\n\+ R\[I\] +r_lock .* -> r_grouped_check +\(src\/model\/paths\/init-device\.ts\)\n +changed: branches, checked$/m);
  // The dropping form's own steps say where they come from.
  assert.match(r.stdout, /^\+ R\[I\] +r_drop .*\(src\/model\/paths\/probe-dropping\.ts\)$/m);
  const j = JSON.parse(cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--diff', 'v6.15', '--json', '--actor', 'R').stdout);
  assert.deepEqual(j.from, { kernel: 'v6.6.5', patches: [] });
  assert.deepEqual(j.to, { kernel: 'v6.15', patches: [] });
  const R = j.actors[0];
  assert.equal(R.actor, 'R');
  const added = R.entries.filter((e: { op: string }) => e.op === 'added').map((e: { label: string }) => e.label);
  assert.ok(added.includes('r_fw_test') && added.includes('r_drop'), added.join(' '));
  assert.deepEqual(R.entries.filter((e: { op: string }) => e.op === 'removed').map((e: { label: string }) => e.label), ['pd_bus_ops']);
  // The same kernel on both sides: no change.
  const same = cli('show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register', '--diff', 'v6.6.5');
  assert.match(same.stdout, /^C\[D\]: v6\.6\.5 26 steps -> v6\.6\.5 26 steps: no change \(26 unchanged\)$/m);
  assert.doesNotMatch(same.stdout, /^[-+] /m);
});

test('show --patch 0c8e9c148e29 on v6.15 double-probe: the r_recheck step is added', () => {
  const r = cli('show', '--kernel', 'v6.15', '--scenario', 'double-probe', '--patch', '0c8e9c148e29');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^== probecheck show: kernel v6\.15, scenario double-probe, patches: none -> 0c8e9c148e29$/m);
  assert.match(r.stdout, /^\+ N\[D\] +r_recheck +iommu_init_device\(\) .* gone -> p_unlock, ok -> r_ops /m);
  assert.match(r.stdout, /^\+ R\[I2\] +r_recheck .* gone -> r_unlock, ok -> r_ops /m);
  assert.match(r.stdout, /^C\[D\]: .*: no change/m);
  assert.doesNotMatch(r.stdout, /^- .*r_recheck/m);
  // Without the patch there is no such step.
  const base = cli('show', '--kernel', 'v6.15', '--scenario', 'double-probe', '--fn', 'iommu_init_device');
  assert.doesNotMatch(base.stdout, /r_recheck/);
  const j = JSON.parse(cli('show', '--kernel', 'v6.15', '--scenario', 'double-probe', '--patch', '0c8e9c148e29', '--json').stdout);
  const N = j.actors.find((a: { actor: string }) => a.actor === 'N');
  assert.deepEqual(N.entries.filter((e: { op: string }) => e.op === 'added').map((e: { label: string }) => e.label), ['r_recheck']);
  const relock = N.entries.find((e: { label: string }) => e.label === 'r_relock');
  assert.deepEqual(relock.changes, ['branches']);
  // A guard-only change is named, and --guards prints the guards on both sides.
  assert.match(r.stdout, /^- N\[D\] +r_fw_test .*\n\+ N\[D\] +r_fw_test .*\n +changed: branch guards \(--guards prints them\)$/m);
  const g = cli('show', '--kernel', 'v6.15', '--scenario', 'double-probe', '--patch', '0c8e9c148e29', '--guards', '--actor', 'N');
  assert.match(g.stdout, /^- N\[D\] +r_fw_test .*\n +drop if: dev\.driver\[D\] = none\n.*\n\+ N\[D\] +r_fw_test .*\n +drop if: dev\.iommu_fwspec\[D\] # present \/\\ dev\.driver\[D\] = none\n.*\n +changed: branch guards$/m);
});

test('show --patch FILE loads a patch module as check --patch does', () => {
  const fix = path.join(ROOT, 'test', 'model', 'fixtures', 'fix-5.5.ts');
  const r = cli('show', '--kernel', 'v6.15', '--scenario', 'probe-vs-register', '--patch', fix, '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.to, { kernel: 'v6.15', patches: [fix] });
  const C = doc.actors.find((a: { actor: string }) => a.actor === 'C');
  assert.deepEqual(C.entries.map((e: { op: string; label: string }) => `${e.op} ${e.label}`), ['changed c_use_dd']);
  assert.deepEqual(C.entries[0].changes, ['branches', 'branch guards']);
  assert.deepEqual(C.entries[0].after.branches.map((b: { name: string }) => b.name), ['managed', 'nogroup', 'group', 'inflight']);
  const R = doc.actors.find((a: { actor: string }) => a.actor === 'R');
  assert.equal(R.entries.length, 0);
  assert.equal(R.unchanged, 25);
});

test('show: bad names and combinations are one line and exit 2, nothing on stdout', () => {
  const base = ['show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register'];
  const cases: [string[], string, RegExp][] = [
    [[...base, '--actor', 'X'], 'E_UNKNOWN_ACTOR', /unknown actor 'X'; valid: C\[D\], R\[I\]/],
    [['show', '--kernel', 'v6.7', '--scenario', 'probe-vs-register'], 'E_UNKNOWN_KERNEL', /closest: .*v6\.6/],
    [['show', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-registr'], 'E_UNKNOWN_SCENARIO', /probe-vs-register/],
    [[...base, '--diff', 'v6.16'], 'E_UNKNOWN_KERNEL', /v6\.15/],
    [[...base, '--diff', 'v6.15', '--patch', '0c8e9c148e29'], 'E_USAGE', /--diff .* --patch/],
    [[...base, '--diff', 'v6.15', '--diff', 'v6.1'], 'E_USAGE', /one --diff/],
    [['show', '--kernel', 'v6.6.5'], 'E_USAGE', /--scenario/],
    [[...base, '--fn', 'iommu_prob_device'], 'E_UNKNOWN_FUNCTION', /closest: iommu_probe_device/],
    [[...base, '--fn', 'p_lock'], 'E_UNKNOWN_FUNCTION', /'p_lock' is a step label \(of iommu_probe_device\(\)\)/],
    [[...base, '--patch', 'ipmmu-free-gaurd'], 'E_UNKNOWN_PATCH', /ipmmu-free-guard/],
    [[...base, '--patch', './no-such-fix.ts'], 'E_UNKNOWN_PATCH', /no-such-fix\.ts/],
  ];
  for (const [args, code, msg] of cases) {
    const r = cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(oneErrorLine(r, code), msg, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
});

test('show --help has examples', () => {
  const r = cli('show', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n +probecheck show /);
});

// ------------------------------------------------------------------ the rendering, on a hand-made model

/** Steps that record their model file and the releases they were checked against. */
const hand: Model = {
  name: 'hand',
  entities: [{ name: 'dev', count: 2, slotNames: ['D1', 'D2'] }],
  fields: [
    { name: 'phase', domain: { kind: 'enum', values: ['idle', 'bound'] }, over: 'dev', init: 'idle' },
    { name: 'lock', domain: { kind: 'ref', entity: '$thread', nullable: true }, init: 'none' },
  ],
  actors: [
    {
      name: 'P', over: 'dev', steps: [
        {
          label: 'p_lock', fn: 'iommu_probe_device()', file: 'drivers/iommu/iommu.c', origin: 'src/model/probe.ts',
          checked: [
            { release: 'v6.6.5', tree: 'linux@abc123', lines: 'iommu.c:410-431' },
            { release: 'v6.15', tree: 'linux@def456', lines: 'iommu.c:500-512' },
          ],
          guard: eq(v('lock'), 'none'),
          branches: [{ assign: [set('lock', undefined, me)], goto: 'p_bind' }],
        },
        {
          label: 'p_bind', fn: 'really_probe()', file: 'drivers/base/dd.c', checked: [],
          branches: [
            { name: 'ok', guard: eq(v('phase', self), 'idle'), assign: [set('phase', self, 'bound'), set('lock', undefined, 'none')], goto: '$end' },
            { name: 'skip', guard: ne(v('phase', self), 'idle'), assign: [set('lock', undefined, 'none')], goto: '$end' },
          ],
        },
      ],
    },
    { name: 'R', steps: [{ label: 'r_go', fn: 'iommu_device_register()', branches: [{ assign: [], goto: '$end' }] }] },
  ],
  properties: [],
};

test('rendering: checked releases, origin, unnamed and named branches, instance slots, aligned columns', () => {
  const rows = stepRows(hand);
  const out = formatRows(rows);
  const lines = out.split('\n').filter((l) => l.length);
  assert.deepEqual(cells(lines[0]), ['actor', 'label', 'function', 'file', 'checked', 'branches', 'origin']);
  assert.deepEqual(cells(lines[1]), ['P[D1,D2]', 'p_lock', 'iommu_probe_device()', 'drivers/iommu/iommu.c',
    'v6.6.5 linux@abc123 iommu.c:410-431; v6.15 linux@def456 iommu.c:500-512', '-> p_bind', '(src/model/probe.ts)']);
  assert.deepEqual(cells(lines[2]), ['P[D1,D2]', 'p_bind', 'really_probe()', 'drivers/base/dd.c', 'inferred', 'ok -> $end, skip -> $end', '-']);
  assert.deepEqual(cells(lines[3]), ['R', 'r_go', 'iommu_device_register()', '-', 'inferred', '-> $end', '-']);
  assert.equal(out.split('\n')[3], '', 'a blank line between actors');
  // Every column starts at the same place on every line.
  for (const name of ['label', 'function', 'file', 'checked', 'branches', 'origin']) {
    const col = lines[0].indexOf(name);
    const i = cells(lines[0]).indexOf(name);
    for (const l of lines.slice(1)) assert.equal(l.indexOf(cells(l)[i], col), col, `${name}: ${l}`);
  }
  const j = rowsJson(rows);
  assert.deepEqual(j[0].steps[0].checked, hand.actors[0].steps[0].checked);
  assert.equal(j[0].steps[0].inferred, false);
  assert.equal(j[0].steps[0].origin, 'src/model/probe.ts');
  assert.equal(j[0].steps[1].inferred, true);
  assert.equal(j[1].steps[0].origin, null);
  assert.deepEqual(j[0].instances, ['P[D1]', 'P[D2]']);
});

test('rendering with guards: the step guard and each branch guard, [self] for the instance slot', () => {
  const out = formatRows(stepRows(hand, { guards: true }));
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.startsWith('P[D1,D2]  p_lock'));
  assert.equal(lines[i + 1].trim(), 'guard: lock = none');
  const k = lines.findIndex((l) => l.startsWith('P[D1,D2]  p_bind'));
  assert.equal(lines[k + 1].trim(), 'ok if: phase[self] = idle');
  assert.equal(lines[k + 2].trim(), 'skip if: phase[self] # idle');
  assert.ok(lines[k + 1].startsWith(' '.repeat('P[D1,D2]'.length + 2) + 'ok'), 'guards are indented to the label column');
});

test('rendering a diff: added, removed, and changed checked/origin/fn/branches by label', () => {
  const p = hand.actors[0];
  const changed: Model = {
    ...hand,
    actors: [
      {
        ...p, steps: [
          { ...p.steps[0], checked: [{ release: 'v6.15', tree: 'linux@def456', lines: 'iommu.c:500-512' }], origin: 'src/model/probe-v2.ts' },
          { label: 'p_recheck', fn: 'iommu_init_device()', branches: [{ assign: [], goto: 'p_bind' }] },
          { ...p.steps[1], fn: '__device_attach()', branches: [p.steps[1].branches[0]] },
        ],
      },
    ],
  };
  const d = diffRows(stepRows(hand), stepRows(changed));
  assert.deepEqual(d.map((x) => x.actor), ['P', 'R']);
  const P = d[0];
  assert.deepEqual(P.entries.map((e) => `${e.op} ${e.label}`), ['changed p_lock', 'added p_recheck', 'changed p_bind']);
  const e0 = P.entries[0], e2 = P.entries[2];
  assert.ok(e0.op === 'changed' && e2.op === 'changed');
  assert.deepEqual(e0.changes, ['checked', 'origin']);
  assert.deepEqual(e2.changes, ['fn', 'branches', 'branch guards']);
  assert.equal(d[1].after, undefined);
  assert.deepEqual(d[1].entries.map((e) => `${e.op} ${e.label}`), ['removed r_go']);
  const text = formatDiff(d, 'old', 'new');
  assert.match(text, /^P\[D1,D2\]: old 2 steps -> new 3 steps: 1 added, 0 removed, 2 changed, 0 unchanged$/m);
  assert.match(text, /^- P\[D1,D2\] +p_lock .* v6\.6\.5 linux@abc123 iommu\.c:410-431; v6\.15 .* \(src\/model\/probe\.ts\)$/m);
  assert.match(text, /^\+ P\[D1,D2\] +p_lock .* -> p_bind +\(src\/model\/probe-v2\.ts\)$/m);
  assert.match(text, /^\+ P\[D1,D2\] +p_lock +iommu_probe_device\(\) +drivers\/iommu\/iommu\.c +v6\.15 linux@def456 iommu\.c:500-512 +-> p_bind/m);
  assert.match(text, /^ +changed: checked, origin$/m);
  assert.match(text, /^\+ P\[D1,D2\] +p_recheck /m);
  assert.match(text, /^R: old R 1 step -> new \(no actor R\): 0 added, 1 removed, 0 changed, 0 unchanged$/m);
  assert.match(text, /^- R +r_go /m);
});

test('rendering: filters fail with the closest names', () => {
  const rows = stepRows(hand);
  assert.deepEqual(filterRows(rows, { actors: ['P[D2]'] }).map((a) => a.actor), ['P']);
  assert.deepEqual(filterRows(rows, { fns: ['probe'] }).flatMap((a) => a.steps.map((s) => s.label)), ['p_lock', 'p_bind']);
  assert.throws(() => filterRows(rows, { actors: ['Q'] }), (e: unknown) => e instanceof ProbeError && e.code === 'E_UNKNOWN_ACTOR' && /valid: P\[D1,D2\], R/.test(e.message));
  assert.throws(() => filterRows(rows, { fns: ['really_prob_'] }), (e: unknown) => e instanceof ProbeError && e.code === 'E_UNKNOWN_FUNCTION' && /the functions: .*really_probe/.test(e.message));
});
