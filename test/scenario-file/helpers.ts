/** What the scenario-file tests share: the one line a broken file gets. */
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { parseScenarioText } from '../../src/scenario-file/parse';

/** The error of `text` read as board.yaml: one line, E_SCENARIO_FILE (exit 2 from the CLI). */
export function errorOf(text: string): string {
  try {
    parseScenarioText(text, 'board.yaml');
  } catch (e) {
    assert.ok(e instanceof ProbeError, `not a ProbeError: ${e}`);
    assert.equal(e.code, 'E_SCENARIO_FILE');
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  return assert.fail('parsed');
}
