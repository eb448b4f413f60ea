/**
 * The firmware configure: of_iommu_configure() (OF) or acpi_iommu_configure_id() / IORT (ACPI),
 * run by the client's dma_configure and, in the dropping form, by the probe itself. Steps:
 *
 *   [mutex_lock(&iommu_probe_device_lock)]; fwspec present? -> return     o_lock
 *   [v6.15: dev_iommu_present = dev->iommu allocated]                      o_sample
 *   iommu_fwspec_init + ops->of_xlate (or -EPROBE_DEFER / -ENODEV)         o_xlate
 *   [error cleanup; mutex_unlock(&iommu_probe_device_lock)]                o_cleanup
 *
 * then the replay of iommu_probe_device (o_replay, in the client actor). What differs by the
 * probe-path form is data, in FIRMWARE_FORM below; what differs by the device's firmware (OF or
 * ACPI, dev-paths.ts) is the variant the steps are built for: its functions, and its label
 * suffix when an actor's devices have both (o_lock_acpi).
 */
import { and, eq, ite, not, or, set, v } from '../../ir/dsl';
import type { Assign, Expr } from '../../ir/types';
import { br, exitBr, FILES, iv, type ActorB, type Exit } from '../ctx';
import type { Firmware } from '../bus-glue';
import type { Variant } from '../dev-paths';
import type { Forms } from '../forms';

/** How of_iommu_configure looks next to each form: the fwspec part runs under
 *  iommu_probe_device_lock only with the file-scope lock (a2e7e59a9426); v4.19 has no
 *  dev->iommu (a fwspec left pending by a deferral is freed and parsed again); v6.15 also
 *  samples dev_iommu_present, so a probe in progress is not replayed. */
const firmwareForm = (x: Forms) => ({
  probeLock: x.probeLock === 'file_scope',
  samplePresent: x.probe === 'dropping',
  devIommu: x.probe !== 'add_device',
});

export interface FwExits {
  readonly ok: Exit;
  readonly noiommu: Exit;
  readonly defer: Exit;
  /** Where the replay goes (null: the caller allocated dev->iommu, so no replay: the walk's r_dma_cfg). */
  readonly replay: string | null;
}

/**
 * o_lock [o_sample] o_xlate [o_cleanup]: the fwspec part of the firmware configure of firmware
 * `fw`, its labels with the variant's suffix. Writes the actor-local `cfg` (what
 * of_iommu_configure returns: ops, NULL, or -EPROBE_DEFER) and, in v6.15, `present`
 * (dev_iommu_present). Returns the entry label.
 */
export function firmwareConfigure(b: ActorB, d: Expr, ex: FwExits, fw: Variant<Firmware>): string {
  return b.within(__filename, () => build(b, d, ex, fw));
}

/** The entry label of firmware variant `fw`'s configure. */
export const firmwareEntry = (fw: Variant<Firmware>): string => `o_lock${fw.suffix}`;

function build(b: ActorB, d: Expr, ex: FwExits, fw: Variant<Firmware>): string {
  const ctx = b.ctx;
  const f = ctx.f;
  const form = firmwareForm(ctx.forms);
  const of = fw.value === 'of';
  const L = (label: string) => `${label}${fw.suffix}`;
  const cfg = b.local('cfg', { kind: 'enum', values: ['none', 'ok', 'noiommu', 'defer'] }, 'none');
  const fnCfg = of ? 'of_iommu_configure()' : 'acpi_iommu_configure_id()';
  const fileCfg = of ? FILES.of_iommu : FILES.acpi_scan;
  const pl = form.probeLock;
  const me = { kind: 'param', name: '$me' } as const;
  const afterXlate = pl ? L('o_cleanup') : null;
  const present = eq(v('dev.iommu_fwspec', d), 'present');
  // o_lock: PL (6.6.5+), the re-probe fast path, pending fwspec freed.
  const lockAssign = pl ? [set('probe_lock', undefined, me)] : [];
  const fastTarget = ex.ok;
  b.add(L('o_lock'), fnCfg, fileCfg, [
    exitBr('fast', present, [...(pl ? [set('probe_lock', undefined, 'none')] : []), b.ls(cfg, 'ok')], fastTarget, undefined,
      form.samplePresent ? 'fwspec present -> unlock, return 0 (no replay)' : 'fwspec with ops -> return those ops at once (re-probe; no replay)'),
    br('parse', not(present), [...lockAssign, ...(form.devIommu ? [] : [set('dev.iommu_fwspec', d, 'none')])], form.samplePresent ? L('o_sample') : L('o_xlate'), undefined,
      form.devIommu ? 'parse the firmware description' : 'a pending fwspec (deferred case) is freed: start again from scratch'),
  ], { guard: pl ? eq(v('probe_lock'), 'none') : undefined, doc: pl ? 'mutex_lock(&iommu_probe_device_lock) around the fwspec part (a2e7e59a9426)' : 'of_iommu_configure entry (no lock in this era)' });
  if (form.samplePresent) {
    const present = b.local('present', { kind: 'bool' }, false);
    b.add(L('o_sample'), fnCfg, fileCfg, [br(undefined, undefined, [b.ls(present, eq(v('dev.iommu', d), 'alloc'))], L('o_xlate'))],
      { doc: 'dev_iommu_present = dev_iommu_get... already allocated: "__iommu_probe_device() is already in progress for this device"' });
  }
  // o_xlate
  const listed = iv('iommu.listed', d);
  const readyOk = f.registration_race_fix ? or(eq(v('dev.iommu', d), 'alloc'), iv('iommu.ready', d)) : undefined;
  const okG = readyOk ? and(listed, readyOk) : listed;
  const notReady = readyOk ? and(listed, eq(v('dev.iommu', d), 'null'), not(iv('iommu.ready', d))) : undefined;
  const initDone = v('kernel.initcalls_done');
  const okAssign: Assign[] = [set('dev.iommu_fwspec', d, 'present'), b.ls(cfg, 'ok')];
  if (form.devIommu) okAssign.push(set('dev.iommu', d, 'alloc'));
  if (!form.devIommu && ctx.driver === 'ipmmu') okAssign.push(set('dev.iommu_priv', d, ite(iv('iommu.self_lookup_ok', d), 'set', 'null')));
  const goOk: Exit = afterXlate ? { goto: afterXlate } : ex.replay ? { goto: ex.replay } : ex.ok;
  const goErr = (e: Exit): Exit => afterXlate ? { goto: afterXlate } : e;
  // What a deferral leaves behind (REVIEW error 8): of_iommu_xlate calls iommu_fwspec_init
  // with NULL ops before it defers, so the fwspec (ops NULL) stays: v4.19 keeps it pending for
  // the retry to free; 5.x .. 6.6 also keep dev->iommu allocated, until 3832862eb9c4 (v6.15,
  // 6.12.31) frees it on the error path.
  const deferLeaves: Assign[] = !of ? [] : !form.devIommu ? [set('dev.iommu_fwspec', d, 'pending')]
    : f.configure_error_frees_dev_iommu ? [] : [set('dev.iommu', d, 'alloc')];
  const branches = [
    exitBr('ok', okG, okAssign, goOk, undefined, of ? 'iommu_ops_from_fwnode finds the listed instance; iommu_fwspec_init; ops->of_xlate' : 'iort_iommu_xlate: the instance is listed; acpi_iommu_fwspec_init + ids'),
    exitBr('defer', and(not(listed), not(initDone)), [b.ls(cfg, 'defer'), ...deferLeaves], goErr(ex.defer), undefined,
      of ? 'instance not listed: driver_deferred_probe_check_state -> -EPROBE_DEFER' : 'iort_iommu_driver_enabled ? -EPROBE_DEFER : -ENODEV'),
  ];
  if (ctx.sc.initcallsActor) {
    branches.push(exitBr('nodev', and(not(listed), initDone), [b.ls(cfg, 'noiommu')], goErr(ex.noiommu), undefined, 'after initcalls: -ENODEV, "ignoring dependency", no IOMMU'));
  }
  if (notReady) {
    branches.push(exitBr('notready', notReady, [b.ls(cfg, 'defer')], goErr(ex.defer), undefined, 'da33e87bd2bf: !dev->iommu && !READ_ONCE(iommu->ready) -> -EPROBE_DEFER'));
  }
  b.add(L('o_xlate'), of ? 'of_iommu_xlate()' : 'iort_iommu_xlate()', of ? FILES.of_iommu : FILES.iort, branches,
    { doc: of ? 'of_iommu_xlate -> iommu_fwspec_init (iommu_from_fwnode under iommu_device_lock) -> ops->of_xlate' : 'iort_iommu_configure_id -> iort_iommu_xlate -> iommu_ops_from_fwnode' });
  if (!form.devIommu && of) ctx.assume('DT clients deferred before the IOMMU listed keep a pending fwspec (ops NULL) that the retry frees [src: Samsung_Galaxy-S20FE-SM8250@8faa112 of_iommu.c; iommu-probe.md 1.2]');
  if (afterXlate) {
    const c = (x: string) => eq(b.lv(cfg), x);
    const rel = [set('probe_lock', undefined, 'none')];
    b.add(L('o_cleanup'), fnCfg, fileCfg, [
      exitBr('ok', c('ok'), rel, ex.replay ? { goto: ex.replay } : ex.ok),
      exitBr('defer', c('defer'), rel, ex.defer),
      exitBr('noiommu', c('noiommu'), rel, ex.noiommu),
    ], { doc: 'error cleanup (fwspec freed if dev_iommu_present, else dev_iommu_free); mutex_unlock(&iommu_probe_device_lock)' });
  }
  return L('o_lock');
}
