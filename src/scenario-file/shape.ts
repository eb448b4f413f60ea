/**
 * A cheap check of a scenario file against the published schema, for the built-in files read at
 * every start: it interprets the few keywords the schema uses (type, enum, const, required,
 * properties, additionalProperties, items, $ref, oneOf, min/maxItems, maxLength, pattern,
 * uniqueItems, minProperties) instead of compiling it with Ajv, which costs more than a command's
 * whole start-up. Its errors have the shape of Ajv's (keyword, instancePath, params, data,
 * parentSchema), so schema.ts words them the same way. Files given with --scenario-file are
 * still validated by Ajv; the tests validate the shipped files with Ajv too.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ErrorObject } from 'ajv/dist/2020';

type Schema = { readonly [k: string]: unknown };
type Path = readonly (string | number)[];

const pointer = (p: Path) => p.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

function typeMatches(t: string, x: unknown): boolean {
  switch (t) {
    case 'object': return typeof x === 'object' && x !== null && !Array.isArray(x);
    case 'array': return Array.isArray(x);
    case 'null': return x === null;
    case 'integer': return Number.isInteger(x);
    case 'number': return typeof x === 'number' && Number.isFinite(x);
    default: return typeof x === t;
  }
}

/**
 * The errors of `data` against `root`; values at a path for which `skip` holds are not looked
 * into (witness conditions: witness.ts checks them, with better messages).
 */
export function shapeErrors(root: Schema, data: unknown, skip: (p: Path) => boolean): ErrorObject[] {
  const defs = (root.$defs ?? {}) as Record<string, Schema>;
  const out: ErrorObject[] = [];
  const visit = (s: Schema, x: unknown, p: Path, errs: ErrorObject[]): void => {
    if (skip(p)) return;
    const err = (keyword: string, params: Record<string, unknown>, message: string) =>
      errs.push({ keyword, instancePath: pointer(p), schemaPath: '', params, message, data: x, parentSchema: s } as ErrorObject);
    if (typeof s.$ref === 'string') visit(defs[s.$ref.replace('#/$defs/', '')] ?? {}, x, p, errs);
    if (Array.isArray(s.oneOf)) {
      const branches = s.oneOf.map((b: Schema) => { const e: ErrorObject[] = []; visit(b, x, p, e); return e; });
      if (branches.filter((e) => e.length === 0).length !== 1) {
        errs.push(...branches.flat());
        err('oneOf', { passingSchemas: null }, 'must match exactly one schema in oneOf');
      }
    }
    if ('const' in s && !isDeepStrictEqual(x, s.const)) err('const', { allowedValue: s.const }, 'must be equal to constant');
    if (Array.isArray(s.enum) && !s.enum.some((v) => isDeepStrictEqual(v, x))) err('enum', { allowedValues: s.enum }, 'must be equal to one of the allowed values');
    if (s.type !== undefined) {
      const types = ([] as string[]).concat(s.type as string | string[]);
      if (!types.some((t) => typeMatches(t, x))) { err('type', { type: types.join(',') }, `must be ${types.join(',')}`); return; }
    }
    if (typeof x === 'string') {
      if (typeof s.maxLength === 'number' && [...x].length > s.maxLength) err('maxLength', { limit: s.maxLength }, `must NOT have more than ${s.maxLength} characters`);
      if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(x)) err('pattern', { pattern: s.pattern }, `must match pattern "${s.pattern}"`);
    }
    if (Array.isArray(x)) {
      if (typeof s.minItems === 'number' && x.length < s.minItems) err('minItems', { limit: s.minItems }, `must NOT have fewer than ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && x.length > s.maxItems) err('maxItems', { limit: s.maxItems }, `must NOT have more than ${s.maxItems} items`);
      if (s.uniqueItems === true) {
        const j = x.findIndex((a, i) => x.findIndex((b) => isDeepStrictEqual(a, b)) !== i);
        if (j >= 0) err('uniqueItems', { i: j, j: x.findIndex((b) => isDeepStrictEqual(x[j], b)) }, 'must NOT have duplicate items');
      }
      if (s.items && typeof s.items === 'object') x.forEach((v, i) => visit(s.items as Schema, v, [...p, i], errs));
    }
    if (typeMatches('object', x)) {
      const obj = x as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const k of (s.required ?? []) as string[]) if (!(k in obj)) err('required', { missingProperty: k }, `must have required property '${k}'`);
      if (typeof s.minProperties === 'number' && Object.keys(obj).length < s.minProperties) err('minProperties', { limit: s.minProperties }, `must NOT have fewer than ${s.minProperties} properties`);
      for (const [k, v] of Object.entries(obj)) {
        if (k in props) visit(props[k], v, [...p, k], errs);
        else if (s.additionalProperties === false) err('additionalProperties', { additionalProperty: k }, 'must NOT have additional properties');
      }
    }
  };
  visit(root, data, [], out);
  return out;
}
