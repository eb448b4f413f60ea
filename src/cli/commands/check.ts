/** probecheck check: explore a model, report, and write the results folder. */
import * as path from 'node:path';
import { Command } from 'commander';
import type { CommandFactory } from '../context';
import { addLimitOptions, type ExploreLimits, limitsOf, type RawLimits } from '../limits';
import { addTargetOptions, type RawTarget, targetOptions } from '../options';
import { exitCodeOf, type Outcome, worstVerdict } from '../outcome';
import { clearRun, prepareOut, timestamp, writeArtifacts, writeJson } from '../results';
import { violationArtifacts } from '../artifacts';
import { exploreTarget, formatRun, summarize, type RunSummary } from '../run';
import { resolveTargets, type Target, type TargetOptions, validateTargetOptions } from '../target';

export interface CheckOptions {
  readonly target: TargetOptions;
  readonly limits: ExploreLimits;
  readonly out?: string;
  readonly force: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
}

interface RawCheck extends RawTarget, RawLimits { out?: string; force?: boolean; json?: boolean; quiet?: boolean }

export function checkOptions(raw: RawCheck): CheckOptions {
  const target = targetOptions(raw);
  validateTargetOptions(target);
  return Object.freeze({
    target, limits: limitsOf(raw),
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    force: Boolean(raw.force), json: Boolean(raw.json), quiet: Boolean(raw.quiet),
  });
}

/** The results folder: --out, or results/<time>-<kernel or model>-<scenario>; with several
 *  scenarios, one subfolder per scenario. */
function outDirs(o: CheckOptions, targets: readonly Target[]): { base: string; dirs: string[] } {
  const s = targets[0].source;
  const name = s.model ?? s.kernel;
  const base = o.out ?? path.join('results', `${timestamp()}-${name}${targets.length === 1 && s.scenario ? '-' + s.scenario : ''}`);
  if (targets.length === 1) return { base, dirs: [base] };
  return { base, dirs: targets.map((t) => path.join(base, t.source.scenario as string)) };
}

export async function runCheck(o: CheckOptions, ctx: Parameters<CommandFactory>[0]): Promise<Outcome> {
  const targets = resolveTargets(o.target);
  const { base, dirs } = outDirs(o, targets);
  const old = prepareOut(targets.length > 1 ? [base, ...dirs] : dirs, o.force);
  let notes = '';
  if (old.length) {
    clearRun(old);
    notes += `probecheck: --force: replaced ${old.length} file${old.length === 1 ? '' : 's'} of an earlier run in ${base}\n`;
  }
  const runs: RunSummary[] = [];
  let human = '';
  let interrupted = false;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i], dir = dirs[i];
    if (interrupted) break;
    const { result: r, interrupted: stop } = await exploreTarget(t, o.limits, ctx, o.quiet);
    interrupted = stop;
    const summary = summarize(t, r, dir);
    const arts = violationArtifacts(t, r, dir);
    writeArtifacts(dir, arts);
    writeJson(path.join(dir, 'summary.json'), summary);
    runs.push(summary);
    human += (human ? '\n' : '') + formatRun(t, r, summary, arts.map((a) => a.mail));
    if (r.modelError) notes += `probecheck: E_MODEL_RUNTIME: model error in ${t.label}: ${r.modelError.message}\n`;
  }
  const verdict = worstVerdict(runs.map((r) => r.verdict));
  const doc = targets.length === 1 ? runs[0] : { verdict, runs };
  if (targets.length > 1) writeJson(path.join(base, 'summary.json'), doc);
  if (interrupted) notes += `probecheck: interrupted; what was reached is in ${base}\n`;
  const exitCode = interrupted ? 3 : exitCodeOf(verdict);
  if (o.json) return { exitCode, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: (o.quiet ? '' : human) + notes };
  return { exitCode, stdout: o.quiet ? verdict + '\n' : human, stderr: notes };
}

export const checkCommand: CommandFactory = (ctx, done) => {
  const c = new Command('check').description('explore every interleaving of a scenario and report the shortest counterexample per invariant');
  addTargetOptions(c, { invariants: true, scenarioText: 'scenario (repeatable; default: every default scenario)' });
  addLimitOptions(c, ['workers', 'max-states', 'max-depth', 'max-seconds', 'max-memory', 'continue', 'reduce'])
    .option('--out <dir>', 'results folder (default: results/<time>-<kernel>-<scenario>)')
    .option('--force', 'replace the run already in --out (only probecheck\'s files)')
    .option('--json', 'print one JSON summary on stdout; the human report goes to stderr')
    .option('--quiet', 'no progress, no report: only the verdict')
    .addHelpText('after', `
Examples:
  probecheck check --kernel v6.6 --scenario probe-vs-register
  probecheck check --model counters --set n=3 --set m=3 --json
Exit status: 0 pass, 1 violation or witness failure, 2 bad input, 3 incomplete.`)
    .action(async (raw: RawCheck) => {
      // --reduce and --no-reduce share one value; unset means the default, both reductions.
      const reduce = c.getOptionValueSource('reduce') === undefined ? { por: true, symmetry: true } : raw.reduce;
      done(await runCheck(checkOptions({ ...raw, reduce }), ctx));
    });
  return c;
};
