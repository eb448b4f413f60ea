/**
 * Actor V: a vfio-like user-space owner of one group. VFIO_GROUP_SET_CONTAINER claims the group
 * (iommu_group_claim_dma_owner), type1 attaches its unmanaged domain, and the container is
 * unset again (iommu_group_release_dma_owner).
 */
import { and, at, eq, gt, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign } from '../../ir/types';
import { END } from '../../ir/types';
import { ActorB, bound, br, FILES, SELF, type BuildCtx } from '../ctx';

export function buildVfio(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'V', 'group', __filename);
  const g = SELF;
  const vf = ctx.sc.vfio!;
  const dv = ctx.devIdx(vf.afterBound);
  const cnt = v('group.owner_cnt', g);
  const dom = v('group.domain', g);
  const claimed: Assign[] = [
    set('group.owner', g, 'U'), set('group.owner_cnt', g, 1), set('vfio.container_set', g, true),
    set('group.domain', g, f.claim_semantics === 'blocking_domain' ? 'db' : 'none'),
  ];
  // The vfio group exists once vfio-pci bound: its probe took the IOMMU group (or failed).
  const ready = bound(dv);
  b.add('v_set_container', 'iommu_group_claim_dma_owner()', FILES.iommu, [
    br('eperm', and(ready, gt(cnt, 0)), [], END, undefined, 'owner_cnt > 0 -> -EPERM'),
    br('ebusy', and(ready, eq(cnt, 0), ne(dom, 'none'), ne(dom, 'dd')), [], END, undefined, 'group->domain != default_domain -> -EBUSY'),
    br('ok', and(ready, eq(cnt, 0), or(eq(dom, 'none'), eq(dom, 'dd'))), claimed, 'v_attach', undefined,
      f.claim_semantics === 'blocking_domain' ? '0286300e6045: attach the blocking domain; owner = U; owner_cnt = 1' : 'v7: owner = U; detach the current domain (group->domain = NULL); owner_cnt = 1'),
    br('skip', and(at('C', dv, END), not(ready)), [], END, undefined, 'the vfio device never bound (its probe needs an IOMMU group): no vfio group'),
  ], { doc: 'VFIO_GROUP_SET_CONTAINER -> vfio_group_set_container -> iommu_group_claim_dma_owner (claim_lock .. claim_unlock in one step)' });
  b.add('v_attach', 'vfio_iommu_type1_attach_group()', FILES.vfio_type1, [br(undefined, undefined, [set('group.domain', g, 'du')], 'v_unset_container')],
    { doc: 'type1 attaches its unmanaged domain Du' });
  const warn = or(eq(cnt, 0), eq(v('group.owner', g), 'null'));
  b.add('v_unset_container', 'iommu_group_release_dma_owner()', FILES.iommu, [
    br('warn', warn, [set('ghost.release_warn', undefined, true), set('vfio.container_set', g, false), set('group.domain', g, 'none')], END, undefined, 'W_RELEASE_OWNER: WARN_ON(!owner_cnt || !owner)'),
    br('ok', not(warn), [set('group.owner_cnt', g, 0), set('group.owner', g, 'null'), set('vfio.container_set', g, false),
      set('group.domain', g, ite(eq(v('group.default_domain', g), 'none'), 'none', 'dd'))], END, undefined, 'owner_cnt = 0; owner = NULL; re-attach the default domain'),
  ], { doc: 'type1 detach, then release (rel_lock .. rel_unlock in one step)' });
  return b;
}
