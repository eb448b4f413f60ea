/**
 * Kernel flags -> code forms. This is the only place that decides which shape a code path has
 * for a set of flags; the builders under paths/ and actors/ read forms. A flag is read outside
 * this file only inside the one form whose step it changes: a branch, or one added check such
 * as p_dd_check (b46064a18810's 6.6 form) or r_recheck (0c8e9c148e29).
 *
 * A form names a shape of a kernel code path, not a release: patches move a kernel from one
 * form to another (57365a04c921 on v5.19, dma-owner-v7 on v5.17), so forms follow the flags.
 */
import type { KernelFlags } from './kernels';

/**
 * The body of iommu_probe_device() and of the bus walk's per-device probe:
 * - add_device (v4.19, v4.20): ops->add_device -> iommu_group_get_for_dev; no dev->iommu.
 * - probe_device (v5.17 .. v6.1.y): __iommu_probe_device with core-owned groups;
 *   iommu_probe_device sets up the default domain itself (p_alloc_dd); only the walk's
 *   probe_iommu_group skips a grouped device.
 * - init_device (v6.6: 6eb4da8cf545, f188056352bc): iommu_init_device; __iommu_probe_device
 *   returns 0 for a grouped device, under the probe lock.
 * - dropping (v6.15: bcb81ac6ae3c): iommu_init_device drops the lock around dma_configure.
 */
export type ProbePathForm = 'add_device' | 'probe_device' | 'init_device' | 'dropping';

/** Where iommu_probe_device_lock is taken: nowhere (< v6.2, < 6.1.2), inside
 *  __iommu_probe_device (01657bc14a39: function-static; the v6.6 tag), or by the callers and the
 *  OF/ACPI fwspec section (a2e7e59a9426: file scope; 6.6.5, 6.1.68). */
export type ProbeLockForm = 'none' | 'function_static' | 'file_scope';

/** Where the bus walk runs: bus_set_iommu (<= v6.0) or iommu_device_register (57365a04c921). */
export type RegistrationForm = 'bus_set_iommu' | 'walk_in_register';

/** Who decides the client's DMA mode: arm64 arch_setup_dma_ops at the client's bind, or the
 *  IOMMU core under group->mutex (b67483b3c44e, b5c58b2fdc42). */
export type DmaModeForm = 'client_arch_setup' | 'iommu_core';

/** iommu_device_use_default_domain in the bus glue: absent (< v5.19), before the firmware
 *  configure (the v7 series), or after a successful one (512881eacfa7). */
export type OwnershipForm = 'none' | 'use_before_fw' | 'use_after_fw';

export interface Forms {
  readonly probe: ProbePathForm;
  readonly probeLock: ProbeLockForm;
  readonly registration: RegistrationForm;
  readonly dmaMode: DmaModeForm;
  readonly ownership: OwnershipForm;
}

/** The forms a set of flags selects; a combination no kernel has is refused with one line. */
export function formsOf(f: KernelFlags): Forms {
  return {
    probe: probePathForm(f),
    probeLock: f.probe_op === 'add_device' ? 'none' : f.probe_lock_global_held_by_callers ? 'file_scope' : f.probe_lock_function_static ? 'function_static' : 'none',
    registration: f.probe_op === 'probe_device' && f.registration_model === 'walk_in_iommu_device_register' ? 'walk_in_register' : 'bus_set_iommu',
    dmaMode: f.dma_mode_decided_in,
    ownership: !f.dma_ownership_api ? 'none' : f.use_default_domain_site === 'before_fw_configure' ? 'use_before_fw' : 'use_after_fw',
  };
}

function probePathForm(f: KernelFlags): ProbePathForm {
  if (f.probe_op === 'add_device') return 'add_device';
  if (!f.probe_returns_early_if_grouped) return 'probe_device';
  return f.dt_acpi_parsing_in_probe_path && f.probe_lock_global_held_by_callers ? 'dropping' : 'init_device';
}


/**
 * Flag values no form can build, with the reason (a patch that makes one is refused). The
 * replay guard reads state only some forms keep.
 */
export function unbuildable(f: KernelFlags): { flag: keyof KernelFlags; why: string } | undefined {
  const x = formsOf(f);
  if (f.of_replay_condition === 'not_present' && x.probe !== 'dropping') {
    return { flag: 'of_replay_condition', why: 'dev_iommu_present is sampled only by the dropping form of of_iommu_configure' };
  }
  if (x.probe === 'init_device' && x.probeLock === 'none') {
    return { flag: 'probe_returns_early_if_grouped', why: '6eb4da8cf545 checks the group under the probe lock, and this kernel has none' };
  }
  if (f.dt_acpi_parsing_in_probe_path && x.probe !== 'dropping' && x.probe !== 'add_device') {
    return { flag: 'dt_acpi_parsing_in_probe_path', why: 'bcb81ac6ae3c drops the file-scope probe lock around the grouped check\'s body; this kernel lacks one of them' };
  }
  return undefined;
}

const always = (): boolean => true;
const addDevice = (x: Forms): boolean => x.probe === 'add_device';
const probeDevice = (x: Forms): boolean => x.probe !== 'add_device';
const lockHeld = (x: Forms): boolean => x.probeLock !== 'none';
const initDevice = (x: Forms): boolean => x.probe === 'init_device' || x.probe === 'dropping';
const owned = (x: Forms): boolean => x.ownership !== 'none';

/**
 * The forms that read each flag. A patch that changes a flag the resulting forms never read
 * would change nothing, so it is refused with one line instead (test/model/flags.test.ts checks
 * both directions: every flag read here changes some model, and every refused change would
 * have changed none).
 */
export const FLAG_READ_BY: Record<keyof KernelFlags, { readonly by: (x: Forms, f: KernelFlags) => boolean; readonly where: string }> = {
  probe_op: { by: always, where: 'every form' },
  registration_model: { by: probeDevice, where: 'the probe_device-era forms (after add_device)' },
  bus_dma_mask_unconditional: { by: (x, f) => addDevice(x) && f.dma_capable_uses_bus_mask, where: 'the add_device form with dma_capable_uses_bus_mask (b4ebe6063204)' },
  dma_capable_uses_bus_mask: { by: (x, f) => addDevice(x) && f.bus_dma_mask_unconditional, where: 'the add_device form with bus_dma_mask_unconditional' },
  ipmmu_destroy_guard: { by: addDevice, where: 'the add_device form' },
  group_get_for_dev_ops_source: { by: (x) => x.probe === 'probe_device', where: 'the probe_device body (v5.17 .. v6.1)' },
  probe_device_rejects_unregistered_instance: { by: probeDevice, where: 'the probe_device-era forms (after add_device)' },
  of_replay_condition: { by: always, where: 'every form' },
  probe_lock_global_held_by_callers: { by: probeDevice, where: 'the probe_device-era forms (after add_device)' },
  probe_lock_function_static: { by: (x, f) => probeDevice(x) && !f.probe_lock_global_held_by_callers, where: 'kernels without the file-scope lock (a2e7e59a9426 supersedes it)' },
  probe_returns_early_if_grouped: { by: probeDevice, where: 'the probe_device-era forms (after add_device)' },
  probe_ops_from_fwspec: { by: (x) => x.probe === 'init_device', where: 'the init_device probe path (the dropping path resolves ops after its lock drop, r_ops)' },
  register_refuses_other_driver: { by: (x) => x.registration === 'walk_in_register', where: 'the walk inside iommu_device_register (57365a04c921); it matters to scenarios that mix IOMMU drivers' },
  dt_acpi_parsing_in_probe_path: { by: (x) => x.probeLock === 'file_scope' && initDevice(x), where: 'the init_device body under the file-scope lock (it drops that lock)' },
  walk_recheck_after_relock: { by: (x) => x.probe === 'dropping', where: 'the dropping probe path' },
  configure_error_frees_dev_iommu: { by: probeDevice, where: 'the probe_device-era forms (after add_device)' },
  registration_race_fix: { by: always, where: 'every form' },
  dma_api_domain_lookup: { by: always, where: 'every form' },
  platform_dma_configure_driver_snapshot: { by: (x) => x.probe === 'dropping', where: 'the dropping probe path (the walk\'s own dma_configure)' },
  pci_dma_configure_driver_snapshot: { by: (x) => x.probe === 'dropping', where: 'the dropping probe path (the walk\'s own dma_configure)' },
  amba_dma_configure_driver_snapshot: { by: (x) => x.probe === 'dropping', where: 'the dropping probe path (the walk\'s own dma_configure)' },
  dma_mode_decided_in: { by: always, where: 'every form' },
  dma_ownership_api: { by: always, where: 'every form' },
  use_default_domain_site: { by: owned, where: 'kernels with the DMA-ownership API' },
  use_default_domain_defers_if_no_default_domain: { by: owned, where: 'kernels with the DMA-ownership API' },
  probe_device_defers_if_no_default_domain: { by: (x) => initDevice(x) && lockHeld(x), where: 'the init_device and dropping probe paths' },
  dma_cleanup_callback: { by: owned, where: 'kernels with the DMA-ownership API' },
  claim_semantics: { by: owned, where: 'kernels with the DMA-ownership API' },
  arm_smmu_defer_hack: { by: always, where: 'every form' },
  iommu_probe_unwinds_register: { by: (x) => x.probe === 'probe_device' && x.registration === 'bus_set_iommu', where: 'the probe_device body walked by bus_set_iommu (v5.10 .. v5.19; from v6.1 iommu_device_register unwinds itself)' },
  iommu_self_lookup_during_register: { by: always, where: 'every form' },
  qcom_identity_default: { by: always, where: 'every form' },
  msm_dma_map_for_cache: { by: always, where: 'every form' },
  sysfs_group_type_store: { by: always, where: 'every form (actor S, built for a scenario with a sysfsType event)' },
};
