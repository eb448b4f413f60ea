/**
 * Visibility (docs/adr/0004, "Visibility"; src/explorer/reduction/repair.ts): a step that writes
 * what an invariant or witness reads is still left out of the visible steps when it can never
 * repair a violated conjunct (or falsify a witness's disjunct). The claim is checked directly:
 * on random models, from every reachable state (the reference interpreter's), a step the
 * analysis calls harmless never turns a false conjunct true. A broken analysis (one that believes the instance's variables keep their
 * initial values) is caught by the same check. The end-to-end verdicts under reduction are
 * the reduction suite's job (reduction.test.ts, reduction-kernel.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lowerModel } from '../../src/ir/lower';
import type { CoreModel } from '../../src/ir/core';
import type { Model } from '../../src/ir/types';
import { applyAction, evalExpr, initialState, successors, type PlainState } from '../../src/ir/interpret';
import { compileModel } from '../../src/compile/compile';
import { computeFootprint } from '../../src/explorer/reduction/footprint';
import { localValues, mayRepair, propertyConjuncts, type LocalValues } from '../../src/explorer/reduction/repair';
import { buildKernelModel } from '../../src/model';
import { porModelArb } from '../helpers/por-models';
import { lockModelArb } from '../helpers/lock-models';

const evaluates = (f: () => number): number | undefined => { try { return f(); } catch { return undefined; } };

/** The reachable states (up to a few thousand), by the reference interpreter. */
function reachable(m: CoreModel): PlainState[] {
  const seen = new Set<string>();
  const out: PlainState[] = [];
  const todo = [initialState(m)];
  while (todo.length > 0 && out.length < 3000) {
    const s = todo.shift()!;
    const key = s.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
    let next: { state: PlainState }[] = [];
    try { next = successors(m, s); } catch { /* a model error ends this path */ }
    for (const x of next) todo.push(x.state);
  }
  return out;
}

/** A counterexample to the analysis: a reachable step it calls harmless that repairs a
 *  conjunct, or undefined. */
function harmlessRepair(m: CoreModel, local: LocalValues): string | undefined {
  const src = compileModel(m);
  const conjuncts = propertyConjuncts(m, src.selected.invariant, src.selected.witness);
  const harmless = m.actions.map((a) => conjuncts.filter((c) => !mayRepair(m, a, [c], local)));
  for (const s of reachable(m)) {
    for (const a of m.actions) {
      if (harmless[a.id].length === 0) continue;
      let t: PlainState | null = null;
      try { t = applyAction(m, a, s); } catch { /* a model error: no successor */ }
      if (t === null || (m.crashVar >= 0 && t[m.crashVar] !== 0)) continue;
      const after = t;
      for (const c of harmless[a.id]) {
        if (evaluates(() => evalExpr(m, c, s)) === 0 && evaluates(() => evalExpr(m, c, after)) === 1) return `${a.name} repairs a conjunct from ${JSON.stringify(s)}`;
      }
    }
  }
  return undefined;
}

const models = fc.oneof(porModelArb, lockModelArb);

test('random models: a step called harmless never repairs a conjunct, from any reachable state', () => {
  let spared = 0;
  fc.assert(fc.property(models, (model) => {
    const m = lowerModel(model);
    assert.equal(harmlessRepair(m, localValues(m)), undefined);
    const fp = computeFootprint(m, compileModel(m).selected);
    const full = computeFootprint(m, compileModel(m).selected, { local: m.instances.map((i) => i.labels.map(() => undefined)) });
    spared += fp.visibleCount < full.visibleCount ? 1 : 0;
  }), { numRuns: 300, seed: 77 });
  // Not vacuous: what the instances' own values tell spares visible steps in some models.
  assert.ok(spared >= 10, `fewer visible steps in ${spared} of 300 models`);
});

test('a broken analysis, which believes an instance\'s variables keep their initial values, is caught', () => {
  const out = fc.check(fc.property(models, (model: Model) => {
    const m = lowerModel(model);
    const initialOnly: LocalValues = localValues(m).map((perPc) => perPc.map((combos) => {
      if (combos === undefined || combos.length === 0) return combos;
      return [new Map([...combos[0].keys()].map((v) => [v, m.vars[v].init]))];
    }));
    return harmlessRepair(m, initialOnly) === undefined;
  }), { numRuns: 600, seed: 77 });
  assert.ok(out.failed, `the broken analysis survived ${out.numRuns} random models`);
});

test('kernel model: a step that only moves a device towards binding is not visible; one that counts a DMA user of the group is', () => {
  const m = lowerModel(buildKernelModel({ kernel: 'v6.18.y', scenario: 'two-smmu-async' }));
  const fp = computeFootprint(m, compileModel(m).selected);
  const visible = (name: string) => fp.visible[m.actions.find((a) => a.name === name)!.id] === 1;
  // dev->bind_phase idle -> links_ok: it can make "bound implies ..." true only by leaving
  // "bound", and the client's own steps never reach c_links bound.
  assert.equal(visible('C[D1]:c_links.ok'), false);
  // iommu_device_use_default_domain: owner_cnt goes up, which can make "owner_cnt counts the
  // group's DMA-API users" true again.
  assert.equal(visible('C[D1]:use_check.ok'), true);
});
