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
  /** Built-in ids or patch file paths, as given on the command line. */
  readonly patches?: readonly string[];
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

/** Check the parts of a parsed trace file that the views rely on; fail naming what is wrong. */
export function validateTraceFile(x: unknown, file: string): TraceFile {
  const bad = (what: string): never => fail('E_TRACE_FILE', `${file}: ${what}`);
  if (!isTraceFile(x)) return bad(`not a probecheck trace (no "format": "${TRACE_FORMAT}")`);
  if (!Array.isArray(x.steps)) bad('"steps" is not an array');
  if (typeof x.invariant !== 'string') bad('"invariant" is missing');
  x.steps.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) bad(`step ${i + 1} is not an object`);
    for (const k of ['actor', 'action', 'label'] as const) if (typeof s[k] !== 'string') bad(`step ${i + 1}: "${k}" is missing`);
    if (!Array.isArray(s.changes)) bad(`step ${i + 1}: "changes" is not an array`);
    if (typeof s.state !== 'object' || s.state === null) bad(`step ${i + 1}: "state" is missing`);
  });
  return x;
}
