/** The state of the kernel model (iommu-probe.md 1.2, iommu-probe-v6.15.md 2): every field, with per-scenario
 *  initial values. Fields no step, guard or property reads are pruned afterwards. */
import type { Field } from '../ir/types';
import type { BuildCtx } from './ctx';
import { probeOrderFields } from './probe-order';

const bool = { kind: 'bool' } as const;
const en = (...values: string[]) => ({ kind: 'enum', values } as const);
const ref = (entity: string, nullable = true) => ({ kind: 'ref', entity, nullable } as const);

export function buildFields(ctx: BuildCtx): Field[] {
  const sc = ctx.sc;
  const f = ctx.f;
  const devs = sc.devices;
  const per = <T>(fn: (d: typeof devs[number], i: number) => T): T[] => devs.map(fn);
  const walkIn = ctx.forms.registration === 'walk_in_register';
  const groupIdentity = sc.groups.map((g) => (f.qcom_identity_default && devs.some((d) => d.group === g && d.compatListed) ? 'identity' : 'dma'));
  const boot = sc.iommus.map((i) => !!i.atBoot);
  // A deferral leaves what its firmware's configure leaves (firmware-configure.ts): per device.
  const of = (i: number) => ctx.paths[i].firmware === 'of';
  // With devices on several buses, the bus fields are per bus (entity `bus`), each device's at dev.bus.
  const perBus = (x: string | boolean) => (ctx.multiBus ? { over: 'bus', init: ctx.buses.map(() => x) } : { init: x });
  // N (no DMA) joins the driver enums only where a device has it: the other models keep theirs.
  const drivers = ['none', 'K', 'M', 'V', ...(devs.some((d) => d.driver === 'N') ? ['N'] : [])];
  const fields: Field[] = [
    // With mixed drivers, whose ops the bus holds (mixed-drivers.ts; one bus then).
    { name: 'bus.iommu_ops', domain: ctx.mixed ? en('none', ...ctx.drivers) : en('none', 'ops'),
      ...perBus(!sc.iommus.some((i) => i.atBoot) ? 'none' : ctx.mixed ? sc.iommus.find((i) => i.atBoot)!.driver : 'ops'), doc: 'struct bus_type::iommu_ops' },
    { name: 'bus.notifier_registered', domain: bool, ...perBus(walkIn), doc: 'iommu_bus_notifier on the bus (at boot from c13dbc1e2485)' },
    { name: 'probe_lock', domain: ref('$thread'), init: 'none', doc: 'iommu_probe_device_lock holder' },
    { name: 'kernel.initcalls_done', domain: bool, init: false, doc: 'dd.c initcalls_done' },
    { name: 'ghost.bad_unuse', domain: bool, init: false, ghost: true, doc: 'an unuse_dec ran for a device whose use was not counted (UnuseMatchesUse)' },
    { name: 'ghost.release_warn', domain: bool, init: false, ghost: true, doc: 'W_RELEASE_OWNER fired' },
    // IOMMU instances
    { name: 'iommu.listed', domain: bool, over: 'iommu', init: boot, doc: 'on iommu_device_list' },
    { name: 'iommu.ops_set', domain: bool, over: 'iommu', init: boot, doc: 'struct iommu_device::ops != NULL' },
    { name: 'iommu.self_lookup_ok', domain: bool, over: 'iommu', init: boot, doc: 'the IOMMU driver\'s per-client lookup can find this instance' },
    { name: 'iommu.trigger', domain: bool, over: 'iommu', init: false, doc: 'a deferred-probe trigger happened since this IOMMU device last deferred' },
    { name: 'iommu.driver_state', domain: en('idle', 'bound', 'failed', 'deferred'), over: 'iommu', init: sc.iommus.map((i) => (i.atBoot ? 'bound' : 'idle')), doc: 'the IOMMU device\'s own driver-core state' },
    { name: 'iommu.ready', domain: bool, over: 'iommu', init: boot, doc: 'struct iommu_device::ready (da33e87bd2bf)' },
    // Only with instances probed in turn (probe: sync): how far the boot thread's driver_attach got.
    ...probeOrderFields(sc),
    // devices: constants
    { name: 'dev.fw_iommu', domain: ref('iommu', false), over: 'dev', init: per((d) => d.iommu), doc: 'firmware link (constant)' },
    { name: 'dev.group_of', domain: ref('group', false), over: 'dev', init: per((d) => d.group), doc: 'what ops->device_group returns (constant)' },
    { name: 'dev.drv', domain: en(...drivers), over: 'dev', init: per((d) => d.driver), doc: 'the client driver that binds (constant)' },
    { name: 'dev.compat_listed', domain: bool, over: 'dev', init: per((d) => !!d.compatListed), doc: 'qcom display/GPU compatible (constant)' },
    { name: 'dev.links_block', domain: bool, over: 'dev', init: per((d) => !!d.linksBlock), doc: 'fw_devlink.strict orders the client after its IOMMU (constant)' },
    { name: 'dev.hotplug', domain: bool, over: 'dev', init: per((d) => d.start === 'hotplug'), doc: 'added by actor N during the run (constant)' },
    ...(ctx.multiBus ? [{ name: 'dev.bus', domain: ref('bus', false), over: 'dev', init: per((_, i) => ctx.paths[i].bus), doc: 'the device\'s bus: its dma_configure glue and its bus walk (constant)' }] : []),
    { name: 'dev.firmware', domain: en('of', 'acpi'), over: 'dev', init: per((_, i) => ctx.paths[i].firmware), doc: 'what describes the device, whatever its bus: OF (of_dma_configure) or ACPI (acpi_dma_configure) (constant)' },
    // devices: state
    { name: 'dev.added', domain: bool, over: 'dev', init: per((d) => d.start !== 'hotplug'), doc: 'device_add done (on the bus klist)' },
    { name: 'dev.device_lock', domain: ref('$thread'), over: 'dev', init: 'none', doc: 'device_lock(dev) holder' },
    { name: 'dev.driver', domain: en(...drivers), over: 'dev', init: 'none', doc: 'struct device::driver' },
    { name: 'dev.bind_phase', domain: en('idle', 'links_ok', 'dma_cfg', 'use_dd', 'drv_probe', 'bound', 'unbinding'), over: 'dev', init: 'idle', doc: 'position in really_probe / __device_release_driver' },
    { name: 'dev.deferred', domain: bool, over: 'dev', init: per((d) => d.start === 'deferred'), doc: 'on the deferred-probe pending list' },
    { name: 'dev.trigger', domain: bool, over: 'dev', init: false, doc: 'a deferred-probe trigger happened since this device last started probing' },
    // A client deferred before the scenario keeps what its deferral left (firmware-configure.ts).
    { name: 'dev.iommu', domain: en('null', 'alloc'), over: 'dev', init: per((d, i) => (d.start === 'deferred' && ctx.devIommu && of(i) && !f.configure_error_frees_dev_iommu ? 'alloc' : 'null')), doc: 'struct device::iommu' },
    { name: 'dev.iommu_fwspec', domain: en('none', 'pending', 'present'), over: 'dev', init: per((d, i) => (d.start === 'deferred' && !ctx.devIommu && of(i) ? 'pending' : 'none')), doc: 'the fwspec; pending = ops NULL (OF, deferred)' },
    { name: 'dev.iommu_priv', domain: en('null', 'set'), over: 'dev', init: 'null', doc: 'ipmmu fwspec->iommu_priv' },
    { name: 'dev.iommu_iommu_dev', domain: ref('iommu'), over: 'dev', init: 'none', doc: 'dev->iommu->iommu_dev' },
    { name: 'dev.iommu_linked', domain: bool, over: 'dev', init: false, doc: 'iommu_device_link(iommu_dev, dev) done: the sysfs link .../iommu/devices/<dev> exists (v6.15 model)' },
    { name: 'dev.iommu_group', domain: ref('group'), over: 'dev', init: 'none', doc: 'struct device::iommu_group' },
    { name: 'dev.in_group_list', domain: bool, over: 'dev', init: false, doc: 'the group_device entry is on group->devices' },
    { name: 'dev.dma_ops', domain: en('none', 'direct', 'iommu'), over: 'dev', init: 'none', doc: 'struct device::dma_ops (<= v6.6)' },
    { name: 'dev.dma_iommu', domain: bool, over: 'dev', init: false, doc: 'struct device::dma_iommu (>= v6.12)' },
    { name: 'dev.live_maps', domain: en('none', 'direct', 'iommu', 'both'), over: 'dev', init: 'none', ghost: true, doc: 'DMA mappings the bound driver holds, tagged by mode' },
    { name: 'ghost.bound_dma_mode', domain: en('none', 'direct', 'iommu'), over: 'dev', init: 'none', ghost: true, doc: 'DMA mode when driver_bound ran' },
    { name: 'ghost.use_counted', domain: en('na', 'counted', 'not_counted', 'failed'), over: 'dev', init: 'na', ghost: true, doc: 'outcome of iommu_device_use_default_domain for the current binding' },
    { name: 'ghost.kernel_dma_user', domain: bool, over: 'dev', init: false, ghost: true, doc: 'bound or probing past the use, to a non-driver_managed_dma driver' },
    { name: 'ghost.fw_dma_live', domain: bool, over: 'dev', init: per((d) => !!d.fwDmaLive), ghost: true, doc: 'bootloader DMA still running' },
    // groups
    { name: 'group.exists', domain: bool, over: 'group', init: false, doc: 'the iommu_group object is alive (v4.19)' },
    { name: 'group.ref', domain: { kind: 'int', min: 0, max: 4 * ctx.nDev + 1 }, over: 'group', init: 0, doc: 'kref of group->devices_kobj (v4.19)' },
    { name: 'group.dd_type', domain: en('none', 'dma', 'identity'), over: 'group', init: groupIdentity, doc: 'the default-domain type the members select (constant)' },
    { name: 'group.default_domain', domain: en('none', 'dma', 'identity'), over: 'group', init: 'none', doc: 'struct iommu_group::default_domain (Dd) and its type' },
    { name: 'group.domain', domain: en('none', 'dd', 'db', 'du'), over: 'group', init: 'none', doc: 'struct iommu_group::domain: Dd, the blocking domain Db, or an unmanaged Du' },
    { name: 'group.ctx_ready', domain: bool, over: 'group', init: false, doc: 'Dd: ipmmu domain->mmu != NULL' },
    { name: 'group.dd_freed', domain: bool, over: 'group', init: false, doc: 'Dd: ops->domain_free has run' },
    { name: 'group.iovad_init', domain: bool, over: 'group', init: false, doc: 'Dd: iommu_dma_init_domain has run' },
    // One count per kernel DMA user in the group, or one user-space owner: at most a count per
    // device (a larger value stops the run with a model error, never wraps).
    { name: 'group.owner_cnt', domain: { kind: 'int', min: 0, max: Math.max(3, ctx.nDev) }, over: 'group', init: 0, doc: 'struct iommu_group::owner_cnt' },
    { name: 'group.owner', domain: en('null', 'U'), over: 'group', init: 'null', doc: 'struct iommu_group::owner' },
    { name: 'group.on_group_list', domain: ref('iommu'), over: 'group', init: 'none', doc: 'on the group_list of the walk of this instance' },
    { name: 'vfio.container_set', domain: bool, over: 'group', init: false, doc: 'vfio_group::container set' },
  ];
  return [...fields, ...ctx.locals.values()];
}
