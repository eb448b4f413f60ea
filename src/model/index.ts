/**
 * The kernel model: pure builders of the IR (src/ir) for the Linux IOMMU device-probe path.
 * The CLI resolves names through this module; nothing here explores or writes, and the only
 * files read are the shipped built-in scenarios (scenarios.ts), when first asked for.
 *
 *   buildKernelModel({ kernel: 'v6.6', scenario: 'probe-vs-register' })
 *   buildKernelModel({ kernel: 'v4.20-rc1', scenario: 'ipmmu-early-free', patches: ['ipmmu-free-guard'] })
 */
import { fail, unknownName } from '../errors';
import { IOMMU_DRIVERS, type IommuDriver, type ScenarioDef } from './config';
import type { Model } from '../ir/types';
import { assemble } from './assemble';
import { kernelMisfit as kernelMisfitOf, topologyMisfit } from './topology';
import { definePatch, type FlagRule, type Patch } from './patch';
import { NEXT, type KernelDraft } from './step-draft';
import { INVARIANT_DEFS } from '../invariants/kernel';
import { KERNEL_DEFS, kernelCommits, type FlagName, type KernelFlags } from './kernels';
import { BUILTIN_PATCHES } from './patches';
import { BUILTIN_SCENARIOS } from './scenarios';

export { definePatch, NEXT };
export type { KernelDraft, Patch, KernelFlags, FlagName, FlagRule };

export interface KernelInfo {
  name: string; kind: 'tag' | 'point' | 'lts' | 'mainline'; doc: string;
  /** The kernel it is a delta from, the flags that differ and the commits that make it. */
  base?: string; changes: Partial<KernelFlags>; own: { id: string; title: string }[];
  /** Every commit it includes (its bases' too). */
  commits: { id: string; title: string }[];
  verified: { status: 'verified' | 'partly' | 'reconstructed' | 'inferred'; tree: string };
  newest?: boolean;
}
export const KERNELS: readonly KernelInfo[] = KERNEL_DEFS.map((k) => ({
  name: k.name, kind: k.kind, doc: k.doc, ...(k.base ? { base: k.base } : {}), changes: k.base ? { ...k.changes } : {}, own: [...k.commits],
  commits: kernelCommits(k.name), verified: { ...k.verified }, ...(k.newest ? { newest: true } : {}),
}));

export interface PatchInfo {
  id: string; title: string; commits: string[]; doc: string;
  /** The flags it sets on every kernel, those it sets where `when` matches, and the flags a
   *  kernel must have for it to apply. */
  flags: Partial<KernelFlags>; flagsWhen: FlagRule[]; requires: Partial<KernelFlags>;
  /** Whether it also edits steps. */
  edits: boolean;
}
export const PATCHES: readonly PatchInfo[] = BUILTIN_PATCHES.map((p) => ({
  id: p.id, title: p.title, commits: [...(p.commits ?? [p.id])], doc: p.doc ?? '',
  flags: { ...(p.flags ?? {}) }, flagsWhen: [...(p.flagsWhen ?? [])], requires: { ...(p.requires ?? {}) }, edits: !!(p.edit ?? p.apply),
}));

export interface ScenarioInfo { name: string; seed?: string; doc: string; invariants: string[]; witnesses: string[]; defaultScenario: boolean }
let scenarioInfos: readonly ScenarioInfo[] | undefined;
/** Every built-in scenario, in order (reads every file of scenarios/ the first time). */
export function scenarios(): readonly ScenarioInfo[] {
  scenarioInfos ??= BUILTIN_SCENARIOS.all().map((s) => ({
    name: s.name, ...(s.seed ? { seed: s.seed } : {}), doc: s.doc, invariants: [...s.invariants], witnesses: s.witnesses.map((w) => w.name), defaultScenario: s.defaultScenario,
  }));
  return scenarioInfos;
}
/** The built-in scenario names, in order, without reading the files. */
export function scenarioNames(): readonly string[] {
  return BUILTIN_SCENARIOS.names();
}
/** `scenarios()` as the constant it was before the built-ins became files: read on first use,
 *  so that importing this module reads no scenario file. */
export declare const SCENARIOS: readonly ScenarioInfo[];
Object.defineProperty(exports, 'SCENARIOS', { enumerable: true, get: scenarios });

export interface InvariantInfo { name: string; kind: 'invariant' | 'transition' | 'terminal' | 'assertion'; doc: string }
export const INVARIANTS: readonly InvariantInfo[] = INVARIANT_DEFS.map((d) => ({ name: d.name, kind: d.kind, doc: d.doc }));

/** The newest kernel (the default). */
export const DEFAULT_KERNEL = KERNEL_DEFS.find((k) => k.newest)!.name;

/** A built-in patch id as its Patch; a Patch (already checked by definePatch) as itself. */
export function resolvePatch(p: string | Patch): Patch {
  if (typeof p !== 'string') return p;
  return BUILTIN_PATCHES.find((b) => b.id === p) ?? unknownName('E_UNKNOWN_PATCH', 'patch', p, BUILTIN_PATCHES.map((b) => b.id));
}

/** `allowUnreadFlags` (tests only) builds even when a patch changes a flag no form reads. */
/**
 * The scenario with every IOMMU instance served by `driver`: the same topology checked per
 * driver (its instance lookup and probe_device are the driver's, drivers.ts). Intel DMAR units
 * serve PCI devices through a boot thread; the DT drivers serve the platform bus.
 */
function withDriver(sc: ScenarioDef, driver: string): ScenarioDef {
  const misfit = driverMisfit(sc, driver);
  if (misfit) fail('E_USAGE', misfit);
  return { ...sc, iommus: sc.iommus.map((i) => ({ ...i, driver: driver as IommuDriver })) };
}

/** Why `driver` cannot serve the scenario's topology (undefined: it can); an unknown driver
 *  name is E_UNKNOWN_DRIVER with the closest names. */
export function driverMisfit(scenario: string | ScenarioDef, driver: string): string | undefined {
  const sc = typeof scenario !== 'string' ? scenario : BUILTIN_SCENARIOS.get(scenario);
  if (!IOMMU_DRIVERS.includes(driver as IommuDriver)) unknownName('E_UNKNOWN_DRIVER', 'IOMMU driver', driver, IOMMU_DRIVERS);
  return topologyMisfit(sc, driver);
}

/** Why the kernel cannot run the scenario's events (undefined: it can), e.g. a sysfs type change
 *  on a kernel before iommu_group_store_type(). */
export function kernelMisfit(kernel: string, scenario: string | ScenarioDef): string | undefined {
  const k = KERNEL_DEFS.find((x) => x.name === kernel) ?? unknownName('E_UNKNOWN_KERNEL', 'kernel', kernel, KERNEL_DEFS.map((x) => x.name));
  return kernelMisfitOf(typeof scenario !== 'string' ? scenario : BUILTIN_SCENARIOS.get(scenario), k.name, k.flags);
}

/** `iommuDriver` checks the scenario's topology with another IOMMU driver. `scenario` is a
 *  built-in name or a ScenarioDef (a scenario file, src/scenario-file, already checked).
 *  `allowUnreadFlags` (tests only) builds even when a patch changes a flag no form reads. */
export function buildKernelModel(opts: { kernel: string; scenario: string | ScenarioDef; patches?: readonly (string | Patch)[]; invariants?: readonly string[]; iommuDriver?: string; allowUnreadFlags?: boolean }): Model {
  const kernel = KERNEL_DEFS.find((k) => k.name === opts.kernel) ?? unknownName('E_UNKNOWN_KERNEL', 'kernel', opts.kernel, KERNEL_DEFS.map((k) => k.name));
  const wanted0 = opts.scenario;
  const named = typeof wanted0 !== 'string' ? wanted0 : BUILTIN_SCENARIOS.get(wanted0);
  const sc = opts.iommuDriver ? withDriver(named, opts.iommuDriver) : named;
  const patches = (opts.patches ?? []).map(resolvePatch);
  const names = INVARIANT_DEFS.map((d) => d.name);
  for (const i of opts.invariants ?? []) if (!names.includes(i)) unknownName('E_UNKNOWN_INVARIANT', 'invariant', i, names);
  const wanted = opts.invariants ? [...opts.invariants] : sc.invariants;
  return assemble(kernel, sc, patches, wanted, { allowUnreadFlags: opts.allowUnreadFlags, iommuDriver: opts.iommuDriver });
}
