/**
 * Parent links (parent-links.ts): a parallel level appends its links in one call (pushPairs),
 * which must store exactly what one push per link stores, across the short first chunk's
 * doublings and the boundaries of full chunks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParentLinks } from '../../src/explorer/parent-links';

function links(before: number, pairs: Int32Array, count: number, base: number, bulk: boolean): ParentLinks {
  const l = new ParentLinks(300);
  for (let i = 0; i < before; i++) l.push(i === 0 ? 0xffffffff : i - 1, i % 300);
  if (bulk) l.pushPairs(pairs, count, base);
  else for (let r = 0; r < count; r++) l.push(base + pairs[2 * r], pairs[2 * r + 1]);
  return l;
}

test('pushPairs stores what a push per link stores, across chunk boundaries', () => {
  const CHUNK = 1 << 20;
  for (const [before, count] of [[1, 0], [1, 1], [1, 1022], [1, 1023], [1000, 3000], [1, CHUNK + 5], [CHUNK - 3, 10], [CHUNK, 2 * CHUNK + 1]]) {
    const pairs = new Int32Array(2 * count);
    for (let r = 0; r < count; r++) { pairs[2 * r] = (r * 7919) % Math.max(1, before); pairs[2 * r + 1] = (r * 31) % 300; }
    const one = links(before, pairs, count, 5, false);
    const bulk = links(before, pairs, count, 5, true);
    assert.equal(bulk.length, one.length, `${before} + ${count}: length`);
    assert.equal(bulk.bytes, one.bytes, `${before} + ${count}: bytes`);
    for (let i = 0; i < one.length; i++) {
      if (bulk.parentOf(i) !== one.parentOf(i)) assert.fail(`${before} + ${count}: parent of ${i} is ${bulk.parentOf(i)}, not ${one.parentOf(i)}`);
      if (bulk.actionOf(i) !== one.actionOf(i)) assert.fail(`${before} + ${count}: action of ${i} is ${bulk.actionOf(i)}, not ${one.actionOf(i)}`);
    }
  }
});
