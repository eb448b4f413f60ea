/**
 * What the sequential and the parallel search share: limits and progress, and the assembly
 * of the result.
 */
import type { CoreModel } from '../ir/core';
import { defaultMemoryBudgetBytes } from './memory-guard';
import type { PropertyRecorder } from './recorder';
import type { ExploreOptions, ExploreResult, StopReason, Verdict } from './types';

export class LimitWatch {
  private readonly t0 = process.hrtime.bigint();
  private lastProgress = 0;
  private readonly interval: number;

  /** Bytes of tables and parent links the search may retain: --max-memory, or the guard
   *  derived from the machine's memory (memory-guard.ts). */
  readonly memoryBudget: number;

  constructor(private readonly opts: ExploreOptions) {
    this.interval = opts.progressIntervalMs ?? 1000;
    this.memoryBudget = opts.maxMemoryMB !== undefined ? opts.maxMemoryMB * 1048576 : defaultMemoryBudgetBytes();
  }

  seconds(): number { return Number(process.hrtime.bigint() - this.t0) / 1e9; }

  /** Deterministic limits, checked between levels. */
  beforeLevel(distinct: number, depth: number): StopReason | null {
    if (this.opts.signal?.aborted) return 'interrupted';
    if (this.opts.maxStates !== undefined && distinct >= this.opts.maxStates) return 'max-states';
    if (this.opts.maxDepth !== undefined && depth >= this.opts.maxDepth) return 'max-depth';
    return this.timeAndMemory(0);
  }

  /** Limits that depend on time, checked every few thousand states; also reports progress. */
  duringLevel(distinct: number, generated: number, depth: number, frontier: number, retainedBytes: number): StopReason | null {
    if (this.opts.signal?.aborted) return 'interrupted';
    const s = this.seconds();
    if (this.opts.onProgress && (s - this.lastProgress) * 1000 >= this.interval) {
      this.lastProgress = s;
      this.opts.onProgress({ distinct, generated, depth, frontier, seconds: s, statesPerSecond: s > 0 ? distinct / s : 0 });
    }
    return this.timeAndMemory(retainedBytes);
  }

  private timeAndMemory(retainedBytes: number): StopReason | null {
    if (this.opts.maxSeconds !== undefined && this.seconds() >= this.opts.maxSeconds) return 'max-seconds';
    if (retainedBytes > this.memoryBudget) return 'max-memory';
    return null;
  }
}

export interface Finish {
  m: CoreModel;
  rec: PropertyRecorder;
  stop: StopReason;
  workers: number;
  seconds: number;
  depth: number;
  distinct: number;
  generated: number;
  actionCounts: Float64Array;
  retainedBytes: number;
  load: number;
  pathTo: (i: number) => number[];
  /** One-word states are their own fingerprints: no collision can hide a state. */
  exactFingerprints: boolean;
  modelError?: { message: string; actions: number[] };
}

export function finishResult(f: Finish): ExploreResult {
  const violations = f.rec.violations(f.pathTo);
  const witnesses = f.rec.witnesses(f.pathTo);
  let verdict: Verdict;
  if (f.stop === 'model-error') verdict = 'model-error';
  // Ctrl-C makes a run incomplete even when it found violations (they are still reported).
  else if (f.stop === 'interrupted') verdict = 'incomplete';
  else if (violations.length > 0) verdict = 'violation';
  else if (f.stop !== 'complete') verdict = 'incomplete';
  else if (witnesses.some((w) => !w.reached)) verdict = 'witness-failure';
  else verdict = 'pass';
  return {
    verdict,
    stopReason: f.stop,
    workers: f.workers,
    seconds: f.seconds,
    depth: f.depth,
    distinct: f.distinct,
    generated: f.generated,
    violations,
    witnesses,
    checked: f.rec.checkedNames(),
    notSelected: f.rec.notSelectedNames(),
    actionCounts: Array.from(f.actionCounts),
    retainedBytes: f.retainedBytes,
    bytesPerState: f.distinct > 0 ? f.retainedBytes / f.distinct : 0,
    fingerprintLoad: f.load,
    collisionProbability: f.exactFingerprints ? 0 : Math.min(1, (f.distinct * f.distinct) / 2 ** 63),
    modelError: f.modelError,
  };
}
