/**
 * The packed layout: each variable takes the fewest bits its domain needs, words are filled
 * first-fit, constant variables take none, encoding round-trips, and the compiled fingerprint
 * is the reference fingerprint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileModel, instantiate } from '../../src/compile/compile';
import { initialState } from '../../src/ir/interpret';
import { computeLayout, bitsFor } from '../../src/state/layout';
import { decodeState, encodeState, readableState } from '../../src/state/codec';
import { fingerprint } from '../../src/state/fingerprint';
import { classic } from '../helpers/models';

test('bitsFor gives the fewest bits that hold a domain', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 12, 13, 16, 17].map(bitsFor), [0, 1, 2, 2, 3, 4, 4, 4, 5]);
});

test('counters(6,11) packs into one word: six 4-bit counters, program counters that never move take no bits', () => {
  const m = classic('counters', 'n=6', 'm=11');
  const L = computeLayout(m);
  assert.equal(L.words, 1);
  assert.equal(L.bitsUsed, 24);
});

test('encode then decode gives back the state, for any values in the domains', () => {
  const m = classic('peterson', 'n=3');
  const L = computeLayout(m);
  const arb = fc.tuple(...m.vars.map((x) => fc.integer({ min: L.slots[x.index].min, max: L.slots[x.index].max })));
  fc.assert(fc.property(arb, (values) => {
    assert.deepEqual(decodeState(L, encodeState(L, values)), values);
  }));
});

test('the compiled fingerprint is the reference fingerprint, and never has h1 low bits clear', () => {
  for (const m of [classic('counters', 'n=6', 'm=11'), classic('peterson', 'n=4'), classic('dining', 'n=9')]) {
    const src = compileModel(m);
    const cm = instantiate(src.source);
    const words = new Int32Array(cm.W);
    const res = new Int32Array(2);
    fc.assert(fc.property(fc.array(fc.integer(), { minLength: cm.W, maxLength: cm.W }), (ws) => {
      words.set(ws);
      cm.fp(words, 0, res);
      const [h1, h2] = fingerprint(words, 0, cm.W);
      assert.deepEqual([res[0], res[1]], [h1, h2]);
      assert.equal(h1 & 3, 3);
    }));
  }
});

test('a readable state names fields, slots and enum values', () => {
  const m = classic('dining', 'n=3');
  const s = readableState(m, initialState(m));
  assert.deepEqual(s.holder, { f0: 'none', f1: 'none', f2: 'none' });
  assert.deepEqual(s['pc.phil'], { 'phil[p0]': 'take_left', 'phil[p1]': 'take_left', 'phil[p2]': 'take_left' });
});
