/**
 * ITF (the Informal Trace Format of Apalache and Quint) in and out. An ITF trace of a model is
 * a trace of its TLA+ export (tla.ts): the same variable names and the same values (layout.ts):
 * integers as {"#bigint": "3"}, bools as JSON booleans, enum values, step labels and slot
 * names as strings ("none" for a null reference), a field over an entity as
 * {"#map": [["D1", v1], ["D2", v2]]} keyed by slot name.
 *
 * Each state's "#meta" holds its index and, from the second state on, the action that led to
 * it ("action": the probecheck action name, "actionId": its number), so a reader needs no
 * model to see which step was taken, and `readItfTrace` can rebuild the action path.
 */
import { fail } from '../errors';
import type { CoreModel } from '../ir/core';
import { applyAction, successors, type PlainState } from '../ir/interpret';
import { replayStates } from '../trace/replay';
import { buildLayout, decodeValue, encodeValue, type Layout, type Sort, type TlaVar } from './layout';

export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

export type ItfValue = boolean | string | { '#bigint': string } | { '#map': [ItfValue, ItfValue][] };

export interface ItfState {
  '#meta': { index: number; action?: string; actionId?: number };
  [variable: string]: unknown;
}

export interface ItfTrace {
  '#meta': Record<string, unknown>;
  vars: string[];
  states: ItfState[];
}

export interface ItfMeta {
  readonly description?: string;
  readonly source?: string;
  readonly [key: string]: unknown;
}

const layouts = new WeakMap<CoreModel, Layout>();
function layoutOf(core: CoreModel): Layout {
  let l = layouts.get(core);
  if (!l) { l = buildLayout(core); layouts.set(core, l); }
  return l;
}

function itfScalar(v: number, s: Sort): ItfValue {
  const x = encodeValue(v, s);
  return typeof x === 'number' ? { '#bigint': String(x) } : x;
}

/**
 * An ITF trace of `states` (plain states in the interpreter's variable order), where
 * `actions[i]` led from `states[i]` to `states[i + 1]`.
 */
export function toItf(core: CoreModel, states: readonly PlainState[], actions: readonly number[], meta: ItfMeta = {}): ItfTrace {
  const L = layoutOf(core);
  if (states.length === 0) fail('E_INTERNAL', 'toItf: a trace has at least one state');
  if (actions.length !== states.length - 1) {
    fail('E_INTERNAL', `toItf: ${states.length} states need ${states.length - 1} actions, got ${actions.length}`);
  }
  const out: ItfState[] = states.map((s, i) => {
    if (s.length !== core.vars.length) fail('E_INTERNAL', `toItf: state ${i} has ${s.length} values, the model ${core.vars.length}`);
    const st: ItfState = { '#meta': { index: i } };
    if (i > 0) {
      const a = core.actions[actions[i - 1]];
      if (!a) fail('E_INTERNAL', `toItf: action ${actions[i - 1]} does not exist`);
      st['#meta'] = { index: i, action: a.name, actionId: a.id };
    }
    for (const tv of L.vars) {
      st[tv.name] = tv.keys === null
        ? itfScalar(s[tv.coreVars[0]], tv.sort)
        : { '#map': tv.keys.map((k, j): [ItfValue, ItfValue] => [k, itfScalar(s[tv.coreVars[j]], tv.sort)]) };
    }
    return st;
  });
  const { description, source, ...rest } = meta;
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_FORMAT_DESCRIPTION,
      source: source ?? `probecheck model ${core.name}`,
      description: description ?? `a trace of ${states.length - 1} steps of model ${core.name}`,
      model: core.name,
      params: core.params,
      varTypes: varTypes(L),
      ...rest,
    },
    vars: L.vars.map((tv) => tv.name),
    states: out,
  };
}

/** A variable's type in Apalache's notation (Type System 1.2): what lets Apalache read an ITF
 *  trace as input. Enum values, slot names and step labels are strings in the export. */
function apalacheType(tv: TlaVar): string {
  const t = tv.sort.k === 'int' ? 'Int' : tv.sort.k === 'bool' ? 'Bool' : 'Str';
  return tv.keys === null ? t : `(Str -> ${t})`;
}

export function varTypes(L: Layout): Record<string, string> {
  return Object.fromEntries(L.vars.map((tv) => [tv.name, apalacheType(tv)]));
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function describe(x: unknown): string {
  const t = JSON.stringify(x);
  return t === undefined ? String(x) : t.length > 40 ? t.slice(0, 37) + '...' : t;
}

function sortText(tv: TlaVar): string {
  const s = tv.sort;
  switch (s.k) {
    case 'int': return `an integer in ${tv.min}..${tv.max}`;
    case 'bool': return 'a boolean';
    case 'enum': return `one of ${s.values.join(', ')}`;
    case 'ref': return `a slot of ${s.entity}${s.nullable ? ' or "none"' : ''}`;
  }
}

/** Decode one ITF value of variable `tv`; `at` is the message prefix ('state 3: variable x'). */
function decodeItf(x: unknown, tv: TlaVar, at: string): number {
  let plain: unknown = x;
  if (tv.sort.k === 'int') {
    if (isObject(x) && typeof x['#bigint'] === 'string' && /^-?\d+$/.test(x['#bigint'])) plain = Number(x['#bigint']);
    else if (typeof x !== 'number') plain = undefined;
  }
  const v = decodeValue(plain, tv.sort);
  if (v === undefined || v < tv.min || v > tv.max) fail('E_TRACE_FILE', `${at} is ${describe(x)}, not ${sortText(tv)}`);
  return v as number;
}

/**
 * Plain states (the interpreter's variable order) of an ITF trace of `core`, given as text or
 * as parsed JSON. A trace that does not fit the model fails with E_TRACE_FILE naming the first
 * state and variable that do not fit ('state 2: variable value is missing').
 */
export function fromItf(core: CoreModel, json: unknown): PlainState[] {
  const L = layoutOf(core);
  let doc = json;
  if (typeof json === 'string') {
    try { doc = JSON.parse(json); } catch (e) { fail('E_TRACE_FILE', `not JSON: ${(e as Error).message}`); }
  }
  if (!isObject(doc)) return fail('E_TRACE_FILE', 'an ITF trace is a JSON object with "vars" and "states"');
  const states = doc.states;
  if (!Array.isArray(states)) return fail('E_TRACE_FILE', 'the trace has no "states" array');
  if (states.length === 0) fail('E_TRACE_FILE', 'the trace has no states');
  const known = new Set(L.vars.map((tv) => tv.name));
  const out: PlainState[] = states.map((st: unknown, i: number) => {
    if (!isObject(st)) return fail('E_TRACE_FILE', `state ${i}: not an object`);
    const meta = st['#meta'];
    if (isObject(meta) && meta.index !== undefined && meta.index !== i) {
      fail('E_TRACE_FILE', `state ${i}: "#meta.index" is ${describe(meta.index)}, expected ${i} (a state is missing or out of order)`);
    }
    const s: PlainState = new Array(core.vars.length).fill(0);
    for (const tv of L.vars) {
      const at = `state ${i}: variable ${tv.name}`;
      if (!(tv.name in st)) fail('E_TRACE_FILE', `${at} is missing`);
      const x = st[tv.name];
      if (tv.keys === null) {
        s[tv.coreVars[0]] = decodeItf(x, tv, at);
        continue;
      }
      // A function over slots: an ITF map (or a record keyed by slot name).
      let entries: [unknown, unknown][];
      if (isObject(x) && Array.isArray(x['#map'])) {
        entries = (x['#map'] as unknown[]).map((e) => {
          if (!Array.isArray(e) || e.length !== 2) return fail('E_TRACE_FILE', `${at}: a "#map" entry is not a [key, value] pair`);
          return [e[0], e[1]];
        });
      } else if (isObject(x) && !Object.keys(x).some((k) => k.startsWith('#'))) {
        entries = Object.entries(x);
      } else {
        return fail('E_TRACE_FILE', `${at} is ${describe(x)}, not a map over ${tv.domainSet}`);
      }
      if (entries.length !== tv.keys.length) {
        fail('E_TRACE_FILE', `${at} has ${entries.length} entries, the model has ${tv.keys.length} (${tv.keys.join(', ')})`);
      }
      const seen = new Set<string>();
      for (const [k, v] of entries) {
        const j = typeof k === 'string' ? tv.keys.indexOf(k) : -1;
        if (j < 0) fail('E_TRACE_FILE', `${at} has the key ${describe(k)}, not a slot of ${tv.keys.join(', ')}`);
        if (seen.has(k as string)) fail('E_TRACE_FILE', `${at} has the key ${describe(k)} twice`);
        seen.add(k as string);
        s[tv.coreVars[j]] = decodeItf(v, tv, `${at}[${k as string}]`);
      }
    }
    const extra = Object.keys(st).find((k) => !k.startsWith('#') && !known.has(k));
    if (extra !== undefined) fail('E_TRACE_FILE', `state ${i}: variable ${extra} is not a variable of model ${core.name}`);
    return s;
  });
  if (doc.vars !== undefined) {
    if (!Array.isArray(doc.vars)) fail('E_TRACE_FILE', '"vars" is not an array');
    const listed = new Set(doc.vars as unknown[]);
    const missing = L.vars.find((tv) => !listed.has(tv.name));
    if (missing) fail('E_TRACE_FILE', `vars: variable ${missing.name} is not listed`);
    const extra = (doc.vars as unknown[]).find((n) => typeof n !== 'string' || !known.has(n));
    if (extra !== undefined) fail('E_TRACE_FILE', `vars: ${describe(extra)} is not a variable of model ${core.name}`);
  }
  return out;
}

/**
 * An ITF trace as a probecheck trace: its states and the action ids between them. A step's
 * action is the one named in its "#meta" when that action leads there, else the smallest one
 * that does; a first state that is not the initial state, or a step no action takes, fails
 * with E_TRACE_FILE naming the state.
 */
export function readItfTrace(core: CoreModel, json: unknown): { states: PlainState[]; actions: number[] } {
  const doc = typeof json === 'string' ? (() => { try { return JSON.parse(json) as unknown; } catch { return json; } })() : json;
  const states = fromItf(core, doc);
  const start = replayStates(core, states.slice(0, 1));
  if (start.divergence) fail('E_TRACE_FILE', `state 0: ${start.divergence.reason}`);
  const metas = (doc as { states: { '#meta'?: { actionId?: unknown; action?: unknown } }[] }).states.map((x) => x['#meta'] ?? {});
  const actions: number[] = [];
  for (let i = 1; i < states.length; i++) {
    const meta = metas[i];
    const named = core.actions.find((a) => (meta.actionId !== undefined ? a.id === meta.actionId : a.name === meta.action));
    const leads = (t: PlainState | null) => t !== null && t.every((x, j) => x === states[i][j]);
    if (named && leads(applyAction(core, named, states[i - 1]))) { actions.push(named.id); continue; }
    const hit = successors(core, states[i - 1]).find((x) => leads(x.state));
    if (!hit) {
      fail('E_TRACE_FILE', `state ${i}: no step of model ${core.name} leads to it from state ${i - 1}${named ? ` (${named.name} does not either)` : ''}`);
    }
    actions.push(hit.action);
  }
  return { states, actions };
}
