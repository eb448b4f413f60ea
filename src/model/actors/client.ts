/**
 * Actor C: a client device binds (really_probe under device_lock), with deferral and the
 * deferred-probe worker's retry. In order: device_lock; device links; dev->driver = drv;
 * dev->bus->dma_configure() -> [iommu_device_use_default_domain before (v7 series)] the firmware
 * configure (o_*) and its replay of iommu_probe_device (the probe path's form) ->
 * arch_setup_dma_ops -> [iommu_device_use_default_domain after (512881eacfa7)]; the driver's
 * probe (K: DMA-API user, M: msm private domain, V: vfio, N: no DMA); driver_bound; device_unlock.
 * N binds exactly as K does (dma_configure, the default-domain use) and never maps or unmaps.
 */
import { and, at, count, eq, gt, implies, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import type { DevCfg } from '../config';
import { END } from '../../ir/types';
import {
  ActorB, br, FILES, gOf, gv, hasGrp, iv, ME, modeIommu, modeValue, SELF, type BuildCtx, type Exit,
} from '../ctx';
import { archSetupDmaOps } from '../paths/arch-setup-dma-ops';
import { useDefaultDomain } from '../paths/use-default-domain';
import { firmwareConfigure, PROBE_PATH, type ProbeExits } from '../paths';
import { firmwareEntry } from '../paths/firmware-configure';
import { firmwareReplay, replayLabel, replaysProbe } from '../paths/firmware-replay';
import type { BusGlue } from '../bus-glue';
import type { Variant } from '../dev-paths';
import { clientSettled, clientSlots, forEveryClient, registrationSlots, initcallTriggersDone } from './slots';

export { clientSlots };


export function buildClient(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'C', 'dev', __filename, clientSlots(ctx));
  const d = SELF;
  const G = gOf(d);
  const useBeforeFw = ctx.forms.ownership === 'use_before_fw';
  const useAfterFw = ctx.forms.ownership === 'use_after_fw';
  const hotplug = ctx.sc.devices.some((x) => x.start === 'hotplug');
  const links = ctx.sc.devices.some((x) => x.linksBlock);
  const dl = 'dev.device_lock';
  const dlFree = eq(v(dl, d), 'none');
  const rs = registrationSlots(ctx);
  const quiet = and(
    not(v('dev.trigger', d)),
    ...rs.map((s) => at('R', s, END)),
    forEveryClient(ctx, (s) => implies(ne(d, s), clientSettled(s))),
    ...initcallTriggersDone(ctx),
  );
  const attachG = hotplug ? and(not(v('dev.deferred', d)), dlFree, or(not(v('dev.hotplug', d)), at('N', d, END))) : and(not(v('dev.deferred', d)), dlFree);
  b.add('c_lock', 'really_probe()', FILES.dd, [
    br('attach', attachG, [set(dl, d, ME), set('dev.trigger', d, false)], 'c_links', undefined, '__driver_attach / __device_attach / async probe: device_lock(dev)'),
    br('w_run', and(v('dev.deferred', d), v('dev.trigger', d), dlFree), [set(dl, d, ME), set('dev.deferred', d, false), set('dev.trigger', d, false)], 'c_links', undefined, 'deferred_probe_work_func: the device moved to the active list by a trigger; device_lock(dev)'),
    br('idle', and(v('dev.deferred', d), quiet), [], END, undefined, 'no trigger can come any more: the device stays on the deferred list'),
  ], { doc: 'device_lock(dev) and the start of really_probe; the deferred-probe worker (W) retries a deferred device after driver_deferred_probe_trigger()' });
  ctx.assume('the deferred-probe worker is modelled per device: a deferred device retries after any driver_bound() trigger; the worker\'s one-at-a-time serialization is not modelled (over-approximation)');
  const linkBr = [br('ok', links ? not(and(v('dev.links_block', d), ne(iv('iommu.driver_state', d), 'bound'))) : undefined, [set('dev.bind_phase', d, 'links_ok')], 'c_set_driver')];
  if (links) linkBr.push(br('defer', and(v('dev.links_block', d), ne(iv('iommu.driver_state', d), 'bound')), [], 'c_defer', undefined, 'fw_devlink.strict: the IOMMU supplier is not bound -> -EPROBE_DEFER'));
  b.add('c_links', 'device_links_check_suppliers()', FILES.core, linkBr, { doc: 'really_probe: device_links_check_suppliers (DT iommus links are optional unless fw_devlink.strict=1)' });
  b.add('c_set_driver', 'really_probe()', FILES.dd, [br(undefined, undefined, [set('dev.driver', d, v('dev.drv', d)), set('dev.bind_phase', d, 'dma_cfg')], '$c_dma_cfg')],
    { doc: 'dev->driver = drv (device_set_driver in 6.15), BEFORE dma_configure; pinctrl_bind_pins' });
  const arch = 'c_arch_setup';
  const useEntry = 'c_use_dd';
  // dev->bus->dma_configure: one step per glue of the binding devices, each going on to the
  // firmware configure of the device's firmware (dev-paths.ts).
  const glues = ctx.variants.glue(b.devs);
  const fws = ctx.variants.firmware(b.devs);
  const DMA_CFG = '$c_dma_cfg', FW = '$fw', fwOf = (g: Variant<BusGlue>) => `$fw@${g.key}`;
  const fwsOf = (g: Variant<BusGlue>) => fws.filter((x) => x.devs.some((i) => g.devs.includes(i)));
  for (const g of glues) {
    const kinds = fwsOf(g).map((x) => x.value);
    b.add(`c_dma_cfg${g.suffix}`, g.value.configure, g.value.file, [br(undefined, undefined, [], useBeforeFw ? useEntry : fwOf(g))],
      { doc: 'really_probe -> dev->bus->dma_configure(dev)' + (kinds.length > 1 ? ' -> of_dma_configure or acpi_dma_configure (IORT), by the device\'s firmware' : kinds[0] === 'of' ? ' -> of_dma_configure(dev, np, true) (bus_dma_mask for the client itself not modelled)' : ' -> acpi_dma_configure (IORT)') });
  }
  const cfg = b.local('cfg', { kind: 'enum', values: ['none', 'ok', 'noiommu', 'defer'] }, 'none');
  const err = b.local('err', { kind: 'enum', values: ['ok', 'enodev', 'err', 'defer'] }, 'ok');
  const deferTarget = useBeforeFw ? 'c_unuse_on_err' : 'c_defer';
  const afterArch = useAfterFw ? useEntry : 'c_drv_probe';

  if (ctx.ownership) useDefaultDomain(b, d, { entry: useEntry, err, afterUse: useBeforeFw ? FW : 'c_drv_probe' });

  // The firmware configure of each firmware among the binding devices, and its replay of
  // iommu_probe_device (the probe path's form, built once for every firmware that replays).
  let probe: string | undefined;
  for (const fw of fws) {
    const replays = replaysProbe(ctx.forms, fw.value);
    firmwareConfigure(b, d, { ok: { goto: arch }, noiommu: { goto: arch }, defer: { goto: deferTarget }, replay: replays ? replayLabel(fw) : null }, fw);
    if (replays) {
      if (probe === undefined) {
        const failExit: Exit = { goto: arch, assign: [b.ls(cfg, 'noiommu')] };
        const pexits: ProbeExits = { ok: { goto: arch }, enodev: failExit, err: failExit, defer: { goto: deferTarget } };
        // really_probe set dev->driver, so the client's own probe never drops the lock (v6.15).
        probe = PROBE_PATH[ctx.forms.probe](b, d, 'probe', pexits, { canDrop: false });
      }
      firmwareReplay(b, d, { skip: arch, probe }, fw);
    }
  }
  b.dispatch(DMA_CFG, d, glues, (g) => `c_dma_cfg${g.suffix}`);
  b.dispatch(FW, d, fws, firmwareEntry);
  for (const g of glues) b.dispatch(fwOf(g), d, fwsOf(g), firmwareEntry);

  archSetupDmaOps(b, d, { label: arch, cfg, next: afterArch });

  // The driver body.
  const probeFail = ctx.sc.faults.includes('f_drv_probe_fail');
  const fwLive = ctx.sc.devices.some((x) => x.fwDmaLive);
  const kinds = new Set(clientSlots(ctx).map((i) => ctx.sc.devices[i].driver));
  const bodyBr = [
    br('K', eq(v('dev.drv', d), 'K'), [set('dev.bind_phase', d, 'drv_probe')], 'd_map'),
    br('M', eq(v('dev.drv', d), 'M'), [set('dev.bind_phase', d, 'drv_probe')], fwLive ? 'm_fw_stop' : 'm_attach'),
    // vfio-pci's probe takes the device's IOMMU group (vfio_iommu_group_get) and fails without
    // one: the vfio group exists from the bind on, or never (REVIEW error 7).
    br('V', and(eq(v('dev.drv', d), 'V'), hasGrp(d)), [set('dev.bind_phase', d, 'drv_probe')], 'c_bound'),
    // A driver that does no DMA: its probe maps nothing, so no d_map; the bind around it is K's.
    br('N', eq(v('dev.drv', d), 'N'), [set('dev.bind_phase', d, 'drv_probe')], 'c_bound', undefined, 'a driver that does no DMA: its probe maps nothing'),
  ].filter((x) => kinds.has(x.name as DevCfg['driver']));
  const lateFail = probeFail || kinds.has('V');
  if (kinds.has('V')) bodyBr.push(br('V_nogroup', and(eq(v('dev.drv', d), 'V'), not(hasGrp(d))), [], 'c_fail_late', undefined, 'vfio_pci_probe: no IOMMU group -> -EINVAL'));
  if (probeFail) bodyBr.push(br('fail', undefined, [], 'c_fail_late', undefined, 'f_drv_probe_fail: the driver probe returns an error'));
  b.add('c_drv_probe', 'call_driver_probe()', FILES.dd, bodyBr, { doc: 'driver_sysfs_add (c_sysfs, folded) and drv->probe(dev)' });
  // iommu-dma dereferences the IOVA cookie of the domain it looks up at call time: the current
  // domain in v4.19, the default domain from v5.0 (a private domain attached meanwhile then only
  // blocks or unisolates DMA: DmaOpsMatchDomain, not an oops).
  const current = f.dma_api_domain_lookup === 'current_domain';
  const cookieOk = and(hasGrp(d), ...(current ? [eq(gv('group.domain', d), 'dd')] : []), eq(gv('group.default_domain', d), 'dma'), ...(ctx.coreDma ? [] : [gv('group.iovad_init', d)]));
  const cookieAssert = [{ name: 'DmaApiDomainHasCookie', cond: implies(modeIommu(ctx, d), cookieOk),
    doc: `C_DMA_COOKIE: iommu-dma looks up ${current ? 'iommu_get_domain_for_dev(dev)' : 'iommu_get_dma_domain(dev) (group->default_domain)'} at call time and dereferences its iova_cookie` }];
  const liveNow = ite(modeIommu(ctx, d), 'iommu', 'direct');
  if (kinds.has('K')) b.add('d_map', ctx.coreDma ? 'dma_map_page_attrs()' : 'dma_map_single_attrs()', ctx.coreDma ? FILES.mapping : FILES.dma_mapping_h, [br(undefined, undefined, [set('dev.live_maps', d, liveNow)], 'c_bound', cookieAssert)],
    { doc: 'the driver maps a buffer through the DMA API, dispatched on ' + (ctx.coreDma ? 'use_dma_iommu(dev)' : 'dev->dma_ops') + '; the mapping is live from here' });
  if (kinds.has('M')) {
    if (fwLive) {
      b.add('m_fw_stop', 'dpu_kms_hw_init()', FILES.msm_kms, [br(undefined, undefined, [set('ghost.fw_dma_live', d, false)], 'm_attach')],
        { doc: 'the display driver takes over scanout from the bootloader [model: the real point in msm/dpu was not located]' });
      ctx.assume('msm stops the bootloader\'s scanout (m_fw_stop) before attaching its private domain [model]');
    }
    const single = eq(count('dev', (i) => and(eq(v('dev.iommu_group', i), G), v('dev.in_group_list', i))), 1);
    const okAttach = and(hasGrp(d), single, or(eq(gv('group.default_domain', d), 'none'), eq(gv('group.domain', d), 'dd')));
    b.add('m_attach', 'iommu_attach_device()', FILES.iommu, [
      br('ok', okAttach, [set('group.domain', G, 'du')], 'm_dma_map_sg', undefined, 'iommu_domain_alloc (Du: unmanaged, no cookie; m_domain_alloc folded) then iommu_attach_device under group->mutex: group->domain = Du; dev->dma_ops untouched'),
      br('fail', not(okAttach), [], 'm_dma_map_sg', undefined, 'f_private_attach_fail / no group: "failed to attach iommu"'),
    ], { doc: 'msm_iommu_attach -> iommu_attach_device(Du, dev)' });
    ctx.assume('arm-smmu domain_alloc gives an IOVA cookie only to DMA domains (an unmanaged Du has none) [inferred for arm-smmu; src for ipmmu]');
    if (f.msm_dma_map_for_cache) {
      b.add('m_dma_map_sg', ctx.devIommu ? 'sync_for_device()' : 'get_pages()', FILES.msm_gem, [br(undefined, undefined, [set('dev.live_maps', d, liveNow)], 'c_bound', cookieAssert)],
        { doc: 'msm_gem get_pages: dma_map_sg(dev) purely for cache maintenance -> iommu_dma_map_sg on group->domain (seed 003)' });
    } else {
      b.add('m_dma_map_sg', 'dma_sync_sg_for_device()', FILES.msm_gem, [br(undefined, undefined, [], 'c_bound')],
        { doc: '0036bc73ccbe: dma_sync_sg_for_device, no IOVA allocated' });
    }
  }
  b.add('c_bound', 'driver_bound()', FILES.dd, [br(undefined, undefined, [
    set('dev.bind_phase', d, 'bound'), set('ghost.bound_dma_mode', d, modeValue(ctx, d)), ...ctx.triggerAll(),
  ], 'c_unlock')], { doc: 'driver_bound: klist add, driver_deferred_probe_trigger, BUS_NOTIFY_BOUND_DRIVER' });
  const unbindCleanup = (extra: Assign[]): Assign[] => [
    set('dev.driver', d, 'none'), set('dev.bind_phase', d, 'idle'), set('ghost.kernel_dma_user', d, false), set('ghost.use_counted', d, 'na'), ...extra,
  ];
  if (lateFail) {
    const cleanup = ctx.ownership && f.dma_cleanup_callback;
    const bad = or(v('ghost.bad_unuse'), ne(v('ghost.use_counted', d), 'counted'));
    const fl: Assign[] = cleanup ? [
      set('ghost.bad_unuse', undefined, ite(and(dmaUserConst(d), hasGrp(d)), bad, v('ghost.bad_unuse'))),
      set('group.owner_cnt', G, ite(and(dmaUserConst(d), hasGrp(d), gt(gv('group.owner_cnt', d), 0)), { kind: 'bin', op: 'sub', left: gv('group.owner_cnt', d), right: { kind: 'lit', value: 1 } }, gv('group.owner_cnt', d))),
    ] : [];
    b.add('c_fail_late', 'really_probe()', FILES.dd, [br(undefined, undefined, [...unbindCleanup(fl), ...(ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')]), set('dev.live_maps', d, 'none')], 'c_unlock')],
      { doc: 'probe_failed: driver_sysfs_remove' + (cleanup ? ', dev->bus->dma_cleanup(dev) -> unuse (even if the use was not counted)' : '') + ', arch_teardown_dma_ops, dev->driver = NULL' });
  }
  b.add('c_defer', 'really_probe()', FILES.dd, [br(undefined, undefined, unbindCleanup([set('dev.deferred', d, true)]), 'c_unlock')],
    { doc: 'dma_configure returned -EPROBE_DEFER: dev->driver = NULL; driver_deferred_probe_add_trigger (no dma_cleanup)' });
  b.add('c_fail_early', 'really_probe()', FILES.dd, [br(undefined, undefined, unbindCleanup([]), 'c_unlock')],
    { doc: 'dma_configure failed: goto pinctrl_bind_failed (885e50253bfd): no dma_cleanup; dev->driver = NULL; the bind fails' });
  b.add('c_unlock', 'device_unlock()', FILES.device_h, [
    br('done', not(v('dev.deferred', d)), [set(dl, d, 'none')], END),
    br('wait', v('dev.deferred', d), [set(dl, d, 'none')], 'c_lock', undefined, 'on the deferred-probe pending list'),
  ], { doc: 'device_unlock(dev)' });
  return b;
}

const dmaUserConst = (d: Expr) => ne(v('dev.drv', d), 'V');

