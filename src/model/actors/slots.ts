/** Which entity slots have which actor: R per IOMMU instance that registers during the scenario
 *  (or the Intel boot thread), C per device that binds. */
import type { BuildCtx } from '../ctx';

export function registrationSlots(ctx: BuildCtx): number[] {
  return ctx.sc.bootThread ? [0] : ctx.sc.iommus.map((x, i) => (x.atBoot ? -1 : i)).filter((i) => i >= 0);
}

export function clientSlots(ctx: BuildCtx): number[] {
  return ctx.sc.devices.map((d, i) => (d.start === 'none' ? -1 : i)).filter((i) => i >= 0);
}
