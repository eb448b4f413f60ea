/** Actor E: the environment: deferred_probe_initcall() ends the initcalls, after which a
 *  missing IOMMU is no longer waited for (-ENODEV instead of -EPROBE_DEFER). */
import { set } from '../../ir/dsl';
import { END } from '../../ir/types';
import { ActorB, br, FILES, type BuildCtx } from '../ctx';

export function buildEnvironment(ctx: BuildCtx): ActorB {
  const b = new ActorB(ctx, 'E', undefined, __filename);
  b.add('k_initcalls_done', 'deferred_probe_initcall()', FILES.dd, [br(undefined, undefined, [set('kernel.initcalls_done', undefined, true)], END)],
    { doc: 'initcalls_done = true: driver_deferred_probe_check_state turns -EPROBE_DEFER into -ENODEV' });
  return b;
}
