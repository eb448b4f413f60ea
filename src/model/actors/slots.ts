/** Which entity slots have which actor: R per IOMMU instance that registers during the scenario
 *  (or the Intel boot thread), C per device that binds; and when a client is done for the
 *  deferred-probe worker. */
import { and, at, forallOf, not, or, v, type Val } from '../../ir/dsl';
import type { Expr } from '../../ir/types';
import { END } from '../../ir/types';
import type { BuildCtx } from '../ctx';

export function registrationSlots(ctx: BuildCtx): number[] {
  return ctx.sc.bootThread ? [0] : ctx.sc.iommus.map((x, i) => (x.atBoot ? -1 : i)).filter((i) => i >= 0);
}

export function clientSlots(ctx: BuildCtx): number[] {
  return ctx.sc.devices.map((d, i) => (d.start === 'none' ? -1 : i)).filter((i) => i >= 0);
}

/** `body` holds for every client: a quantifier over 'dev' when every device binds. */
export function forEveryClient(ctx: BuildCtx, body: (s: Expr) => Val): Expr {
  return forallOf('dev', ctx.nDev, clientSlots(ctx), body);
}

/** Client s has ended, or waits on the deferred list with no trigger to run it again: no
 *  driver_bound() can come from it any more. */
export function clientSettled(s: Val): Expr {
  return or(at('C', s, END), and(at('C', s, 'c_lock'), v('dev.deferred', s), not(v('dev.trigger', s))));
}

/** With the environment actor, deferred_probe_initcall's triggers are still to come until it ends. */
export function initcallTriggersDone(ctx: BuildCtx): Expr[] {
  return ctx.sc.initcallsActor ? [at('E', undefined, END)] : [];
}
