/**
 * iommu_device_use_default_domain() in the bus glue's dma_configure, in its two forms: before the
 * firmware configure (Lu Baolu's v7 series: unuse again if the configure fails) or after a
 * successful one (512881eacfa7, v5.19: arch_teardown_dma_ops if the use fails). Steps:
 *
 *   if (!drv->driver_managed_dma): group = iommu_group_get(dev)   c_use_dd (no lock)
 *   group->mutex: defer / -EBUSY / owner_cnt++                      use_check
 *   [after: arch_teardown_dma_ops on failure]                       c_use_fail
 *   [before: iommu_device_unuse_default_domain on a failed configure] c_unuse_on_err
 */
import { add, and, eq, gt, ne, not, or, set, v } from '../../ir/dsl';
import type { Expr } from '../../ir/types';
import { br, decSat, FILES, gOf, gv, hasGrp, type ActorB } from '../ctx';

/** The group has no default domain yet (b46064a18810 defers then). */
export const noDefaultDomain = (d: Expr): Expr => eq(gv('group.default_domain', d), 'none');
/** owner_cnt && (owner || group->domain != default_domain): the use returns -EBUSY. */
export const ownedElsewhere = (d: Expr): Expr => and(gt(gv('group.owner_cnt', d), 0), or(ne(gv('group.owner', d), 'null'), ne(gv('group.domain', d), 'dd')));

export function useDefaultDomain(b: ActorB, d: Expr, o: { entry: string; err: string; afterUse: string }): void {
  b.within(__filename, () => build(b, d, o));
}

function build(b: ActorB, d: Expr, o: { entry: string; err: string; afterUse: string }): void {
  const ctx = b.ctx;
  const f = ctx.f;
  const G = gOf(d);
  const useBeforeFw = ctx.forms.ownership === 'use_before_fw';
  const useAfterFw = ctx.forms.ownership === 'use_after_fw';
  b.add(o.entry, 'iommu_device_use_default_domain()', FILES.iommu, [
    br('managed', eq(v('dev.drv', d), 'V'), [], o.afterUse, undefined, 'driver_managed_dma: no use'),
    br('nogroup', and(ne(v('dev.drv', d), 'V'), not(hasGrp(d))), [set('ghost.use_counted', d, 'not_counted'), set('ghost.kernel_dma_user', d, true), set('dev.bind_phase', d, 'use_dd')], o.afterUse, undefined, 'dev->iommu_group == NULL (read without a lock) -> return 0, nothing counted'),
    br('group', and(ne(v('dev.drv', d), 'V'), hasGrp(d)), [set('dev.bind_phase', d, 'use_dd')], 'use_check'),
  ], { doc: (useBeforeFw ? 'v7 04/11: ' : '512881eacfa7: ') + 'if (!drv->driver_managed_dma) iommu_device_use_default_domain(dev): group = iommu_group_get(dev) without a lock' });
  // The glue's failure path: one c_use_fail per glue of the binding devices (dev-paths.ts).
  const USE_FAIL = '$c_use_fail';
  const defers = f.use_default_domain_defers_if_no_default_domain;
  const noDd = noDefaultDomain(d);
  const busy = ownedElsewhere(d);
  const useBr = [];
  if (defers) useBr.push(br('defer', noDd, [set('ghost.use_counted', d, 'failed'), b.ls(o.err, 'defer')], useBeforeFw ? 'c_fail_early' : USE_FAIL, undefined, 'b46064a18810: !group->default_domain -> -EPROBE_DEFER'));
  useBr.push(br('busy', defers ? and(not(noDd), busy) : busy, [set('ghost.use_counted', d, 'failed'), b.ls(o.err, 'err')], useBeforeFw ? 'c_fail_early' : USE_FAIL, undefined, 'owner_cnt && (owner || domain != default_domain) -> -EBUSY'));
  useBr.push(br('ok', defers ? and(not(noDd), not(busy)) : not(busy), [
    set('group.owner_cnt', G, add(gv('group.owner_cnt', d), 1)), set('ghost.use_counted', d, 'counted'), set('ghost.kernel_dma_user', d, true),
  ], o.afterUse, undefined, 'owner_cnt++'));
  b.add('use_check', 'iommu_device_use_default_domain()', FILES.iommu, useBr,
    { doc: 'use_lock .. use_unlock as one group->mutex section' });
  if (useAfterFw) {
    const glues = ctx.variants.glue(b.devs);
    for (const g of glues) {
      b.add(`c_use_fail${g.suffix}`, g.value.configure, g.value.file, [
        br('defer', eq(b.lv(o.err), 'defer'), ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')], 'c_defer'),
        br('err', ne(b.lv(o.err), 'defer'), ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')], 'c_fail_early'),
      ], { doc: 'use failed: arch_teardown_dma_ops(dev); dma_configure returns the error' });
    }
    b.dispatch(USE_FAIL, d, glues, (g) => `c_use_fail${g.suffix}`);
  }
  if (useBeforeFw) {
    const bad = or(v('ghost.bad_unuse'), ne(v('ghost.use_counted', d), 'counted'));
    b.add('c_unuse_on_err', 'iommu_device_unuse_default_domain()', FILES.iommu, [
      br('nogroup', not(hasGrp(d)), [], 'c_defer'),
      br('dec', hasGrp(d), [set('ghost.bad_unuse', undefined, bad), decSat('group.owner_cnt', G), set('ghost.use_counted', d, 'na')], 'c_defer', undefined, 'WARN_ON(!owner_cnt) else owner_cnt--'),
    ], { doc: 'v7: if (ret && !driver_managed_dma) iommu_device_unuse_default_domain(dev) (unuse_get .. unuse_unlock in one step)' });
  }
}
