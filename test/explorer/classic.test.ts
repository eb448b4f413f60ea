/**
 * The explorer on models whose answers are known independently: exact state and transition
 * counts, the shortest counterexample as an action list, and the same answers for any number
 * of workers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/explorer/explore';
import { replayActions } from '../../src/trace/replay';
import { acrossWorkers, classic, essence } from '../helpers/models';

test('counters(6,11) has exactly 2,985,984 states and 17,915,904 transitions', async () => {
  const r = await explore(classic('counters', 'n=6', 'm=11'));
  assert.equal(r.verdict, 'pass');
  assert.equal(r.distinct, 2985984);
  assert.equal(r.generated, 17915904);
  assert.equal(r.depth, 66);
  assert.equal(r.collisionProbability, 0, 'one-word states have exact fingerprints');
});

test('counters(4,5) gives the same counts with 1, 2 and 3 workers', async () => {
  const rs = await acrossWorkers(classic('counters', 'n=4', 'm=5'));
  for (const r of rs) assert.equal(r.distinct, 6 ** 4);
  for (const r of rs) assert.equal(r.generated, 4 * 6 ** 4);
  assert.deepEqual(essence(rs[1]), essence(rs[0]));
  assert.deepEqual(essence(rs[2]), essence(rs[0]));
});

test('dining(5) deadlocks after every philosopher takes the left fork, in 5 steps', async () => {
  const m = classic('dining', 'n=5');
  const rs = await acrossWorkers(m);
  for (const r of rs) {
    assert.equal(r.verdict, 'violation');
    const v = r.violations.find((x) => x.property === 'NoDeadlock');
    assert.ok(v, 'deadlock reported');
    assert.equal(v.length, 5);
    // The smallest action sequence among the shortest: philosophers 0..4 take their left fork.
    assert.deepEqual(v.actions.map((a) => m.actions[a].name), ['phil[p0]:take_left', 'phil[p1]:take_left', 'phil[p2]:take_left', 'phil[p3]:take_left', 'phil[p4]:take_left']);
  }
  assert.deepEqual(essence(rs[1]), essence(rs[0]));
});

test("Peterson's filter lock keeps mutual exclusion for 3 processes, and its witness is reached", async () => {
  const rs = await acrossWorkers(classic('peterson', 'n=3'));
  for (const r of rs) {
    assert.equal(r.verdict, 'pass');
    assert.equal(r.distinct, 963);
    assert.ok(r.witnesses.every((w) => w.reached));
  }
  assert.deepEqual(essence(rs[2]), essence(rs[0]));
});

test('the seeded broken Peterson (victim written before level) lets two processes in after 8 steps', async () => {
  const m = classic('peterson', 'n=2', 'broken=true');
  const rs = await acrossWorkers(m);
  for (const r of rs) {
    const v = r.violations.find((x) => x.property === 'MutualExclusion');
    assert.ok(v);
    assert.equal(v.length, 8);
    assert.deepEqual(v.actions.map((a) => m.actions[a].name), [
      'proc[P0]:ncs', 'proc[P0]:set_victim', 'proc[P1]:ncs', 'proc[P1]:set_victim',
      'proc[P1]:set_level', 'proc[P1]:wait.enter', 'proc[P0]:set_level', 'proc[P0]:wait.enter',
    ]);
    // Replaying the trace reaches a state with both processes in the critical section.
    const rep = replayActions(m, v.actions);
    assert.equal(rep.divergence, undefined);
    const last = rep.states[rep.states.length - 1];
    const cs = m.instances.filter((i) => last[i.pcVar] === i.labels.indexOf('cs'));
    assert.equal(cs.length, 2);
  }
});

test('--continue explores the whole space of a violating model', async () => {
  const m = classic('peterson', 'n=2', 'broken=true');
  const stopAtFirst = await explore(m);
  const all = await explore(m, { continueAfterViolation: true });
  assert.ok(all.distinct > stopAtFirst.distinct);
  assert.equal(all.stopReason, 'complete');
  assert.equal(all.verdict, 'violation');
});
