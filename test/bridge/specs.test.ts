/**
 * spec/ holds the TLA+ exports listed in src/cli/specs.ts; they are golden files: any change
 * of the exporter's output shows up here, and `node scripts/gen-spec.js` regenerates them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderSpecs, SPEC_ROWS, staleSpecs } from '../../src/cli/specs';
import { exportTla } from '../../src/bridge/tla';
import { lowerModel } from '../../src/ir/lower';
import { buildClassicModel } from '../../src/examples';

const root = path.resolve(__dirname, '..', '..', '..');
const specDir = path.join(root, 'spec');

test('spec/ is up to date with the exporter (run node scripts/gen-spec.js after a change)', () => {
  assert.deepEqual(staleSpecs(specDir), []);
});

test('golden: spec/counters_3_3.tla and .cfg are the export of counters(3,3)', () => {
  const ex = exportTla(lowerModel(buildClassicModel('counters', ['n=3', 'm=3'])), { moduleName: 'counters_3_3' });
  assert.equal(ex.tla, fs.readFileSync(path.join(specDir, 'counters_3_3.tla'), 'utf8'));
  assert.equal(ex.cfg, fs.readFileSync(path.join(specDir, 'counters_3_3.cfg'), 'utf8'));
});

test('every row of the spec table has a module named like its file', () => {
  const files = renderSpecs();
  assert.equal(files.size, SPEC_ROWS.length * 2);
  for (const row of SPEC_ROWS) assert.match(files.get(`${row.stem}.tla`) as string, new RegExp(`^-+ MODULE ${row.stem} -+$`, 'm'));
});

test('staleSpecs reports a file that differs', () => {
  const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'spec-'));
  try {
    for (const name of fs.readdirSync(specDir)) fs.copyFileSync(path.join(specDir, name), path.join(tmp, name));
    fs.appendFileSync(path.join(tmp, 'counters_3_3.cfg'), '\\* edited\n');
    assert.deepEqual(staleSpecs(tmp), ['counters_3_3.cfg']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
