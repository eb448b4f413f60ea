/**
 * The sharded search (src/explorer/shard.ts, docs/adr/0005): every shard runs the same prefix
 * and splits at the same level; the shares partition that level; over the shards, every
 * violated property is found with the unsharded shortest length and trace; the shards' counts
 * add up to the unsharded count plus exactly the states that several shards reach, which a
 * reference search computes independently here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from '../../src/explorer/explore';
import { shardOfFingerprint, splitThreshold } from '../../src/explorer/shard';
import type { ExploreOptions, ExploreResult } from '../../src/explorer/types';
import type { CoreModel } from '../../src/ir/core';
import { initialState, successors } from '../../src/ir/interpret';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import { encodeState } from '../../src/state/codec';
import { fingerprint } from '../../src/state/fingerprint';
import { computeLayout } from '../../src/state/layout';
import { acrossWorkers, classic, essence } from '../helpers/models';

const kernel = (k: string, scenario: string, patches: string[] = []) => lowerModel(buildKernelModel({ kernel: k, scenario, patches }));

async function shards(m: CoreModel, count: number, opts: ExploreOptions & { level?: number } = {}): Promise<ExploreResult[]> {
  const out: ExploreResult[] = [];
  for (let index = 1; index <= count; index++) {
    out.push(await explore(m, { ...opts, shard: { index, count, ...(opts.level !== undefined ? { level: opts.level } : {}) } }));
  }
  return out;
}

/** Shorter first, then the smaller action-id sequence: breadth-first order. */
function earlier(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** Per property, the earliest trace over the shards (what check merge keeps). */
function earliestViolations(rs: readonly ExploreResult[]): Map<string, number[]> {
  const best = new Map<string, number[]>();
  for (const r of rs) for (const v of r.violations) {
    const old = best.get(v.property);
    if (!old || earlier(v.actions, old)) best.set(v.property, [...v.actions]);
  }
  return best;
}

function earliestWitnesses(rs: readonly ExploreResult[]): Map<string, number[]> {
  const best = new Map<string, number[]>();
  for (const r of rs) for (const w of r.witnesses) {
    if (!w.actions) continue;
    const old = best.get(w.name);
    if (!old || earlier(w.actions, old)) best.set(w.name, [...w.actions]);
  }
  return best;
}

/**
 * The overlap by a reference search (interpreter, plain maps): the prefix is every state of
 * depth <= level; shard k reaches, from its share of the level, the states outside the prefix
 * (the prefix is in its table); overlap = sum over shards of what each reaches, less the union.
 */
function referenceOverlap(m: CoreModel, level: number, count: number): { prefix: number; perShard: number[]; union: number } {
  const layout = computeLayout(m);
  const key = (s: number[]) => s.join(',');
  const depth = new Map<string, number>([[key(initialState(m)), 0]]);
  let frontier = [initialState(m)];
  for (let d = 0; d < level && frontier.length; d++) {
    const next: number[][] = [];
    for (const s of frontier) for (const { state } of successors(m, s)) {
      if (!depth.has(key(state))) { depth.set(key(state), d + 1); next.push(state); }
    }
    frontier = next;
  }
  const perShard: number[] = [];
  const union = new Set<string>();
  for (let k = 1; k <= count; k++) {
    const share = frontier.filter((s) => {
      const [h1, h2] = fingerprint(encodeState(layout, s), 0, layout.words);
      return shardOfFingerprint(h1, h2, count) === k;
    });
    const seen = new Set<string>();
    let todo = share;
    while (todo.length) {
      const next: number[][] = [];
      for (const s of todo) for (const { state } of successors(m, s)) {
        const kk = key(state);
        if (depth.has(kk) || seen.has(kk)) continue;
        seen.add(kk); union.add(kk); next.push(state);
      }
      todo = next;
    }
    perShard.push(seen.size);
  }
  return { prefix: depth.size, perShard, union: union.size };
}

test('every shard runs the same prefix, splits at the same level, and the shares partition it', async () => {
  const rs = await shards(classic('peterson', 'n=3'), 3, { level: 8 });
  for (const r of rs) {
    assert.equal(r.shard?.level, 8);
    assert.equal(r.shard?.prefixDistinct, rs[0].shard?.prefixDistinct);
    assert.equal(r.shard?.levelStates, rs[0].shard?.levelStates);
  }
  assert.equal(rs.reduce((n, r) => n + (r.shard?.share ?? 0), 0), rs[0].shard?.levelStates, 'each state of the split level is in exactly one share');
  assert.ok(rs.every((r) => (r.shard?.share ?? 0) > 0), 'the fingerprints spread 17+ states over 3 shards');
});

test('the default split level is the first level of at least max(64N, 1000) states', async () => {
  const m = kernel('v5.17', 'dma-owner-before-group', ['dma-owner-v7']);
  const [r] = await shards(m, 2, { continueAfterViolation: true });
  const level = r.shard?.level;
  assert.ok(level !== null && level !== undefined, 'v5.17 dma-owner-before-group has a level of 1,000 states');
  assert.equal(splitThreshold(2), 1000);
  assert.equal(splitThreshold(20), 1280);
  assert.ok((r.shard?.levelStates ?? 0) >= 1000);
  const [before] = await shards(m, 2, { continueAfterViolation: true, level: level - 1 });
  assert.ok((before.shard?.levelStates ?? Infinity) < 1000, 'the level above is narrower');
});

for (const [what, make, level] of [
  ['peterson(2, broken)', () => classic('peterson', 'n=2', 'broken=true'), 3],
  ['dining(5)', () => classic('dining', 'n=5'), 2],
  ['v6.6.5 probe-vs-register-two-smmu', () => kernel('v6.6.5', 'probe-vs-register-two-smmu'), 12],
  ['v5.17 dma-owner-before-group (dma-owner-v7), default split level', () => kernel('v5.17', 'dma-owner-before-group', ['dma-owner-v7']), undefined],
] as const) {
  test(`${what}: over 2 and 3 shards, every violated property has the unsharded shortest trace, every witness its path`, async () => {
    const m = make();
    for (const cont of [true, false]) {
      const whole = await explore(m, { continueAfterViolation: cont });
      for (const n of [2, 3]) {
        const rs = await shards(m, n, { continueAfterViolation: cont, ...(level !== undefined ? { level } : {}) });
        // (Without --continue, v5.17 stops at its violation before a level of 1,000 states:
        // no split, each shard is the whole search.)
        if (cont) assert.ok(rs[0].shard?.level !== null, 'the search was split');
        const got = earliestViolations(rs);
        if (cont) {
          assert.deepEqual([...got.keys()].sort(), whole.violations.map((v) => v.property).sort());
        }
        // Without --continue a shard may go on past the unsharded search's last level: the
        // properties the unsharded run found are found with the same trace (check merge
        // drops the others, test/cli/check-shard.test.ts).
        for (const v of whole.violations) assert.deepEqual(got.get(v.property), v.actions, `${v.property} with ${n} shards${cont ? ', --continue' : ''}`);
        const wit = earliestWitnesses(rs);
        for (const w of whole.witnesses) if (w.reached) assert.deepEqual(wit.get(w.name), w.actions, `witness ${w.name}`);
      }
    }
  });
}

for (const [what, make, level] of [
  ['peterson(3)', () => classic('peterson', 'n=3'), 8],
  ['v6.6.5 probe-vs-register-two-smmu', () => kernel('v6.6.5', 'probe-vs-register-two-smmu'), 12],
] as const) {
  test(`${what}: the shards' distinct counts add up to the unsharded count plus the overlap a reference search finds`, async () => {
    const m = make();
    const whole = await explore(m, { continueAfterViolation: true });
    for (const n of [2, 3]) {
      const rs = await shards(m, n, { continueAfterViolation: true, level });
      const ref = referenceOverlap(m, level, n);
      const prefix = rs[0].shard!.prefixDistinct;
      assert.equal(prefix, ref.prefix);
      assert.deepEqual(rs.map((r) => r.distinct - prefix), ref.perShard, 'each shard stores the prefix and what its share reaches outside it');
      const sum = prefix + ref.perShard.reduce((a, b) => a + b, 0);
      assert.equal(prefix + ref.union, whole.distinct, 'together the shards reach the whole space');
      assert.equal(sum, whole.distinct + (sum - prefix - ref.union));
      assert.ok(sum >= whole.distinct);
    }
  });
}

test('a shard gives the same counts and traces with 1, 2 and 3 workers (the split comes before the hand-over)', async () => {
  const m = classic('peterson', 'n=3');
  for (const index of [1, 2]) {
    const rs = await acrossWorkers(m, { shard: { index, count: 2, level: 8 } });
    assert.equal(rs[1].workers, 2, 'the parallel search ran');
    assert.deepEqual(essence(rs[1]), essence(rs[0]));
    assert.deepEqual(essence(rs[2]), essence(rs[0]));
    assert.deepEqual(rs[1].shard, rs[0].shard);
  }
});

test('a search that ends before a split level is the whole search in every shard', async () => {
  const m = classic('counters', 'n=3', 'm=3');
  const whole = await explore(m);
  for (const r of await shards(m, 2)) {
    assert.equal(r.shard?.level, null);
    assert.equal(r.shard?.share, 0);
    assert.equal(r.distinct, whole.distinct);
    assert.equal(r.shard?.prefixDistinct, whole.distinct);
    assert.equal(r.verdict, whole.verdict);
  }
});

test('a shard is refused with a reduction or a checkpoint, and outside 1..N', async () => {
  const m = classic('counters', 'n=2', 'm=2');
  await assert.rejects(explore(m, { shard: { index: 1, count: 2 }, reduce: { por: true } }), /E_USAGE|use --reduce dead-vars or --no-reduce/);
  // Counters declares its counters interchangeable: symmetry's representatives are no paths.
  await assert.rejects(explore(m, { shard: { index: 1, count: 2 }, reduce: { symmetry: true } }), /use --reduce dead-vars or --no-reduce/);
  assert.equal((await explore(m, { shard: { index: 1, count: 2 }, reduce: { deadVars: true } })).verdict, (await explore(m)).verdict, 'dead variables keep paths: a shard may use them');
  await assert.rejects(explore(m, { shard: { index: 3, count: 2 } }), /between 1 and the count/);
});
