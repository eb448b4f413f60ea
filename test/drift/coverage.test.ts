/**
 * The recorded fingerprints cover the model: every release marked verified has a record for
 * every C function its steps cite (null only where its tree has no such function, which
 * test/model/citations.test.ts lists with the reason). Where the kernel mirrors are at hand
 * (a maintainer's machine, not CI), the record must also be what today's normaliser computes,
 * so a change of parse-c.ts without `npm run cite-kernel` fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { citedFunctions } from '../../src/drift/compare';
import { cName, TreeFunctions } from '../../src/drift/locate';
import { loadCParser } from '../../src/drift/parse-c';
import { KERNELS } from '../../src/model';
import { citationsOf } from '../../src/model/citations';

test('every cited C function has a fingerprint (or an explicit null) for every verified release', () => {
  const verified = KERNELS.filter((k) => k.verified.status === 'verified');
  assert.ok(verified.length >= 8, `only ${verified.length} verified kernels`);
  const gaps: string[] = [];
  let recorded = 0;
  for (const k of verified) {
    const rel = citationsOf(k.name);
    if (!rel) { gaps.push(`${k.name}: no citations at all`); continue; }
    for (const c of citedFunctions(k.name)) {
      if (cName(c.fn) === null) continue;
      if (!(c.key in rel.functions)) { gaps.push(`${k.name}: ${c.key} not recorded (run npm run cite-kernel)`); continue; }
      const at = rel.functions[c.key];
      if (at === null) continue;
      recorded++;
      if (!/^[0-9a-f]{16}$/.test(at.fingerprint) || !/^\d+-\d+$/.test(at.lines)) gaps.push(`${k.name}: ${c.key} malformed ${JSON.stringify(at)}`);
    }
  }
  assert.deepEqual(gaps, []);
  assert.ok(recorded > 300, `${recorded} fingerprints`);
});

const MIRROR = '/work/.mirror/unifreq+linux-6.18.y/repo';

test('the v6.18.y record is what the current normaliser computes from its tree', { skip: !fs.existsSync(MIRROR) && 'no kernel mirror here' }, async () => {
  const rel = citationsOf('v6.18.y')!;
  const commit = rel.tree.split('@')[1];
  const t = new TreeFunctions(await loadCParser(), (file) => {
    try { return execFileSync('git', ['--git-dir', MIRROR, 'show', `${commit}:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return null; }
  });
  for (const [key, at] of Object.entries(rel.functions)) {
    const [fn, file] = key.split(' ');
    const r = t.lookup(fn, file);
    assert.deepEqual(r.status === 'found' ? { lines: r.at.lines, fingerprint: r.at.fingerprint } : null, at, key);
  }
});
