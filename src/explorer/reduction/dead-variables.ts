/**
 * Dead-variable reduction (ADR 6): a variable that only one actor instance touches, and that
 * no checked property reads, is dead at a program counter when every path of that instance
 * from there writes it before reading it (or ends). Its value there cannot change anything
 * that follows, so states that differ only in dead variables behave alike (they are
 * bisimilar, and every checked property has the same value in both). Storing each state
 * with its dead variables set back to their initial values merges them: the explored graph
 * is the quotient by that bisimulation, so every verdict, every shortest length and every
 * path is kept, and a trace, a sequence of actions, replays on the unreduced model (each
 * action is enabled there: enabledness reads only live variables). This is SPIN's dead
 * variable elimination and the IF toolset's live-variable reduction (Bozga, Fernandez,
 * Ghirvu 1999), computed from the lowered IR for any model.
 *
 * Liveness is the textbook backward analysis over each instance's steps: live(p) is the
 * union over the actions at p of what they read (guards of every branch, values, indexes,
 * assertions) and of live(after) minus what they surely write. A read through a run-time
 * index reads every copy; a write through one kills nothing.
 */
import type { CoreModel } from '../../ir/core';
import { readVars as reads } from '../../ir/reads';
import type { Layout } from '../../state/layout';

/** What the search checks, by property index (CompiledSource.selected). */
export interface CheckedProperties {
  readonly invariant: readonly number[];
  readonly transition: readonly number[];
  readonly terminal: readonly number[];
  readonly witness: readonly number[];
}

export interface DeadVariables {
  /** Per instance and pc value, the variables dead there (only those with bits in the state). */
  readonly deadAt: readonly (readonly (readonly number[])[])[];
  /** How many variables are reset somewhere, for the summary. */
  readonly resettable: number;
}

export function deadVariables(m: CoreModel, checked: CheckedProperties, layout: Layout): DeadVariables {
  const nv = m.vars.length;
  // Who touches each variable: one instance (its index), several (-2), or none yet (-1).
  const owner = new Int32Array(nv).fill(-1);
  const touch = (v: number, i: number) => { owner[v] = owner[v] === -1 || owner[v] === i ? i : -2; };
  const actionReads: Set<number>[] = [], actionKills: Set<number>[] = [];
  for (const a of m.actions) {
    const r = new Set<number>(), k = new Set<number>();
    reads(m, a.guard, r);
    for (const x of a.assign) {
      reads(m, x.value, r);
      if (x.target.k === 'var') k.add(x.target.v);
      else { reads(m, x.target.index, r); for (const v of m.fields[x.target.field].vars) touch(v, a.instance); }
    }
    for (const x of a.asserts) reads(m, x.cond, r);
    for (const v of r) touch(v, a.instance);
    for (const v of k) touch(v, a.instance);
    actionReads.push(r); actionKills.push(k);
  }
  // Never reset: what a checked property reads, program counters, the crash record.
  const kept = new Set<number>();
  for (const list of [checked.invariant, checked.transition, checked.terminal, checked.witness]) for (const i of list) reads(m, m.properties[i].expr, kept);
  for (const inst of m.instances) kept.add(inst.pcVar);
  if (m.crashVar >= 0) kept.add(m.crashVar);
  const owned = (v: number, i: number) => owner[v] === i && !kept.has(v) && layout.slots[v].bits > 0;

  const reset = new Set<number>();
  const deadAt = m.instances.map((inst) => {
    const mine: number[] = [];
    for (let v = 0; v < nv; v++) if (owned(v, inst.index)) mine.push(v);
    const pcs = inst.labels.length;
    const live = Array.from({ length: pcs }, () => new Set<number>());
    if (mine.length === 0) return live.map(() => [] as number[]);
    const acts = m.actions.filter((a) => a.instance === inst.index);
    // Backward fixpoint; sets only grow, so it ends.
    for (let changed = true; changed;) {
      changed = false;
      for (const a of acts) {
        const into = live[a.pcFrom];
        const before = into.size;
        for (const v of actionReads[a.id]) into.add(v);
        for (const v of live[a.pcTo]) if (!actionKills[a.id].has(v)) into.add(v);
        if (into.size !== before) changed = true;
      }
    }
    return live.map((l) => mine.filter((v) => !l.has(v)));
  });
  for (const perPc of deadAt) for (const vars of perPc) for (const v of vars) reset.add(v);
  return { deadAt, resettable: reset.size };
}

/** Source of the `canon(a, p)` hook (compile.ts) that sets each instance's dead variables at
 *  its pc back to their initial values, as one masked write per word. */
export function deadVariablesCanonSource(m: CoreModel, layout: Layout, dead: DeadVariables): string {
  const lines: string[] = ['function canon(a, p) {'];
  m.instances.forEach((inst, i) => {
    const cases: string[] = [];
    dead.deadAt[i].forEach((vars, pc) => {
      if (vars.length === 0) return;
      const words = new Map<number, { clear: number; set: number }>();
      for (const v of vars) {
        const sl = layout.slots[v];
        const w = words.get(sl.word) ?? { clear: 0, set: 0 };
        w.clear |= (sl.mask << sl.shift) | 0;
        w.set |= ((m.vars[v].init - sl.min) << sl.shift) | 0;
        words.set(sl.word, w);
      }
      const body = [...words].map(([w, { clear, set }]) => `a[p + ${w}] = (a[p + ${w}] & ${~clear}) | ${set};`).join(' ');
      cases.push(`    case ${pc}: ${body} break;`);
    });
    if (cases.length === 0) return;
    const sl = layout.slots[inst.pcVar];
    const pc = sl.bits === 0 ? `${sl.min}` : `((a[p + ${sl.word}] >>> ${sl.shift}) & ${sl.mask | 0}) + ${sl.min}`;
    lines.push(`  switch (${pc}) {`, ...cases, '  }');
  });
  lines.push('}');
  return lines.join('\n');
}
