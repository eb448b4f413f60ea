/**
 * The shared subroutines of the device-probe path, inlined into each actor that runs them
 * (one set of labels; a trace prints `actor:label`):
 * - AD (v4.19/v4.20): ops->add_device -> iommu_group_get_for_dev -> iommu_group_add_device,
 *   with the group release (GR) on the error path (brief 2.1).
 * - PD (v5.17+): the body of __iommu_probe_device, in its v5.17..v6.1, v6.6 and v6.15 forms,
 *   run by the bus walk (mode 'walk', with the walk's group_list) and by iommu_probe_device
 *   (mode 'probe', list NULL) (brief 2.2, 2.3; addendum 3.1, 3.3).
 */
import { add, and, eq, gt, ite, lt, ne, not, or, set, v } from '../ir/dsl';
import type { Assign, Expr } from '../ir/types';
import {
  ActorB, br, exitBr, FILES, gOf, gv, hasGrp, iOf, iv, SELF, type Exit,
} from './ctx';

export interface ProbeExits {
  readonly ok: Exit;
  readonly enodev: Exit;
  readonly err: Exit;
  /** -EPROBE_DEFER (arm-smmu 229e6ee43d2a, p_dd_check); defaults to err. */
  readonly defer?: Exit;
}

/** The default-domain type the group's members select (0e764a01015d: identity for qcom clients). */
function ddTypeOfGroup(g: Expr): Expr { return v('group.dd_type', g); }

// ---------------------------------------------------------------------------------------------
// AD: v4.19 / v4.20-rc1

export function addDeviceA(b: ActorB, d: Expr, exits: ProbeExits): string {
  const ctx = b.ctx;
  const G = gOf(d);
  const ipmmu = ctx.driver === 'ipmmu';
  const f = ctx.f;
  const gateOk = ipmmu
    ? and(eq(v('dev.iommu_fwspec', d), 'present'), eq(v('dev.iommu_priv', d), 'set'))
    : eq(v('dev.iommu_fwspec', d), 'present');
  const smmuAsserts = ctx.driver === 'arm-smmu' && !f.arm_smmu_defer_hack
    ? [{ name: 'NoNullOpsDeref', cond: iv('iommu.self_lookup_ok', d), doc: 'arm_smmu_add_device: arm_smmu_get_by_fwnode() finds the bound SMMU (else C_SMMU_LOOKUP)' }]
    : undefined;
  if (ctx.driver === 'arm-smmu') ctx.assume('v4.19 arm_smmu_add_device dereferences the instance found by arm_smmu_get_by_fwnode() (bound-driver lookup) without a NULL check (the race 229e6ee43d2a later bodged) [inferred: verify v4.19 drivers/iommu/arm-smmu.c]');
  b.add('ad_gate', ipmmu ? 'ipmmu_add_device()' : 'arm_smmu_add_device()', ctx.smmuFile, [
    exitBr('enodev', not(gateOk), [], exits.enodev, undefined, ipmmu ? '!to_ipmmu(dev) -> -ENODEV' : 'no fwspec with this driver\'s ops -> -ENODEV'),
    br('ok', gateOk, [], 'r_grouped_check', smmuAsserts),
  ], { doc: ipmmu ? 'ipmmu_add_device: if (!to_ipmmu(dev)) return -ENODEV (fwspec->iommu_priv set by ipmmu_of_xlate from the IPMMU drvdata)' : 'arm-smmu add_device fwspec checks [inferred from the add_device fwspec checks]' });
  if (!ipmmu) ctx.assume('arm-smmu add_device returns -ENODEV for a device without a fwspec carrying arm_smmu_ops [inferred from the add_device fwspec checks]');
  b.add('r_grouped_check', 'iommu_group_get_for_dev()', FILES.iommu, [
    exitBr('grouped', hasGrp(d), [], exits.ok, undefined, 'dev already has a group: return it (add_device puts the ref)'),
    br('new', not(hasGrp(d)), [], 'ad_bus_ops'),
  ]);
  b.add('ad_bus_ops', 'iommu_group_get_for_dev()', FILES.iommu, [
    exitBr('noops', eq(v('bus.iommu_ops'), 'none'), [], exits.err, undefined, 'dev->bus->iommu_ops NULL -> -EINVAL (window W1)'),
    br('ok', ne(v('bus.iommu_ops'), 'none'), [], 'r_group'),
  ]);
  b.add('r_group', ipmmu ? 'ipmmu_find_group()' : 'generic_device_group()', ipmmu ? FILES.ipmmu : FILES.iommu, [
    br(undefined, undefined, [
      set('group.exists', G, true),
      set('group.ref', G, ite(v('group.exists', G), add(v('group.ref', G), 1), 1)),
    ], 'ad_default_domain'),
  ], { doc: 'ops->device_group: reuse the cached group with a reference, or iommu_group_alloc() (ref 1)' });
  const none = eq(v('group.default_domain', G), 'none');
  b.add('ad_default_domain', 'iommu_group_get_for_dev()', FILES.iommu, [
    br(undefined, undefined, [
      set('group.default_domain', G, ite(none, ddTypeOfGroup(G), v('group.default_domain', G))),
      set('group.domain', G, ite(and(none, eq(v('group.domain', G), 'none')), 'dd', v('group.domain', G))),
      set('group.ctx_ready', G, ite(none, false, v('group.ctx_ready', G))),
      set('group.iovad_init', G, ite(none, false, v('group.iovad_init', G))),
    ], 'g_link'),
  ], { doc: 'if !group->default_domain: __iommu_domain_alloc(bus, iommu_def_domain_type) -> Dd {dma, iova cookie, ctx not ready}; group->domain = Dd if none. No group->mutex.' });
  b.add('g_link', 'iommu_group_add_device()', FILES.iommu, [
    br(undefined, undefined, [add1('group.ref', G), set('dev.iommu_group', d, G)], 'r_gm_add'),
  ], { doc: 'sysfs links, kobject_get(group->devices_kobj), dev->iommu_group = group, before group->mutex' });
  // r_gm_add: list_add and __iommu_attach_device under group->mutex; ipmmu lazily initialises the
  // context at the first attach (ipmmu_attach_device -> ipmmu_domain_init_context).
  const needsCtx = and(eq(v('group.domain', G), 'dd'), eq(v('group.default_domain', G), 'dma'), not(v('group.ctx_ready', G)));
  const pgReject = ctx.sc.faults.includes('f_pgtable_dma_reject') && f.bus_dma_mask_unconditional && f.dma_capable_uses_bus_mask && ipmmu;
  const ctxExhausted = ctx.sc.faults.includes('f_ctx_exhausted') && ipmmu;
  const okAssign: Assign[] = [
    set('dev.in_group_list', d, true),
    set('group.ctx_ready', G, or(v('group.ctx_ready', G), needsCtx)),
    sub1('group.ref', G),
  ];
  const branches = [exitBr('ok', undefined, okAssign, exits.ok, undefined, 'attached (context ready); add_device puts its group reference')];
  if (pgReject || ctxExhausted) {
    branches.push(br('ctx_fail', needsCtx, [], 'ad_fail_unlink', undefined,
      (pgReject ? 'f_pgtable_dma_reject: __arm_lpae_alloc_pages sees dma != virt_to_phys (swiotlb bounce of the table page under the 32-bit bus_dma_mask): W_PGTABLE' : 'f_ctx_exhausted: no free context')
      + '; W_IPMMU_CTX; ipmmu_domain_init_context fails, domain->mmu stays NULL; -EINVAL; list_del under GM; W_ADD_FAIL'));
    if (pgReject) ctx.assume('seed 000: the IPMMU page-table page lies above 4 GiB, so with the unconditional 32-bit bus_dma_mask and b4ebe6063204 the table mapping bounces (env.pgtable_dma_ok = false, taken as a nondeterministic branch)');
  }
  b.add('r_gm_add', 'iommu_group_add_device()', FILES.iommu, branches, {
    doc: 'under group->mutex: list_add; if (group->domain) __iommu_attach_device -> ' + (ipmmu ? 'ipmmu_attach_device (lazy context init: allocate a context, io-pgtable on the root IPMMU)' : 'arm_smmu_attach_dev'),
  });
  if (pgReject || ctxExhausted) {
    b.add('ad_fail_unlink', 'iommu_group_add_device()', FILES.iommu, [
      br(undefined, undefined, [set('dev.iommu_group', d, 'none'), sub1('group.ref', G)], 'ad_put_on_fail'),
    ], { doc: 'error path after mutex_unlock: dev->iommu_group = NULL, kobject_put(group->devices_kobj) (ERRATA 1a)' });
    b.add('ad_put_on_fail', 'iommu_group_get_for_dev()', FILES.iommu, [
      br('release', eq(v('group.ref', G), 1), [set('group.ref', G, 0)], 'gr_release', undefined, 'last reference: the group is released synchronously in this thread'),
      exitBr('put', gt(v('group.ref', G), 1), [sub1('group.ref', G)], exits.err),
    ], { doc: 'iommu_group_put(group) on the error path' });
    b.add('gr_release', 'iommu_group_release()', FILES.iommu, [
      br(undefined, undefined, [set('group.exists', G, false)], 'gr_destroy_ctx'),
    ], { doc: 'kobject release -> iommu_group_release: ida remove; if (group->default_domain) iommu_domain_free() -> ops->domain_free' });
    const freeAssign: Assign[] = [
      set('group.dd_freed', G, true), set('group.default_domain', G, 'none'), set('group.domain', G, 'none'),
    ];
    const guarded = !ipmmu || f.ipmmu_destroy_guard;
    const gd = ipmmu
      ? 'ipmmu_domain_free -> ipmmu_domain_destroy_context: writes IMCTR through domain->mmu->root, TLB sync, frees the context'
      : 'arm_smmu_domain_free -> arm_smmu_destroy_domain_context (guarded: if (!smmu) return)';
    b.add('gr_destroy_ctx', ipmmu ? 'ipmmu_domain_free()' : 'arm_smmu_domain_free()', ctx.smmuFile, guarded ? [
      exitBr('teardown', v('group.ctx_ready', G), freeAssign, exits.err),
      exitBr('skip', not(v('group.ctx_ready', G)), freeAssign, exits.err, undefined, 'if (!domain->mmu) return; (the guard)'),
    ] : [
      exitBr(undefined, undefined, freeAssign, exits.err, [{ name: 'DomainFreeSafe', cond: v('group.ctx_ready', G), doc: 'C_IPMMU_FREE: NULL domain->mmu->root in ipmmu_domain_free+0x1c (seed 000)' }]),
    ], { doc: gd });
  }
  return 'ad_gate';
}

const add1 = (field: string, idx: Expr): Assign => set(field, idx, add(v(field, idx), 1));
const sub1 = (field: string, idx: Expr): Assign => set(field, idx, { kind: 'bin', op: 'sub', left: v(field, idx), right: { kind: 'lit', value: 1 } });

// ---------------------------------------------------------------------------------------------
// PD: v5.17 .. v6.15.y

/** The instance that runs the walk, for group.on_group_list. */
export function walkUnit(b: ActorB): Expr { void b; return v('R.unit', SELF); }

/** r_probe_dev: ops->probe_device() and dev->iommu->iommu_dev, per IOMMU driver. */
function probeDeviceStep(b: ActorB, d: Expr, errField: string, next: string, fail: Exit, deferExit: Exit): void {
  const ctx = b.ctx;
  const f = ctx.f;
  const I = iOf(d);
  const okAssign: Assign[] = [set('dev.iommu_iommu_dev', d, I)];
  const freeAssign: Assign[] = [set('dev.iommu', d, 'null'), set('dev.iommu_fwspec', d, 'none'), set('dev.iommu_iommu_dev', d, 'none')];
  const fwOk = eq(v('dev.iommu_fwspec', d), 'present');
  if (ctx.driver === 'intel') {
    const reject = f.probe_device_rejects_unregistered_instance;
    const okG = reject ? iv('iommu.ops_set', d) : undefined;
    const branches = [br('ok', okG, okAssign, next, undefined, 'device_to_iommu(dev) from the DMAR scope' + (reject ? '; the unit is registered' : ', registered or not'))];
    if (reject) branches.push(exitBr('enodev', not(iv('iommu.ops_set', d)), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, 'c919739ce472: !iommu || !iommu->iommu.ops -> -ENODEV'));
    b.add('r_probe_dev', 'intel_iommu_probe_device()', FILES.intel, branches,
      { doc: 'ops->probe_device(dev); then dev->iommu->iommu_dev = &unit->iommu' });
    return;
  }
  // fwspec-based: the driver accepts only a device whose fwspec names it; it finds the instance by fwnode.
  const look = iv('iommu.self_lookup_ok', d);
  const branches = [
    exitBr('enodev', not(fwOk), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, '!fwspec || fwspec->ops != this driver -> -ENODEV; dev_iommu_free()'),
  ];
  // v6.15: iommu_init_device() links the device in sysfs right after probe_device(); a second
  // probe of a linked device fails there with -EEXIST (addendum 5.3 step 4): err_release ->
  // release_device, module_put, dev->iommu->iommu_dev = NULL, dev_iommu_free(). The group the
  // first probe set stays. Folded into r_probe_dev (one PL-held section).
  const link = ctx.v615 && !!ctx.sc.iommuLink;
  if (link) {
    okAssign.push(set('dev.iommu_linked', d, true));
    ctx.assume('v6.15: iommu_device_link() (sysfs) is folded into r_probe_dev; dev.iommu_linked is cleared only by r_unregister (iommu_release_device -> iommu_device_unlink); device removal is not modelled [patch: 0c8e9c148e29 context; mail: Johan Hovold 22 May 2025 trace (i)]');
  }
  const notLinked = link ? not(v('dev.iommu_linked', d)) : undefined;
  const okG = (g: Expr): Expr => (notLinked ? and(g, notLinked) : g);
  const eexist = (asserts?: { name: string; cond: Expr; doc: string }[]) => exitBr('eexist', and(fwOk, v('dev.iommu_linked', d)), [...freeAssign, ...errSet(b, errField, 'err')], fail, asserts,
    'iommu_device_link() -> -EEXIST ("sysfs: cannot create duplicate filename"): err_release, iommu_dev = NULL, dev_iommu_free(); dev->iommu_group is left set');
  if (ctx.driver === 'smmu-v3') {
    branches.push(br('ok', okG(and(fwOk, look)), okAssign, next));
    if (link) branches.push(eexist());
    branches.push(exitBr('nosmmu', and(fwOk, not(look)), [...freeAssign, ...errSet(b, errField, 'enodev')], fail, undefined, 'arm_smmu_get_by_fwnode() finds no bound SMMU -> -ENODEV'));
    ctx.assume('SMMUv3 arm_smmu_probe_device returns -ENODEV while arm_smmu_get_by_fwnode (a bound-driver lookup) cannot find the instance [src: arm-smmu-v3.c of this era seen through the index; brief 2.2]');
  } else if (ctx.driver === 'arm-smmu') {
    if (f.arm_smmu_defer_hack) {
      branches.push(br('ok', okG(and(fwOk, look)), okAssign, next));
      if (link) branches.push(eexist());
      branches.push(exitBr('defer', and(fwOk, not(look)), [...freeAssign, ...errSet(b, errField, 'defer')], deferExit, undefined, '229e6ee43d2a: no bound SMMU -> -EPROBE_DEFER'));
    } else {
      const la = [{ name: 'NoNullOpsDeref', cond: look, doc: 'C_SMMU_LOOKUP: arm_smmu_get_by_fwnode() returned NULL and probe_device dereferences it' }];
      branches.push(br('ok', okG(fwOk), okAssign, next, la));
      if (link) branches.push(eexist(la));
    }
  } else {
    branches.push(br('ok', okG(fwOk), okAssign, next));
    if (link) branches.push(eexist());
  }
  b.add('r_probe_dev', ctx.driver === 'smmu-v3' ? 'arm_smmu_probe_device()' : ctx.driver === 'arm-smmu' ? 'arm_smmu_probe_device()' : 'ipmmu_probe_device()', ctx.smmuFile, branches,
    { doc: 'ops->probe_device(dev); then dev->iommu->iommu_dev = iommu_dev; on error dev_iommu_free() (the fwspec goes with it)' });
}

function errSet(b: ActorB, errField: string, value: string): Assign[] { return errField ? [b.ls(errField, value)] : []; }

/**
 * PD in its v5.17 .. v6.1 form, plus the walk's r_grouped_check (probe_iommu_group) and the
 * probe path's p_alloc_dd (iommu_probe_device). No probe lock.
 */
export function probeB(b: ActorB, d: Expr, mode: 'walk' | 'probe', exits: ProbeExits): string {
  const ctx = b.ctx;
  const f = ctx.f;
  const G = gOf(d);
  let entry = 'pd_bus_ops';
  if (mode === 'walk') {
    entry = b.add('r_grouped_check', 'probe_iommu_group()', FILES.iommu, [
      exitBr('grouped', hasGrp(d), [], exits.ok, undefined, 'iommu_group_get(dev) != NULL -> return 0'),
      br('new', not(hasGrp(d)), [], 'pd_bus_ops'),
    ], { doc: 'probe_iommu_group: if (iommu_group_get(dev)) return 0 (lockless read of dev->iommu_group)' });
  }
  b.add('pd_bus_ops', '__iommu_probe_device()', FILES.iommu, [
    exitBr('enodev', eq(v('bus.iommu_ops'), 'none'), [], exits.enodev, undefined, '!dev->bus->iommu_ops -> -ENODEV'),
    br('ok', ne(v('bus.iommu_ops'), 'none'), [], 'r_alloc'),
  ]);
  b.add('r_alloc', 'dev_iommu_get()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu', d, 'alloc')], 'r_probe_dev')],
    { doc: '__iommu_probe_device: dev_iommu_get() allocates dev->iommu; try_module_get' });
  probeDeviceStep(b, d, '', 'r_group', exits.enodev, exits.defer ?? exits.err);
  const dio = f.group_get_for_dev_ops_source === 'dev_iommu_ops';
  const opsAssert = dio ? [{ name: 'NoNullOpsDeref', cond: v('iommu.ops_set', v('dev.iommu_iommu_dev', d)), doc: 'C_NULL_OPS: dev_iommu_ops(dev)->device_group with the unit\'s ops still NULL (seed 004)' }] : undefined;
  const afterGroup = mode === 'probe' ? 'p_alloc_dd' : 'g_link';
  b.add('r_group', 'iommu_group_get_for_dev()', FILES.iommu, [
    br('grouped', hasGrp(d), [], afterGroup, opsAssert, 'existing group: return it'),
    br('new', not(hasGrp(d)), [], 'g_link', opsAssert, 'group = ops->device_group(dev)'),
  ], { doc: dio ? 'ops = dev_iommu_ops(dev) (3f6634d997db); group = ops->device_group(dev)' : 'ops = dev->bus->iommu_ops; group = ops->device_group(dev)' });
  b.add('g_link', 'iommu_group_add_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu_group', d, G)], 'r_gm_add')],
    { doc: 'sysfs links; dev->iommu_group = group BEFORE group->mutex' });
  const listAdd = and(eq(v('group.default_domain', G), 'none'), eq(v('group.on_group_list', G), 'none'));
  const gmAssign: Assign[] = [set('dev.in_group_list', d, true)];
  const inlineList = mode === 'walk' && f.probe_lock_global_held_by_callers; // never in this form; kept for symmetry
  if (inlineList) gmAssign.push(set('group.on_group_list', G, ite(listAdd, walkUnit(b), v('group.on_group_list', G))));
  b.add('r_gm_add', 'iommu_group_add_device()', FILES.iommu, [
    br(undefined, undefined, gmAssign, mode === 'walk' ? 'r_list_add' : 'p_alloc_dd'),
  ], { doc: 'under group->mutex: list_add_tail; if (group->domain && !attach_deferred) attach the device ("Adding to iommu group")' });
  if (mode === 'walk') {
    b.add('r_list_add', '__iommu_probe_device()', FILES.iommu, [
      exitBr(undefined, undefined, [set('group.on_group_list', G, ite(listAdd, walkUnit(b), v('group.on_group_list', G)))], exits.ok),
    ], { doc: 'if (group_list && !group->default_domain && list_empty(&group->entry)) list_add_tail(&group->entry, group_list) (no lock before 01657bc14a39)' });
  } else {
    const none = eq(v('group.default_domain', G), 'none');
    const attach = ctx.ownership ? and(ne(v('group.default_domain', G), 'none'), eq(v('group.owner', G), 'null')) : ne(v('group.default_domain', G), 'none');
    b.add('p_alloc_dd', 'iommu_probe_device()', FILES.iommu, [
      exitBr(undefined, undefined, [
        set('group.default_domain', G, ite(none, ddTypeOfGroup(G), v('group.default_domain', G))),
        set('group.domain', G, ite(and(eq(v('group.domain', G), 'none'), or(none, attach)), 'dd', v('group.domain', G))),
      ], exits.ok),
    ], { doc: 'p_gm_lock .. p_gm_unlock as one group->mutex section: iommu_alloc_default_domain if none; attach the default domain' + (ctx.ownership ? ' unless the group has an owner' : '') + '; iommu_create_device_direct_mappings' });
  }
  return entry;
}

/**
 * PD in its v6.6 and v6.15 forms, bracketed by the probe lock: the walk's probe_iommu_group
 * (r_lock .. r_unlock) or iommu_probe_device (p_lock .. p_unlock). The unlock step branches on
 * the actor-local status `err`.
 */
export function probeLocked(b: ActorB, d: Expr, mode: 'walk' | 'probe', exits: ProbeExits, opts: { canDrop: boolean } = { canDrop: true }): string {
  const ctx = b.ctx;
  const f = ctx.f;
  const G = gOf(d);
  const I = iOf(d);
  const err = b.local('err', { kind: 'enum', values: ['ok', 'enodev', 'err', 'defer'] }, 'ok');
  const lock = mode === 'walk' ? 'r_lock' : 'p_lock';
  const unlock = mode === 'walk' ? 'r_unlock' : 'p_unlock';
  const lockFn = mode === 'walk' ? 'probe_iommu_group()' : 'iommu_probe_device()';
  const toUnlock = (value: string): Assign[] => [b.ls(err, value)];
  b.add(lock, lockFn, FILES.iommu, [br(undefined, undefined, [set('probe_lock', undefined, { kind: 'param', name: '$me' })], ctx.v615 ? 'r_grouped_check' : 'pd_bus_ops')],
    { guard: eq(v('probe_lock'), 'none'), doc: 'mutex_lock(&iommu_probe_device_lock) (a2e7e59a9426)' });
  if (!ctx.v615) {
    b.add('pd_bus_ops', '__iommu_probe_device()', FILES.iommu, [
      br('enodev', eq(v('bus.iommu_ops'), 'none'), toUnlock('enodev'), unlock, undefined, '!dev->bus->iommu_ops -> -ENODEV'),
      br('ok', ne(v('bus.iommu_ops'), 'none'), [], 'r_grouped_check'),
    ], { doc: 'ops = dev->bus->iommu_ops (6.6 probes every device on the bus; the driver filters by fwspec)' });
  }
  b.add('r_grouped_check', '__iommu_probe_device()', FILES.iommu, [
    br('grouped', hasGrp(d), toUnlock('ok'), unlock, undefined, '"Device is probed already if in a group": return 0'),
    br('new', not(hasGrp(d)), [], 'r_alloc'),
  ], { doc: 'if (dev->iommu_group) return 0 (6eb4da8cf545; under the probe lock)' });
  const drop = ctx.v615 && opts.canDrop;
  const afterAlloc = drop ? 'r_fw_test' : ctx.v615 ? 'r_ops' : 'r_probe_dev';
  b.add('r_alloc', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu', d, 'alloc')], afterAlloc)],
    { doc: 'dev_iommu_get(): allocate dev->iommu if NULL' });
  if (drop) {
    const fwTest = f.walk_recheck_after_relock
      ? and(ne(v('dev.iommu_fwspec', d), 'present'), eq(v('dev.driver', d), 'none'))
      : eq(v('dev.driver', d), 'none');
    b.add('r_fw_test', 'iommu_init_device()', FILES.iommu, [
      br('drop', fwTest, [], 'r_drop', undefined, f.walk_recheck_after_relock ? '!fwspec && !dev->driver (0c8e9c148e29)' : '!dev->driver (bcb81ac6ae3c)'),
      br('keep', not(fwTest), [], 'r_ops'),
    ], { doc: 'whether to drop the probe lock around dev->bus->dma_configure; reads dev->driver without device_lock' });
    b.add('r_drop', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('probe_lock', undefined, 'none')], 'r_dma_cfg')],
      { doc: 'mutex_unlock(&iommu_probe_device_lock) before dev->bus->dma_configure(dev)' });
    b.add('r_dma_cfg', ctx.busConfigure, ctx.busGlue, [br(undefined, undefined, [], 'o_lock')],
      { doc: 'dev->bus->dma_configure(dev) -> of_dma_configure_id -> of_iommu_configure (steps o_* run by this thread); errors are ignored by iommu_init_device' });
    firmwareConfigure(b, d, { ok: { goto: 'r_relock' }, noiommu: { goto: 'r_relock' }, defer: { goto: 'r_relock' }, replay: null });
    b.add('r_relock', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('probe_lock', undefined, { kind: 'param', name: '$me' })], f.walk_recheck_after_relock ? 'r_recheck' : 'r_ops')],
      { guard: eq(v('probe_lock'), 'none'), doc: 'mutex_lock(&iommu_probe_device_lock) after dma_configure' });
    if (f.walk_recheck_after_relock) {
      const gone = or(eq(v('dev.iommu', d), 'null'), hasGrp(d));
      b.add('r_recheck', 'iommu_init_device()', FILES.iommu, [
        br('gone', gone, toUnlock('enodev'), unlock, undefined, 'dev->iommu == NULL || dev->iommu_group != NULL -> -ENODEV (someone else finished or freed it)'),
        br('ok', not(gone), [], 'r_ops'),
      ], { doc: '0c8e9c148e29: re-check after relocking' });
    }
  }
  if (ctx.v615) {
    b.add('r_ops', 'iommu_init_device()', FILES.iommu, [
      br('noops', ne(v('dev.iommu_fwspec', d), 'present'), [set('dev.iommu', d, 'null'), set('dev.iommu_fwspec', d, 'none'), ...toUnlock('enodev')], unlock, undefined, 'no fwspec ops -> -ENODEV, dev_iommu_free()'),
      br('ok', eq(v('dev.iommu_fwspec', d), 'present'), [], 'r_probe_dev'),
    ], { doc: 'ops = iommu_fwspec_ops(dev_iommu_fwspec_get(dev)) (fd598f71b669)' });
  }
  probeDeviceStep(b, d, err, 'r_group', { goto: unlock }, { goto: unlock });
  b.add('r_group', 'iommu_init_device()', FILES.iommu, [br(undefined, undefined, [set('dev.iommu_group', d, G)], 'r_gm_add')],
    { doc: 'group = ops->device_group(dev); dev->iommu_group = group (end of iommu_init_device, before group->mutex)' + (ctx.v615 ? '; r_late_warn folded: dev_WARN "late IOMMU probe at driver bind" if dev->driver is set' : '') });
  const noDd = eq(v('group.default_domain', G), 'none');
  const assign: Assign[] = [set('dev.in_group_list', d, true)];
  let doc: string;
  if (mode === 'walk') {
    assign.push(set('group.on_group_list', G, ite(and(eq(v('group.domain', G), 'none'), noDd, eq(v('group.on_group_list', G), 'none')), walkUnit(b), v('group.on_group_list', G))));
    if (ctx.coreDma) assign.push(set('dev.dma_iommu', d, ite(noDd, v('dev.dma_iommu', d), eq(v('group.default_domain', G), 'dma'))));
    doc = 'under group->mutex: add the gdev; attach to group->domain if any; else, with no default domain, list_add(&group->entry, group_list)' + (ctx.coreDma ? '; with a default domain iommu_setup_dma_ops(dev)' : '');
  } else {
    assign.push(set('group.default_domain', G, ite(noDd, ddTypeOfGroup(G), v('group.default_domain', G))));
    assign.push(set('group.domain', G, ite(eq(v('group.domain', G), 'none'), 'dd', v('group.domain', G))));
    if (ctx.coreDma) assign.push(set('dev.dma_iommu', d, eq(ite(noDd, ddTypeOfGroup(G), v('group.default_domain', G)), 'dma')));
    doc = 'under group->mutex: add the gdev; with no group_list and no default domain, iommu_setup_default_domain() runs at once and attaches' + (ctx.coreDma ? '; iommu_setup_dma_ops(dev) sets dev->dma_iommu' : '');
  }
  assign.push(b.ls(err, 'ok'));
  b.add('r_gm_add', '__iommu_probe_device()', FILES.iommu, [br(undefined, undefined, assign, unlock)], { doc });
  // Unlock: branch on the status.
  const st = (x: string) => eq(b.lv(err), x);
  const fin = mode === 'probe' && ctx.v615 && !!ctx.sc.probeFinalize;
  const ub = [
    exitBr('ok', st('ok'), [set('probe_lock', undefined, 'none')], mode === 'probe' && f.probe_device_defers_if_no_default_domain ? { goto: 'p_dd_check' } : fin ? { goto: 'p_finalize' } : exits.ok),
    exitBr('enodev', st('enodev'), [set('probe_lock', undefined, 'none')], exits.enodev),
    exitBr('err', st('err'), [set('probe_lock', undefined, 'none')], exits.err),
    exitBr('defer', st('defer'), [set('probe_lock', undefined, 'none')], exits.defer ?? exits.err),
  ];
  b.add(unlock, lockFn, FILES.iommu, ub, { doc: 'mutex_unlock(&iommu_probe_device_lock); -ENODEV is mapped to 0 by probe_iommu_group, other errors abort the walk' });
  if (fin) {
    b.add('p_finalize', 'iommu_probe_device()', FILES.iommu, [
      exitBr(undefined, undefined, [], exits.ok, [{ name: 'NoNullOpsDeref', cond: and(eq(v('dev.iommu', d), 'alloc'), ne(v('dev.iommu_iommu_dev', d), 'none')),
        doc: 'addendum 5.3: ops = dev_iommu_ops(dev) reads dev->iommu->iommu_dev->ops with no lock held; NULL iommu_dev (or dev->iommu) -> oops at iommu_probe_device+0x50' }]),
    ], { doc: 'after mutex_unlock, ret == 0: ops = dev_iommu_ops(dev); if (ops->probe_finalize) ops->probe_finalize(dev) (also when __iommu_probe_device returned 0 for a grouped device)' });
  }
  if (mode === 'probe' && f.probe_device_defers_if_no_default_domain) {
    const dd = and(hasGrp(d), eq(gv('group.default_domain', d), 'none'));
    b.add('p_dd_check', 'iommu_probe_device()', FILES.iommu, [
      exitBr('defer', dd, [], exits.defer ?? exits.err, undefined, 'group without a default domain -> -EPROBE_DEFER'),
      exitBr('ok', not(dd), [], exits.ok),
    ], { doc: 'b46064a18810 (6.6 form): if (IS_ENABLED(CONFIG_IOMMU_DMA) && !ret && dev->iommu_group) { mutex_lock(&group->mutex); if (!group->default_domain && !dev_iommu_ops(dev)->set_platform_dma_ops) ret = -EPROBE_DEFER; }' });
  }
  void I;
  return lock;
}

// ---------------------------------------------------------------------------------------------
// The firmware configure: of_iommu_configure (OF) or acpi_iommu_configure_id / IORT (ACPI).

export interface FwExits {
  readonly ok: Exit;
  readonly noiommu: Exit;
  readonly defer: Exit;
  /** Where the replay goes (null: the caller allocated dev->iommu, so no replay: the walk's r_dma_cfg). */
  readonly replay: string | null;
}

/**
 * o_lock [o_sample] o_xlate [o_cleanup]: the fwspec part of the firmware configure. Writes the
 * actor-local `cfg` (what of_iommu_configure returns: ops, NULL, or -EPROBE_DEFER) and, in
 * v6.15, `present` (dev_iommu_present). Returns the entry label.
 */
export function firmwareConfigure(b: ActorB, d: Expr, ex: FwExits): string {
  const ctx = b.ctx;
  const f = ctx.f;
  const I = iOf(d);
  const cfg = b.local('cfg', { kind: 'enum', values: ['none', 'ok', 'noiommu', 'defer'] }, 'none');
  const fnCfg = ctx.of ? 'of_iommu_configure()' : 'acpi_iommu_configure_id()';
  const fileCfg = ctx.of ? FILES.of_iommu : FILES.acpi_scan;
  const pl = ctx.pl;
  const me = { kind: 'param', name: '$me' } as const;
  const afterXlate = pl ? 'o_cleanup' : null;
  const present = eq(v('dev.iommu_fwspec', d), 'present');
  // o_lock: PL (6.6.5+), the re-probe fast path, pending fwspec freed.
  const lockAssign = pl ? [set('probe_lock', undefined, me)] : [];
  const fastTarget = ex.ok;
  b.add('o_lock', fnCfg, fileCfg, [
    exitBr('fast', present, [...(pl ? [set('probe_lock', undefined, 'none')] : []), b.ls(cfg, 'ok')], fastTarget, undefined,
      ctx.v615 ? 'fwspec present -> unlock, return 0 (no replay)' : 'fwspec with ops -> return those ops at once (re-probe; no replay)'),
    br('parse', not(present), [...lockAssign, ...(ctx.pd ? [] : [set('dev.iommu_fwspec', d, 'none')])], ctx.v615 ? 'o_sample' : 'o_xlate', undefined,
      ctx.pd ? 'parse the firmware description' : 'a pending fwspec (deferred case) is freed: start again from scratch'),
  ], { guard: pl ? eq(v('probe_lock'), 'none') : undefined, doc: pl ? 'mutex_lock(&iommu_probe_device_lock) around the fwspec part (a2e7e59a9426)' : 'of_iommu_configure entry (no lock in this era)' });
  let presentField = '';
  if (ctx.v615) {
    presentField = b.local('present', { kind: 'bool' }, false);
    b.add('o_sample', fnCfg, fileCfg, [br(undefined, undefined, [b.ls(presentField, eq(v('dev.iommu', d), 'alloc'))], 'o_xlate')],
      { doc: 'dev_iommu_present = dev_iommu_get... already allocated: "__iommu_probe_device() is already in progress for this device"' });
  }
  // o_xlate
  const listed = iv('iommu.listed', d);
  const readyOk = f.registration_race_fix ? or(eq(v('dev.iommu', d), 'alloc'), iv('iommu.ready', d)) : undefined;
  const okG = readyOk ? and(listed, readyOk) : listed;
  const notReady = readyOk ? and(listed, eq(v('dev.iommu', d), 'null'), not(iv('iommu.ready', d))) : undefined;
  const initDone = v('kernel.initcalls_done');
  const okAssign: Assign[] = [set('dev.iommu_fwspec', d, 'present'), b.ls(cfg, 'ok')];
  if (ctx.pd) okAssign.push(set('dev.iommu', d, 'alloc'));
  if (!ctx.pd && ctx.driver === 'ipmmu') okAssign.push(set('dev.iommu_priv', d, ite(iv('iommu.self_lookup_ok', d), 'set', 'null')));
  const goOk: Exit = afterXlate ? { goto: afterXlate } : ex.replay ? { goto: ex.replay } : ex.ok;
  const goErr = (e: Exit): Exit => afterXlate ? { goto: afterXlate } : e;
  const branches = [
    exitBr('ok', okG, okAssign, goOk, undefined, ctx.of ? 'iommu_ops_from_fwnode finds the listed instance; iommu_fwspec_init; ops->of_xlate' : 'iort_iommu_xlate: the instance is listed; acpi_iommu_fwspec_init + ids'),
    exitBr('defer', and(not(listed), not(initDone)), [b.ls(cfg, 'defer'), ...(ctx.of && !ctx.pd ? [set('dev.iommu_fwspec', d, 'pending')] : [])], goErr(ex.defer), undefined,
      ctx.of ? 'instance not listed: driver_deferred_probe_check_state -> -EPROBE_DEFER' : 'iort_iommu_driver_enabled ? -EPROBE_DEFER : -ENODEV'),
  ];
  if (ctx.sc.initcallsActor) {
    branches.push(exitBr('nodev', and(not(listed), initDone), [b.ls(cfg, 'noiommu')], goErr(ex.noiommu), undefined, 'after initcalls: -ENODEV, "ignoring dependency", no IOMMU'));
  }
  if (notReady) {
    branches.push(exitBr('notready', notReady, [b.ls(cfg, 'defer')], goErr(ex.defer), undefined, 'da33e87bd2bf: !dev->iommu && !READ_ONCE(iommu->ready) -> -EPROBE_DEFER'));
  }
  b.add('o_xlate', ctx.of ? 'of_iommu_xlate()' : 'iort_iommu_xlate()', ctx.of ? FILES.of_iommu : FILES.iort, branches,
    { doc: ctx.of ? 'of_iommu_xlate -> iommu_fwspec_init (iommu_from_fwnode under iommu_device_lock) -> ops->of_xlate' : 'iort_iommu_configure_id -> iort_iommu_xlate -> iommu_ops_from_fwnode' });
  if (!ctx.pd && ctx.of) ctx.assume('DT clients deferred before the IOMMU listed keep a pending fwspec (ops NULL) that the retry frees [src: Samsung_Galaxy-S20FE-SM8250@8faa112 of_iommu.c; brief 1.2]');
  if (afterXlate) {
    const c = (x: string) => eq(b.lv(cfg), x);
    const rel = [set('probe_lock', undefined, 'none')];
    b.add('o_cleanup', fnCfg, fileCfg, [
      exitBr('ok', c('ok'), rel, ex.replay ? { goto: ex.replay } : ex.ok),
      exitBr('defer', c('defer'), rel, ex.defer),
      exitBr('noiommu', c('noiommu'), rel, ex.noiommu),
    ], { doc: 'error cleanup (fwspec freed if dev_iommu_present, else dev_iommu_free); mutex_unlock(&iommu_probe_device_lock)' });
  }
  void presentField; void I; void lt;
  return 'o_lock';
}
