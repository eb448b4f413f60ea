/** Which IOMMU driver can serve which scenario topology (shared by --iommu-driver and scenario files). */
import type { ScenarioDef } from './config';

/** Why `driver` cannot serve the topology (undefined: it can). */
export function topologyMisfit(sc: Pick<ScenarioDef, 'name' | 'bus' | 'bootThread'>, driver: string): string | undefined {
  if (driver === 'intel' && !sc.bootThread) return `scenario ${sc.name}: intel DMAR units register from one boot thread over PCI; this scenario's IOMMUs probe as platform devices`;
  if (driver !== 'intel' && sc.bootThread) return `scenario ${sc.name} is an Intel DMAR topology (one boot thread); --iommu-driver ${driver} does not fit it`;
  if (driver === 'ipmmu' && sc.bus !== 'platform') return `scenario ${sc.name}: ipmmu-vmsa serves DT platform devices; this scenario's clients are on ${sc.bus}`;
  return undefined;
}
