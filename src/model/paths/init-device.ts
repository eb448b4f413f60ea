/**
 * The probe path in its locked form (v6.6 with 6.6.5's a2e7e59a9426): the caller takes the
 * file-scope iommu_probe_device_lock around __iommu_probe_device(), which returns 0 at once for
 * a device already in a group (6eb4da8cf545, f188056352bc). Reads top to bottom like
 * iommu_probe_device() / probe_iommu_group() of v6.6:
 *
 *   mutex_lock(&iommu_probe_device_lock)        p_lock | r_lock
 *   ops = dev->bus->iommu_ops                   pd_bus_ops
 *   if (dev->iommu_group) return 0              r_grouped_check
 *   dev_iommu_get(dev)                          r_alloc
 *   ops->probe_device(dev)                      r_probe_dev
 *   dev->iommu_group = ops->device_group(dev)   r_group
 *   group->mutex: add the gdev, attach          r_gm_add
 *   mutex_unlock(&iommu_probe_device_lock)      p_unlock | r_unlock
 *   [b46064a18810, 6.6.90: -EPROBE_DEFER without a default domain]   p_dd_check
 *
 * The tail from r_group on is shared with the dropping form (lockedProbeTail).
 */
import { and, eq, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import { br, ddTypeOf, exitBr, FILES, gOf, gv, hasGrp, iv, walkUnit, type ActorB, type Exit } from '../ctx';
import { keepBusOps, probeDeviceOp } from './probe-device-op';
import type { ProbeExits, ProbePath } from './types';

/** The labels and local status of one locked probe: the walk's probe_iommu_group (r_lock ..
 *  r_unlock) or iommu_probe_device (p_lock .. p_unlock). The unlock branches on `err`. */
export interface LockedProbe {
  readonly lock: string;
  readonly unlock: string;
  readonly lockFn: string;
  readonly err: string;
  /** Set the status and go to the unlock. */
  toUnlock(status: 'ok' | 'enodev' | 'err' | 'defer'): Assign[];
}

export function lockedProbe(b: ActorB, mode: 'walk' | 'probe'): LockedProbe {
  const err = b.local('err', { kind: 'enum', values: ['ok', 'enodev', 'err', 'defer'] }, 'ok');
  return {
    lock: mode === 'walk' ? 'r_lock' : 'p_lock',
    unlock: mode === 'walk' ? 'r_unlock' : 'p_unlock',
    lockFn: b.ctx.forms.probeLock === 'function_static' ? '__iommu_probe_device()' : mode === 'walk' ? 'probe_iommu_group()' : 'iommu_probe_device()',
    err,
    toUnlock: (status) => [b.ls(err, status)],
  };
}

/** mutex_lock(&iommu_probe_device_lock), then `next`. */
export function lockStep(b: ActorB, L: LockedProbe, next: string): void {
  b.within(__filename, () => b.add(L.lock, L.lockFn, FILES.iommu, [br(undefined, undefined, [set('probe_lock', undefined, { kind: 'param', name: '$me' })], next)],
    { guard: eq(v('probe_lock'), 'none'), doc: 'mutex_lock(&iommu_probe_device_lock) (a2e7e59a9426)' }));
}

/** "Device is probed already if in a group" (6eb4da8cf545; under the probe lock). */
export function groupedCheckStep(b: ActorB, L: LockedProbe, d: Expr): void {
  b.within(__filename, () => b.add('r_grouped_check', '__iommu_probe_device()', FILES.iommu, [
    br('grouped', hasGrp(d), L.toUnlock('ok'), L.unlock, undefined, '"Device is probed already if in a group": return 0'),
    br('new', not(hasGrp(d)), [], 'r_alloc'),
  ], { doc: 'if (dev->iommu_group) return 0 (6eb4da8cf545; under the probe lock)' }));
}

/**
 * From ops->probe_device() to the unlock: r_probe_dev, r_group, r_gm_add (the group->mutex
 * section), the unlock, and what iommu_probe_device() does after it (p_finalize as a step when
 * `finalize`; p_dd_check with the 6.6 form of b46064a18810).
 */
export function lockedProbeTail(b: ActorB, L: LockedProbe, d: Expr, mode: 'walk' | 'probe', exits: ProbeExits, opts: TailOpts): void {
  b.within(__filename, () => tail(b, L, d, mode, exits, opts));
}

/** mutex_unlock(&iommu_probe_device_lock), then on by the status: ok to `ok`, errors to the
 *  caller's exits. */
export function unlockStep(b: ActorB, L: LockedProbe, exits: ProbeExits, ok: Exit): void {
  const st = (x: string) => eq(b.lv(L.err), x);
  const release = [set('probe_lock', undefined, 'none')];
  b.add(L.unlock, L.lockFn, FILES.iommu, [
    exitBr('ok', st('ok'), release, ok),
    exitBr('enodev', st('enodev'), release, exits.enodev),
    exitBr('err', st('err'), release, exits.err),
    exitBr('defer', st('defer'), release, exits.defer ?? exits.err),
  ], { doc: 'mutex_unlock(&iommu_probe_device_lock); -ENODEV is mapped to 0 by probe_iommu_group, other errors abort the walk' });
}

interface TailOpts { readonly lateWarn: boolean; readonly finalize: boolean; readonly sysfsLink: boolean }

function tail(b: ActorB, L: LockedProbe, d: Expr, mode: 'walk' | 'probe', exits: ProbeExits, opts: TailOpts): void {
  const ctx = b.ctx;
  const f = ctx.f;
  const G = gOf(d);
  probeDeviceOp(b, d, L.err, 'r_group', { goto: L.unlock }, { goto: L.unlock }, { sysfsLink: opts.sysfsLink });
  b.add('r_group', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu_group', d, G)], 'r_gm_add')],
    { doc: 'group = ops->device_group(dev); dev->iommu_group = group (end of iommu_init_device, before group->mutex)' + (opts.lateWarn ? '; r_late_warn folded: dev_WARN "late IOMMU probe at driver bind" if dev->driver is set' : '') });
  const noDd = eq(v('group.default_domain', G), 'none');
  const assign: Assign[] = [set('dev.in_group_list', d, true)];
  let doc: string;
  if (mode === 'walk') {
    assign.push(set('group.on_group_list', G, ite(and(eq(v('group.domain', G), 'none'), noDd, eq(v('group.on_group_list', G), 'none')), walkUnit(), v('group.on_group_list', G))));
    if (ctx.coreDma) assign.push(set('dev.dma_iommu', d, ite(noDd, v('dev.dma_iommu', d), eq(v('group.default_domain', G), 'dma'))));
    doc = 'under group->mutex: add the gdev; attach to group->domain if any; else, with no default domain, list_add(&group->entry, group_list)' + (ctx.coreDma ? '; with a default domain iommu_setup_dma_ops(dev)' : '');
  } else {
    assign.push(set('group.default_domain', G, ite(noDd, ddTypeOf(G), v('group.default_domain', G))));
    assign.push(set('group.domain', G, ite(eq(v('group.domain', G), 'none'), 'dd', v('group.domain', G))));
    if (ctx.coreDma) assign.push(set('dev.dma_iommu', d, eq(ite(noDd, ddTypeOf(G), v('group.default_domain', G)), 'dma')));
    doc = 'under group->mutex: add the gdev; with no group_list and no default domain, iommu_setup_default_domain() runs at once and attaches' + (ctx.coreDma ? '; iommu_setup_dma_ops(dev) sets dev->dma_iommu' : '');
  }
  assign.push(b.ls(L.err, 'ok'));
  b.add('r_gm_add', '__iommu_probe_device()', FILES.iommu, [br(undefined, undefined, assign, L.unlock)], { doc });
  const ddCheck = mode === 'probe' && f.probe_device_defers_if_no_default_domain;
  unlockStep(b, L, exits, ddCheck ? { goto: 'p_dd_check' } : opts.finalize ? { goto: 'p_finalize' } : exits.ok);
  if (opts.finalize) {
    b.add('p_finalize', 'iommu_probe_device()', FILES.iommu, [
      exitBr(undefined, undefined, [], exits.ok, [{ name: 'NoNullOpsDeref', cond: and(eq(v('dev.iommu', d), 'alloc'), ne(v('dev.iommu_iommu_dev', d), 'none')),
        doc: 'ops = dev_iommu_ops(dev) reads dev->iommu->iommu_dev->ops with no lock held; NULL iommu_dev (or dev->iommu) -> oops at iommu_probe_device+0x50 (v6.15-rc7, the double probe)' }]),
    ], { doc: 'after mutex_unlock, ret == 0: ops = dev_iommu_ops(dev); if (ops->probe_finalize) ops->probe_finalize(dev) (also when __iommu_probe_device returned 0 for a grouped device)' });
  }
  if (ddCheck) {
    const dd = and(hasGrp(d), eq(gv('group.default_domain', d), 'none'));
    b.add('p_dd_check', 'iommu_probe_device()', FILES.iommu, [
      exitBr('defer', dd, [], exits.defer ?? exits.err, undefined, 'group without a default domain -> -EPROBE_DEFER'),
      exitBr('ok', not(dd), [], exits.ok),
    ], { doc: 'b46064a18810 (6.6 form): if (IS_ENABLED(CONFIG_IOMMU_DMA) && !ret && dev->iommu_group) { mutex_lock(&group->mutex); if (!group->default_domain && !dev_iommu_ops(dev)->set_platform_dma_ops) ret = -EPROBE_DEFER; }' });
  }
}

export const initDevicePath: ProbePath = (b, d, mode, exits) => b.within(__filename, () => {
  const L = lockedProbe(b, mode);
  // Where __iommu_probe_device takes its ops: dev->bus (6.6: every device on the bus is probed,
  // the driver filters by fwspec) or the device's fwspec (17de3f5fdd35, v6.8: 6.12.y).
  const fromFwspec = b.ctx.f.probe_ops_from_fwspec;
  // Intel DMAR units have no fwnode: iommu_fwspec_ops(NULL) finds any registered unit ("cheekily
  // co-opt the same mechanism", 6.12.63 iommu.c:520-528).
  const anyListed = or(...b.ctx.sc.iommus.map((_, i) => v('iommu.listed', i)));
  const hasOps = !fromFwspec ? ne(b.ctx.busOf('bus.iommu_ops', d), 'none')
    : b.ctx.driver === 'intel' ? anyListed : and(eq(v('dev.iommu_fwspec', d), 'present'), iv('iommu.listed', d));
  const busOps = (enodev: Exit): void => {
    b.add('pd_bus_ops', '__iommu_probe_device()', FILES.iommu, [
      exitBr('enodev', not(hasOps), [], enodev, undefined, fromFwspec ? '!iommu_fwspec_ops(fwspec) -> -ENODEV' : '!dev->bus->iommu_ops -> -ENODEV'),
      br('ok', hasOps, fromFwspec ? [] : keepBusOps(b), staticLock ? L.lock : 'r_grouped_check'),
    ], { doc: fromFwspec ? 'ops = iommu_fwspec_ops(dev_iommu_fwspec_get(dev)): the instance the fwspec names, if listed' : 'ops = dev->bus->iommu_ops (6.6 probes every device on the bus; the driver filters by fwspec)' });
  };
  // The v6.6 tag (01657bc14a39): the lock is function-static, taken inside __iommu_probe_device
  // after the bus-ops test; from 6.6.5 (a2e7e59a9426) the callers take it first.
  const staticLock = b.ctx.forms.probeLock === 'function_static';
  let entry: string;
  if (staticLock) {
    busOps(exits.enodev);
    lockStep(b, L, 'r_grouped_check');
    entry = 'pd_bus_ops';
  } else {
    lockStep(b, L, 'pd_bus_ops');
    busOps({ goto: L.unlock, assign: L.toUnlock('enodev') });
    entry = L.lock;
  }
  groupedCheckStep(b, L, d);
  b.add('r_alloc', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu', d, 'alloc')], 'r_probe_dev')],
    { doc: 'dev_iommu_get(): allocate dev->iommu if NULL' });
  lockedProbeTail(b, L, d, mode, exits, { lateWarn: false, finalize: false, sysfsLink: false });
  return entry;
});
