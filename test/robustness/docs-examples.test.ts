/**
 * Item 19: docs/cli.md's examples are executable. Every `$ probecheck ...` line in a code block
 * is run (in a scratch folder holding the files the examples name), and its documented output
 * must match the program's in shape: each documented line, with numbers and runs of spaces
 * normalised, appears in the actual output in the same order ("..." elides lines), and a
 * documented `exit N` is the exit status. Docs that disagree with the program fail here. A block
 * whose fence says `not-run` (output of a real kernel tree) is the only exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliIn, ROOT, tmp } from './helpers';

interface Example { line: number; args: string[]; output: string[]; exit?: number }

/** The `$ probecheck` examples of a markdown file, with the output lines that follow each. */
export function examplesOf(markdown: string): Example[] {
  const out: Example[] = [];
  let inBlock = false;
  // A block fenced ```text not-run needs input outside the package (a real kernel tree).
  let skip = false;
  let cur: Example | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (text.startsWith('```')) { skip = !inBlock && text.includes('not-run'); inBlock = !inBlock; cur = undefined; return; }
    if (!inBlock || skip) return;
    const cmd = /^\$ probecheck (.*)$/.exec(text);
    if (cmd) { cur = { line: i + 1, args: cmd[1].trim().split(/\s+/), output: [] }; out.push(cur); return; }
    if (!cur) return;
    const exit = /^exit (\d+)$/.exec(text);
    if (exit) cur.exit = Number(exit[1]);
    else cur.output.push(text);
  });
  return out;
}

/** A line's shape: numbers as '#', runs of spaces as one. */
const shape = (l: string) => l.replace(/\d[\d,.]*(e[-+]?\d+)?/g, '#').replace(/\s+/g, ' ').trim();

/** The documented lines (blank and "..." lines skipped) appear in order in the actual output. */
function missingLine(doc: readonly string[], actual: string): string | undefined {
  const got = actual.split('\n').map(shape);
  let at = 0;
  for (const l of doc) {
    const want = shape(l);
    if (!want || want === '...') continue;
    const i = got.indexOf(want, at);
    if (i < 0) return l;
    at = i + 1;
  }
  return undefined;
}

/** The files the examples name: a results folder, a patch module, a previous matrix. */
function scratch(): string {
  const dir = tmp('docs');
  const run = 'results/20261207-090754-v6.6.5-probe-vs-register-two-smmu';
  cliIn(dir, 'check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--out', run, '--quiet');
  const fix = fs.readFileSync(path.join(ROOT, 'test', 'model', 'fixtures', 'fix-5.5.ts'), 'utf8').replace(/'(\.\.\/)+src\//g, "'probecheck/dist/src/");
  fs.writeFileSync(path.join(dir, 'fix.ts'), fix);
  cliIn(dir, 'matrix', '--kernel', 'v4.19', '--kernel', 'v6.6.5', '--scenario', 'msm-private-domain', '--scenario', 'multi-dmar-register', '--workers', '1', '--out', 'm1.json', '--quiet');
  for (const i of [1, 2]) cliIn(dir, 'matrix', '--kernel', 'v4.19', '--scenario', 'msm-private-domain', '--scenario', 'multi-dmar-register', '--workers', '1', '--shard', `${i}/2`, '--out', `s${i}.json`, '--quiet', '--no-cache');
  cliIn(dir, 'check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--out', 'run', '--quiet');
  fs.cpSync(path.join(ROOT, 'docs', 'examples'), path.join(dir, 'docs', 'examples'), { recursive: true });
  return dir;
}

test('every example of docs/cli.md runs and prints what the docs show (in shape)', () => {
  const examples = examplesOf(fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8'));
  assert.ok(examples.length >= 15, `found ${examples.length} examples`);
  const dir = scratch();
  const wrong: string[] = [];
  for (const ex of examples) {
    // One worker for the commands that search (not the merges, which have no --workers).
    const searches = ((ex.args[0] === 'check' || ex.args[0] === 'matrix') && ex.args[1] !== 'merge') || ex.args[0] === 'verify-patch';
    const r = cliIn(dir, ...ex.args, ...(searches ? ['--workers', '1'] : []));
    const all = r.stdout + r.stderr;
    const missing = missingLine(ex.output, all);
    if (missing !== undefined) wrong.push(`docs/cli.md:${ex.line}: probecheck ${ex.args.join(' ')}: no line like\n    ${missing}\n  in\n${all.split('\n').map((l) => '    ' + l).join('\n')}`);
    if (ex.exit !== undefined && r.code !== ex.exit) wrong.push(`docs/cli.md:${ex.line}: probecheck ${ex.args.join(' ')}: exit ${r.code}, the docs say ${ex.exit}`);
  }
  assert.deepEqual(wrong, []);
});

test('the shape of a line ignores numbers and spacing, not words', () => {
  assert.equal(shape('states: 345 distinct, 1,234 generated;  0.01 s'), shape('states: 9 distinct, 18 generated; 1.5 s'));
  assert.notEqual(shape('verdict: PASS'), shape('verdict: FAIL'));
  assert.equal(missingLine(['a 1', '...', 'c'], 'a 2\nb\nc\n'), undefined);
  assert.equal(missingLine(['c', 'a'], 'a\nc\n'), 'a', 'order matters');
});
