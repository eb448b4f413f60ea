/**
 * The vocabulary of the kernel model's state, shared by the model's steps and its invariants:
 * expressions over the fields src/model/fields.ts declares (dev.*, group.*, iommu.*). Pure IR.
 */
import { eq, ite, ne, not, or, v, type Val } from '../ir/dsl';
import type { Expr } from '../ir/types';

/** dev->iommu_group. */
export const grp = (d: Expr): Expr => v('dev.iommu_group', d);
/** The group ops->device_group returns for d (a constant of the scenario). */
export const gOf = (d: Expr): Expr => v('dev.group_of', d);
/** The IOMMU instance of d's firmware link (a constant of the scenario). */
export const iOf = (d: Expr): Expr => v('dev.fw_iommu', d);
export const hasGrp = (d: Expr): Expr => ne(grp(d), 'none');
/** A field of d's group / of d's IOMMU instance. */
export const gv = (field: string, d: Expr): Expr => v(field, gOf(d));
export const iv = (field: string, d: Expr): Expr => v(field, iOf(d));
export const bound = (d: Val): Expr => eq(v('dev.bind_phase', d), 'bound');
/** A driver that maps through the DMA API: K and M (V is driver_managed_dma; N does no DMA, so
 *  the DMA-mode invariants say nothing of it, while the ownership ones still count it). */
export const dmaUser = (d: Val): Expr => or(eq(v('dev.driver', d), 'K'), eq(v('dev.driver', d), 'M'));

/** Where a kernel keeps the client's DMA mode: dev->dma_ops (decided by arch_setup_dma_ops, up
 *  to v6.6) or dev->dma_iommu (set by the IOMMU core, from v6.10/v6.12). */
export type DmaModeField = 'dma_ops' | 'dma_iommu';

/** The client's current DMA mode is iommu-dma. */
export function modeIommu(where: DmaModeField, d: Val): Expr {
  return where === 'dma_iommu' ? eq(v('dev.dma_iommu', d), true) : eq(v('dev.dma_ops', d), 'iommu');
}
/** The client's current DMA mode is dma-direct. */
export function modeDirect(where: DmaModeField, d: Val): Expr {
  return where === 'dma_iommu' ? not(v('dev.dma_iommu', d)) : eq(v('dev.dma_ops', d), 'direct');
}
/** The DMA mode as a value of the {none, direct, iommu} enums. */
export function modeValue(where: DmaModeField, d: Val): Expr {
  return where === 'dma_iommu' ? ite(v('dev.dma_iommu', d), 'iommu', 'direct') : v('dev.dma_ops', d);
}
