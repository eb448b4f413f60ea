/**
 * Kernel baselines as feature-flag sets (iommu-probe.md 5.4, iommu-probe-v6.15.md 6). A flag changes which steps the
 * model builder emits or what a step does; every flag names the commit that introduced it.
 */

export interface KernelFlags {
  /** add_device era (v4.19/v4.20) vs probe_device with core-owned groups (v5.x+). */
  probe_op: 'add_device' | 'probe_device';
  /** bus_set_iommu walk (<= v6.0) or the walk inside iommu_device_register (57365a04c921, v6.1). */
  registration_model: 'bus_set_iommu' | 'walk_in_iommu_device_register';
  /** 6c2fb2ea7636: of_dma_configure sets bus_dma_mask without dma-ranges (undone by 6778be4e5209). */
  bus_dma_mask_unconditional: boolean;
  /** b4ebe6063204 (v4.20-rc1): dma_capable() honours bus_dma_mask, so the wrong mask bounces. */
  dma_capable_uses_bus_mask: boolean;
  /** e5b78f2e349e [inferred id]: ipmmu_domain_destroy_context returns early without domain->mmu. */
  ipmmu_destroy_guard: boolean;
  /** 3f6634d997db (v5.18): iommu_group_get_for_dev takes ops from dev_iommu_ops(dev). */
  group_get_for_dev_ops_source: 'bus' | 'dev_iommu_ops';
  /** c919739ce472 / cbc040081fdf (v6.1): an Intel/AMD unit refuses devices until registered. */
  probe_device_rejects_unregistered_instance: boolean;
  /** of_iommu_configure's replay guard: !dev->iommu_group (v4.19 tests it; v5.x calls
   *  device_iommu_mapped(), which is that test); none in v6.6 (ERRATA 6d); !dev_iommu_present
   *  in v6.15. */
  of_replay_condition: 'no_group' | 'always' | 'not_present';
  /** a2e7e59a9426 (6.6.5): file-scope iommu_probe_device_lock taken by the callers and by
   *  of_iommu_configure's fwspec section; with it, __iommu_probe_device returns 0 for a device
   *  already in a group (6eb4da8cf545, f188056352bc; the locked probe-path form). */
  probe_lock_global_held_by_callers: boolean;
  /** bcb81ac6ae3c (v6.15): iommu_init_device drops the probe lock around dev->bus->dma_configure. */
  dt_acpi_parsing_in_probe_path: boolean;
  /** 0c8e9c148e29 (6.15.1): the lock is dropped only without a fwspec, and re-checked after. */
  walk_recheck_after_relock: boolean;
  /** 3832862eb9c4 (v6.15; 6.12.31): the firmware configure's error path frees dev->iommu unless
   *  it was there before; until then a deferred OF client keeps dev->iommu allocated (5.17-rc5
   *  of_iommu.c:34-43, 6.6.87 iommu.c:2840-2861; REVIEW error 8). */
  configure_error_frees_dev_iommu: boolean;
  /** da33e87bd2bf (6.15.1): iommu->ready; iommu_fwspec_init defers while !dev->iommu && !ready. */
  registration_race_fix: boolean;
  /** The domain iommu-dma maps into: the group's current domain (iommu_get_domain_for_dev,
   *  v4.19) or its default domain (iommu_get_dma_domain, 6af588fed391 + 43c5bf11a610, v5.0
   *  [inferred ids]; 5.17-rc5 iommu.c:2300-2303, REVIEW error 4). */
  dma_api_domain_lookup: 'current_domain' | 'default_domain';
  /** b67483b3c44e (v6.10) + b5c58b2fdc42 (v6.12): the IOMMU core sets dev->dma_iommu under GM;
   *  before, arm64 arch_setup_dma_ops decided dev->dma_ops at the client's bind. */
  dma_mode_decided_in: 'client_arch_setup' | 'iommu_core';
  /** 1ea2a07a532b (v5.19; v7 series on v5.17): owner_cnt, use/unuse, claim/release. */
  dma_ownership_api: boolean;
  /** v7: use before of/acpi configure; v8 = 512881eacfa7: after a successful configure. */
  use_default_domain_site: 'before_fw_configure' | 'after_fw_configure';
  /** b46064a18810 (v6.15-rc1; 6.6.90 gated): use defers while the group has no default domain. */
  use_default_domain_defers_if_no_default_domain: boolean;
  /** The 6.6-only hunk of b46064a18810: iommu_probe_device defers too (p_dd_check). */
  probe_device_defers_if_no_default_domain: boolean;
  /** 25f3bcfc54bc (v5.19; v7): bus dma_cleanup unuses on unbind and late probe failure. */
  dma_cleanup_callback: boolean;
  /** v7 claim detaches to no domain; 0286300e6045 (v5.19) attaches a blocking domain. */
  claim_semantics: 'none' | 'detach' | 'blocking_domain';
  /** 229e6ee43d2a (v6.13; 6.6.y backport): arm-smmu probe_device defers while the SMMU is unbound. */
  arm_smmu_defer_hack: boolean;
  /** 7d835134d4e1 (v6.14): arm-smmu finds its own instance once listed. */
  iommu_self_lookup_during_register: boolean;
  /** 0e764a01015d (v5.8): qcom clients get an identity default domain. */
  qcom_identity_default: boolean;
  /** msm used dma_map_sg for cache maintenance until 0036bc73ccbe (v5.3). */
  msm_dma_map_for_cache: boolean;
}

export type FlagName = keyof KernelFlags;

export interface KernelDef {
  readonly name: string;
  readonly doc: string;
  readonly commits: readonly { id: string; title: string }[];
  readonly flags: KernelFlags;
  readonly newest?: boolean;
}

const v419: KernelFlags = {
  probe_op: 'add_device',
  registration_model: 'bus_set_iommu',
  bus_dma_mask_unconditional: true,
  dma_capable_uses_bus_mask: false,
  ipmmu_destroy_guard: false,
  group_get_for_dev_ops_source: 'bus',
  probe_device_rejects_unregistered_instance: false,
  of_replay_condition: 'no_group',
  probe_lock_global_held_by_callers: false,
  dt_acpi_parsing_in_probe_path: false,
  walk_recheck_after_relock: false,
  configure_error_frees_dev_iommu: false,
  registration_race_fix: false,
  dma_api_domain_lookup: 'current_domain',
  dma_mode_decided_in: 'client_arch_setup',
  dma_ownership_api: false,
  use_default_domain_site: 'after_fw_configure',
  use_default_domain_defers_if_no_default_domain: false,
  probe_device_defers_if_no_default_domain: false,
  dma_cleanup_callback: false,
  claim_semantics: 'none',
  arm_smmu_defer_hack: false,
  iommu_self_lookup_during_register: false,
  qcom_identity_default: false,
  msm_dma_map_for_cache: true,
};
const v420: KernelFlags = { ...v419, dma_capable_uses_bus_mask: true };
const v517: KernelFlags = {
  ...v420,
  probe_op: 'probe_device',
  dma_api_domain_lookup: 'default_domain',
  bus_dma_mask_unconditional: false,
  ipmmu_destroy_guard: true,
  qcom_identity_default: true,
  msm_dma_map_for_cache: false,
};
const v519: KernelFlags = {
  ...v517,
  group_get_for_dev_ops_source: 'dev_iommu_ops',
  dma_ownership_api: true,
  use_default_domain_site: 'after_fw_configure',
  dma_cleanup_callback: true,
  claim_semantics: 'blocking_domain',
};
const v61: KernelFlags = {
  ...v519,
  registration_model: 'walk_in_iommu_device_register',
  probe_device_rejects_unregistered_instance: true,
};
const v66: KernelFlags = {
  ...v61,
  of_replay_condition: 'always',
  probe_lock_global_held_by_callers: true,
};
const v615: KernelFlags = {
  ...v66,
  of_replay_condition: 'not_present',
  dt_acpi_parsing_in_probe_path: true,
  configure_error_frees_dev_iommu: true,
  dma_mode_decided_in: 'iommu_core',
  use_default_domain_defers_if_no_default_domain: true,
  iommu_self_lookup_during_register: true,
};
const v615y: KernelFlags = { ...v615, walk_recheck_after_relock: true, registration_race_fix: true };

const C = (id: string, title: string) => ({ id, title });

export const KERNEL_DEFS: readonly KernelDef[] = [
  {
    name: 'v4.19', flags: v419,
    doc: 'v4.19: add_device era; bus_set_iommu walks the bus with add_iommu_group; of_iommu_configure replays add_device when !dev->iommu_group; arm64 arch_setup_dma_ops decides dev->dma_ops (iommu-probe.md 2.1).',
    commits: [
      C('6c2fb2ea7636', 'of/device: Set bus DMA mask as appropriate [inferred: in v4.19]'),
      C('97890ba9289c', 'dma-mapping: detect and configure IOMMU in of_dma_configure'),
    ],
  },
  {
    name: 'v4.20-rc1', flags: v420,
    doc: 'v4.20-rc1: v4.19 plus b4ebe6063204, so the unconditional bus_dma_mask makes the IPMMU bounce its page tables (seed 000).',
    commits: [C('b4ebe6063204', 'dma-direct: implement complete bus_dma_mask handling')],
  },
  {
    name: 'v5.17', flags: v517,
    doc: 'v5.17: probe_device with core-owned groups, bus_iommu_probe from bus_set_iommu, replay guarded by !device_iommu_mapped; no DMA-ownership API (iommu-probe.md 2.2).',
    commits: [
      C('6778be4e5209', 'of/device: Really only set bus DMA mask when appropriate'),
      C('e5b78f2e349e', 'iommu/ipmmu-vmsa: Fix crash on early domain free [inferred id]'),
      C('0036bc73ccbe', 'drm/msm: stop abusing dma_map/unmap for cache'),
      C('3de433c5b38a', 'drm/msm: Use the correct dma_sync calls in msm_gem'),
      C('0e764a01015d', 'iommu/arm-smmu: Allow client devices to select direct mapping'),
      C('885e50253bfd', 'driver core: Move driver_sysfs_remove() after driver_sysfs_add()'),
      C('00eb74ea2c14', 'driver core: dma_configure failure skips dma_cleanup (v5.17-rc1)'),
    ],
  },
  {
    name: 'v5.19', flags: v519,
    doc: 'v5.19: DMA ownership (the v8 order: use after a successful firmware configure), blocking-domain claim; dev_iommu_ops in iommu_group_get_for_dev (iommu-probe.md 2.2).',
    commits: [
      C('3f6634d997db', 'iommu: Use right way to retrieve iommu_ops'),
      C('1ea2a07a532b', 'iommu: Add DMA ownership management interfaces'),
      C('25f3bcfc54bc', 'driver core: Add dma_cleanup callback in bus_type'),
      C('4a6d9dd564d0', 'amba: Stop sharing platform_dma_configure()'),
      C('512881eacfa7', 'bus: platform,amba,fsl-mc,PCI: Add device DMA ownership management'),
      C('18c7a349d072', 'PCI: pci_stub: Set driver_managed_dma'),
      C('c7d469849747', 'PCI: portdrv: Set driver_managed_dma'),
      C('70693f470848', 'vfio: Set DMA ownership for VFIO devices'),
      C('31076af0cb00', 'vfio: Remove use of vfio_group_viable()'),
      C('93219ea94388', 'vfio: Delete the unbound_list'),
      C('0286300e6045', 'iommu: iommu_group_claim_dma_owner() must always assign a domain'),
    ],
  },
  {
    name: 'v6.1', flags: v61,
    doc: 'v6.1: the bus walk runs inside iommu_device_register per instance (57365a04c921), notifiers at boot (c13dbc1e2485); Intel/AMD units refuse devices until registered (c919739ce472, cbc040081fdf).',
    commits: [
      C('2380f1e8195e', 'iommu: Fix false ownership failure on AMD systems with PASID activated'),
      C('c919739ce472', 'iommu/vt-d: Handle race between registration and device probe'),
      C('cbc040081fdf', 'iommu/amd: Handle race between registration and device probe'),
      C('927a5fdd949a', 'iommu/s390: Fix race with release_device ops'),
      C('c13dbc1e2485', 'iommu: Always register bus notifiers'),
      C('57365a04c921', 'iommu: Move bus setup to IOMMU device registration'),
      C('29e932295bfa', 'iommu: Clean up bus_set_iommu()'),
    ],
  },
  {
    name: 'v6.6', flags: v66,
    doc: 'v6.6 (6.6.5 .. 6.6.89): file-scope probe lock taken by callers (a2e7e59a9426), __iommu_probe_device returns 0 for a grouped device (6eb4da8cf545, f188056352bc), the OF replay is unconditional (ERRATA 6d); arm64 still decides dev->dma_ops in arch_setup_dma_ops.',
    commits: [
      C('01657bc14a39', 'iommu: Avoid races around device probe'),
      C('89395ccedbc1', 'iommu: Add device-centric DMA ownership interfaces'),
      C('6eb4da8cf545', 'iommu: Have __iommu_probe_device() check for already probed devices'),
      C('f188056352bc', 'iommu: Avoid locking/unlocking for iommu_probe_device()'),
      C('a2e7e59a9426', 'iommu: Avoid more races around device probe (6.6.5)'),
    ],
  },
  {
    name: 'v6.15', flags: v615,
    doc: 'v6.15 tag: DT/ACPI parsing in the probe path (bcb81ac6ae3c): the bus walk drops the probe lock around dma_configure when !dev->driver; the IOMMU core sets dev->dma_iommu; use_default_domain defers without a default domain (b46064a18810).',
    commits: [
      C('b67483b3c44e', 'iommu/dma: Centralise iommu_setup_dma_ops()'),
      C('b5c58b2fdc42', 'dma-mapping: direct calls for dma-iommu'),
      C('229e6ee43d2a', 'iommu/arm-smmu: Defer probe of clients after smmu device bound'),
      C('97cb1fa02726', 'iommu/arm-smmu: Retire probe deferral workaround'),
      C('7d835134d4e1', 'iommu/arm-smmu: Make instance lookup robust'),
      C('b46064a18810', 'iommu: Handle race with default domain setup'),
      C('fd598f71b669', 'iommu: Resolve ops in iommu_init_device()'),
      C('3832862eb9c4', 'iommu: Keep dev->iommu state consistent'),
      C('bcb81ac6ae3c', 'iommu: Get DT/ACPI parsing into the proper probe path'),
      C('73d2f10957f5', 'iommu: late IOMMU probe at driver bind warning'),
      C('95deee37a123', 'platform: Fix race condition during DMA configure at IOMMU probe time [not modelled: the walk\'s own use of the default domain]'),
    ],
  },
  {
    name: 'v6.15.y', flags: v615y, newest: true,
    doc: '6.15.1 onwards: v6.15 plus 0c8e9c148e29 (no lock drop with a fwspec; re-check after relock) and da33e87bd2bf (iommu->ready).',
    commits: [
      C('0c8e9c148e29', 'iommu: Avoid introducing more races'),
      C('da33e87bd2bf', 'iommu: Handle yet another race around registration'),
    ],
  },
];

/** Every commit a kernel includes: its own and those of the older baselines. */
export function kernelCommits(name: string): { id: string; title: string }[] {
  const out: { id: string; title: string }[] = [];
  for (const k of KERNEL_DEFS) {
    out.push(...k.commits);
    if (k.name === name) return out;
  }
  return out;
}
