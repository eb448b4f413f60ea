/** violationArtifacts: each violation replayed once, and its three formats agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { violationArtifacts } from '../../src/cli/artifacts';
import { targetOptions } from '../../src/cli/options';
import { resolveTargets } from '../../src/cli/target';
import { explore } from '../../src/explorer/explore';
import { formatMail } from '../../src/trace/mail';

test('a violation gives a trace, an ITF trace of the same steps and the mail of that trace', async () => {
  const [t] = resolveTargets(targetOptions({ model: 'peterson', set: ['n=2', 'broken=true'] }));
  const r = await explore(t.core, { continueAfterViolation: true });
  assert.ok(r.violations.length > 0);
  const arts = violationArtifacts(t, r, 'out/run/');
  assert.equal(arts.length, r.violations.length);
  for (const a of arts) {
    assert.equal(a.stem, `violation-${a.violation.property}`);
    assert.equal(a.trace.steps.length, a.violation.length);
    assert.equal(a.itf.states.length, a.violation.length + 1);
    assert.deepEqual(a.itf.states.slice(1).map((s) => s['#meta']?.action), a.trace.steps.map((s) => s.action));
    assert.equal(a.mail, formatMail(a.trace));
    assert.match(a.trace.replay, new RegExp(`^probecheck replay out/run/${a.stem}\\.json --model peterson`));
  }
});
