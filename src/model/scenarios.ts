/** Named scenarios: the five seeds and larger combinations (iommu-probe.md 1.1, 3). */
import { and, eq, FALSE, ne } from '../ir/dsl';
import type { ScenarioDef } from './config';

const ALL = [
  'BoundImpliesCorrectDmaOps', 'DmaOpsMatchDomain', 'OwnerCountBalanced', 'OwnerCountMatchesDmaApiBinders',
  'UnuseMatchesUse', 'KernelUserExclusive', 'NoNullOpsDeref', 'DomainFreeSafe', 'DmaApiDomainHasCookie',
  'NoTranslationChangeUnderLiveDma', 'DmaUnmapMatchesMap', 'NoUnattachedDma', 'GroupMembershipConsistent', 'GroupImpliesIommuDev', 'NoFreedInstanceListed', 'NoDeadlock', 'EventuallyResolved',
];

/** Seed 001's one-instance form; amba-probe-vs-register is the same topology on the amba bus. */
const PROBE_VS_REGISTER: ScenarioDef = {
  name: 'probe-vs-register', seed: '001',
  doc: 'Seed 001\'s one-instance form (Will Deacon / Charan Teja Kalla, Jan 2025): one SMMU registering and its client bound concurrently (insmod). What happens depends on the driver\'s instance lookup (drivers.ts): arm-smmu before 7d835134d4e1 finds its instance only once bound, so the client\'s probe dereferences NULL (CVE-2024-56568) or defers (229e6ee43d2a); from v6.14 the walk groups the client while its bind runs in the v6.15 window. The race as reported needs two instances: probe-vs-register-two-smmu.',
  defaultScenario: true, bus: 'platform',
  iommus: [{ name: 'I', driver: 'arm-smmu' }],
  groups: ['G'],
  devices: [{ name: 'D', iommu: 'I', group: 'G', driver: 'K', start: 'probe' }],
  faults: [],
  invariants: ALL,
  witnesses: [
    { name: 'RegistrationFinished', doc: 'the SMMU driver bound', expr: (h) => h.registered(h.iommu('I')) },
    { name: 'ClientBoundWithIommu', doc: 'D bound with IOMMU DMA ops', expr: (h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'iommu')) },
  ],
};

export const SCENARIO_DEFS: readonly ScenarioDef[] = [
  {
    name: 'ipmmu-early-free', seed: '000',
    doc: 'Seed 000 (Robin Murphy, "Re: IOMMU breakage on arm64", Nov 2018): Salvator-X, IPMMU leaf + SATA (sata_rcar). The SATA probe was deferred once; after the IPMMU binds, the deferred worker replays add_device; the lazy context init fails (page-table bounce, f_pgtable_dma_reject), and the group release frees a domain whose context was never initialised.',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I', driver: 'ipmmu' }],
    groups: ['G'],
    devices: [{ name: 'SATA', iommu: 'I', group: 'G', driver: 'K', start: 'deferred' }],
    faults: ['f_pgtable_dma_reject'],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the IPMMU driver bound', expr: (h) => h.registered(h.iommu('I')) },
      { name: 'ClientBoundWithoutIommu', doc: 'SATA runs without the IOMMU after the failed add (the fixed kernel\'s fallback)', expr: (h) => and(h.bound(h.dev('SATA')), h.modeIs(h.dev('SATA'), 'direct')) },
      { name: 'ClientBoundWithIommu', doc: 'SATA bound with iommu DMA ops (the context init succeeded)', expr: (h) => and(h.bound(h.dev('SATA')), h.modeIs(h.dev('SATA'), 'iommu')) },
    ],
  },
  {
    name: 'ipmmu-ctx-exhausted',
    doc: 'Seed 000\'s topology with the other way the IPMMU\'s lazy context init fails: every context is in use (f_ctx_exhausted), so ipmmu_domain_init_context fails, domain->mmu stays NULL, and the group release frees the domain (the crash e5b78f2e349e fixed: "domain_free() is still called"), on v4.19 as on v4.20-rc1.',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I', driver: 'ipmmu' }],
    groups: ['G'],
    devices: [{ name: 'SATA', iommu: 'I', group: 'G', driver: 'K', start: 'deferred' }],
    faults: ['f_ctx_exhausted'],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the IPMMU driver bound', expr: (h) => h.registered(h.iommu('I')) },
      { name: 'ClientBoundWithoutIommu', doc: 'SATA runs without the IOMMU after the failed add', expr: (h) => and(h.bound(h.dev('SATA')), h.modeIs(h.dev('SATA'), 'direct')) },
    ],
  },
  PROBE_VS_REGISTER,
  {
    name: 'probe-vs-register-two-smmu', seed: '001',
    doc: 'Seed 001 as it happened (REVIEW-2026-12 error 1): two arm-smmu instances. I1 is bound at boot; D, a client of I1 added after I1 registered (the notifier found no fwspec yet), binds while I2 registers and walks the platform bus. I2\'s walk probes D through I1 (whose lookup works) and puts its group on the walk\'s list; D\'s replay returns early, arch_setup_dma_ops finds no domain and keeps the platform ops, the driver binds, then I2\'s walk attaches the default domain.',
    defaultScenario: true, bus: 'platform',
    iommus: [{ name: 'I1', driver: 'arm-smmu', atBoot: true }, { name: 'I2', driver: 'arm-smmu' }],
    groups: ['G'],
    devices: [{ name: 'D', iommu: 'I1', group: 'G', driver: 'K', start: 'probe' }],
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the second SMMU\'s driver bound', expr: (h) => h.registered(h.iommu('I2')) },
      { name: 'ClientBoundWithIommu', doc: 'D bound with IOMMU DMA ops', expr: (h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'iommu')) },
    ],
  },
  {
    ...PROBE_VS_REGISTER, name: 'amba-probe-vs-register', seed: undefined, defaultScenario: false, bus: 'amba',
    doc: 'The amba form of the v6.15 walk window (Ketan Kishore, "[PATCH] amba: bus: Fix race condition during DMA configure at IOMMU probe time", 15 Jul 2026): an arm-smmu registering from the deferred-probe worker walks the amba bus (amba_dma_configure <- __iommu_probe_device <- probe_iommu_group <- iommu_device_register <- arm_smmu_device_probe) while its amba client binds. amba_dma_configure still reads dev->driver twice.',
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the SMMU driver bound', expr: (h) => h.registered(h.iommu('I')) },
      { name: 'ClientBoundWithIommu', doc: 'the amba client bound with IOMMU DMA ops', expr: (h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'iommu')) },
    ],
  },
  {
    name: 'iommu-after-initcalls',
    doc: 'A built-in SMMU whose own probe waits on another provider (a clock or power domain) until after late_initcall: its client D, deferred at boot on the missing instance, is run by deferred_probe_initcall (E); after initcalls_done, of_iommu_configure gets -ENODEV from driver_deferred_probe_check_state ("ignoring dependency for device, assuming no driver", CONFIG_MODULES=n) and D binds on dma-direct; the SMMU registers afterwards and its walk finds D bound.',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I', driver: 'arm-smmu' }],
    groups: ['G'],
    devices: [{ name: 'D', iommu: 'I', group: 'G', driver: 'K', start: 'deferred' }],
    faults: [],
    initcallsActor: true,
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the SMMU driver bound', expr: (h) => h.registered(h.iommu('I')) },
      { name: 'ClientBoundWithoutIommu', doc: 'D gave up on the SMMU and bound on dma-direct', expr: (h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'direct')) },
      { name: 'ClientBoundWithIommu', doc: 'D bound with IOMMU DMA ops', expr: (h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'iommu')) },
    ],
  },
  {
    name: 'dma-owner-before-group', seed: '002',
    doc: 'Seed 002 (Lu Baolu, v7 DMA-ownership series, Mar 2022): SMMUv3 on ACPI/IORT, e1000e (D1) and a vfio-pci device (D3) in one group; e1000e binds, D3\'s vfio user claims the group, e1000e is unbound. With the v7 order the use runs before the IORT configure creates the group, so it is not counted.',
    defaultScenario: true, bus: 'pci',
    iommus: [{ name: 'I1', driver: 'smmu-v3' }],
    groups: ['G1'],
    devices: [
      { name: 'D1', iommu: 'I1', group: 'G1', driver: 'K', start: 'probe', unbind: true },
      { name: 'D3', iommu: 'I1', group: 'G1', driver: 'V', start: 'probe' },
    ],
    vfio: { group: 'G1', afterBound: 'D3' },
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'KernelUserCounted', doc: 'e1000e bound and counted: owner_cnt = 1 with no owner', expr: (h) => and(h.bound(h.dev('D1')), eq(h.v('group.owner_cnt', h.group('G1')), 1), eq(h.v('group.owner', h.group('G1')), 'null')) },
      { name: 'UserOwned', doc: 'the vfio user owns the group', expr: (h) => eq(h.v('group.owner', h.group('G1')), 'U') },
      { name: 'ClientUnbound', doc: 'e1000e was unbound', expr: (h) => h.at('U', h.dev('D1'), 'u_unlock') },
    ],
  },
  {
    name: 'msm-private-domain', seed: '003',
    doc: 'Seed 003 (Tomasz Figa, "of/device: add blacklist for iommu dma_ops", Jun 2019): sdm845 mdss (drm/msm) behind the qcom arm-smmu; the client gets iommu DMA ops on its DMA default domain, attaches its own unmanaged domain, then calls dma_map_sg for cache maintenance.',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I', driver: 'arm-smmu' }],
    groups: ['G'],
    devices: [{ name: 'MDSS', iommu: 'I', group: 'G', driver: 'M', start: 'deferred', compatListed: true }],
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'PrivateDomainAttached', doc: 'msm attached its unmanaged domain', expr: (h) => eq(h.v('group.domain', h.group('G')), 'du') },
      { name: 'ClientBound', doc: 'mdss bound', expr: (h) => h.bound(h.dev('MDSS')) },
    ],
  },
  {
    name: 'multi-dmar-register', seed: '004',
    doc: 'Seed 004 (Robin Murphy, "Re: [PATCH v2 03/14] iommu: Move bus setup to IOMMU device registration", Jul 2022): two Intel DMAR units registered by the boot thread; the first unit\'s walk probes every PCI device, including one in the scope of the unit not yet registered.',
    defaultScenario: true, bus: 'pci', bootThread: true,
    iommus: [{ name: 'I1', driver: 'intel' }, { name: 'I2', driver: 'intel' }],
    groups: ['G1', 'G2'],
    devices: [
      { name: 'D1', iommu: 'I1', group: 'G1', driver: 'K', start: 'none' },
      { name: 'D2', iommu: 'I2', group: 'G2', driver: 'K', start: 'none' },
    ],
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'intel_iommu_init registered both units', expr: (h) => and(h.ended('R', 0), eq(h.v('iommu.driver_state', h.iommu('I2')), 'bound')) },
      { name: 'AllDevicesGrouped', doc: 'both devices are in their groups', expr: (h) => and(ne(h.v('dev.iommu_group', h.dev('D1')), 'none'), ne(h.v('dev.iommu_group', h.dev('D2')), 'none')) },
    ],
  },
  {
    name: 'register-probe-unbind',
    doc: 'One SMMU instance and three clients: D1 and D2 share a group and probe while the SMMU registers, D1 is then unbound; D3 is hot-added (device_add and the bus notifier) during the registration.',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I', driver: 'arm-smmu' }],
    groups: ['G1', 'G2'],
    devices: [
      { name: 'D1', iommu: 'I', group: 'G1', driver: 'K', start: 'probe', unbind: true },
      { name: 'D2', iommu: 'I', group: 'G1', driver: 'K', start: 'probe' },
      { name: 'D3', iommu: 'I', group: 'G2', driver: 'K', start: 'hotplug' },
    ],
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the SMMU driver bound', expr: (h) => h.registered(h.iommu('I')) },
      { name: 'AllClientsBoundWithIommu', doc: 'D1, D2 and D3 bound with IOMMU DMA ops at once', expr: (h) => and(...['D1', 'D2', 'D3'].map((n) => and(h.bound(h.dev(n)), h.modeIs(h.dev(n), 'iommu')))) },
      { name: 'ClientUnbound', doc: 'D1 was unbound', expr: (h) => h.at('U', h.dev('D1'), 'u_unlock') },
    ],
  },
  {
    name: 'double-probe',
    doc: 'Addendum 5.3 (v6.15-rc7; Johan Hovold\'s X1E80100 CRD report quoted by Robin Murphy, "Re: [PATCH] iommu: Avoid introducing more races", 22 May 2025): the apps SMMU I1 is registered and ready at boot; the GPU SMMU I2 registers concurrently and walks the platform bus; fastrpc compute-cb@6 (D, fw link to I1) is added at run time by of_platform_populate (device_add and the bus notifier, N), then bound (C). Both the notifier\'s probe and I2\'s walk drop the probe lock around dma_configure; the second probe_device fails in iommu_device_link with -EEXIST and frees dev->iommu while the group stays; the client\'s replay then returns 0 at the grouped check and probe_finalize dereferences a NULL iommu_dev. Fixed by 0c8e9c148e29 (6.15.1).',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I1', driver: 'arm-smmu', atBoot: true }, { name: 'I2', driver: 'arm-smmu' }],
    groups: ['G'],
    devices: [{ name: 'D', iommu: 'I1', group: 'G', driver: 'K', start: 'hotplug' }],
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'the GPU SMMU I2 registered and its driver bound', expr: (h) => h.registered(h.iommu('I2')) },
      { name: 'ClientBoundWithIommu', doc: 'compute-cb@6 bound with IOMMU DMA', expr: (h) => and(h.bound(h.dev('D')), h.modeIs(h.dev('D'), 'iommu')) },
      { name: 'BothProbesDroppedTheLock', doc: 'the notifier\'s probe and I2\'s walk both wait to relock after dma_configure (the window is open; only the dropping probe-path form, bcb81ac6ae3c, drops the lock)', expr: (h) => (h.forms.probe === 'dropping' ? and(h.at('N', h.dev('D'), 'r_relock'), h.at('R', h.iommu('I2'), 'r_relock')) : FALSE) },
    ],
  },
  {
    name: 'two-smmu-async',
    doc: 'Two SMMU instances registering concurrently (driver_async_probe), each serving two clients in their own groups, every client probing asynchronously.',
    defaultScenario: false, bus: 'platform',
    iommus: [{ name: 'I1', driver: 'arm-smmu' }, { name: 'I2', driver: 'arm-smmu' }],
    groups: ['G1', 'G2', 'G3', 'G4'],
    devices: [
      { name: 'D1', iommu: 'I1', group: 'G1', driver: 'K', start: 'probe' },
      { name: 'D2', iommu: 'I1', group: 'G2', driver: 'K', start: 'probe' },
      { name: 'D3', iommu: 'I2', group: 'G3', driver: 'K', start: 'probe' },
      { name: 'D4', iommu: 'I2', group: 'G4', driver: 'K', start: 'probe' },
    ],
    faults: [],
    invariants: ALL,
    witnesses: [
      { name: 'RegistrationFinished', doc: 'both SMMU drivers bound', expr: (h) => and(h.registered(h.iommu('I1')), h.registered(h.iommu('I2'))) },
      { name: 'AllClientsBoundWithIommu', doc: 'every client bound with IOMMU DMA ops', expr: (h) => and(...['D1', 'D2', 'D3', 'D4'].map((n) => and(h.bound(h.dev(n)), h.modeIs(h.dev(n), 'iommu')))) },
    ],
  },
];
