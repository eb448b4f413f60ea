/**
 * Fuzz: mutated device trees and random text never crash or hang scenario from-dts. Each input
 * either yields a scenario file that reads back through the scenario-file parser, or is refused
 * with one line `soc.dts[:LINE:COL]: ...` (E_DTS_FILE).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ProbeError } from '../../src/errors';
import { parseDts } from '../../src/scenario-file/dts';
import { scenarioFromDts } from '../../src/scenario-file/from-dts';
import { parseScenarioText } from '../../src/scenario-file/parse';
import { ROOT } from '../cli/helpers';

const SOC = fs.readFileSync(path.join(ROOT, 'test', 'scenario-file', 'fixtures', 'soc.dts'), 'utf8');
const TOKENS = ['', ' ', '\n', ';', '{', '}', '<', '>', '&', '&apps_smmu', '&{/soc@0}', '"', '/*', '*/', '//', '#include <x.h>\n', 'iommus = <&apps_smmu 1 2>;', '#iommu-cells = <0>;', 'status = "disabled";', '/delete-node/ gpu;', 'x:', '(1 + ', ')', '0x', '[00', ']', '\u0000', 'compatible = "arm,smmu-v3";', '&adreno_smmu { };'];

const mutated = fc.array(fc.tuple(fc.nat(2), fc.nat(), fc.nat(), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 4 }).map((edits) => {
  let t = SOC;
  for (const [kind, a, b, tok] of edits) {
    const p = a % (t.length + 1), q = b % (t.length + 1);
    if (kind === 0) t = t.slice(0, Math.min(p, q)) + t.slice(Math.max(p, q));
    else if (kind === 1) t = t.slice(0, p) + tok + t.slice(p);
    else { const lines = t.split('\n'); const x = a % lines.length, y = b % lines.length; [lines[x], lines[y]] = [lines[y], lines[x]]; t = lines.join('\n'); }
  }
  return t;
});

function judge(text: string): void {
  const t0 = performance.now();
  try {
    const r = scenarioFromDts(parseDts(text, 'soc.dts'), { file: 'soc.dts' });
    parseScenarioText(r.yaml, 'out.yaml');
  } catch (e) {
    if (!(e instanceof ProbeError) || e.code !== 'E_DTS_FILE') throw new Error(`on ${JSON.stringify(text).slice(0, 400)}: ${(e as Error).stack}`);
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, /^soc\.dts(:\d+:\d+)?: \S/);
  } finally {
    assert.ok(performance.now() - t0 < 5000, 'slow');
  }
}

test('mutated SoC trees: a scenario that reads back, or one line; never a crash or a hang', () => {
  fc.assert(fc.property(mutated, judge), { numRuns: 500, seed: 14 });
});

test('random text: one line, never a crash or a hang', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((x) => x.join(''))), judge), { numRuns: 500, seed: 14 });
});
