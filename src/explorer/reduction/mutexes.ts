/**
 * Mutexes, found in the lowered IR for partial-order reduction (docs/adr/0004, "Locks").
 *
 * A variable L is a mutex when every write to it is either
 *   an acquire: the step's guard pins L to its free value (L = none), and it writes a literal
 *               of its own, the same for every acquire of its instance and different from
 *               every other instance's (the `$thread` slot the lock sugar writes), or
 *   a release:  it writes the free value, from a pc where its instance surely holds L
 *               (or from a guard that says L is free: then it changes nothing),
 * and L starts free. "Surely holds at pc" is a must-analysis per instance: every way into the
 * pc passes an acquire with no release after it.
 *
 * What follows, by induction over any run (acquires need L free, only a holder releases, no
 * other step writes L): in every reachable state an instance that surely holds L at its pc
 * is the one whose literal L holds. So, where L holds instance A's literal:
 *   - a step of another instance B at a pc where B surely holds L cannot be enabled before A
 *     releases L: A's releases are a necessary enabling set for it (B must acquire L first,
 *     which needs L free, and only A can free it);
 *   - two such steps of different instances are never enabled together.
 * A lock written through a run-time index (a per-device lock taken by a walk over the
 * devices) is not recognised: no single variable's writes can be classified.
 */
import type { CExpr, CoreModel } from '../../ir/core';
import { guardFacts } from '../../ir/guard-facts';
import { bitWords, type Bits } from './bits';

export interface Mutex {
  readonly v: number;
  /** L's value when free. */
  readonly free: number;
  /** Instance whose acquires write this value, by value. */
  readonly holderOf: ReadonlyMap<number, number>;
  /** Per instance that releases L: its release actions, as an action set. */
  readonly releases: ReadonlyMap<number, Bits>;
}

export interface Mutexes {
  readonly locks: readonly Mutex[];
  /** Per action: the indexes (into locks) of the mutexes its instance surely holds at its pc. */
  readonly heldAt: readonly (readonly number[])[];
}

export function findMutexes(m: CoreModel): Mutexes {
  const n = m.actions.length;
  const pinsOf = m.actions.map((a) => guardFacts(a.guard).pins);
  // Writes per variable; a write through a run-time index rules out the whole field.
  const writers = new Map<number, { action: number; value: CExpr }[]>();
  const indexed = new Set<number>();
  for (const a of m.actions) for (const x of a.assign) {
    if (x.target.k === 'ivar') { for (const v of m.fields[x.target.field].vars) indexed.add(v); continue; }
    const list = writers.get(x.target.v) ?? [];
    list.push({ action: a.id, value: x.value });
    writers.set(x.target.v, list);
  }
  const locks: Mutex[] = [];
  const held: boolean[][][] = []; // per lock, per instance, per pc
  for (const [v, ws] of writers) {
    if (indexed.has(v) || v === m.crashVar) continue;
    const lock = classify(m, v, ws, pinsOf);
    if (!lock) continue;
    const h = m.instances.map((inst) => mustHold(m, inst.index, lock.acquires, lock.releaseActions));
    // Every release must come from a pc where its instance surely holds the lock.
    if (![...lock.releaseActions].every((t) => h[m.actions[t].instance][m.actions[t].pcFrom])) continue;
    const releases = new Map<number, Bits>();
    for (const t of lock.releaseActions) {
      const i = m.actions[t].instance;
      const b = releases.get(i) ?? new Uint32Array(bitWords(n));
      b[t >>> 5] |= 1 << (t & 31);
      releases.set(i, b);
    }
    locks.push({ v, free: lock.free, holderOf: lock.holderOf, releases });
    held.push(h);
  }
  const heldAt = m.actions.map((a) => locks.flatMap((_, k) => (held[k][a.instance][a.pcFrom] ? [k] : [])));
  return { locks, heldAt };
}

function classify(m: CoreModel, v: number, ws: readonly { action: number; value: CExpr }[], pinsOf: readonly Map<number, number>[]):
  { free: number; holderOf: Map<number, number>; acquires: Set<number>; releaseActions: Set<number> } | undefined {
  const free = m.vars[v].init;
  const holderOf = new Map<number, number>(), valueOf = new Map<number, number>();
  const acquires = new Set<number>(), releaseActions = new Set<number>();
  for (const { action, value } of ws) {
    if (value.k !== 'lit') return undefined;
    const inst = m.actions[action].instance;
    const freeBefore = pinsOf[action].get(v) === free;
    // Writing "free" where the guard says it is free changes nothing (take and drop in one step).
    if (value.v === free) { if (!freeBefore) releaseActions.add(action); continue; }
    if (!freeBefore) return undefined;
    // One literal per instance, a different one for each.
    if (valueOf.has(inst) && valueOf.get(inst) !== value.v) return undefined;
    if (holderOf.has(value.v) && holderOf.get(value.v) !== inst) return undefined;
    valueOf.set(inst, value.v);
    holderOf.set(value.v, inst);
    acquires.add(action);
  }
  // A lock only one instance ever takes orders nothing.
  if (holderOf.size < 2) return undefined;
  return { free, holderOf, acquires, releaseActions };
}

/** Per pc of the instance: does it surely hold the lock there? The greatest fixpoint of
 *  held(p) = AND over the steps into p of (acquire ? true : release ? false : held(from)),
 *  with the entry pc (0) not held. */
function mustHold(m: CoreModel, instance: number, acquires: Set<number>, releases: Set<number>): boolean[] {
  const inst = m.instances[instance];
  const acts = m.actions.filter((a) => a.instance === instance);
  const held = inst.labels.map((_, pc) => pc !== 0);
  for (let changed = true; changed;) {
    changed = false;
    for (const a of acts) {
      const out = acquires.has(a.id) ? true : releases.has(a.id) ? false : held[a.pcFrom];
      if (!out && held[a.pcTo]) { held[a.pcTo] = false; changed = true; }
    }
  }
  return held;
}
