/**
 * The built-in classic models by name, with their parameters (`--model NAME --set KEY=VALUE`).
 * Textbook examples that pin the explorer; the kernel model is src/model/.
 */
import { fail, unknownName } from '../errors';
import type { Model } from '../ir/types';
import { counters, dining, peterson } from './classic';

export interface ParamSpec {
  readonly kind: 'int' | 'bool';
  readonly min?: number;
  readonly max?: number;
  readonly default: number | boolean;
  readonly doc: string;
}

export interface ModelSpec {
  readonly name: string;
  readonly doc: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  build(p: Record<string, number | boolean>): Model;
}

export const MODELS: readonly ModelSpec[] = [
  {
    name: 'counters',
    doc: 'N counters 0..M, each incremented or reset at M: (M+1)^N states',
    params: {
      n: { kind: 'int', min: 1, max: 12, default: 6, doc: 'number of counters' },
      m: { kind: 'int', min: 1, max: 255, default: 11, doc: 'largest counter value' },
    },
    build: (p) => counters(p.n as number, p.m as number),
  },
  {
    name: 'dining',
    doc: 'N dining philosophers, left fork first: deadlocks in N steps',
    params: { n: { kind: 'int', min: 2, max: 12, default: 5, doc: 'number of philosophers' } },
    build: (p) => dining(p.n as number),
  },
  {
    name: 'peterson',
    doc: "Peterson's filter lock for N processes; broken=true swaps the level and victim writes",
    params: {
      n: { kind: 'int', min: 2, max: 5, default: 3, doc: 'number of processes' },
      broken: { kind: 'bool', default: false, doc: 'write the victim before the level (violates mutual exclusion)' },
    },
    build: (p) => peterson(p.n as number, p.broken as boolean),
  },
];

/** Build a named model from `KEY=VALUE` settings; unknown names and bad values fail with one line. */
export function buildClassicModel(name: string, settings: readonly string[] = []): Model {
  const spec = MODELS.find((m) => m.name === name) ?? unknownName('E_UNKNOWN_MODEL', 'model', name, MODELS.map((m) => m.name));
  const values: Record<string, number | boolean> = {};
  for (const [k, p] of Object.entries(spec.params)) values[k] = p.default;
  for (const kv of settings) {
    const eqAt = kv.indexOf('=');
    if (eqAt <= 0) fail('E_USAGE', `--set takes KEY=VALUE, got '${kv}'`);
    const key = kv.slice(0, eqAt), raw = kv.slice(eqAt + 1);
    const p = spec.params[key] ?? unknownName('E_UNKNOWN_PARAM', `parameter of model ${name}`, key, Object.keys(spec.params));
    if (p.kind === 'bool') {
      if (raw !== 'true' && raw !== 'false') fail('E_BAD_VALUE', `${name}: ${key} takes true or false, got '${raw}'`);
      values[key] = raw === 'true';
    } else {
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || n < (p.min ?? -Infinity) || n > (p.max ?? Infinity)) {
        fail('E_BAD_VALUE', `${name}: ${key} takes an integer from ${p.min} to ${p.max}, got '${raw}'`);
      }
      values[key] = n;
    }
  }
  return spec.build(values);
}
