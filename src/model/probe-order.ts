/**
 * The order in which IOMMU instances first probe. The driver core probes a matching device
 * synchronously, from the thread that registered the driver, unless the driver allows
 * asynchronous probing (PROBE_PREFER_ASYNCHRONOUS, or driver_async_probe= on the command
 * line): __driver_attach() -> driver_probe_device() for each device on the bus in turn, or
 * async_schedule_dev(__driver_attach_async_helper) [src: drivers/base/dd.c __driver_attach():
 * unifreq/linux-5.10.y@dd73f55c9408 (5.10.265) dd.c:1078-1136, puppywang/linux-6.12.y@b7b2cdb69909
 * (6.12.63) dd.c:1155-1215, julianw1010/WASP-linux-7.0.0 (7.0) dd.c:1227-1287]. Neither arm-smmu
 * nor arm-smmu-v3 sets probe_type in those trees, so one-at-a-time is their default. Initcalls
 * run one after another in the same boot thread, so the instances a scenario marks
 * `probe: sync` first probe one at a time, in the order listed. Retries come from the
 * deferred-probe worker, not from that walk, and are not ordered by it.
 *
 * The model keeps one counter, how far the boot thread got: an instance's registration may
 * begin when the counter has reached its place, and any return of its probe while the counter
 * is at its place (only the first can be) moves the counter on.
 */
import { add, and, eq, ge, ite, or, set, v } from '../ir/dsl';
import type { Assign, Expr, Field } from '../ir/types';
import type { ScenarioDef } from './config';
import { SELF } from './ctx';

export const SYNC_PROBE_NEXT = 'boot.sync_probe_next';

/** The instances probed in turn, in the order listed (their indexes). */
export function syncProbeOrder(sc: Pick<ScenarioDef, 'iommus'>): number[] {
  return sc.iommus.map((u, i) => (u.probe === 'sync' && !u.atBoot ? i : -1)).filter((i) => i >= 0);
}

/** The counter, only when some instance is probed in turn (other models keep their state). */
export function probeOrderFields(sc: Pick<ScenarioDef, 'iommus'>): Field[] {
  const n = syncProbeOrder(sc).length;
  return n === 0 ? [] : [{ name: SYNC_PROBE_NEXT, domain: { kind: 'int', min: 0, max: n }, init: 0,
    doc: 'driver_attach in the boot thread: the place, among the instances probed in turn, of the one whose first probe runs or comes next' }];
}

/** Whether the running R instance may begin a probe: any time for an instance in its own
 *  thread, once the boot thread reached it for one probed in turn. Undefined: no such order. */
export function mayBeginProbe(sc: ScenarioDef): Expr | undefined {
  const order = syncProbeOrder(sc);
  if (order.length === 0) return undefined;
  const next = v(SYNC_PROBE_NEXT);
  return or(...sc.iommus.map((_, i) => {
    const place = order.indexOf(i);
    return place < 0 ? eq(SELF, i) : and(eq(SELF, i), ge(next, place));
  }));
}

/** On any return of the running instance's probe: the boot thread moves on if this was the
 *  first probe of the instance it waited for. */
export function probeReturned(sc: ScenarioDef): Assign[] {
  const order = syncProbeOrder(sc);
  if (order.length === 0) return [];
  const next = v(SYNC_PROBE_NEXT);
  const waitedFor = or(...order.map((i, place) => and(eq(SELF, i), eq(next, place))));
  return [set(SYNC_PROBE_NEXT, undefined, ite(waitedFor, add(next, 1), next))];
}
