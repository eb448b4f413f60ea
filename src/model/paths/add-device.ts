/**
 * The probe path in its add_device form (v4.19, v4.20-rc1): ops->add_device(dev) ->
 * iommu_group_get_for_dev() -> iommu_group_add_device(), with the group release on the error
 * path. The walk (add_iommu_group) and iommu_probe_device-era callers run the same body; the
 * ipmmu driver initialises its context lazily at the first attach (seed 000).
 */
import { add, and, eq, gt, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import { br, ddTypeOf, exitBr, FILES, gOf, hasGrp, iv } from '../ctx';
import type { ProbePath } from './types';

const add1 = (field: string, idx: Expr): Assign => set(field, idx, add(v(field, idx), 1));
const sub1 = (field: string, idx: Expr): Assign => set(field, idx, { kind: 'bin', op: 'sub', left: v(field, idx), right: { kind: 'lit', value: 1 } });

export const addDevicePath: ProbePath = (b, d, _mode, exits) => b.within(__filename, () => {
  const ctx = b.ctx;
  const G = gOf(d);
  const ipmmu = ctx.driver === 'ipmmu';
  const f = ctx.f;
  const gateOk = ipmmu
    ? and(eq(v('dev.iommu_fwspec', d), 'present'), eq(v('dev.iommu_priv', d), 'set'))
    : eq(v('dev.iommu_fwspec', d), 'present');
  const smmuAsserts = ctx.driver === 'arm-smmu' && !f.arm_smmu_defer_hack
    ? [{ name: 'NoNullOpsDeref', cond: iv('iommu.self_lookup_ok', d), doc: 'arm_smmu_add_device: arm_smmu_get_by_fwnode() finds the bound SMMU (else C_SMMU_LOOKUP)' }]
    : undefined;
  if (ctx.driver === 'arm-smmu') ctx.assume('v4.19 arm_smmu_add_device dereferences the instance found by arm_smmu_get_by_fwnode() (bound-driver lookup) without a NULL check (the race 229e6ee43d2a later bodged) [inferred: verify v4.19 drivers/iommu/arm-smmu.c]');
  b.add('ad_gate', ipmmu ? 'ipmmu_add_device()' : ctx.driver === 'intel' ? 'intel_iommu_add_device()' : 'arm_smmu_add_device()', ctx.smmuFile, [
    exitBr('enodev', not(gateOk), [], exits.enodev, undefined, ipmmu ? '!to_ipmmu(dev) -> -ENODEV' : 'no fwspec with this driver\'s ops -> -ENODEV'),
    br('ok', gateOk, [], 'r_grouped_check', smmuAsserts),
  ], { doc: ipmmu ? 'ipmmu_add_device: if (!to_ipmmu(dev)) return -ENODEV (fwspec->iommu_priv set by ipmmu_of_xlate from the IPMMU drvdata)' : 'arm-smmu add_device fwspec checks [inferred from the add_device fwspec checks]' });
  if (!ipmmu) ctx.assume('arm-smmu add_device returns -ENODEV for a device without a fwspec carrying arm_smmu_ops [inferred from the add_device fwspec checks]');
  b.add('r_grouped_check', 'iommu_group_get_for_dev()', FILES.iommu, [
    exitBr('grouped', hasGrp(d), [], exits.ok, undefined, 'dev already has a group: return it (add_device puts the ref)'),
    br('new', not(hasGrp(d)), [], 'ad_bus_ops'),
  ]);
  b.add('ad_bus_ops', 'iommu_group_get_for_dev()', FILES.iommu, [
    exitBr('noops', eq(ctx.busOf('bus.iommu_ops', d), 'none'), [], exits.err, undefined, 'dev->bus->iommu_ops NULL -> -EINVAL (window W1)'),
    br('ok', ne(ctx.busOf('bus.iommu_ops', d), 'none'), [], 'r_group'),
  ]);
  b.add('r_group', ipmmu ? 'ipmmu_find_group()' : 'generic_device_group()', ipmmu ? FILES.ipmmu : FILES.iommu, [
    br(undefined, undefined, [
      set('group.exists', G, true),
      set('group.ref', G, ite(v('group.exists', G), add(v('group.ref', G), 1), 1)),
    ], 'ad_default_domain'),
  ], { doc: 'ops->device_group: reuse the cached group with a reference, or iommu_group_alloc() (ref 1)' });
  const none = eq(v('group.default_domain', G), 'none');
  b.add('ad_default_domain', 'iommu_group_get_for_dev()', FILES.iommu, [
    br(undefined, undefined, [
      set('group.default_domain', G, ite(none, ddTypeOf(G), v('group.default_domain', G))),
      set('group.domain', G, ite(and(none, eq(v('group.domain', G), 'none')), 'dd', v('group.domain', G))),
      set('group.ctx_ready', G, ite(none, false, v('group.ctx_ready', G))),
      set('group.iovad_init', G, ite(none, false, v('group.iovad_init', G))),
    ], 'g_link'),
  ], { doc: 'if !group->default_domain: __iommu_domain_alloc(bus, iommu_def_domain_type) -> Dd {dma, iova cookie, ctx not ready}; group->domain = Dd if none. No group->mutex.' });
  b.add('g_link', 'iommu_group_add_device()', FILES.iommu, [
    br(undefined, undefined, [add1('group.ref', G), set('dev.iommu_group', d, G)], 'r_gm_add'),
  ], { doc: 'sysfs links, kobject_get(group->devices_kobj), dev->iommu_group = group, before group->mutex' });
  // r_gm_add: list_add and __iommu_attach_device under group->mutex; ipmmu lazily initialises the
  // context at the first attach (ipmmu_attach_device -> ipmmu_domain_init_context).
  const needsCtx = and(eq(v('group.domain', G), 'dd'), eq(v('group.default_domain', G), 'dma'), not(v('group.ctx_ready', G)));
  const pgReject = ctx.sc.faults.includes('f_pgtable_dma_reject') && f.bus_dma_mask_unconditional && f.dma_capable_uses_bus_mask && ipmmu;
  const ctxExhausted = ctx.sc.faults.includes('f_ctx_exhausted') && ipmmu;
  const okAssign: Assign[] = [
    set('dev.in_group_list', d, true),
    set('group.ctx_ready', G, or(v('group.ctx_ready', G), needsCtx)),
    sub1('group.ref', G),
  ];
  const branches = [exitBr('ok', undefined, okAssign, exits.ok, undefined, 'attached (context ready); add_device puts its group reference')];
  if (pgReject || ctxExhausted) {
    branches.push(br('ctx_fail', needsCtx, [], 'ad_fail_unlink', undefined,
      (pgReject ? 'f_pgtable_dma_reject: __arm_lpae_alloc_pages sees dma != virt_to_phys (swiotlb bounce of the table page under the 32-bit bus_dma_mask): W_PGTABLE' : 'f_ctx_exhausted: no free context')
      + '; W_IPMMU_CTX; ipmmu_domain_init_context fails, domain->mmu stays NULL; -EINVAL; list_del under GM; W_ADD_FAIL'));
    if (pgReject) ctx.assume('seed 000: the IPMMU page-table page lies above 4 GiB, so with the unconditional 32-bit bus_dma_mask and b4ebe6063204 the table mapping bounces (env.pgtable_dma_ok = false, taken as a nondeterministic branch)');
  }
  b.add('r_gm_add', 'iommu_group_add_device()', FILES.iommu, branches, {
    doc: 'under group->mutex: list_add; if (group->domain) __iommu_attach_device -> ' + (ipmmu ? 'ipmmu_attach_device (lazy context init: allocate a context, io-pgtable on the root IPMMU)' : 'arm_smmu_attach_dev'),
  });
  if (pgReject || ctxExhausted) {
    b.add('ad_fail_unlink', 'iommu_group_add_device()', FILES.iommu, [
      br(undefined, undefined, [set('dev.iommu_group', d, 'none'), sub1('group.ref', G)], 'ad_put_on_fail'),
    ], { doc: 'error path after mutex_unlock: dev->iommu_group = NULL, kobject_put(group->devices_kobj) (ERRATA 1a)' });
    b.add('ad_put_on_fail', 'iommu_group_get_for_dev()', FILES.iommu, [
      br('release', eq(v('group.ref', G), 1), [set('group.ref', G, 0)], 'gr_release', undefined, 'last reference: the group is released synchronously in this thread'),
      exitBr('put', gt(v('group.ref', G), 1), [sub1('group.ref', G)], exits.err),
    ], { doc: 'iommu_group_put(group) on the error path' });
    b.add('gr_release', 'iommu_group_release()', FILES.iommu, [
      br(undefined, undefined, [set('group.exists', G, false)], 'gr_destroy_ctx'),
    ], { doc: 'kobject release -> iommu_group_release: ida remove; if (group->default_domain) iommu_domain_free() -> ops->domain_free' });
    const freeAssign: Assign[] = [
      set('group.dd_freed', G, true), set('group.default_domain', G, 'none'), set('group.domain', G, 'none'),
    ];
    const guarded = !ipmmu || f.ipmmu_destroy_guard;
    const gd = ipmmu
      ? 'ipmmu_domain_free -> ipmmu_domain_destroy_context: writes IMCTR through domain->mmu->root, TLB sync, frees the context'
      : 'arm_smmu_domain_free -> arm_smmu_destroy_domain_context (guarded: if (!smmu) return)';
    b.add('gr_destroy_ctx', ipmmu ? 'ipmmu_domain_free()' : 'arm_smmu_domain_free()', ctx.smmuFile, guarded ? [
      exitBr('teardown', v('group.ctx_ready', G), freeAssign, exits.err),
      exitBr('skip', not(v('group.ctx_ready', G)), freeAssign, exits.err, undefined, 'if (!domain->mmu) return; (the guard)'),
    ] : [
      exitBr(undefined, undefined, freeAssign, exits.err, [{ name: 'DomainFreeSafe', cond: v('group.ctx_ready', G), doc: 'C_IPMMU_FREE: NULL domain->mmu->root in ipmmu_domain_free+0x1c (seed 000)' }]),
    ], { doc: gd });
  }
  return 'ad_gate';
});
