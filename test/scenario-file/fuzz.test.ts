/**
 * Fuzz: random text and mutated scenario files never crash or hang the scenario-file parser.
 * Each input either parses (and then builds a model, or is refused with a ProbeError) or is
 * refused with one line `board.yaml:LINE:COL: ...` (E_SCENARIO_FILE); a sample goes through the
 * CLI, which must exit 2 with one stderr line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ProbeError } from '../../src/errors';
import { buildKernelModel } from '../../src/model';
import { lowerModel } from '../../src/ir/lower';
import { parseScenarioText } from '../../src/scenario-file/parse';
import { cliIn, tmpDir } from '../cli/helpers';

const DIR = path.join(__dirname, '..', '..', '..', 'scenarios');
const SEEDS = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => fs.readFileSync(path.join(DIR, f), 'utf8'));
const TOKENS = ['', ' ', '\n', ':', '- ', '[', ']', '{', '}', '&a ', '*a', '!!js/function ', '"', "'", '#', '\t', '? ', '|', '>', 'null', '~', '1e999', '-1', 'true', 'I', 'D', 'G', 'K', 'all', 'when', 'name', 'bound', '%YAML 1.1\n---\n', '<<: *a', '\u0000', '\ufeff'];

/** A seed file with a few edits: cut a slice, insert a token, duplicate a line, swap two lines. */
const mutated = fc.tuple(fc.nat(SEEDS.length - 1), fc.array(fc.tuple(fc.nat(4), fc.nat(), fc.nat(), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 4 }))
  .map(([i, edits]) => {
    let t = SEEDS[i];
    for (const [kind, a, b, tok] of edits) {
      const p = a % (t.length + 1), q = b % (t.length + 1);
      const lines = t.split('\n');
      if (kind === 0) t = t.slice(0, Math.min(p, q)) + t.slice(Math.max(p, q));
      else if (kind === 1) t = t.slice(0, p) + tok + t.slice(p);
      else if (kind === 2) { const l = a % lines.length; lines.splice(l, 0, lines[l]); t = lines.join('\n'); }
      else if (kind === 3) { const x = a % lines.length, y = b % lines.length; [lines[x], lines[y]] = [lines[y], lines[x]]; t = lines.join('\n'); }
      else t = t.replace(/: [A-Za-z0-9_-]+/g, (m, off: number) => (off % 7 === a % 7 ? `: ${tok}` : m));
    }
    return t;
  });
const random = fc.oneof(fc.string({ maxLength: 300 }), fc.fullUnicodeString({ maxLength: 200 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((x) => x.join('')));

function judge(text: string): 'ok' | 'refused' {
  const t0 = performance.now();
  try {
    const def = parseScenarioText(text, 'board.yaml');
    try {
      lowerModel(buildKernelModel({ kernel: 'v6.6', scenario: def }));
    } catch (e) {
      // A witness naming a step or value this kernel lacks is found when lowering (the CLI
      // points at the witness); anything else would be a bug.
      if (!(e instanceof ProbeError) || e.code === 'E_INTERNAL') throw e;
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof ProbeError)) throw new Error(`crash on ${JSON.stringify(text)}: ${(e as Error).stack}`);
    if (e.code === 'E_SCENARIO_FILE') {
      assert.ok(!e.message.includes('\n'), `two lines: ${e.message}`);
      assert.match(e.message, /^board\.yaml(:\d+:\d+)?: \S/);
    } else if (e.code === 'E_INTERNAL') throw e;
    return 'refused';
  } finally {
    assert.ok(performance.now() - t0 < 5000, `slow (${Math.round(performance.now() - t0)} ms) on ${JSON.stringify(text).slice(0, 200)}`);
  }
}

test('mutated scenario files: parsed or refused with one line, never a crash or a hang', () => {
  let refused = 0;
  fc.assert(fc.property(mutated, (t) => { if (judge(t) === 'refused') refused++; }), { numRuns: 400, seed: 14 });
  assert.ok(refused > 50, `only ${refused} of 400 mutants refused: the mutations are too gentle`);
});

test('random text: refused with one line, never a crash or a hang', () => {
  fc.assert(fc.property(random, (t) => { judge(t); }), { numRuns: 400, seed: 14 });
});

test('through the CLI: a mutated file exits 2 with one stderr line', () => {
  const dir = tmpDir('scenfuzz');
  const samples = fc.sample(mutated, { numRuns: 200, seed: 7 }).filter((t) => { try { parseScenarioText(t, 'board.yaml'); return false; } catch { return true; } }).slice(0, 6);
  assert.ok(samples.length >= 3);
  for (const t of samples) {
    fs.writeFileSync(path.join(dir, 'board.yaml'), t);
    const r = cliIn(dir, 'check', '--kernel', 'v6.6', '--scenario-file', 'board.yaml', '--out', 'out', '--max-seconds', '5');
    assert.equal(r.code, 2, `${r.stderr}\n${t}`);
    assert.match(r.stderr, /^probecheck: E_\w+: [^\n]+\n$/);
  }
});
