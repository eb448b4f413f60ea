/**
 * Actor S: `echo TYPE > /sys/kernel/iommu_groups/N/type`, iommu_group_store_type() in
 * drivers/iommu/iommu.c, once, at any moment, in the form the kernel's flag
 * `sysfs_group_type_store` names (kernels.ts):
 *
 *   device_lock (08a27c1c3ecf, v5.11 .. v6.3; read in 5.15.215, 5.17-rc5, 5.19.0, 6.1.166):
 *     s_count       group->mutex: iommu_group_device_count(group) != 1 -> -EINVAL; take the device
 *     s_dev_lock    device_lock(dev); device_is_bound(dev), unless DMA -> DMA-FQ: -EBUSY
 *     s_change      iommu_change_dev_def_domain(): one group->mutex section
 *     s_finalize    [x86 Intel] ops->probe_finalize after the mutex: the DMA ops for the new domain
 *     s_dev_unlock  device_unlock(dev)
 *   owner_cnt (49a22aae7d9c, v6.4 on; read in 6.6.0, 6.6.150, 6.12.63, 6.14, 6.18.9, 6.19, 7.0):
 *     s_store       group->mutex: DMA -> DMA-FQ in place; no device or owner_cnt != 0 -> -EPERM;
 *                   iommu_setup_default_domain(); from b67483b3c44e iommu_setup_dma_ops() for
 *                   each device inside the mutex
 *     s_finalize    [x86 Intel, before b67483b3c44e] ops->probe_finalize after the mutex
 *
 * The boot default DMA domain is taken as IOMMU_DOMAIN_DMA (arm64's strict default), so "DMA" on
 * it is the same type and "DMA-FQ" the in-place flush-queue upgrade. A device whose driver
 * requires identity (qcom, 0e764a01015d: group.dd_type identity) refuses another type (-EINVAL).
 */
import { add, and, eq, gt, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import { END } from '../../ir/types';
import { ActorB, br, FILES, ME, SELF, type BuildCtx } from '../ctx';

export function buildSysfsType(ctx: BuildCtx): ActorB {
  const b = new ActorB(ctx, 'S', 'group', __filename);
  const ev = ctx.sc.sysfsType!;
  const g = SELF;
  const n = ctx.nDev;
  const T = ev.to === 'identity' ? 'identity' : 'dma';
  const fq = ev.to === 'DMA-FQ';
  const member = (i: number): Expr => and(eq(v('dev.iommu_group', i), g), v('dev.in_group_list', i));
  const count = Array.from({ length: n }, (_, i) => ite(member(i), 1, 0)).reduce((a: Expr, x) => add(a, x));
  const dd = v('group.default_domain', g);
  const inPlace = fq ? eq(dd, 'dma') : undefined;
  // iommu_get_def_domain_type(dev): a qcom client requires identity (group.dd_type).
  const conflict = T === 'identity' ? undefined : eq(v('group.dd_type', g), 'identity');
  // The new default domain, attached: group->default_domain = group->domain = dom.
  const newDomain: Assign[] = [set('group.default_domain', g, T), set('group.domain', g, 'dd')];
  // Until the IOMMU core sets the DMA ops, the new DMA domain's IOVA allocator is initialised
  // only by iommu_setup_dma_ops() of a later arch_setup_dma_ops (or Intel's probe_finalize).
  if (!ctx.coreDma) newDomain.push(set('group.iovad_init', g, false));
  else for (let i = 0; i < n; i++) newDomain.push(set('dev.dma_iommu', i, ite(member(i), T === 'dma', v('dev.dma_iommu', i))));
  // x86 Intel: probe_finalize = set_dma_ops(dev, NULL); iommu_setup_dma_ops(dev) (6.6.150
  // intel/iommu.c:4449-4453). The arm64 drivers' probe_finalize sets no DMA ops (arm-smmu: its
  // impl hook; ipmmu: 32-bit ARM only; SMMUv3: none), so it is folded for them.
  const finalize = !ctx.coreDma && ctx.driver === 'intel';
  const finalizeStep = (next: string): void => {
    const assign: Assign[] = [];
    for (let i = 0; i < n; i++) assign.push(set('dev.dma_ops', i, ite(member(i), ite(eq(dd, 'dma'), 'iommu', 'direct'), v('dev.dma_ops', i))));
    assign.push(set('group.iovad_init', g, or(v('group.iovad_init', g), eq(dd, 'dma'))));
    b.add('s_finalize', 'iommu_group_do_probe_finalize()', FILES.iommu, [br(undefined, undefined, assign, next)],
      { doc: 'after group->mutex: ops->probe_finalize(dev) for each device (Intel on x86: the DMA ops of the new default domain, read without the mutex)' });
  };
  if (ctx.f.sysfs_group_type_store === 'device_lock') buildDeviceLockForm();
  else buildOwnerCntForm();
  return b;

  function buildDeviceLockForm(): void {
    const devF = b.local('dev', { kind: 'ref', entity: 'dev', nullable: true }, 'none');
    const dev = b.lv(devF);
    const dl = 'dev.device_lock';
    const only = (): Expr => Array.from({ length: n }, (_, i) => i).reduceRight((acc: Expr, i) => ite(member(i), i, acc), { kind: 'sym', name: 'none' } as Expr);
    b.add('s_count', 'iommu_group_store_type()', FILES.iommu, [
      br('einval', ne(count, 1), [], END, undefined, 'iommu_group_device_count(group) != 1: "Group has more than one device" -> -EINVAL'),
      br('one', eq(count, 1), [b.ls(devF, only())], 's_dev_lock', undefined, 'the group\'s one device; get_device(dev)'),
    ], { doc: 'mutex_lock(&group->mutex) .. mutex_unlock: a single-device group, and its device' });
    const bound = eq(v('dev.bind_phase', dev), 'bound');
    const allowedBound = fq ? eq(dd, 'dma') : undefined;
    const busy = allowedBound ? and(bound, not(allowedBound)) : bound;
    b.add('s_dev_lock', 'iommu_group_store_type()', FILES.iommu, [
      br('ebusy', and(eq(v(dl, dev), 'none'), busy), [set(dl, dev, ME)], 's_dev_unlock', undefined, 'device_is_bound(dev): "Device is still bound to driver" -> -EBUSY'),
      br('unbound', and(eq(v(dl, dev), 'none'), not(busy)), [set(dl, dev, ME)], 's_change', undefined, fq ? 'not bound, or DMA -> DMA-FQ' : 'no driver bound'),
    ], { doc: 'device_lock(dev), then device_is_bound(dev) (set by driver_bound)' });
    const ours = eq(only(), dev);
    const proceed = and(eq(v('group.domain', g), 'dd'), ne(dd, 'none'), eq(count, 1), ours);
    const changeBr = [
      br('refused', not(proceed), [], 's_dev_unlock', undefined, 'group->domain != default_domain -> -EBUSY; device count != 1 -> -EINVAL; another device -> -EBUSY; no default domain -> -EINVAL'),
      ...(conflict ? [br('einval', and(proceed, conflict), [], 's_dev_unlock', undefined, '"Device cannot be in DMA domain" -> -EINVAL')] : []),
    ];
    const ok = and(proceed, ...(conflict ? [not(conflict)] : []));
    if (inPlace) changeBr.push(br('fq', and(ok, inPlace), [], 's_dev_unlock', undefined, 'DMA -> DMA-FQ: iommu_dma_init_fq() on the same domain'));
    else changeBr.push(br('same', and(ok, eq(dd, T)), [], 's_dev_unlock', undefined, 'prev_dom->type == type: nothing to do'));
    const change = inPlace ? and(ok, not(inPlace)) : and(ok, ne(dd, T));
    changeBr.push(br('change', change, newDomain, finalize ? 's_finalize' : 's_dev_unlock', undefined,
      'iommu_group_alloc_default_domain(type), iommu_create_device_direct_mappings, __iommu_attach_device: group->domain = group->default_domain'));
    b.add('s_change', 'iommu_change_dev_def_domain()', FILES.iommu, changeBr, { doc: 'mutex_lock(&group->mutex) .. mutex_unlock: the checks again, then the new default domain' });
    if (finalize) finalizeStep('s_dev_unlock');
    b.add('s_dev_unlock', 'device_unlock()', FILES.device_h, [br(undefined, undefined, [set(dl, dev, 'none')], END)], { doc: 'device_unlock(dev); put_device(dev)' });
  }

  function buildOwnerCntForm(): void {
    const has = ne(dd, 'none');
    const rest = inPlace ? and(has, not(inPlace)) : has;
    const busy = or(eq(count, 0), gt(v('group.owner_cnt', g), 0));
    const storeBr = [
      br('einval', not(has), [], END, undefined, '!group->default_domain -> -EINVAL (tested before the mutex)'),
      ...(inPlace ? [br('fq', and(has, inPlace), [], END, undefined, 'DMA -> DMA-FQ: iommu_dma_init_fq() in place, whatever is bound')] : []),
      br('eperm', and(rest, busy), [], END, undefined, 'list_empty(&group->devices) || group->owner_cnt -> -EPERM'),
      ...(conflict ? [br('einval_type', and(rest, not(busy), conflict), [], END, undefined, 'iommu_get_default_domain_type: "Device cannot be in DMA domain" -> -EINVAL')] : []),
      br('change', and(rest, not(busy), ...(conflict ? [not(conflict)] : [])), newDomain, finalize ? 's_finalize' : END, undefined,
        'iommu_setup_default_domain(group, type): a new domain (even of the same type), attached' + (ctx.coreDma ? '; iommu_setup_dma_ops(dev) for each device (dev->dma_iommu)' : '')),
    ];
    b.add('s_store', 'iommu_group_store_type()', FILES.iommu, storeBr, { doc: 'mutex_lock(&group->mutex) .. mutex_unlock as one section' });
    if (finalize) finalizeStep(END);
  }
}
