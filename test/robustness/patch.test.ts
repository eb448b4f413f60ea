/**
 * Item 2 and 20: a patch module with a syntax or type error, an async edit, a missing field or
 * an expression with an unknown operator is refused with one E_PATCH line before anything is
 * explored (before: the TypeScript diagnostics were ignored, an async edit's edits were dropped
 * or crashed the process, a malformed step was an internal error or E_MODEL, an unknown
 * operator overflowed the compiler's stack). In a matrix, a patch that cannot be applied to
 * one cell fails that cell only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliIn, oneErrorLine, ROOT, tmp } from './helpers';

const CHECK = ['check', '--kernel', 'v6.6', '--scenario', 'probe-vs-register', '--workers', '1', '--max-states', '10', '--out', 'run'];
const MODEL = path.join(ROOT, 'dist', 'src', 'model');

function patchFile(dir: string, name: string, text: string): string {
  fs.writeFileSync(path.join(dir, name), text);
  return `./${name}`;
}

function refused(dir: string, patch: string, code = 'E_PATCH'): string {
  const r = cliIn(dir, ...CHECK, '--patch', patch);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '', 'nothing explored');
  assert.ok(!fs.existsSync(path.join(dir, 'run')), 'no results folder');
  return oneErrorLine(r, code);
}

test('a TypeScript syntax error: file:line:col: message, E_PATCH, exit 2', () => {
  const dir = tmp('patch-syntax');
  const p = patchFile(dir, 'bad.ts', `import { definePatch } from 'probecheck';\nexport default definePatch({ id: 'bad', title: 'bad', edit(m) { m.getStep( } });\n`);
  assert.match(refused(dir, p), /bad\.ts:2:\d+: Argument expression expected/);
});

test('a TypeScript type error: file:line:col: message, E_PATCH, exit 2', () => {
  const dir = tmp('patch-type');
  const p = patchFile(dir, 'typo.ts', `import { definePatch } from 'probecheck/dist/src/model';\nexport default definePatch({ id: 'typo', title: 'typo', edit(m) { m.removeStpe('C', 'c_lock'); } });\n`);
  assert.match(refused(dir, p), /typo\.ts:2:\d+: Property 'removeStpe' does not exist/);
});

test('an async edit(m) is refused (its edits would be lost), and so is one returning a promise', () => {
  const dir = tmp('patch-async');
  const a = patchFile(dir, 'async.js', `const { definePatch } = require(${JSON.stringify(MODEL)});\nmodule.exports = definePatch({ id: 'a', title: 'a', async edit(m) { await 0; m.removeStep('C', 'nope'); } });\n`);
  assert.match(refused(dir, a), /edit\(m\) is async/);
  const b = patchFile(dir, 'promise.js', `const { definePatch } = require(${JSON.stringify(MODEL)});\nmodule.exports = definePatch({ id: 'b', title: 'b', edit(m) { return Promise.resolve().then(() => m.removeStep('C', 'nope')); } });\n`);
  assert.match(refused(dir, b), /edit\(m\) returned a promise/);
});

test('a patch that leaves a branch without its fields is E_PATCH, not an internal error', () => {
  const dir = tmp('patch-field');
  const p = patchFile(dir, 'nofield.js', `const { definePatch } = require(${JSON.stringify(MODEL)});\nmodule.exports = definePatch({ id: 'nf', title: 'nf', edit(m) { m.replaceStep('C', 'c_lock', (s) => ({ ...s, branches: [{ name: 'a', goto: '$end' }] })); } });\n`);
  assert.match(refused(dir, p), /nofield\.js.*(malformed|cannot be built)/);
});

test('an expression with an unknown operator is refused naming its node (item 20)', () => {
  const dir = tmp('patch-op');
  const p = patchFile(dir, 'op.js', `const { definePatch } = require(${JSON.stringify(MODEL)});\nmodule.exports = definePatch({ id: 'op', title: 'op', edit(m) { m.addGuard('C', 'c_lock', { kind: 'bin', op: 'xor', left: { kind: 'lit', value: 1 }, right: { kind: 'lit', value: 0 } }); } });\n`);
  assert.match(refused(dir, p), /actor C, step c_lock, guard.*: unknown operator 'xor'/);
});

test('matrix: a patch that does not apply to one kernel fails that cell only', () => {
  const dir = tmp('patch-matrix');
  // 0c8e9c148e29 requires a kernel that drops the probe lock: v6.15 does, v6.6 does not.
  const r = cliIn(dir, 'matrix', '--kernel', 'v6.15', '--kernel', 'v6.6', '--scenario', 'probe-vs-register', '--patch', '0c8e9c148e29', '--workers', '1', '--out', 'm.json');
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'm.json'), 'utf8'));
  const [a, b] = doc.runs;
  assert.equal(a.kernel, 'v6.15');
  assert.notEqual(a.verdict, 'patch-error', JSON.stringify(a));
  assert.equal(b.verdict, 'patch-error');
  assert.match(b.error, /^E_PATCH: /);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout, /patch-err v6\.6\/probe-vs-register: E_PATCH/);
});
