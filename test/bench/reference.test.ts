/**
 * The bench stands alone: the reference loop it compares against is in the project, the
 * bench's sources reach no file outside it, and the reference explores the same model as
 * probecheck (same distinct states and transitions on a small counters model).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REFERENCE } from '../../bench/reference';
import * as os from 'node:os';
import { cli, ROOT } from '../cli/helpers';

test('the reference loop lives in bench/reference and runs there', () => {
  assert.ok(REFERENCE.startsWith(path.join(ROOT, 'bench') + path.sep), REFERENCE);
  assert.ok(fs.existsSync(REFERENCE));
  for (const f of fs.readdirSync(path.join(ROOT, 'bench')).filter((x) => x.endsWith('.ts') || x.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(ROOT, 'bench', f), 'utf8');
    assert.doesNotMatch(text, /shared|'\.\.', '\.\.', '\.\.'/, `bench/${f} reaches outside the project`);
  }
  const ref = JSON.parse(execFileSync(process.execPath, [REFERENCE, 'counters', '3', '4'], { encoding: 'utf8' }).trim());
  const ours = JSON.parse(cli('check', '--model', 'counters', '--set', 'n=3', '--set', 'm=4', '--workers', '1', '--no-reduce', '--json', '--quiet', '--no-report', '--out', fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-bench-'))).stdout);
  assert.equal(ref.distinct, 125);
  assert.equal(ours.states.distinct, ref.distinct);
  assert.equal(ours.states.generated, ref.transitions);
});
