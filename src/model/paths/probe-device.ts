/**
 * The probe path in its probe_device form (v5.10 .. v6.1.y): __iommu_probe_device() with
 * core-owned groups. The walk (mode 'walk') first asks probe_iommu_group() whether the device
 * is grouped (a lockless read of dev->iommu_group) and leaves default domains to phase 2 of
 * bus_iommu_probe() through its group_list; iommu_probe_device() (mode 'probe') allocates and
 * attaches the default domain itself (p_alloc_dd). No probe lock before 6.1.2; 6.1.2 .. 6.1.67
 * take a function-static lock inside __iommu_probe_device after the bus-ops test and drop it
 * before iommu_device_link (01657bc14a39, backported without 6eb4da8cf545); from 6.1.68
 * (a2e7e59a9426) the callers hold the file-scope lock around __iommu_probe_device (6.1.166
 * iommu.c:299, 351, 1684). p_alloc_dd runs after the unlock in both.
 */
import { and, eq, ite, ne, not, or, set, v } from '../../ir/dsl';
import type { Assign } from '../../ir/types';
import { br, ddTypeOf, exitBr, FILES, gOf, hasGrp, walkUnit, type Exit } from '../ctx';
import { lockedProbe, lockStep, unlockStep } from './init-device';
import { keepBusOps, probeDeviceOp } from './probe-device-op';
import type { ProbePath } from './types';


export const probeDevicePath: ProbePath = (b, d, mode, exits) => b.within(__filename, () => {
  const ctx = b.ctx;
  const f = ctx.f;
  const G = gOf(d);
  // With a probe lock every exit after it is taken goes through the unlock; the function-static
  // lock is taken after the bus-ops test, so its -ENODEV leaves unlocked.
  const L = ctx.forms.probeLock !== 'none' ? lockedProbe(b, mode) : undefined;
  const staticLock = ctx.forms.probeLock === 'function_static';
  const out = (status: 'ok' | 'enodev' | 'err' | 'defer', exit: Exit): Exit => (L ? { goto: L.unlock, assign: L.toUnlock(status) } : exit);
  const body = L && !staticLock ? L.lock : 'pd_bus_ops';
  let entry = body;
  if (mode === 'walk') {
    entry = b.add('r_grouped_check', 'probe_iommu_group()', FILES.iommu, [
      exitBr('grouped', hasGrp(d), [], exits.ok, undefined, 'iommu_group_get(dev) != NULL -> return 0'),
      br('new', not(hasGrp(d)), [], body),
    ], { doc: 'probe_iommu_group: if (iommu_group_get(dev)) return 0 (lockless read of dev->iommu_group)' });
  }
  if (L && !staticLock) lockStep(b, L, 'pd_bus_ops');
  b.add('pd_bus_ops', '__iommu_probe_device()', FILES.iommu, [
    exitBr('enodev', eq(ctx.busOf('bus.iommu_ops', d), 'none'), [], staticLock ? exits.enodev : out('enodev', exits.enodev), undefined, '!dev->bus->iommu_ops -> -ENODEV'),
    br('ok', ne(ctx.busOf('bus.iommu_ops', d), 'none'), keepBusOps(b), staticLock ? L!.lock : 'r_alloc'),
  ]);
  if (L && staticLock) lockStep(b, L, 'r_alloc');
  b.add('r_alloc', 'dev_iommu_get()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu', d, 'alloc')], 'r_probe_dev')],
    { doc: '__iommu_probe_device: dev_iommu_get() allocates dev->iommu; try_module_get' });
  if (L) probeDeviceOp(b, d, L.err, 'r_group', { goto: L.unlock }, { goto: L.unlock });
  else probeDeviceOp(b, d, '', 'r_group', exits.enodev, exits.defer ?? exits.err);
  const dio = f.group_get_for_dev_ops_source === 'dev_iommu_ops';
  // With mixed drivers another thread's probe of this device can run the other driver's
  // probe_device meanwhile (the bus ops changed hands): its -ENODEV path dev_iommu_free()s the
  // dev->iommu this probe is using, and dev_iommu_ops(dev) dereferences NULL.
  const opsSet = v('iommu.ops_set', v('dev.iommu_iommu_dev', d));
  const opsAssert = dio ? [{ name: 'NoNullOpsDeref', cond: ctx.mixed ? and(ne(v('dev.iommu_iommu_dev', d), 'none'), opsSet) : opsSet, doc: 'C_NULL_OPS: dev_iommu_ops(dev)->device_group with the unit\'s ops still NULL (seed 004)' + (ctx.mixed ? ', or with dev->iommu freed by a concurrent probe of the same device through the other driver\'s ops' : '') }] : undefined;
  const done = mode === 'probe' ? out('ok', { goto: 'p_alloc_dd' }) : { goto: 'g_link' };
  b.add('r_group', 'iommu_group_get_for_dev()', FILES.iommu, [
    exitBr('grouped', hasGrp(d), [], done, opsAssert, 'existing group: return it'),
    br('new', not(hasGrp(d)), [], 'g_link', opsAssert, 'group = ops->device_group(dev)'),
  ], { doc: dio ? 'ops = dev_iommu_ops(dev) (3f6634d997db); group = ops->device_group(dev)' : 'ops = dev->bus->iommu_ops; group = ops->device_group(dev)' });
  b.add('g_link', 'iommu_group_add_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu_group', d, G)], 'r_gm_add')],
    { doc: 'sysfs links; dev->iommu_group = group BEFORE group->mutex' });
  const listAdd = and(eq(v('group.default_domain', G), 'none'), eq(v('group.on_group_list', G), 'none'));
  const gmAssign: Assign[] = [set('dev.in_group_list', d, true)];
  b.add('r_gm_add', 'iommu_group_add_device()', FILES.iommu, [
    exitBr(undefined, undefined, gmAssign, mode === 'walk' ? { goto: 'r_list_add' } : out('ok', { goto: 'p_alloc_dd' })),
  ], { doc: 'under group->mutex: list_add_tail; if (group->domain && !attach_deferred) attach the device ("Adding to iommu group")' });
  if (mode === 'walk') {
    b.add('r_list_add', '__iommu_probe_device()', FILES.iommu, [
      exitBr(undefined, undefined, [set('group.on_group_list', G, ite(listAdd, walkUnit(), v('group.on_group_list', G)))], out('ok', exits.ok)),
    ], { doc: 'if (group_list && !group->default_domain && list_empty(&group->entry)) list_add_tail(&group->entry, group_list)' });
    if (L) unlockStep(b, L, exits, exits.ok);
  } else {
    if (L) unlockStep(b, L, exits, { goto: 'p_alloc_dd' });
    const none = eq(v('group.default_domain', G), 'none');
    const attach = ctx.ownership ? and(ne(v('group.default_domain', G), 'none'), eq(v('group.owner', G), 'null')) : ne(v('group.default_domain', G), 'none');
    b.add('p_alloc_dd', 'iommu_probe_device()', FILES.iommu, [
      exitBr(undefined, undefined, [
        set('group.default_domain', G, ite(none, ddTypeOf(G), v('group.default_domain', G))),
        set('group.domain', G, ite(and(eq(v('group.domain', G), 'none'), or(none, attach)), 'dd', v('group.domain', G))),
      ], exits.ok),
    ], { doc: 'p_gm_lock .. p_gm_unlock as one group->mutex section: iommu_alloc_default_domain if none; attach the default domain' + (ctx.ownership ? ' unless the group has an owner' : '') + '; iommu_create_device_direct_mappings' });
  }
  return entry;
});
