/**
 * Classic models written in the IR, used by the tests and the benchmarks. Their state counts
 * are known independently, so they pin the explorer's behaviour.
 */
import {
  and, at, count, eq, ge, implies, le, lt, mod, add, ne, or, self, set, step, branch, v, forall, isIn,
} from '../ir/dsl';
import type { Model } from '../ir/types';

/**
 * N counters 0..M; a step increments one counter, or resets it to 0 when it is at M.
 * (M+1)^N states and N*(M+1)^N transitions: counters(6,11) has 2,985,984 and 17,915,904.
 */
export function counters(n: number, m: number): Model {
  return {
    name: 'counters',
    params: { n, m },
    entities: [{ name: 'counter', count: n, slotNames: Array.from({ length: n }, (_, i) => `c${i}`) }],
    fields: [{ name: 'value', domain: { kind: 'int', min: 0, max: m }, over: 'counter', init: 0 }],
    actors: [{
      name: 'tick', over: 'counter',
      steps: [{
        label: 'tick',
        branches: [
          branch('inc', { guard: lt(v('value', self), m), assign: [set('value', self, add(v('value', self), 1))], goto: 'tick' }),
          branch('reset', { guard: eq(v('value', self), m), assign: [set('value', self, 0)], goto: 'tick' }),
        ],
      }],
    }],
    properties: [],
    // The counters are alike: a state is the multiset of their values.
    symmetry: ['counter'],
  };
}

/**
 * N dining philosophers; each takes the left fork, then the right one, eats, and puts both
 * down. Every philosopher holding the left fork is a deadlock, reached in N steps.
 */
export function dining(n: number): Model {
  const right = mod(add(self, 1), n);
  return {
    name: 'dining',
    params: { n },
    entities: [
      { name: 'phil', count: n, slotNames: Array.from({ length: n }, (_, i) => `p${i}`) },
      { name: 'fork', count: n, slotNames: Array.from({ length: n }, (_, i) => `f${i}`) },
    ],
    fields: [{ name: 'holder', domain: { kind: 'ref', entity: 'phil', nullable: true }, over: 'fork', init: 'none' }],
    actors: [{
      name: 'phil', over: 'phil',
      steps: [
        step('take_left', { guard: eq(v('holder', self), 'none'), assign: [set('holder', self, self)], goto: 'take_right' }),
        step('take_right', { guard: eq(v('holder', right), 'none'), assign: [set('holder', right, self)], goto: 'put_down' }),
        step('put_down', { assign: [set('holder', self, 'none'), set('holder', right, 'none')], goto: 'take_left' }),
      ],
    }],
    properties: [
      { name: 'ForkHeldByNeighbour', kind: 'invariant', expr: forall('fork', (f) => isIn(v('holder', f), 'none', f, mod(add(f, n - 1), n))) },
      { name: 'SomeoneEats', kind: 'witness', expr: at('phil', 0, 'put_down') },
    ],
  };
}

/**
 * Peterson's filter lock for N processes. Each process climbs levels 1..N-1; at each it
 * announces its level, names itself the victim, and waits until no other process is at its
 * level or above, or it is no longer the victim. `broken` swaps the two writes (victim first,
 * then level), which lets two processes into the critical section.
 */
export function peterson(n: number, broken = false): Model {
  const lv = v('lv', self);
  const setLevel = step('set_level', { assign: [set('level', self, lv)], goto: broken ? 'wait' : 'set_victim' });
  const setVictim = step('set_victim', { assign: [set('victim', lv, self)], goto: broken ? 'set_level' : 'wait' });
  return {
    name: 'peterson',
    params: { n, broken },
    entities: [
      { name: 'proc', count: n, slotNames: Array.from({ length: n }, (_, i) => `P${i}`) },
      { name: 'lvl', count: n, slotNames: Array.from({ length: n }, (_, i) => `L${i}`) },
    ],
    fields: [
      { name: 'level', domain: { kind: 'int', min: 0, max: n - 1 }, over: 'proc', init: 0 },
      { name: 'victim', domain: { kind: 'ref', entity: 'proc', nullable: true }, over: 'lvl', init: 'none' },
      { name: 'lv', domain: { kind: 'int', min: 0, max: n - 1 }, over: 'proc', init: 0, doc: 'the level a process is climbing (local)' },
    ],
    actors: [{
      name: 'proc', over: 'proc',
      steps: [
        step('ncs', { assign: [set('lv', self, 1)], goto: broken ? 'set_victim' : 'set_level' }),
        ...(broken ? [setVictim, setLevel] : [setLevel, setVictim]),
        {
          label: 'wait',
          guard: or(forall('proc', (k) => or(eq(k, self), lt(v('level', k), lv))), ne(v('victim', lv), self)),
          branches: [
            branch('up', { guard: lt(lv, n - 1), assign: [set('lv', self, add(lv, 1))], goto: broken ? 'set_victim' : 'set_level' }),
            branch('enter', { guard: ge(lv, n - 1), goto: 'cs' }),
          ],
        },
        step('cs', { goto: 'exit' }),
        step('exit', { assign: [set('level', self, 0), set('lv', self, 0)], goto: 'ncs' }),
      ],
    }],
    properties: [
      { name: 'MutualExclusion', kind: 'invariant', expr: le(count('proc', (p) => at('proc', p, 'cs')), 1) },
      { name: 'LevelsBelowN', kind: 'invariant', expr: forall('proc', (p) => implies(at('proc', p, 'cs'), eq(v('level', p), n - 1))) },
      { name: 'SomeoneEnters', kind: 'witness', expr: and(at('proc', 0, 'cs')) },
    ],
  };
}
