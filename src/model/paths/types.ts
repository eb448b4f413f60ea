/** What a probe-path form is: a builder that inlines the path into an actor and returns the
 *  label of its first step. `walk`: the bus walk's per-device probe (probe_iommu_group /
 *  add_iommu_group); `probe`: iommu_probe_device (the notifier and the firmware replay). */
import type { ActorB, Exit } from '../ctx';
import type { Expr } from '../../ir/types';

export interface ProbeExits {
  readonly ok: Exit;
  readonly enodev: Exit;
  readonly err: Exit;
  /** -EPROBE_DEFER (arm-smmu 229e6ee43d2a, p_dd_check); defaults to err. */
  readonly defer?: Exit;
}

export interface ProbePathOpts {
  /** v6.15: whether this caller can reach the lock drop (`!dev->driver`): the walk and the
   *  notifier can, the client's own bind cannot (really_probe set dev->driver). */
  readonly canDrop: boolean;
}

export type ProbePath = (b: ActorB, d: Expr, mode: 'walk' | 'probe', exits: ProbeExits, opts: ProbePathOpts) => string;
