/**
 * The probe path in its dropping form (v6.15: bcb81ac6ae3c "Get DT/ACPI parsing into the proper
 * probe path"): iommu_init_device() drops iommu_probe_device_lock around dev->bus->dma_configure()
 * when the device has no driver, so the firmware configure (o_*) runs inside the probe; from
 * 0c8e9c148e29 (6.15.1) only without a fwspec, and it re-checks after relocking. Reads like
 * v6.15 __iommu_probe_device() -> iommu_init_device():
 *
 *   mutex_lock(&iommu_probe_device_lock)                    p_lock | r_lock
 *   if (dev->iommu_group) return 0                          r_grouped_check
 *   dev_iommu_get(dev)                                      r_alloc
 *   if (!dev->driver [&& !fwspec]) {                        r_fw_test
 *       mutex_unlock(..); dev->bus->dma_configure(dev);     r_drop, r_dma_cfg, o_*
 *       mutex_lock(..); [gone? -> -ENODEV]                  r_relock, [r_recheck]
 *   }
 *   ops = iommu_fwspec_ops(fwspec)                          r_ops
 *   ... then the locked form's tail: r_probe_dev, r_group, r_gm_add, unlock [, p_finalize]
 */
import { add, and, eq, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Expr } from '../../ir/types';
import { br, FILES, gOf, gv, hasGrp, type ActorB } from '../ctx';
import { firmwareConfigure, firmwareEntry } from './firmware-configure';
import type { BusGlue, Firmware } from '../bus-glue';
import type { Variant } from '../dev-paths';
import { noDefaultDomain, ownedElsewhere } from './use-default-domain';
import { groupedCheckStep, lockedProbe, lockedProbeTail, lockStep } from './init-device';
import type { ProbePath } from './types';

export const droppingPath: ProbePath = (b, d, mode, exits, opts) => b.within(__filename, () => {
  const ctx = b.ctx;
  const f = ctx.f;
  const L = lockedProbe(b, mode);
  lockStep(b, L, 'r_grouped_check');
  groupedCheckStep(b, L, d);
  const drop = opts.canDrop;
  b.add('r_alloc', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu', d, 'alloc')], drop ? 'r_fw_test' : 'r_ops')],
    { doc: 'dev_iommu_get(): allocate dev->iommu if NULL' });
  if (drop) {
    const recheck = f.walk_recheck_after_relock;
    const fwTest = recheck
      ? and(ne(v('dev.iommu_fwspec', d), 'present'), eq(v('dev.driver', d), 'none'))
      : eq(v('dev.driver', d), 'none');
    b.add('r_fw_test', 'iommu_init_device()', FILES.iommu, [
      br('drop', fwTest, [], 'r_drop', undefined, recheck ? '!fwspec && !dev->driver (0c8e9c148e29)' : '!dev->driver (bcb81ac6ae3c)'),
      br('keep', not(fwTest), [], 'r_ops'),
    ], { doc: 'whether to drop the probe lock around dev->bus->dma_configure; reads dev->driver without device_lock' });
    // The device's bus glue (r_dma_cfg, r_dma_use) and its firmware's configure (o_*): one copy
    // per variant among the devices this path runs for (dev-paths.ts).
    const glues = ctx.variants.glue(b.devs);
    const fws = ctx.variants.firmware(b.devs);
    const among = <T, U>(xs: readonly Variant<T>[], y: Variant<U>) => xs.filter((x) => x.devs.some((i) => y.devs.includes(i)));
    const DMA_CFG = '$r_dma_cfg', fwOf = (g: Variant<BusGlue>) => `$fw@${g.key}`, useOf = (fw: Variant<Firmware>) => `$r_dma_use@${fw.key}`;
    b.add('r_drop', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('probe_lock', undefined, 'none')], DMA_CFG)],
      { doc: 'mutex_unlock(&iommu_probe_device_lock) before dev->bus->dma_configure(dev)' });
    // platform_dma_configure / pci_dma_configure read dev->driver on entry (6.18.9
    // platform.c:1440), before the firmware configure; the walk's use of the default domain
    // below acts on that read.
    const walkUse = true;
    const snapshot = walkUse ? b.local('drv_snapshot', { kind: 'enum', values: ['none', 'dma_api', 'managed'] }, 'none') : '';
    const drv = v('dev.driver', d);
    // A driver that does no DMA is not driver_managed_dma either (tested only where one binds).
    const noDma = ctx.sc.devices.some((x) => x.driver === 'N') ? [eq(drv, 'N')] : [];
    for (const g of glues) {
      const kinds = among(fws, g).map((x) => x.value);
      b.add(`r_dma_cfg${g.suffix}`, g.value.configure, g.value.file, [br(undefined, undefined,
        walkUse ? [b.ls(snapshot, ite(eq(drv, 'none'), 'none', ite(or(eq(drv, 'K'), eq(drv, 'M'), ...noDma), 'dma_api', 'managed')))] : [], fwOf(g))],
      { doc: 'dev->bus->dma_configure(dev): drv = READ_ONCE(dev->driver); ' + (kinds.includes('of') ? 'of_dma_configure_id -> of_iommu_configure' : '') + (kinds.length > 1 ? ' or ' : '') + (kinds.includes('acpi') ? 'acpi_dma_configure_id -> acpi_iommu_configure_id' : '') + ' (steps o_* run by this thread); errors are ignored by iommu_init_device' });
    }
    // The bus glue, after the firmware configure succeeded: with a driver that is not
    // driver_managed_dma, iommu_device_use_default_domain(dev), on behalf of whichever driver is
    // binding meanwhile (REVIEW not-modelled 3).
    for (const fw of fws) firmwareConfigure(b, d, { ok: { goto: walkUse ? useOf(fw) : 'r_relock' }, noiommu: { goto: 'r_relock' }, defer: { goto: 'r_relock' }, replay: null }, fw);
    if (walkUse) for (const g of glues) walkUsesDefaultDomain(b, d, b.lv(snapshot), g);
    b.dispatch(DMA_CFG, d, glues, (g) => `r_dma_cfg${g.suffix}`);
    for (const g of glues) b.dispatch(fwOf(g), d, among(fws, g), firmwareEntry);
    for (const fw of fws) b.dispatch(useOf(fw), d, among(glues, fw), (g) => `r_dma_use${g.suffix}`);
    b.add('r_relock', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('probe_lock', undefined, { kind: 'param', name: '$me' })], recheck ? 'r_recheck' : 'r_ops')],
      { guard: eq(v('probe_lock'), 'none'), doc: 'mutex_lock(&iommu_probe_device_lock) after dma_configure' });
    if (recheck) {
      const gone = or(eq(v('dev.iommu', d), 'null'), hasGrp(d));
      b.add('r_recheck', 'iommu_init_device()', FILES.iommu, [
        br('gone', gone, L.toUnlock('enodev'), L.unlock, undefined, 'dev->iommu == NULL || dev->iommu_group != NULL -> -ENODEV (someone else finished or freed it)'),
        br('ok', not(gone), [], 'r_ops'),
      ], { doc: '0c8e9c148e29: re-check after relocking' });
    }
  }
  // Without 0c8e9c148e29's re-check, nothing stops a probe that relocks after another thread
  // freed dev->iommu: dev_iommu_fwspec_get(dev) dereferences NULL (REVIEW error 6).
  const devIommu = drop && !f.walk_recheck_after_relock
    ? [{ name: 'NoNullOpsDeref', cond: eq(v('dev.iommu', d), 'alloc'), doc: 'dev_iommu_fwspec_get(dev) reads dev->iommu->fwspec after the relock; dev->iommu freed meanwhile -> NULL dereference (v6.15 tag)' }]
    : undefined;
  b.add('r_ops', 'iommu_init_device()', FILES.iommu, [
    br('noops', ne(v('dev.iommu_fwspec', d), 'present'), [set('dev.iommu', d, 'null'), set('dev.iommu_fwspec', d, 'none'), ...L.toUnlock('enodev')], L.unlock, devIommu, 'no fwspec ops -> -ENODEV, dev_iommu_free()'),
    br('ok', eq(v('dev.iommu_fwspec', d), 'present'), [], 'r_probe_dev', devIommu),
  ], { doc: 'ops = iommu_fwspec_ops(dev_iommu_fwspec_get(dev)) (fd598f71b669)' });
  lockedProbeTail(b, L, d, mode, exits, { lateWarn: true, finalize: mode === 'probe', sysfsLink: true });
  return L.lock;
});

/** The walk's own use of the default domain in the bus glue's dma_configure (one
 *  group->mutex section, like use_check), on the driver read at entry. */
function walkUsesDefaultDomain(b: ActorB, d: Expr, snapshot: Expr, g: Variant<BusGlue>): void {
  const f = b.ctx.f;
  const G = gOf(d);
  const dmaApi = eq(snapshot, 'dma_api');
  const refused = or(...(f.use_default_domain_defers_if_no_default_domain ? [noDefaultDomain(d)] : []), ownedElsewhere(d));
  // Until 95deee37a123 (platform) and 78447d4545b2 (PCI), and still on amba, the glue computed
  // to_*_driver(dev->driver) on entry and tested dev->driver again before the use: a driver
  // set between the two reads makes it dereference the pointer made from NULL (a TOCTOU).
  const glue = g.value;
  const oops = f[glue.snapshot] ? undefined
    : [{ name: 'NoNullOpsDeref', cond: or(ne(snapshot, 'none'), eq(v('dev.driver', d), 'none')), doc: `${glue.toDriver}(NULL)->driver_managed_dma: dev->driver was NULL on entry and is set at the test (fixed by ${glue.fix})` }];
  b.add(`r_dma_use${g.suffix}`, glue.configure, glue.file, [
    br('nodrv', not(dmaApi), [], 'r_relock', oops, 'no driver, or driver_managed_dma: no use'),
    br('nogroup', and(dmaApi, not(hasGrp(d))), [], 'r_relock', oops, 'iommu_device_use_default_domain: no group -> return 0, nothing counted'),
    br('refused', and(dmaApi, hasGrp(d), refused), [], 'r_relock', oops, '-EPROBE_DEFER or -EBUSY: ignored by iommu_init_device'),
    br('counted', and(dmaApi, hasGrp(d), not(refused)), [set('group.owner_cnt', G, add(gv('group.owner_cnt', d), 1))], 'r_relock', oops, 'owner_cnt++ for the driver binding meanwhile (its own dma_configure counts again)'),
  ], { doc: 'if (!ret && drv && !drv->driver_managed_dma) iommu_device_use_default_domain(dev), drv read on entry' });
}
