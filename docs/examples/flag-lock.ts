/**
 * A model probecheck does not ship, for --model-file: N processes guard a critical section with
 * a "test, then set" flag (the textbook broken lock). Reading the flag and setting it are two
 * steps, so two processes can both see it clear and both enter.
 */
import { at, count, eq, le, self, set, step, v } from 'probecheck/dist/src/ir/dsl';
import type { Model } from 'probecheck/dist/src/ir/types';

export default function flagLock(p: { n?: number }): Model {
  const n = p.n ?? 2;
  return {
    name: 'flag-lock',
    params: { n },
    entities: [{ name: 'proc', count: n, slotNames: Array.from({ length: n }, (_, i) => `p${i}`) }],
    fields: [{ name: 'flag', domain: { kind: 'bool' }, init: false }],
    actors: [{
      name: 'P', over: 'proc',
      steps: [
        step('test', { guard: eq(v('flag'), false), goto: 'set' }),
        step('set', { assign: [set('flag', undefined, true)], goto: 'critical' }),
        step('critical', { goto: 'release' }),
        step('release', { assign: [set('flag', undefined, false)], goto: 'test' }),
      ],
    }],
    properties: [
      { name: 'MutualExclusion', kind: 'invariant', expr: le(count('proc', (q) => at('P', q, 'critical', 'release')), 1), doc: 'at most one process in the critical section' },
      { name: 'SomeoneEnters', kind: 'witness', expr: at('P', 0, 'critical') },
    ],
  };
}
void self;
