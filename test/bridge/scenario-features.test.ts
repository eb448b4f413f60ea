/**
 * Scenario-file features that add state (instances probed in turn: a counter and a guard; a
 * second bus: per-bus fields and per-bus steps) reach the TLA+ export: an independent checker on
 * the exported text (minitlc.ts, standing in for TLC) finds the same number of states, the same
 * depth and the same violated properties as probecheck's unreduced search. (The sysfs and mixed-
 * driver examples have 49,261 and 180,515 states on their smallest kernels: too many for the
 * interpreter in a test.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadTlaParser } from '../../src/bridge/grammar';
import { exportTla } from '../../src/bridge/tla';
import { explore } from '../../src/explorer/explore';
import { lowerModel } from '../../src/ir/lower';
import { buildKernelModel } from '../../src/model';
import { readScenarioFile } from '../../src/scenario-file/parse';
import { ROOT } from '../cli/helpers';
import { MiniTlc, parseCfg } from './minitlc';

const file = (...p: string[]) => readScenarioFile(path.join(ROOT, ...p)).def;
const CASES: [string, string, ReturnType<typeof file>][] = [
  ['probe: sync', 'v4.19', file('test', 'scenario-file', 'fixtures', 'two-smmu-in-turn.yaml')],
  ['a platform and a PCI client', 'v4.19', file('docs', 'examples', 'mixed-bus.yaml')],
];

for (const [feature, kernel, sc] of CASES) {
  test(`${feature} (${kernel}/${sc.name}): the checker on the exported TLA+ finds probecheck's states, depth and violations`, async () => {
    const core = lowerModel(buildKernelModel({ kernel, scenario: sc }));
    const ex = exportTla(core);
    const got = new MiniTlc((await loadTlaParser()).parse(ex.tla)).explore(parseCfg(ex.cfg));
    const want = await explore(core, { continueAfterViolation: true, workers: 1 });
    assert.equal(got.distinct, want.distinct, 'distinct states');
    assert.equal(got.depth, want.depth, 'depth');
    assert.deepEqual([...got.violations.keys()].filter((k) => !k.endsWith('_unreached')).sort(), want.violations.map((v) => v.property).sort());
  });
}
