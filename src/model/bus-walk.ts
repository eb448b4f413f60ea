/**
 * The order in which an IOMMU instance's registration walks the buses, per kernel line (data),
 * and the scenario's walk in that order: bus by bus, each bus's devices in scenario order (the
 * order of its klist, device_add order).
 *
 * Up to v6.0 (registration form bus_set_iommu) the driver calls bus_set_iommu() once per bus
 * type, in its own order. Each call sets bus->iommu_ops, registers iommu_bus_notifier on that bus
 * (iommu_bus_init) and walks it; a bus whose ops are already set is skipped (iommu_present(), or
 * `bus->iommu_ops != ops`), so a bus is walked by the first instance that reaches it:
 *   arm-smmu  platform, amba, pci   arm_smmu_bus_init (5.10.265 arm-smmu.c:2067-2111; 4.19
 *                                   arm-smmu.c:2042-2057)
 *   smmu-v3   pci, amba, platform   arm_smmu_set_bus_ops (5.10.265 arm-smmu-v3.c:3457-3492; 4.19
 *                                   inline in arm_smmu_device_probe, arm-smmu-v3.c:2885-2906)
 *   ipmmu     platform              ipmmu_probe (5.10.265 ipmmu-vmsa.c:1102-1103)
 *   intel     pci                   intel_iommu_init, after every unit (5.10.265 intel/iommu.c:5074)
 * From v6.1 (walk_in_register: 57365a04c921 "iommu: Move bus setup to IOMMU device registration")
 * every instance's iommu_device_register() walks iommu_buses[] in its order, platform, pci, amba
 * (6.6.150 iommu.c:152-169 and 275-278; 6.18.9 iommu.c:158-175 and 276-277); c13dbc1e2485
 * "iommu: Always register bus notifiers" registers iommu_bus_notifier on each of them at
 * subsys_initcall (6.18.9 iommu.c:234-236). The drivers' calls went with 3c34d1c2d796 (arm-smmu),
 * 2efbd29bb110 (smmu-v3), b87d6d7fa405 (ipmmu) and bus_set_iommu() with 29e932295bfa, all of
 * Robin Murphy's v6.1 series "iommu: retire bus_set_iommu()".
 */
import type { Bus } from './bus-glue';
import type { IommuDriver } from './config';
import type { RegistrationForm } from './forms';
import type { DevPath } from './dev-paths';

/** Up to v6.0: the buses each driver gives bus_set_iommu(), in its order. */
export const DRIVER_BUSES: Readonly<Record<IommuDriver, readonly Bus[]>> = {
  'arm-smmu': ['platform', 'amba', 'pci'],
  'smmu-v3': ['pci', 'amba', 'platform'],
  ipmmu: ['platform'],
  intel: ['pci'],
};

/** From v6.1: iommu_buses[] (CONFIG_FSL_MC_BUS, host1x context and CDX buses not modelled). */
export const IOMMU_BUSES: readonly Bus[] = ['platform', 'pci', 'amba'];

/** The buses a registration walks, in order. */
export function walkBusOrder(registration: RegistrationForm, driver: IommuDriver): readonly Bus[] {
  return registration === 'walk_in_register' ? IOMMU_BUSES : DRIVER_BUSES[driver];
}

export interface BusWalk {
  readonly bus: Bus;
  /** Its devices, in scenario order. */
  readonly devices: readonly number[];
}

/** The scenario's walk: each bus of the order that has devices, with them. */
export function busWalk(registration: RegistrationForm, driver: IommuDriver, paths: readonly DevPath[]): BusWalk[] {
  return walkBusOrder(registration, driver)
    .map((bus) => ({ bus, devices: paths.map((p, i) => (p.bus === bus ? i : -1)).filter((i) => i >= 0) }))
    .filter((w) => w.devices.length > 0);
}
