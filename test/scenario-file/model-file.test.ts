/**
 * --model-file: a user's own IR model (docs/examples/flag-lock.ts, a textbook broken lock) is
 * checked, exported, traced and replayed like a classic model; an invalid one is refused with
 * one line naming the file (E_MODEL_FILE, exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliIn, oneErrorLine, ROOT, tmpDir } from '../cli/helpers';

const MODEL = path.join(ROOT, 'docs', 'examples', 'flag-lock.ts');

test('check, trace, replay and export tla on a model file', () => {
  const dir = tmpDir('modelfile');
  const r = cliIn(dir, 'check', '--model-file', MODEL, '--set', 'n=3', '--out', 'run', '--no-report');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /MutualExclusion +VIOLATED \(4 steps/);
  assert.match(r.stdout, /--model-file[\s\\]+\S*flag-lock\.ts --set n=3/);
  const trace = path.join('run', 'violation-MutualExclusion.json');
  const rep = cliIn(dir, 'replay', trace);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(rep.stdout, /MutualExclusion is VIOLATED/);
  const itf = cliIn(dir, 'trace', trace, '--format', 'itf');
  assert.equal(itf.code, 0, itf.stderr);
  const ex = cliIn(dir, 'export', 'tla', '--model-file', MODEL, '--out', 'tla');
  assert.equal(ex.code, 0, ex.stderr);
  assert.ok(fs.readdirSync(path.join(dir, 'tla')).some((f) => f.endsWith('.tla')));
});

test('invalid model files: one line, exit 2', () => {
  const dir = tmpDir('modelfile-bad');
  const run = (body: string, name = 'm.js') => {
    fs.writeFileSync(path.join(dir, name), body);
    const r = cliIn(dir, 'check', '--model-file', name, '--out', 'o');
    assert.equal(r.code, 2, r.stderr + r.stdout);
    return oneErrorLine(r, 'E_MODEL_FILE');
  };
  assert.match(run('module.exports = { hello: 1 };'), /m\.js: the default export \(or 'model'\) must be an IR Model/);
  assert.match(run('throw new Error("boom");'), /m\.js: loading it threw: boom/);
  assert.match(run('module.exports = () => { throw new Error("bad n"); };'), /m\.js: building the model threw: bad n/);
  assert.match(run(`module.exports = { name: 'x', params: {}, entities: [], fields: [{ name: 'f', domain: { kind: 'bool' }, init: false }],
    actors: [{ name: 'A', steps: [{ label: 'a', branches: [{ name: 'ok', guard: { kind: 'bin', op: 'xor', left: { kind: 'lit', value: 1 }, right: { kind: 'lit', value: 1 } }, assign: [], goto: 'a' }] }] }], properties: [] };`), /m\.js: model x, .*unknown operator 'xor'/);
  assert.match(run('export default 1 +;', 'm.ts'), /m\.ts:1:\d+: /);
  const none = cliIn(dir, 'check', '--model-file', 'nope.ts');
  assert.equal(none.code, 2);
  assert.match(oneErrorLine(none, 'E_MODEL_FILE'), /nope\.ts: no such file/);
  const clash = cliIn(dir, 'check', '--model-file', 'm.js', '--kernel', 'v6.6');
  assert.equal(clash.code, 2);
  oneErrorLine(clash, 'E_USAGE');
});
