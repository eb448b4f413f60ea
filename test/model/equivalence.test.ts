/**
 * The compiled kernel model is pinned: every kernel x scenario, alone and with each built-in
 * patch, compiles to the digest recorded in fixtures/model-digests.json. A change to the model
 * builders that is not meant to change behaviour must keep every digest; a deliberate change
 * regenerates the fixture (`node dist/test/helpers/model-digest.js --write`) and the diff of
 * the fixture shows exactly which models it touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { allDigests, FIXTURE } from '../helpers/model-digest';

test('every kernel x scenario x built-in patch compiles to its recorded digest', () => {
  const want = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>;
  const got = allDigests();
  const changed = Object.keys({ ...want, ...got }).filter((k) => want[k] !== got[k]).map((k) => `${k}: ${want[k] ?? 'absent'} -> ${got[k] ?? 'absent'}`);
  assert.deepEqual(changed, [], `${changed.length} compiled models changed`);
});
