/** Actor E: the environment's late_initcall deferred_probe_initcall() (dd.c; 4.19.95
 *  dd.c:275-298, 6.18.9 dd.c:345-373): enable deferred probing and trigger it, wait for the
 *  worker (flush_work), mark the initcalls done, so that a missing IOMMU is no longer waited
 *  for (-ENODEV instead of -EPROBE_DEFER), and trigger once more for the devices deferred on it. */
import { and, eq, not, set, v } from '../../ir/dsl';
import { END } from '../../ir/types';
import { ActorB, br, FILES, type BuildCtx } from '../ctx';
import { forEveryClient, registrationSlots } from './slots';

export function buildEnvironment(ctx: BuildCtx): ActorB {
  const b = new ActorB(ctx, 'E', undefined, __filename);
  b.add('k_trigger', 'deferred_probe_initcall()', FILES.dd, [br(undefined, undefined, ctx.triggerAll(), 'k_initcalls_done')],
    { doc: 'driver_deferred_probe_enable = true; driver_deferred_probe_trigger(): every deferred device to the active list' });
  // flush_work(&deferred_probe_work): every device the trigger moved has been run by the worker.
  const ran = and(
    forEveryClient(ctx, (s) => not(and(v('dev.deferred', s), v('dev.trigger', s)))),
    ...registrationSlots(ctx).map((i) => not(and(eq(v('iommu.driver_state', i), 'deferred'), v('iommu.trigger', i)))),
  );
  b.add('k_initcalls_done', 'deferred_probe_initcall()', FILES.dd, [br(undefined, undefined, [set('kernel.initcalls_done', undefined, true), ...ctx.triggerAll()], END)],
    { guard: ran, doc: 'after flush_work: initcalls_done = true (driver_deferred_probe_check_state turns -EPROBE_DEFER into -ENODEV for an IOMMU that never came); driver_deferred_probe_trigger() again' });
  return b;
}
