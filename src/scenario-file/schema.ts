/**
 * The published JSON Schema of a scenario file (schema/scenario.schema.json, shipped in the
 * package so editors complete and check files) and its validators: Ajv for a file a user gives,
 * the cheap interpreter of shape.ts for the shipped built-ins (compiling the schema with Ajv
 * costs more than a command's whole start-up; the tests check the shipped files with Ajv).
 * Either's errors become one message each, with the path of the value they are about, so
 * parse.ts can give a position.
 */
import * as fs from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { closest } from '../errors';
import { packagePath } from '../package-files';
import { shapeErrors } from './shape';

export const SCHEMA_FILE = packagePath('schema', 'scenario.schema.json');

export type Path = readonly (string | number)[];
export interface SchemaError { readonly path: Path; readonly message: string; readonly keyPos?: boolean }

let parsed: Record<string, unknown> | undefined;
let compiled: ValidateFunction | undefined;
export function schemaJson(): Record<string, unknown> {
  parsed ??= JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  return parsed;
}
function validator(): ValidateFunction {
  // Required here, not at the top: only a user's scenario file needs Ajv (its load is costly).
  const { default: Ajv2020 } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
  // strictRequired off: the field condition requires one of equals/notEquals in a oneOf.
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schemaJson());
  return compiled;
}

const pathOf = (p: string): (string | number)[] => (p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s)));

/** `devices[0].driver` */
export function showPath(p: Path): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || 'the file';
}

function describe(e: ErrorObject): SchemaError {
  const p = pathOf(e.instancePath);
  const at = showPath(p);
  const got = JSON.stringify(e.data);
  switch (e.keyword) {
    case 'enum': {
      const valid = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return { path: p, message: `${at}: unknown value ${got} (${valid.length <= 3 ? 'valid' : 'closest'}: ${closest(String(e.data), valid).join(', ')})` };
    }
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const valid = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      return { path: [...p, key], keyPos: true, message: `${at}: unknown key '${key}' (${valid.length <= 3 ? 'valid' : 'closest'}: ${closest(key, valid).join(', ')})` };
    }
    case 'required':
      return { path: p, message: `${at}: missing key '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'type':
      return { path: p, message: `${at}: must be ${(e.params as { type: string }).type}, got ${got === undefined ? 'nothing' : Array.isArray(e.data) ? 'a list' : e.data === null ? 'null' : typeof e.data}` };
    case 'pattern':
      return { path: p, message: `${at}: ${got} is not a valid name (must match ${(e.params as { pattern: string }).pattern})` };
    case 'minItems': case 'maxItems': case 'maxLength': case 'minProperties':
      return { path: p, message: `${at}: ${e.message} (the state space grows quickly)`.replace(' (the state space grows quickly)', e.keyword === 'maxItems' ? ' (the state space grows quickly)' : '') };
    case 'uniqueItems':
      return { path: p, message: `${at}: an item appears twice` };
    default:
      return { path: p, message: `${at}: ${e.message ?? e.keyword}` };
  }
}

/**
 * The first problem the schema finds, or undefined. Branch errors of a oneOf are not shown as
 * such: the invariants' oneOf gets its own message, and witness conditions are checked by
 * witness.ts, which names the closest valid keys.
 */
export function schemaErrors(data: unknown): SchemaError[] {
  const v = validator();
  return v(data) ? [] : describeAll(v.errors ?? []);
}

/** The same check by shape.ts, without Ajv: for the shipped built-in files. Witness conditions
 *  are left to witness.ts. */
export function cheapSchemaErrors(data: unknown): SchemaError[] {
  return describeAll(shapeErrors(schemaJson(), data, (p) => p.length === 3 && p[0] === 'witnesses' && p[2] === 'when'));
}

function describeAll(errs: readonly ErrorObject[]): SchemaError[] {
  const out: SchemaError[] = [];
  for (const e of errs) {
    const p = pathOf(e.instancePath);
    if (p[0] === 'invariants' && p.length === 1) {
      // An unknown name in the list has its own (deeper) enum error, with the closest names.
      if (errs.some((x) => x.instancePath.startsWith('/invariants/'))) continue;
      out.push({ path: p, message: `invariants: must be 'all' or a list of invariant names` });
      continue;
    }
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'const') continue;
    out.push(describe(e));
  }
  // A misspelt key is also a missing one: name the misspelling (with the closest keys) first.
  const key = (e: SchemaError) => JSON.stringify(e.keyPos ? e.path.slice(0, -1) : e.path);
  return out.filter((e) => !(e.message.includes(': missing key ') && out.some((x) => x.keyPos && key(x) === key(e))));
}
