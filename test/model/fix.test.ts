import { test } from 'node:test';
import assert from 'node:assert/strict';
import fix from './fixtures/fix-5.5';
import { run, unreached, violated } from './util';

test('the docs/patches.md example closes the addendum 5.5 window on v6.15 and v6.15.y', () => {
  for (const k of ['v6.15', 'v6.15.y']) {
    const r = run(k, 'probe-vs-register', [fix]);
    assert.deepEqual(violated(r), [], k);
    assert.deepEqual(unreached(r), [], k);
  }
});
