/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP, handled alike for the whole command: the first one
 * stops the running search (the explorer checks the AbortSignal), the command writes what was
 * reached marked `interrupted` and exits 128 + the signal's number. A second signal exits at
 * once, after the cleanups registered here (staging folders, locks) have run.
 */
import type { ExitCode } from './outcome';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignalName = (typeof STOP_SIGNALS)[number];

export const SIGNAL_EXIT: Record<StopSignalName, ExitCode> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export class StopOnSignal {
  private readonly ac = new AbortController();
  private readonly cleanups = new Set<() => void>();
  private received_: StopSignalName | undefined;
  private readonly handler = (sig: NodeJS.Signals) => this.onSignal(sig as StopSignalName);

  /** Aborted at the first signal: what the explorer watches. */
  get signal(): AbortSignal { return this.ac.signal; }
  /** The first signal received, if any. */
  get received(): StopSignalName | undefined { return this.received_; }
  get exitCode(): ExitCode | undefined { return this.received_ && SIGNAL_EXIT[this.received_]; }

  install(): void { for (const s of STOP_SIGNALS) process.on(s, this.handler); }
  uninstall(): void { for (const s of STOP_SIGNALS) process.removeListener(s, this.handler); }

  /** Something to undo if the process exits at a second signal; returns its removal. */
  onHardExit(fn: () => void): () => void {
    this.cleanups.add(fn);
    return () => { this.cleanups.delete(fn); };
  }

  private onSignal(sig: StopSignalName): void {
    if (this.received_ === undefined) {
      this.received_ = sig;
      process.stderr.write(`\nprobecheck: ${sig}: stopping at the next check; partial results will be written (a second signal exits at once)\n`);
      this.ac.abort();
      return;
    }
    for (const fn of this.cleanups) { try { fn(); } catch { /* exiting anyway */ } }
    process.stderr.write(`\nprobecheck: ${sig} again: exiting at once; nothing more written\n`);
    process.exit(SIGNAL_EXIT[sig]);
  }
}
