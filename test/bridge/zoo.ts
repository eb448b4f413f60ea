/**
 * A small model that uses every construct the TLA+ exporter and the ITF codec must handle:
 * enums, bools, a negative int range, nullable references used as indexes (read and write),
 * a `$thread` lock, an actor over a subset of slots, a single-instance actor, assertions (two
 * on one step: the first that fails wins), `<` on an enum, min, a non-literal modulo, ite,
 * a bool assigned from a comparison, non-uniform initial values, and every property kind.
 */
import {
  add, and, at, branch, eq, forall, ge, implies, ite, le, lt, max, me, min, mod, ne, next, not, or, self, set,
  step, sub, v,
} from '../../src/ir/dsl';
import type { Model } from '../../src/ir/types';

export function zoo(): Model {
  return {
    name: 'zoo',
    params: { variant: 'all' },
    meta: { purpose: 'exporter coverage' },
    entities: [
      { name: 'dev', count: 3, slotNames: ['D1', 'D2', 'D3'] },
      { name: 'grp', count: 2, slotNames: ['G1', 'G2'] },
    ],
    fields: [
      { name: 'dev.phase', domain: { kind: 'enum', values: ['absent', 'probing', 'bound'] }, over: 'dev', init: 'absent' },
      { name: 'dev.group', domain: { kind: 'ref', entity: 'grp', nullable: true }, over: 'dev', init: ['G1', 'none', 'G1'] },
      { name: 'grp.refcnt', domain: { kind: 'int', min: -1, max: 3 }, over: 'grp', init: [0, 1] },
      { name: 'lock', domain: { kind: 'ref', entity: '$thread', nullable: true }, init: 'none' },
      { name: 'flag', domain: { kind: 'bool' }, init: false, ghost: true },
      { name: 'ticks', domain: { kind: 'int', min: 0, max: 5 }, init: 0 },
    ],
    actors: [
      {
        name: 'probe', over: 'dev', slots: [0, 1],
        steps: [
          step('lock', { fn: 'device_lock()', file: 'drivers/base/core.c', guard: eq(v('lock'), 'none'), assign: [set('lock', undefined, me)], goto: 'work' }),
          {
            label: 'work', fn: 'really_probe()', file: 'drivers/base/dd.c',
            guard: eq(v('lock'), me),
            branches: [
              branch('join', {
                guard: ne(v('dev.group', self), 'none'),
                asserts: [
                  { name: 'GroupAlive', cond: ge(v('grp.refcnt', v('dev.group', self)), 0) },
                  { name: 'NotBoundTwice', cond: ne(v('dev.phase', self), 'bound') },
                ],
                assign: [
                  set('grp.refcnt', v('dev.group', self), min(add(v('grp.refcnt', v('dev.group', self)), 1), 3)),
                  set('dev.phase', self, 'bound'),
                ],
                goto: 'unlock',
              }),
              branch('skip', { guard: eq(v('dev.group', self), 'none'), assign: [set('dev.phase', self, 'probing')], goto: 'unlock' }),
            ],
          },
          step('unlock', {
            assign: [
              set('lock', undefined, 'none'),
              set('flag', undefined, not(v('flag'))),
              set('ticks', undefined, mod(add(v('ticks'), ite(v('flag'), 2, 1)), max(v('grp.refcnt', 'G2'), 1))),
            ],
            goto: '$end',
          }),
        ],
      },
      {
        name: 'reaper',
        steps: [
          step('drop', {
            fn: 'iommu_group_put()', file: 'drivers/iommu/iommu.c',
            guard: lt(v('dev.phase', 'D1'), 'bound'),
            assign: [set('grp.refcnt', 'G1', sub(v('grp.refcnt', 'G1'), 1)), set('flag', undefined, lt(v('ticks'), 2))],
            goto: 'check',
          }),
          step('check', { asserts: [{ name: 'NoUnderflow', cond: ge(v('grp.refcnt', 'G1'), 0) }], goto: '$end' }),
        ],
      },
    ],
    properties: [
      { name: 'LockHeldInWork', kind: 'invariant', expr: implies(ne(v('lock'), 'none'), or(at('probe', 0, 'work', 'unlock'), at('probe', 1, 'work', 'unlock'))), doc: 'the lock is held only inside a probe' },
      { name: 'PhaseMonotone', kind: 'transition', expr: forall('dev', (d) => le(v('dev.phase', d), next('dev.phase', d))) },
      { name: 'AllTried', kind: 'terminal', expr: and(ne(v('dev.phase', 'D1'), 'absent'), ne(v('dev.phase', 'D2'), 'absent')) },
      { name: 'D1Bound', kind: 'witness', expr: eq(v('dev.phase', 'D1'), 'bound') },
      { name: 'ReaperDone', kind: 'witness', expr: at('reaper', undefined, '$end') },
    ],
  };
}
