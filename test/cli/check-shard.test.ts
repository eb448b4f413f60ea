/**
 * One scenario over several machines: check --shard I/N explores one shard of the search,
 * check merge joins the shards' results folders (in any order) into the result of the whole
 * search: the unsharded verdict, violated properties with their shortest lengths and traces,
 * witnesses, and a distinct count marked as an upper bound. A missing, duplicated or foreign
 * shard is one line and exit 2; a merged trace replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, oneErrorLine, type Run, tmpDir } from './helpers';
import { run } from '../../src/cli/main';
import { StopOnSignal } from '../../src/cli/signals';
import { mergeShardResults, type ShardInput } from '../../src/cli/shard-merge';
import type { ShardSummary } from '../../src/cli/shard-result';
import type { RunSummary } from '../../src/cli/run';
import { targetOptions } from '../../src/cli/options';

/** The CLI in this process (as main.ts runs it, without a child's start-up cost); `cli` spawns
 *  the real binary where the test is about what a user sees end to end. */
async function pc(...args: string[]): Promise<Run> {
  const ctx = { stderrIsTTY: false, progress: () => undefined, endProgress: () => undefined, stop: new StopOnSignal(), startedAt: performance.now() };
  const o = await run(args, ctx);
  return { code: o.exitCode, stdout: o.stdout ?? '', stderr: o.stderr ?? '' };
}

interface Summary {
  verdict: string; complete: boolean; stopReason: string;
  states: { distinct: number; generated: number; upperBound?: boolean };
  violations: { invariant: string; length: number; trace: string }[];
  witnesses: { name: string; reached: boolean }[];
  unreachedSteps: string[] | null;
  shard?: { index: number; count: number; splitLevel: number | null; prefix: { distinct: number }; own: { distinct: number }; violations: { invariant: string; actions: string[] }[] };
  merge?: { shards: number; splitLevel: number | null; distinctIsUpperBound: boolean; perShard: { index: number; from: string }[] };
}

const summary = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
const steps = (file: string) => (JSON.parse(fs.readFileSync(file, 'utf8')) as { steps: { action: string }[] }).steps.map((s) => s.action);

const PETERSON = ['--model', 'peterson', '--set', 'n=2', '--set', 'broken=true'];
const TWO_SMMU = ['--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu'];
const COMMON = ['--workers', '1', '--quiet', '--no-report'];

/** Run the N shards into dir/<tag>-s<i>; their folders. */
async function runShards(dir: string, tag: string, target: readonly string[], n: number, extra: string[]): Promise<string[]> {
  const outs: string[] = [];
  for (let k = 1; k <= n; k++) {
    const out = path.join(dir, `${tag}-s${k}`);
    const r = await pc('check', ...target, ...COMMON, ...extra, '--shard', `${k}/${n}`, '--out', out);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    outs.push(out);
  }
  return outs;
}

for (const [what, target, level] of [['peterson(2, broken)', PETERSON, '3'], ['v6.6.5 probe-vs-register-two-smmu', TWO_SMMU, '12']] as const) {
  test(`${what}: 2 and 3 shards merged give the unsharded verdict, violations, lengths, traces and witnesses, and at least its distinct count`, async () => {
    const dir = tmpDir('check-shard');
    for (const cont of [['--continue'], []]) {
      const whole = path.join(dir, `whole${cont.length}`);
      const u = await pc('check', ...target, ...COMMON, ...cont, '--out', whole);
      const want = summary(whole);
      for (const n of [2, 3]) {
        const shards = await runShards(dir, `n${n}c${cont.length}`, [...target], n, [...cont, '--shard-level', level]);
        const merged = path.join(dir, `merged-n${n}c${cont.length}`);
        const m = await pc('check', 'merge', ...shards, '--out', merged, '--quiet', '--no-report');
        assert.equal(m.code, u.code, m.stderr);
        const got = summary(merged);
        assert.equal(got.verdict, want.verdict);
        assert.deepEqual(got.violations.map((v) => [v.invariant, v.length]), want.violations.map((v) => [v.invariant, v.length]));
        for (const v of want.violations) {
          assert.deepEqual(steps(path.join(merged, v.trace)), steps(path.join(whole, v.trace)), `${v.invariant}: the trace an unsharded run reports`);
        }
        assert.deepEqual(got.witnesses, want.witnesses);
        assert.equal(got.states.upperBound, true);
        assert.equal(got.merge?.distinctIsUpperBound, true);
        assert.ok(got.states.distinct >= want.states.distinct, `${got.states.distinct} >= ${want.states.distinct}`);
        if (cont.length) assert.deepEqual(got.unreachedSteps, want.unreachedSteps, 'a step is never enabled in the whole search iff in no shard');
        const own = shards.map((s) => summary(s).shard!.own.distinct);
        assert.equal(got.states.distinct, summary(shards[0]).shard!.prefix.distinct + own.reduce((a, b) => a + b, 0));
      }
    }
  });
}

test('a shard result records its shard, split level, prefix and own counts, and its traces by step name', async () => {
  const dir = tmpDir('check-shard-doc');
  const [s1] = await runShards(dir, 'p', PETERSON, 2, ['--shard-level', '3']);
  const s = summary(s1).shard!;
  assert.equal(s.index, 1);
  assert.equal(s.count, 2);
  assert.equal(s.splitLevel, 3);
  assert.ok(s.prefix.distinct > 0 && s.own.distinct > 0);
  assert.equal(summary(s1).states.distinct, s.prefix.distinct + s.own.distinct);
  for (const v of s.violations) assert.deepEqual(v.actions, steps(path.join(s1, `violation-${v.invariant}.json`)));
  const r = await pc('check', ...PETERSON, '--workers', '1', '--no-report', '--shard', '1/2', '--shard-level', '3', '--out', path.join(dir, 'text'));
  assert.match(r.stdout, /^shard 1\/2: split at level 3 \(\d+ states, \d+ of them this shard's\); prefix \d+ distinct/m);
  // A search that ends before a split level: the whole search, the same in every shard.
  const c = await pc('check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--reduce', 'dead-vars', '--workers', '1', '--no-report', '--shard', '2/2', '--out', path.join(dir, 'small'));
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /shard 2\/2: no split \(the search ended before a level of 1,000 states\)/);
  assert.equal(summary(path.join(dir, 'small')).shard!.splitLevel, null);
});

test('merge: the order of the shards does not matter', async () => {
  const dir = tmpDir('check-shard-order');
  const shards = await runShards(dir, 'k', TWO_SMMU, 3, ['--continue', '--shard-level', '12']);
  const a = path.join(dir, 'a'), b = path.join(dir, 'b');
  assert.equal((await pc('check', 'merge', ...shards, '--out', a, '--quiet')).code, 1);
  assert.equal((await pc('check', 'merge', shards[2], shards[0], shards[1], '--out', b, '--quiet')).code, 1);
  const same = (d: string) => {
    const { out: _o, merge, ...rest } = summary(d) as Summary & { out: string };
    return { ...rest, merge: { ...merge, perShard: merge?.perShard.map(({ from: _f, ...p }) => p) } };
  };
  assert.deepEqual(same(a), same(b));
  for (const v of summary(a).violations) assert.deepEqual(steps(path.join(a, v.trace)), steps(path.join(b, v.trace)));
});

test('merge: a missing, duplicated or foreign shard, or a folder that is no shard: one line, exit 2', async () => {
  const dir = tmpDir('check-shard-bad');
  const [s1, s2, s3] = await runShards(dir, 'p', PETERSON, 3, ['--shard-level', '3']);
  const expectMerge = async (args: string[], pattern: RegExp) => {
    const r = await pc('check', 'merge', ...args, '--out', path.join(dir, 'never'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(oneErrorLine(r, 'E_MERGE'), pattern);
    assert.equal(fs.existsSync(path.join(dir, 'never')), false, 'nothing written');
  };
  // As a user sees it (the real binary): one line on stderr, exit 2.
  const spawned = cli('check', 'merge', s1, s3, '--out', path.join(dir, 'never'));
  assert.equal(spawned.code, 2);
  assert.match(oneErrorLine(spawned, 'E_MERGE'), /shard 2\/3 is missing \(given: 1, 3\)/);
  await expectMerge([s1, s2, s2, s3], /shard 2\/3 is given twice/);
  const [o2] = await runShards(dir, 'two', PETERSON, 2, ['--shard-level', '3']);
  await expectMerge([s1, o2, s3], /another search.*2 shards, not 3/);
  const other = path.join(dir, 'other');
  await pc('check', '--model', 'peterson', '--set', 'n=2', ...COMMON, '--shard', '2/3', '--shard-level', '3', '--out', other);
  await expectMerge([s1, other, s3], /another search.*parameters/);
  const lvl = path.join(dir, 'lvl');
  await pc('check', ...PETERSON, ...COMMON, '--shard', '2/3', '--shard-level', '4', '--out', lvl);
  await expectMerge([s1, lvl, s3], /another search.*--shard-level 4, not 3/);
  const plain = path.join(dir, 'plain');
  await pc('check', ...PETERSON, ...COMMON, '--out', plain);
  await expectMerge([s1, plain, s3], /not a shard result/);
  await expectMerge([s1, path.join(dir, 'nowhere'), s3], /no such results folder/);
});

test('a trace of a merged result replays', async () => {
  const dir = tmpDir('check-shard-replay');
  const shards = await runShards(dir, 'k', TWO_SMMU, 2, ['--shard-level', '12']);
  const merged = path.join(dir, 'merged');
  assert.equal((await pc('check', 'merge', ...shards, '--out', merged, '--quiet')).code, 1);
  const v = summary(merged).violations[0];
  const r = cli('replay', path.join(merged, v.trace));
  assert.match(r.stdout, /replays: all \d+ steps enabled/);
  assert.match(r.stdout, new RegExp(`${v.invariant} is VIOLATED`));
});

test('check --shard: a bad value or a combination that makes no sense is one line, exit 2', async () => {
  const dir = tmpDir('check-shard-usage');
  const out = ['--out', path.join(dir, 'never')];
  for (const bad of ['0/2', '3/2', '1/0', 'x', '1/2/3']) {
    const r = await pc('check', ...PETERSON, '--shard', bad, ...out);
    assert.equal(r.code, 2);
    oneErrorLine(r, 'E_BAD_VALUE');
  }
  const cases: [string[], string, RegExp][] = [
    [['--shard', '1/2', '--shard-level', '-1'], 'E_BAD_VALUE', /--shard-level takes a depth/],
    [['--shard-level', '3'], 'E_USAGE', /give --shard I\/N/],
    [['--shard', '1/2', '--reduce', 'por'], 'E_USAGE', /use --reduce dead-vars or --no-reduce/],
    [['--shard', '1/2', '--checkpoint-every', '1m'], 'E_USAGE', /--checkpoint-every/],
    [['--shard', '1/2', '--resume', path.join(dir, 'x')], 'E_USAGE', /--resume/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = await pc('check', ...PETERSON, ...args, ...out);
    assert.equal(r.code, 2, r.stderr);
    assert.match(oneErrorLine(r, code), pattern);
  }
  const several = await pc('check', '--kernel', 'v6.6.5', '--shard', '1/2', ...out);
  assert.equal(several.code, 2);
  assert.match(oneErrorLine(several, 'E_USAGE'), /give one --scenario \(this run has 4\)/);
  assert.equal(fs.existsSync(path.join(dir, 'never')), false);
});

/** A shard's summary as the merge reads it, with only what a case needs changed. */
function fakeShard(index: number, count: number, violations: { invariant: string; kind: string; actions: string[] }[], stopReason: string): ShardInput {
  const shard: ShardSummary = {
    format: 'probecheck-shard', index, count, splitLevel: 1, requestedLevel: 1, splitThreshold: 1000, levelStates: 2, share: 1,
    prefix: { distinct: 3, generated: 2 }, own: { distinct: 10, generated: 20 },
    identity: { options: targetOptions({ model: 'dining', set: ['n=3'] }), label: 'dining', model: 'm', invariants: null, continueAfterViolation: false, reduce: 'dead-vars,symmetry', probecheck: '0', engine: 'e' },
    violations: violations.map((v) => ({ ...v, length: v.actions.length })), witnesses: [],
  };
  const run = {
    verdict: violations.length ? 'violation' : 'pass', model: 'dining', params: {}, workers: 1, seconds: 1, depth: 9,
    states: { distinct: 13, generated: 22 }, violations: [], witnesses: [], checked: ['A', 'B'], notSelected: [], unreachedSteps: [],
    reduction: null, collisionProbability: 0, bytesPerState: 1, fingerprintLoad: 0.1, stopReason, complete: true, out: null, shard,
  } as RunSummary & { shard: ShardSummary };
  return { file: `s${index}`, run };
}

test('merge without --continue keeps what the unsharded search finds by its last level: a property another shard violates only deeper is dropped', () => {
  const ids = (name: string) => Number(name.slice(1));
  // Shard 1 stops after level 2 with A (an invariant of a level-3 state); shard 2 has no
  // violation there and stops after level 4 with B: an unsharded search stops after level 2.
  const one = fakeShard(1, 2, [{ invariant: 'A', kind: 'invariant', actions: ['a1', 'a2', 'a3'] }], 'violation');
  const two = fakeShard(2, 2, [{ invariant: 'B', kind: 'invariant', actions: ['a2', 'a2', 'a2', 'a2', 'a2'] }], 'violation');
  for (const order of [[one, two], [two, one]]) {
    const m = mergeShardResults(order, ids);
    assert.deepEqual(m.violations.map((v) => v.of.invariant), ['A']);
    assert.equal(m.verdict, 'violation');
    assert.equal(m.distinct, 3 + 10 + 10);
    assert.equal(m.upperBound, true);
  }
  // With --continue every shard explored its whole share: both are kept.
  const cont = [one, two].map((s) => ({ ...s, run: { ...s.run, shard: { ...s.run.shard, identity: { ...s.run.shard.identity, continueAfterViolation: true } } } }));
  assert.deepEqual(mergeShardResults(cont, ids).violations.map((v) => v.of.invariant), ['A', 'B']);
  // A terminal property (deadlock) is found when its own level is expanded: a 3-step deadlock
  // is found at level 3, after a 3-step invariant violation (level 2), so it is dropped.
  const dead = fakeShard(2, 2, [{ invariant: 'B', kind: 'terminal', actions: ['a1', 'a1', 'a1'] }], 'violation');
  assert.deepEqual(mergeShardResults([one, dead], ids).violations.map((v) => v.of.invariant), ['A']);
  // Ties in length: the smaller action-id sequence, whatever the order of the shards.
  const x = fakeShard(1, 2, [{ invariant: 'A', kind: 'invariant', actions: ['a2', 'a1', 'a1'] }], 'violation');
  for (const order of [[x, one], [one, x]]) {
    assert.deepEqual(mergeShardResults(order.map((s, i) => ({ ...s, run: { ...s.run, shard: { ...s.run.shard, index: i + 1 } } })), ids).violations[0].ids, [1, 2, 3]);
  }
});
