/** probecheck check: explore a model, report, and write the results folder. */
import * as path from 'node:path';
import { Command } from 'commander';
import type { CommandFactory } from '../context';
import { addLimitOptions, type ExploreLimits, limitsOf, type RawLimits, workersWarning } from '../limits';
import { addTargetOptions, PROGRESS_TEXT, QUIET_TEXT, type RawTarget, targetOptions } from '../options';
import { type ExitCode, exitCodeOf, type Outcome, worstVerdict } from '../outcome';
import { outputError } from '../output-error';
import { checkOutOption, namePart, ResultsFolder, timestamp, uniqueSuffix } from '../results';
import { violationArtifacts } from '../artifacts';
import { exploreTarget, formatRun, searchView, summarize, type RunSummary } from '../run';
import { resolveTargets, type Target, type TargetOptions, validateTargetOptions } from '../target';

export interface CheckOptions {
  readonly target: TargetOptions;
  readonly limits: ExploreLimits;
  readonly out?: string;
  readonly force: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly progress: boolean;
}

interface RawCheck extends RawTarget, RawLimits { out?: string; force?: boolean; json?: boolean; quiet?: boolean; progress?: boolean }

export function checkOptions(raw: RawCheck): CheckOptions {
  const target = targetOptions(raw);
  validateTargetOptions(target);
  checkOutOption(raw.out);
  return Object.freeze({
    target, limits: limitsOf(raw),
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    force: Boolean(raw.force), json: Boolean(raw.json), quiet: Boolean(raw.quiet), progress: Boolean(raw.progress),
  });
}

/** The default results folder: results/<time>-<kernel or model>[-<scenario>][-<patches>]-<suffix>,
 *  unique even for two runs started in the same second. */
export function defaultOutName(targets: readonly Target[]): string {
  const s = targets[0].source;
  const parts = [timestamp(), s.model ?? s.kernel ?? 'kernel'];
  if (targets.length === 1 && s.scenario) parts.push(s.scenario);
  if (s.iommuDriver) parts.push(s.iommuDriver);
  for (const p of s.patches ?? []) parts.push(namePart(p));
  parts.push(uniqueSuffix());
  return path.join('results', parts.map(namePart).join('-'));
}

/** The results folder; with several scenarios, one subfolder (relative path) per scenario. */
function outDirs(o: CheckOptions, targets: readonly Target[]): { base: string; subs: string[] } {
  const base = o.out ?? defaultOutName(targets);
  if (targets.length === 1) return { base, subs: [''] };
  return { base, subs: targets.map((t) => t.source.scenario as string) };
}

export async function runCheck(o: CheckOptions, ctx: Parameters<CommandFactory>[0]): Promise<Outcome> {
  const targets = resolveTargets(o.target);
  const { base, subs } = outDirs(o, targets);
  // Refused, locked and proven writable before the search starts.
  const folder = ResultsFolder.open(base, o.force, ctx.stop);
  const view = searchView(ctx, o);
  const runs: RunSummary[] = [];
  const reports: (() => string)[] = [];
  let notes = '';
  let outputFailure: string | undefined;
  const write = (fn: () => void) => {
    if (outputFailure) return;
    try { fn(); } catch (e) { outputFailure = outputError(e, base).message; }
  };
  try {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i], sub = subs[i];
      if (ctx.stop.received) break;
      const dir = path.join(base, sub);
      const { result: r } = await exploreTarget(t, o.limits, ctx, view);
      const summary = summarize(t, r, dir, ctx.stop.received);
      const arts = violationArtifacts(t, r, dir);
      write(() => {
        folder.writeArtifacts(sub, arts);
        folder.writeJson(path.join(sub, 'summary.json'), summary);
      });
      runs.push(summary);
      // Formatted at the end: a report must not point at a folder that was not written.
      reports.push(() => formatRun(t, r, outputFailure ? { ...summary, out: null } : summary, arts.map((a) => a.mail)));
      if (r.modelError) notes += `probecheck: E_MODEL_RUNTIME: model error in ${t.label}: ${r.modelError.message}\n`;
    }
    const verdict = worstVerdict(runs.map((r) => r.verdict));
    const complete = runs.length === targets.length && runs.every((r) => r.complete);
    const doc = targets.length === 1 ? runs[0] : { verdict, complete, ...(ctx.stop.received ? { interrupted: ctx.stop.received } : {}), runs };
    if (targets.length > 1) write(() => folder.writeJson('summary.json', doc));
    let replaced = 0;
    write(() => { replaced = folder.commit(); });
    if (replaced) notes = `probecheck: --force: replaced ${replaced} file${replaced === 1 ? '' : 's'} of an earlier run in ${base}\n` + notes;
    if (ctx.stop.received && !outputFailure) notes += `probecheck: interrupted by ${ctx.stop.received}; what was reached is in ${base} (marked interrupted)\n`;
    if (outputFailure) notes += `probecheck: E_OUTPUT: ${outputFailure}; ${folder.hadRun ? `the earlier run in ${base} is intact` : 'nothing was written'}\n`;
    const human = reports.map((f) => f()).join('\n');
    const exitCode: ExitCode = outputFailure ? 5 : ctx.stop.exitCode ?? (complete ? exitCodeOf(verdict) : 3);
    const stdoutDoc = outputFailure ? withoutOut(doc) : doc;
    if (o.json) return { exitCode, stdout: JSON.stringify(stdoutDoc, null, 2) + '\n', stderr: (o.quiet ? '' : human) + notes };
    return { exitCode, stdout: o.quiet ? verdict + '\n' : human, stderr: notes };
  } finally {
    folder.abandon();
  }
}

/** The summary printed when the results could not be written: no folder to point at. */
function withoutOut(doc: unknown): unknown {
  const d = doc as { out?: unknown; runs?: unknown[] };
  if (Array.isArray(d.runs)) return { ...d, runs: d.runs.map(withoutOut) };
  return 'out' in d ? { ...d, out: null } : d;
}

export const checkCommand: CommandFactory = (ctx, done) => {
  const c = new Command('check').description('explore every interleaving of a scenario and report the shortest counterexample per invariant');
  addTargetOptions(c, { invariants: true, scenarioText: 'scenario (repeatable; default: every default scenario)' });
  addLimitOptions(c, ['workers', 'max-states', 'max-depth', 'max-seconds', 'max-memory', 'continue'])
    .option('--out <dir>', 'results folder (default: results/<time>-<kernel>-<scenario>[-<patches>]-<suffix>)')
    .option('--force', 'replace the run already in --out (only probecheck\'s files; the earlier run stays until the new one is complete)')
    .option('--json', 'print one JSON summary on stdout; the human report goes to stderr')
    .option('--quiet', QUIET_TEXT)
    .option('--progress', PROGRESS_TEXT)
    .addHelpText('after', `
Examples:
  probecheck check --kernel v6.6 --scenario probe-vs-register
  probecheck check --model counters --set n=3 --set m=3 --json
Exit status: 0 pass, 1 violation or witness failure, 2 bad input, 3 incomplete, 5 results not
written; 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP (partial results written).`)
    .action(async (raw: RawCheck) => {
      const o = checkOptions(raw);
      const w = workersWarning(raw);
      if (w) ctx.progress(w, false);
      done(await runCheck(o, ctx));
    });
  return c;
};
