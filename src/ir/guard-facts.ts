/**
 * What a guard's top-level conjuncts say of single variables: `v = lit` pins v, `v != lit`
 * rules a value out (a bare boolean `v` rules out 0, `!v` pins 0). Used by the reduction's
 * analyses (co-enabledness, locks, visibility); primed variables say nothing of the state.
 */
import type { CExpr } from './core';

export interface GuardFacts { readonly pins: Map<number, number>; readonly outs: Map<number, Set<number>> }

export function guardFacts(e: CExpr, f: GuardFacts = { pins: new Map(), outs: new Map() }): GuardFacts {
  const out = (v: number, k: number) => { const s = f.outs.get(v) ?? new Set<number>(); s.add(k); f.outs.set(v, s); };
  if (e.k === 'var' && !e.primed) out(e.v, 0);
  else if (e.k === 'not' && e.a.k === 'var' && !e.a.primed) f.pins.set(e.a.v, 0);
  else if (e.k === 'bin') {
    if (e.op === 'and') { guardFacts(e.l, f); guardFacts(e.r, f); return f; }
    let v = -1, k = 0;
    if (e.l.k === 'var' && !e.l.primed && e.r.k === 'lit') { v = e.l.v; k = e.r.v; }
    else if (e.r.k === 'var' && !e.r.primed && e.l.k === 'lit') { v = e.r.v; k = e.l.v; }
    if (v >= 0 && e.op === 'eq') f.pins.set(v, k);
    else if (v >= 0 && e.op === 'ne') out(v, k);
  }
  return f;
}
