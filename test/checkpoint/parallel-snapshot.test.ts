/**
 * A snapshot of the parallel search is one fingerprint set and one frontier, whatever the
 * number of workers: taken at every level boundary with 2 or 3 workers, each one resumes with
 * 1 or 2 workers to exactly what an uninterrupted run reports.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { explore } from '../../src/explorer/explore';
import type { Snapshot } from '../../src/explorer/checkpoint';
import { classic, essence } from '../helpers/models';

/** A copy of a snapshot, as a file keeps it (structuredClone shares a shared table's memory). */
const copy = (s: Snapshot): Snapshot => ({ ...structuredClone(s), table: Int32Array.from(s.table) });

test('snapshots taken with 2 and 3 workers resume with 1 and 2 workers to the uninterrupted result', async () => {
  for (const m of [classic('counters', 'n=4', 'm=5'), classic('peterson', 'n=3', 'broken=true')]) {
    const whole = await explore(m, { workers: 1, continueAfterViolation: true });
    for (const workers of [2, 3]) {
      const shots: Snapshot[] = [];
      const r = await explore(m, {
        workers, parallelThreshold: 0, continueAfterViolation: true,
        // The search goes on after a write: keep a copy, as the file does.
        checkpoint: { everySeconds: 1e-9, write: (s) => shots.push(copy(s)) },
      });
      assert.deepEqual(essence(r), essence(whole));
      assert.ok(shots.length >= whole.depth - 1, `a snapshot per level (${shots.length})`);
      for (const s of [shots[1], shots[Math.floor(shots.length / 2)], shots[shots.length - 1]]) {
        for (const again of [1, 2]) {
          const resumed = await explore(m, { workers: again, parallelThreshold: 0, continueAfterViolation: true, checkpoint: { everySeconds: 1e9, write: () => {}, resume: copy(s) } });
          assert.deepEqual(essence(resumed), essence(whole), `${m.name}: taken with ${workers}, resumed with ${again} at depth ${s.depth}`);
        }
      }
    }
  }
});

test('a parallel search stopped by --max-memory writes a snapshot that resumes to the whole result', async () => {
  const m = classic('counters', 'n=5', 'm=5');
  const whole = await explore(m, { workers: 1 });
  const shots: Snapshot[] = [];
  const stopped = await explore(m, { workers: 2, parallelThreshold: 0, maxMemoryMB: 0.05, checkpoint: { everySeconds: 1e9, write: (s) => shots.push(copy(s)) } });
  assert.equal(stopped.stopReason, 'max-memory');
  assert.equal(shots.length, 1);
  const resumed = await explore(m, { workers: 2, parallelThreshold: 0, checkpoint: { everySeconds: 1e9, write: () => {}, resume: shots[0] } });
  assert.deepEqual(essence(resumed), essence(whole));
});
