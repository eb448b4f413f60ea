/**
 * Patches, in two phases. A patch is data: the flag changes it makes (applied to the kernel's
 * flags before the model is built) and an optional `edit(m)` of the steps, which runs once on
 * the model built for the final flags and addresses steps by actor and label. So a patch set
 * means exactly "the final flags, then every step edit in patch order" (docs/patches.md).
 *
 *   definePatch({ id: 'b46064a18810', title: '...',
 *     flags: { use_default_domain_defers_if_no_default_domain: true },
 *     edit(m) { m.addBranch('C', 'use_check', { ... }); } })
 *
 * The older `apply(m)` form (m.setFlag and step edits in one function) keeps working: apply
 * runs once to collect its flag changes (step edits ignored; it must set flags before it reads
 * steps) and once more, on the built model, for its edits.
 */
import { fail, ProbeError } from '../errors';
import { FLAG_READ_BY, formsOf, unbuildable } from './forms';
import type { FlagName, KernelFlags } from './kernels';
import { checkFlag, type KernelDraft, type StepDraft } from './step-draft';

/** Flags a patch sets only where the kernel matches `when` (e.g. a backport's other form). */
export interface FlagRule {
  readonly when: Partial<KernelFlags>;
  readonly set: Partial<KernelFlags>;
}

export interface Patch {
  readonly id: string;
  readonly title: string;
  /** Commit ids this patch stands for (default: [id]). */
  readonly commits?: readonly string[];
  readonly doc?: string;
  /** The patch applies only to kernels with these flags (else one E_PATCH line). */
  readonly requires?: Partial<KernelFlags>;
  /** Flag changes, applied before the model is built. */
  readonly flags?: Partial<KernelFlags>;
  /** Further flag changes where the flags (before this patch) match `when`. */
  readonly flagsWhen?: readonly FlagRule[];
  /** Step edits of the model built for the final flags. */
  edit?(m: KernelDraft): void;
  /** The older form: m.setFlag and step edits in one function. */
  apply?(m: KernelDraft): void;
}

export function definePatch(p: Patch): Patch {
  if (!p || typeof p.id !== 'string' || !p.id) throw new ProbeError('E_PATCH', 'definePatch: a patch needs an id');
  if (typeof p.title !== 'string' || !p.title) throw new ProbeError('E_PATCH', `patch ${p.id}: a patch needs a title`);
  if (p.apply !== undefined && typeof p.apply !== 'function') throw new ProbeError('E_PATCH', `patch ${p.id}: apply(m) is not a function`);
  if (p.edit !== undefined && typeof p.edit !== 'function') throw new ProbeError('E_PATCH', `patch ${p.id}: edit(m) is not a function`);
  if (!p.apply && !p.edit && !p.flags && !p.flagsWhen) throw new ProbeError('E_PATCH', `patch ${p.id}: give flags, edit(m) or apply(m)`);
  if (p.apply && (p.edit || p.flags || p.flagsWhen)) throw new ProbeError('E_PATCH', `patch ${p.id}: apply(m) stands alone; use flags and edit(m) instead`);
  return p;
}

/** The flags a patch declares as data, for the kernel flags `before` it. */
export function declaredFlags(p: Patch, before: KernelFlags): Partial<KernelFlags> {
  const out: Partial<KernelFlags> = { ...(p.flags ?? {}) };
  for (const r of p.flagsWhen ?? []) if (matches(before, r.when)) Object.assign(out, r.set);
  return out;
}

const matches = (f: KernelFlags, want: Partial<KernelFlags>): boolean =>
  (Object.keys(want) as FlagName[]).every((k) => f[k] === want[k]);

/** What the flag phase found: the final flags, the flags before each patch, and the setFlag
 *  calls of each apply(m) patch (its edit run must make the same ones). */
export interface FlagPhase {
  readonly flags: KernelFlags;
  readonly before: readonly KernelFlags[];
  readonly calls: readonly (readonly (readonly [FlagName, unknown])[])[];
}

/** Phase 1: apply every patch's flag changes to the kernel's flags, in order. */
export function patchFlags(kernel: string, scenario: string, base: KernelFlags, patches: readonly Patch[], opts: { allowUnread?: boolean } = {}): FlagPhase {
  let flags = { ...base };
  const before: KernelFlags[] = [];
  const calls: (readonly [FlagName, unknown])[][] = [];
  for (const p of patches) {
    before.push(flags);
    const err = (msg: string): never => fail('E_PATCH', `patch ${p.id}: ${msg}`);
    for (const [k, want] of Object.entries(p.requires ?? {}) as [FlagName, unknown][]) {
      checkFlag(flags, k, err);
      if (flags[k] !== want) err(`applies to kernels with ${k} = ${JSON.stringify(want)}; ${kernel}${before.length > 1 ? ' with the patches before it' : ''} has ${JSON.stringify(flags[k])}`);
    }
    const set = declaredFlags(p, flags);
    for (const [k, value] of Object.entries(set)) checkFlag(flags, k, err, value);
    flags = { ...flags, ...set };
    const mine: (readonly [FlagName, unknown])[] = [];
    if (p.apply) flags = collectSetFlags(p, kernel, scenario, flags, mine);
    calls.push(mine);
  }
  if (!opts.allowUnread) refuseUnreadFlags(kernel, base, flags, patches, before);
  return { flags, before, calls };
}

/** A flag a patch changed but the final forms never read: the patch would change nothing. */
function refuseUnreadFlags(kernel: string, base: KernelFlags, flags: KernelFlags, patches: readonly Patch[], before: readonly KernelFlags[]): void {
  const forms = formsOf(flags);
  // Blame the last patch that changed flag k.
  const culprit = (k: FlagName): string => {
    let i = patches.length - 1;
    while (i > 0 && before[i][k] === flags[k]) i--;
    return patches[i].id;
  };
  const bad = unbuildable(flags);
  if (bad && patches.length) fail('E_PATCH', `patch ${culprit(bad.flag)}: ${bad.flag} = ${JSON.stringify(flags[bad.flag])} cannot be built on ${kernel}: ${bad.why}`);
  for (const k of Object.keys(flags) as FlagName[]) {
    if (flags[k] === base[k] || FLAG_READ_BY[k].by(forms, flags)) continue;
    fail('E_PATCH', `patch ${culprit(k)}: ${k} = ${JSON.stringify(flags[k])} changes nothing on ${kernel}: only ${FLAG_READ_BY[k].where} read it, and ${kernel} has the ${forms.probe} probe path${forms.ownership === 'none' ? ' and no DMA-ownership API' : ''}`);
  }
}

/** Run an apply(m) patch for its setFlag calls only. */
function collectSetFlags(p: Patch, kernel: string, scenario: string, flags: KernelFlags, out: (readonly [FlagName, unknown])[]): KernelFlags {
  const d = new FlagCollector(p.id, kernel, scenario, flags, out);
  guarded(p, () => {
    try {
      const r = p.apply!(d) as unknown;
      if (r && typeof (r as Promise<void>).then === 'function') fail('E_PATCH', `patch ${p.id}: apply(m) must not be async (its edits would be lost)`);
    } catch (e) {
      if (e !== STOP) throw e;
    }
  });
  return d.flags;
}

/** Phase 2: run a patch's step edits on the model built for the final flags. */
export function runEdits(draft: StepDraft, p: Patch, before: KernelFlags, calls: readonly (readonly [FlagName, unknown])[]): void {
  guarded(p, () => {
    if (p.edit) {
      draft.begin(p.id, { ...before, ...declaredFlags(p, before) });
      p.edit(draft);
    } else if (p.apply) {
      let i = 0;
      draft.begin(p.id, before, (name, value) => {
        const want = calls[i++];
        if (!want || want[0] !== name || want[1] !== value) fail('E_PATCH', `patch ${p.id}: apply(m) set flags differently on its second run (set flags before reading steps)`);
      });
      p.apply(draft);
    }
  });
}

/** The one-line error contract: anything a patch throws becomes E_PATCH naming the patch. */
function guarded(p: Patch, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof ProbeError && e.code === 'E_PATCH') throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new ProbeError('E_PATCH', `patch ${p.id}: ${msg.split('\n')[0]}`);
  }
}

/** Thrown to end an apply(m)'s flag run at its first read of the steps. */
const STOP = Symbol('flag phase ends at the first read of the steps');

/** The draft an apply(m) sees in the flag phase: flags work, step edits are ignored. */
class FlagCollector implements KernelDraft {
  constructor(readonly patch: string, readonly kernel: string, readonly scenario: string, public flags: KernelFlags, private readonly out: (readonly [FlagName, unknown])[]) {}
  get flagNames(): readonly FlagName[] { return Object.keys(this.flags) as FlagName[]; }
  private err(msg: string): never { return fail('E_PATCH', `patch ${this.patch}: ${msg}`); }
  flag<K extends FlagName>(name: K): KernelFlags[K] { checkFlag(this.flags, name, (m) => this.err(m)); return this.flags[name]; }
  setFlag<K extends FlagName>(name: K, value: KernelFlags[K]): void {
    checkFlag(this.flags, name, (m) => this.err(m), value);
    this.out.push([name, value]);
    this.flags = { ...this.flags, [name]: value };
  }
  actors(): never { throw STOP; }
  labels(): never { throw STOP; }
  actorsWith(): never { throw STOP; }
  getStep(): never { throw STOP; }
  replaceStep(): void { /* the edit run makes it */ }
  insertBefore(): void { /* idem */ }
  insertAfter(): void { /* idem */ }
  removeStep(): void { /* idem */ }
  addGuard(): void { /* idem */ }
  addBranch(): void { /* idem */ }
  assume(): void { /* idem */ }
}
