/**
 * From a kernel diff to a model patch skeleton: which cited functions each hunk changes, and a
 * `definePatch` module that names the affected steps by label, each hunk as a comment above
 * the steps of the function it touches; hunks outside the model are listed as not modelled.
 *
 * Which function a changed line is in:
 *  - with the tree the diff applies to (--kernel-tree): the function ranges tree-sitter finds
 *    in that file, once the hunk's pre-image is found there (at its line, or the nearest
 *    offset, as patch(1) would);
 *  - else, from the diff alone: the hunk's function context (git's, with the kernel's diff=cpp
 *    attribute) until a definition line or a closing `}` at column 0 inside the hunk.
 * The recorded line ranges of a release are not used: they hold only for a diff made against
 * exactly that tree, which cannot be checked without its text (the package stores none).
 */
import type { CitedFunction, StepRef } from './compare';
import type { Hunk, ParsedDiff } from './diff-hunks';
import type { CFunction } from './parse-c';
import { stepsText } from './report';

/** The functions whose lines a hunk changes, in order; null stands for "outside any function". */
export type Touched = (string | null)[];

/** A C definition line at column 0 (`static int foo(struct device *dev)`), not a declaration,
 *  macro call statement or label. */
const DEFINITION = /^(?!.*;\s*$)[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\s*\(/;
const nameIn = (text: string): string | null => /\b([A-Za-z_]\w*)\s*\(/.exec(text)?.[1] ?? null;

export function touchedByContext(h: Hunk): Touched {
  let current: string | null = nameIn(h.context);
  const out: Touched = [];
  const add = (n: string | null) => { if (!out.includes(n)) out.push(n); };
  for (const l of h.lines) {
    const mark = l[0], text = l.slice(1);
    const def = DEFINITION.exec(text);
    if (def && !/^\w+:/.test(text)) current = def[1];
    if (mark === '-' || mark === '+') add(current);
    if (text.startsWith('}')) current = null;
  }
  return out;
}

/** The hunk's pre-image in the file: the offset from its header's line, or null when absent. */
function placeHunk(h: Hunk, fileLines: readonly string[]): number | null {
  const pre = h.lines.filter((l) => l[0] === ' ' || l[0] === '-').map((l) => l.slice(1));
  const at = (start: number) => start >= 0 && start + pre.length <= fileLines.length && pre.every((l, i) => fileLines[start + i] === l);
  const s0 = h.oldStart - (pre.length ? 1 : 0);
  for (let d = 0; d <= fileLines.length; d++) {
    if (at(s0 + d)) return d;
    if (d && at(s0 - d)) return -d;
  }
  return null;
}

/** With the file's functions: the one holding each removed line, or both sides of an insertion. */
export function touchedInTree(h: Hunk, fns: readonly CFunction[], fileLines: readonly string[]): Touched | null {
  const d = placeHunk(h, fileLines);
  if (d === null) return null;
  const out: Touched = [];
  const add = (n: string | null) => { if (!out.includes(n)) out.push(n); };
  const holding = (first: number, last: number) => fns.find((f) => f.startLine <= first && last <= f.endLine)?.name ?? null;
  let line = h.oldStart + d;   // the old line the next ' ' or '-' line is
  for (const l of h.lines) {
    if (l[0] === '-') add(holding(line, line));
    // An insertion between old lines line-1 and line is in a function that holds both.
    if (l[0] === '+') add(holding(line - 1, line));
    if (l[0] !== '+') line++;
  }
  return out;
}

export interface HunkPlace { readonly hunk: Hunk; readonly touched: Touched; readonly how: 'tree' | 'context' }

export interface ScaffoldPlan {
  readonly kernel: string;
  readonly diffName: string;
  readonly diff: ParsedDiff;
  /** Per cited function a hunk touches: the function and its hunks, in diff order. */
  readonly modelled: readonly { readonly cited: CitedFunction; readonly hunks: readonly Hunk[] }[];
  /** Hunks that touch no cited function, with the functions they do touch. */
  readonly notModelled: readonly { readonly hunk: Hunk; readonly functions: readonly (string | null)[] }[];
  /** How each hunk was placed. */
  readonly places: readonly HunkPlace[];
}

export function planScaffold(kernel: string, diffName: string, diff: ParsedDiff, cited: readonly CitedFunction[], places: readonly HunkPlace[]): ScaffoldPlan {
  const modelled = new Map<string, { cited: CitedFunction; hunks: Hunk[] }>();
  const notModelled: { hunk: Hunk; functions: (string | null)[] }[] = [];
  for (const p of places) {
    let hit = false;
    for (const name of p.touched) {
      const c = name !== null ? cited.find((x) => x.file === p.hunk.file && x.fn === `${name}()`) : undefined;
      if (!c) continue;
      hit = true;
      const e = modelled.get(c.key) ?? { cited: c, hunks: [] };
      if (!e.hunks.includes(p.hunk)) e.hunks.push(p.hunk);
      modelled.set(c.key, e);
    }
    if (!hit) notModelled.push({ hunk: p.hunk, functions: p.touched });
  }
  return { kernel, diffName, diff, modelled: [...modelled.values()], notModelled, places };
}

/** A single-quoted TS string literal (the project's style). */
const js = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const comment = (s: string) => s.replace(/\*\//g, '*\\/');
const fnList = (fs: readonly (string | null)[]) => fs.map((f) => (f === null ? 'outside any function' : `${f}()`)).join(', ') || 'no line changed';

/** Each label once, with its actors and its doc. */
function stepLines(steps: readonly StepRef[]): string[] {
  const seen = new Map<string, StepRef[]>();
  for (const s of steps) seen.set(s.label, [...(seen.get(s.label) ?? []), s]);
  return [...seen].map(([label, ss]) => `${label} [${[...new Set(ss.map((s) => s.actor))].sort().join(',')}]${ss[0].doc ? `: ${ss[0].doc}` : ''}`);
}

/** The patch module: loadable as it is (an empty edit), to be completed by hand. */
export function renderScaffold(p: ScaffoldPlan): string {
  const id = p.diff.commit?.slice(0, 12) ?? p.diffName.replace(/\.(patch|diff)$/, '').replace(/[^\w.-]/g, '-');
  const title = p.diff.subject ?? `model of ${p.diffName}`;
  const how = [...new Set(p.places.map((x) => x.how))].map((h) => (h === 'tree' ? 'function ranges parsed from --kernel-tree' : 'the hunks\' function context')).join(' and ');
  const L: string[] = [];
  L.push('/**');
  L.push(` * A model patch for ${comment(p.diffName)}, scaffolded by \`probecheck patch scaffold\` for kernel ${p.kernel}`);
  L.push(` * (functions found by ${how}). Fill in \`flags\` (src/model/kernels.ts) and/or the`);
  L.push(' * step edits below (docs/patches.md), then run');
  L.push(` *   probecheck verify-patch --kernel ${p.kernel} --scenario <scenario> --patch <this file>`);
  L.push(` * and \`probecheck show --kernel ${p.kernel} --scenario <scenario> --fn <function>\` lists the steps.`);
  if (p.notModelled.length) {
    L.push(' *');
    L.push(' * Not modelled (no step stands for the functions these hunks change):');
    for (const n of p.notModelled) L.push(` *   ${comment(n.hunk.file)} ${comment(n.hunk.header.replace(/^(@@[^@]*@@).*$/, '$1'))} ${comment(fnList(n.functions))}`);
  }
  L.push(' */');
  L.push("import { definePatch } from 'probecheck/dist/src/model';");
  L.push("// import { and, eq, ne, not, or, param, set, v } from 'probecheck/dist/src/ir/dsl';");
  L.push('');
  L.push('export default definePatch({');
  L.push(`  id: ${js(id)},`);
  L.push(`  title: ${js(title)},`);
  if (p.diff.commit) L.push(`  commits: [${js(p.diff.commit.slice(0, 12))}],`);
  L.push('  // flags: { },    // a flag of src/model/kernels.ts, if the model already has this change as a form');
  L.push('  // requires: { }, // the kernels it applies to');
  L.push('  edit(m) {');
  if (!p.modelled.length) L.push('    // No hunk changes a function the model cites: nothing to edit (see "Not modelled" above).');
  p.modelled.forEach((e, i) => {
    if (i > 0) L.push('');
    L.push(`    // ---- ${e.cited.fn} ${e.cited.file}: steps ${stepsText(e.cited.steps)}`);
    for (const h of e.hunks) {
      L.push('    //');
      L.push(`    // ${h.header}`);
      for (const l of h.lines) L.push(`    // ${l}`.trimEnd());
    }
    L.push('    //');
    L.push(`    // The steps of ${e.cited.fn} (m.actorsWith(label) gives the actors that have one):`);
    for (const s of stepLines(e.cited.steps)) L.push(`    //   ${s}`);
    const first = e.cited.steps[0];
    L.push(`    // e.g. for (const a of m.actorsWith(${js(first.label)})) m.replaceStep(a, ${js(first.label)}, (s) => ({ ...s }));`);
  });
  L.push('  },');
  L.push('});');
  return L.join('\n') + '\n';
}
