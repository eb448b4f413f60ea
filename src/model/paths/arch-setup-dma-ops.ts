/**
 * arm64 arch_setup_dma_ops() at the client's bind, by DMA-mode form: up to v6.6
 * (client_arch_setup) it decides dev->dma_ops from group->domain, read without group->mutex (the
 * seed 001 window); from b67483b3c44e/b5c58b2fdc42 (v6.10, v6.12; iommu_core) the IOMMU core
 * sets dev->dma_iommu and arch_setup_dma_ops only handles coherency.
 */
import { and, eq, ne, not, or, set } from '../../ir/dsl';
import type { Expr } from '../../ir/types';
import { br, FILES, gOf, gv, hasGrp, type ActorB } from '../ctx';

export interface ArchSetup { readonly label: string; readonly cfg: string; readonly next: string }

export function archSetupDmaOps(b: ActorB, d: Expr, o: ArchSetup): void {
  b.within(__filename, () => (b.ctx.coreDma ? coherencyOnly(b, o) : decidesDmaOps(b, d, o)));
}

function decidesDmaOps(b: ActorB, d: Expr, o: ArchSetup): void {
  const ctx = b.ctx;
  const G = gOf(d);
  const ok = eq(b.lv(o.cfg), 'ok');
  const dom = gv('group.domain', d);
  const dmaDd = and(hasGrp(d), eq(dom, 'dd'), eq(gv('group.default_domain', d), 'dma'));
  // The step is arch_setup_dma_ops(): with no IOMMU it never calls the iommu-dma setup
  // (6.6.87 arch/arm64/mm/dma-mapping.c:61-62; REVIEW error 9); the other branches are its call.
  const setup = ctx.devIommu ? 'iommu_setup_dma_ops()' : '__iommu_setup_dma_ops()';
  b.add(o.label, 'arch_setup_dma_ops()', FILES.arm64_dma, [
    br('noiommu', not(ok), [set('dev.dma_ops', d, 'direct')], o.next, undefined, 'of/acpi configure returned no IOMMU ops: platform DMA ops, no ' + setup),
    br('retain', and(ok, or(not(hasGrp(d)), eq(dom, 'none'))), [set('dev.dma_ops', d, 'direct')], o.next, undefined, setup + ': iommu_get_domain_for_dev(dev) == NULL: W_RETAIN "Failed to set up IOMMU for device; retaining platform DMA ops"'),
    br('iommu', and(ok, dmaDd), [set('dev.dma_ops', d, 'iommu'), set('group.iovad_init', G, true)], o.next, undefined, setup + ': DMA domain: iommu_dma_init_domain, dev->dma_ops = &iommu_dma_ops'),
    br('other', and(ok, hasGrp(d), ne(dom, 'none'), not(dmaDd)), [set('dev.dma_ops', d, 'direct')], o.next, undefined, setup + ': identity or unmanaged domain: platform ops kept'),
  ], { doc: `arm64 arch_setup_dma_ops: if (iommu) ${setup}: the DMA mode is decided from group->domain, read without group->mutex` });
}

function coherencyOnly(b: ActorB, o: ArchSetup): void {
  b.add(o.label, 'arch_setup_dma_ops()', FILES.arm64_dma, [br(undefined, undefined, [], o.next)],
    { doc: 'arm64 arch_setup_dma_ops(dev, coherent): coherency only (>= 6.10: no IOMMU involvement)' });
}
