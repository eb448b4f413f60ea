/**
 * The edit phase of a patch: label-addressed edits of the kernel model built for the final
 * flags (src/model/patch.ts has the flag phase that comes first). Every edit names its target by
 * actor and label; a missing actor, step, branch or flag, or an edit that throws, fails the
 * build with one line:
 *   ProbeError('E_PATCH', "patch <id>: no step '<label>' in actor '<actor>'; closest: ...").
 */
import { closest, fail } from '../errors';
import type { Branch, Expr, Step } from '../ir/types';
import type { FlagName, KernelFlags } from './kernels';

/** Placeholder goto in inserted steps: the label the edited flow went to before. */
export const NEXT = '$next';

export interface DraftActor { readonly name: string; readonly over?: string; readonly slots?: readonly number[]; steps: Step[] }

export interface DraftState {
  actors: DraftActor[];
  assumptions: string[];
}

export interface KernelDraft {
  /** The kernel baseline and scenario being built. */
  readonly kernel: string;
  readonly scenario: string;
  /** Read a kernel flag: the kernel's flags with the earlier patches' and this patch's own
   *  flag changes applied (the model being edited was built for the final flags). */
  flag<K extends FlagName>(name: K): KernelFlags[K];
  /** For `apply(m)` patches only: change a flag. Flag changes are collected in a first run of
   *  `apply` (step edits ignored) and applied before the model is built; the second run makes
   *  the step edits. A patch with `edit(m)` declares its flags in `flags` instead. */
  setFlag<K extends FlagName>(name: K, value: KernelFlags[K]): void;
  readonly flagNames: readonly FlagName[];
  actors(): string[];
  labels(actor: string): string[];
  /** The actors that have a step with this label (shared subroutines are inlined per actor). */
  actorsWith(label: string): string[];
  /** A copy of a step. */
  getStep(actor: string, label: string): Step;
  /** Replace a step (same label unless the new step says otherwise; gotos to it follow). */
  replaceStep(actor: string, label: string, step: Step | ((old: Step) => Step)): void;
  /** Insert a step before `label`: every jump to `label` goes to the new step; NEXT in the new
   *  step's gotos means `label`. Inserting before the first step makes it the first. */
  insertBefore(actor: string, label: string, step: Step): void;
  /** Insert a step after `label`: the branches of `label` (or only `opts.branch`) now go to the
   *  new step; NEXT in the new step's gotos means where that branch went before (one target). */
  insertAfter(actor: string, label: string, step: Step, opts?: { branch?: string }): void;
  /** Remove a step: jumps to it go to its single successor. */
  removeStep(actor: string, label: string): void;
  /** Conjoin a guard to a step (or to one of its branches). */
  addGuard(actor: string, label: string, guard: Expr, opts?: { branch?: string }): void;
  /** Add a branch to a step. */
  addBranch(actor: string, label: string, branch: Branch): void;
  /** Record an [inferred] assumption the patched model relies on (listed in meta.assumptions). */
  assume(text: string): void;
}

/** The edit phase of patches: label-addressed edits of the model built for the final flags. */
export class StepDraft implements KernelDraft {
  /** The patch whose edits are running (named in every error). */
  current = '';
  private view: KernelFlags;
  private onSetFlag: (name: FlagName, value: unknown) => void = () => this.err('setFlag is only for apply(m) patches: declare flag changes in the patch\'s `flags`');
  constructor(readonly kernel: string, readonly scenario: string, readonly state: DraftState, flags: KernelFlags) {
    this.view = { ...flags };
  }
  get flagNames(): readonly FlagName[] { return Object.keys(this.view) as FlagName[]; }
  /** Start a patch's edits: its flag view and what its setFlag calls must repeat. */
  begin(patch: string, flagsBefore: KernelFlags, onSetFlag?: (name: FlagName, value: unknown) => void): void {
    this.current = patch;
    this.view = { ...flagsBefore };
    this.onSetFlag = onSetFlag ?? (() => this.err('setFlag is only for apply(m) patches: declare flag changes in the patch\'s `flags`'));
  }
  private err(msg: string): never { return fail('E_PATCH', `patch ${this.current}: ${msg}`); }
  flag<K extends FlagName>(name: K): KernelFlags[K] { checkFlag(this.view, name, (m) => this.err(m)); return this.view[name]; }
  setFlag<K extends FlagName>(name: K, value: KernelFlags[K]): void {
    checkFlag(this.view, name, (m) => this.err(m), value);
    this.onSetFlag(name, value);
    this.view = { ...this.view, [name]: value };
  }
  private run(edit: (s: DraftState) => void): void { edit(this.state); }
  private actorOf(s: DraftState, name: string): DraftActor {
    const a = s.actors.find((x) => x.name === name);
    if (!a) this.err(`no actor '${name}'; closest: ${closest(name, s.actors.map((x) => x.name)).join(', ')}`);
    return a as DraftActor;
  }
  private stepIdx(a: DraftActor, label: string): number {
    const i = a.steps.findIndex((x) => x.label === label);
    if (i < 0) this.err(`no step '${label}' in actor '${a.name}'; closest: ${closest(label, a.steps.map((x) => x.label)).join(', ')}`);
    return i;
  }
  actors(): string[] { return this.state.actors.map((a) => a.name); }
  labels(actor: string): string[] { return this.actorOf(this.state, actor).steps.map((s) => s.label); }
  actorsWith(label: string): string[] { return this.state.actors.filter((a) => a.steps.some((s) => s.label === label)).map((a) => a.name); }
  getStep(actor: string, label: string): Step {
    const a = this.actorOf(this.state, actor);
    return structuredClone(a.steps[this.stepIdx(a, label)]);
  }
  replaceStep(actor: string, label: string, step: Step | ((old: Step) => Step)): void {
    this.run((s) => {
      const a = this.actorOf(s, actor);
      const i = this.stepIdx(a, label);
      const ns = typeof step === 'function' ? step(structuredClone(a.steps[i])) : step;
      a.steps[i] = ns;
      if (ns.label !== label) retarget(a, label, ns.label);
    });
  }
  insertBefore(actor: string, label: string, step: Step): void {
    this.run((s) => {
      const a = this.actorOf(s, actor);
      const i = this.stepIdx(a, label);
      if (a.steps.some((x) => x.label === step.label)) this.err(`actor '${actor}' already has a step '${step.label}'`);
      retarget(a, label, step.label);
      a.steps.splice(i, 0, withNext(step, label));
    });
  }
  insertAfter(actor: string, label: string, step: Step, opts: { branch?: string } = {}): void {
    this.run((s) => {
      const a = this.actorOf(s, actor);
      const i = this.stepIdx(a, label);
      if (a.steps.some((x) => x.label === step.label)) this.err(`actor '${actor}' already has a step '${step.label}'`);
      const old = a.steps[i];
      const bs = opts.branch === undefined ? old.branches : old.branches.filter((b) => b.name === opts.branch);
      if (bs.length === 0) this.err(`no branch '${opts.branch}' in step '${label}' of actor '${actor}'; closest: ${closest(opts.branch as string, old.branches.map((b) => b.name ?? '')).join(', ')}`);
      const targets = [...new Set(bs.map((b) => b.goto))];
      if (targets.length !== 1) this.err(`step '${label}' of actor '${actor}' goes to ${targets.join(', ')}; name one branch`);
      a.steps[i] = { ...old, branches: old.branches.map((b) => (bs.includes(b) ? { ...b, goto: step.label } : b)) };
      a.steps.splice(i + 1, 0, withNext(step, targets[0]));
    });
  }
  removeStep(actor: string, label: string): void {
    this.run((s) => {
      const a = this.actorOf(s, actor);
      const i = this.stepIdx(a, label);
      const targets = [...new Set(a.steps[i].branches.map((b) => b.goto))];
      if (targets.length !== 1) this.err(`step '${label}' of actor '${actor}' has several successors (${targets.join(', ')}); replace it instead`);
      a.steps.splice(i, 1);
      retarget(a, label, targets[0]);
    });
  }
  addGuard(actor: string, label: string, guard: Expr, opts: { branch?: string } = {}): void {
    this.run((s) => {
      const a = this.actorOf(s, actor);
      const i = this.stepIdx(a, label);
      const st = a.steps[i];
      const conj = (g: Expr | undefined): Expr => (g ? { kind: 'bin', op: 'and', left: g, right: guard } : guard);
      if (opts.branch === undefined) { a.steps[i] = { ...st, guard: conj(st.guard) }; return; }
      const bi = st.branches.findIndex((b) => b.name === opts.branch);
      if (bi < 0) this.err(`no branch '${opts.branch}' in step '${label}' of actor '${actor}'; closest: ${closest(opts.branch, st.branches.map((b) => b.name ?? '')).join(', ')}`);
      a.steps[i] = { ...st, branches: st.branches.map((b, k) => (k === bi ? { ...b, guard: conj(b.guard) } : b)) };
    });
  }
  addBranch(actor: string, label: string, branch: Branch): void {
    this.run((s) => {
      const a = this.actorOf(s, actor);
      const i = this.stepIdx(a, label);
      const st = a.steps[i];
      if (!branch.name || st.branches.some((b) => b.name === branch.name)) this.err(`a branch added to '${label}' needs a new name`);
      const named = st.branches.length === 1 && !st.branches[0].name ? [{ ...st.branches[0], name: 'orig' }] : st.branches;
      a.steps[i] = { ...st, branches: [...named, branch] };
    });
  }
  assume(text: string): void { this.run((s) => { if (!s.assumptions.includes(text)) s.assumptions.push(text); }); }
}

function retarget(a: DraftActor, from: string, to: string): void {
  a.steps = a.steps.map((s) => (s.branches.some((b) => b.goto === from)
    ? { ...s, branches: s.branches.map((b) => (b.goto === from ? { ...b, goto: to } : b)) } : s));
}
function withNext(step: Step, target: string): Step {
  return { ...step, branches: step.branches.map((b) => (b.goto === NEXT ? { ...b, goto: target } : b)) };
}

/** Check a flag name (and a value's type) against a flag set. */
export function checkFlag(flags: KernelFlags, name: string, err: (msg: string) => never, value?: unknown): void {
  const names = Object.keys(flags);
  if (!names.includes(name)) err(`no flag '${name}'; closest: ${closest(name, names).join(', ')}`);
  const cur = flags[name as FlagName];
  if (value !== undefined && typeof value !== typeof cur) err(`flag '${name}' takes a ${typeof cur}, not ${JSON.stringify(value)}`);
}
