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
  /** 01657bc14a39 (v6.2; 6.1.2): a function-static iommu_probe_device_lock inside
   *  __iommu_probe_device (the v6.6 tag); superseded by the file-scope lock. */
  probe_lock_function_static: boolean;
  /** 6eb4da8cf545 + f188056352bc (v6.6-rc1): __iommu_probe_device returns 0 for a device already
   *  in a group, under the probe lock (the init_device body). Not in 6.1.y. */
  probe_returns_early_if_grouped: boolean;
  /** 17de3f5fdd35 "iommu: Retire bus ops" (v6.8-rc1, merged with iommu-updates-v6.8): __iommu_probe_device takes its ops
   *  from the device's fwspec (iommu_fwspec_ops; 6.12.63 iommu.c:528), not from dev->bus, so
   *  there is no window between list_add and setting the bus ops. */
  probe_ops_from_fwspec: boolean;
  /** 57365a04c921 (v6.1): iommu_device_register returns -EBUSY, before listing the instance,
   *  when the platform bus holds another driver's ops ("Temporarily enforce global restriction
   *  to a single driver"); 17de3f5fdd35 "iommu: Retire bus ops" (v6.8) removes the test with the
   *  bus ops. Only a scenario that mixes IOMMU drivers can fail it (mixed-drivers.ts). */
  register_refuses_other_driver: boolean;
  /** a2e7e59a9426 (6.6.5; 6.1.68): file-scope iommu_probe_device_lock taken by the callers and by
   *  of_iommu_configure's fwspec section. */
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
  /** 95deee37a123 (v6.15-rc6): platform_dma_configure reads dev->driver once (READ_ONCE) and
   *  tests it; before, the walk's dma_configure (bcb81ac6ae3c) dereferenced to_platform_driver
   *  of a NULL dev->driver. Either way, with a driver it calls iommu_device_use_default_domain. */
  platform_dma_configure_driver_snapshot: boolean;
  /** 78447d4545b2 (v6.17; 6.16.y and 6.15.y, Aug 2025): pci_dma_configure the same (READ_ONCE and a NULL test). */
  pci_dma_configure_driver_snapshot: boolean;
  /** amba_dma_configure the same: posted by Ketan Kishore (Jul 2026, Fixes: bcb81ac6ae3c), not
   *  merged in any modelled kernel (iommu-probe-after-v6.15.md 2.4). */
  amba_dma_configure_driver_snapshot: boolean;
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
  /** The IOMMU driver's probe unregisters its instance when bus_set_iommu's walk fails
   *  (arm-smmu: 5.15.215 arm-smmu.c:2232-2235, 5.17-rc5 2217-2223); 5.10.y returns the error
   *  with the instance still on iommu_device_list and its memory freed by devres
   *  (5.10.265 arm-smmu.c:2260-2261). The mainline commit is 249c9dc6aa0d "iommu/arm: Cleanup
   *  resources in case of probe error path" (v5.14; SMMUv3 too: 5.15.215 arm-smmu-v3.c:3968-3977
   *  against 5.10.265 3611). */
  iommu_probe_unwinds_register: boolean;
  /** 7d835134d4e1 (v6.14): arm-smmu finds its own instance once listed. */
  iommu_self_lookup_during_register: boolean;
  /** 0e764a01015d (v5.8): qcom clients get an identity default domain. */
  qcom_identity_default: boolean;
  /** msm used dma_map_sg for cache maintenance until 0036bc73ccbe (v5.3). */
  msm_dma_map_for_cache: boolean;
  /** iommu_group_store_type() (`echo TYPE > /sys/kernel/iommu_groups/N/type`, actor S):
   *  absent before 08a27c1c3ecf (v5.11); from it, single-device groups only, refused while
   *  device_is_bound(dev) under device_lock(dev), the change in iommu_change_dev_def_domain()
   *  under group->mutex (5.15.215 iommu.c:3151-3367, the same in 5.17-rc5, 5.19.0 and 6.1.166);
   *  from 49a22aae7d9c (v6.4) one group->mutex section refused while owner_cnt != 0, for any
   *  group size (6.6.150 iommu.c:3067-3127; 6.12.63 3047-3099; 6.18.9 3085-3137). Where the new
   *  domain's DMA ops are set follows dma_mode_decided_in (b67483b3c44e moved
   *  iommu_setup_dma_ops() inside the mutex). */
  sysfs_group_type_store: 'absent' | 'device_lock' | 'owner_cnt';
}

export type FlagName = keyof KernelFlags;

/** How a kernel baseline was checked against source (REVIEW-2026-12, iommu-probe-lts.md,
 *  iommu-probe-after-v6.15.md): the tree read, and whether it is that release. */
export interface Verification {
  readonly status: 'verified' | 'partly' | 'reconstructed' | 'inferred';
  readonly tree: string;
}

export interface KernelDef {
  readonly name: string;
  /** What the name is: a tag, a stable point release, an LTS line (its newest point release
   *  read), or mainline. */
  readonly kind: 'tag' | 'point' | 'lts' | 'mainline';
  readonly doc: string;
  /** The kernel this one is a delta from: its flags and its commits are inherited. */
  readonly base?: string;
  /** The flags that differ from the base. */
  readonly changes: Partial<KernelFlags>;
  /** The commits that make the difference (the base's are inherited). */
  readonly commits: readonly { id: string; title: string }[];
  readonly verified: Verification;
  /** The default kernel. */
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
  probe_lock_function_static: false,
  probe_returns_early_if_grouped: false,
  probe_ops_from_fwspec: false,
  register_refuses_other_driver: false,
  probe_lock_global_held_by_callers: false,
  dt_acpi_parsing_in_probe_path: false,
  walk_recheck_after_relock: false,
  configure_error_frees_dev_iommu: false,
  registration_race_fix: false,
  dma_api_domain_lookup: 'current_domain',
  platform_dma_configure_driver_snapshot: false,
  pci_dma_configure_driver_snapshot: false,
  amba_dma_configure_driver_snapshot: false,
  dma_mode_decided_in: 'client_arch_setup',
  dma_ownership_api: false,
  use_default_domain_site: 'after_fw_configure',
  use_default_domain_defers_if_no_default_domain: false,
  probe_device_defers_if_no_default_domain: false,
  dma_cleanup_callback: false,
  claim_semantics: 'none',
  arm_smmu_defer_hack: false,
  iommu_probe_unwinds_register: false,
  iommu_self_lookup_during_register: false,
  qcom_identity_default: false,
  msm_dma_map_for_cache: true,
  sysfs_group_type_store: 'absent',
};
const C = (id: string, title: string) => ({ id, title });

/**
 * The kernels, each a delta from its base. Mainline releases chain (v4.19 .. v6.15, v6.19,
 * v7.0); a stable line or point release branches from the release it is a stable copy of.
 */
const DEFS: readonly KernelDef[] = [
  {
    name: 'v4.19', kind: 'tag', changes: v419,
    doc: 'add_device era; bus_set_iommu walks the bus with add_iommu_group; of_iommu_configure replays add_device when !dev->iommu_group; arm64 arch_setup_dma_ops decides dev->dma_ops.',
    commits: [
      C('6c2fb2ea7636', 'of/device: Set bus DMA mask as appropriate [inferred: in v4.19]'),
      C('97890ba9289c', 'dma-mapping: detect and configure IOMMU in of_dma_configure'),
    ],
    verified: { status: 'partly', tree: 'Pascal-0x90/linux-4.19 (4.19.95)' },
  },
  {
    name: 'v4.20-rc1', kind: 'tag', base: 'v4.19',
    changes: { dma_capable_uses_bus_mask: true, dma_api_domain_lookup: 'default_domain' },
    doc: 'v4.19 plus b4ebe6063204, so the unconditional bus_dma_mask makes the IPMMU bounce its page tables (seed 000); iommu-dma maps into the default domain (6af588fed391).',
    commits: [
      C('b4ebe6063204', 'dma-direct: implement complete bus_dma_mask handling'),
      C('6af588fed391', 'iommu: Add fast hook for getting DMA domains'),
      C('43c5bf11a610', 'iommu/dma: Use fast DMA domain lookup [inferred title]'),
    ],
    verified: { status: 'inferred', tree: 'none for the tag: seed 000 mail; a4913994/linux-4.20 (4.20.0) for dma-iommu' },
  },
  {
    name: 'v5.10.y', kind: 'lts', base: 'v4.20-rc1',
    changes: { probe_op: 'probe_device', bus_dma_mask_unconditional: false, ipmmu_destroy_guard: true, qcom_identity_default: true, arm_smmu_defer_hack: true },
    doc: '5.10.265: probe_device with core-owned groups, bus_iommu_probe from bus_set_iommu, no probe lock, no DMA-ownership API; the arm-smmu defer hack since 5.10.231 (it fires inside bus_set_iommu\'s walk and aborts the bus registration).',
    commits: [
      C('6778be4e5209', 'of/device: Really only set bus DMA mask when appropriate'),
      C('e5b78f2e349e', 'iommu/ipmmu-vmsa: Fix crash on early domain free [inferred id]'),
      C('0e764a01015d', 'iommu/arm-smmu: Allow client devices to select direct mapping'),
      C('e1bf29e022fb', 'drm/msm: drop cache sync hack'),
      C('229e6ee43d2a', 'iommu/arm-smmu: Defer probe of clients after smmu device bound (5.10.231)'),
    ],
    verified: { status: 'verified', tree: 'unifreq/linux-5.10.y@dd73f55c9408 (5.10.265)' },
  },
  {
    name: 'v5.15.y', kind: 'lts', base: 'v5.10.y', changes: { iommu_probe_unwinds_register: true, sysfs_group_type_store: 'device_lock' },
    doc: '5.15.215: the probe path of 5.10.y (the hack since 5.15.174; 5.15 unwinds the aborted SMMU probe and retries); the sysfs default-domain type change of v5.11.',
    commits: [C('08a27c1c3ecf', 'iommu: Add support to change default domain of an iommu group (v5.11)')],
    verified: { status: 'verified', tree: 'unifreq/linux-5.15.y@5c88653f6cce (5.15.215)' },
  },
  {
    name: 'v5.17', kind: 'tag', base: 'v4.20-rc1',
    changes: { probe_op: 'probe_device', bus_dma_mask_unconditional: false, ipmmu_destroy_guard: true, qcom_identity_default: true, iommu_probe_unwinds_register: true, sysfs_group_type_store: 'device_lock' },
    doc: 'probe_device with core-owned groups, bus_iommu_probe from bus_set_iommu, replay guarded by !device_iommu_mapped; no DMA-ownership API; the SMMU probe unregisters its instance when the walk fails; the sysfs default-domain type change (v5.11) for single-device groups under device_lock.',
    commits: [
      C('6778be4e5209', 'of/device: Really only set bus DMA mask when appropriate'),
      C('e5b78f2e349e', 'iommu/ipmmu-vmsa: Fix crash on early domain free [inferred id]'),
      C('e1bf29e022fb', 'drm/msm: drop cache sync hack (v5.10: dma_map_sgtable again, after 0036bc73ccbe/3de433c5b38a in v5.3..v5.9)'),
      C('0e764a01015d', 'iommu/arm-smmu: Allow client devices to select direct mapping'),
      C('885e50253bfd', 'driver core: Move driver_sysfs_remove() after driver_sysfs_add()'),
      C('00eb74ea2c14', 'driver core: dma_configure failure skips dma_cleanup (v5.17-rc1)'),
      C('08a27c1c3ecf', 'iommu: Add support to change default domain of an iommu group (v5.11)'),
    ],
    verified: { status: 'partly', tree: 'dunli/linux-5.17 (5.17-rc5)' },
  },
  {
    name: 'v5.19', kind: 'tag', base: 'v5.17',
    changes: { group_get_for_dev_ops_source: 'dev_iommu_ops', dma_ownership_api: true, use_default_domain_site: 'after_fw_configure', dma_cleanup_callback: true, claim_semantics: 'blocking_domain' },
    doc: 'DMA ownership (the v8 order: use after a successful firmware configure), blocking-domain claim; dev_iommu_ops in iommu_group_get_for_dev.',
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
    verified: { status: 'verified', tree: 'yishangzhang/linux-5.19 (5.19.0)' },
  },
  {
    name: 'v6.1', kind: 'tag', base: 'v5.19',
    changes: { registration_model: 'walk_in_iommu_device_register', probe_device_rejects_unregistered_instance: true,
      register_refuses_other_driver: true },
    doc: 'the bus walk runs inside iommu_device_register per instance (57365a04c921), notifiers at boot (c13dbc1e2485); Intel/AMD units refuse devices until registered (c919739ce472, cbc040081fdf).',
    commits: [
      C('2380f1e8195e', 'iommu: Fix false ownership failure on AMD systems with PASID activated'),
      C('c919739ce472', 'iommu/vt-d: Handle race between registration and device probe'),
      C('cbc040081fdf', 'iommu/amd: Handle race between registration and device probe'),
      C('927a5fdd949a', 'iommu/s390: Fix race with release_device ops'),
      C('c13dbc1e2485', 'iommu: Always register bus notifiers'),
      C('57365a04c921', 'iommu: Move bus setup to IOMMU device registration'),
      C('29e932295bfa', 'iommu: Clean up bus_set_iommu()'),
    ],
    verified: { status: 'partly', tree: 'krr-io/linux-6.1.0 (6.1.0-rc7)' },
  },
  {
    name: 'v6.1.67', kind: 'point', base: 'v6.1', changes: { probe_lock_function_static: true },
    doc: '6.1.2 .. 6.1.67: the v6.1 probe body under a function-static lock that __iommu_probe_device takes after the bus-ops test and drops before iommu_device_link (01657bc14a39; 6.1.67 iommu.c:286-345, the same in 6.1.2); no grouped early return, no arm-smmu hack. 6.1.68 replaces it with the file-scope lock (v6.1.y).',
    commits: [
      C('01657bc14a39', 'iommu: Avoid races around device probe (6.1.2)'),
    ],
    verified: { status: 'verified', tree: 'unifreq/linux-6.1.y@bea82818e117 (6.1.67)' },
  },
  {
    name: 'v6.1.y', kind: 'lts', base: 'v6.1',
    changes: { probe_lock_global_held_by_callers: true, arm_smmu_defer_hack: true },
    doc: '6.1.166: the file-scope probe lock from 6.1.68 (a2e7e59a9426) around the v6.1 probe body, without 6eb4da8cf545\'s grouped early return; the arm-smmu defer hack from 6.1.120 (6.1.2 .. 6.1.67: v6.1.67).',
    commits: [
      C('01657bc14a39', 'iommu: Avoid races around device probe (6.1.2; superseded)'),
      C('a2e7e59a9426', 'iommu: Avoid more races around device probe (6.1.68)'),
      C('229e6ee43d2a', 'iommu/arm-smmu: Defer probe of clients after smmu device bound (6.1.120)'),
    ],
    verified: { status: 'verified', tree: 'unifreq/linux-6.1.y@525d1212a677 (6.1.166)' },
  },
  {
    name: 'v6.6', kind: 'tag', base: 'v6.1',
    changes: { probe_lock_function_static: true, probe_returns_early_if_grouped: true, of_replay_condition: 'always', sysfs_group_type_store: 'owner_cnt' },
    doc: 'the tag: a function-static probe lock inside __iommu_probe_device (01657bc14a39) around the grouped early return (6eb4da8cf545); of_iommu_configure takes no lock and replays unconditionally (ERRATA 6d); arm64 still decides dev->dma_ops in arch_setup_dma_ops; no arm-smmu hack (6.6.9: CVE-2024-56568).',
    commits: [
      C('01657bc14a39', 'iommu: Avoid races around device probe (function-static lock; v6.2)'),
      C('89395ccedbc1', 'iommu: Add device-centric DMA ownership interfaces'),
      C('6eb4da8cf545', 'iommu: Have __iommu_probe_device() check for already probed devices'),
      C('f188056352bc', 'iommu: Avoid locking/unlocking for iommu_probe_device()'),
      C('49a22aae7d9c', 'iommu: Replace device_lock() with group->mutex (v6.4: the sysfs type change refused while owner_cnt != 0)'),
    ],
    verified: { status: 'verified', tree: 'unifreq/linux-6.6.y@5fda8f9c7f90 (6.6.0)' },
  },
  {
    name: 'v6.6.5', kind: 'point', base: 'v6.6',
    changes: { probe_lock_global_held_by_callers: true },
    doc: '6.6.5 .. 6.6.65: the file-scope probe lock taken by the callers and by of_iommu_configure\'s fwspec section (a2e7e59a9426).',
    commits: [C('a2e7e59a9426', 'iommu: Avoid more races around device probe (6.6.5)')],
    verified: { status: 'verified', tree: 'mihaelbh linux-6.6.9 (6.6.9); unifreq/linux-6.6.y history' },
  },
  {
    name: 'v6.6.87', kind: 'point', base: 'v6.6.5',
    changes: { arm_smmu_defer_hack: true },
    doc: '6.6.66 .. 6.6.89: v6.6.5 plus the 229e6ee43d2a backport (arm-smmu defers its clients until bound; on the walk that aborts the registration).',
    commits: [C('229e6ee43d2a', 'iommu/arm-smmu: Defer probe of clients after smmu device bound (6.6.66)')],
    verified: { status: 'verified', tree: 'Yunbaby8/linux-6.6.87-lab (6.6.87)' },
  },
  {
    name: 'v6.6.y', kind: 'lts', base: 'v6.6.87',
    changes: { use_default_domain_defers_if_no_default_domain: true, probe_device_defers_if_no_default_domain: true },
    doc: '6.6.90 .. 6.6.150: b46064a18810 in its 6.6 form (iommu_device_use_default_domain and iommu_probe_device defer while the group has no default domain); no probe-path change after 6.6.90.',
    commits: [C('b46064a18810', 'iommu: Handle race with default domain setup (6.6 form, 6.6.90)')],
    verified: { status: 'verified', tree: 'unifreq/linux-6.6.y@3c7c31e62162 (6.6.150)' },
  },
  {
    name: 'v6.12.y', kind: 'lts', base: 'v6.6.5',
    changes: { probe_ops_from_fwspec: true, dma_mode_decided_in: 'iommu_core', use_default_domain_defers_if_no_default_domain: true, arm_smmu_defer_hack: true, configure_error_frees_dev_iommu: true,
      register_refuses_other_driver: false },
    doc: '6.12.63: the IOMMU core decides the DMA mode; b46064a18810 from 6.12.26; 3832862eb9c4 from 6.12.31; the arm-smmu hack; no lock drop, no iommu->ready; SMMUv3 still cannot find itself while registering (-ENODEV).',
    commits: [
      C('17de3f5fdd35', 'iommu: Retire bus ops (v6.8)'),
      C('b67483b3c44e', 'iommu/dma: Centralise iommu_setup_dma_ops()'),
      C('b5c58b2fdc42', 'dma-mapping: direct calls for dma-iommu'),
      C('229e6ee43d2a', 'iommu/arm-smmu: Defer probe of clients after smmu device bound'),
      C('b46064a18810', 'iommu: Handle race with default domain setup (6.12.26)'),
      C('280e5a301005', 'iommu: Clear iommu-dma ops on cleanup (6.12.26) [not modelled]'),
      C('3832862eb9c4', 'iommu: Keep dev->iommu state consistent (6.12.31)'),
    ],
    verified: { status: 'verified', tree: 'puppywang/linux-6.12.y@b7b2cdb69909 (6.12.63)' },
  },
  {
    name: 'v6.15', kind: 'tag', base: 'v6.6.5',
    changes: {
      probe_ops_from_fwspec: true, of_replay_condition: 'not_present', dt_acpi_parsing_in_probe_path: true, configure_error_frees_dev_iommu: true, platform_dma_configure_driver_snapshot: true,
      dma_mode_decided_in: 'iommu_core', use_default_domain_defers_if_no_default_domain: true, iommu_self_lookup_during_register: true,
      register_refuses_other_driver: false,
    },
    doc: 'DT/ACPI parsing in the probe path (bcb81ac6ae3c): the bus walk drops the probe lock around dma_configure when !dev->driver; the IOMMU core sets dev->dma_iommu; use_default_domain defers without a default domain (b46064a18810); arm-smmu and SMMUv3 find their instance while registering (7d835134d4e1).',
    commits: [
      C('17de3f5fdd35', 'iommu: Retire bus ops (v6.8)'),
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
      C('95deee37a123', 'platform: Fix race condition during DMA configure at IOMMU probe time'),
    ],
    verified: { status: 'reconstructed', tree: 'perishh/linux-6.14 (6.14.0) plus the 6.15 diffs' },
  },
  {
    name: 'v6.15.y', kind: 'point', base: 'v6.15',
    changes: { walk_recheck_after_relock: true, registration_race_fix: true, pci_dma_configure_driver_snapshot: true },
    doc: '6.15.y as of its last releases: v6.15 plus 0c8e9c148e29 (no lock drop with a fwspec; re-check after relock) and da33e87bd2bf (iommu->ready) from 6.15.1, and the PCI glue\'s READ_ONCE(dev->driver) snapshot (78447d4545b2) from the stable update reviewed on 12 Aug 2025.',
    commits: [
      C('0c8e9c148e29', 'iommu: Avoid introducing more races'),
      C('da33e87bd2bf', 'iommu: Handle yet another race around registration'),
      C('78447d4545b2', 'PCI: Fix driver_managed_dma check (backported: "[PATCH 6.15 287/480]", stable review of 12 Aug 2025)'),
    ],
    verified: { status: 'reconstructed', tree: 'perishh/linux-6.14 plus the 6.15 stable diffs' },
  },
  {
    name: 'v6.18.y', kind: 'lts', base: 'v6.15.y', changes: {}, newest: true,
    doc: '6.18.9: the probe path of v6.15.y, every flag read in whole files; and d9d3cede4167 (ipmmu registers after drvdata).',
    commits: [
      C('d9d3cede4167', 'iommu/ipmmu-vmsa: Register in a sensible order'),
      C('72b6f7cd89ce', 'iommu/virtio: Make instance lookup robust [virtio-iommu: not modelled]'),
    ],
    verified: { status: 'verified', tree: 'unifreq/linux-6.18.y@8e15a5ffa040 (6.18.9)' },
  },
  {
    name: 'v6.19', kind: 'tag', base: 'v6.18.y', changes: {},
    doc: 'the probe path of v6.18.y; the release path changed (e94160488e65, fd714986e4e4; device release is not modelled).',
    commits: [
      C('e94160488e65', 'iommu: Generic support for RMRs during device release [not modelled]'),
      C('fd714986e4e4', 'iommu: Pass in old domain to attach_dev callback functions [not modelled]'),
    ],
    verified: { status: 'verified', tree: 'matankalina/linux-6.19.10-fork@094d869456d2 (an import of 6.19.0; its of_iommu.c and dd.c are the blobs 6b989a62def2 and bea8da5f8a3a of 6.19 mainline mail): every cited function as in 6.18.9 except __iommu_probe_device and device_unbind_cleanup, whose changes no step models' },
  },
  {
    name: 'v7.0', kind: 'tag', base: 'v6.19', changes: {},
    doc: 'the probe path of v6.18.y (the v6.15 walk window is still open); the PCI-reset series serialises iommu_deferred_attach under group->mutex (not modelled).',
    commits: [],
    verified: { status: 'verified', tree: 'julianw1010/WASP-linux-7.0.0@1d9f96d2d248 (an import of 7.0.0): every cited function as in 6.18.9 except six whose changes no step models (iommu_setup_dma_ops and __iommu_device_set_domain signatures, pci_enable_acs, post_unbind_rust, kzalloc_obj)' },
  },
];

/** A kernel with its flags resolved along the base chain. */
export type Kernel = KernelDef & { readonly flags: KernelFlags };
export const KERNEL_DEFS: readonly Kernel[] = DEFS.map((k) => ({ ...k, flags: flagsOf(k) }));

function defOf(name: string): KernelDef {
  const k = DEFS.find((x) => x.name === name);
  if (!k) throw new Error(`internal: kernel ${name} has no definition`);
  return k;
}

function flagsOf(k: KernelDef): KernelFlags {
  return { ...(k.base ? flagsOf(defOf(k.base)) : {}), ...k.changes } as KernelFlags;
}

/** Every commit a kernel includes: its own and those of its bases. */
export function kernelCommits(name: string): { id: string; title: string }[] {
  const k = defOf(name);
  return [...(k.base ? kernelCommits(k.base) : []), ...k.commits];
}
