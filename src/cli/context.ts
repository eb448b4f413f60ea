/** What main.ts gives each command: the only way a command reaches the terminal while it
 *  runs (progress lines on stderr), the signals that stop it, and when it started. Everything
 *  else is returned in the Outcome. */
import type { Command } from 'commander';
import type { Outcome } from './outcome';
import type { StopOnSignal } from './signals';

export interface CliContext {
  /** stderr is a terminal: progress may redraw one live line, and is shown by default. */
  readonly stderrIsTTY: boolean;
  /** Write progress to stderr: `live` redraws the current line on a terminal. */
  progress(line: string, live: boolean): void;
  /** End a live progress line. */
  endProgress(): void;
  /** SIGINT/SIGTERM/SIGHUP: the first stops the search, a second exits at once. */
  readonly stop: StopOnSignal;
  /** When the command started (performance.now() ms): --max-seconds counts from here. */
  readonly startedAt: number;
}

export type CommandFactory = (ctx: CliContext, done: (o: Outcome) => void) => Command;
