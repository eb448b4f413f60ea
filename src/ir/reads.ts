/**
 * The variables a lowered expression reads, primed and unprimed alike. A read through a
 * run-time index reads every copy of the field (and what the index reads): the analyses that
 * use this (dead variables, partial-order footprints, visibility) must not miss a read.
 */
import type { CExpr, CoreModel } from './core';

export function readVars(m: CoreModel, e: CExpr, into: Set<number> = new Set()): Set<number> {
  switch (e.k) {
    case 'lit': break;
    case 'var': into.add(e.v); break;
    case 'ivar': for (const v of m.fields[e.field].vars) into.add(v); readVars(m, e.index, into); break;
    case 'not': readVars(m, e.a, into); break;
    case 'bin': readVars(m, e.l, into); readVars(m, e.r, into); break;
    case 'ite': readVars(m, e.c, into); readVars(m, e.t, into); readVars(m, e.e, into); break;
  }
  return into;
}
