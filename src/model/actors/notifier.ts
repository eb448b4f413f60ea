/**
 * Actor N: device_add() of a hot-added device; the bus notifier (BUS_NOTIFY_ADD_DEVICE ->
 * iommu_bus_notifier) runs the probe path's form as iommu_probe_device() (or ops->add_device).
 * A device without a driver yet may reach the v6.15 lock drop.
 */
import { not, set } from '../../ir/dsl';
import { END } from '../../ir/types';
import { ActorB, br, FILES, SELF, type BuildCtx } from '../ctx';
import { PROBE_PATH, type ProbeExits } from '../paths';

export function buildNotifier(ctx: BuildCtx): ActorB {
  const b = new ActorB(ctx, 'N', 'dev', __filename, ctx.sc.devices.map((x, i) => (x.start === 'hotplug' ? i : -1)).filter((i) => i >= 0));
  const d = SELF;
  const done: ProbeExits = { ok: { goto: END }, enodev: { goto: END }, err: { goto: END }, defer: { goto: END } };
  const PROBE = '$probe';
  b.add('n_add', 'device_add()', FILES.core, [
    br('notify', ctx.busOf('bus.notifier_registered', d), [set('dev.added', d, true)], PROBE, undefined, 'bus_add_device (klist), then BUS_NOTIFY_ADD_DEVICE -> iommu_bus_notifier -> ' + (ctx.devIommu ? 'iommu_probe_device' : 'ops->add_device')),
    br('quiet', not(ctx.busOf('bus.notifier_registered', d)), [set('dev.added', d, true)], END, undefined, 'no IOMMU notifier on the bus yet'),
  ], { doc: 'device_add(dev): the result of the notifier is ignored; bus_probe_device (C) follows in this thread' });
  b.bindLabel(PROBE, PROBE_PATH[ctx.forms.probe](b, d, 'probe', done, { canDrop: true }));
  return b;
}
