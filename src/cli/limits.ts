/**
 * The limits of a search (workers, the state, depth, time and memory budgets, --continue, the
 * invariants to check), in the explorer's own option names. Commander parses and checks each
 * value; `limitsOf` builds the limits once, and they reach `explore` unchanged.
 */
import * as os from 'node:os';
import { Command, Option } from 'commander';
import type { ExploreOptions } from '../explorer/types';
import { fail } from '../errors';
import { positiveInt, positiveNumber } from './options';

export type ExploreLimits = Readonly<Pick<ExploreOptions, 'maxStates' | 'maxDepth' | 'maxSeconds' | 'maxMemoryMB' | 'continueAfterViolation' | 'properties' | 'reduce' | 'shard'>> & {
  readonly workers: number;
};

export const defaultWorkers = (): number => Math.max(1, os.availableParallelism());

/** More worker threads than cores only costs memory and start-up time (--workers 1000 once
 *  started 1000 threads and stalled the machine): a larger value is capped, with a warning. */
export function workersWarning(raw: { workers?: number }): string | undefined {
  const cores = defaultWorkers();
  if (raw.workers === undefined || raw.workers <= cores) return undefined;
  return `probecheck: warning: --workers ${raw.workers} is more than the ${cores} available core${cores === 1 ? '' : 's'}; using ${cores}`;
}

export type LimitFlag = 'workers' | 'max-states' | 'max-depth' | 'max-seconds' | 'max-memory' | 'continue' | 'reduce';

const TEXT: Record<LimitFlag, string> = {
  workers: 'worker threads (default and most: the available cores; a larger value is capped, with a warning)',
  'max-states': 'stop (incomplete) once this many distinct states are stored',
  'max-depth': 'do not expand states at this depth',
  'max-seconds': 'stop (incomplete) after this many seconds',
  'max-memory': 'stop (incomplete) once the fingerprint tables and parent links pass this many MiB',
  continue: 'explore the whole space and collect every violated invariant',
  reduce: 'state-space reductions, comma-separated: dead-vars (exact: variables no step reads before writing them are stored reset), symmetry (where the model declares interchangeable slots), por (partial-order) (default: dead-vars,symmetry; docs/adr/0004, 0006)',
};

export const REDUCTIONS = ['por', 'symmetry', 'dead-vars'] as const;
export interface Reductions { por: boolean; symmetry: boolean; deadVars: boolean }
/** Without --reduce: the exact reductions (dead variables; symmetry where a model declares
 *  it). Partial-order reduction costs more time than it saves on the kernel models (ADR 4). */
export const DEFAULT_REDUCTIONS: Readonly<Reductions> = Object.freeze({ por: false, symmetry: true, deadVars: true });
const NO_REDUCTIONS: Readonly<Reductions> = Object.freeze({ por: false, symmetry: false, deadVars: false });

/** --reduce por,symmetry,dead-vars: each name known. */
export function reductionList(raw: string): Reductions {
  const names = raw.split(',').map((x) => x.trim());
  for (const n of names) {
    if (!(REDUCTIONS as readonly string[]).includes(n)) fail('E_BAD_VALUE', `--reduce takes a comma-separated list of ${REDUCTIONS.join(', ')}, got '${n}'`);
  }
  return { por: names.includes('por'), symmetry: names.includes('symmetry'), deadVars: names.includes('dead-vars') };
}

function limitOption(flag: LimitFlag, text: string): Option {
  switch (flag) {
    case 'workers': return new Option('--workers <n>', text).argParser(positiveInt('--workers'));
    case 'max-states': return new Option('--max-states <n>', text).argParser(positiveInt('--max-states'));
    case 'max-depth': return new Option('--max-depth <n>', text).argParser(positiveInt('--max-depth'));
    case 'max-seconds': return new Option('--max-seconds <s>', text).argParser(positiveNumber('--max-seconds'));
    case 'max-memory': return new Option('--max-memory <mib>', text).argParser(positiveNumber('--max-memory'));
    case 'continue': return new Option('--continue', text);
    case 'reduce': return new Option('--reduce <kinds>', text).argParser(reductionList);
  }
}

/** Add the limit options a command offers, in the order given (`text` rewords one). */
export function addLimitOptions(c: Command, flags: readonly LimitFlag[], text: Partial<Record<LimitFlag, string>> = {}): Command {
  for (const f of flags) {
    c.addOption(limitOption(f, text[f] ?? TEXT[f]));
    if (f === 'reduce') c.addOption(new Option('--no-reduce', 'explore every interleaving (no reduction)'));
  }
  return c;
}

/** What commander hands over for the limit options (and --invariant). */
export interface RawLimits { workers?: number; maxStates?: number; maxDepth?: number; maxSeconds?: number; maxMemory?: number; continue?: boolean; invariant?: readonly string[]; reduce?: boolean | Reductions }

/** The limits of a run. `fixed` sets what a command does not leave to the user (verify-patch
 *  and matrix always explore the whole space). Unset limits are left out, not undefined. */
export function limitsOf(raw: RawLimits, fixed: Partial<ExploreLimits> = {}): ExploreLimits {
  const all: ExploreLimits = {
    workers: Math.min(raw.workers ?? defaultWorkers(), defaultWorkers()),
    maxStates: raw.maxStates, maxDepth: raw.maxDepth, maxSeconds: raw.maxSeconds, maxMemoryMB: raw.maxMemory,
    continueAfterViolation: Boolean(raw.continue),
    // No --invariant: every property of the model (an empty list would select none).
    properties: raw.invariant?.length ? Object.freeze([...raw.invariant]) : undefined,
    // Unset (commander gives true for an unset --reduce/--no-reduce pair): the default set.
    reduce: raw.reduce === false ? NO_REDUCTIONS : raw.reduce === undefined || raw.reduce === true ? DEFAULT_REDUCTIONS : Object.freeze({ ...raw.reduce }),
    ...fixed,
  };
  // A reduced graph reaches some states only by longer paths: a depth bound would cut off
  // violations that lie within it (docs/adr/0004). Dead variables and symmetry keep depths.
  if (all.reduce?.por && all.maxDepth !== undefined) fail('E_USAGE', '--max-depth cannot bound a search with partial-order reduction (it may reach a violation within the bound only by a longer path); use --reduce dead-vars,symmetry with --max-depth, or drop --max-depth');
  return Object.freeze(Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as ExploreLimits);
}
