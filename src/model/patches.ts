/** The built-in patches, written with the user-patch API: flags as data, step edits by label
 *  (docs/patches.md lists them with their commits). */
import { not } from '../ir/dsl';
import type { Assertion, Step } from '../ir/types';
import { definePatch, type Patch } from './patch';

/** ipmmu-free-guard: in gr_destroy_ctx, tear the context down only if it was initialised. */
const ipmmuFreeGuard = definePatch({
  id: 'ipmmu-free-guard',
  title: 'iommu/ipmmu-vmsa: Fix crash on early domain free',
  commits: ['e5b78f2e349e'],
  doc: 'Geert Uytterhoeven; first release v4.20-rc3 [inferred: id and release]. ipmmu_domain_destroy_context() begins with `if (!domain->mmu) return;`, so freeing a domain whose lazy context init never succeeded skips the IMCTR writes, TLB sync and context free. Model edit: gr_destroy_ctx gets a `teardown` branch (ctx_ready) and a `skip` branch (!ctx_ready) without the oops.',
  edit(m) {
    for (const actor of m.actorsWith('gr_destroy_ctx')) {
      m.replaceStep(actor, 'gr_destroy_ctx', (old: Step): Step => {
        const b = old.branches[0];
        const oops = (b.asserts ?? []).find((a: Assertion) => a.name === 'DomainFreeSafe');
        if (!oops) return old; // already guarded (e.g. the flag's form)
        return {
          ...old,
          doc: `${old.doc ?? ''}; guarded: if (!domain->mmu) return (e5b78f2e349e)`,
          branches: [
            { ...b, name: 'teardown', guard: oops.cond, asserts: undefined },
            { ...b, name: 'skip', guard: not(oops.cond), asserts: undefined, doc: 'if (!domain->mmu) return;' },
          ],
        };
      });
    }
    m.assume('ipmmu-free-guard: the merged form (early return in ipmmu_domain_destroy_context) [src: two stored copies of drivers/iommu/ipmmu-vmsa.c with the early return]; commit id e5b78f2e349e and release v4.20-rc3 [inferred]');
  },
});

const dmaOwnerV7 = definePatch({
  id: 'dma-owner-v7',
  title: 'iommu: Add DMA ownership management interfaces (v7 series, call order before the firmware configure)',
  commits: ['<20220228005056.599595-5-baolu.lu@linux.intel.com>'],
  doc: 'Lu Baolu, "[PATCH v7 01..11/11]", 28 Feb 2022; never released in this form. Adds owner_cnt/owner, use/unuse, claim/release; the bus glue calls use BEFORE the firmware configure and unuse if that configure fails; a dma_cleanup callback unuses on unbind; claim detaches to no domain. Apply to v5.17.',
  flags: { dma_ownership_api: true, use_default_domain_site: 'before_fw_configure', dma_cleanup_callback: true, claim_semantics: 'detach' },
});

const dmaOwnerV8 = definePatch({
  id: 'dma-owner-v8',
  title: 'iommu: Add DMA ownership management interfaces (v8 order: use after a successful firmware configure)',
  commits: ['<20220308054421.847385-5-baolu.lu@linux.intel.com>', '512881eacfa7'],
  doc: 'The v8 order that was merged as 512881eacfa7 in v5.19: the use moves after the firmware configure and arch_setup_dma_ops, with arch_teardown_dma_ops on failure. Apply to v5.17.',
  flags: { dma_ownership_api: true, use_default_domain_site: 'after_fw_configure', dma_cleanup_callback: true, claim_semantics: 'detach' },
});

const busSetup = definePatch({
  id: '57365a04c921',
  title: 'iommu: Move bus setup to IOMMU device registration',
  commits: ['57365a04c921'],
  doc: 'Robin Murphy; merged in v6.1-rc1 (v4 form). As applied to v5.19 it is the v2 series of seed 004 (<1faba5b5c094379df3d99b8fec924ab50ad75482.1650890638.git.robin.murphy@arm.com>): iommu_device_register sets bus->iommu_ops and runs bus_iommu_probe per instance; notifiers at boot (v2 02/14); no Intel/AMD "Handle race" guard (that came with v3).',
  flags: { registration_model: 'walk_in_iommu_device_register' },
});

const vtdRace = definePatch({
  id: 'c919739ce472',
  title: 'iommu/vt-d: Handle race between registration and device probe',
  commits: ['c919739ce472', 'cbc040081fdf'],
  doc: 'Robin Murphy; v6.1-rc1, AUTOSEL 5.19.y/6.0.y. intel_iommu_probe_device: `if (!iommu || !iommu->iommu.ops) return ERR_PTR(-ENODEV);`. The AMD twin cbc040081fdf is the same edit.',
  flags: { probe_device_rejects_unregistered_instance: true },
});

const qcomIdentity = definePatch({
  id: '0e764a01015d',
  title: 'iommu/arm-smmu: Allow client devices to select direct mapping',
  commits: ['0e764a01015d'],
  doc: 'Jordan Crouse; v5.8. qcom_smmu_def_domain_type returns IDENTITY for the qcom display/GPU compatibles, so their default domain is identity (bypass) and iommu_dma_ops are never installed. On v4.19 it is a model edit (the def_domain_type hook is later) [inferred: when def_domain_type entered struct iommu_ops].',
  flags: { qcom_identity_default: true },
  edit(m) {
    if (m.flag('probe_op') === 'add_device') m.assume('0e764a01015d on v4.19 is a model edit: the def_domain_type hook it uses is later than v4.19 [inferred]');
  },
});

const ddRace = definePatch({
  id: 'b46064a18810',
  title: 'iommu: Handle race with default domain setup',
  commits: ['b46064a18810'],
  doc: 'Robin Murphy; v6.15-rc1, 6.14.2, 6.12.26, and 6.6.90 in a modified form. Mainline: iommu_device_use_default_domain returns -EPROBE_DEFER while the group has no default domain. The 6.6 form (chosen when the kernel still decides DMA ops in arch_setup_dma_ops) gates it on CONFIG_IOMMU_DMA && !set_platform_dma_ops (true for arm-smmu) and adds the same check at the end of iommu_probe_device (p_dd_check).',
  flags: { use_default_domain_defers_if_no_default_domain: true },
  flagsWhen: [{ when: { dma_mode_decided_in: 'client_arch_setup', probe_lock_global_held_by_callers: true }, set: { probe_device_defers_if_no_default_domain: true } }],
});

const readyFix = definePatch({
  id: 'da33e87bd2bf',
  title: 'iommu: Handle yet another race around registration',
  commits: ['da33e87bd2bf'],
  doc: 'Robin Murphy; v6.16-rc1, 6.15.1, 6.14.10. iommu->ready is set at the end of iommu_device_register; iommu_fwspec_init returns -EPROBE_DEFER while !dev->iommu && !ready. On v6.6 it is exploratory [inferred applicability].',
  flags: { registration_race_fix: true },
  edit(m) {
    if (!m.flag('dt_acpi_parsing_in_probe_path')) m.assume('da33e87bd2bf on a kernel before v6.15: 6.6\'s iommu_fwspec_init differs from 6.15\'s [inferred applicability]');
  },
});

const moreRaces = definePatch({
  id: '0c8e9c148e29',
  title: 'iommu: Avoid introducing more races',
  commits: ['0c8e9c148e29'],
  doc: 'Robin Murphy; v6.16-rc1, 6.15.1. iommu_init_device drops the probe lock around dma_configure only when the device has no fwspec yet, and after re-taking it returns -ENODEV if dev->iommu is gone or the device was grouped meanwhile (the double probe of iommu-probe-v6.15.md 5.3). Applies to kernels that drop the lock (v6.15).',
  requires: { dt_acpi_parsing_in_probe_path: true },
  flags: { walk_recheck_after_relock: true },
});

const smmuDefer = definePatch({
  id: '229e6ee43d2a',
  title: 'iommu/arm-smmu: Defer probe of clients after smmu device bound',
  commits: ['229e6ee43d2a'],
  doc: 'Pratyush Brahma; v6.13-rc1, stable 6.12.y, 6.6.y (context backport), 5.10.y. arm_smmu_probe_device returns -EPROBE_DEFER when arm_smmu_get_by_fwnode finds no bound instance; on the walk path that aborts the registration.',
  flags: { arm_smmu_defer_hack: true },
});

const maskFix = definePatch({
  id: '6778be4e5209',
  title: 'of/device: Really only set bus DMA mask when appropriate',
  commits: ['6778be4e5209'],
  doc: 'Robin Murphy; v4.20-rc2 [inferred]. bus_dma_mask only with dma-ranges, so the IPMMU no longer bounces its page tables.',
  flags: { bus_dma_mask_unconditional: false },
});

const ambaSnapshot = definePatch({
  id: 'amba-dma-configure',
  title: 'amba: bus: Fix race condition during DMA configure at IOMMU probe time',
  commits: [],
  doc: 'Ketan Kishore, posted 15 Jul 2026 (Fixes: bcb81ac6ae3c, Cc: stable; carried as FROMLIST in qualcomm-linux/kernel-topics #1689), not merged as of the newest modelled kernel: amba_dma_configure reads dev->driver once, as 95deee37a123 did for platform. Applies to kernels that drop the probe lock around dma_configure (v6.15+).',
  requires: { dt_acpi_parsing_in_probe_path: true },
  flags: { amba_dma_configure_driver_snapshot: true },
});

export const BUILTIN_PATCHES: readonly Patch[] = [
  ipmmuFreeGuard, dmaOwnerV7, dmaOwnerV8, busSetup, vtdRace, qcomIdentity, ddRace, readyFix, moreRaces, smmuDefer, maskFix, ambaSnapshot,
];
