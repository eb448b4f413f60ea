/**
 * probecheck's own trace format (`violation-<invariant>.json`): a header saying which model
 * and which invariant, then one record per step with the kernel function and file, the fields
 * the step read and wrote, what changed, and the whole decoded state after it. It is the
 * contract of every human view (mail, text) and of a future browser view.
 */
import { fail } from '../errors';
import type { CoreModel } from '../ir/core';
import type { PlainState } from '../ir/interpret';
import type { Model } from '../ir/types';
import { readableState, type ReadableState } from '../state/codec';
import { changes, propertyValues, readWriteSets, showExpr } from './describe';

export const TRACE_FORMAT = 'probecheck-trace';

/** How to rebuild the model a trace belongs to (the CLI's own options). */
export interface ModelSource {
  readonly model?: string;
  readonly set?: readonly string[];
  readonly kernel?: string;
  readonly scenario?: string;
  /** A scenario file (--scenario-file) by absolute path, and the SHA-256 of its content when
   *  the run was made; `scenario` is then the name inside it. */
  readonly scenarioFile?: string;
  /** A --model-file by absolute path and the SHA-256 of its content (`model` is its name). */
  readonly modelFile?: string;
  readonly modelDigest?: string;
  readonly scenarioDigest?: string;
  /** Built-in ids, or patch files by absolute path (replayable from any folder). */
  readonly patches?: readonly string[];
  /** SHA-256 of each patch file's content when the trace was written: a replay refuses a
   *  patch that changed since. */
  readonly patchDigests?: Readonly<Record<string, string>>;
  /** The invariants selected with --invariant (the model keeps only the fields they need). */
  readonly invariants?: readonly string[];
  /** --iommu-driver: the scenario's IOMMUs served by another driver. */
  readonly iommuDriver?: string;
}

export interface TraceStep {
  /** 1-based. */
  readonly index: number;
  readonly actor: string;
  readonly label: string;
  readonly action: string;
  readonly actionId: number;
  readonly function?: string;
  readonly file?: string;
  /** What the step stands for (the model's step doc). */
  readonly doc?: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly changes: readonly string[];
  readonly state: ReadableState;
}

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: 1;
  readonly model: string;
  readonly source: ModelSource;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly invariant: string;
  readonly kind: string;
  readonly doc?: string;
  readonly predicate: string;
  /** The fields the invariant reads, with their values at the end of the trace. */
  readonly values: readonly string[];
  readonly length: number;
  /** The command line that reproduces it. */
  readonly replay: string;
  readonly initial: ReadableState;
  readonly steps: readonly TraceStep[];
}

/** Step docs by actor and label, from the model before lowering. */
export function stepDocs(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of model.actors) for (const s of a.steps) if (s.doc) out.set(`${a.name}:${s.label}`, s.doc);
  return out;
}

export function buildTraceFile(m: CoreModel, source: ModelSource, invariant: string, states: readonly PlainState[], actions: readonly number[], replay: string, docs: ReadonlyMap<string, string> = new Map()): TraceFile {
  const p = m.properties.find((x) => x.name === invariant);
  if (!p) fail('E_INTERNAL', `buildTraceFile: model ${m.name} has no property ${invariant}`);
  const steps: TraceStep[] = actions.map((id, i) => {
    const a = m.actions[id];
    const inst = m.instances[a.instance];
    const rw = readWriteSets(m, a, states[i]);
    const doc = docs.get(`${inst.actor}:${a.step}`);
    return {
      index: i + 1, actor: inst.name, label: a.branch ? `${a.step}.${a.branch}` : a.step, action: a.name, actionId: a.id,
      ...(a.fn ? { function: a.fn } : {}), ...(a.file ? { file: a.file } : {}), ...(doc ? { doc } : {}),
      reads: rw.reads, writes: rw.writes, changes: changes(m, states[i], states[i + 1]),
      state: readableState(m, states[i + 1]),
    };
  });
  return {
    format: TRACE_FORMAT, version: 1, model: m.name, source, params: m.params,
    invariant, kind: p.kind, ...(p.doc ? { doc: p.doc } : {}), predicate: showExpr(m, p.expr),
    values: propertyValues(m, p, states), length: actions.length, replay,
    initial: readableState(m, states[0]), steps,
  };
}

export function isTraceFile(x: unknown): x is TraceFile {
  return typeof x === 'object' && x !== null && (x as { format?: unknown }).format === TRACE_FORMAT;
}

/** Check a parsed trace file field by field; fail with one line naming the first field (of
 *  which step) that is wrong, never a partial replay or a stack trace. */
export function validateTraceFile(x: unknown, file: string): TraceFile {
  const bad = (what: string): never => fail('E_TRACE_FILE', `${file}: ${what}`);
  if (!isTraceFile(x)) return bad(`not a probecheck trace (no "format": "${TRACE_FORMAT}")`);
  const t = x as unknown as Record<string, unknown>;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (t.version !== 1) bad(`"version" is ${JSON.stringify(t.version)}, expected 1`);
  if (typeof t.invariant !== 'string') bad('"invariant" is missing or not a string');
  validateModelSource(t.source, '"source"', bad);
  // What trace --format text/lkml/repro prints: text is text (else a TypeError, not one line).
  const strings = (v: unknown) => Array.isArray(v) && v.every((e) => typeof e === 'string');
  for (const k of ['model', 'kind', 'predicate', 'replay']) if (typeof t[k] !== 'string') bad(`"${k}" is missing or not a string`);
  if (t.doc !== undefined && typeof t.doc !== 'string') bad('"doc" is not a string');
  if (!strings(t.values)) bad('"values" is not a list of strings');
  if (!isObj(t.params) || Object.values(t.params).some((v) => !['string', 'number', 'boolean'].includes(typeof v))) bad('"params" is not an object of values');
  if (!isObj(t.initial)) bad('"initial" (the initial state) is missing or not an object');
  if (!Array.isArray(t.steps)) return bad('"steps" is not an array');
  if (t.length !== undefined && t.length !== t.steps.length) bad(`"length" is ${JSON.stringify(t.length)} but there are ${t.steps.length} steps (a step was removed or added)`);
  t.steps.forEach((s: unknown, i: number) => {
    if (!isObj(s)) return bad(`step ${i + 1} is not an object`);
    for (const k of ['actor', 'action', 'label']) if (typeof s[k] !== 'string') bad(`step ${i + 1}: "${k}" is missing or not a string`);
    if (!strings(s.changes)) bad(`step ${i + 1}: "changes" is not a list of text`);
    for (const k of ['reads', 'writes']) if (s[k] !== undefined && !strings(s[k])) bad(`step ${i + 1}: "${k}" is not a list of strings`);
    for (const k of ['function', 'file', 'doc']) if (s[k] !== undefined && typeof s[k] !== 'string') bad(`step ${i + 1}: "${k}" is not a string`);
    if (typeof s.index !== 'number') bad(`step ${i + 1}: "index" is missing or not a number`);
    if (!isObj(s.state)) bad(`step ${i + 1}: "state" is missing or not an object`);
  });
  return x;
}

/** A recorded ModelSource (`what` names it in messages: '"source"'). */
export function validateModelSource(src: unknown, what: string, bad: (msg: string) => never): ModelSource {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const strings = (v: unknown) => Array.isArray(v) && v.every((e) => typeof e === 'string');
  if (!isObj(src)) return bad(`${what} (the model the trace belongs to) is missing or not an object`);
  for (const k of ['model', 'kernel', 'scenario', 'scenarioFile', 'scenarioDigest', 'modelFile', 'modelDigest', 'iommuDriver']) if (src[k] !== undefined && typeof src[k] !== 'string') bad(`${what}.${k} is not a string`);
  for (const k of ['set', 'patches', 'invariants']) if (src[k] !== undefined && !strings(src[k])) bad(`${what}.${k} is not a list of strings`);
  if (src.patchDigests !== undefined && !(isObj(src.patchDigests) && Object.values(src.patchDigests).every((v) => typeof v === 'string'))) bad(`${what}.patchDigests is not an object of strings`);
  if (src.model === undefined && (src.kernel === undefined || src.scenario === undefined)) bad(`${what} names neither a model nor a kernel and scenario`);
  return src as ModelSource;
}

/** Every recorded state must have exactly the model's fields: name the first that is not. */
export function checkStateFields(file: string, fields: readonly string[], initial: unknown, steps: readonly { state: unknown }[]): void {
  const want = new Set(fields);
  const states = [initial, ...steps.map((s) => s.state)];
  states.forEach((st, i) => {
    const where = i === 0 ? 'the initial state' : `step ${i}'s state`;
    const keys = Object.keys(st as object);
    const missing = fields.find((f) => !keys.includes(f));
    if (missing) fail('E_TRACE_FILE', `${file}: ${where} has no field "${missing}"`);
    const extra = keys.find((k) => !want.has(k));
    if (extra) fail('E_TRACE_FILE', `${file}: ${where} has a field "${extra}" that the model does not have`);
  });
}
