/**
 * Strong stubborn sets per state (Valmari; REDUCTION.md §1), from the static footprint:
 *   C0  a state with an enabled step gets at least one enabled step;
 *   C1  closure: an enabled step brings every step it may conflict with; a disabled step
 *       brings the steps that can enable it: the ones that move its pc to it when its
 *       instance is elsewhere, else every writer of what its guard reads;
 *   C2  a set whose enabled steps include a visible one is replaced by all enabled steps.
 * The first enabled step of each actor instance is tried as the seed (the instance's other
 * enabled steps are at the same pc and almost always in the same closure), those with the
 * fewest static conflicts first; the set with the fewest enabled steps wins (ties: the
 * earlier seed), so the choice depends on the state only.
 * The proviso against ignoring is the search's job (reduced-search.ts).
 */
import type { CoreModel } from '../../ir/core';
import { compileGuardAtoms } from '../../compile/guard-atoms';
import type { Layout } from '../../state/layout';
import { hasBit, type Footprint } from './footprint';

export class StubbornSets {
  private readonly enabled: Uint32Array;
  private readonly inT: Uint32Array;
  private readonly best: Uint32Array;
  private readonly stack: Int32Array;

  private readonly falseAtoms: (t: number, s: Int32Array, o: number) => number;
  private readonly seeds: Int32Array;
  private readonly depSize: Int32Array;
  private readonly atomMask: Int32Array;
  private readonly maskStamp: Int32Array;
  private stamp = 0;
  /** Per instance: its pc variable's slot, and per pc value the actions at it. */
  private readonly instPc: { word: number; shift: number; mask: number; min: number }[];
  private readonly atPc: Uint32Array[][];
  private readonly pcOf: Int32Array;
  /** The state's enabled actions and the actions at their instance's pc: the only ones a
   *  closure still has to look at once a whole pc chain has joined it. */
  private readonly active: Uint32Array;
  /** Per mutex (fp.mutexes): its variable's slot, the instance holding it by value (-1:
   *  none), and each instance's releases. */
  private readonly lockSlot: { word: number; shift: number; mask: number }[];
  private readonly lockHolder: Int32Array[];
  private readonly lockReleases: Uint32Array[][];

  constructor(private readonly fp: Footprint, layout: Layout, m: CoreModel) {
    this.falseAtoms = compileGuardAtoms(m);
    this.seeds = new Int32Array(fp.actions);
    this.depSize = Int32Array.from(fp.dep, (d) => d.reduce((a, w) => a + popcount(w), 0));
    this.atomMask = new Int32Array(fp.actions);
    this.maskStamp = new Int32Array(fp.actions);
    this.instPc = m.instances.map((i) => { const sl = layout.slots[i.pcVar]; return { word: sl.word, shift: sl.shift, mask: sl.mask | 0, min: sl.min }; });
    this.atPc = m.instances.map((i) => i.labels.map((_, pc) => {
      const b = new Uint32Array(fp.aw);
      for (const a of m.actions) if (a.instance === i.index && a.pcFrom === pc) b[a.id >>> 5] |= 1 << (a.id & 31);
      return b;
    }));
    this.pcOf = new Int32Array(m.instances.length);
    this.active = new Uint32Array(fp.aw);
    // The holder table is indexed by the stored bits (value - min), so no min is kept.
    this.lockSlot = fp.mutexes.locks.map((l) => { const sl = layout.slots[l.v]; return { word: sl.word, shift: sl.shift, mask: sl.mask | 0 }; });
    this.lockHolder = fp.mutexes.locks.map((l) => {
      const sl = layout.slots[l.v], h = new Int32Array(sl.max - sl.min + 1).fill(-1);
      for (const [value, inst] of l.holderOf) h[value - sl.min] = inst;
      return h;
    });
    // A holder that never releases: an empty set (nothing can enable the waiting step).
    this.lockReleases = fp.mutexes.locks.map((l) => m.instances.map((i) => (l.releases.get(i.index) as Uint32Array | undefined) ?? new Uint32Array(fp.aw)));
    this.enabled = new Uint32Array(fp.aw);
    this.inT = new Uint32Array(fp.aw);
    this.best = new Uint32Array(fp.aw);
    this.stack = new Int32Array(fp.actions);
  }

  /**
   * Choose among the n enabled actions acts[0..n) of the state at s[o..]; returns how many
   * are kept and sets keep[q] to 1 for each kept one (keep has room for n).
   */
  select(s: Int32Array, o: number, acts: Int32Array, n: number, keep: Uint8Array): number {
    if (n <= 1) { for (let q = 0; q < n; q++) keep[q] = 1; return n; }
    const en = this.enabled;
    en.fill(0);
    for (let q = 0; q < n; q++) en[acts[q] >>> 5] |= 1 << (acts[q] & 31);
    // Seeds: the first enabled action of each instance, those with the fewest static
    // conflicts first, so that a small set found early cuts the later closures short.
    const seeds = this.seeds;
    let ns = 0, lastInstance = -1;
    for (let q = 0; q < n; q++) {
      const inst = this.fp.instance[acts[q]];
      if (inst === lastInstance) continue;
      lastInstance = inst;
      let j = ns++;
      for (; j > 0 && this.depSize[seeds[j - 1]] > this.depSize[acts[q]]; j--) seeds[j] = seeds[j - 1];
      seeds[j] = acts[q];
    }
    this.stamp++;
    const active = this.active;
    active.set(en);
    for (let i = 0; i < this.instPc.length; i++) {
      const p = this.instPc[i];
      const pc = ((s[o + p.word] >>> p.shift) & p.mask) + p.min;
      this.pcOf[i] = pc;
      const at = this.atPc[i][pc];
      if (at !== undefined) for (let w = 0; w < active.length; w++) active[w] |= at[w];
    }
    let bestCount = n;
    for (let i = 0; i < ns && bestCount > 1; i++) {
      const c = this.closure(seeds[i], s, o, bestCount);
      if (c < bestCount) { bestCount = c; this.best.set(this.inT); }
    }
    if (bestCount === n) { for (let q = 0; q < n; q++) keep[q] = 1; return n; }
    for (let q = 0; q < n; q++) keep[q] = hasBit(this.best, acts[q]) ? 1 : 0;
    return bestCount;
  }

  /** For a disabled action: the enablers of one false atom of its enabling condition (its pc
   *  test, whose enablers are taken as the whole pc chain, or a guard conjunct), the one that
   *  brings the fewest actions not yet in T, enabled ones counted heavier; all writers of its
   *  guard when no false conjunct can be evaluated. */
  private enablers(t: number, s: Int32Array, o: number): Uint32Array {
    const fp = this.fp;
    let best: Uint32Array | null = null, bestCost = Infinity;
    this.reachChosen = false;
    if (this.pcOf[fp.instance[t]] !== fp.pcFrom[t]) { best = fp.pcReach[t] as Uint32Array; bestCost = this.cost(best); this.reachChosen = true; }
    // Each closure of this state asks again: evaluate the guard's conjuncts once per state.
    if (this.maskStamp[t] !== this.stamp) { this.maskStamp[t] = this.stamp; this.atomMask[t] = this.falseAtoms(t, s, o); }
    let mask = this.atomMask[t];
    const atoms = fp.atomEnablers[t];
    while (mask !== 0 && bestCost > 0) {
      const j = 31 - Math.clz32(mask & -mask);
      mask &= mask - 1;
      const c = this.cost(atoms[j] as Uint32Array);
      if (c < bestCost) { bestCost = c; best = atoms[j] as Uint32Array; this.reachChosen = false; }
    }
    // A step inside a critical section of a mutex another instance holds: that holder's
    // releases (mutexes.ts; none at all when it never releases).
    for (const k of fp.mutexes.heldAt[t]) {
      if (bestCost === 0) break;
      const sl = this.lockSlot[k];
      const holder = this.lockHolder[k][(s[o + sl.word] >>> sl.shift) & sl.mask];
      if (holder < 0 || holder === fp.instance[t]) continue;
      const rel = this.lockReleases[k][holder];
      const c = this.cost(rel);
      if (c < bestCost) { bestCost = c; best = rel; this.reachChosen = false; }
    }
    return best ?? (fp.guardEnablers[t] as Uint32Array);
  }

  /** Set by enablers(): the set returned is a pc chain (pcReach), whose members need no
   *  closing of their own unless they are active. */
  private reachChosen = false;

  private cost(add: Uint32Array): number {
    const T = this.inT, en = this.enabled;
    let c = 0;
    for (let w = 0; w < add.length; w++) {
      const fresh = add[w] & ~T[w];
      if (fresh === 0) continue;
      c += popcount(fresh) + 4 * popcount(fresh & en[w]);
    }
    return c;
  }

  /** The closure of {seed} in this.inT; returns its number of enabled actions, or `cap` as
   *  soon as it cannot beat cap or holds a visible enabled action (C2: expand all). */
  private closure(seed: number, s: Int32Array, o: number, cap: number): number {
    const fp = this.fp, T = this.inT, en = this.enabled, stack = this.stack, aw = fp.aw;
    T.fill(0);
    T[seed >>> 5] |= 1 << (seed & 31);
    if (fp.visible[seed] === 1) return cap;
    // Enabled actions are counted (and checked for visibility) as they join T, so a closure
    // that cannot win stops as early as possible.
    let sp = 0, count = 1;
    if (count >= cap) return cap;
    stack[sp++] = seed;
    while (sp > 0) {
      const t = stack[--sp];
      let add: Uint32Array, chain = false;
      if ((en[t >>> 5] & (1 << (t & 31))) !== 0) add = fp.dep[t] as Uint32Array;
      else { add = this.enablers(t, s, o); chain = this.reachChosen; }
      for (let w = 0; w < aw; w++) {
        let fresh = add[w] & ~T[w];
        if (fresh === 0) continue;
        T[w] |= fresh;
        // A pc chain is closed under its members' own pc enablers: only its members at their
        // instance's current pc (enabled, or waiting on a guard) still need closing.
        if (chain) fresh &= this.active[w];
        const newlyEnabled = fresh & en[w];
        if (newlyEnabled !== 0) {
          count += popcount(newlyEnabled);
          if (count >= cap) return cap;
          for (let x = newlyEnabled; x !== 0; x &= x - 1) if (fp.visible[(w << 5) | (31 - Math.clz32(x & -x))] === 1) return cap;
        }
        while (fresh !== 0) {
          const b = 31 - Math.clz32(fresh & -fresh);
          fresh &= fresh - 1;
          stack[sp++] = (w << 5) | b;
        }
      }
    }
    return count;
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
