/**
 * What `probecheck report` reads: a check's results folder (summary.json, one run or
 * {verdict, runs}, and the violation-*.json traces beside it) or a matrix document. Parsed as
 * data only and validated before use: a file that is not what it claims fails with one line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import { validateTraceFile, type TraceFile } from '../trace/tracefile';
import type { RunSummary } from '../cli/run';
import { isMatrixDoc, validateMatrixDoc, type MatrixDocData } from '../matrix/doc';

export interface CheckRun { readonly summary: RunSummary; readonly traces: readonly TraceFile[]; readonly missing: readonly string[] }
export type ReportInput =
  | { readonly kind: 'check'; readonly dir: string; readonly verdict: string; readonly runs: readonly CheckRun[] }
  | { readonly kind: 'matrix'; readonly dir: string; readonly file: string; readonly doc: MatrixDocData };

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail('E_TRACE_FILE', `${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : (e as Error).message.split('\n')[0]})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail('E_TRACE_FILE', `${file}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The fields of a run summary the report shows; anything else is left as it is. */
function validateSummary(x: unknown, file: string): RunSummary {
  const bad = (what: string): never => fail('E_TRACE_FILE', `${file}: not a probecheck run summary (${what})`);
  if (!isObj(x)) return bad('not an object');
  if (typeof x.verdict !== 'string') bad('"verdict" is missing');
  for (const k of ['violations', 'witnesses', 'checked'] as const) if (!Array.isArray(x[k])) bad(`"${k}" is not an array`);
  if (!isObj(x.states)) bad('"states" is missing');
  (x.violations as unknown[]).forEach((v, i) => {
    if (!isObj(v) || typeof v.invariant !== 'string' || typeof v.trace !== 'string' || typeof v.length !== 'number') bad(`violation ${i + 1} lacks invariant, length or trace`);
    const trace = (v as { trace: string }).trace;
    if (path.basename(trace) !== trace) bad(`violation ${i + 1}: trace '${trace}' is not a file name`);
  });
  (x.witnesses as unknown[]).forEach((w, i) => { if (!isObj(w) || typeof w.name !== 'string' || typeof w.reached !== 'boolean') bad(`witness ${i + 1} lacks name or reached`); });
  return x as unknown as RunSummary;
}

/** What the page shows of a trace, beyond what validateTraceFile checks: text is text. */
function viewable(t: TraceFile, file: string): TraceFile {
  const bad = (what: string): never => fail('E_TRACE_FILE', `${file}: ${what}`);
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (typeof t.kind !== 'string' || typeof t.predicate !== 'string' || !strings(t.values)) bad('"kind", "predicate" or "values" is missing or not text');
  t.steps.forEach((s, i) => {
    if (!strings(s.changes)) bad(`step ${i + 1}: "changes" is not a list of text`);
    for (const k of ['function', 'file', 'doc'] as const) if (s[k] !== undefined && typeof s[k] !== 'string') bad(`step ${i + 1}: "${k}" is not text`);
  });
  return t;
}

/** A run's traces: beside summary.json, or (several scenarios) in the scenario's subfolder. */
function loadRun(dir: string, s: RunSummary, nested: boolean): CheckRun {
  const traces: TraceFile[] = [];
  const missing: string[] = [];
  for (const v of s.violations) {
    const here = nested && s.scenario ? path.join(dir, path.basename(s.scenario), v.trace) : path.join(dir, v.trace);
    if (!fs.existsSync(here)) { missing.push(path.relative(dir, here)); continue; }
    traces.push(viewable(validateTraceFile(readJson(here), here), here));
  }
  return { summary: s, traces, missing };
}

/** Matrix documents in a folder, newest first (by their "generated" time). */
function matrixDocsIn(dir: string): { file: string; doc: MatrixDocData }[] {
  const found: { file: string; doc: MatrixDocData }[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    let x: unknown;
    try { x = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { continue; }
    if (isMatrixDoc(x)) found.push({ file, doc: validateMatrixDoc(x, file) });
  }
  return found.sort((a, b) => b.doc.generated.localeCompare(a.doc.generated));
}

/** RESULTS: a check's results folder, a folder of matrix documents, or one matrix document. */
export function loadReportInput(results: string): ReportInput {
  if (!fs.existsSync(results)) fail('E_TRACE_FILE', `${results}: no such file or folder (give a results folder or a matrix document)`);
  if (fs.statSync(results).isFile()) {
    const x = readJson(results);
    if (!isMatrixDoc(x)) fail('E_TRACE_FILE', `${results}: not a probecheck matrix document (no "probecheckMatrix": 1); give a results folder or a matrix document`);
    return { kind: 'matrix', dir: path.dirname(results), file: results, doc: validateMatrixDoc(x, results) };
  }
  const summaryFile = path.join(results, 'summary.json');
  if (fs.existsSync(summaryFile)) {
    const x = readJson(summaryFile);
    if (isObj(x) && Array.isArray(x.runs)) {
      const runs = x.runs.map((r, i) => validateSummary(r, `${summaryFile} run ${i + 1}`));
      return { kind: 'check', dir: results, verdict: String(x.verdict), runs: runs.map((s) => loadRun(results, s, true)) };
    }
    const s = validateSummary(x, summaryFile);
    return { kind: 'check', dir: results, verdict: s.verdict, runs: [loadRun(results, s, false)] };
  }
  const docs = matrixDocsIn(results);
  if (docs.length) return { kind: 'matrix', dir: results, file: docs[0].file, doc: docs[0].doc };
  return fail('E_TRACE_FILE', `${results}: holds neither summary.json (a check run) nor a matrix document`);
}
