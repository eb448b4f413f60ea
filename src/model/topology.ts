/** Which IOMMU driver can serve which scenario topology (shared by --iommu-driver and scenario files). */
import type { ScenarioDef } from './config';
import type { KernelFlags } from './kernels';

/** Why `driver` cannot serve the topology (undefined: it can). */
export function topologyMisfit(sc: Pick<ScenarioDef, 'name' | 'bus' | 'bootThread'>, driver: string): string | undefined {
  if (driver === 'intel' && !sc.bootThread) return `scenario ${sc.name}: intel DMAR units register from one boot thread over PCI; this scenario's IOMMUs probe as platform devices`;
  if (driver !== 'intel' && sc.bootThread) return `scenario ${sc.name} is an Intel DMAR topology (one boot thread); --iommu-driver ${driver} does not fit it`;
  if (driver === 'ipmmu' && sc.bus !== 'platform') return `scenario ${sc.name}: ipmmu-vmsa serves DT platform devices; this scenario's clients are on ${sc.bus}`;
  return undefined;
}

/** Why a kernel cannot run the scenario's events (undefined: it can). */
export function kernelMisfit(sc: Pick<ScenarioDef, 'name' | 'sysfsType'>, kernel: string, f: Pick<KernelFlags, 'sysfs_group_type_store'>): string | undefined {
  if (sc.sysfsType && f.sysfs_group_type_store === 'absent') return `scenario ${sc.name}: kernel ${kernel} has no /sys/kernel/iommu_groups/*/type to write (iommu_group_store_type() came with 08a27c1c3ecf in v5.11)`;
  return undefined;
}
