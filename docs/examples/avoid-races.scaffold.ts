/**
 * A model patch for avoid-races.patch, scaffolded by `probecheck patch scaffold` for kernel v6.15
 * (functions found by the hunks' function context). Fill in `flags` (src/model/kernels.ts) and/or the
 * step edits below (docs/patches.md), then run
 *   probecheck verify-patch --kernel v6.15 --scenario <scenario> --patch <this file>
 * and `probecheck show --kernel v6.15 --scenario <scenario> --fn <function>` lists the steps.
 *
 * Not modelled (no step stands for the functions these hunks change):
 *   drivers/iommu/iommu.c @@ -54,6 +58,8 @@ iommu_device_link()
 */
import { definePatch } from 'probecheck/dist/src/model';
// import { and, eq, ne, not, or, param, set, v } from 'probecheck/dist/src/ir/dsl';

export default definePatch({
  id: 'avoid-races',
  title: 'iommu: Drop the probe lock only without a fwspec, and re-check after',
  // flags: { },    // a flag of src/model/kernels.ts, if the model already has this change as a form
  // requires: { }, // the kernels it applies to
  edit(m) {
    // ---- iommu_init_device() drivers/iommu/iommu.c: steps r_alloc [C,N,R], r_ops [C,N,R], r_group [C,N,R], r_fw_test [N,R], r_drop [N,R], r_relock [N,R]
    //
    // @@ -12,10 +12,14 @@ static int iommu_init_device(struct device *dev)
    //  	if (!fake_dev_state(dev))
    //  		return -ENOMEM;
    //
    // -	if (!dev->driver) {
    // +	/* Only a device without a fwspec yet needs its firmware parsed here. */
    // +	if (!dev->driver && !fake_fwspec_of(dev)) {
    //  		mutex_unlock(&fake_probe_lock);
    //  		dev->bus->dma_configure(dev);
    //  		mutex_lock(&fake_probe_lock);
    // +		/* Another probe finished or released the device meanwhile. */
    // +		if (!fake_dev_state(dev) || dev->iommu_group)
    // +			return -ENODEV;
    //  	}
    //
    //  	ops = fake_ops_of(dev);
    //
    // The steps of iommu_init_device() (m.actorsWith(label) gives the actors that have one):
    //   r_alloc [C,N,R]: dev_iommu_get(): allocate dev->iommu if NULL
    //   r_ops [C,N,R]: ops = iommu_fwspec_ops(dev_iommu_fwspec_get(dev)) (fd598f71b669)
    //   r_group [C,N,R]: group = ops->device_group(dev); dev->iommu_group = group (end of iommu_init_device, before group->mutex); r_late_warn folded: dev_WARN "late IOMMU probe at driver bind" if dev->driver is set
    //   r_fw_test [N,R]: whether to drop the probe lock around dev->bus->dma_configure; reads dev->driver without device_lock
    //   r_drop [N,R]: mutex_unlock(&iommu_probe_device_lock) before dev->bus->dma_configure(dev)
    //   r_relock [N,R]: mutex_lock(&iommu_probe_device_lock) after dma_configure
    // e.g. for (const a of m.actorsWith('r_alloc')) m.replaceStep(a, 'r_alloc', (s) => ({ ...s }));
  },
});
