/** The limits of a run are built once, in the explorer's option names, from the parsed options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addLimitOptions, DEFAULT_REDUCTIONS, limitsOf, type RawLimits } from '../../src/cli/limits';

function parse(...argv: string[]): RawLimits {
  const c = addLimitOptions(new Command('x').exitOverride(), ['workers', 'max-states', 'max-depth', 'max-seconds', 'max-memory', 'continue'])
    .option('--invariant <name>', '', (v: string, p: string[] = []) => [...p, v]);
  c.parse(argv, { from: 'user' });
  return c.opts();
}

test('limitsOf names each limit as explore() does, and leaves unset ones out', () => {
  const l = limitsOf(parse('--workers', '2', '--max-states', '10', '--max-depth', '3', '--max-seconds', '1.5', '--max-memory', '64', '--continue', '--invariant', 'A', '--invariant', 'B'));
  assert.deepEqual(l, { workers: 2, maxStates: 10, maxDepth: 3, maxSeconds: 1.5, maxMemoryMB: 64, continueAfterViolation: true, properties: ['A', 'B'], reduce: DEFAULT_REDUCTIONS });
  const bare = limitsOf(parse('--workers', '1'));
  assert.deepEqual(bare, { workers: 1, continueAfterViolation: false, reduce: { por: false, symmetry: true, deadVars: true } });
  assert.ok(Object.isFrozen(bare));
});

test('limitsOf: what a command fixes wins over the options, and workers default to the cores', () => {
  const l = limitsOf(parse(), { continueAfterViolation: true });
  assert.equal(l.continueAfterViolation, true);
  assert.ok(Number.isInteger(l.workers) && l.workers >= 1);
});

test('the limit options reject bad values at the edge', () => {
  assert.throws(() => parse('--max-states', '0'), /E_BAD_VALUE|positive integer/);
  assert.throws(() => parse('--max-seconds', 'soon'), /positive number/);
});
