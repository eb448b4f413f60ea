/**
 * The search with partial-order reduction: level-synchronous BFS in one thread that expands
 * each state by a stubborn set (stubborn.ts) instead of all its enabled steps, with the
 * depth-based proviso of REDUCTION.md §1 against ignoring: a reduced expansion whose every
 * successor is already stored at depth <= d (the state's own depth) is replaced by the full
 * one. "Stored at depth <= d" is a table frozen for the level (`closed`); states found in the
 * level go to a second table (`found`) merged at the level's end, so the test, and with it
 * every count, does not depend on the order within the level or on --workers.
 *
 * What it decides is exact (see the ADR); the paths it finds are real but not always the
 * shortest: explore.ts rebuilds counterexamples with an unreduced search bounded by the depth
 * found here.
 */
import { instantiate, isModelRuntimeError, type CompiledSource } from '../../compile/compile';
import type { CoreModel } from '../../ir/core';
import { initialState } from '../../ir/interpret';
import { encodeState } from '../../state/codec';
import { exactFingerprint } from '../../state/fingerprint';
import { finishResult, LimitWatch } from '../common';
import { FingerprintTable } from '../fingerprint-table';
import { ParentLinks } from '../parent-links';
import { PropertyRecorder } from '../recorder';
import type { ExploreOptions, ExploreResult, StopReason } from '../types';
import type { Footprint } from './footprint';
import { StubbornSets } from './stubborn';

export interface PorStats {
  /** States expanded by a proper subset of their enabled steps. */
  readonly reducedExpansions: number;
  /** Reduced expansions the proviso turned into full ones. */
  readonly provisoExpansions: number;
  /** Enabled steps not taken. */
  readonly prunedTransitions: number;
}

/** `proviso: false` exists for the mutation tests only (test/explorer/reduction.test.ts
 *  shows that the suite catches a search that ignores steps). */
export async function exploreReduced(m: CoreModel, src: CompiledSource, fp: Footprint, opts: ExploreOptions, conditions = { proviso: true }): Promise<{ result: ExploreResult; stats: PorStats }> {
  const cm = instantiate(src.source);
  const W = cm.W;
  const rec = new PropertyRecorder(m, src);
  const watch = new LimitWatch(opts);
  const stubborn = new StubbornSets(fp, src.layout, m);
  const links = new ParentLinks(m.actions.length);
  const counts = new Float64Array(m.actions.length);
  const closed = new FingerprintTable();
  let found = new FingerprintTable();
  const out = new Int32Array(cm.maxSucc * W), acts = new Int32Array(cm.maxSucc), keep = new Uint8Array(cm.maxSucc);
  const fps = new Int32Array(cm.maxSucc * 2), res = new Int32Array(2);
  const { skip, reached } = rec;

  let frontier: Int32Array<ArrayBufferLike> = encodeState(src.layout, initialState(m)), frontierCount = 1;
  let next: Int32Array<ArrayBufferLike> = new Int32Array(W * 1024), nextCount = 0;
  cm.canon(frontier, 0);
  cm.fp(frontier, 0, res);
  closed.insert(res[0], res[1]);
  links.push(0xffffffff, 0);
  for (let pi = cm.inv(frontier, 0, skip); pi >= 0; pi = cm.inv(frontier, 0, skip)) rec.violate(pi, { state: 0, extra: -1, depth: 0 });
  for (let pi = cm.wit(frontier, 0, reached); pi >= 0; pi = cm.wit(frontier, 0, reached)) rec.witness(pi, { state: 0, extra: -1, depth: 0 });

  let depth = 0, levelBase = 0, generated = 0, reducedExpansions = 0, provisoExpansions = 0, pruned = 0;
  let stop: StopReason = 'complete';
  let modelError: { message: string; actions: number[] } | undefined;
  const cont = !!opts.continueAfterViolation;
  // Deadlocks need no proviso (C0 and C1 keep every one of them); everything else does, and
  // so does a terminal property of the model's own when a crash state (reached through an
  // assertion, which the tables treat as a step check) can be terminal.
  const sel = src.selected;
  const needsProviso = conditions.proviso && (sel.invariant.length > 0 || sel.transition.length > 0 || sel.witness.length > 0 ||
    (m.crashVar >= 0 && sel.terminal.some((i) => !m.properties[i].synthetic)));
  const crashSlot = m.crashVar >= 0 ? src.layout.slots[m.crashVar] : undefined;
  const crashWord = crashSlot && crashSlot.bits > 0 ? crashSlot.word : -1;
  const crashBits = crashSlot ? (crashSlot.mask << crashSlot.shift) | 0 : 0;
  const retained = () => closed.tableBytes + found.tableBytes + links.bytes;

  levels: for (;;) {
    if (frontierCount === 0) break;
    if (rec.anyViolation && !cont) { stop = 'violation'; break; }
    // As in the unreduced search: a signal handler runs at a level boundary.
    if (opts.signal) await new Promise<void>((resolve) => setImmediate(resolve));
    const limit = watch.beforeLevel(closed.count, depth);
    if (limit) { stop = limit; break; }
    nextCount = 0;
    const nextBase = levelBase + frontierCount;
    let cur = 0;
    try {
      for (; cur < frontierCount; cur++) {
        const o = cur * W, me = levelBase + cur;
        const n = cm.succ(frontier, o, out, acts);
        if (n === 0) {
          for (let pi = cm.term(frontier, o, skip); pi >= 0; pi = cm.term(frontier, o, skip)) rec.violate(pi, { state: me, extra: -1, depth });
          continue;
        }
        let kept = stubborn.select(frontier, o, acts, n, keep);
        // A step whose assertion fails here disables every other step: it commutes with
        // nothing, so the state is expanded in full (the tables leave the crash record out).
        if (kept < n && crashWord >= 0) for (let q = 0; q < n; q++) if (keep[q] === 1 && (out[q * W + crashWord] & crashBits) !== 0) { kept = n; keep.fill(1, 0, n); break; }
        for (let q = 0; q < n; q++) {
          if (keep[q] === 0) continue;
          cm.canon(out, q * W);
          cm.fp(out, q * W, res);
          fps[2 * q] = res[0]; fps[2 * q + 1] = res[1];
        }
        if (kept < n && !needsProviso) reducedExpansions++;
        else if (kept < n) {
          reducedExpansions++;
          let deeper = false;
          for (let q = 0; q < n && !deeper; q++) if (keep[q] === 1 && !has(closed, fps[2 * q], fps[2 * q + 1])) deeper = true;
          if (!deeper) {
            provisoExpansions++;
            for (let q = 0; q < n; q++) {
              if (keep[q] === 1) continue;
              keep[q] = 1;
              cm.canon(out, q * W);
              cm.fp(out, q * W, res);
              fps[2 * q] = res[0]; fps[2 * q + 1] = res[1];
            }
            kept = n;
          }
        }
        generated += kept;
        pruned += n - kept;
        for (let q = 0; q < n; q++) {
          if (keep[q] === 0) continue;
          const p = q * W, act = acts[q];
          counts[act]++;
          for (let pi = cm.trans(frontier, o, out, p, skip); pi >= 0; pi = cm.trans(frontier, o, out, p, skip)) rec.violate(pi, { state: me, extra: act, depth });
          const h1 = fps[2 * q], h2 = fps[2 * q + 1];
          if (has(closed, h1, h2) || !found.insert(h1, h2)) continue;
          if ((nextCount + 1) * W > next.length) { const b = new Int32Array(next.length * 2); b.set(next); next = b; }
          const np = nextCount * W;
          for (let w = 0; w < W; w++) next[np + w] = out[p + w];
          links.push(me, act);
          nextCount++;
          const idx = nextBase + nextCount - 1;
          for (let pi = cm.inv(next, np, skip); pi >= 0; pi = cm.inv(next, np, skip)) rec.violate(pi, { state: idx, extra: -1, depth: depth + 1 });
          if (!rec.allWitnessesReached) for (let pi = cm.wit(next, np, reached); pi >= 0; pi = cm.wit(next, np, reached)) rec.witness(pi, { state: idx, extra: -1, depth: depth + 1 });
        }
        if ((cur & 4095) === 4095) {
          const s = watch.duringLevel(closed.count + found.count, generated, depth, frontierCount - cur, retained());
          if (s) { stop = s; break levels; }
        }
      }
    } catch (e) {
      if (!isModelRuntimeError(e)) throw e;
      const actions = links.pathTo(levelBase + cur);
      actions.push(e.action);
      modelError = { message: `${m.actions[e.action]?.name ?? 'a property'}: ${e.message}`, actions };
      stop = 'model-error';
      break;
    }
    // The level's states join the closed set before the next level is expanded.
    const t = found.table;
    for (let j = 0; j < t.length; j += 2) if (t[j] !== 0) closed.insert(t[j], t[j + 1]);
    found = new FingerprintTable();
    levelBase = nextBase;
    const done = frontier;
    frontier = next;
    frontierCount = nextCount;
    next = done.length >= W * 1024 ? done : new Int32Array(W * 1024);
    if (frontierCount > 0) depth++;
  }

  const result = finishResult({
    m, rec, stop, workers: 1, seconds: watch.seconds(), depth, distinct: closed.count + found.count, generated,
    actionCounts: counts, retainedBytes: retained(), load: closed.load,
    pathTo: (i) => links.pathTo(i), exactFingerprints: exactFingerprint(W), modelError,
  });
  return { result, stats: { reducedExpansions, provisoExpansions, prunedTransitions: pruned } };
}

function has(t: FingerprintTable, h1: number, h2: number): boolean {
  const table = t.table;
  for (let i = h1 >>> t.shift; ; i = (i + 1) & t.mask) {
    const a = table[i << 1];
    if (a === 0) return false;
    if (a === h1 && table[(i << 1) + 1] === h2) return true;
  }
}
