/**
 * ITF out and in: round trips on real counterexamples, the value encoding, and every way a
 * file can fail to fit the model (E_TRACE_FILE naming the state and the variable).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromItf, readItfTrace, toItf, type ItfTrace } from '../../src/bridge/itf';
import { ProbeError } from '../../src/errors';
import type { CoreModel } from '../../src/ir/core';
import { lowerModel } from '../../src/ir/lower';
import { buildClassicModel } from '../../src/examples';
import { replayActions, replayStates } from '../../src/trace/replay';
import { naiveExplore } from '../helpers/naive';
import { zoo } from './zoo';

function counterexample(core: CoreModel, property: string): { states: number[][]; actions: number[] } {
  const path = naiveExplore(core, { continueAfterViolation: true }).violations.get(property);
  assert.ok(path, `${property} is violated`);
  const r = replayActions(core, path);
  assert.equal(r.divergence, undefined);
  return { states: r.states, actions: r.actions };
}

const dining = () => lowerModel(buildClassicModel('dining', ['n=3']));
const peterson = () => lowerModel(buildClassicModel('peterson', ['n=2', 'broken=true']));

const itfError = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ProbeError, String(e));
  assert.equal(e.code, 'E_TRACE_FILE');
  assert.match(e.message, pattern);
  return true;
};

for (const [label, build, property] of [
  ['dining(3) deadlock', dining, 'NoDeadlock'],
  ['peterson(2, broken) mutual exclusion', peterson, 'MutualExclusion'],
  ['zoo assertion', () => lowerModel(zoo()), 'GroupAlive'],
] as const) {
  test(`ITF round trip of the ${label} trace: same states, and replay recovers the actions`, () => {
    const core = build();
    const { states, actions } = counterexample(core, property);
    const text = JSON.stringify(toItf(core, states, actions, { description: label }));
    const back = fromItf(core, JSON.parse(text));
    assert.deepEqual(back, states);
    assert.deepEqual(fromItf(core, text), states);
    assert.deepEqual(replayStates(core, back).actions, actions);
    assert.deepEqual(readItfTrace(core, text), { states, actions });
  });
}

test('ITF layout: #meta, vars, per-state index and action, #bigint integers, #map functions', () => {
  const core = peterson();
  const { states, actions } = counterexample(core, 'MutualExclusion');
  const itf = toItf(core, states, actions, { source: 'test' });
  assert.equal(itf['#meta'].format, 'ITF');
  assert.equal(itf['#meta'].source, 'test');
  assert.equal(itf['#meta'].model, 'peterson');
  assert.deepEqual(itf.vars, ['level', 'victim', 'lv', 'pc_proc']);
  assert.equal(itf.states.length, actions.length + 1);
  assert.deepEqual(itf.states[0]['#meta'], { index: 0 });
  assert.deepEqual(itf.states[1]['#meta'], { index: 1, action: core.actions[actions[0]].name, actionId: actions[0] });
  assert.deepEqual(itf.states[0].level, { '#map': [['P0', { '#bigint': '0' }], ['P1', { '#bigint': '0' }]] });
  assert.deepEqual(itf.states[0].victim, { '#map': [['L0', 'none'], ['L1', 'none']] });
  assert.deepEqual(itf.states[0].pc_proc, { '#map': [['P0', 'ncs'], ['P1', 'ncs']] });
});

test('ITF of zoo: scalars, booleans, negative integers and the crash record', () => {
  const core = lowerModel(zoo());
  const { states, actions } = counterexample(core, 'NoUnderflow');
  const itf = toItf(core, states, actions);
  const last = itf.states[itf.states.length - 1];
  assert.equal(last.crash, 'NoUnderflow');
  assert.deepEqual(last.grp_refcnt, { '#map': [['G1', { '#bigint': '-1' }], ['G2', { '#bigint': '1' }]] });
  assert.equal(typeof last.flag, 'boolean');
  assert.equal(last.pc_reaper, 'check');
  assert.deepEqual(fromItf(core, JSON.parse(JSON.stringify(itf))), states);
});

function diningItf(): { core: CoreModel; itf: ItfTrace } {
  const core = dining();
  const { states, actions } = counterexample(core, 'NoDeadlock');
  return { core, itf: JSON.parse(JSON.stringify(toItf(core, states, actions))) as ItfTrace };
}

test('E_TRACE_FILE: a state without one of the variables names the state and the variable', () => {
  const { core, itf } = diningItf();
  delete itf.states[2].holder;
  assert.throws(() => fromItf(core, itf), itfError(/^state 2: variable holder is missing$/));
});

test('E_TRACE_FILE: a value outside the domain names the state, variable and slot', () => {
  const { core, itf } = diningItf();
  (itf.states[1].holder as { '#map': [string, unknown][] })['#map'][1][1] = 'p9';
  assert.throws(() => fromItf(core, itf), itfError(/^state 1: variable holder\[f1\] is "p9", not a slot of phil or "none"$/));
  const { itf: itf2 } = diningItf();
  itf2.states[3].pc_phil = { '#map': [['p0', 'take_right'], ['p1', 'take_right'], ['p2', { '#bigint': '1' }]] };
  assert.throws(() => fromItf(core, itf2), itfError(/^state 3: variable pc_phil\[p2\] is \{"#bigint":"1"\}/));
});

test('E_TRACE_FILE: a map with the wrong number of slots, or a slot the model lacks', () => {
  const { core, itf } = diningItf();
  (itf.states[2].holder as { '#map': unknown[] })['#map'].pop();
  assert.throws(() => fromItf(core, itf), itfError(/^state 2: variable holder has 2 entries, the model has 3 \(f0, f1, f2\)$/));
  const { itf: itf2 } = diningItf();
  (itf2.states[1].holder as { '#map': [string, unknown][] })['#map'][0][0] = 'f7';
  assert.throws(() => fromItf(core, itf2), itfError(/^state 1: variable holder has the key "f7"/));
});

test('E_TRACE_FILE: a missing state is caught by its index, or by replay when there is none', () => {
  const { core, itf } = diningItf();
  itf.states.splice(1, 1);
  assert.throws(() => fromItf(core, itf), itfError(/^state 1: "#meta.index" is 2, expected 1/));
  for (const st of itf.states) delete (st as Partial<typeof st>)['#meta'];
  assert.equal(fromItf(core, itf).length, 3);
  assert.throws(() => readItfTrace(core, itf), itfError(/^state 1: no step of model dining leads to it from state 0$/));
});

test('E_TRACE_FILE: an unknown variable, a wrong vars list, not the initial state, not JSON', () => {
  const { core, itf } = diningItf();
  const extra = JSON.parse(JSON.stringify(itf)) as ItfTrace;
  extra.states[1].ghost = true;
  assert.throws(() => fromItf(core, extra), itfError(/^state 1: variable ghost is not a variable of model dining$/));
  const vars = JSON.parse(JSON.stringify(itf)) as ItfTrace;
  vars.vars = ['holder'];
  assert.throws(() => fromItf(core, vars), itfError(/^vars: variable pc_phil is not listed$/));
  const late = JSON.parse(JSON.stringify(itf)) as ItfTrace;
  late.states = late.states.slice(1).map((s, i) => ({ ...s, '#meta': { index: i } }));
  assert.throws(() => readItfTrace(core, late), itfError(/^state 0: the first state is not the initial state/));
  assert.throws(() => fromItf(core, '{"states": ['), itfError(/^not JSON/));
  assert.throws(() => fromItf(core, { vars: [], states: [] }), itfError(/^the trace has no states$/));
});

test('readItfTrace prefers the action named in #meta when it leads to the state', () => {
  const { core, itf } = diningItf();
  const { actions } = readItfTrace(core, itf);
  assert.deepEqual(actions, itf.states.slice(1).map((s) => s['#meta'].actionId));
});
