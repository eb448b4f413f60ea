/**
 * probecheck's command line: one Command per file in ./commands. The one exit point: every
 * command returns an Outcome, and only `main` prints it and calls process.exit.
 */
import { Command, CommanderError } from 'commander';
import { checkCommand } from './commands/check';
import { driftCommand } from './commands/drift';
import { exportCommand } from './commands/export';
import { listCommand } from './commands/list';
import { matrixCommand } from './commands/matrix';
import { patchCommand } from './commands/patch';
import { replayCommand } from './commands/replay';
import { reportCommand } from './commands/report';
import { scenarioCommand } from './commands/scenario';
import { showCommand } from './commands/show';
import { traceCommand } from './commands/trace';
import { verifyPatchCommand } from './commands/verify-patch';
import type { CliContext, CommandFactory } from './context';
import { errorOutcome, type Outcome } from './outcome';
import { StopOnSignal } from './signals';

const COMMANDS: readonly CommandFactory[] = [checkCommand, verifyPatchCommand, matrixCommand, traceCommand, replayCommand, listCommand, exportCommand, showCommand, driftCommand, patchCommand, scenarioCommand, reportCommand];

export async function run(argv: readonly string[], ctx: CliContext): Promise<Outcome> {
  let outcome: Outcome | undefined;
  let out = '', err = '';
  const output = { writeOut: (s: string) => { out += s; }, writeErr: (s: string) => { err += s; } };
  const program = new Command('probecheck')
    .description('A model checker for the Linux IOMMU device-probe path')
    .version(require('../../../package.json').version as string)
    .exitOverride().configureOutput(output)
    // A command's options after it are its own (matrix merge has its own --out).
    .enablePositionalOptions()
    .addHelpText('after', '\nExample:\n  probecheck check --kernel v6.6 --scenario probe-vs-register\n');
  for (const make of COMMANDS) {
    const c = make(ctx, (o) => { outcome = o; });
    // Subcommands too (patch scaffold): errors and help come back here, never process.exit.
    for (const x of [c, ...c.commands]) x.exitOverride().configureOutput(output);
    program.addCommand(c);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return { exitCode: 0, stdout: out };
      if (e.code === 'commander.help' || e.code === 'commander.helpDisplayed') return { exitCode: 2, stderr: err || out };
      return { exitCode: 2, stderr: `probecheck: E_USAGE: ${usageLine(e.message)}\n` };
    }
    return errorOutcome(e, argv);
  }
  return outcome ?? { exitCode: 2, stderr: err || program.helpInformation() };
}

/** Commander's message as one line, its "(Did you mean ...?)" hint kept. */
export function usageLine(message: string): string {
  return message.replace(/^error: /, '').split('\n').map((l) => l.trim()).filter(Boolean)
    .map((l) => l.replace(/^\(Did you mean (.*)\?\)$/, 'did you mean $1?')).join('; ');
}

/** A live line must not wrap: cut it to the terminal's width (80 when unknown). */
export function fitWidth(line: string, columns: number | undefined): string {
  const w = Math.max(20, (columns ?? 80) - 1);
  return line.length <= w ? line : line.slice(0, w - 1) + '…';
}

function terminalContext(stop: StopOnSignal): CliContext {
  let live = false;
  return {
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stop,
    startedAt: performance.now(),
    progress(line, isLive) {
      if (isLive && process.stderr.isTTY) {
        process.stderr.write(`\r\x1b[K${fitWidth(line, process.stderr.columns)}`);
        live = true;
      } else {
        if (live) process.stderr.write('\n');
        live = false;
        process.stderr.write(line + '\n');
      }
    },
    endProgress() {
      if (live) process.stderr.write('\r\x1b[K');
      live = false;
    },
  };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const stop = new StopOnSignal();
  stop.install();
  const ctx = terminalContext(stop);
  let o: Outcome;
  try {
    o = await run(argv, ctx);
  } catch (e) {
    o = errorOutcome(e, argv);
  }
  ctx.endProgress();
  // A signal ends the command with its own status (partial results are written by then);
  // bad input, an internal error and an output error keep theirs.
  if (stop.exitCode !== undefined && o.exitCode !== 2 && o.exitCode !== 4 && o.exitCode !== 5) o = { ...o, exitCode: stop.exitCode };
  // Let both streams drain before exiting (a pipe may be slower than us).
  const write = (s: NodeJS.WriteStream, text?: string) => new Promise<void>((res) => (text ? s.write(text, () => res()) : res()));
  await write(process.stdout, o.stdout);
  await write(process.stderr, o.stderr);
  process.exit(o.exitCode);
}

if (require.main === module) void main();
