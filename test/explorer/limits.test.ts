/**
 * Limits end a search with the verdict incomplete and what was reached; a model error is
 * reported with the trace that reaches it; a witness that is never reached fails the run;
 * properties can be selected by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/explorer/explore';
import { ProbeError } from '../../src/errors';
import { add, at, eq, self, set, step, v } from '../../src/ir/dsl';
import type { Model } from '../../src/ir/types';
import { classic, core } from '../helpers/models';
import { buildClassicModel } from '../../src/examples';
import { computeLayout } from '../../src/state/layout';

test('--max-states stops before a level once that many states are stored: incomplete', async () => {
  for (const workers of [1, 2]) {
    const r = await explore(classic('counters', 'n=4', 'm=5'), { maxStates: 100, workers, parallelThreshold: 0 });
    assert.equal(r.verdict, 'incomplete');
    assert.equal(r.stopReason, 'max-states');
    assert.ok(r.distinct >= 100 && r.distinct < 6 ** 4);
  }
});

test('--max-depth stops at that depth: incomplete, and no state is deeper', async () => {
  const r = await explore(classic('counters', 'n=4', 'm=5'), { maxDepth: 3 });
  assert.equal(r.verdict, 'incomplete');
  assert.equal(r.stopReason, 'max-depth');
  assert.equal(r.depth, 3);
  assert.equal(r.distinct, 1 + 4 + 10 + 20); // compositions of 0..3 into 4 counters
});

test('an aborted search (Ctrl-C) is incomplete and says it was interrupted', async () => {
  const ac = new AbortController();
  ac.abort();
  const r = await explore(classic('counters', 'n=4', 'm=5'), { signal: ac.signal });
  assert.equal(r.verdict, 'incomplete');
  assert.equal(r.stopReason, 'interrupted');
});

test('an interrupted run is incomplete even when it already found violations, which it still reports', async () => {
  // counters(6,11) with an invariant that the first step already breaks.
  const m = buildClassicModel('counters', ['n=6', 'm=11']);
  const early = core({ ...m, properties: [{ name: 'C0StaysZero', kind: 'invariant', expr: eq(v('value', 'c0'), 0) }] });
  const ac = new AbortController();
  const r = await explore(early, { continueAfterViolation: true, signal: ac.signal, progressIntervalMs: 0, onProgress: () => ac.abort() });
  assert.equal(r.stopReason, 'interrupted');
  assert.equal(r.verdict, 'incomplete');
  assert.deepEqual(r.violations.map((x) => [x.property, x.length]), [['C0StaysZero', 1]]);
});

const overflow: Model = {
  name: 'overflow',
  entities: [{ name: 'c', count: 2 }],
  fields: [{ name: 'x', domain: { kind: 'int', min: 0, max: 2 }, over: 'c', init: 0 }],
  actors: [{ name: 'inc', over: 'c', steps: [step('inc', { assign: [set('x', self, add(v('x', self), 1))], goto: 'inc' })] }],
  properties: [],
};

test('a step that writes outside its field\'s domain is a model error, reported with its shortest trace', async () => {
  for (const workers of [1, 2, 3]) {
    const m = core(overflow);
    const r = await explore(m, { workers, parallelThreshold: 0 });
    assert.equal(r.verdict, 'model-error');
    assert.ok(r.modelError);
    assert.deepEqual(r.modelError.actions.map((a) => m.actions[a].name), ['inc[c0]:inc', 'inc[c0]:inc', 'inc[c0]:inc']);
    assert.match(r.modelError.message, /writes 3 to x\[c0\], outside 0\.\.2/);
  }
});

test('a witness that is never reached fails the run with its own verdict', async () => {
  const m: Model = {
    name: 'unreachable',
    entities: [],
    fields: [{ name: 'b', domain: { kind: 'bool' }, init: false }],
    actors: [{ name: 'a', steps: [step('go', { guard: eq(v('b'), true), goto: '$end' })] }],
    properties: [{ name: 'Done', kind: 'witness', expr: at('a', undefined, '$end') }],
    checkDeadlock: false,
  };
  const r = await explore(core(m));
  assert.equal(r.verdict, 'witness-failure');
  assert.deepEqual(r.witnesses, [{ name: 'Done', reached: false }]);
});

test('selected properties are checked, the others are reported as not selected', async () => {
  const r = await explore(classic('peterson', 'n=2', 'broken=true'), { properties: ['LevelsBelowN'] });
  assert.equal(r.verdict, 'pass');
  assert.deepEqual(r.checked, ['LevelsBelowN']);
  assert.ok(r.notSelected.includes('MutualExclusion'));
  await assert.rejects(explore(classic('peterson', 'n=2'), { properties: ['MutualExclusio'] }), (e: unknown) =>
    e instanceof ProbeError && e.code === 'E_UNKNOWN_INVARIANT' && /MutualExclusion/.test(e.message));
});

test('steps never enabled show up as zero action counts', async () => {
  const m = classic('dining', 'n=3');
  const r = await explore(m, { continueAfterViolation: true });
  assert.equal(r.actionCounts.length, m.actions.length);
  assert.ok(r.actionCounts.every((c) => c > 0), 'every dining step fires somewhere');
});

test('the canonical-form hook: counters whose order does not matter collapse to their multisets', async () => {
  // Sorting the counters maps each state to the representative of its permutation class.
  const m = classic('counters', 'n=3', 'm=3');
  const slots = computeLayout(m).slots.slice(0, 3);
  assert.ok(slots.every((sl) => sl.word === 0 && sl.bits === slots[0].bits));
  const b = slots[0].bits, mask = (1 << b) - 1;
  const canonical = `function canon(a, p) {
    const w = a[p]; const v = [${slots.map((sl) => `(w >>> ${sl.shift}) & ${mask}`).join(', ')}].sort((x, y) => x - y);
    a[p] = (w & ${~slots.reduce((acc, sl) => acc | (mask << sl.shift), 0)})${slots.map((sl, i) => ` | (v[${i}] << ${sl.shift})`).join('')};
  }`;
  const plain = await explore(m);
  assert.equal(plain.distinct, 64);
  for (const workers of [1, 2]) {
    const reduced = await explore(m, { canonical, workers, parallelThreshold: 0 });
    assert.equal(reduced.distinct, 20); // multisets of 3 values from 0..3
    assert.equal(reduced.verdict, 'pass');
  }
});
