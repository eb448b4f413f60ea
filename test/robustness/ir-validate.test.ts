/**
 * Item 20: every node of a model is validated before it is lowered. An expression with an
 * operator the IR does not know (or an unknown kind, a missing child, an expression that
 * contains itself) used to pass validation and overflow the compiler's stack; now it is one
 * E_MODEL line naming the node's path. Patch edits are covered in patch.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../src/errors';
import { counters } from '../../src/examples/classic';
import { lowerModel } from '../../src/ir/lower';
import type { Model } from '../../src/ir/types';
import { compileModel } from '../../src/compile/compile';

/** counters(2, 2) with its first step's first assignment replaced by `value`. */
function withValue(value: unknown): Model {
  const m = counters(2, 2);
  const [a, ...rest] = m.actors;
  const [s, ...steps] = a.steps;
  const [b, ...branches] = s.branches;
  const branch = { ...b, assign: [{ ...b.assign[0], value }, ...b.assign.slice(1)] };
  return { ...m, actors: [{ ...a, steps: [{ ...s, branches: [branch, ...branches] }, ...steps] }, ...rest] } as unknown as Model;
}

function refusal(m: Model): string {
  try {
    compileModel(lowerModel(m));
  } catch (e) {
    assert.ok(e instanceof ProbeError, `a ProbeError, not ${String(e)}`);
    assert.equal(e.code, 'E_MODEL');
    assert.equal(e.message.split('\n').length, 1);
    return e.message;
  }
  return assert.fail('accepted');
}

test('the classic models pass the shape check unchanged', () => {
  assert.doesNotThrow(() => lowerModel(counters(2, 2)));
});

test('an unknown binary operator is refused naming the node path', () => {
  const msg = refusal(withValue({ kind: 'bin', op: 'xor', left: { kind: 'lit', value: 1 }, right: { kind: 'lit', value: 0 } }));
  assert.match(msg, /model counters.*, step [^,]+, branch [^,]+, assign\[0\]\.value: unknown operator 'xor'; valid: add, /);
});

test('an unknown kind deep in an expression, a missing child, a cycle', () => {
  assert.match(refusal(withValue({ kind: 'not', arg: { kind: 'ite', cond: { kind: 'lit', value: 1 }, then: { kind: 'lit', value: 1 }, else: { kind: 'cast' } } })), /assign\[0\]\.value\.arg\.else: unknown expression kind 'cast'/);
  assert.match(refusal(withValue({ kind: 'bin', op: 'add', left: { kind: 'lit', value: 1 } })), /assign\[0\]\.value\.right: an expression must be an object/);
  const loop: Record<string, unknown> = { kind: 'not' };
  loop.arg = loop;
  assert.match(refusal(withValue(loop)), /nested deeper than \d+ \(does it contain itself\?\)/);
});
