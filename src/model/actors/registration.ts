/**
 * Actor R: an IOMMU instance registers and walks the bus. iommu_device_register() lists the
 * instance; then, by registration form, bus_set_iommu() (<= v6.0) or iommu_device_register()
 * itself (57365a04c921, v6.1) sets the bus ops and walks every device on the bus with the
 * probe path's form (phase 1), then sets up the default domains of the groups it collected
 * (phase 2); driver_bound() of the IOMMU device triggers the deferred probes. The Intel boot
 * thread (seed 004) registers every DMAR unit in turn as one R instance.
 *
 * With devices on several buses the walk goes bus by bus in the kernel's order (bus-walk.ts):
 * each bus's ops, notifier (up to v6.0) and phase 1 and 2, then the next bus. R.walk_bus is the
 * bus (a slot of entity `bus`), R.walk_dev the device, which steps through the bus's devices in
 * scenario order; bus.iommu_ops and bus.notifier_registered are per bus.
 */
import { add, and, at, eq, ite, lt, ne, not, or, set, v, val } from '../../ir/dsl';
import type { Assign, Branch, Expr } from '../../ir/types';
import { END } from '../../ir/types';
import { ActorB, br, FILES, type BuildCtx, type Exit } from '../ctx';
import type { ProbePathForm } from '../forms';
import { PROBE_PATH, type ProbeExits } from '../paths';
import { clientSettled, forEveryClient, initcallTriggersDone, registrationSlots } from './slots';
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
  // The walk, bus by bus (one bus: every device in order, R.walk_dev counting up).
  const multi = ctx.multiBus;
  const walk = multi ? ctx.walk : [{ bus: ctx.buses[0], devices: ctx.sc.devices.map((_, i) => i) }];
  const first = walk[0].devices[0];
  const curF = b.local('walk_dev', { kind: 'int', min: 0, max: ctx.nDev }, multi ? first : 0);
  const gcurF = b.local('walk_group', { kind: 'int', min: 0, max: ctx.nGroup }, 0);
  const busF = multi ? b.local('walk_bus', { kind: 'ref', entity: 'bus', nullable: false }, walk[0].bus) : '';
  const U = b.lv(unitF);
  const cur = b.lv(curF);
  const gcur = b.lv(gcurF);
  const B = multi ? b.lv(busF) : undefined;
  /** By the walk's bus: `of(w, k)` for the k-th bus w of the walk (an ite chain on R.walk_bus). */
  const byBus = (of: (w: typeof walk[number], k: number) => string | number): Expr =>
    walk.slice(0, -1).reduceRight<Expr>((acc, w, k) => ite(eq(B!, w.bus), of(w, k), acc), val(of(walk[walk.length - 1], walk.length - 1)));
  /** The device after `cur` on its bus, or nDev: bus_for_each_dev's next. */
  const succ: Expr = !multi ? add(cur, 1) : walk.flatMap((w) => w.devices.map((d, j) => [d, w.devices[j + 1] ?? ctx.nDev] as const))
    .reduceRight<Expr>((acc, [d, n]) => ite(eq(cur, d), n, acc), val(ctx.nDev));
  const busV = (field: string): Expr => (multi ? v(field, B!) : v(field));
  const isLast = multi ? eq(B!, walk[walk.length - 1].bus) : undefined;
  const busEntry = ctx.forms.registration === 'walk_in_register' ? 'r_bus_loop' : 'r_bus_set_ops';
  // On to the next bus: its first device, the group cursor back to 0 (r_bus_loop sets them itself).
  const nextBus: Assign[] = !multi ? [] : [
    b.ls(busF, byBus((_, k) => walk[Math.min(k + 1, walk.length - 1)].bus)),
    ...(busEntry === 'r_bus_set_ops' ? [b.ls(curF, byBus((_, k) => walk[Math.min(k + 1, walk.length - 1)].devices[0])), b.ls(gcurF, 0)] : []),
  ];
  /** The end of a bus's walk: `target` after the last bus, else the next bus. */
  const afterBus = (name: string, guard: Expr | undefined, assign: Assign[], target: string, doc?: string): Branch[] => (!multi
    ? [br(name, guard, assign, target, undefined, doc)]
    : [
      br(name, guard ? and(guard, isLast!) : isLast, assign, target, undefined, doc === undefined ? 'the last bus of the walk' : `${doc}; the last bus of the walk`),
      br(`${name}_next_bus`, guard ? and(guard, not(isLast!)) : not(isLast!), [...assign, ...nextBus], busEntry, undefined, `${doc === undefined ? '' : `${doc}; `}on to the next bus of the walk (bus-walk.ts)`),
    ]);
  /** The walk from its first bus again (a retry, the next DMAR unit). */
  const restart: Assign[] = multi ? [b.ls(busF, walk[0].bus), b.ls(curF, first), b.ls(gcurF, 0)] : [b.ls(curF, 0), b.ls(gcurF, 0)];
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
      ...afterBus('busy', ne(busV('bus.iommu_ops'), 'none'), [], devIommu ? (intel && boot ? 'r_done' : 'r_bound') : 'r_set_drvdata', 'bus->iommu_ops already set -> -EBUSY (a second instance of the driver does not walk)'),
      br('set', eq(busV('bus.iommu_ops'), 'none'), [ctx.setBus('bus.iommu_ops', B!, 'ops')], 'r_notifier_reg'),
    ], { doc: 'bus_set_iommu(bus, ops): bus->iommu_ops = ops; iommu_bus_init()' + (multi ? `; the driver's buses in its order: ${walk.map((w) => w.bus).join(', ')}` : '') });
    b.add('r_notifier_reg', 'iommu_bus_init()', FILES.iommu, [br(undefined, undefined, [ctx.setBus('bus.notifier_registered', B!, true)], 'r_walk_next')],
      { doc: 'iommu_bus_init: bus_register_notifier(iommu_bus_notifier)' });
  } else {
    b.add('r_bus_loop', 'iommu_device_register()', FILES.iommu, [br(undefined, undefined, [ctx.setBus('bus.iommu_ops', B!, myOps), b.ls(curF, multi ? byBus((w) => w.devices[0]) : 0), b.ls(gcurF, 0)], 'r_walk_next')],
      { doc: 'for each bus in iommu_buses[]: bus->iommu_ops = ops; bus_iommu_probe(bus) (57365a04c921)' + (multi ? `; the buses in that order: ${walk.map((w) => w.bus).join(', ')}` : '') });
  }
  const phase2 = PHASE2_ENTRY[probeForm];
  b.add('r_walk_next', devIommu ? 'bus_iommu_probe()' : 'iommu_bus_init()', FILES.iommu, [
    br('add', and(lt(cur, ctx.nDev), v('dev.added', cur)), [], WALK_PROBE, undefined, 'bus_for_each_dev: the next device on the bus klist'),
    br('skip', and(lt(cur, ctx.nDev), not(v('dev.added', cur))), [b.ls(curF, succ)], 'r_walk_next', undefined, 'not yet added'),
    ...(probeForm === 'add_device'
      ? afterBus('done', eq(cur, ctx.nDev), [], phase2, 'end of the bus')
      : [br('done', eq(cur, ctx.nDev), [], phase2, undefined, 'end of the bus')]),
  ], { doc: devIommu ? 'bus_iommu_probe phase 1: bus_for_each_dev(probe_iommu_group); no device_lock of the client' : 'iommu_bus_init: bus_for_each_dev(add_iommu_group); no device_lock of the client' });
  const next: Exit = { goto: 'r_walk_next', assign: [b.ls(curF, succ)] };
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
      ...afterBus('done', eq(gcur, ctx.nGroup), [], after2),
    ], { doc: 'bus_iommu_probe phase 2: for each group on the walk\'s list' });
    b.add('r_finalize_group', 'bus_iommu_probe()', FILES.iommu, [br(undefined, undefined, [...finAssign, b.ls(gcurF, add(gcur, 1))], 'r_list_del')], { doc: finDoc });
  } else if (probeForm !== 'add_device') {
    b.add('r_finalize_group', 'bus_iommu_probe()', FILES.iommu, [
      br('fin', mine, [...finAssign, set('group.on_group_list', G, 'none'), b.ls(gcurF, add(gcur, 1))], 'r_finalize_group', undefined, 'list_del_init(&group->entry) under group->mutex, then the default domain'),
      br('skip', notMine, [b.ls(gcurF, add(gcur, 1))], 'r_finalize_group'),
      ...afterBus('done', eq(gcur, ctx.nGroup), [], after2),
    ], { doc: finDoc + '; r_probe_finalize (probe_finalize outside GM) folded: no arm64 effect' });
  }
  if (devIommu) {
    if (walkIn || boot) {
      const doneAssign: Assign[] = f.registration_race_fix ? [set('iommu.ready', U, true)] : [];
      const fin: Assign[] = intel ? [set('iommu.driver_state', U, 'bound')] : [];
      if (boot && walkIn) {
        b.add('r_done', 'iommu_device_register()', FILES.iommu, [
          br('next_unit', lt(add(U, 1), ctx.nIommu), [...doneAssign, ...fin, b.ls(unitF, add(U, 1)), ...restart], 'r_publish', undefined, 'intel_iommu_init registers the next DMAR unit'),
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
    // With several buses, the v5.x drivers also reset the ops of the buses they set before the
    // failing one (arm_smmu_bus_init's err_reset_*_ops, 5.10.265 arm-smmu.c:2100-2110; smmu-v3's
    // arm_smmu_set_bus_ops, arm-smmu-v3.c:3482-3491), not their notifiers.
    const resetEarlier = multi && probeForm !== 'add_device';
    const opsReset: Assign[] = !resetEarlier ? [ctx.setBus('bus.iommu_ops', B!, 'none')]
      : walk.map((w, j) => set('bus.iommu_ops', w.bus, ite(or(...walk.slice(j).map((x) => eq(B!, x.bus))), 'none', v('bus.iommu_ops', w.bus))));
    if (resetEarlier) ctx.assume('a driver whose bus_set_iommu() fails on a later bus resets bus->iommu_ops of the buses before it but leaves their iommu_bus_notifier registered, so a retried probe registers a second notifier there; the model keeps one flag per bus [model]');
    if (multi && probeForm === 'add_device') ctx.assume('v4.19 arm-smmu ignores a failed bus_set_iommu() and goes on with its next bus (4.19 arm-smmu.c:2042-2057); with several buses the model ends the registration at the failing bus, as it does with one [model]');
    b.add('r_walk_fail', 'iommu_bus_init()', FILES.iommu, failed([...opsReset, ctx.setBus('bus.notifier_registered', B!, false), ...(unwindRead && unwinds ? [set('iommu.listed', U, false)] : [])]),
      { doc: 'iommu_bus_init error: remove_iommu_group on every device [not modelled], unregister the notifier, bus->iommu_ops = NULL; the IOMMU probe returns the error' + (resetEarlier ? ' (and the driver resets the ops of the buses it set before)' : '') + (!unwindRead ? '' : unwinds ? ' after iommu_device_unregister (list_del)' : ' with the instance still listed (no iommu_device_unregister), its memory freed by devres') });
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
    forEveryClient(ctx, clientSettled),
    ...ctx.sc.devices.map((d, i) => (d.start === 'hotplug' ? at('N', i, END) : undefined)).filter((x): x is NonNullable<typeof x> => !!x),
    ...initcallTriggersDone(ctx),
  );
  // Without the unwind, the retried probe's iommu_device_sysfs_add() meets the "smmu.%pa" device
  // the failed probe left registered, and fails for good [inferred: devres and sysfs semantics].
  const retry = unwinds
    ? br('retry', v('iommu.trigger', U), [set('iommu.trigger', U, false), set('iommu.driver_state', U, 'idle'), ...restart], entry, undefined, 'a trigger moved the IOMMU device to the active list: its probe runs again')
    : br('retry', v('iommu.trigger', U), [set('iommu.trigger', U, false), set('iommu.driver_state', U, 'failed')], END, undefined, 'the probe runs again; iommu_device_sysfs_add() collides with the device the failed probe left in sysfs -> fails for good [inferred]');
  b.add('r_deferred', 'deferred_probe_work_func()', FILES.dd, [
    retry,
    br('idle', quiet, [], END, undefined, 'no trigger can come any more: the IOMMU stays deferred'),
  ], { doc: 'the IOMMU device waits on the deferred-probe pending list' });
  return b;
}
