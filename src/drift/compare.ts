/**
 * Drift: the cited functions of a user's tree against the fingerprints recorded for each
 * modelled kernel (citations/data.ts). The nearest kernel is the one with the most cited
 * functions identical; ties go to fewer differing (when some are identical), then to the newer
 * kernel (KERNELS order).
 */
import { buildKernelModel, KERNELS, SCENARIOS } from '../model';
import { citationsOf } from '../model/citations';
import type { ReleaseCitations } from '../model/citations/types';
import type { Located, Lookup, TreeFunctions } from './locate';

/** Where the recorded fingerprints come from: the package's (citationsOf), or a test's. */
export type CitationSource = (kernel: string) => ReleaseCitations | undefined;

export interface StepRef { readonly actor: string; readonly label: string; readonly doc?: string }

/** A kernel function the model cites, and the steps (over every scenario) that cite it. */
export interface CitedFunction {
  /** `fn() file`, the key of citations/data.ts. */
  readonly key: string;
  readonly fn: string;
  readonly file: string;
  readonly steps: readonly StepRef[];
}

const citedCache = new Map<string, CitedFunction[]>();

/** Every (function, file) a step of any scenario cites on this kernel, in model order. */
export function citedFunctions(kernel: string): CitedFunction[] {
  const hit = citedCache.get(kernel);
  if (hit) return hit;
  const out = new Map<string, { fn: string; file: string; steps: StepRef[] }>();
  for (const s of SCENARIOS) {
    for (const a of buildKernelModel({ kernel, scenario: s.name }).actors) {
      for (const st of a.steps) {
        if (!st.fn || !st.file) continue;
        const key = `${st.fn} ${st.file}`;
        const e = out.get(key) ?? { fn: st.fn, file: st.file, steps: [] };
        if (!e.steps.some((x) => x.actor === a.name && x.label === st.label)) e.steps.push({ actor: a.name, label: st.label, ...(st.doc ? { doc: st.doc } : {}) });
        out.set(key, e);
      }
    }
  }
  const list = [...out].map(([key, e]) => ({ key, ...e }));
  citedCache.set(kernel, list);
  return list;
}

/** The kernels with recorded fingerprints (a tree was read for them). */
export function recordedKernels(cite: CitationSource = citationsOf): string[] {
  return KERNELS.filter((k) => cite(k.name)).map((k) => k.name);
}

export type FnStatus =
  | 'same'           // the user's definition has the recorded tokens
  | 'differs'        // found, other tokens
  | 'no-function'    // the file has no C function of that name (sameBody: renamed?)
  | 'no-file';       // the tree has no such file

export interface FnDrift {
  readonly fn: string;
  readonly file: string;
  readonly steps: readonly StepRef[];
  readonly status: FnStatus;
  /** Where the kernel's tree has it (recorded). */
  readonly recorded: { readonly lines: string; readonly fingerprint: string };
  /** Where the user's tree has it. */
  readonly user?: Located;
  /** no-function: a function of the file with the recorded tokens under another name. */
  readonly sameBody?: Located;
}

export interface KernelDrift {
  readonly kernel: string;
  /** The tree the kernel's fingerprints were recorded from (repository@commit). */
  readonly recordedFrom: string;
  readonly verification: { readonly status: string; readonly tree: string };
  /** One per cited function with a recorded fingerprint, in model order. */
  readonly functions: readonly FnDrift[];
  readonly identical: number;
  /** Cited functions its tree did not have (the steps are inferred there): not compared. */
  readonly notRecorded: readonly string[];
}

/** The user's tree against one kernel's record. `tree` caches parses across kernels. */
export function driftAgainst(kernel: string, tree: TreeFunctions, cite: CitationSource = citationsOf): KernelDrift {
  const rel = cite(kernel);
  if (!rel) throw new Error(`no citations recorded for ${kernel}`);
  const info = KERNELS.find((k) => k.name === kernel)!;
  const functions: FnDrift[] = [];
  const notRecorded: string[] = [];
  for (const c of citedFunctions(kernel)) {
    const rec = rel.functions[c.key];
    if (!rec) { notRecorded.push(c.key); continue; }
    const r: Lookup = tree.lookup(c.fn, c.file, rec.fingerprint);
    const base = { fn: c.fn, file: c.file, steps: c.steps, recorded: { lines: rec.lines, fingerprint: rec.fingerprint } };
    if (r.status === 'found') functions.push({ ...base, status: r.at.fingerprint === rec.fingerprint ? 'same' : 'differs', user: r.at });
    else if (r.status === 'no-function') functions.push({ ...base, status: 'no-function', ...(r.sameBody ? { sameBody: r.sameBody } : {}) });
    else if (r.status === 'no-file') functions.push({ ...base, status: 'no-file' });
    // 'not-c' cannot be recorded (cite-kernel records null for it).
  }
  return {
    kernel, recordedFrom: rel.tree, verification: { ...info.verified }, functions,
    identical: functions.filter((f) => f.status === 'same').length, notRecorded,
  };
}

const differing = (d: KernelDrift) => d.functions.length - d.identical;

/** Every recorded kernel, nearest first. */
export function rankKernels(tree: TreeFunctions, cite: CitationSource = citationsOf): KernelDrift[] {
  const order = KERNELS.map((k) => k.name);
  return recordedKernels(cite).map((k) => driftAgainst(k, tree, cite))
    // With nothing identical, "fewer differing" would only favour kernels citing fewer functions.
    .sort((a, b) => b.identical - a.identical || (a.identical ? differing(a) - differing(b) : 0) || order.indexOf(b.kernel) - order.indexOf(a.kernel));
}
