/** What main.ts gives each command: the only way a command reaches the terminal while it
 *  runs (progress lines on stderr). Everything else is returned in the Outcome. */
import type { Command } from 'commander';
import type { Outcome } from './outcome';

export interface CliContext {
  /** stderr is a terminal: progress may redraw one live line. */
  readonly stderrIsTTY: boolean;
  /** Write progress to stderr: `live` redraws the current line on a terminal. */
  progress(line: string, live: boolean): void;
  /** End a live progress line. */
  endProgress(): void;
}

export type CommandFactory = (ctx: CliContext, done: (o: Outcome) => void) => Command;
