/**
 * The replay of the IOMMU probe at the end of the firmware configure (o_replay): if the
 * configure found an IOMMU, of_iommu_configure / acpi_iommu_configure_id call
 * iommu_probe_device(dev) (ops->add_device in v4.19), guarded by the kernel's replay condition:
 *
 *   no_group     !dev->iommu_group (v4.19), i.e. !device_iommu_mapped(dev) (v5.x)
 *   always       none (v6.6; ERRATA 6d)
 *   not_present  !dev_iommu_present (v6.15 OF: a probe in progress is not replayed)
 *
 * bcb81ac6ae3c (v6.15) deleted the ACPI replay (6.14 drivers/acpi/scan.c:1635-1640; 6.18.9
 * scan.c:1623-1644): with the dropping form an ACPI client never replays (REVIEW error 3).
 */
import { not } from '../../ir/dsl';
import { br, FILES, hasGrp, type ActorB } from '../ctx';
import type { Firmware } from '../bus-glue';
import type { Variant } from '../dev-paths';
import type { Forms } from '../forms';

/** Whether the firmware configure of this kernel and firmware replays the probe at all. */
export const replaysProbe = (forms: Forms, fw: Firmware): boolean => fw === 'of' || forms.probe !== 'dropping';

/** The replay's label for firmware variant `fw`. */
export const replayLabel = (fw: Variant<Firmware>): string => `o_replay${fw.suffix}`;

export function firmwareReplay(b: ActorB, d: Parameters<typeof hasGrp>[0], o: { skip: string; probe: string }, fw: Variant<Firmware>): void {
  b.within(__filename, () => {
    const ctx = b.ctx;
    const of = fw.value === 'of';
    const rc = ctx.f.of_replay_condition;
    const present = b.lv(`${b.name}.present`);
    const branches = rc === 'no_group' ? [
      br('skip', hasGrp(d), [], o.skip, undefined, ctx.devIommu ? 'device_iommu_mapped(dev): no replay' : 'dev->iommu_group set: no replay'),
      br('replay', not(hasGrp(d)), [], o.probe, undefined, ctx.devIommu ? 'iommu_probe_device(dev)' : 'ops->add_device(dev)'),
    ] : rc === 'not_present' ? [
      br('skip', present, [], o.skip, undefined, 'dev_iommu_present: a probe is in progress (or done): no replay'),
      br('replay', not(present), [], o.probe, undefined, 'iommu_probe_device(dev)'),
    ] : [
      br('replay', undefined, [], o.probe, undefined, 'if (!err && dev->bus) iommu_probe_device(dev) (ERRATA 6d: no device_iommu_mapped guard in 6.6)'),
    ];
    b.add(replayLabel(fw), of ? 'of_iommu_configure()' : 'acpi_iommu_configure_id()', of ? FILES.of_iommu : FILES.acpi_scan, branches,
      { doc: 'the replay of the IOMMU probe from the firmware configure' });
  });
}
