/**
 * When the search moves between the calling thread and the workers (explore.ts). Moving costs
 * time (the fingerprints are spread over the partitions, or gathered back into one table), and
 * a parallel level costs a synchronisation that a level in one thread does not; which side is
 * faster depends on the level's work. The policy measures one thread's cost per successor (the
 * cheapest level seen: other processes on the machine only ever add time, so wall time alone
 * would move a narrow search to the workers on a loaded machine) and decides by work:
 *   to the workers  once a level's work, at that cost, is at least HANDOFF_LEVEL_SECONDS
 *                   (several times a level's synchronisation) and what moving would cost
 *                   (paid once, while every later level gains; with "four times", as first
 *                   written, counters(7,11) never moved on a quiet machine: its levels' work
 *                   stays near 0.7 of the move's cost, and one thread took 64 s against 44 s);
 *   back            once levels of less than half that work have lost, against one thread,
 *                   as much as gathering would cost (the ski-rental rule: never more than
 *                   twice the better choice's cost on a narrowing tail). Wide levels count as
 *                   lost only when the threads did not run side by side (below).
 * Other processes may hold the cores: a thread that gets less than MIN_CPU_SHARE of a core
 * (process CPU time over wall time) will not find a free core for a second one, so the search
 * does not move to the workers then, and a parallel level whose threads together got less
 * than MIN_PARALLEL_CPU cores' worth counts as lost.
 * Where and how often the search moves changes only the time: counts and traces are the same.
 */

/** Distinct states below which a multi-worker search stays in the calling thread. */
export const PARALLEL_THRESHOLD = 100_000;
/** A level must take this long in one thread before the search moves to the workers (a deep,
 *  narrow search never does: peterson(5), 420,453 states over 55 levels of about 7,600). */
export const HANDOFF_LEVEL_SECONDS = 0.05;
export const MIN_CPU_SHARE = 0.8;
export const MIN_PARALLEL_CPU = 1.2;
/** Spreading or gathering one stored fingerprint, before a move is measured (seconds). */
const MOVE_SECONDS_PER_STATE = 30e-9;

export interface HandoverPolicy {
  /** At a level boundary of the sequential search, after a level of `generated` successors
   *  that took `seconds` (and `cpu` seconds of the process): move to the workers now? */
  toWorkers(distinct: number, frontier: number, seconds: number, generated: number, cpu: number): boolean;
  /** Seconds a parallel level lost against one thread, estimated (negative: it gained). */
  levelLoss(seconds: number, generated: number, cpu: number): number;
  /** At a level boundary of the parallel search: go back to one thread now? `loss` is the sum
   *  of levelLoss over the latest run of losing levels. */
  toOneThread(loss: number, distinct: number, frontier: number): boolean;
  /** A move of `distinct` fingerprints took `seconds` (to refine the estimate). */
  moved(distinct: number, seconds: number): void;
}

/** The default: by measured costs. */
export class MeasuredHandover implements HandoverPolicy {
  private perSuccessor = 0;
  private movePerState = MOVE_SECONDS_PER_STATE;

  toWorkers(distinct: number, _frontier: number, seconds: number, generated: number, cpu: number): boolean {
    if (generated > 1000 && seconds > 0) {
      const per = seconds / generated;
      this.perSuccessor = this.perSuccessor === 0 ? per : Math.min(this.perSuccessor, per);
    }
    const work = generated * this.perSuccessor;
    return distinct >= PARALLEL_THRESHOLD && work >= HANDOFF_LEVEL_SECONDS && work >= this.moveCost(distinct) && cpu >= MIN_CPU_SHARE * seconds;
  }

  levelLoss(seconds: number, generated: number, cpu: number): number {
    // Never measured in one thread (the search started on the workers): no basis to go back.
    if (this.perSuccessor === 0) return 0;
    const work = generated * this.perSuccessor;
    return work < HANDOFF_LEVEL_SECONDS / 2 || cpu < MIN_PARALLEL_CPU * seconds ? seconds - work : 0;
  }

  toOneThread(loss: number, distinct: number): boolean {
    return loss > 0 && loss >= this.moveCost(distinct);
  }

  moved(distinct: number, seconds: number): void {
    if (distinct > 100_000) this.movePerState = seconds / distinct;
  }

  private moveCost(distinct: number): number { return distinct * this.movePerState; }
}

/** Fixed sizes (ExploreOptions.parallelThreshold, handBackBelow): to the workers once
 *  `threshold` states are stored and the frontier has at least `below` states, back while it
 *  has fewer. Deterministic, for tests and for forcing the workers. */
export class FixedHandover implements HandoverPolicy {
  constructor(private readonly threshold: number, private readonly below = 0) {}
  toWorkers(distinct: number, frontier: number): boolean { return distinct >= this.threshold && frontier >= this.below; }
  levelLoss(): number { return 0; }
  toOneThread(_loss: number, _distinct: number, frontier: number): boolean { return frontier < this.below; }
  moved(): void {}
}
