/**
 * Scenario-file keys of issue 14's second part: a client driver that does no DMA (`driver: N`)
 * and a sysfs default-domain type change (`sysfsType`). Good files reach the model; bad ones are
 * one line `FILE:LINE:COL: what (closest names)`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { buildKernelModel } from '../../src/model';
import { parseScenarioText } from '../../src/scenario-file/parse';

const BASE = `name: b
bus: platform
iommus: [{name: I, driver: arm-smmu}]
groups: [G]
devices:
  - {name: D, iommu: I, group: G, driver: N, start: probe}
`;

function errorOf(text: string): string {
  try {
    parseScenarioText(text, 'board.yaml');
  } catch (e) {
    assert.ok(e instanceof ProbeError, `not a ProbeError: ${e}`);
    assert.equal(e.code, 'E_SCENARIO_FILE');
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('parsed');
}

test('driver: N parses and reaches the model as the driver of the device', () => {
  const d = parseScenarioText(BASE, 'board.yaml');
  assert.equal(d.devices[0].driver, 'N');
  const m = buildKernelModel({ kernel: 'v6.6', scenario: d });
  assert.deepEqual(m.fields.find((f) => f.name === 'dev.drv')!.init, ['N']);
});

test('an unknown driver kind is one line naming the kinds', () => {
  assert.match(errorOf(BASE.replace('driver: N', 'driver: X')), /^board\.yaml:6:43: devices\[0\]\.driver: unknown value "X" \(closest: .*N/);
});
