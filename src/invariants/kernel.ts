/**
 * The kernel model's invariants (docs/domain/iommu-probe.md 4) as IR properties. Assertion-kind
 * invariants are step asserts (an oops) made by the model's steps; their name is the invariant
 * name. The invariants read the state through kernel-state.ts and know of the built kernel only
 * its KernelShape.
 */
import { add, and, at, count, eq, exists, FALSE, forall, forallOf, implies, ite, ne, next, not, or, v } from '../ir/dsl';
import type { Expr, Property } from '../ir/types';
import { END } from '../ir/types';
import { bound, dmaUser, gOf as G, grp, hasGrp, modeDirect, modeIommu, type DmaModeField } from './kernel-state';

/** What the invariants need to know about a built kernel model. */
export interface KernelShape {
  /** The DMA-ownership API exists (group.owner_cnt, the ghost use records). */
  readonly ownership: boolean;
  /** dev->iommu and core-owned groups exist (every form after add_device). */
  readonly devIommu: boolean;
  readonly dmaMode: DmaModeField;
  readonly clientSlots: readonly number[];
  /** Devices in the scenario (slots of 'dev'). */
  readonly devCount: number;
  readonly registrationSlots: readonly number[];
  /** IOMMU instances whose own driver must end bound or failed (not idle). */
  readonly iommusToSettle: readonly number[];
  /** Per IOMMU instance: from when it faults DMA of an unattached stream (disable_bypass). */
  readonly unattachedFault: readonly ('bound' | 'listed' | 'never')[];
  /** The model has actor S (a sysfs default-domain type change). */
  readonly sysfsType?: boolean;
}

export interface InvariantDef {
  readonly name: string;
  readonly kind: 'invariant' | 'transition' | 'terminal' | 'assertion';
  readonly doc: string;
  /** null when the model has no such state (e.g. ownership before v5.19). */
  readonly build?: (k: KernelShape, crashed: Expr) => Expr | null;
}

const inG = (d: Expr, g: Expr) => eq(grp(d), g);

/** What the hardware does with d's DMA: 0 firmware/bypass, 1 Dd (DMA), 2 Dd (identity), 3 Db, 4 Du. */
function translation(d: Expr, primed: boolean): Expr {
  const rd = (f: string, i: Expr) => (primed ? next(f, i) : v(f, i));
  const g = G(d);
  const dom = rd('group.domain', g);
  const on = and(ne(rd('dev.iommu_group', d), 'none'), rd('dev.in_group_list', d));
  return ite(on,
    ite(eq(dom, 'dd'), ite(eq(rd('group.default_domain', g), 'dma'), 1, 2), ite(eq(dom, 'db'), 3, ite(eq(dom, 'du'), 4, 0))),
    0);
}

export const INVARIANT_DEFS: readonly InvariantDef[] = [
  {
    name: 'BoundImpliesCorrectDmaOps', kind: 'invariant',
    doc: 'A bound DMA-API driver uses iommu DMA ops iff its group\'s current domain is its DMA default domain: (a) bound with iommu => DMA default domain; (b) grouped, DMA default domain attached => bound with iommu (iommu-probe.md 4.1).',
    build: () => forall('dev', (d) => implies(and(bound(d), dmaUser(d)), and(
      implies(eq(v('ghost.bound_dma_mode', d), 'iommu'), and(hasGrp(d), eq(v('group.default_domain', G(d)), 'dma'))),
      implies(and(hasGrp(d), eq(v('group.default_domain', G(d)), 'dma'), eq(v('group.domain', G(d)), 'dd')), eq(v('ghost.bound_dma_mode', d), 'iommu')),
    ))),
  },
  {
    name: 'DmaOpsMatchDomain', kind: 'invariant',
    doc: '(a) a device whose DMA-API driver runs (probe body or bound) in iommu DMA mode => the group\'s current domain is a DMA domain with an IOVA cookie; (b) dma-direct with live mappings => no translating domain (none, identity, or a private domain) (iommu-probe.md 4.2, iommu-probe-v6.15.md 5.5).',
    build: (k) => forall('dev', (d) => and(
      implies(and(dmaUser(d), or(eq(v('dev.bind_phase', d), 'drv_probe'), bound(d)), modeIommu(k.dmaMode, d)), and(hasGrp(d), eq(v('group.domain', G(d)), 'dd'), eq(v('group.default_domain', G(d)), 'dma'))),
      implies(and(modeDirect(k.dmaMode, d), or(eq(v('dev.live_maps', d), 'direct'), eq(v('dev.live_maps', d), 'both'))),
        or(not(hasGrp(d)), eq(v('group.domain', G(d)), 'none'), and(eq(v('group.domain', G(d)), 'dd'), eq(v('group.default_domain', G(d)), 'identity')), ne(v('group.domain', G(d)), 'dd'))),
    )),
  },
  {
    name: 'OwnerCountBalanced', kind: 'invariant',
    doc: 'owner_cnt = counted kernel users in the group + 1 for a user-space owner; a user-owned group has no counted kernel user (iommu-probe.md 4.3).',
    build: (k) => (k.ownership ? forall('group', (g) => and(
      eq(v('group.owner_cnt', g), add(count('dev', (d) => and(inG(d, g), eq(v('ghost.use_counted', d), 'counted'))), ite(eq(v('group.owner', g), 'U'), 1, 0))),
      implies(eq(v('group.owner', g), 'U'), not(exists('dev', (d) => and(inG(d, g), eq(v('ghost.use_counted', d), 'counted'))))),
    )) : null),
  },
  {
    name: 'OwnerCountMatchesDmaApiBinders', kind: 'invariant',
    doc: 'In a group without a user owner, owner_cnt equals the number of its devices bound (or binding past the use) to a DMA-API driver (iommu-probe.md 4.4).',
    build: (k) => (k.ownership ? forall('group', (g) => implies(eq(v('group.owner', g), 'null'),
      eq(v('group.owner_cnt', g), count('dev', (d) => and(inG(d, g), v('ghost.kernel_dma_user', d)))))) : null),
  },
  {
    name: 'UnuseMatchesUse', kind: 'invariant',
    doc: 'Every iommu_device_unuse_default_domain (unuse_dec) undoes a counted use of the same device (iommu-probe.md 4.5; recorded in ghost.bad_unuse at the step).',
    build: (k) => (k.ownership ? not(v('ghost.bad_unuse')) : null),
  },
  {
    name: 'KernelUserExclusive', kind: 'invariant',
    doc: 'No group is owned by user space while a device in it is a kernel DMA user (iommu-probe.md 4.6).',
    build: (k) => (k.ownership ? forall('group', (g) => implies(eq(v('group.owner', g), 'U'),
      not(exists('dev', (d) => and(inG(d, g), v('ghost.kernel_dma_user', d)))))) : null),
  },
  { name: 'NoNullOpsDeref', kind: 'assertion', doc: 'r_group (dev_iommu_ops) and the arm-smmu instance lookup dereference a registered instance (iommu-probe.md 4.7; C_NULL_OPS, C_SMMU_LOOKUP); p_finalize (dev_iommu_ops after iommu_probe_device) finds dev->iommu->iommu_dev set (iommu-probe-v6.15.md 5.3).' },
  { name: 'DomainFreeSafe', kind: 'assertion', doc: 'gr_destroy_ctx tears down a context only if it was initialised (iommu-probe.md 4.8; C_IPMMU_FREE).' },
  { name: 'DmaUnmapMatchesMap', kind: 'assertion', doc: 'A driver unmaps its DMA handles through the DMA API implementation that mapped them: a dma-direct handle unmapped after the mode flipped to iommu-dma hits WARN_ON(unmapped != size) in __iommu_dma_unmap (6.14 dma-iommu.c:840-841; REVIEW not-modelled 5).' },
  { name: 'DmaApiDomainHasCookie', kind: 'assertion', doc: 'Every iommu-dma entry (d_map, m_dma_map_sg in iommu mode) finds a DMA domain with an initialised IOVA cookie (iommu-probe.md 4.9; C_DMA_COOKIE).' },
  {
    name: 'NoTranslationChangeUnderLiveDma', kind: 'transition',
    doc: 'While a device has live DMA (bootloader DMA or driver mappings), a step changes its translation only to bypass/identity or to the domain its live mappings were made in (iommu-probe.md 4.10).',
    build: () => forall('dev', (d) => implies(
      and(ne(translation(d, false), translation(d, true)), or(v('ghost.fw_dma_live', d), ne(v('dev.live_maps', d), 'none'))),
      or(eq(translation(d, true), 0), eq(translation(d, true), 2), and(eq(v('dev.live_maps', d), 'iommu'), not(v('ghost.fw_dma_live', d)), eq(translation(d, true), 1))),
    )),
  },
  {
    name: 'GroupMembershipConsistent', kind: 'invariant',
    doc: '(a) on a group list => grouped; (b) grouped => the group exists with a reference (v4.19); (e) a device is only ever in its own group (iommu-probe.md 4.11).',
    build: (k) => forall('dev', (d) => and(
      implies(v('dev.in_group_list', d), hasGrp(d)),
      implies(hasGrp(d), eq(grp(d), G(d))),
      ...(k.devIommu ? [] : [implies(hasGrp(d), and(v('group.exists', G(d)), { kind: 'bin', op: 'ge', left: v('group.ref', G(d)), right: { kind: 'lit', value: 1 } } as Expr))]),
    )),
  },
  {
    name: 'NoUnattachedDma', kind: 'invariant',
    doc: 'A device doing DMA with dma-direct through an IOMMU that faults unattached streams (arm-smmu, SMMUv3 with disable_bypass) is attached to a domain; else its DMA is aborted (REVIEW not-modelled 4).',
    build: (k) => forall('dev', (d) => implies(
      and(or(eq(v('dev.live_maps', d), 'direct'), eq(v('dev.live_maps', d), 'both')), or(...k.unattachedFault.map((from, i) =>
        and(eq(v('dev.fw_iommu', d), i), from === 'never' ? FALSE : from === 'bound' ? eq(v('iommu.driver_state', i), 'bound') : v('iommu.listed', i))))),
      and(hasGrp(d), v('dev.in_group_list', d), ne(v('group.domain', G(d)), 'none')),
    )),
  },
  {
    name: 'NoFreedInstanceListed', kind: 'invariant',
    doc: 'An IOMMU instance whose driver probe returned an error (the struct iommu_device inside its devm-allocated state is freed) is not on iommu_device_list; else the next iommu_ops_from_fwnode or iommu_device_register walks freed memory (5.10.265 arm-smmu.c:2260-2261 against 5.15.215 2232-2235). Checked from v5.10 (dev->iommu era); the add_device era\'s error paths are not modelled.',
    build: (k) => (k.devIommu ? forall('iommu', (i) => implies(v('iommu.listed', i), and(ne(v('iommu.driver_state', i), 'failed'), ne(v('iommu.driver_state', i), 'deferred')))) : null),
  },
  {
    name: 'GroupImpliesIommuDev', kind: 'invariant',
    doc: 'A grouped device has dev->iommu with its iommu_dev set (iommu-probe.md 4.15; v5.17+).',
    build: (k) => (k.devIommu ? forall('dev', (d) => implies(hasGrp(d), and(eq(v('dev.iommu', d), 'alloc'), ne(v('dev.iommu_iommu_dev', d), 'none')))) : null),
  },
  {
    name: 'NoDefaultDomainChangeUnderDriver', kind: 'transition',
    doc: 'A group\'s default domain is replaced (a sysfs type change) only while no device of the group is bound (driver_bound done, the unbind not begun) to a driver that is not driver_managed_dma: iommu_group_store_type() "requires the users to unbind the drivers" (6.6.150 iommu.c:3057-3059), checked by device_is_bound under device_lock (v5.11 .. v6.3) or by owner_cnt (49a22aae7d9c, v6.4). A change in the middle of a bind is left to the DMA-mode invariants. Built only with actor S; a replacement by a domain of the same type is not seen (REVIEW-2026-12 not-modelled 8).',
    build: (k) => (k.sysfsType ? forall('group', (g) => implies(
      and(ne(v('group.default_domain', g), 'none'), ne(next('group.default_domain', g), v('group.default_domain', g))),
      not(exists('dev', (d) => and(inG(d, g), bound(d), ne(v('dev.driver', d), 'V')))),
    )) : null),
  },
  { name: 'NoDeadlock', kind: 'terminal', doc: 'Built into the IR: a state with no enabled step has every actor at its end.' },
  {
    name: 'EventuallyResolved', kind: 'terminal',
    doc: 'Every terminal state without an oops has each client bound, failed for good, or deferred while its IOMMU is not bound, and each registering IOMMU bound or failed (iommu-probe.md 4.13).',
    build: (k, crashed) => or(crashed, and(
      forallOf('dev', k.devCount, k.clientSlots, (s) => or(bound(s), eq(v('dev.bind_phase', s), 'idle'))),
      forallOf('dev', k.devCount, k.clientSlots, (s) => implies(v('dev.deferred', s), ne(v('iommu.driver_state', v('dev.fw_iommu', s)), 'bound'))),
      ...k.registrationSlots.map((s) => at('R', s, END)),
      ...k.iommusToSettle.map((i) => ne(v('iommu.driver_state', i), 'idle')),
    )),
  },
];

export function buildProperties(k: KernelShape, crashed: Expr, wanted: readonly string[]): Property[] {
  const out: Property[] = [];
  for (const def of INVARIANT_DEFS) {
    if (!def.build || !wanted.includes(def.name)) continue;
    const e = def.build(k, crashed);
    if (!e) continue;
    out.push({ name: def.name, kind: def.kind === 'assertion' ? 'invariant' : def.kind, expr: e, doc: def.doc });
  }
  return out;
}
