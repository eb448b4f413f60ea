/**
 * What each IOMMU driver does that the probe path depends on: how its probe_device finds the
 * instance a client's fwspec names, and what it does when it cannot. A property of the driver
 * and the kernel's flags, never of a scenario (REVIEW-2026-12 errors 1, 2; iommu-probe-lts.md 2).
 *
 *   driver     finds its instance                              when it cannot
 *   arm-smmu   once bound (driver_find_device_by_fwnode, drvdata  NULL deref (CVE-2024-56568), or
 *              after iommu_device_register); from 7d835134d4e1    -EPROBE_DEFER with 229e6ee43d2a
 *              (v6.14) once listed (bus_find_device_by_fwnode,
 *              drvdata first)
 *   smmu-v3    the same lookup, and the same change in v6.14         -ENODEV (never a hack)
 *   ipmmu      v4.19: from platform_set_drvdata after registration   add_device: -ENODEV
 *   intel      the DMAR unit by scope; ops set at iommu_device_register  c919739ce472: -ENODEV
 */
import type { IommuDriver } from './config';
import type { KernelFlags } from './kernels';
import type { Forms } from './forms';

/** From when the driver's lookup finds an instance that is registering: iommu.self_lookup_ok is
 *  set at r_publish (listed), r_set_drvdata (ipmmu, v4.19) or r_bound (driver_bound). */
export type LookupFrom = 'publish' | 'drvdata' | 'bound';

/** What probe_device does for a client of an instance its lookup cannot find. */
export type LookupMiss = 'oops' | 'defer' | 'enodev';

export interface InstanceLookup {
  readonly from: LookupFrom;
  readonly miss: LookupMiss;
}

/** From when the IOMMU faults DMA of a stream no domain is attached to (disable_bypass): from
 *  its reset. arm-smmu resets the SMMU right after iommu_device_register: before the bus walk
 *  while bus_set_iommu walks (5.17-rc5 arm-smmu.c:2188-2195, walk at 2215), after it once
 *  iommu_device_register walks (6.6.87 arm-smmu.c:2175-2187, taken as driver_bound), and before
 *  registering from 7d835134d4e1 (6.18.9 arm-smmu.c:2224-2237); the first and last taken as
 *  listed. SMMUv3 resets before registering (stream table entries abort), taken as listed;
 *  ipmmu and Intel are taken as not faulting an unattached device [inferred]. */
export type UnattachedFault = 'bound' | 'listed' | 'never';

export function unattachedFault(driver: IommuDriver, f: KernelFlags, forms: Forms): UnattachedFault {
  switch (driver) {
    case 'arm-smmu': return forms.registration === 'walk_in_register' && !f.iommu_self_lookup_during_register ? 'bound' : 'listed';
    case 'smmu-v3': return 'listed';
    case 'ipmmu': return 'never';
    case 'intel': return 'never';
  }
}

export function instanceLookup(driver: IommuDriver, f: KernelFlags): InstanceLookup {
  switch (driver) {
    case 'arm-smmu':
      return { from: f.iommu_self_lookup_during_register ? 'publish' : 'bound', miss: f.arm_smmu_defer_hack ? 'defer' : 'oops' };
    case 'smmu-v3':
      return { from: f.iommu_self_lookup_during_register ? 'publish' : 'bound', miss: 'enodev' };
    case 'ipmmu':
      return { from: 'drvdata', miss: 'enodev' };
    case 'intel':
      return { from: 'publish', miss: 'enodev' };
  }
}

/** What an SMMU driver's probe does with a bus whose ops are already set, up to v6.0 (the
 *  bus_set_iommu era): arm-smmu skips a bus with any ops (arm_smmu_bus_init: `if
 *  (!iommu_present(&platform_bus_type))`), so it binds whoever owns the bus ops; SMMUv3 skips
 *  only its own (arm_smmu_set_bus_ops: `if (platform_bus_type.iommu_ops != ops)`), so another
 *  driver's ops make bus_set_iommu return -EBUSY and its probe fail. Only a scenario that mixes
 *  drivers tells the two apart. */
export type BusOpsTaken = 'skip_any' | 'skip_own';

export function busOpsTaken(driver: IommuDriver): BusOpsTaken {
  return driver === 'smmu-v3' ? 'skip_own' : 'skip_any';
}
