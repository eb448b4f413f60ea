/**
 * docs/examples/avoid-races.scaffold.ts completed (docs/drift.md): the model patch for
 * avoid-races.patch, a diff written for the docs in the shape of 0c8e9c148e29.
 *
 * The hunk in iommu_init_device() changes two things the scaffold's steps name:
 *  - r_fw_test: the lock is dropped only when the device has no fwspec yet;
 *  - after r_relock: a re-check that returns -ENODEV when dev->iommu is gone or the device
 *    was grouped meanwhile.
 * The model already has this form of the dropping probe path behind a flag
 * (walk_recheck_after_relock, read by src/model/paths/probe-dropping.ts: the drop branch's guard
 * gains `dev.iommu_fwspec != present` and r_recheck follows r_relock), so the patch sets it
 * rather than re-writing those steps by hand. It applies only where the lock is dropped.
 * The hunk in iommu_device_link() is not modelled (the sysfs link is folded into r_probe_dev).
 */
import { definePatch } from 'probecheck/dist/src/model';

export default definePatch({
  id: 'avoid-races',
  title: 'iommu: Drop the probe lock only without a fwspec, and re-check after',
  requires: { dt_acpi_parsing_in_probe_path: true },
  flags: { walk_recheck_after_relock: true },
});
