/**
 * The result of a command: what to print and the exit status. Commands return an Outcome;
 * only main.ts prints it and exits.
 *
 *   0  pass
 *   1  violation, witness failure (verify-patch: the patched model violates something),
 *      or a replay that diverges
 *   2  bad input (any ProbeError but E_INTERNAL and E_OUTPUT; a model error)
 *   3  incomplete: a limit stopped the search before it explored its whole space
 *   4  internal error (a bug in probecheck; the report's path is printed)
 *   5  output error: the results could not be written (the verdict is still printed)
 *   129 / 130 / 143  stopped by SIGHUP / SIGINT (Ctrl-C) / SIGTERM: partial results written
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProbeError } from '../errors';
import type { Verdict } from '../explorer/types';

export type ExitCode = 0 | 1 | 2 | 3 | 4 | 5 | 129 | 130 | 143;

export interface Outcome {
  readonly exitCode: ExitCode;
  readonly stdout?: string;
  readonly stderr?: string;
}

export const EXIT_CODES: readonly { code: ExitCode; meaning: string }[] = [
  { code: 0, meaning: 'pass: the whole space explored, no violation, every witness reached' },
  { code: 1, meaning: 'violation or witness failure (verify-patch: the patched model is not clean; replay: diverges)' },
  { code: 2, meaning: 'bad input: unknown name, bad option, unreadable trace, existing results folder, model error' },
  { code: 3, meaning: 'incomplete: a limit (--max-states, --max-depth, --max-seconds, --max-memory) stopped the search before it explored its whole space' },
  { code: 4, meaning: 'internal error: a bug in probecheck (one line, and the path of the full report)' },
  { code: 5, meaning: 'output error: the results could not be written (read-only folder, full disk); the verdict is still printed' },
  { code: 129, meaning: 'SIGHUP: the search stopped, partial results written and marked interrupted' },
  { code: 130, meaning: 'SIGINT (Ctrl-C): the search stopped, partial results written and marked interrupted' },
  { code: 143, meaning: 'SIGTERM: the search stopped, partial results written and marked interrupted' },
];

/** Stop reasons that answer the question asked: the whole space, or (without --continue)
 *  the first level with a violation. Any other stop leaves part of the space unexplored. */
export function exploredAll(stopReason: string): boolean {
  return stopReason === 'complete' || stopReason === 'violation' || stopReason === 'model-error';
}

/** The one rule for every command: a run that did not explore its whole space exits 3, even
 *  when it found violations (they are still reported and written). */
export function runExitCode(v: Verdict, stopReason: string): ExitCode {
  return exploredAll(stopReason) ? exitCodeOf(v) : 3;
}

export function exitCodeOf(v: Verdict): ExitCode {
  switch (v) {
    case 'pass': return 0;
    case 'violation': case 'witness-failure': return 1;
    case 'model-error': return 2;
    case 'incomplete': return 3;
  }
}

const SEVERITY: Record<Verdict, number> = { 'model-error': 4, violation: 3, 'witness-failure': 2, incomplete: 1, pass: 0 };

/** The worst of several verdicts: model-error, violation, witness-failure, incomplete, pass. */
export function worstVerdict(vs: readonly Verdict[]): Verdict {
  return vs.reduce<Verdict>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'pass');
}

/** One line for a user error; one line and the path of a full report for an internal one. */
export function errorOutcome(e: unknown, argv: readonly string[]): Outcome {
  if (e instanceof ProbeError && e.code !== 'E_INTERNAL') {
    return { exitCode: e.code === 'E_OUTPUT' ? 5 : 2, stderr: `probecheck: ${e.code}: ${e.message.split('\n')[0]}\n` };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const file = path.join(os.tmpdir(), `probecheck-internal-${process.pid}-${Date.now()}.txt`);
  let where = file;
  try {
    fs.writeFileSync(file, [
      `probecheck internal error`, `date: ${new Date().toISOString()}`, `node: ${process.version}`,
      `argv: ${JSON.stringify(argv)}`, '', err.stack ?? err.message, '',
    ].join('\n'));
  } catch {
    where = '(the report could not be written)';
  }
  return { exitCode: 4, stderr: `probecheck: E_INTERNAL: internal error: ${err.message.split('\n')[0]} (full report: ${where})\n` };
}
