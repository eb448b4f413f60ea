/**
 * Actor U: sysfs unbind of a bound client: device_release_driver() under device_lock; the
 * driver's remove stops DMA; dev->bus->dma_cleanup() unuses the default domain (25f3bcfc54bc);
 * device_unbind_cleanup() clears dev->driver.
 */
import { and, at, eq, ne, not, or, set, v } from '../../ir/dsl';
import { END } from '../../ir/types';
import { ActorB, br, decSat, FILES, gOf, hasGrp, ME, modeValue, SELF, type BuildCtx } from '../ctx';

export function buildUnbind(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'U', 'dev', __filename, ctx.sc.devices.map((x, i) => (x.unbind ? i : -1)).filter((i) => i >= 0));
  const d = SELF;
  const G = gOf(d);
  const dl = 'dev.device_lock';
  b.add('u_lock', 'device_release_driver()', FILES.dd, [
    br('go', and(eq(v('dev.bind_phase', d), 'bound'), eq(v(dl, d), 'none')), [set(dl, d, ME)], 'u_notify', undefined, 'sysfs unbind: device_lock(dev)'),
    br('skip', and(at('C', d, END), ne(v('dev.bind_phase', d), 'bound')), [], END, undefined, 'the device never bound: nothing to unbind'),
  ], { doc: 'unbind_store -> device_driver_detach -> __device_release_driver under device_lock' });
  b.add('u_notify', '__device_release_driver()', FILES.dd, [br(undefined, undefined, [set('dev.bind_phase', d, 'unbinding')], 'u_remove')],
    { doc: 'driver_sysfs_remove, BUS_NOTIFY_UNBIND_DRIVER' });
  const cleanup = ctx.ownership && f.dma_cleanup_callback;
  // The driver unmaps through whatever DMA ops the device has now (use_dma_iommu(dev) from
  // v6.12): handles mapped by dma-direct before the IOMMU core flipped dev->dma_iommu go to
  // iommu-dma, which WARNs on an IOVA it never mapped.
  const unmapOk = or(eq(v('dev.live_maps', d), 'none'), eq(v('dev.live_maps', d), 'both'), eq(v('dev.live_maps', d), modeValue(ctx, d)));
  const DMA_CLEANUP = '$u_dma_cleanup';
  b.add('u_remove', '__device_release_driver()', FILES.dd, [br(undefined, undefined, [set('dev.live_maps', d, 'none')], cleanup ? DMA_CLEANUP : 'u_cleanup',
    [{ name: 'DmaUnmapMatchesMap', cond: unmapOk, doc: 'dma_unmap_*() of a handle from the other DMA API implementation: WARN_ON(unmapped != size) in __iommu_dma_unmap' }])],
    { doc: 'the driver\'s remove: it stops DMA and unmaps (d_stop)' });
  if (cleanup) {
    // dev->bus->dma_cleanup: the glue of the device's bus (one step per glue among the unbinders).
    const glues = ctx.variants.glue(b.devs);
    for (const g of glues) {
      b.add(`u_dma_cleanup${g.suffix}`, g.value.cleanup, g.value.file, [
        br('managed', eq(v('dev.drv', d), 'V'), [], 'u_cleanup'),
        br('nogroup', and(ne(v('dev.drv', d), 'V'), not(hasGrp(d))), [], 'u_cleanup', undefined, 'unuse_get: dev->iommu_group == NULL -> return'),
        br('group', and(ne(v('dev.drv', d), 'V'), hasGrp(d)), [], 'unuse_dec'),
      ], { doc: 'dev->bus->dma_cleanup(dev): if (!driver_managed_dma) iommu_device_unuse_default_domain(dev); unuse_get reads dev->iommu_group without a lock' });
    }
    b.dispatch(DMA_CLEANUP, d, glues, (g) => `u_dma_cleanup${g.suffix}`);
    const bad = or(v('ghost.bad_unuse'), ne(v('ghost.use_counted', d), 'counted'));
    b.add('unuse_dec', 'iommu_device_unuse_default_domain()', FILES.iommu, [
      br(undefined, undefined, [set('ghost.bad_unuse', undefined, bad), decSat('group.owner_cnt', G), set('ghost.use_counted', d, 'na'), set('ghost.kernel_dma_user', d, false)], 'u_cleanup'),
    ], { doc: 'unuse_lock .. unuse_unlock: if (!WARN_ON(!group->owner_cnt)) group->owner_cnt-- (W_UNUSE_ZERO); no per-device record' });
  }
  b.add('u_cleanup', 'device_unbind_cleanup()', FILES.dd, [br(undefined, undefined, [
    set('dev.driver', d, 'none'), set('dev.bind_phase', d, 'idle'), set('ghost.kernel_dma_user', d, false), set('ghost.use_counted', d, 'na'),
    set('ghost.bound_dma_mode', d, 'none'), ...(ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')]),
  ], 'u_unlock')], { doc: 'devres release, arch_teardown_dma_ops, dev->driver = NULL, BUS_NOTIFY_UNBOUND_DRIVER' + (ctx.coreDma ? ' (dev->dma_iommu is not cleared)' : '') });
  b.add('u_unlock', 'device_unlock()', FILES.device_h, [br(undefined, undefined, [set(dl, d, 'none')], END)], { doc: 'device_unlock(dev)' });
  return b;
}
