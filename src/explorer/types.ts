/**
 * What the explorer takes and returns. Results are plain data: action-id paths, not states;
 * traces are rebuilt by replay (src/trace).
 */
import type { PropertyKind } from '../ir/types';
import type { CheckpointHooks } from './checkpoint';
import type { ShardSpec, ShardSplit } from './shard';

export interface ExploreOptions {
  /** Worker threads (default 1: the search runs in the calling thread). */
  readonly workers?: number;
  /** With several workers: distinct states below which the search stays in the calling
   *  thread. Default: the measured policy of handover.ts (100,000 states and a level that
   *  takes 50 ms there; back to one thread when parallel levels become too cheap). Given
   *  explicitly, the hand-over happens at the first level boundary past it (0 starts the
   *  workers at once) and, without handBackBelow, the search never goes back. */
  readonly parallelThreshold?: number;
  /** With parallelThreshold: go back to the calling thread while a frontier has fewer than
   *  this many states, and to the workers again at a boundary where it has at least this many. */
  readonly handBackBelow?: number;
  /** Stop (verdict incomplete) before a level once this many distinct states are stored. */
  readonly maxStates?: number;
  /** Do not expand states at this depth (verdict incomplete if any had successors). */
  readonly maxDepth?: number;
  readonly maxSeconds?: number;
  /** Memory budget for the fingerprint table and parent links, in MiB (default: a quarter of
   *  the memory the process may use, src/explorer/memory-guard.ts); past it the search stops
   *  with stop reason max-memory (and a checkpoint, when checkpoint hooks are given). */
  readonly maxMemoryMB?: number;
  /** Explore the whole space, collecting the first violation of every property
   *  (otherwise stop at the end of the first level that violates something). */
  readonly continueAfterViolation?: boolean;
  /** Names of the properties to check (default all; deadlock and assertions included). */
  readonly properties?: readonly string[];
  readonly onProgress?: (p: Progress) => void;
  /** Progress callback interval in ms (default 1000). */
  readonly progressIntervalMs?: number;
  /** The canonical-form hook: JS source of `function canon(a, p)` (see CompileOptions in
   *  src/compile/compile.ts). Absent by default: no state-space reduction. */
  readonly canonical?: string;
  /** Set to stop the search (Ctrl-C): the verdict is incomplete, with what was reached. */
  readonly signal?: AbortSignal;
  /** Reductions, all off by default in the API. `por` (docs/adr/0004): explore a stubborn
   *  subset of each state's steps, then rebuild each counterexample by an unreduced search
   *  bounded by the depth found. `symmetry`: asked for, runs only where the model declares
   *  interchangeable slots (the report says so). `deadVars` (docs/adr/0006): store states
   *  with dead variables reset; exact, paths and counterexamples unchanged. */
  readonly reduce?: { readonly por?: boolean; readonly symmetry?: boolean; readonly deadVars?: boolean };
  /** Checkpoints of the unreduced search (checkpoint.ts): written at level boundaries every
   *  so often and where a signal or a limit stops the search; or the search resumed from one.
   *  A snapshot does not depend on the number of workers it was taken with. */
  readonly checkpoint?: CheckpointHooks;
  /** Explore one shard of the space (shard.ts, docs/adr/0005): the shared prefix, then only
   *  what is reachable from this shard's share of the split level. Not with `reduce` or
   *  `checkpoint`. */
  readonly shard?: ShardSpec;
}

/** What a reduction did, for the summary. */
export interface ReductionReport {
  /** What ran. Symmetry runs only where the model declares interchangeable slots. */
  readonly por: boolean;
  readonly symmetry: boolean;
  readonly symmetryRequested: boolean;
  /** The entity whose slots the symmetric search permutes, and the one moved with it (each
   *  device's own group). */
  readonly symmetryEntity?: string;
  readonly symmetryLinked?: string;
  /** Asked for, none declared, but these entities would pass the check: what to declare. */
  readonly symmetryAvailable?: readonly string[];
  /** Dead-variable reduction (docs/adr/0006): states stored with variables that no step
   *  reads before writing them reset; how many variables are reset somewhere. */
  readonly deadVars: boolean;
  readonly resetVariables: number;
  /** Steps that write what an invariant or witness reads (always expanded in full). */
  readonly visibleSteps: number;
  readonly steps: number;
  /** States expanded by a proper subset of their enabled steps, and how many of those the
   *  proviso against ignoring turned into full expansions. */
  readonly reducedExpansions: number;
  readonly provisoExpansions: number;
  /** Enabled steps the reduced search did not take (transitions saved). */
  readonly prunedTransitions: number;
  /** The unreduced search, bounded by the depth of the counterexamples found, that rebuilt
   *  them as shortest ones; absent when nothing was violated. `complete` is false when a
   *  limit stopped it: the traces are then the reduced search's (real, maybe not shortest). */
  readonly rebuild?: { readonly distinct: number; readonly generated: number; readonly depth: number; readonly seconds: number; readonly complete: boolean };
}

export interface Progress {
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly frontier: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
}

export interface Violation {
  readonly property: string;
  readonly kind: PropertyKind;
  /** Number of steps in the counterexample. */
  readonly length: number;
  /** Action ids from the initial state; for a transition property or an assertion the
   *  last action is the offending step. */
  readonly actions: readonly number[];
}

export interface WitnessResult {
  readonly name: string;
  readonly reached: boolean;
  /** Shortest path to a state satisfying the witness, when reached. */
  readonly actions?: readonly number[];
}

export type Verdict = 'pass' | 'violation' | 'incomplete' | 'witness-failure' | 'model-error';

export type StopReason = 'complete' | 'violation' | 'max-states' | 'max-depth' | 'max-seconds' | 'max-memory' | 'interrupted' | 'model-error';

export interface ExploreResult {
  readonly verdict: Verdict;
  readonly stopReason: StopReason;
  /** Worker threads that ran (1 when the space stayed below the parallel threshold). */
  readonly workers: number;
  readonly seconds: number;
  /** Largest depth of a stored state (the initial state is depth 0). */
  readonly depth: number;
  readonly distinct: number;
  /** Successors computed (transitions), not counting the initial state. */
  readonly generated: number;
  readonly violations: readonly Violation[];
  readonly witnesses: readonly WitnessResult[];
  /** Properties checked, and those not selected. */
  readonly checked: readonly string[];
  readonly notSelected: readonly string[];
  /** Times each action fired; zero marks a step that was never enabled. Under symmetry, the
   *  times any alike instance fired its copy of the step (from the representatives stored). */
  readonly actionCounts: readonly number[];
  /** Bytes of the fingerprint table and parent links, and per distinct state. */
  readonly retainedBytes: number;
  readonly bytesPerState: number;
  readonly fingerprintLoad: number;
  /** Estimated probability that a fingerprint collision hid a state (about n^2 / 2^63: 62 bits
   *  of hash; 0 for one-word states, whose fingerprint is exact). */
  readonly collisionProbability: number;
  /** A value outside its domain, or a read through none: the first such step in BFS order,
   *  with the trace that reaches it. The counts then say what was reached before stopping,
   *  which may depend on the number of workers; the error and its trace do not. */
  readonly modelError?: { readonly message: string; readonly actions: readonly number[] };
  /** Present when a reduction ran; then `distinct` and `generated` count the reduced search. */
  readonly reduction?: ReductionReport;
  /** A sharded search: where it split. `distinct` and `generated` then count the prefix and
   *  this shard's own states together. */
  readonly shard?: ShardSplit;
}
