/**
 * Golden transcripts: the whole stdout of `probecheck check` on small kernel scenarios, one
 * with a violation and one that passes, compared with test/cli/golden/<name>.txt. A change of
 * the report, the mail table or the reproduce command then shows up as a diff to review, not
 * by accident. Accept a deliberate change with
 *
 *   UPDATE_GOLDEN=1 npm test        (or: npx tsc -p . && UPDATE_GOLDEN=1 node --test dist/test/cli/golden.test.js)
 *
 * and commit the rewritten files. The CLI runs in a fresh temporary folder with a relative
 * --out, so the paths it prints are the same everywhere; what still varies is normalised:
 *
 *   `0.01 s, 34,490 states/s`   elapsed time and rate          -> `<seconds> s, <rate> states/s`
 *   the temporary folder        (should a path be absolute)    -> `<tmp>`
 *   `20261121-195455`           a timestamp in a results path  -> `<date>`
 *
 * Everything else (state counts, depth, bytes per state, collision probability, the traces)
 * is deterministic with --workers 1 and stays in the golden file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliIn, ROOT, tmpDir } from './helpers';

const GOLDEN = path.join(ROOT, 'test', 'cli', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Case { readonly name: string; readonly args: readonly string[]; readonly exit: number }

const CASES: readonly Case[] = [
  { name: 'check-v6.6.5-probe-vs-register-two-smmu', args: ['check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu'], exit: 1 },
  { name: 'check-v6.1-msm-private-domain', args: ['check', '--kernel', 'v6.1', '--scenario', 'msm-private-domain'], exit: 0 },
];

function normalise(stdout: string, tmp: string): string {
  return stdout
    .replace(/\d+(\.\d+)? s, [\d,]+ states\/s/g, '<seconds> s, <rate> states/s')
    .split(tmp).join('<tmp>')
    .replace(/\b\d{8}-\d{6}\b/g, '<date>');
}

for (const c of CASES) {
  test(`golden: probecheck ${c.args.join(' ')}`, () => {
    const cwd = tmpDir('golden');
    try {
      const r = cliIn(cwd, ...c.args, '--workers', '1', '--out', 'run');
      assert.equal(r.code, c.exit, r.stderr);
      const got = normalise(r.stdout, cwd);
      const file = path.join(GOLDEN, `${c.name}.txt`);
      if (UPDATE) {
        fs.mkdirSync(GOLDEN, { recursive: true });
        fs.writeFileSync(file, got);
        return;
      }
      assert.ok(fs.existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 to write it`);
      assert.equal(got, fs.readFileSync(file, 'utf8'), `stdout differs from ${path.relative(ROOT, file)}; review the diff, and accept it with UPDATE_GOLDEN=1`);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
}
