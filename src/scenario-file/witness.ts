/**
 * The declarative witness vocabulary of scenario files. A built-in scenario's witness is code
 * (`(h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'iommu'))`); a file's is data
 * (`all: [{bound: D}, {mode: {dev: D, is: iommu}}]`) mapped onto the same helpers, so the two
 * build the same expression. Nothing in a file is evaluated.
 *
 *   true | false                          a constant
 *   registered: I                         h.registered(h.iommu('I'))
 *   bound: D                              h.bound(h.dev('D'))
 *   mode: {dev: D, is: iommu|direct}      h.modeIs(h.dev('D'), ...)
 *   field: group.owner, group: G, equals: U     eq(h.v('group.owner', h.group('G')), 'U')  (notEquals: ne)
 *   at: {actor: U, dev: D, step: u_unlock}      h.at('U', h.dev('D'), 'u_unlock')
 *   ended: {actor: R, iommu: I1}                h.ended('R', h.iommu('I1'))
 *   form: {probe: dropping}               the kernel's code form (forms.ts), decided at build time
 *   all: [...] / any: [...] / not: ...    and / or / not
 *
 * A `form` inside `all` that does not hold makes the whole `all` false (and one that holds is
 * dropped), so `all: [{form: ...}, a, b]` is `forms... ? and(a, b) : FALSE`.
 */
import { and, eq, FALSE, ne, not, or, TRUE } from '../ir/dsl';
import type { Expr } from '../ir/types';
import { closest } from '../errors';
import type { ExprHelpers } from '../model/config';
import type { Path } from './schema';

export const COND_KEYS = ['registered', 'bound', 'mode', 'field', 'at', 'ended', 'form', 'all', 'any', 'not'] as const;
const ENTITY_KEYS = ['dev', 'iommu', 'group'] as const;
const ACTORS = ['C', 'N', 'U', 'V', 'S', 'R', 'E'];
const FORMS: Record<string, readonly string[]> = {
  probe: ['add_device', 'probe_device', 'init_device', 'dropping'],
  probeLock: ['none', 'function_static', 'file_scope'],
  registration: ['bus_set_iommu', 'walk_in_register'],
  dmaMode: ['client_arch_setup', 'iommu_core'],
  ownership: ['none', 'use_before_fw', 'use_after_fw'],
};

export type Cond = boolean | { readonly [k: string]: unknown };
export interface Names { readonly dev: readonly string[]; readonly iommu: readonly string[]; readonly group: readonly string[] }
export interface CondError { readonly path: Path; readonly message: string; readonly keyPos?: boolean }

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const near = (name: string, valid: readonly string[]) => `${valid.length <= 3 ? 'valid' : 'closest'}: ${closest(name, valid).join(', ')}`;
const showP = (p: Path) => p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** The first problem in a condition (shape and names), or undefined. */
export function checkCond(c: unknown, p: Path, names: Names, depth = 0): CondError | undefined {
  const bad = (message: string, at: Path = p, keyPos = false): CondError => ({ path: at, message: `${showP(at)}: ${message}`, keyPos });
  if (depth > 32) return bad('conditions nest too deep');
  if (typeof c === 'boolean') return undefined;
  if (!isObj(c)) return bad(`a condition is true, false or a map with one of: ${COND_KEYS.join(', ')}`);
  const keys = Object.keys(c);
  const head = keys.find((k) => (COND_KEYS as readonly string[]).includes(k));
  if (!head) {
    const k = keys[0] ?? '';
    return keys.length ? bad(`unknown condition '${k}' (${near(k, COND_KEYS)})`, [...p, k], true) : bad(`an empty condition (one of: ${COND_KEYS.join(', ')})`);
  }
  const entity = (kind: keyof Names, x: unknown, at: Path): CondError | undefined => {
    if (typeof x !== 'string') return bad(`must be the name of a ${kind === 'dev' ? 'device' : kind}`, at);
    return names[kind].includes(x) ? undefined : bad(`no ${kind === 'dev' ? 'device' : kind} '${x}' (${near(x, names[kind])})`, at);
  };
  const only = (obj: Record<string, unknown>, allowed: readonly string[], at: Path): CondError | undefined => {
    const extra = Object.keys(obj).find((k) => !allowed.includes(k));
    return extra === undefined ? undefined : bad(`unknown key '${extra}' (${near(extra, allowed)})`, [...at, extra], true);
  };
  const slot = (obj: Record<string, unknown>, at: Path): CondError | undefined => {
    const given = ENTITY_KEYS.filter((k) => k in obj);
    if (given.length > 1) return bad(`give one of dev, iommu, group (got ${given.join(', ')})`, at);
    return given.length ? entity(given[0], obj[given[0]], [...at, given[0]]) : undefined;
  };
  const v = c[head];
  const at = [...p, head];
  switch (head) {
    case 'registered': return only(c, [head], p) ?? entity('iommu', v, at);
    case 'bound': return only(c, [head], p) ?? entity('dev', v, at);
    case 'mode':
      if (!isObj(v)) return bad('must be a map {dev, is}', at);
      return only(c, [head], p) ?? only(v, ['dev', 'is'], at) ?? entity('dev', v.dev, [...at, 'dev'])
        ?? (v.is === 'iommu' || v.is === 'direct' ? undefined : bad(`is: must be iommu or direct, got ${JSON.stringify(v.is)}`, [...at, 'is']));
    case 'field': {
      const e = only(c, ['field', ...ENTITY_KEYS, 'equals', 'notEquals'], p);
      if (e) return e;
      if (typeof v !== 'string' || !/^[a-z_]+\.[a-z_0-9]+$/.test(v)) return bad('must be a field name such as group.owner_cnt', at);
      if (('equals' in c) === ('notEquals' in c)) return bad('give one of equals, notEquals');
      const val = 'equals' in c ? c.equals : c.notEquals;
      if (!['string', 'number', 'boolean'].includes(typeof val) && val !== null) return bad('the value must be a number, a name, true, false or null', [...p, 'equals' in c ? 'equals' : 'notEquals']);
      if (typeof val === 'number' && !Number.isSafeInteger(val)) return bad('the value must be an integer', [...p, 'equals' in c ? 'equals' : 'notEquals']);
      return slot(c, p);
    }
    case 'at': case 'ended': {
      if (!isObj(v)) return bad(head === 'at' ? 'must be a map {actor, step, and dev, iommu or group}' : 'must be a map {actor, and dev, iommu or group}', at);
      const e = only(c, [head], p) ?? only(v, head === 'at' ? ['actor', 'step', ...ENTITY_KEYS] : ['actor', ...ENTITY_KEYS], at);
      if (e) return e;
      if (typeof v.actor !== 'string' || !ACTORS.includes(v.actor)) return bad(`unknown actor ${JSON.stringify(v.actor)} (valid: ${ACTORS.join(', ')})`, [...at, 'actor']);
      if (head === 'at' && (typeof v.step !== 'string' || !/^[a-z_0-9]+$/.test(v.step))) return bad('step: must be a step label such as u_unlock (probecheck show)', [...at, 'step']);
      return slot(v, at);
    }
    case 'form': {
      if (!isObj(v) || Object.keys(v).length === 0) return bad(`must be a map of code forms (${Object.keys(FORMS).join(', ')})`, at);
      const e = only(c, [head], p) ?? only(v, Object.keys(FORMS), at);
      if (e) return e;
      for (const [k, x] of Object.entries(v)) if (typeof x !== 'string' || !FORMS[k].includes(x)) return bad(`unknown form ${JSON.stringify(x)} (${near(String(x), FORMS[k])})`, [...at, k]);
      return undefined;
    }
    case 'all': case 'any':
      if (!Array.isArray(v) || v.length === 0) return bad('must be a non-empty list of conditions', at);
      return only(c, [head], p) ?? v.reduce<CondError | undefined>((err, x, i) => err ?? checkCond(x, [...at, i], names, depth + 1), undefined);
    case 'not':
      return only(c, [head], p) ?? checkCond(v, at, names, depth + 1);
  }
  return undefined;
}

const slotOf = (o: Record<string, unknown>, h: ExprHelpers): number | undefined =>
  'dev' in o ? h.dev(o.dev as string) : 'iommu' in o ? h.iommu(o.iommu as string) : 'group' in o ? h.group(o.group as string) : undefined;
const valueOf = (x: unknown): string | number | boolean => (x === null ? 'null' : (x as string | number | boolean));

/** A form atom's truth at build time, or undefined when `c` is not a form atom. */
function formHolds(c: Cond, h: ExprHelpers): boolean | undefined {
  if (typeof c === 'boolean' || !('form' in c)) return undefined;
  const want = c.form as Record<string, string>;
  return Object.entries(want).every(([k, x]) => (h.forms as unknown as Record<string, string>)[k] === x);
}

/** The expression of a checked condition (checkCond found nothing). */
export function condExpr(c: Cond, h: ExprHelpers): Expr {
  if (typeof c === 'boolean') return c ? TRUE : FALSE;
  const o = c as Record<string, unknown>;
  if ('registered' in o) return h.registered(h.iommu(o.registered as string));
  if ('bound' in o) return h.bound(h.dev(o.bound as string));
  if ('mode' in o) { const m = o.mode as { dev: string; is: 'iommu' | 'direct' }; return h.modeIs(h.dev(m.dev), m.is); }
  if ('field' in o) {
    const f = h.v(o.field as string, slotOf(o, h));
    return 'equals' in o ? eq(f, valueOf(o.equals)) : ne(f, valueOf(o.notEquals));
  }
  if ('at' in o) { const a = o.at as Record<string, unknown>; return h.at(a.actor as string, slotOf(a, h), a.step as string); }
  if ('ended' in o) { const a = o.ended as Record<string, unknown>; return h.ended(a.actor as string, slotOf(a, h)); }
  if ('form' in o) return formHolds(c, h) ? TRUE : FALSE;
  if ('not' in o) return not(condExpr(o.not as Cond, h));
  const list = (o.all ?? o.any) as Cond[];
  const isAll = 'all' in o;
  const rest: Cond[] = [];
  for (const x of list) {
    const f = formHolds(x, h);
    if (f === undefined) rest.push(x);
    else if (f !== isAll) return isAll ? FALSE : TRUE; // a false form ends an all, a true one an any
  }
  return isAll ? and(...rest.map((x) => condExpr(x, h))) : or(...rest.map((x) => condExpr(x, h)));
}
