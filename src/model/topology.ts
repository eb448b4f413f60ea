/** Which IOMMU driver can serve which scenario topology (shared by --iommu-driver and scenario files). */
import { defaultFirmware } from './bus-glue';
import type { ScenarioDef } from './config';
import { DRIVER_BUSES } from './bus-walk';

type Topology = Pick<ScenarioDef, 'name' | 'bus' | 'bootThread'> & Partial<Pick<ScenarioDef, 'firmware' | 'devices'>>;
import type { KernelFlags } from './kernels';

/** Why `driver` cannot serve the topology (undefined: it can). */
export function topologyMisfit(sc: Topology, driver: string): string | undefined {
  if (driver === 'intel' && !sc.bootThread) return `scenario ${sc.name}: intel DMAR units register from one boot thread over PCI; this scenario's IOMMUs probe as platform devices`;
  if (driver !== 'intel' && sc.bootThread) return `scenario ${sc.name} is an Intel DMAR topology (one boot thread); --iommu-driver ${driver} does not fit it`;
  if (driver === 'ipmmu' && sc.bus !== 'platform') return `scenario ${sc.name}: ipmmu-vmsa serves DT platform devices; this scenario's clients are on ${sc.bus}`;
  return (sc.devices ?? []).map((_, i) => deviceMisfit(sc, i, driver)).find((m) => m)?.message;
}

/**
 * Why `driver` cannot serve device i of the topology, and which of its keys says what it cannot
 * serve (its own `bus` or `firmware`, else the scenario's): a combination the kernel cannot have.
 *   ipmmu  DT only (no IORT node describes an IPMMU), and platform devices: the modelled driver
 *          sets only platform_bus_type's ops (4.19 .. 6.0 ipmmu-vmsa.c); PCI behind an IPMMU came
 *          later (6.6.150 ipmmu-vmsa.c:726) and is not modelled.
 *   intel  ACPI only (the DMAR table's device scopes), and PCI devices: intel_iommu_init sets only
 *          pci_bus_type's ops up to v6.0 (5.10.265 intel/iommu.c:5074); ACPI namespace devices
 *          (ANDD) are not modelled.
 *   arm-smmu, smmu-v3  any bus, either firmware (DT iommus / iommu-map, or IORT).
 */
export function deviceMisfit(sc: Topology, i: number, driver: string): { key: 'bus' | 'firmware'; own: boolean; message: string } | undefined {
  const d = sc.devices?.[i];
  if (!d) return undefined;
  const bus = d.bus ?? sc.bus;
  const firmware = d.firmware ?? sc.firmware ?? defaultFirmware(bus);
  const fwOwn = d.firmware !== undefined, busOwn = d.bus !== undefined;
  const who = `device ${d.name}`;
  const buses = (DRIVER_BUSES as Record<string, readonly string[]>)[driver];
  if (driver === 'ipmmu') {
    if (bus !== 'platform') return { key: 'bus', own: busOwn, message: `scenario ${sc.name}: ipmmu-vmsa serves DT platform devices; ${who} is on ${bus}` };
    if (firmware !== 'of') return { key: 'firmware', own: fwOwn, message: `scenario ${sc.name}: ipmmu-vmsa serves DT platform devices; ${who} is described by ACPI (no IORT node describes an IPMMU)` };
  }
  if (driver === 'intel') {
    if (firmware !== 'acpi') return { key: 'firmware', own: fwOwn, message: `scenario ${sc.name}: Intel DMAR units find their clients in the ACPI DMAR table; ${who} is described by OF (firmware: acpi)` };
    if (bus !== 'pci') return { key: 'bus', own: busOwn, message: `scenario ${sc.name}: the modelled Intel DMAR units serve PCI devices (intel_iommu_init sets pci_bus_type's ops); ${who} is on ${bus}` };
  }
  if (buses && !buses.includes(bus)) return { key: 'bus', own: busOwn, message: `scenario ${sc.name}: ${driver} registers on ${buses.join(', ')}; ${who} is on ${bus}` };
  return undefined;
}

/** Why a kernel cannot run the scenario's events (undefined: it can). */
export function kernelMisfit(sc: Pick<ScenarioDef, 'name' | 'sysfsType'>, kernel: string, f: Pick<KernelFlags, 'sysfs_group_type_store'>): string | undefined {
  if (sc.sysfsType && f.sysfs_group_type_store === 'absent') return `scenario ${sc.name}: kernel ${kernel} has no /sys/kernel/iommu_groups/*/type to write (iommu_group_store_type() came with 08a27c1c3ecf in v5.11)`;
  return undefined;
}
