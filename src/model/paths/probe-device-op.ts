/**
 * r_probe_dev: ops->probe_device(dev) and dev->iommu->iommu_dev = iommu_dev, per IOMMU driver
 * (intel_iommu_probe_device, arm_smmu_probe_device for arm-smmu and SMMUv3, ipmmu_probe_device).
 * Shared by every probe_device-era form; the driver's instance lookup decides the branches.
 */
import { and, eq, not, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import { br, exitBr, FILES, iOf, iv, type ActorB, type Exit } from '../ctx';

/** r_probe_dev: ops->probe_device() and dev->iommu->iommu_dev, per IOMMU driver. */
/** `sysfsLink`: model iommu_device_link() after probe_device (dev.iommu_linked), so a second
 *  probe_device of a linked device fails with -EEXIST; only the dropping form can probe one
 *  device twice, so only it asks for it. */
export function probeDeviceOp(b: ActorB, d: Expr, errField: string, next: string, fail: Exit, deferExit: Exit, opts: { sysfsLink?: boolean } = {}): void {
  b.within(__filename, () => probeDeviceStep(b, d, errField, next, fail, deferExit, opts));
}

function probeDeviceStep(b: ActorB, d: Expr, errField: string, next: string, fail: Exit, deferExit: Exit, opts: { sysfsLink?: boolean }): void {
  const ctx = b.ctx;
  const f = ctx.f;
  const I = iOf(d);
  const okAssign: Assign[] = [set('dev.iommu_iommu_dev', d, I)];
  const freeAssign: Assign[] = [set('dev.iommu', d, 'null'), set('dev.iommu_fwspec', d, 'none'), set('dev.iommu_iommu_dev', d, 'none')];
  const fwOk = eq(v('dev.iommu_fwspec', d), 'present');
  if (ctx.driver === 'intel') {
    const reject = f.probe_device_rejects_unregistered_instance;
    const okG = reject ? iv('iommu.ops_set', d) : undefined;
    const branches = [br('ok', okG, okAssign, next, undefined, 'device_to_iommu(dev) from the DMAR scope' + (reject ? '; the unit is registered' : ', registered or not'))];
    if (reject) branches.push(exitBr('enodev', not(iv('iommu.ops_set', d)), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, 'c919739ce472: !iommu || !iommu->iommu.ops -> -ENODEV'));
    b.add('r_probe_dev', 'intel_iommu_probe_device()', FILES.intel, branches,
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
  const miss = ctx.driver === 'ipmmu' ? undefined : ctx.lookup.miss;
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
  b.add('r_probe_dev', ctx.driver === 'ipmmu' ? 'ipmmu_probe_device()' : 'arm_smmu_probe_device()', ctx.smmuFile, branches,
    { doc: 'ops->probe_device(dev); then dev->iommu->iommu_dev = iommu_dev; on error dev_iommu_free() (the fwspec goes with it)' });
}

function errSet(b: ActorB, errField: string, value: string): Assign[] { return errField ? [b.ls(errField, value)] : []; }

