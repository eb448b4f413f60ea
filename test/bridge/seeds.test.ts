/**
 * The TLA+ exports of the seed scenarios in spec/ are checked by an independent checker run on
 * their text (minitlc.ts, standing in for TLC, which cannot be installed here): it must find
 * exactly probecheck's distinct-state count over the whole space (TLC's `-continue`), and the
 * same violated properties with counterexamples of the same length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTlaParser, syntaxProblems } from '../../src/bridge/grammar';
import { SPEC_ROWS } from '../../src/cli/specs';
import { exportTla } from '../../src/bridge/tla';
import { explore } from '../../src/explorer/explore';
import { MiniTlc, parseCfg } from './minitlc';

/** Rows small enough for the text-level checker (the seed-002 rows have 20,000+ states). */
const ROWS = SPEC_ROWS.filter((r) => r.stem.startsWith('seed') && !r.stem.startsWith('seed002'));

for (const row of ROWS) {
  test(`${row.stem} (${row.what}): the checker on the TLA+ text agrees with probecheck`, async () => {
    const core = row.build();
    const ex = exportTla(core, { moduleName: row.stem });
    const parser = await loadTlaParser();
    const got = new MiniTlc(parser.parse(ex.tla)).explore(parseCfg(ex.cfg));
    const want = await explore(core, { continueAfterViolation: true });
    assert.equal(got.distinct, want.distinct, 'distinct states');
    const lengths = new Map(want.violations.map((v) => [v.property, v.length]));
    assert.deepEqual(new Map([...got.violations].sort()), new Map([...lengths].sort()));
  });
}

test('every export in spec/ parses with the TLA+ grammar, without ERROR or MISSING nodes', async () => {
  const parser = await loadTlaParser();
  for (const row of SPEC_ROWS) {
    const ex = exportTla(row.build(), { moduleName: row.stem });
    assert.deepEqual(syntaxProblems(parser.parse(ex.tla)), [], row.stem);
  }
});
