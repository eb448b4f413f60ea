/**
 * Actor R: an IOMMU instance registers and walks the bus. iommu_device_register() lists the
 * instance; then, by registration form, bus_set_iommu() (<= v6.0) or iommu_device_register()
 * itself (57365a04c921, v6.1) sets the bus ops and walks every device on the bus with the
 * probe path's form (phase 1), then sets up the default domains of the groups it collected
 * (phase 2); driver_bound() of the IOMMU device triggers the deferred probes. The Intel boot
 * thread (seed 004) registers every DMAR unit in turn as one R instance.
 */
import { add, and, at, eq, ite, lt, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign } from '../../ir/types';
import { END } from '../../ir/types';
import { ActorB, br, FILES, type BuildCtx, type Exit } from '../ctx';
import type { ProbePathForm } from '../forms';
import { PROBE_PATH, type ProbeExits } from '../paths';
import { clientSettled, clientSlots, initcallTriggersDone, registrationSlots } from './slots';
import { mayBeginProbe, probeReturned } from '../probe-order';
import { busOpsAre, driverLabel, instancesWith, oneOf, unitOpsValue } from '../mixed-drivers';
import { busOpsTaken } from '../drivers';

export { registrationSlots };

/** Where the walk goes after the last device: phase 2 of bus_iommu_probe() (probe_device: list_del
 *  without group->mutex; init_device and dropping: under it), or, in the add_device era, the drvdata. */
const PHASE2_ENTRY: Record<ProbePathForm, string> = {
  add_device: 'r_set_drvdata',
  probe_device: 'r_list_del',
  init_device: 'r_finalize_group',
  dropping: 'r_finalize_group',
};


export function buildRegistration(ctx: BuildCtx): ActorB {
  const f = ctx.f;
  const b = new ActorB(ctx, 'R', 'iommu', __filename);
  const devIommu = ctx.devIommu;
  const probeForm = ctx.forms.probe;
  const unitF = b.local('unit', { kind: 'ref', entity: 'iommu', nullable: false }, ctx.sc.iommus.map((i) => i.name));
  const curF = b.local('walk_dev', { kind: 'int', min: 0, max: ctx.nDev }, 0);
  const gcurF = b.local('walk_group', { kind: 'int', min: 0, max: ctx.nGroup }, 0);
  const U = b.lv(unitF);
  const cur = b.lv(curF);
  const gcur = b.lv(gcurF);
  const sl = ctx.lookup.from;
  const intel = ctx.driver === 'intel';
  const boot = !!ctx.sc.bootThread;
  const walkIn = ctx.forms.registration === 'walk_in_register';
  const selfLook = (stage: string): Assign[] => (sl === stage ? [set('iommu.self_lookup_ok', U, true)] : []);
  if (ctx.drivers.some((drv) => ctx.lookupOf(drv).from !== sl)) throw new Error('internal: mixed drivers whose instance lookups start at different points');
  // With mixed drivers: the ops this instance's driver puts on the bus, and whether they are
  // the bus's now (mixed-drivers.ts).
  const myOps = ctx.mixed ? unitOpsValue(ctx.sc, U) : 'ops';
  const busHasMine = or(...ctx.drivers.map((drv) => and(oneOf(U, instancesWith(ctx.sc, drv)), busOpsAre(drv))));
  const entry = ctx.mixed && walkIn && f.register_refuses_other_driver ? 'r_conflict' : 'r_publish';
  // Instances probed in turn (probe-order.ts) wait at the first step for the boot thread's
  // driver_attach.
  const turn = mayBeginProbe(ctx.sc);
  const turnDoc = turn ? '; an instance probed in turn begins once __driver_attach (drivers/base/dd.c) reached it' : '';
  const entryGuard = (label: string) => (turn && label === entry ? { guard: turn } : {});
  if (entry === 'r_conflict') {
    b.add('r_conflict', 'iommu_device_register()', FILES.iommu, [
      br('ok', or(eq(v('bus.iommu_ops'), 'none'), busHasMine), [], 'r_publish', undefined, 'the platform bus has no ops, or this driver\'s'),
      br('ebusy', and(ne(v('bus.iommu_ops'), 'none'), not(busHasMine)), [set('iommu.driver_state', U, 'failed'), ...probeReturned(ctx.sc)], END, undefined,
        'another driver\'s ops on the platform bus -> -EBUSY before list_add: the SMMU probe fails ("Failed to register iommu") and its clients never find an instance'),
    ], { doc: '57365a04c921: if (iommu_buses[0]->iommu_ops && iommu_buses[0]->iommu_ops != ops) return -EBUSY ("Temporarily enforce global restriction to a single driver"); gone with the bus ops in 17de3f5fdd35 (v6.8)' + turnDoc, ...entryGuard('r_conflict') });
  }

  // iommu_device_register(): list_add under iommu_device_lock. With the walk inside it, the bus
  // ops are set in the next step, r_bus_loop (`iommu_buses[i]->iommu_ops = ops;
  // bus_iommu_probe()`, read in v6.1 and v6.6 drivers/iommu/iommu.c).
  const publishAssign: Assign[] = [set('iommu.listed', U, true), set('iommu.ops_set', U, true), ...selfLook('publish')];
  const afterPublish = walkIn ? 'r_bus_loop' : 'r_bus_set_ops';
  if (boot && !walkIn) {
    b.add('r_publish', 'iommu_device_register()', FILES.iommu, [
      br('next_unit', lt(add(U, 1), ctx.nIommu), [...publishAssign, b.ls(unitF, add(U, 1))], 'r_publish', undefined, 'the boot thread registers every DMAR unit before bus_set_iommu'),
      br('last', eq(add(U, 1), ctx.nIommu), publishAssign, afterPublish),
    ], { doc: 'iommu_device_register(): iommu->ops = ops; list_add under iommu_device_lock (no walk)' });
  } else {
    b.add('r_publish', 'iommu_device_register()', FILES.iommu, [br(undefined, undefined, publishAssign, afterPublish)],
      { doc: (walkIn ? 'iommu_device_register(): iommu->ops = ops, fwnode, list_add under iommu_device_lock' : 'iommu_device_register(): list_add under iommu_device_lock (no walk)') +
        (entry === 'r_publish' ? turnDoc : ''), ...entryGuard('r_publish') });
  }
  const fail = walkIn ? 'r_unregister' : 'r_walk_fail';
  const WALK_PROBE = '$walk_probe';
  if (!walkIn && ctx.mixed) {
    // Which driver's probe skips a bus with ops and which meets -EBUSY (drivers.ts busOpsTaken).
    const skipOwn = ctx.drivers.filter((drv) => busOpsTaken(drv) === 'skip_own');
    const skipAny = ctx.drivers.filter((drv) => busOpsTaken(drv) === 'skip_any');
    const inAny = oneOf(U, skipAny.flatMap((drv) => instancesWith(ctx.sc, drv)));
    const refused = or(...skipOwn.map((drv) => and(oneOf(U, instancesWith(ctx.sc, drv)), not(busOpsAre(drv)))));
    const set_ = ne(v('bus.iommu_ops'), 'none');
    const branches = [
      br('busy', and(set_, or(inAny, busHasMine)), [], 'r_bound', undefined, 'arm-smmu: iommu_present(bus) -> skip the bus; SMMUv3: bus->iommu_ops == its ops -> skip: no walk, the probe goes on'),
      br('set', eq(v('bus.iommu_ops'), 'none'), [set('bus.iommu_ops', undefined, myOps)], 'r_notifier_reg'),
    ];
    if (skipOwn.length) {
      branches.push(br('ebusy', and(set_, refused), [], driverLabel('r_bus_busy', skipOwn[0]), undefined, 'SMMUv3: another driver\'s ops on the bus -> bus_set_iommu returns -EBUSY'));
      if (skipOwn.length > 1) throw new Error('internal: more than one driver that refuses another driver\'s bus ops');
    }
    b.add('r_bus_set_ops', 'bus_set_iommu()', FILES.iommu, branches, { doc: 'bus_set_iommu(bus, ops): if (bus->iommu_ops != NULL) return -EBUSY; bus->iommu_ops = ops; iommu_bus_init(); called per bus by the SMMU driver\'s probe' });
    b.add('r_notifier_reg', 'iommu_bus_init()', FILES.iommu, [br(undefined, undefined, [set('bus.notifier_registered', undefined, true)], 'r_walk_next')],
      { doc: 'iommu_bus_init: bus_register_notifier(iommu_bus_notifier)' });
    for (const drv of skipOwn) {
      // 249c9dc6aa0d "iommu/arm: Cleanup resources in case of probe error path" (v5.14; the flag
      // of arm-smmu's unwind) also made SMMUv3 unregister its instance here (5.15.215
      // arm-smmu-v3.c:3968-3977; 5.10.265 3611 returns the error with the instance listed).
      const unwinds = f.iommu_probe_unwinds_register;
      b.add(driverLabel('r_bus_busy', drv), 'arm_smmu_device_probe()', ctx.smmuFileOf(drv), [
        br(undefined, undefined, [set('iommu.driver_state', U, 'failed'), ...(unwinds ? [set('iommu.listed', U, false)] : []), ...probeReturned(ctx.sc)], END),
      ], { doc: 'arm_smmu_set_bus_ops() failed with -EBUSY: the SMMUv3 probe returns it (not -EPROBE_DEFER: it fails for good)' + (unwinds ? ' after iommu_device_unregister' : ', its instance still on iommu_device_list (5.10: no unregister), its memory freed by devres') });
    }
  } else if (!walkIn) {
    b.add('r_bus_set_ops', 'bus_set_iommu()', FILES.iommu, [
      br('busy', ne(v('bus.iommu_ops'), 'none'), [], devIommu ? (intel && boot ? 'r_done' : 'r_bound') : 'r_set_drvdata', undefined, 'bus->iommu_ops already set -> -EBUSY (a second instance of the driver does not walk)'),
      br('set', eq(v('bus.iommu_ops'), 'none'), [set('bus.iommu_ops', undefined, 'ops')], 'r_notifier_reg'),
    ], { doc: 'bus_set_iommu(bus, ops): bus->iommu_ops = ops; iommu_bus_init()' });
    b.add('r_notifier_reg', 'iommu_bus_init()', FILES.iommu, [br(undefined, undefined, [set('bus.notifier_registered', undefined, true)], 'r_walk_next')],
      { doc: 'iommu_bus_init: bus_register_notifier(iommu_bus_notifier)' });
  } else {
    b.add('r_bus_loop', 'iommu_device_register()', FILES.iommu, [br(undefined, undefined, [set('bus.iommu_ops', undefined, myOps), b.ls(curF, 0), b.ls(gcurF, 0)], 'r_walk_next')],
      { doc: 'for each bus in iommu_buses[]: bus->iommu_ops = ops; bus_iommu_probe(bus) (57365a04c921)' });
  }
  const phase2 = PHASE2_ENTRY[probeForm];
  b.add('r_walk_next', devIommu ? 'bus_iommu_probe()' : 'iommu_bus_init()', FILES.iommu, [
    br('add', and(lt(cur, ctx.nDev), v('dev.added', cur)), [], WALK_PROBE, undefined, 'bus_for_each_dev: the next device on the bus klist'),
    br('skip', and(lt(cur, ctx.nDev), not(v('dev.added', cur))), [b.ls(curF, add(cur, 1))], 'r_walk_next', undefined, 'not yet added'),
    br('done', eq(cur, ctx.nDev), [], phase2, undefined, 'end of the bus'),
  ], { doc: devIommu ? 'bus_iommu_probe phase 1: bus_for_each_dev(probe_iommu_group); no device_lock of the client' : 'iommu_bus_init: bus_for_each_dev(add_iommu_group); no device_lock of the client' });
  const next: Exit = { goto: 'r_walk_next', assign: [b.ls(curF, add(cur, 1))] };
  // -EPROBE_DEFER from a device aborts the walk and the registration, and the IOMMU's own probe
  // returns it: the driver core retries the IOMMU later (6.6.87 arm-smmu.c:2175-2179).
  const retryF = b.local('deferred', { kind: 'bool' }, false);
  const exits: ProbeExits = { ok: next, enodev: next, err: { goto: fail }, defer: { goto: fail, assign: [b.ls(retryF, true)] } };
  b.bindLabel(WALK_PROBE, PROBE_PATH[probeForm](b, cur, 'walk', exits, { canDrop: true }));

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
  const finDoc = 'under group->mutex: iommu_setup_default_domain / probe_alloc_default_domain: allocate the default domain and attach every member' + (ctx.coreDma ? '; iommu_setup_dma_ops() for each gdev (dev->dma_iommu)' : probeForm === 'init_device' || probeForm === 'dropping' ? ' (6.6 does NOT set DMA ops here)' : '');
  if (probeForm === 'probe_device') {
    b.add('r_list_del', 'bus_iommu_probe()', FILES.iommu, [
      br('fin', mine, [set('group.on_group_list', G, 'none')], 'r_finalize_group', undefined, 'list_del_init(&group->entry) WITHOUT group->mutex'),
      br('skip', notMine, [b.ls(gcurF, add(gcur, 1))], 'r_list_del'),
      br('done', eq(gcur, ctx.nGroup), [], after2),
    ], { doc: 'bus_iommu_probe phase 2: for each group on the walk\'s list' });
    b.add('r_finalize_group', 'bus_iommu_probe()', FILES.iommu, [br(undefined, undefined, [...finAssign, b.ls(gcurF, add(gcur, 1))], 'r_list_del')], { doc: finDoc });
  } else if (probeForm !== 'add_device') {
    b.add('r_finalize_group', 'bus_iommu_probe()', FILES.iommu, [
      br('fin', mine, [...finAssign, set('group.on_group_list', G, 'none'), b.ls(gcurF, add(gcur, 1))], 'r_finalize_group', undefined, 'list_del_init(&group->entry) under group->mutex, then the default domain'),
      br('skip', notMine, [b.ls(gcurF, add(gcur, 1))], 'r_finalize_group'),
      br('done', eq(gcur, ctx.nGroup), [], after2),
    ], { doc: finDoc + '; r_probe_finalize (probe_finalize outside GM) folded: no arm64 effect' });
  }
  if (devIommu) {
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
    b.add('r_set_drvdata', ctx.driver === 'ipmmu' ? 'ipmmu_probe()' : ctx.driver === 'intel' ? 'intel_iommu_init()' : 'arm_smmu_device_probe()', ctx.smmuFile, [br(undefined, undefined, selfLook('drvdata'), 'r_bound')],
      { doc: 'platform_set_drvdata(pdev, mmu) after registration (ipmmu: iommu_priv lookups succeed from here)' });
    if (ctx.driver === 'ipmmu') ctx.assume('ipmmu_probe ignores the return value of bus_set_iommu and sets drvdata after registration [inferred: verify v4.20-rc1 drivers/iommu/ipmmu-vmsa.c]');
  }
  if (!devIommu || !(intel && (walkIn || boot))) {
    b.add('r_bound', 'driver_bound()', FILES.dd, [br(undefined, undefined, [set('iommu.driver_state', U, 'bound'), ...selfLook('bound'), ...ctx.triggerAll(), ...probeReturned(ctx.sc)], END)],
      { doc: 'driver_bound(IOMMU device) -> driver_deferred_probe_trigger(): every deferred device becomes runnable' });
  }
  // failure exits: the IOMMU probe fails for good, or returns -EPROBE_DEFER and waits
  const failed = (undo: Assign[]) => [
    br('fail', not(b.lv(retryF)), [...undo, set('iommu.driver_state', U, 'failed'), ...probeReturned(ctx.sc)], END),
    br('defer', b.lv(retryF), [...undo, set('iommu.driver_state', U, 'deferred'), b.ls(retryF, false), ...probeReturned(ctx.sc)], 'r_deferred', undefined, 'the IOMMU probe returns -EPROBE_DEFER: on the deferred-probe pending list'),
  ];
  // Whether the IOMMU's probe takes its instance off iommu_device_list when the walk fails
  // (5.15); 5.10 leaves it there, in memory devres frees (only the probe_device form walked by
  // bus_set_iommu reads the flag; the add_device era keeps its unwinding unmodelled).
  const unwindRead = fail === 'r_walk_fail' && probeForm === 'probe_device';
  const unwinds = !unwindRead || f.iommu_probe_unwinds_register;
  if (fail === 'r_walk_fail') {
    b.add('r_walk_fail', 'iommu_bus_init()', FILES.iommu, failed([set('bus.iommu_ops', undefined, 'none'), set('bus.notifier_registered', undefined, false), ...(unwindRead && unwinds ? [set('iommu.listed', U, false)] : [])]),
      { doc: 'iommu_bus_init error: remove_iommu_group on every device [not modelled], unregister the notifier, bus->iommu_ops = NULL; the IOMMU probe returns the error' + (!unwindRead ? '' : unwinds ? ' after iommu_device_unregister (list_del)' : ' with the instance still listed (no iommu_device_unregister), its memory freed by devres') });
  } else {
    const rel: Assign[] = [];
    for (let i = 0; i < ctx.nDev; i++) {
      const mineD = eq(v('dev.iommu_iommu_dev', i), U);
      rel.push(set('dev.iommu_group', i, ite(mineD, 'none', v('dev.iommu_group', i))));
      rel.push(set('dev.in_group_list', i, ite(mineD, false, v('dev.in_group_list', i))));
      rel.push(set('dev.iommu', i, ite(mineD, 'null', v('dev.iommu', i))));
      rel.push(set('dev.iommu_fwspec', i, ite(mineD, 'none', v('dev.iommu_fwspec', i))));
      rel.push(set('dev.iommu_iommu_dev', i, ite(mineD, 'none', v('dev.iommu_iommu_dev', i))));
      rel.push(set('dev.iommu_linked', i, ite(mineD, false, v('dev.iommu_linked', i))));
    }
    b.add('r_unregister', 'iommu_device_unregister()', FILES.iommu, failed([...rel, set('iommu.listed', U, false)]),
      { doc: 'iommu_device_unregister: remove_iommu_group for devices whose iommu_dev is this instance; list_del; the IOMMU probe returns the error' });
  }
  // The deferred-probe worker retries the IOMMU after any driver_bound() trigger; with no trigger
  // left to come, it stays deferred.
  const quiet = and(
    not(v('iommu.trigger', U)),
    ...clientSlots(ctx).map(clientSettled),
    ...ctx.sc.devices.map((d, i) => (d.start === 'hotplug' ? at('N', i, END) : undefined)).filter((x): x is NonNullable<typeof x> => !!x),
    ...initcallTriggersDone(ctx),
  );
  // Without the unwind, the retried probe's iommu_device_sysfs_add() meets the "smmu.%pa" device
  // the failed probe left registered, and fails for good [inferred: devres and sysfs semantics].
  const retry = unwinds
    ? br('retry', v('iommu.trigger', U), [set('iommu.trigger', U, false), set('iommu.driver_state', U, 'idle'), b.ls(curF, 0), b.ls(gcurF, 0)], entry, undefined, 'a trigger moved the IOMMU device to the active list: its probe runs again')
    : br('retry', v('iommu.trigger', U), [set('iommu.trigger', U, false), set('iommu.driver_state', U, 'failed')], END, undefined, 'the probe runs again; iommu_device_sysfs_add() collides with the device the failed probe left in sysfs -> fails for good [inferred]');
  b.add('r_deferred', 'deferred_probe_work_func()', FILES.dd, [
    retry,
    br('idle', quiet, [], END, undefined, 'no trigger can come any more: the IOMMU stays deferred'),
  ], { doc: 'the IOMMU device waits on the deferred-probe pending list' });
  return b;
}
