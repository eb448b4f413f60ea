/**
 * A malformed model is rejected when it is lowered, with one line (E_MODEL) that names the
 * model and the step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { lowerModel } from '../../src/ir/lower';
import { add, eq, self, set, step, v } from '../../src/ir/dsl';
import type { Model, Step } from '../../src/ir/types';

function model(steps: Step[], extra: Partial<Model> = {}): Model {
  return {
    name: 'tiny',
    entities: [{ name: 'dev', count: 2, slotNames: ['D1', 'D2'] }],
    fields: [
      { name: 'phase', domain: { kind: 'enum', values: ['idle', 'bound'] }, over: 'dev', init: 'idle' },
      { name: 'n', domain: { kind: 'int', min: 0, max: 2 }, init: 0 },
    ],
    actors: [{ name: 'probe', over: 'dev', steps }],
    properties: [],
    ...extra,
  };
}

function rejects(m: Model, pattern: RegExp): void {
  assert.throws(() => lowerModel(m), (e: unknown) => {
    assert.ok(e instanceof ProbeError, String(e));
    assert.equal(e.code, 'E_MODEL');
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('a well-formed model lowers: one variable per field copy and program counter, one action per branch', () => {
  const core = lowerModel(model([step('bind', { guard: eq(v('phase', self), 'idle'), assign: [set('phase', self, 'bound')], goto: '$end' })]));
  assert.deepEqual(core.vars.map((x) => x.name), ['phase[D1]', 'phase[D2]', 'n', 'pc.probe[D1]', 'pc.probe[D2]']);
  assert.deepEqual(core.actions.map((a) => a.name), ['probe[D1]:bind', 'probe[D2]:bind']);
});

test('an unknown field is rejected, naming the model and the step', () => {
  rejects(model([step('bind', { assign: [set('phse', self, 'bound')], goto: '$end' })]), /^model tiny, actor probe, step bind: assignment to unknown field 'phse'$/);
});

test('a value outside its field\'s domain is rejected', () => {
  rejects(model([step('bind', { assign: [set('phase', self, 'probing')], goto: '$end' })]), /step bind: 'probing' is not a value of \{idle, bound\}/);
  rejects(model([step('count', { assign: [set('n', undefined, 3)], goto: '$end' })]), /step count: assigns 3 to 'n', outside 0\.\.2/);
});

test('a duplicate label is rejected', () => {
  rejects(model([step('bind', { goto: 'bind' }), step('bind', { goto: '$end' })]), /actor probe: duplicate label 'bind'/);
});

test('a jump to a missing label is rejected', () => {
  rejects(model([step('bind', { goto: 'unbind' })]), /step bind: jump to missing label 'unbind'/);
});

test('an initial value outside the domain is rejected', () => {
  const m = model([step('bind', { goto: '$end' })]);
  rejects({ ...m, fields: [{ name: 'n', domain: { kind: 'int', min: 0, max: 2 }, init: 5 }] }, /field n: initial value '5' is outside 0\.\.2/);
});

test('a value computed outside its domain at run time is not rejected early: the explorer reports it with its trace', () => {
  const core = lowerModel(model([step('inc', { assign: [set('n', undefined, add(v('n'), 2))], goto: '$end' })]));
  assert.equal(core.actions.length, 2);
});

test('properties may read the crash record by name; program counters stay internal', async () => {
  const m = model([step('bind', { asserts: [{ name: 'Oops', cond: eq(v('n'), 1) }], goto: '$end' })], {
    properties: [{ name: 'EndedOrCrashed', kind: 'terminal', expr: eq(v('$crash'), 'Oops') }],
  });
  const core = lowerModel(m);
  assert.ok(core.properties.some((p) => p.name === 'EndedOrCrashed'));
  rejects(model([step('bind', { goto: '$end' })], { properties: [{ name: 'P', kind: 'invariant', expr: eq(v('pc.probe', 'D1'), 0) }] }), /field 'pc\.probe' is internal/);
});
