/**
 * TLC's counting conventions (docs/tla.md), each checked against the export by minitlc, which
 * enumerates the exported text as TLC does (a disjunction in a guard forks, Done stutters):
 *   - depth: TLC counts the initial state as a level, so its depth is probecheck's + 1;
 *   - generated: TLC counts the initial state, every successor of every action including the
 *     duplicates a `\/` in a guard yields when both sides hold, and Done's stuttering steps;
 *     probecheck counts one successor per enabled action. So TLC's figure is
 *     1 + probecheck's + duplicates + stuttering steps.
 * And traces: TLC's own `-dumpTrace json` counterexample (levels from 1) replays directly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTlaParser } from '../../src/bridge/grammar';
import { exportTla } from '../../src/bridge/tla';
import { toItf } from '../../src/bridge/itf';
import { explore } from '../../src/explorer/explore';
import type { CoreModel } from '../../src/ir/core';
import { lowerModel } from '../../src/ir/lower';
import { buildClassicModel } from '../../src/examples';
import { buildKernelModel } from '../../src/model';
import { replayActions } from '../../src/trace/replay';
import { cli, oneErrorLine, tmpDir } from '../cli/helpers';
import { Fn, MiniTlc, parseCfg, TSet, type Value } from './minitlc';

const MODELS: [string, () => CoreModel][] = [
  ['counters(3,3)', () => lowerModel(buildClassicModel('counters', ['n=3', 'm=3']))],
  ['dining(3)', () => lowerModel(buildClassicModel('dining', ['n=3']))],
  ['peterson(2)', () => lowerModel(buildClassicModel('peterson', ['n=2']))],
  ['peterson(2, broken)', () => lowerModel(buildClassicModel('peterson', ['n=2', 'broken=true']))],
  ['v6.6.5/probe-vs-register-two-smmu', () => lowerModel(buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register-two-smmu' }))],
  ['v4.19/msm-private-domain', () => lowerModel(buildKernelModel({ kernel: 'v4.19', scenario: 'msm-private-domain' }))],
];

let totalDup = 0, totalDone = 0;

for (const [label, build] of MODELS) {
  test(`${label}: TLC's depth is probecheck's + 1; TLC's generated is 1 + probecheck's + duplicates + stuttering`, async () => {
    const core = build();
    const ex = exportTla(core);
    const mini = new MiniTlc((await loadTlaParser()).parse(ex.tla));
    const got = mini.explore(parseCfg(ex.cfg));
    const want = await explore(core, { continueAfterViolation: true, workers: 1 });
    assert.equal(got.distinct, want.distinct);
    // depth: minitlc's last level in steps is ours; TLC prints the number of levels.
    assert.equal(got.depth, want.depth);
    const tlcDepth = got.depth + 1;
    assert.equal(tlcDepth, want.depth + 1);
    // generated, action by action: Next is \/ A1 \/ ... \/ An \/ Done.
    const next = mini.defs.get('Next')!.body;
    assert.equal(next.t, 'disj_list');
    let ours = 0, dup = 0, done = 0;
    for (const s of got.states) {
      for (const item of next.kids) {
        const a = item.kids[item.kids.length - 1];
        const succ = mini.act(a, s, new Map(), new Map(), false);
        if (a.text === 'Done') { done += succ.length; continue; }
        const unique = new Set(succ.map((t) => mini.stateKey(t))).size;
        assert.ok(unique <= 1, `${a.text} is a function of the state`);
        ours += unique;
        dup += succ.length - unique;
      }
    }
    assert.equal(ours, want.generated, 'one successor per enabled action: probecheck\'s generated');
    assert.equal(got.initial, 1);
    const tlcGenerated = got.initial + got.generated;
    assert.equal(tlcGenerated, 1 + want.generated + dup + done);
    totalDup += dup;
    totalDone += done;
  });
}

test('the conventions were exercised: some guard \\/ held on both sides, some state stuttered', () => {
  assert.ok(totalDup > 0, 'a duplicate successor (peterson\'s wait guard)');
  assert.ok(totalDone > 0, 'a Done step');
});

/** A minitlc value as TLC's Json module writes it: functions over strings as objects. */
function asTlcJson(x: Value): unknown {
  if (x instanceof Fn) return Object.fromEntries([...x.m.values()].map(([k, v]) => [String(k), asTlcJson(v)]));
  if (x instanceof TSet) return [...x.m.values()].map(asTlcJson);
  return x;
}

test('replay reads TLC\'s -dumpTrace json counterexample; its header lists the patches and the invariant failing at its end', async () => {
  const core = lowerModel(buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register-two-smmu' }));
  const ex = exportTla(core);
  const mini = new MiniTlc((await loadTlaParser()).parse(ex.tla));
  const got = mini.explore(parseCfg(ex.cfg), { stopOnViolation: true });
  assert.deepEqual([...got.violations], [['NoUnattachedDma', 28]]);
  const path_: number[] = [];
  for (let i = got.states.length - 1; i >= 0; i = got.parents[i]) path_.unshift(i);
  assert.equal(path_.length, 28 + 1, 'TLC lists 29 states for a 28-step counterexample');
  const level = (i: number) => [i + 1, Object.fromEntries(mini.vars.map((v) => [v, asTlcJson(got.states[path_[i]].get(v)!)]))];
  const dump = {
    state: path_.map((_, i) => level(i)).reverse(), // TLC writes a set: the order is not ours to rely on
    action: path_.slice(1).map((_, i) => [level(i), { name: 'step', location: {} }, level(i + 1)]),
  };
  const dir = tmpDir('tlc-dump');
  const file = path.join(dir, 'CounterExample.json');
  fs.writeFileSync(file, JSON.stringify(dump));
  const r = cli('replay', file, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^replay \S+CounterExample\.json \(TLC -dumpTrace json\) on v6\.6\.5\/probe-vs-register-two-smmu \(patches: none\):$/m);
  assert.match(r.stdout, /replays: all 28 steps enabled, each leads to the recorded state/);
  assert.match(r.stdout, /at the end, VIOLATED: NoUnattachedDma$/m);
  // A patch is named in the header; a TLC trace of the unpatched export diverges there.
  const p = cli('replay', file, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--patch', 'b46064a18810', '--json');
  assert.ok(p.code === 0 || p.code === 1, p.stderr);
  assert.deepEqual(JSON.parse(p.stdout).patches, ['b46064a18810']);
  assert.match(cli('replay', file, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--patch', 'b46064a18810').stdout, /\(patches: b46064a18810\):/);
  // Damaged: a level missing, not pairs.
  fs.writeFileSync(file, JSON.stringify({ ...dump, state: dump.state.filter((x) => x[0] !== 5) }));
  assert.match(oneErrorLine(cli('replay', file, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu'), 'E_TRACE_FILE'), /level 5 is missing/);
  fs.writeFileSync(file, JSON.stringify({ state: [[1, 'x']] }));
  assert.match(oneErrorLine(cli('replay', file, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu'), 'E_TRACE_FILE'), /state entry 1 is not a \[level, state\] pair/);
});

test('the ITF we write carries #meta.varTypes (Apalache\'s notation), consistent with every value', () => {
  const core = lowerModel(buildKernelModel({ kernel: 'v6.6.5', scenario: 'probe-vs-register-two-smmu' }));
  const r = explore(core, { workers: 1 });
  return r.then((res) => {
    const v = res.violations[0];
    const { states, actions } = replayActions(core, v.actions);
    const itf = toItf(core, states, actions, { invariant: v.property });
    const types = itf['#meta'].varTypes as Record<string, string>;
    assert.deepEqual(Object.keys(types).sort(), [...itf.vars].sort());
    const typeOf = (x: unknown): string => {
      if (typeof x === 'boolean') return 'Bool';
      if (typeof x === 'string') return 'Str';
      const o = x as Record<string, unknown>;
      if (typeof o['#bigint'] === 'string') return 'Int';
      const entries = o['#map'] as [unknown, unknown][];
      const inner = new Set(entries.map(([k, val]) => `(${typeOf(k)} -> ${typeOf(val)})`));
      assert.equal(inner.size, 1);
      return [...inner][0];
    };
    for (const st of itf.states) for (const name of itf.vars) assert.equal(typeOf(st[name]), types[name], name);
    assert.ok(Object.values(types).some((t) => t.startsWith('(Str ->')) && Object.values(types).includes('Str'));
  });
});

test('replaying an ITF names the invariant that fails at its end, and lists the patches', () => {
  const dir = tmpDir('itf-end');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--quiet', '--no-report', '--out', path.join(dir, 'run'));
  assert.equal(r.code, 1);
  const itf = path.join(dir, 'run', 'violation-NoUnattachedDma.itf.json');
  const json = JSON.parse(fs.readFileSync(itf, 'utf8'));
  delete json['#meta'].invariant; // as a trace from another tool would be
  const bare = path.join(dir, 'bare.itf.json');
  fs.writeFileSync(bare, JSON.stringify(json));
  for (const f of [itf, bare]) {
    const x = cli('replay', f, '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu');
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stdout, /on v6\.6\.5\/probe-vs-register-two-smmu \(patches: none\):/);
    assert.match(x.stdout, f === itf ? /at the end, NoUnattachedDma is VIOLATED/ : /at the end, VIOLATED: NoUnattachedDma$/m);
  }
});
