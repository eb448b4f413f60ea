/**
 * The built-in scenarios shipped as files (scenarios/*.yaml) are the built-ins: each file,
 * read through the scenario-file parser, compiles to exactly the model of its built-in on every
 * kernel (test/helpers/model-digest.ts), and the files cover the built-ins one for one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildKernelModel, KERNELS, SCENARIOS } from '../../src/model';
import { readScenarioFile } from '../../src/scenario-file/parse';
import { modelDigest } from '../helpers/model-digest';

const DIR = path.join(__dirname, '..', '..', '..', 'scenarios');

test('one file per built-in scenario, named after it', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
  assert.deepEqual(files, SCENARIOS.map((s) => s.name).sort());
});

for (const s of SCENARIOS) {
  test(`scenarios/${s.name}.yaml compiles to the built-in's model on every kernel`, () => {
    const { def } = readScenarioFile(path.join(DIR, `${s.name}.yaml`));
    assert.equal(def.name, s.name);
    assert.equal(def.doc, s.doc);
    assert.equal(def.defaultScenario, s.defaultScenario);
    assert.deepEqual(def.witnesses.map((w) => w.name), s.witnesses);
    for (const k of KERNELS) {
      const want = modelDigest(buildKernelModel({ kernel: k.name, scenario: s.name }));
      const got = modelDigest(buildKernelModel({ kernel: k.name, scenario: def }));
      assert.equal(got, want, `${k.name}/${s.name}`);
    }
  });
}
