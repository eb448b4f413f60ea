/**
 * The steps of a model, one line each, for people who go from a step to its kernel source
 * (probecheck show): actor instances, label, kernel function and file, the releases the step
 * was checked against (or `inferred`), its branches, and the model file that built it.
 * Modelled on the `case N: // STATE s - file.pml:line - [statement]` comments SPIN writes
 * into pan.c. Also: a step-by-label diff of two models (two kernels, or without and with
 * patches). Pure functions of a Model: no files, no exploration.
 */
import { closest, fail } from '../errors';
import { lowerModel } from '../ir/lower';
import type { Actor, Model, Step, StepCheck } from '../ir/types';
import { showExpr } from '../trace/describe';

/** A guard as printed by showExpr, per group of actor instances that print it the same way
 *  (a guard that reads `self` differs between instances). */
export interface GuardText { readonly instances: readonly string[]; readonly text: string }

export interface BranchRow {
  readonly name?: string;
  readonly goto: string;
  /** With guards only, and only when the branch has a guard. */
  readonly guard?: readonly GuardText[];
  /** The IR guard, for comparing two models (not printed). */
  readonly sig: string;
}

export interface StepRow {
  /** Actor name ('C') and its instances as one column ('C[D1,D3]'). */
  readonly actor: string;
  readonly display: string;
  readonly label: string;
  readonly fn?: string;
  readonly file?: string;
  readonly origin?: string;
  /** Empty: inferred (not checked against kernel source). */
  readonly checked: readonly StepCheck[];
  readonly branches: readonly BranchRow[];
  /** With guards only, and only when the step has a guard. */
  readonly guard?: readonly GuardText[];
  readonly sig: string;
}

export interface ActorRows {
  readonly actor: string;
  readonly display: string;
  readonly instances: readonly string[];
  readonly steps: readonly StepRow[];
}

export interface StepFilter {
  /** Actor names (or instance names such as `C[D1]`, or the display `C[D1,D3]`); empty: all. */
  readonly actors?: readonly string[];
  /** Keep steps whose kernel function contains one of these; empty: all. */
  readonly fns?: readonly string[];
}

/** `C[D1]`, `C[D3]` for an actor over dev with slots 0 and 2; `U` for a single instance. */
export function actorInstances(m: Model, a: Actor): string[] {
  if (a.over === undefined) return [a.name];
  const e = m.entities.find((x) => x.name === a.over);
  const count = e?.count ?? 0;
  const names = e?.slotNames ?? Array.from({ length: count }, (_, i) => `${a.over}${i}`);
  const slots = a.slots ?? Array.from({ length: count }, (_, i) => i);
  return slots.map((s) => `${a.name}[${names[s] ?? s}]`);
}

/** `C[D1,D3]`: the actor with its instance slots. */
export function actorDisplay(m: Model, a: Actor): string {
  if (a.over === undefined) return a.name;
  const inst = actorInstances(m, a);
  return `${a.name}[${inst.map((i) => i.slice(a.name.length + 1, -1)).join(',')}]`;
}

const sig = (x: unknown): string => (x === undefined ? '' : JSON.stringify(x));

/** Guard texts of every step and branch, printed by showExpr on the lowered model. The
 *  lowered model joins a step's guard and its branch's guard into one action guard; to print
 *  them apart, lower the model twice: once without step guards (the actions' guards are the
 *  branches'), once without branch guards (the steps'). */
function guardTexts(m: Model): { step: Map<string, GuardText[]>; branch: Map<string, GuardText[]> } {
  const strip = (f: (s: Step) => Step): Model => ({ ...m, actors: m.actors.map((a) => ({ ...a, steps: a.steps.map(f) })) });
  const onlyBranch = strip((s) => ({ ...s, guard: undefined }));
  const onlyStep = strip((s) => ({ ...s, branches: s.branches.map((b) => ({ ...b, guard: undefined })) }));
  const collect = (model: Model, want: (s: Step, bi: number) => boolean, key: (actor: string, label: string, bi: number) => string) => {
    const core = lowerModel(model);
    const actors = new Map(model.actors.map((a) => [a.name, a]));
    const texts = new Map<string, { instance: string; slot?: string; text: string }[]>();
    for (const act of core.actions) {
      const inst = core.instances[act.instance];
      const a = actors.get(inst.actor)!;
      const s = a.steps.find((x) => x.label === act.step)!;
      const bi = act.branch === undefined ? 0 : s.branches.findIndex((b) => b.name === act.branch);
      if (!want(s, bi)) continue;
      const k = key(a.name, s.label, bi);
      const slot = a.over !== undefined ? core.entities.find((e) => e.name === a.over)?.slotNames[inst.slot] : undefined;
      const list = texts.get(k) ?? [];
      list.push({ instance: inst.name, ...(slot !== undefined ? { slot } : {}), text: showExpr(core, act.guard) });
      texts.set(k, list);
    }
    const out = new Map<string, GuardText[]>();
    for (const [k, list] of texts) out.set(k, groupGuards(list));
    return out;
  };
  const stepKey = (actor: string, label: string) => `${actor}\0${label}`;
  const branchKey = (actor: string, label: string, bi: number) => `${actor}\0${label}\0${bi}`;
  // A step's guard is the same for each of its branches: keep the first branch's.
  const step = collect(onlyStep, (s, bi) => s.guard !== undefined && bi === 0, stepKey);
  const branch = collect(onlyBranch, (s, bi) => s.branches[bi]?.guard !== undefined, branchKey);
  return { step, branch };
}

/** One text for all instances when they print the same, or when they print the same once
 *  each instance's own slot (`[D1]` for C[D1]) is written `[self]`; else one per group of
 *  instances that print the same. */
function groupGuards(list: readonly { instance: string; slot?: string; text: string }[]): GuardText[] {
  const all = list.map((x) => x.instance);
  if (list.every((x) => x.text === list[0].text)) return [{ instances: all, text: list[0].text }];
  const selfText = (x: { slot?: string; text: string }) => (x.slot !== undefined ? x.text.split(`[${x.slot}]`).join('[self]') : x.text);
  const generic = list.map(selfText);
  if (generic.every((t) => t === generic[0])) return [{ instances: all, text: generic[0] }];
  const groups: { instances: string[]; text: string }[] = [];
  for (const x of list) {
    const g = groups.find((y) => y.text === x.text);
    if (g) g.instances.push(x.instance); else groups.push({ instances: [x.instance], text: x.text });
  }
  return groups;
}

/** Every actor's steps in model order. `guards` prints step and branch guards (lowers the model). */
export function stepRows(m: Model, opts: { guards?: boolean } = {}): ActorRows[] {
  const g = opts.guards ? guardTexts(m) : undefined;
  return m.actors.map((a) => {
    const display = actorDisplay(m, a);
    const steps = a.steps.map((s): StepRow => {
      const stepGuard = g?.step.get(`${a.name}\0${s.label}`);
      return {
        actor: a.name, display, label: s.label,
        ...(s.fn !== undefined ? { fn: s.fn } : {}),
        ...(s.file !== undefined ? { file: s.file } : {}),
        ...(s.origin !== undefined ? { origin: s.origin } : {}),
        checked: [...(s.checked ?? [])],
        branches: s.branches.map((b, bi): BranchRow => {
          const bg = g?.branch.get(`${a.name}\0${s.label}\0${bi}`);
          return { ...(b.name !== undefined ? { name: b.name } : {}), goto: b.goto, ...(bg ? { guard: bg } : {}), sig: sig(b.guard) };
        }),
        ...(stepGuard ? { guard: stepGuard } : {}),
        sig: sig(s.guard),
      };
    });
    return { actor: a.name, display, instances: actorInstances(m, a), steps };
  });
}

/** The actors a filter names; an unknown name fails with the closest actor names. */
function selectActors<T extends { actor: string; display: string; instances: readonly string[] }>(all: readonly T[], names: readonly string[]): T[] {
  if (!names.length) return [...all];
  const hit = (a: T, n: string) => a.actor === n || a.display === n || a.instances.includes(n);
  for (const n of names) {
    if (!all.some((a) => hit(a, n))) {
      const valid = [...new Set(all.map((a) => a.actor))];
      const near = closest(n, valid);
      fail('E_UNKNOWN_ACTOR', `unknown actor '${n}'; ${valid.length <= 3 ? 'valid' : 'closest'}: ${near.map((x) => all.find((a) => a.actor === x)!.display).join(', ')}`);
    }
  }
  return all.filter((a) => names.some((n) => hit(a, n)));
}

const fnMatches = (fns: readonly string[], fn?: string): boolean => !fns.length || (fn !== undefined && fns.some((f) => fn.includes(f)));

/** Fails when no step of the selected actors calls a function that contains one of `fns`. */
function checkFns(actors: readonly { steps: readonly { fn?: string; label: string }[] }[], fns: readonly string[]): void {
  const steps = actors.flatMap((a) => a.steps);
  const all = [...new Set(steps.map((s) => s.fn).filter((f): f is string => f !== undefined))];
  for (const f of fns) {
    if (all.some((x) => x.includes(f))) continue;
    const asLabel = steps.find((s) => s.label === f);
    if (asLabel) fail('E_UNKNOWN_FUNCTION', `no step's kernel function contains '${f}'; '${f}' is a step label (of ${asLabel.fn ?? 'no function'}); --fn matches kernel functions`);
    const bare = [...new Set(all.map((x) => x.replace(/\(\)$/, '')))];
    fail('E_UNKNOWN_FUNCTION', `no step's kernel function contains '${f}'; ${bare.length <= 3 ? 'the functions' : 'closest'}: ${closest(f, bare).join(', ')}`);
  }
}

/** Apply --actor and --fn. */
export function filterRows(rows: readonly ActorRows[], f: StepFilter): ActorRows[] {
  const actors = selectActors(rows, f.actors ?? []);
  const fns = f.fns ?? [];
  checkFns(actors, fns);
  return actors.map((a) => ({ ...a, steps: a.steps.filter((s) => fnMatches(fns, s.fn)) })).filter((a) => !fns.length || a.steps.length > 0);
}

// ---------------------------------------------------------------- text

/** `v6.6 linux@abc123 iommu.c:410-431; v6.15 ...`, or `inferred`. */
export function checkedText(c: readonly StepCheck[]): string {
  return c.length ? c.map((x) => `${x.release} ${x.tree} ${x.lines}`).join('; ') : 'inferred';
}

/** `attach -> c_links, idle -> $end`; `-> c_dma_cfg` for one unnamed branch. */
export function branchesText(bs: readonly { name?: string; goto: string }[]): string {
  return bs.map((b) => (b.name !== undefined ? `${b.name} -> ${b.goto}` : `-> ${b.goto}`)).join(', ');
}

const HEADER = ['actor', 'label', 'function', 'file', 'checked', 'branches', 'origin'];

export function rowCells(s: StepRow): string[] {
  return [s.display, s.label, s.fn ?? '-', s.file ?? '-', checkedText(s.checked), branchesText(s.branches), s.origin !== undefined ? `(${s.origin})` : '-'];
}

function guardLines(s: StepRow, indent: string): string[] {
  const L: string[] = [];
  const put = (what: string, gs: readonly GuardText[] | undefined) => {
    if (!gs) return;
    if (gs.length === 1) L.push(`${indent}${what}: ${gs[0].text}`);
    else for (const g of gs) L.push(`${indent}${what} (${g.instances.join(', ')}): ${g.text}`);
  };
  put('guard', s.guard);
  for (const b of s.branches) put(b.name !== undefined ? `${b.name} if` : `-> ${b.goto} if`, b.guard);
  return L;
}

/** Columns padded to the widest cell of `rows` (the last column is not padded). */
function widths(rows: readonly string[][]): number[] {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, c.length); });
  return w;
}
function line(cells: readonly string[], w: readonly number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd();
}

/** One line a step, aligned, a blank line between actors; with guards, the guards below each step. */
export function formatRows(actors: readonly ActorRows[]): string {
  const all = actors.flatMap((a) => a.steps.map(rowCells));
  const w = widths([HEADER, ...all]);
  const L = [line(HEADER, w)];
  actors.forEach((a, i) => {
    if (i > 0) L.push('');
    for (const s of a.steps) {
      L.push(line(rowCells(s), w));
      L.push(...guardLines(s, ' '.repeat(w[0] + 2)));
    }
  });
  return L.join('\n') + '\n';
}

/** `12 steps in 2 actors; checked against kernel source: 0, inferred: 12` */
export function rowsSummary(actors: readonly ActorRows[]): string {
  const steps = actors.flatMap((a) => a.steps);
  const checked = steps.filter((s) => s.checked.length > 0).length;
  return `${steps.length} step${steps.length === 1 ? '' : 's'} in ${actors.length} actor${actors.length === 1 ? '' : 's'}; checked against kernel source: ${checked}, inferred: ${steps.length - checked}`;
}

// ---------------------------------------------------------------- JSON

function guardJson(gs: readonly GuardText[] | undefined) {
  return gs ? { guard: gs.map((g) => ({ instances: [...g.instances], text: g.text })) } : {};
}

export function stepJson(s: StepRow) {
  return {
    actor: s.actor, label: s.label, fn: s.fn ?? null, file: s.file ?? null,
    checked: s.checked.map((c) => ({ release: c.release, tree: c.tree, lines: c.lines })),
    inferred: s.checked.length === 0,
    ...guardJson(s.guard),
    branches: s.branches.map((b) => ({ name: b.name ?? null, goto: b.goto, ...guardJson(b.guard) })),
    origin: s.origin ?? null,
  };
}

export function rowsJson(actors: readonly ActorRows[]) {
  return actors.map((a) => ({ actor: a.actor, display: a.display, instances: [...a.instances], steps: a.steps.map(stepJson) }));
}

// ---------------------------------------------------------------- diff

export type StepChange = 'fn' | 'file' | 'branches' | 'guard' | 'branch guards' | 'checked' | 'origin';

export type DiffEntry =
  | { readonly op: 'added'; readonly label: string; readonly after: StepRow }
  | { readonly op: 'removed'; readonly label: string; readonly before: StepRow }
  | { readonly op: 'changed'; readonly label: string; readonly before: StepRow; readonly after: StepRow; readonly changes: readonly StepChange[] };

export interface ActorDiff {
  readonly actor: string;
  readonly before?: ActorRows;
  readonly after?: ActorRows;
  /** In model order: removed steps before the added ones at the same place, as a unified diff. */
  readonly entries: readonly DiffEntry[];
  readonly unchanged: number;
}

/** What differs between two steps of the same label. */
export function stepChanges(a: StepRow, b: StepRow): StepChange[] {
  const out: StepChange[] = [];
  if (a.fn !== b.fn) out.push('fn');
  if (a.file !== b.file) out.push('file');
  if (branchesText(a.branches) !== branchesText(b.branches)) out.push('branches');
  if (a.sig !== b.sig) out.push('guard');
  const bg = (r: StepRow) => r.branches.map((x) => `${x.name ?? ''}:${x.sig}`).join('|');
  if (bg(a) !== bg(b)) out.push('branch guards');
  if (checkedText(a.checked) !== checkedText(b.checked)) out.push('checked');
  if (a.origin !== b.origin) out.push('origin');
  return out;
}

/** Longest common subsequence of two label lists, as index pairs. */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length, m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out: [number, number][] = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { out.push([i, j]); i++; j++; } else if (t[i + 1][j] >= t[i][j + 1]) i++; else j++;
  }
  return out;
}

function diffSteps(a: readonly StepRow[], b: readonly StepRow[]): { entries: DiffEntry[]; unchanged: number } {
  const entries: DiffEntry[] = [];
  let unchanged = 0;
  // Labels are unique per actor, so a label common to both is the same step (maybe moved:
  // the LCS keeps the order of the new model and shows a moved step as removed and added).
  let i = 0, j = 0;
  const flush = (ti: number, tj: number) => {
    for (; i < ti; i++) entries.push({ op: 'removed', label: a[i].label, before: a[i] });
    for (; j < tj; j++) entries.push({ op: 'added', label: b[j].label, after: b[j] });
  };
  for (const [pi, pj] of lcs(a.map((s) => s.label), b.map((s) => s.label))) {
    flush(pi, pj);
    const changes = stepChanges(a[pi], b[pj]);
    if (changes.length) entries.push({ op: 'changed', label: a[pi].label, before: a[pi], after: b[pj], changes });
    else unchanged++;
    i = pi + 1; j = pj + 1;
  }
  flush(a.length, b.length);
  return { entries, unchanged };
}

/** Per actor (the new model's order, then actors only the old one has), its steps compared by label. */
export function diffRows(before: readonly ActorRows[], after: readonly ActorRows[]): ActorDiff[] {
  const names = [...after.map((a) => a.actor), ...before.map((a) => a.actor).filter((n) => !after.some((a) => a.actor === n))];
  return names.map((n) => {
    const x = before.find((a) => a.actor === n), y = after.find((a) => a.actor === n);
    const d = diffSteps(x?.steps ?? [], y?.steps ?? []);
    return { actor: n, ...(x ? { before: x } : {}), ...(y ? { after: y } : {}), ...d };
  });
}

/** Apply --actor and --fn to a diff: an actor of either side; a step whose function (before or after) matches. */
export function filterDiff(diffs: readonly ActorDiff[], f: StepFilter): ActorDiff[] {
  const sides = diffs.map((d) => {
    const s = (d.after ?? d.before)!;
    const instances = [...new Set([...(d.before?.instances ?? []), ...(d.after?.instances ?? [])])];
    return { actor: d.actor, display: s.display, instances, d };
  });
  const picked = selectActors(sides, f.actors ?? []).map((x) => x.d);
  const fns = f.fns ?? [];
  if (!fns.length) return picked;
  checkFns(picked.flatMap((d) => [d.before, d.after].filter((x): x is ActorRows => x !== undefined)), fns);
  return picked.map((d) => {
    const keep = (s?: StepRow) => s !== undefined && fnMatches(fns, s.fn);
    const entries = d.entries.filter((e) => keep(e.op === 'added' ? undefined : e.before) || keep(e.op === 'removed' ? undefined : e.after));
    const unchanged = (d.after?.steps ?? []).filter((s) => keep(s) && !d.entries.some((e) => e.label === s.label)).length;
    return { ...d, entries, unchanged };
  });
}

function count(d: ActorDiff, op: DiffEntry['op']): number {
  return d.entries.filter((e) => e.op === op).length;
}

/** `R[I]: v6.6 15 steps -> v6.15 23 steps: 8 added, 0 removed, 3 changed, 12 unchanged` */
function diffHeader(d: ActorDiff, from: string, to: string): string {
  const n = (r: ActorRows) => `${r.steps.length} step${r.steps.length === 1 ? '' : 's'}`;
  const side = (name: string, r?: ActorRows) => (r ? `${name} ${r.display} ${n(r)}` : `${name} (no actor ${d.actor})`);
  const head = d.before && d.after && d.before.display === d.after.display
    ? `${d.after.display}: ${from} ${n(d.before)} -> ${to} ${n(d.after)}`
    : `${d.actor}: ${side(from, d.before)} -> ${side(to, d.after)}`;
  if (!d.entries.length) return `${head}: no change${d.unchanged ? ` (${d.unchanged} unchanged)` : ''}`;
  return `${head}: ${count(d, 'added')} added, ${count(d, 'removed')} removed, ${count(d, 'changed')} changed, ${d.unchanged} unchanged`;
}

/**
 * A unified-style diff of the one-line renderings, per actor: `-` a step only the old model
 * has, `+` one only the new model has, a changed step as its `-` and `+` lines followed by
 * what changed. Unchanged steps are counted, not printed. `guards`: the rows carry their
 * guards (else a guard change is named, with a hint).
 */
export function formatDiff(diffs: readonly ActorDiff[], from: string, to: string, opts: { guards?: boolean } = {}): string {
  const rows = diffs.flatMap((d) => d.entries.flatMap((e) => [e.op !== 'added' ? e.before : undefined, e.op !== 'removed' ? e.after : undefined]))
    .filter((s): s is StepRow => s !== undefined).map(rowCells);
  const w = widths([HEADER, ...rows]);
  const L: string[] = ['  ' + line(HEADER, w)];
  const indent = ' '.repeat(2 + w[0] + 2);
  const put = (mark: string, s: StepRow) => {
    L.push(`${mark} ${line(rowCells(s), w)}`);
    L.push(...guardLines(s, indent));
  };
  for (const d of diffs) {
    L.push('');
    L.push(diffHeader(d, from, to));
    for (const e of d.entries) {
      if (e.op === 'removed') put('-', e.before);
      else if (e.op === 'added') put('+', e.after);
      else {
        put('-', e.before);
        put('+', e.after);
        const hidden = !opts.guards && e.changes.some((c) => c === 'guard' || c === 'branch guards');
        L.push(`${indent}changed: ${e.changes.join(', ')}${hidden ? ' (--guards prints them)' : ''}`);
      }
    }
  }
  return L.join('\n') + '\n';
}

export function diffJson(diffs: readonly ActorDiff[]) {
  return diffs.map((d) => ({
    actor: d.actor,
    before: d.before ? { display: d.before.display, instances: [...d.before.instances], steps: d.before.steps.length } : null,
    after: d.after ? { display: d.after.display, instances: [...d.after.instances], steps: d.after.steps.length } : null,
    added: count(d, 'added'), removed: count(d, 'removed'), changed: count(d, 'changed'), unchanged: d.unchanged,
    entries: d.entries.map((e) => e.op === 'added' ? { op: e.op, label: e.label, after: stepJson(e.after) }
      : e.op === 'removed' ? { op: e.op, label: e.label, before: stepJson(e.before) }
        : { op: e.op, label: e.label, changes: [...e.changes], before: stepJson(e.before), after: stepJson(e.after) }),
  }));
}
