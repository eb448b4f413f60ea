/** The build context of one kernel model (flags, forms, scenario), the step builder, the kernel
 *  source files steps cite, and small expression helpers over the model's fields. */
import { ite, set, v, val, type Val } from '../ir/dsl';
import type { Assign, Branch, Expr, Field, Step, Assertion } from '../ir/types';
import type { KernelFlags } from './kernels';
import type { Forms } from './forms';
import { modeIommu as modeIommuIn, modeValue as modeValueIn, type DmaModeField } from '../invariants/kernel-state';
import type { IommuDriver, ScenarioDef } from './config';
import { instanceLookup, type InstanceLookup } from './drivers';
import type { Bus } from './bus-glue';
import { scenarioDrivers } from './mixed-drivers';
import { busesOf, devPaths, PathVariants, type DevPath, type Variant } from './dev-paths';
import { busWalk, type BusWalk } from './bus-walk';

export const FILES = {
  iommu: 'drivers/iommu/iommu.c',
  of_iommu: 'drivers/iommu/of_iommu.c',
  dd: 'drivers/base/dd.c',
  core: 'drivers/base/core.c',
  dma_iommu: 'drivers/iommu/dma-iommu.c',
  arm64_dma: 'arch/arm64/mm/dma-mapping.c',
  ipmmu: 'drivers/iommu/ipmmu-vmsa.c',
  arm_smmu_419: 'drivers/iommu/arm-smmu.c',
  arm_smmu: 'drivers/iommu/arm/arm-smmu/arm-smmu.c',
  smmu_v3: 'drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c',
  smmu_v3_419: 'drivers/iommu/arm-smmu-v3.c',
  intel_419: 'drivers/iommu/intel-iommu.c',
  device_h: 'include/linux/device.h',
  dma_mapping_h: 'include/linux/dma-mapping.h',
  vfio_type1: 'drivers/vfio/vfio_iommu_type1.c',
  intel: 'drivers/iommu/intel/iommu.c',
  iort: 'drivers/acpi/arm64/iort.c',
  acpi_scan: 'drivers/acpi/scan.c',
  vfio: 'drivers/vfio/vfio.c',
  mapping: 'kernel/dma/mapping.c',
  msm_kms: 'drivers/gpu/drm/msm/disp/dpu1/dpu_kms.c',
  msm_gem: 'drivers/gpu/drm/msm/msm_gem.c',
  e1000e: 'drivers/net/ethernet/intel/e1000e/netdev.c',
} as const;

export interface Exit { readonly goto: string; readonly assign?: readonly Assign[] }

export class BuildCtx {
  readonly nDev: number;
  readonly nIommu: number;
  readonly nGroup: number;
  readonly assumptions = new Set<string>();
  readonly locals = new Map<string, Field>();
  /** Each device's bus, glue and firmware (dev-paths.ts): per device, never the scenario's. */
  readonly paths: readonly DevPath[];
  /** The variants of the per-device paths (dev-paths.ts). */
  readonly variants: PathVariants;
  /** The buses of the devices: the slots of entity `bus` when there are several. */
  readonly buses: readonly Bus[];
  constructor(readonly f: KernelFlags, readonly forms: Forms, readonly sc: ScenarioDef) {
    this.nDev = sc.devices.length;
    this.nIommu = sc.iommus.length;
    this.nGroup = sc.groups.length;
    this.paths = devPaths(sc, forms);
    this.variants = new PathVariants(this.paths, sc, forms);
    this.buses = busesOf(this.paths);
  }
  /** The IOMMU driver of the scenario (its first instance's). */
  get driver(): IommuDriver { return this.sc.iommus[0].driver; }
  /** dev->iommu and core-owned groups exist (every form after add_device). */
  get devIommu(): boolean { return this.forms.probe !== 'add_device'; }
  /** The IOMMU core, not the client's arch_setup_dma_ops, decides the DMA mode. */
  get coreDma(): boolean { return this.forms.dmaMode === 'iommu_core'; }
  get ownership(): boolean { return this.forms.ownership !== 'none'; }
  /** Devices on more than one bus: bus.* fields are over entity `bus`, read at dev.bus. */
  get multiBus(): boolean { return this.buses.length > 1; }
  /** A bus field (bus.iommu_ops, bus.notifier_registered) of device d's bus. */
  busOf(field: string, d: Expr): Expr { return this.multiBus ? v(field, v('dev.bus', d)) : v(field); }
  /** Assign a bus field of bus `bus` (a slot of entity `bus`; ignored with one bus). */
  setBus(field: string, bus: Expr, value: Val): Assign { return this.multiBus ? set(field, bus, value) : set(field, undefined, value); }
  /** The registration's walk: bus by bus in the kernel's order, each bus's devices (bus-walk.ts).
   *  Mixed drivers are modelled on one bus (parse.ts), where the order is the driver's alone. */
  get walk(): BusWalk[] { return busWalk(this.forms.registration, this.driver, this.paths); }
  get smmuFile(): string { return this.smmuFileOf(this.driver); }
  /** The distinct IOMMU drivers of the scenario's instances (mixed-drivers.ts when several). */
  get drivers(): IommuDriver[] { return scenarioDrivers(this.sc); }
  get mixed(): boolean { return this.drivers.length > 1; }
  /** The file of an IOMMU driver in this kernel's tree. */
  smmuFileOf(driver: IommuDriver): string {
    switch (driver) {
      case 'ipmmu': return FILES.ipmmu;
      case 'arm-smmu': return this.devIommu ? FILES.arm_smmu : FILES.arm_smmu_419;
      case 'smmu-v3': return this.devIommu ? FILES.smmu_v3 : FILES.smmu_v3_419;
      case 'intel': return this.devIommu ? FILES.intel : FILES.intel_419;
    }
  }
  /** How the scenario's IOMMU driver finds its instance (drivers.ts). */
  get lookup(): InstanceLookup { return instanceLookup(this.driver, this.f); }
  lookupOf(driver: IommuDriver): InstanceLookup { return instanceLookup(driver, this.f); }
  devIdx(name: string): number { return this.sc.devices.findIndex((d) => d.name === name); }
  iommuIdx(name: string): number { return this.sc.iommus.findIndex((d) => d.name === name); }
  groupIdx(name: string): number { return this.sc.groups.findIndex((d) => d === name); }
  assume(text: string): void { this.assumptions.add(text); }
  /** An actor-local field (loop variable, return status), one copy per instance. */
  local(actor: string, over: string | undefined, name: string, domain: Field['domain'], init: Field['init']): string {
    const fname = `${actor}.${name}`;
    if (!this.locals.has(fname)) this.locals.set(fname, { name: fname, domain, over, init, doc: `local variable of actor ${actor}` });
    return fname;
  }
  /** Set dev.trigger for every device: driver_deferred_probe_trigger(). */
  triggerAll(): Assign[] {
    return [
      ...Array.from({ length: this.nDev }, (_, i) => set('dev.trigger', i, true)),
      ...Array.from({ length: this.nIommu }, (_, i) => set('iommu.trigger', i, true)),
    ];
  }
}

/** Builds one actor's steps; labels are unique within the actor. */
export class ActorB {
  readonly steps: Step[] = [];
  /** The model file whose builder is adding steps (Step.origin; `probecheck show` prints it). */
  private origin: string;
  /** The devices this actor's client paths run for (its slots; every device for the walk). */
  readonly devs: readonly number[];
  constructor(readonly ctx: BuildCtx, readonly name: string, readonly over: string | undefined, origin: string, devs?: readonly number[]) {
    this.origin = modelFile(origin);
    this.devs = devs ?? ctx.sc.devices.map((_, i) => i);
  }
  has(label: string): boolean { return this.steps.some((s) => s.label === label); }
  add(label: string, fn: string, file: string, branches: Branch[], opts: { guard?: Val; doc?: string } = {}): string {
    if (this.has(label)) throw new Error(`internal: actor ${this.name} has label '${label}' twice`);
    this.steps.push({ label, fn, file, doc: opts.doc, guard: opts.guard === undefined ? undefined : val(opts.guard), branches, origin: this.origin });
    return label;
  }
  /** Point every jump to `placeholder` at `label`: a step can jump to a path whose entry label
   *  is known only once the path is built after it. */
  bindLabel(placeholder: string, label: string): void {
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i];
      if (s.branches.some((x) => x.goto === placeholder)) this.steps[i] = { ...s, branches: s.branches.map((x) => (x.goto === placeholder ? { ...x, goto: label } : x)) };
    }
  }
  /**
   * Point every jump to `placeholder` at the entry of device d's variant of a path: with one
   * variant straight there; else each such branch becomes one branch per variant, guarded by
   * the variant's test of d and named by it (dev-paths.ts).
   */
  dispatch<T>(placeholder: string, d: Expr, variants: readonly Variant<T>[], entry: (x: Variant<T>) => string): void {
    if (variants.length === 0) throw new Error(`internal: actor ${this.name}: no variant for '${placeholder}'`);
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i];
      if (!s.branches.some((x) => x.goto === placeholder)) continue;
      const branches = s.branches.flatMap((x): Branch[] => {
        if (x.goto !== placeholder) return [x];
        if (variants.length === 1) return [{ ...x, goto: entry(variants[0]) }];
        return variants.map((w) => ({
          ...x, name: x.name === undefined ? w.key : `${x.name}${w.suffix}`, goto: entry(w),
          guard: x.guard ? { kind: 'bin', op: 'and', left: x.guard, right: w.when(d) } : w.when(d),
        }));
      });
      this.steps[i] = { ...s, branches };
    }
  }
  /** Run a form's builder with its file recorded as the origin of the steps it adds. */
  within<T>(origin: string, build: () => T): T {
    const outer = this.origin;
    this.origin = modelFile(origin);
    try { return build(); } finally { this.origin = outer; }
  }
  local(name: string, domain: Field['domain'], init: Field['init']): string {
    return this.ctx.local(this.name, this.over, name, domain, init);
  }
  /** Read an actor-local field of the running instance. */
  lv(field: string): Expr { return this.over ? v(field, SELF) : v(field); }
  ls(field: string, value: Val): Assign { return this.over ? set(field, SELF, value) : set(field, undefined, value); }
}

/** `src/model/...ts` for a builder's __filename (compiled to dist/src/model/...js). */
export function modelFile(filename: string): string {
  const i = filename.replace(/\\/g, '/').lastIndexOf('/src/model/');
  return (i < 0 ? filename : filename.slice(i + 1)).replace(/\.js$/, '.ts');
}

export const SELF: Expr = { kind: 'param', name: 'self' };
/** The running thread, as a lock holder. */
export const ME: Expr = { kind: 'param', name: '$me' };

/** A branch; `name` is required when a step has several. */
export function br(name: string | undefined, guard: Val | undefined, assign: readonly Assign[], goto: string, asserts?: Assertion[], doc?: string): Branch {
  return { name, guard: guard === undefined ? undefined : val(guard), assign: [...assign], goto, asserts, doc };
}
export function exitBr(name: string | undefined, guard: Val | undefined, assign: readonly Assign[], exit: Exit, asserts?: Assertion[], doc?: string): Branch {
  return br(name, guard, [...assign, ...(exit.assign ?? [])], exit.goto, asserts, doc);
}

export const decSat = (field: string, idx: Val): Assign =>
  set(field, idx, ite({ kind: 'bin', op: 'gt', left: v(field, idx), right: val(0) }, { kind: 'bin', op: 'sub', left: v(field, idx), right: val(1) }, 0));

/** The default-domain type the group's members select (0e764a01015d: identity for qcom clients). */
export const ddTypeOf = (g: Expr): Expr => v('group.dd_type', g);
/** The IOMMU instance whose bus walk is running (actor R's local `unit`). */
export const walkUnit = (): Expr => v('R.unit', SELF);

/** The client's current DMA mode (kernel-state.ts), in the field this kernel keeps it in. */
export const dmaModeField = (ctx: BuildCtx): DmaModeField => (ctx.coreDma ? 'dma_iommu' : 'dma_ops');
export const modeIommu = (ctx: BuildCtx, d: Val): Expr => modeIommuIn(dmaModeField(ctx), d);
export const modeValue = (ctx: BuildCtx, d: Val): Expr => modeValueIn(dmaModeField(ctx), d);

export { bound, dmaUser, gOf, grp, gv, hasGrp, iOf, iv } from '../invariants/kernel-state';
