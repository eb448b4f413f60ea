/**
 * The drift report, as text and as one JSON document. The package holds no kernel code, so
 * a diff is only shown between two trees the user has (--against).
 */
import { formatPatch, structuredPatch } from 'diff';
import type { FnDrift, KernelDrift, StepRef } from './compare';
import type { TreeAnalysis } from './analyse';
import type { TreeFunctions } from './locate';
import type { KernelTree } from './tree';

/** The other tree of --against, to diff each drifted function with. */
export interface Against { readonly tree: KernelTree; readonly functions: TreeFunctions }

/** `p_lock [C], r_alloc [N,R]`: each label once, with the actors that have it. */
export function stepsText(steps: readonly StepRef[]): string {
  const by = new Map<string, string[]>();
  for (const s of steps) by.set(s.label, [...(by.get(s.label) ?? []), s.actor]);
  return [...by].map(([label, actors]) => `${label} [${[...new Set(actors)].sort().join(',')}]`).join(', ');
}

export const isDrift = (f: FnDrift): boolean => f.status !== 'same';

/** A unified diff of one function between the --against tree (`a/`) and the user's (`b/`),
 *  hunks at the files' own line numbers; null when either side lacks it. */
export function functionDiff(f: FnDrift, user: TreeAnalysis, against: Against): { diff: string | null; note?: string } {
  const theirs = against.functions.lookup(f.fn, f.file);
  if (theirs.status !== 'found') return { diff: null, note: `not in ${against.tree.path}` };
  const mine = f.user ?? f.sameBody;
  if (!mine) return { diff: null, note: `not in ${user.tree.path}` };
  const p = structuredPatch(`a/${f.file}`, `b/${f.file}`, against.functions.textOf(f.file, theirs.at), user.functions.textOf(f.file, mine), against.tree.path, user.tree.path, { context: 3 });
  if (!p.hunks.length) return { diff: null, note: 'the two trees have the same text' };
  for (const h of p.hunks) { h.oldStart += theirs.at.startLine - 1; h.newStart += mine.startLine - 1; }
  // The Index/=== lines formatPatch writes by default are not part of a unified diff's use here.
  return { diff: formatPatch(p, { includeIndex: false, includeUnderline: false, includeFileHeaders: true }) };
}

function statusText(f: FnDrift, k: string): string {
  const base = f.file.split('/').pop();
  switch (f.status) {
    case 'same': return 'identical';
    case 'differs': return `changed (${k}: ${base}:${f.recorded.lines})`;
    case 'no-file': return 'the file is missing';
    case 'no-function': return f.sameBody
      ? `missing: renamed? ${f.sameBody.name}() at ${base}:${f.sameBody.lines} has the body ${k} records for ${f.fn}`
      : `missing: no function of that name in the file (renamed, moved or removed; ${k}: ${base}:${f.recorded.lines})`;
  }
}

const where = (f: FnDrift) => (f.user ? `${f.file}:${f.user.lines}` : f.file);

function summaryLine(d: KernelDrift): string {
  return `${d.kernel} ${d.identical} of ${d.functions.length}`;
}

export function formatDrift(a: TreeAnalysis, against?: Against, diffs?: Map<FnDrift, ReturnType<typeof functionDiff>>): string {
  const d = a.chosen;
  const L: string[] = [];
  L.push(`== probecheck drift: ${a.tree.path}${a.tree.version ? ` (Makefile: ${a.tree.version})` : ''}${against ? `, against ${against.tree.path}${against.tree.version ? ` (${against.tree.version})` : ''}` : ''}`);
  const head = a.chosenBy === 'nearest' ? 'nearest modelled kernel' : 'kernel (--kernel)';
  L.push(`${head}: ${d.kernel} (${d.verification.status}; fingerprints from ${d.recordedFrom}): ${d.identical} of ${d.functions.length} cited functions identical`);
  if (a.chosenBy === 'nearest' && a.ranking.length > 1) L.push(`next: ${a.ranking.slice(1, 4).map(summaryLine).join(', ')}`);
  if (d.notRecorded.length) L.push(`not compared: ${d.notRecorded.length} cited function${d.notRecorded.length === 1 ? '' : 's'} ${d.kernel}'s tree does not have (inferred steps): ${d.notRecorded.map((k) => k.split(' ')[0]).join(', ')}`);
  const drifted = d.functions.filter(isDrift);
  if (!drifted.length) {
    L.push(`no drift: every function ${d.kernel}'s steps cite is identical here (comments and whitespace aside)`);
    return L.join('\n') + '\n';
  }
  L.push(`${drifted.length} function${drifted.length === 1 ? '' : 's'} differ${drifted.length === 1 ? 's' : ''} from ${d.kernel}; the model may be stale for ${drifted.length === 1 ? 'its' : 'their'} steps:`);
  for (const f of drifted) {
    L.push('');
    L.push(`${f.fn}  ${where(f)}  ${statusText(f, d.kernel)}`);
    L.push(`  steps: ${stepsText(f.steps)}`);
    const x = diffs?.get(f);
    if (x?.diff) L.push(x.diff.trimEnd());
    else if (x?.note) L.push(`  (no diff: ${x.note})`);
  }
  return L.join('\n') + '\n';
}

/** What check --kernel-tree prints on stderr before it runs: the kernel, then one warning line
 *  per drifted function with its steps. */
export function driftWarnings(a: TreeAnalysis): string[] {
  const d = a.chosen;
  const how = a.chosenBy === 'nearest' ? 'nearest modelled kernel' : 'kernel (--kernel)';
  const out = [`probecheck: --kernel-tree ${a.tree.path}${a.tree.version ? ` (${a.tree.version})` : ''}: ${how} ${d.kernel}, ${d.identical} of ${d.functions.length} cited functions identical`];
  const drifted = d.functions.filter(isDrift);
  for (const f of drifted) {
    const what = f.status === 'differs' ? `changed since ${d.kernel}` : `missing (${d.kernel} has it at ${f.file.split('/').pop()}:${f.recorded.lines})`;
    out.push(`probecheck: warning: ${f.fn} ${where(f)} ${what}; the model may be stale for steps ${stepsText(f.steps)}`);
  }
  if (drifted.length) out.push(`probecheck: warning: probecheck drift --kernel-tree ${a.tree.path}${a.chosenBy === '--kernel' ? ` --kernel ${d.kernel}` : ''} --against <a ${d.kernel} tree> shows the diffs`);
  return out;
}

export function driftJson(a: TreeAnalysis, against?: Against, diffs?: Map<FnDrift, ReturnType<typeof functionDiff>>) {
  const d = a.chosen;
  return {
    tree: a.tree.path, version: a.tree.version,
    ...(against ? { against: against.tree.path } : {}),
    kernel: d.kernel, chosenBy: a.chosenBy,
    verification: d.verification, recordedFrom: d.recordedFrom,
    identical: d.identical, compared: d.functions.length,
    drifted: d.functions.filter(isDrift).length,
    ranking: a.ranking.map((k) => ({ kernel: k.kernel, identical: k.identical, compared: k.functions.length })),
    notCompared: d.notRecorded,
    functions: d.functions.map((f) => ({
      fn: f.fn, file: f.file, status: f.status,
      lines: f.user?.lines ?? null, fingerprint: f.user?.fingerprint ?? null,
      recorded: f.recorded,
      ...(f.sameBody ? { sameBody: { name: f.sameBody.name, lines: f.sameBody.lines } } : {}),
      steps: f.steps.map((s) => ({ actor: s.actor, label: s.label })),
      ...(diffs?.has(f) ? { diff: diffs.get(f)!.diff, ...(diffs.get(f)!.note ? { diffNote: diffs.get(f)!.note } : {}) } : {}),
    })),
  };
}
