/**
 * r_probe_dev: ops->probe_device(dev) and dev->iommu->iommu_dev = iommu_dev, per IOMMU driver
 * (intel_iommu_probe_device, arm_smmu_probe_device for arm-smmu and SMMUv3, ipmmu_probe_device).
 * Shared by every probe_device-era form; the driver's instance lookup decides the branches.
 */
import { and, eq, not, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import { br, exitBr, FILES, iOf, iv, type ActorB, type BuildCtx, type Exit } from '../ctx';
import type { IommuDriver } from '../config';
import { devicesWith, driverLabel, oneOf } from '../mixed-drivers';

/** r_probe_dev: ops->probe_device() and dev->iommu->iommu_dev, per IOMMU driver. */
/** `sysfsLink`: model iommu_device_link() after probe_device (dev.iommu_linked), so a second
 *  probe_device of a linked device fails with -EEXIST; only the dropping form can probe one
 *  device twice, so only it asks for it. */
export function probeDeviceOp(b: ActorB, d: Expr, errField: string, next: string, fail: Exit, deferExit: Exit, opts: { sysfsLink?: boolean } = {}): void {
  b.within(__filename, () => {
    const ctx = b.ctx;
    if (!ctx.mixed) return probeDeviceStep(b, d, errField, next, fail, deferExit, opts, ctx.driver, 'r_probe_dev');
    // Mixed drivers: one copy of the step per driver, each citing its driver's file. The
    // probe_device that runs is the bus ops' driver's until 17de3f5fdd35 (the ops read at
    // pd_bus_ops, kept in a local), then the driver the device's fwspec names.
    const fromBus = opsFromBus(ctx);
    const routes = ctx.drivers.map((drv) => ({
      drv, label: driverLabel('r_probe_dev', drv),
      guard: fromBus ? eq(b.lv(busOpsLocal(b)), drv) : oneOf(d, devicesWith(ctx.sc, drv)),
    }));
    splitJumps(b, 'r_probe_dev', routes);
    for (const r of routes) probeDeviceStep(b, d, errField, next, fail, deferExit, opts, r.drv, r.label, fromBus ? oneOf(d, devicesWith(ctx.sc, r.drv)) : undefined);
  });
}

/** Whether __iommu_probe_device takes its ops from dev->bus (the forms before 17de3f5fdd35). */
export function opsFromBus(ctx: BuildCtx): boolean {
  return ctx.forms.probe === 'probe_device' || (ctx.forms.probe === 'init_device' && !ctx.f.probe_ops_from_fwspec);
}

/** The local that holds the bus ops pd_bus_ops read (mixed drivers only). */
function busOpsLocal(b: ActorB): string {
  return b.local('probe_ops', { kind: 'enum', values: ['none', ...b.ctx.drivers] }, 'none');
}

/** pd_bus_ops: `ops = dev->bus->iommu_ops` kept for ops->probe_device (nothing to keep with
 *  one driver: every ops on the bus are its). */
export function keepBusOps(b: ActorB): Assign[] {
  return b.ctx.mixed ? [b.ls(busOpsLocal(b), v('bus.iommu_ops'))] : [];
}

/** Every jump to `label` becomes one jump per route, guarded by the route's guard. */
function splitJumps(b: ActorB, label: string, routes: readonly { drv: IommuDriver; label: string; guard: Expr }[]): void {
  for (let i = 0; i < b.steps.length; i++) {
    const s = b.steps[i];
    if (!s.branches.some((x) => x.goto === label)) continue;
    b.steps[i] = {
      ...s,
      branches: s.branches.flatMap((x) => (x.goto !== label ? [x] : routes.map((r) => ({
        ...x, name: `${x.name ?? 'go'}_${r.drv.replace(/-/g, '_')}`, guard: x.guard ? and(x.guard, r.guard) : r.guard, goto: r.label,
      })))),
    };
  }
}

function probeDeviceStep(b: ActorB, d: Expr, errField: string, next: string, fail: Exit, deferExit: Exit, opts: { sysfsLink?: boolean }, driver: IommuDriver, label: string, mine?: Expr): void {
  const ctx = b.ctx;
  const f = ctx.f;
  const I = iOf(d);
  const okAssign: Assign[] = [set('dev.iommu_iommu_dev', d, I)];
  const freeAssign: Assign[] = [set('dev.iommu', d, 'null'), set('dev.iommu_fwspec', d, 'none'), set('dev.iommu_iommu_dev', d, 'none')];
  // With the bus ops of one of mixed drivers, a device whose fwspec names the other driver is
  // refused like one without a fwspec (`mine`: the devices of this step's driver).
  const fwOk = mine ? and(eq(v('dev.iommu_fwspec', d), 'present'), mine) : eq(v('dev.iommu_fwspec', d), 'present');
  if (driver === 'intel') {
    const reject = f.probe_device_rejects_unregistered_instance;
    const okG = reject ? iv('iommu.ops_set', d) : undefined;
    const branches = [br('ok', okG, okAssign, next, undefined, 'device_to_iommu(dev) from the DMAR scope' + (reject ? '; the unit is registered' : ', registered or not'))];
    if (reject) branches.push(exitBr('enodev', not(iv('iommu.ops_set', d)), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, 'c919739ce472: !iommu || !iommu->iommu.ops -> -ENODEV'));
    b.add(label, 'intel_iommu_probe_device()', FILES.intel, branches,
      { doc: 'ops->probe_device(dev); then dev->iommu->iommu_dev = &unit->iommu' });
    return;
  }
  // fwspec-based: the driver accepts only a device whose fwspec names it; it finds the instance by fwnode.
  const look = iv('iommu.self_lookup_ok', d);
  const branches = [
    exitBr('enodev', not(fwOk), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, '!fwspec || fwspec->ops != this driver -> -ENODEV; dev_iommu_free()'),
  ];
  // v6.15: iommu_init_device() links the device in sysfs right after probe_device(); a second
  // probe of a linked device fails there with -EEXIST (iommu-probe-v6.15.md 5.3, step 4): err_release ->
  // release_device, module_put, dev->iommu->iommu_dev = NULL, dev_iommu_free(). The group the
  // first probe set stays. Folded into r_probe_dev (one PL-held section).
  const link = !!opts.sysfsLink;
  if (link) {
    okAssign.push(set('dev.iommu_linked', d, true));
    ctx.assume('v6.15: iommu_device_link() (sysfs) is folded into r_probe_dev; dev.iommu_linked is cleared only by r_unregister (iommu_release_device -> iommu_device_unlink); device removal is not modelled [patch: 0c8e9c148e29 context; mail: Johan Hovold 22 May 2025 trace (i)]');
  }
  const notLinked = link ? not(v('dev.iommu_linked', d)) : undefined;
  const okG = (g: Expr): Expr => (notLinked ? and(g, notLinked) : g);
  const eexist = (asserts?: { name: string; cond: Expr; doc: string }[]) => exitBr('eexist', and(fwOk, v('dev.iommu_linked', d)), [...freeAssign, ...errSet(b, errField, 'err')], fail, asserts,
    'iommu_device_link() -> -EEXIST ("sysfs: cannot create duplicate filename"): err_release, iommu_dev = NULL, dev_iommu_free(); dev->iommu_group is left set');
  // The instance lookup (drivers.ts): ipmmu's probe_device takes the instance from the fwspec.
  const miss = driver === 'ipmmu' ? undefined : ctx.lookupOf(driver).miss;
  if (miss === 'enodev' || miss === 'defer') {
    branches.push(br('ok', okG(and(fwOk, look)), okAssign, next));
    if (link) branches.push(eexist());
    branches.push(miss === 'enodev'
      ? exitBr('nosmmu', and(fwOk, not(look)), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, 'the lookup finds no SMMU (not bound yet) -> -ENODEV')
      : exitBr('defer', and(fwOk, not(look)), [...freeAssign, ...errSet(b, errField, 'defer')], deferExit, undefined, '229e6ee43d2a: no bound SMMU -> -EPROBE_DEFER'));
  } else if (miss === 'oops') {
    const la = [{ name: 'NoNullOpsDeref', cond: look, doc: 'C_SMMU_LOOKUP: arm_smmu_get_by_fwnode() returned NULL and probe_device dereferences it (CVE-2024-56568)' }];
    branches.push(br('ok', okG(fwOk), okAssign, next, la));
    if (link) branches.push(eexist(la));
  } else {
    branches.push(br('ok', okG(fwOk), okAssign, next));
    if (link) branches.push(eexist());
  }
  b.add(label, driver === 'ipmmu' ? 'ipmmu_probe_device()' : 'arm_smmu_probe_device()', ctx.smmuFileOf(driver), branches,
    { doc: 'ops->probe_device(dev); then dev->iommu->iommu_dev = iommu_dev; on error dev_iommu_free() (the fwspec goes with it)' + (ctx.mixed ? ` (${driver}'s)` : '') });
}

function errSet(b: ActorB, errField: string, value: string): Assign[] { return errField ? [b.ls(errField, value)] : []; }

