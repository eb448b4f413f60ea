/**
 * The actors of the kernel model (brief 2.0): R (IOMMU registration and its bus walk), C (the
 * client bind, really_probe, with deferral and the deferred-probe worker's retry), N (device_add
 * and the bus notifier), U (unbind), V (a vfio-like DMA owner), E (environment).
 */
import { add, and, at, eq, gt, implies, ite, lt, ne, not, or, set, v } from '../ir/dsl';
import type { Assign, Expr } from '../ir/types';
import { END } from '../ir/types';
import {
  ActorB, bound, br, BuildCtx, decSat, exitBr, FILES, gOf, gv, hasGrp, iv, modeIommu, modeValue, SELF, type Exit,
} from './ctx';
import { addDeviceA, firmwareConfigure, probeB, probeLocked, type ProbeExits } from './probe';

const ME: Expr = { kind: 'param', name: '$me' };

export function rSlots(ctx: BuildCtx): number[] {
  return ctx.sc.bootThread ? [0] : ctx.sc.iommus.map((x, i) => (x.atBoot ? -1 : i)).filter((i) => i >= 0);
}
export function cSlots(ctx: BuildCtx): number[] {
  return ctx.sc.devices.map((d, i) => (d.start === 'none' ? -1 : i)).filter((i) => i >= 0);
}

// ---------------------------------------------------------------------------------------------
// R

export function buildR(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'R', 'iommu');
  const unitF = b.local('unit', { kind: 'ref', entity: 'iommu', nullable: false }, ctx.sc.iommus.map((i) => i.name));
  const curF = b.local('walk_dev', { kind: 'int', min: 0, max: ctx.nDev }, 0);
  const gcurF = b.local('walk_group', { kind: 'int', min: 0, max: ctx.nGroup }, 0);
  const U = b.lv(unitF);
  const cur = b.lv(curF);
  const gcur = b.lv(gcurF);
  const sl = ctx.selfLookup(0);
  const intel = ctx.driver === 'intel';
  const boot = !!ctx.sc.bootThread;
  const walkIn = ctx.pd && f.registration_model === 'walk_in_iommu_device_register';
  const regFile = ctx.smmuFile;
  const regFn = intel ? 'intel_iommu_init()' : ctx.driver === 'ipmmu' ? 'ipmmu_probe()' : ctx.driver === 'smmu-v3' ? 'arm_smmu_device_probe()' : 'arm_smmu_device_probe()';
  const selfLook = (stage: string): Assign[] => (sl === stage ? [set('iommu.self_lookup_ok', U, true)] : []);

  // r_publish
  // v6.6+: the brief (2.3) and the addendum (4.1 step 0) fold `bus->iommu_ops = ops` into
  // r_publish [inferred: the 6.6 iommu_device_register body was not re-read]; v6.1 keeps the
  // separate r_bus_loop step of brief 2.2.
  // Verified in 6.6-era iommu.c (index id 39867950549, 75421827): list_add under
  // iommu_device_lock, then `iommu_buses[i]->iommu_ops = ops; bus_iommu_probe()`: the bus ops
  // are set in a later step (r_bus_loop), as in v6.1. v6.15 no longer reads bus ops.
  const opsInPublish = false;
  const publishAssign: Assign[] = [set('iommu.listed', U, true), set('iommu.ops_set', U, true), ...selfLook('publish'), ...(opsInPublish ? [set('bus.iommu_ops', undefined, 'ops')] : [])];
  const afterPublish = !ctx.pd ? 'r_bus_set_ops' : walkIn ? (opsInPublish ? 'r_walk_next' : 'r_bus_loop') : 'r_bus_set_ops';
  if (boot && !walkIn) {
    b.add('r_publish', 'iommu_device_register()', FILES.iommu, [
      br('next_unit', lt(add(U, 1), ctx.nIommu), [...publishAssign, b.ls(unitF, add(U, 1))], 'r_publish', undefined, 'the boot thread registers every DMAR unit before bus_set_iommu'),
      br('last', eq(add(U, 1), ctx.nIommu), publishAssign, afterPublish),
    ], { doc: 'iommu_device_register(): iommu->ops = ops; list_add under iommu_device_lock (no walk)' });
  } else {
    b.add('r_publish', 'iommu_device_register()', FILES.iommu, [br(undefined, undefined, publishAssign, afterPublish)],
      { doc: walkIn ? 'iommu_device_register(): iommu->ops = ops, fwnode, list_add under iommu_device_lock' : 'iommu_device_register(): list_add under iommu_device_lock (no walk)' });
  }
  const fail = !ctx.pd || !walkIn ? 'r_walk_fail' : 'r_unregister';
  const walkEntryLabel = !ctx.pd ? 'ad_gate' : ctx.pl ? 'r_lock' : 'r_grouped_check';
  if (!walkIn) {
    b.add('r_bus_set_ops', 'bus_set_iommu()', FILES.iommu, [
      br('busy', ne(v('bus.iommu_ops'), 'none'), [], ctx.pd ? (intel && boot ? 'r_done' : 'r_bound') : 'r_set_drvdata', undefined, 'bus->iommu_ops already set -> -EBUSY (a second instance of the driver does not walk)'),
      br('set', eq(v('bus.iommu_ops'), 'none'), [set('bus.iommu_ops', undefined, 'ops')], 'r_notifier_reg'),
    ], { doc: 'bus_set_iommu(bus, ops): bus->iommu_ops = ops; iommu_bus_init()' });
    b.add('r_notifier_reg', 'iommu_bus_init()', FILES.iommu, [br(undefined, undefined, [set('bus.notifier_registered', undefined, true)], 'r_walk_next')],
      { doc: 'iommu_bus_init: bus_register_notifier(iommu_bus_notifier)' });
  } else if (!opsInPublish) {
    b.add('r_bus_loop', 'iommu_device_register()', FILES.iommu, [br(undefined, undefined, [set('bus.iommu_ops', undefined, 'ops'), b.ls(curF, 0), b.ls(gcurF, 0)], 'r_walk_next')],
      { doc: 'for each bus in iommu_buses[]: bus->iommu_ops = ops; bus_iommu_probe(bus) (57365a04c921)' });
  }
  const phase2 = !ctx.pd ? 'r_set_drvdata' : ctx.pl ? 'r_finalize_group' : 'r_list_del';
  b.add('r_walk_next', ctx.pd ? 'bus_iommu_probe()' : 'iommu_bus_init()', FILES.iommu, [
    br('add', and(lt(cur, ctx.nDev), v('dev.added', cur)), [], walkEntryLabel, undefined, 'bus_for_each_dev: the next device on the bus klist'),
    br('skip', and(lt(cur, ctx.nDev), not(v('dev.added', cur))), [b.ls(curF, add(cur, 1))], 'r_walk_next', undefined, 'not yet added'),
    br('done', eq(cur, ctx.nDev), [], phase2, undefined, 'end of the bus'),
  ], { doc: ctx.pd ? 'bus_iommu_probe phase 1: bus_for_each_dev(probe_iommu_group); no device_lock of the client' : 'iommu_bus_init: bus_for_each_dev(add_iommu_group); no device_lock of the client' });
  const next: Exit = { goto: 'r_walk_next', assign: [b.ls(curF, add(cur, 1))] };
  const exits: ProbeExits = { ok: next, enodev: next, err: { goto: fail }, defer: { goto: fail } };
  if (!ctx.pd) addDeviceA(b, cur, exits);
  else if (ctx.pl) probeLocked(b, cur, 'walk', exits, { canDrop: true });
  else probeB(b, cur, 'walk', exits);

  // phase 2: default domains for the groups on this walk's list
  const after2 = walkIn || boot ? 'r_done' : 'r_bound';
  const G = gcur;
  const mine = and(lt(gcur, ctx.nGroup), eq(v('group.on_group_list', G), U));
  const notMine = and(lt(gcur, ctx.nGroup), ne(v('group.on_group_list', G), U));
  const finAssign: Assign[] = [
    set('group.default_domain', G, ite(eq(v('group.default_domain', G), 'none'), v('group.dd_type', G), v('group.default_domain', G))),
    set('group.domain', G, 'dd'),
  ];
  if (ctx.coreDma) {
    for (let i = 0; i < ctx.nDev; i++) {
      finAssign.push(set('dev.dma_iommu', i, ite(and(eq(v('dev.iommu_group', i), G), v('dev.in_group_list', i)), eq(ite(eq(v('group.default_domain', G), 'none'), v('group.dd_type', G), v('group.default_domain', G)), 'dma'), v('dev.dma_iommu', i))));
    }
  }
  const finDoc = 'under group->mutex: iommu_setup_default_domain / probe_alloc_default_domain: allocate the default domain and attach every member' + (ctx.coreDma ? '; iommu_setup_dma_ops() for each gdev (dev->dma_iommu)' : ctx.pd && ctx.pl ? ' (6.6 does NOT set DMA ops here)' : '');
  if (ctx.pd && !ctx.pl) {
    b.add('r_list_del', 'bus_iommu_probe()', FILES.iommu, [
      br('fin', mine, [set('group.on_group_list', G, 'none')], 'r_finalize_group', undefined, 'list_del_init(&group->entry) WITHOUT group->mutex'),
      br('skip', notMine, [b.ls(gcurF, add(gcur, 1))], 'r_list_del'),
      br('done', eq(gcur, ctx.nGroup), [], after2),
    ], { doc: 'bus_iommu_probe phase 2: for each group on the walk\'s list' });
    b.add('r_finalize_group', 'bus_iommu_probe()', FILES.iommu, [br(undefined, undefined, [...finAssign, b.ls(gcurF, add(gcur, 1))], 'r_list_del')], { doc: finDoc });
  } else if (ctx.pd) {
    b.add('r_finalize_group', 'bus_iommu_probe()', FILES.iommu, [
      br('fin', mine, [...finAssign, set('group.on_group_list', G, 'none'), b.ls(gcurF, add(gcur, 1))], 'r_finalize_group', undefined, 'list_del_init(&group->entry) under group->mutex, then the default domain'),
      br('skip', notMine, [b.ls(gcurF, add(gcur, 1))], 'r_finalize_group'),
      br('done', eq(gcur, ctx.nGroup), [], after2),
    ], { doc: finDoc + '; r_probe_finalize (probe_finalize outside GM) folded: no arm64 effect' });
  }
  if (ctx.pd) {
    if (walkIn || boot) {
      const doneAssign: Assign[] = f.registration_race_fix ? [set('iommu.ready', U, true)] : [];
      const fin: Assign[] = intel ? [set('iommu.driver_state', U, 'bound')] : [];
      if (boot && walkIn) {
        b.add('r_done', 'iommu_device_register()', FILES.iommu, [
          br('next_unit', lt(add(U, 1), ctx.nIommu), [...doneAssign, ...fin, b.ls(unitF, add(U, 1)), b.ls(curF, 0), b.ls(gcurF, 0)], 'r_publish', undefined, 'intel_iommu_init registers the next DMAR unit'),
          br('last', eq(add(U, 1), ctx.nIommu), [...doneAssign, ...fin], intel ? END : 'r_bound'),
        ], { doc: 'iommu_device_register() returns' + (f.registration_race_fix ? '; WRITE_ONCE(iommu->ready, true) (da33e87bd2bf)' : '') });
      } else {
        b.add('r_done', 'iommu_device_register()', FILES.iommu, [br(undefined, undefined, [...doneAssign, ...fin], intel ? END : 'r_bound')],
          { doc: 'iommu_device_register() returns' + (f.registration_race_fix ? '; WRITE_ONCE(iommu->ready, true) (da33e87bd2bf)' : '') });
      }
    }
  } else {
    b.add('r_set_drvdata', ctx.driver === 'ipmmu' ? 'ipmmu_probe()' : 'arm_smmu_device_probe()', regFile, [br(undefined, undefined, selfLook('drvdata'), 'r_bound')],
      { doc: 'platform_set_drvdata(pdev, mmu) after registration (ipmmu: iommu_priv lookups succeed from here)' });
    if (ctx.driver === 'ipmmu') ctx.assume('ipmmu_probe ignores the return value of bus_set_iommu and sets drvdata after registration [inferred: verify v4.20-rc1 drivers/iommu/ipmmu-vmsa.c]');
  }
  if (!ctx.pd || !(intel && (walkIn || boot))) {
    b.add('r_bound', 'driver_bound()', FILES.dd, [br(undefined, undefined, [set('iommu.driver_state', U, 'bound'), ...selfLook('bound'), ...ctx.triggerAll()], END)],
      { doc: 'driver_bound(IOMMU device) -> driver_deferred_probe_trigger(): every deferred device becomes runnable' });
  }
  // failure exits
  if (fail === 'r_walk_fail') {
    b.add('r_walk_fail', ctx.pd ? 'iommu_bus_init()' : 'iommu_bus_init()', FILES.iommu, [
      br(undefined, undefined, [set('bus.iommu_ops', undefined, 'none'), set('bus.notifier_registered', undefined, false), set('iommu.driver_state', U, 'failed')], END),
    ], { doc: 'iommu_bus_init error: remove_iommu_group on every device [not modelled], unregister the notifier, bus->iommu_ops = NULL; the IOMMU probe fails' });
  } else {
    const rel: Assign[] = [];
    for (let i = 0; i < ctx.nDev; i++) {
      const mineD = eq(v('dev.iommu_iommu_dev', i), U);
      rel.push(set('dev.iommu_group', i, ite(mineD, 'none', v('dev.iommu_group', i))));
      rel.push(set('dev.in_group_list', i, ite(mineD, false, v('dev.in_group_list', i))));
      rel.push(set('dev.iommu', i, ite(mineD, 'null', v('dev.iommu', i))));
      rel.push(set('dev.iommu_fwspec', i, ite(mineD, 'none', v('dev.iommu_fwspec', i))));
      rel.push(set('dev.iommu_iommu_dev', i, ite(mineD, 'none', v('dev.iommu_iommu_dev', i))));
    }
    b.add('r_unregister', 'iommu_device_unregister()', FILES.iommu, [
      br(undefined, undefined, [...rel, set('iommu.listed', U, false), set('iommu.driver_state', U, 'failed')], END),
    ], { doc: 'iommu_device_unregister: remove_iommu_group for devices whose iommu_dev is this instance; list_del. The IOMMU probe fails (retry not modelled)' });
  }
  void regFn; void gt;
  return b;
}

// ---------------------------------------------------------------------------------------------
// C

export function buildC(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'C', 'dev');
  const d = SELF;
  const G = gOf(d);
  const own = ctx.ownership;
  const v7 = own && f.use_default_domain_site === 'before_fw_configure';
  const after = own && !v7;
  const hotplug = ctx.sc.devices.some((x) => x.start === 'hotplug');
  const links = ctx.sc.devices.some((x) => x.linksBlock);
  const dl = 'dev.device_lock';
  const dlFree = eq(v(dl, d), 'none');
  const cs = cSlots(ctx);
  const rs = rSlots(ctx);
  const quiet = and(
    not(v('dev.trigger', d)),
    ...rs.map((s) => at('R', s, END)),
    ...cs.map((s) => implies(ne(d, s), or(at('C', s, END), and(at('C', s, 'c_lock'), v('dev.deferred', s), not(v('dev.trigger', s)))))),
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
  b.add('c_set_driver', 'really_probe()', FILES.dd, [br(undefined, undefined, [set('dev.driver', d, v('dev.drv', d)), set('dev.bind_phase', d, 'dma_cfg')], 'c_dma_cfg')],
    { doc: 'dev->driver = drv (device_set_driver in 6.15), BEFORE dma_configure; pinctrl_bind_pins' });
  const arch = 'c_arch_setup';
  const useEntry = 'c_use_dd';
  b.add('c_dma_cfg', ctx.of ? 'platform_dma_configure()' : 'pci_dma_configure()', ctx.busGlue, [br(undefined, undefined, [], v7 ? useEntry : 'o_lock')],
    { doc: 'really_probe -> dev->bus->dma_configure(dev)' + (ctx.of ? ' -> of_dma_configure(dev, np, true) (bus_dma_mask for the client itself not modelled)' : ' -> acpi_dma_configure (IORT)') });
  const cfg = b.local('cfg', { kind: 'enum', values: ['none', 'ok', 'noiommu', 'defer'] }, 'none');
  const err = b.local('err', { kind: 'enum', values: ['ok', 'enodev', 'err', 'defer'] }, 'ok');
  const deferTarget = v7 ? 'c_unuse_on_err' : 'c_defer';
  const afterArch = after ? useEntry : 'c_drv_probe';

  // iommu_device_use_default_domain (v7 before the firmware configure, v8/v5.19 after it)
  if (own) {
    const nextOk = v7 ? 'o_lock' : 'c_drv_probe';
    b.add(useEntry, 'iommu_device_use_default_domain()', FILES.iommu, [
      br('managed', eq(v('dev.drv', d), 'V'), [], nextOk, undefined, 'driver_managed_dma: no use'),
      br('nogroup', and(ne(v('dev.drv', d), 'V'), not(hasGrp(d))), [set('ghost.use_counted', d, 'not_counted'), set('ghost.kernel_dma_user', d, true), set('dev.bind_phase', d, 'use_dd')], nextOk, undefined, 'dev->iommu_group == NULL (read without a lock) -> return 0, nothing counted'),
      br('group', and(ne(v('dev.drv', d), 'V'), hasGrp(d)), [set('dev.bind_phase', d, 'use_dd')], 'use_check'),
    ], { doc: (v7 ? 'v7 04/11: ' : '512881eacfa7: ') + 'if (!drv->driver_managed_dma) iommu_device_use_default_domain(dev): group = iommu_group_get(dev) without a lock' });
    const defers = f.use_default_domain_defers_if_no_default_domain;
    const noDd = eq(gv('group.default_domain', d), 'none');
    const busy = and(gt(gv('group.owner_cnt', d), 0), or(ne(gv('group.owner', d), 'null'), ne(gv('group.domain', d), 'dd')));
    const useBr = [];
    if (defers) useBr.push(br('defer', noDd, [set('ghost.use_counted', d, 'failed'), b.ls(err, 'defer')], v7 ? 'c_fail_early' : 'c_use_fail', undefined, 'b46064a18810: !group->default_domain -> -EPROBE_DEFER'));
    useBr.push(br('busy', defers ? and(not(noDd), busy) : busy, [set('ghost.use_counted', d, 'failed'), b.ls(err, 'err')], v7 ? 'c_fail_early' : 'c_use_fail', undefined, 'owner_cnt && (owner || domain != default_domain) -> -EBUSY'));
    useBr.push(br('ok', defers ? and(not(noDd), not(busy)) : not(busy), [
      set('group.owner_cnt', G, add(gv('group.owner_cnt', d), 1)), set('ghost.use_counted', d, 'counted'), set('ghost.kernel_dma_user', d, true),
    ], nextOk, undefined, 'owner_cnt++'));
    b.add('use_check', 'iommu_device_use_default_domain()', FILES.iommu, useBr,
      { doc: 'use_lock .. use_unlock as one group->mutex section' });
    if (after) {
      b.add('c_use_fail', 'arch_teardown_dma_ops()', ctx.busGlue, [
        br('defer', eq(b.lv(err), 'defer'), ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')], 'c_defer'),
        br('err', ne(b.lv(err), 'defer'), ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')], 'c_fail_early'),
      ], { doc: 'use failed: arch_teardown_dma_ops(dev); dma_configure returns the error' });
    }
    if (v7) {
      const bad = or(v('ghost.bad_unuse'), ne(v('ghost.use_counted', d), 'counted'));
      b.add('c_unuse_on_err', 'iommu_device_unuse_default_domain()', FILES.iommu, [
        br('nogroup', not(hasGrp(d)), [], 'c_defer'),
        br('dec', hasGrp(d), [set('ghost.bad_unuse', undefined, bad), decSat('group.owner_cnt', G), set('ghost.use_counted', d, 'na')], 'c_defer', undefined, 'WARN_ON(!owner_cnt) else owner_cnt--'),
      ], { doc: 'v7: if (ret && !driver_managed_dma) iommu_device_unuse_default_domain(dev) (unuse_get .. unuse_unlock in one step)' });
    }
  }

  // The firmware configure and its replay.
  firmwareConfigure(b, d, { ok: { goto: arch }, noiommu: { goto: arch }, defer: { goto: deferTarget }, replay: 'o_replay' });
  const failExit: Exit = { goto: arch, assign: [b.ls(cfg, 'noiommu')] };
  const okExit: Exit = { goto: arch };
  const pexits: ProbeExits = { ok: okExit, enodev: failExit, err: failExit, defer: { goto: deferTarget } };
  let pEntry: string;
  if (!ctx.pd) pEntry = addDeviceA(b, d, pexits);
  else if (ctx.pl) pEntry = probeLocked(b, d, 'probe', pexits, { canDrop: false });
  else pEntry = probeB(b, d, 'probe', pexits);
  const rc = f.of_replay_condition;
  const replayBr = [];
  const fn = ctx.of ? 'of_iommu_configure()' : 'acpi_iommu_configure_id()';
  const file = ctx.of ? FILES.of_iommu : FILES.acpi_scan;
  if (rc === 'no_group' || rc === 'not_mapped') {
    replayBr.push(br('skip', hasGrp(d), [], arch, undefined, rc === 'no_group' ? 'dev->iommu_group set: no replay' : 'device_iommu_mapped(dev): no replay'));
    replayBr.push(br('replay', not(hasGrp(d)), [], pEntry, undefined, rc === 'no_group' ? 'ops->add_device(dev)' : 'iommu_probe_device(dev)'));
  } else if (rc === 'not_present') {
    replayBr.push(br('skip', b.lv(`${b.name}.present`), [], arch, undefined, 'dev_iommu_present: a probe is in progress (or done): no replay'));
    replayBr.push(br('replay', not(b.lv(`${b.name}.present`)), [], pEntry, undefined, 'iommu_probe_device(dev)'));
  } else {
    replayBr.push(br('replay', undefined, [], pEntry, undefined, 'if (!err && dev->bus) iommu_probe_device(dev) (ERRATA 6d: no device_iommu_mapped guard in 6.6)'));
  }
  b.add('o_replay', fn, file, replayBr, { doc: 'the replay of the IOMMU probe from the firmware configure' });

  // arch_setup_dma_ops
  if (!ctx.coreDma) {
    const ok = eq(b.lv(cfg), 'ok');
    const dom = gv('group.domain', d);
    const dmaDd = and(hasGrp(d), eq(dom, 'dd'), eq(gv('group.default_domain', d), 'dma'));
    b.add(arch, ctx.pd ? 'iommu_setup_dma_ops()' : '__iommu_setup_dma_ops()', ctx.pd ? FILES.dma_iommu : FILES.arm64_dma, [
      br('noiommu', not(ok), [set('dev.dma_ops', d, 'direct')], afterArch, undefined, 'of/acpi configure returned no IOMMU ops: platform DMA ops'),
      br('retain', and(ok, or(not(hasGrp(d)), eq(dom, 'none'))), [set('dev.dma_ops', d, 'direct')], afterArch, undefined, 'iommu_get_domain_for_dev(dev) == NULL: W_RETAIN "Failed to set up IOMMU for device; retaining platform DMA ops"'),
      br('iommu', and(ok, dmaDd), [set('dev.dma_ops', d, 'iommu'), set('group.iovad_init', G, true)], afterArch, undefined, 'DMA domain: iommu_dma_init_domain, dev->dma_ops = &iommu_dma_ops'),
      br('other', and(ok, hasGrp(d), ne(dom, 'none'), not(dmaDd)), [set('dev.dma_ops', d, 'direct')], afterArch, undefined, 'identity or unmanaged domain: platform ops kept'),
    ], { doc: 'arm64 arch_setup_dma_ops: the DMA mode is decided from group->domain, read without group->mutex' });
  } else {
    b.add(arch, 'arch_setup_dma_ops()', FILES.arm64_dma, [br(undefined, undefined, [], afterArch)],
      { doc: 'arm64 arch_setup_dma_ops(dev, coherent): coherency only (>= 6.10: no IOMMU involvement)' });
  }

  // The driver body.
  const probeFail = ctx.sc.faults.includes('f_drv_probe_fail');
  const fwLive = ctx.sc.devices.some((x) => x.fwDmaLive);
  const kinds = new Set(cSlots(ctx).map((i) => ctx.sc.devices[i].driver));
  const bodyBr = [
    br('K', eq(v('dev.drv', d), 'K'), [set('dev.bind_phase', d, 'drv_probe')], 'd_map'),
    br('M', eq(v('dev.drv', d), 'M'), [set('dev.bind_phase', d, 'drv_probe')], fwLive ? 'm_fw_stop' : 'm_attach'),
    br('V', eq(v('dev.drv', d), 'V'), [set('dev.bind_phase', d, 'drv_probe')], 'c_bound'),
  ].filter((x) => kinds.has(x.name as 'K' | 'M' | 'V'));
  if (probeFail) bodyBr.push(br('fail', undefined, [], 'c_fail_late', undefined, 'f_drv_probe_fail: the driver probe returns an error'));
  b.add('c_drv_probe', 'call_driver_probe()', FILES.dd, bodyBr, { doc: 'driver_sysfs_add (c_sysfs, folded) and drv->probe(dev)' });
  const cookieOk = and(hasGrp(d), eq(gv('group.domain', d), 'dd'), eq(gv('group.default_domain', d), 'dma'), ...(ctx.coreDma ? [] : [gv('group.iovad_init', d)]));
  const cookieAssert = [{ name: 'DmaApiDomainHasCookie', cond: implies(modeIommu(ctx, d), cookieOk), doc: 'C_DMA_COOKIE: iommu-dma looks up iommu_get_domain_for_dev(dev) at call time and dereferences its iova_cookie' }];
  const liveNow = ite(modeIommu(ctx, d), 'iommu', 'direct');
  if (kinds.has('K')) b.add('d_map', ctx.coreDma ? 'dma_map_page_attrs()' : 'dma_map_single()', FILES.mapping, [br(undefined, undefined, [set('dev.live_maps', d, liveNow)], 'c_bound', cookieAssert)],
    { doc: 'the driver maps a buffer through the DMA API, dispatched on ' + (ctx.coreDma ? 'use_dma_iommu(dev)' : 'dev->dma_ops') + '; the mapping is live from here' });
  if (kinds.has('M')) {
    if (fwLive) {
      b.add('m_fw_stop', 'dpu_kms_hw_init()', FILES.msm_kms, [br(undefined, undefined, [set('ghost.fw_dma_live', d, false)], 'm_attach')],
        { doc: 'the display driver takes over scanout from the bootloader [model: the real point in msm/dpu was not located]' });
      ctx.assume('msm stops the bootloader\'s scanout (m_fw_stop) before attaching its private domain [model]');
    }
    const single = eq(ctx.sc.devices.map((_, i) => ite(and(eq(v('dev.iommu_group', i), G), v('dev.in_group_list', i)), 1, 0)).reduce((a: Expr, x) => add(a, x)), 1);
    const okAttach = and(hasGrp(d), single, or(eq(gv('group.default_domain', d), 'none'), eq(gv('group.domain', d), 'dd')));
    b.add('m_attach', 'iommu_attach_device()', FILES.iommu, [
      br('ok', okAttach, [set('group.domain', G, 'du')], 'm_dma_map_sg', undefined, 'iommu_domain_alloc (Du: unmanaged, no cookie; m_domain_alloc folded) then iommu_attach_device under group->mutex: group->domain = Du; dev->dma_ops untouched'),
      br('fail', not(okAttach), [], 'm_dma_map_sg', undefined, 'f_private_attach_fail / no group: "failed to attach iommu"'),
    ], { doc: 'msm_iommu_attach -> iommu_attach_device(Du, dev)' });
    ctx.assume('arm-smmu domain_alloc gives an IOVA cookie only to DMA domains (an unmanaged Du has none) [inferred for arm-smmu; src for ipmmu]');
    if (f.msm_dma_map_for_cache) {
      b.add('m_dma_map_sg', 'dma_map_sg()', FILES.msm_gem, [br(undefined, undefined, [set('dev.live_maps', d, liveNow)], 'c_bound', cookieAssert)],
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
  if (probeFail) {
    const cleanup = own && f.dma_cleanup_callback;
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
  b.add('c_unlock', 'device_unlock()', FILES.dd, [
    br('done', not(v('dev.deferred', d)), [set(dl, d, 'none')], END),
    br('wait', v('dev.deferred', d), [set(dl, d, 'none')], 'c_lock', undefined, 'on the deferred-probe pending list'),
  ], { doc: 'device_unlock(dev)' });
  void err;
  return b;
}

const dmaUserConst = (d: Expr) => ne(v('dev.drv', d), 'V');

// ---------------------------------------------------------------------------------------------
// N: device_add and the bus notifier

export function buildN(ctx: BuildCtx): ActorB {
  const b = new ActorB(ctx, 'N', 'dev');
  const d = SELF;
  const done: ProbeExits = { ok: { goto: END }, enodev: { goto: END }, err: { goto: END }, defer: { goto: END } };
  const entry = ctx.pd && !ctx.pl ? 'pd_bus_ops' : ctx.pd ? 'p_lock' : 'ad_gate';
  b.add('n_add', 'device_add()', FILES.core, [
    br('notify', v('bus.notifier_registered'), [set('dev.added', d, true)], entry, undefined, 'bus_add_device (klist), then BUS_NOTIFY_ADD_DEVICE -> iommu_bus_notifier -> ' + (ctx.pd ? 'iommu_probe_device' : 'ops->add_device')),
    br('quiet', not(v('bus.notifier_registered')), [set('dev.added', d, true)], END, undefined, 'no IOMMU notifier on the bus yet'),
  ], { doc: 'device_add(dev): the result of the notifier is ignored; bus_probe_device (C) follows in this thread' });
  if (!ctx.pd) addDeviceA(b, d, done);
  else if (ctx.pl) probeLocked(b, d, 'probe', done, { canDrop: true });
  else probeB(b, d, 'probe', done);
  return b;
}

// ---------------------------------------------------------------------------------------------
// U: unbind

export function buildU(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'U', 'dev');
  const d = SELF;
  const G = gOf(d);
  const dl = 'dev.device_lock';
  b.add('u_lock', 'device_release_driver()', FILES.dd, [
    br('go', and(eq(v('dev.bind_phase', d), 'bound'), eq(v(dl, d), 'none')), [set(dl, d, ME)], 'u_notify', undefined, 'sysfs unbind: device_lock(dev)'),
    br('skip', and(at('C', d, END), ne(v('dev.bind_phase', d), 'bound')), [], END, undefined, 'the device never bound: nothing to unbind'),
  ], { doc: 'unbind_store -> device_driver_detach -> __device_release_driver under device_lock' });
  b.add('u_notify', '__device_release_driver()', FILES.dd, [br(undefined, undefined, [set('dev.bind_phase', d, 'unbinding')], 'u_remove')],
    { doc: 'driver_sysfs_remove, BUS_NOTIFY_UNBIND_DRIVER' });
  const cleanup = ctx.ownership && f.dma_cleanup_callback;
  b.add('u_remove', 'drv->remove()', FILES.dd, [br(undefined, undefined, [set('dev.live_maps', d, 'none')], cleanup ? 'u_dma_cleanup' : 'u_cleanup')],
    { doc: 'the driver\'s remove: it stops DMA and unmaps (d_stop)' });
  if (cleanup) {
    b.add('u_dma_cleanup', ctx.of ? 'platform_dma_cleanup()' : 'pci_dma_cleanup()', ctx.busGlue, [
      br('managed', eq(v('dev.drv', d), 'V'), [], 'u_cleanup'),
      br('nogroup', and(ne(v('dev.drv', d), 'V'), not(hasGrp(d))), [], 'u_cleanup', undefined, 'unuse_get: dev->iommu_group == NULL -> return'),
      br('group', and(ne(v('dev.drv', d), 'V'), hasGrp(d)), [], 'unuse_dec'),
    ], { doc: 'dev->bus->dma_cleanup(dev): if (!driver_managed_dma) iommu_device_unuse_default_domain(dev); unuse_get reads dev->iommu_group without a lock' });
    const bad = or(v('ghost.bad_unuse'), ne(v('ghost.use_counted', d), 'counted'));
    b.add('unuse_dec', 'iommu_device_unuse_default_domain()', FILES.iommu, [
      br(undefined, undefined, [set('ghost.bad_unuse', undefined, bad), decSat('group.owner_cnt', G), set('ghost.use_counted', d, 'na'), set('ghost.kernel_dma_user', d, false)], 'u_cleanup'),
    ], { doc: 'unuse_lock .. unuse_unlock: if (!WARN_ON(!group->owner_cnt)) group->owner_cnt-- (W_UNUSE_ZERO); no per-device record' });
  }
  b.add('u_cleanup', 'device_unbind_cleanup()', FILES.dd, [br(undefined, undefined, [
    set('dev.driver', d, 'none'), set('dev.bind_phase', d, 'idle'), set('ghost.kernel_dma_user', d, false), set('ghost.use_counted', d, 'na'),
    set('ghost.bound_dma_mode', d, 'none'), ...(ctx.coreDma ? [] : [set('dev.dma_ops', d, 'none')]),
  ], 'u_unlock')], { doc: 'devres release, arch_teardown_dma_ops, dev->driver = NULL, BUS_NOTIFY_UNBOUND_DRIVER' + (ctx.coreDma ? ' (dev->dma_iommu is not cleared)' : '') });
  b.add('u_unlock', 'device_unlock()', FILES.dd, [br(undefined, undefined, [set(dl, d, 'none')], END)], { doc: 'device_unlock(dev)' });
  return b;
}

// ---------------------------------------------------------------------------------------------
// V: vfio-like DMA owner of one group

export function buildV(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'V', 'group');
  const g = SELF;
  const vf = ctx.sc.vfio!;
  const dv = ctx.devIdx(vf.afterBound);
  const cnt = v('group.owner_cnt', g);
  const dom = v('group.domain', g);
  const claimed: Assign[] = [
    set('group.owner', g, 'U'), set('group.owner_cnt', g, 1), set('vfio.container_set', g, true),
    set('group.domain', g, f.claim_semantics === 'blocking_domain' ? 'db' : 'none'),
  ];
  // vfio_group_set_container needs the vfio group, which exists only once the vfio device is in an
  // IOMMU group (vfio_iommu_group_get).
  const ready = and(bound(dv), eq(v('dev.iommu_group', dv), g));
  b.add('v_set_container', 'iommu_group_claim_dma_owner()', FILES.iommu, [
    br('eperm', and(ready, gt(cnt, 0)), [], END, undefined, 'owner_cnt > 0 -> -EPERM'),
    br('ebusy', and(ready, eq(cnt, 0), ne(dom, 'none'), ne(dom, 'dd')), [], END, undefined, 'group->domain != default_domain -> -EBUSY'),
    br('ok', and(ready, eq(cnt, 0), or(eq(dom, 'none'), eq(dom, 'dd'))), claimed, 'v_attach', undefined,
      f.claim_semantics === 'blocking_domain' ? '0286300e6045: attach the blocking domain; owner = U; owner_cnt = 1' : 'v7: owner = U; detach the current domain (group->domain = NULL); owner_cnt = 1'),
    br('skip', and(at('C', dv, END), not(ready)), [], END, undefined, 'the vfio device never bound, or has no IOMMU group: no vfio group'),
  ], { doc: 'VFIO_GROUP_SET_CONTAINER -> vfio_group_set_container -> iommu_group_claim_dma_owner (claim_lock .. claim_unlock in one step)' });
  b.add('v_attach', 'vfio_iommu_type1_attach_group()', FILES.vfio, [br(undefined, undefined, [set('group.domain', g, 'du')], 'v_unset_container')],
    { doc: 'type1 attaches its unmanaged domain Du' });
  const warn = or(eq(cnt, 0), eq(v('group.owner', g), 'null'));
  b.add('v_unset_container', 'iommu_group_release_dma_owner()', FILES.iommu, [
    br('warn', warn, [set('ghost.release_warn', undefined, true), set('vfio.container_set', g, false), set('group.domain', g, 'none')], END, undefined, 'W_RELEASE_OWNER: WARN_ON(!owner_cnt || !owner)'),
    br('ok', not(warn), [set('group.owner_cnt', g, 0), set('group.owner', g, 'null'), set('vfio.container_set', g, false),
      set('group.domain', g, ite(eq(v('group.default_domain', g), 'none'), 'none', 'dd'))], END, undefined, 'owner_cnt = 0; owner = NULL; re-attach the default domain'),
  ], { doc: 'type1 detach, then release (rel_lock .. rel_unlock in one step)' });
  return b;
}

export function buildE(ctx: BuildCtx): ActorB {
  const b = new ActorB(ctx, 'E', undefined);
  b.add('k_initcalls_done', 'deferred_probe_initcall()', FILES.dd, [br(undefined, undefined, [set('kernel.initcalls_done', undefined, true)], END)],
    { doc: 'initcalls_done = true: driver_deferred_probe_check_state turns -EPROBE_DEFER into -ENODEV' });
  return b;
}
void gv; void iv; void exitBr;
