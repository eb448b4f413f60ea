/**
 * What a scenario's witness may read: the model's fields and program counters by entity name,
 * and the kernel's code forms and flags (never its name: a patch can move a kernel from one form
 * to another, and the witness must follow). `F` and `K` are the kernel model's Forms and flags.
 */
import { at, eq, v } from '../ir/dsl';
import type { Expr } from '../ir/types';

export interface WitnessHelpers<F, K> {
  dev(name: string): number;
  iommu(name: string): number;
  group(name: string): number;
  /** The DMA mode recorded when the client's driver bound (ghost.bound_dma_mode). */
  modeIs(dev: number, mode: 'direct' | 'iommu'): Expr;
  /** Read a field (with a slot index for a field over an entity). */
  v(field: string, index?: number): Expr;
  at(actor: string, slot: number | undefined, label: string): Expr;
  bound(dev: number): Expr;
  registered(iommu: number): Expr;
  ended(actor: string, slot?: number): Expr;
  /** The code forms of the kernel being built. */
  readonly forms: F;
  flag<N extends keyof K>(name: N): K[N];
}

export interface WitnessScope<F, K> {
  readonly scenario: string;
  readonly devices: readonly string[];
  readonly iommus: readonly string[];
  readonly groups: readonly string[];
  readonly forms: F;
  readonly flags: K;
}

export function witnessHelpers<F, K>(s: WitnessScope<F, K>): WitnessHelpers<F, K> {
  const idx = (kind: string, names: readonly string[], name: string): number => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`scenario ${s.scenario}: no ${kind} '${name}'`);
    return i;
  };
  return {
    dev: (n) => idx('device', s.devices, n),
    iommu: (n) => idx('iommu', s.iommus, n),
    group: (n) => idx('group', s.groups, n),
    modeIs: (d, mode) => eq(v('ghost.bound_dma_mode', d), mode),
    bound: (d) => eq(v('dev.bind_phase', d), 'bound'),
    registered: (i) => eq(v('iommu.driver_state', i), 'bound'),
    ended: (a, sl) => at(a, sl, '$end'),
    v: (f, i) => v(f, i),
    at: (a, sl, l) => at(a, sl, l),
    forms: s.forms,
    flag: (name) => s.flags[name],
  };
}
