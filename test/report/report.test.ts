/**
 * report.html in a real browser (Debian's chromium through playwright-core): the page a check
 * writes by default shows one lane per actor, each step of the counterexample in its actor's
 * lane with the fields it changed highlighted and the locks held, loads nothing from the
 * network; the matrix page shows the grid in verdict colours and what changed. A screenshot
 * is kept in results/ (ignored by git).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, oneErrorLine, ROOT, tmpDir } from '../cli/helpers';
import type { TraceFile } from '../../src/trace/tracefile';
import { launch } from './browser';

// The page functions run in chromium; the project compiles without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare function getComputedStyle(e: any): any;
type HTMLElement = any;

export const SCREENSHOT = path.join(ROOT, 'results', 'report-screenshot.png');

test('check writes report.html; in chromium its swimlane matches the trace step by step', async () => {
  const dir = tmpDir('report');
  const out = path.join(dir, 'run');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--out', out);
  assert.equal(r.code, 1, r.stderr);
  const page = path.join(out, 'report.html');
  assert.match(r.stdout, new RegExp(`report: ${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const trace = JSON.parse(fs.readFileSync(path.join(out, 'violation-NoUnattachedDma.json'), 'utf8')) as TraceFile;
  const actors = [...new Set(trace.steps.map((s) => s.actor))];
  assert.ok(actors.length >= 2, 'a race needs two lanes');
  const b = await launch();
  try {
    const p = await b.context.newPage();
    const requests: string[] = [];
    p.on('request', (q) => requests.push(q.url()));
    await p.setViewportSize({ width: 1400, height: 900 });
    await p.goto(pathToFileURL(page).href);
    const seen = await p.evaluate(() => {
      const lanes = [...document.querySelectorAll('.trace .lane-head')].map((e: any) => ({ name: e.getAttribute('data-lane'), x: e.getBoundingClientRect().x }));
      const steps = [...document.querySelectorAll('.trace .step')].map((e: any) => ({
        index: Number(e.getAttribute('data-step')), actor: e.getAttribute('data-actor'), x: e.getBoundingClientRect().x, y: e.getBoundingClientRect().y,
        fn: e.querySelector('.fn')?.textContent,
        fields: [...e.querySelectorAll('.changes .field.changed')].map((f: any) => ({ field: f.getAttribute('data-field'), bg: getComputedStyle(f).backgroundColor })),
        locks: e.querySelector('.lock')?.getAttribute('data-locks') ?? '',
      }));
      const verdicts = [...document.querySelectorAll('table.invariants tr[data-invariant]')].map((e: any) => [e.getAttribute('data-invariant'), e.className]);
      return { lanes, steps, verdicts, badge: document.querySelector('h1 .badge')?.getAttribute('data-verdict') };
    });
    assert.equal(seen.badge, 'violation');
    assert.deepEqual(seen.lanes.map((l) => l.name), actors, 'one lane per actor, in order of first step');
    assert.equal(seen.steps.length, trace.steps.length);
    let lastY = -Infinity;
    for (const [i, s] of trace.steps.entries()) {
      const got = seen.steps[i];
      assert.equal(got.index, s.index);
      assert.equal(got.actor, s.actor);
      assert.equal(got.fn, s.function ?? s.label);
      // Laid out in its actor's lane (same column as the lane's head), below the step before.
      const lane = seen.lanes.find((l) => l.name === s.actor)!;
      assert.ok(Math.abs(got.x - lane.x) < 2, `step ${s.index} of ${s.actor} is in its lane (x ${got.x} vs ${lane.x})`);
      assert.ok(got.y > lastY, `step ${s.index} is below step ${s.index - 1}`);
      lastY = got.y;
      assert.deepEqual(got.fields.map((f: any) => f.field), s.changes.map((c) => c.slice(0, c.indexOf('='))));
      for (const f of got.fields) assert.equal(f.bg, 'rgb(255, 245, 157)', `${f.field} is highlighted`);
    }
    // Step 1 is really_probe taking device_lock: its actor holds it afterwards.
    assert.equal(trace.steps[0].changes[0], `dev.device_lock[D]=${trace.steps[0].actor}`);
    assert.match(seen.steps[0].locks, /dev\.device_lock\[D\]/);
    assert.deepEqual(seen.verdicts.find(([n]) => n === 'NoUnattachedDma'), ['NoUnattachedDma', 'violated']);
    // A click shows the whole state after the step, with what it changed highlighted.
    await p.click('.trace .step[data-step="1"]');
    const state = await p.evaluate(() => {
      const s = document.querySelector('.trace .step[data-step="1"] .state') as HTMLElement;
      return { shown: getComputedStyle(s).display, changed: [...s.querySelectorAll('.changed')].map((e: any) => e.textContent) };
    });
    assert.equal(state.shown, 'block');
    assert.deepEqual(state.changed, [`dev.device_lock[D] = "${trace.steps[0].actor}"`]);
    assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'the page loads nothing from the network');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await p.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(fs.statSync(SCREENSHOT).size > 10_000);
  } finally {
    await b.close();
  }
});

test('matrix writes report.html beside its document: the grid in verdict colours, changes marked', async () => {
  const dir = tmpDir('report-matrix');
  const small = ['--kernel', 'v4.19', '--kernel', 'v6.1', '--scenario', 'msm-private-domain', '--scenario', 'multi-dmar-register', '--workers', '1', '--quiet'];
  const first = path.join(dir, 'first.json');
  assert.equal(cli('matrix', ...small, '--out', first).code, 0);
  const doc = JSON.parse(fs.readFileSync(first, 'utf8'));
  doc.runs = doc.runs.map((r: { kernel: string; scenario: string }) => (r.kernel === 'v6.1' && r.scenario === 'msm-private-domain' ? { ...r, verdict: 'violation', violations: { DmaApiDomainHasCookie: 30 } } : r));
  const prev = path.join(dir, 'prev.json');
  fs.writeFileSync(prev, JSON.stringify(doc));
  const nightDir = path.join(dir, 'night');
  fs.mkdirSync(nightDir);
  const r = cli('matrix', ...small, '--out', path.join(nightDir, 'm.json'), '--compare', prev);
  assert.equal(r.code, 1, r.stderr);
  const page = path.join(nightDir, 'report.html');
  assert.ok(fs.existsSync(page));
  const b = await launch();
  try {
    const p = await b.context.newPage();
    await p.goto(pathToFileURL(page).href);
    const seen = await p.evaluate(() => ({
      cells: [...document.querySelectorAll('table.grid td.cell')].map((e: any) => ({ cell: e.getAttribute('data-cell'), verdict: e.getAttribute('data-verdict'), bg: getComputedStyle(e).backgroundColor, changed: e.classList.contains('changed') })),
      changes: [...document.querySelectorAll('ul.changes li')].map((e: any) => e.textContent),
    }));
    assert.equal(seen.cells.length, 4);
    const cell = (k: string) => seen.cells.find((c) => c.cell === k)!;
    assert.equal(cell('v4.19/msm-private-domain').verdict, 'violation');
    assert.equal(cell('v4.19/msm-private-domain').bg, 'rgb(198, 40, 40)');
    assert.equal(cell('v6.1/msm-private-domain').bg, 'rgb(46, 125, 50)');
    assert.equal(cell('v4.19/multi-dmar-register').verdict, 'witness-failure');
    assert.equal(cell('v6.1/msm-private-domain').changed, true);
    assert.equal(cell('v6.1/multi-dmar-register').changed, false);
    assert.ok(seen.changes.some((t) => /v6\.1\/msm-private-domain: verdict violation -> pass/.test(t ?? '')));
  } finally {
    await b.close();
  }
});

test('a check of several scenarios: one report of every run, traces from the scenario folders', () => {
  const dir = tmpDir('report-multi');
  const out = path.join(dir, 'run');
  const r = cli('check', '--kernel', 'v4.19', '--scenario', 'msm-private-domain', '--scenario', 'multi-dmar-register', '--workers', '1', '--quiet', '--out', out);
  assert.equal(r.code, 1, r.stderr);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.deepEqual([...html.matchAll(/<section class="run" data-run="([^"]+)"/g)].map((m) => m[1]), ['v4.19/msm-private-domain', 'v4.19/multi-dmar-register']);
  assert.match(html, /<section class="trace" data-invariant="DmaOpsMatchDomain" data-length="25">/);
  assert.match(html, /<tr class="not-reached" data-witness="[^"]+">/);
  assert.doesNotMatch(html, /class="missing"/);
  assert.doesNotMatch(html, /<(link|img|iframe)\b|src=|https?:/, 'nothing to fetch');
  // report rewrites the page from the folder (and --out elsewhere).
  const again = cli('report', out, '--out', path.join(dir, 'copy.html'));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(fs.readFileSync(path.join(dir, 'copy.html'), 'utf8'), html);
});

test('report: a tampered trace is shown as text, never as markup; one that is not a trace is refused', () => {
  const dir = tmpDir('report-tamper');
  const out = path.join(dir, 'run');
  assert.equal(cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--quiet', '--no-report', '--out', out).code, 1);
  const file = path.join(out, 'violation-NoUnattachedDma.json');
  const t = JSON.parse(fs.readFileSync(file, 'utf8'));
  const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  // Only free-text fields: the trace validation refuses a non-number length or index anyway.
  t.steps[0] = { ...t.steps[0], function: evil, actor: evil };
  fs.writeFileSync(file, JSON.stringify(t));
  const r = cli('report', out);
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script>alert|<img/);
  assert.equal(html.match(/<script>/g)?.length, 1, 'only the page\'s own script');
  t.steps[1].changes = [1];
  fs.writeFileSync(file, JSON.stringify(t));
  assert.match(oneErrorLine(cli('report', out), 'E_TRACE_FILE'), /step 2: "changes" is not a list of text/);
});

test('report: a folder that is not a run, and a damaged summary, are one line and exit 2', () => {
  const dir = tmpDir('report-bad');
  const r = cli('report', dir);
  assert.equal(r.code, 2);
  oneErrorLine(r, 'E_TRACE_FILE');
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ verdict: 'pass', violations: [{ invariant: 'X', length: 3, trace: '../../etc/passwd' }], witnesses: [], checked: [], states: {} }));
  assert.match(oneErrorLine(cli('report', dir), 'E_TRACE_FILE'), /not a file name/);
  assert.equal(fs.existsSync(path.join(dir, 'report.html')), false);
});
