/** probecheck check: explore a model, report, and write the results folder. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { analyseTree } from '../../drift/analyse';
import { driftWarnings } from '../../drift/report';
import { fail } from '../../errors';
import type { CommandFactory } from '../context';
import { addLimitOptions, type ExploreLimits, limitsOf, type RawLimits, workersWarning } from '../limits';
import { addTargetOptions, PROGRESS_TEXT, QUIET_TEXT, type RawTarget, targetOptions } from '../options';
import { type ExitCode, exitCodeOf, type Outcome, worstVerdict } from '../outcome';
import { outputError } from '../output-error';
import { checkpointing, finishCheckpoint, openResume, parseDuration, type Resumed } from '../checkpointing';
import { checkOutOption, namePart, ResultsFolder, timestamp, uniqueSuffix } from '../results';
import { violationArtifacts } from '../artifacts';
import { exploreTarget, formatRun, searchView, summarize, type RunSummary } from '../run';
import { resolveTargets, type Target, type TargetOptions, validateTargetOptions } from '../target';
import { addReportOptions, finishReports, type ReportOptions } from '../../report/cli';
import { REPORT_FILE, writeReport } from '../../report/write';
import { targetCases, type JunitCase } from '../../report/junit';
import { parseShard } from '../../matrix/shard';
import type { ShardSpec } from '../../explorer/shard';
import { SHARD_GUARANTEE, shardLines, shardSummary } from '../shard-result';
import { checkMergeCommand } from './check-merge';

export interface CheckOptions {
  readonly target: TargetOptions;
  readonly limits: ExploreLimits;
  readonly out?: string;
  readonly force: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly progress: boolean;
  /** Pick the kernel nearest this source tree (unless --kernel) and warn of drifted steps. */
  readonly kernelTree?: string;
  readonly reports: ReportOptions;
  /** --checkpoint-every, in seconds. */
  readonly checkpointEvery?: number;
  /** --resume: the results folder whose checkpoint the run goes on from. */
  readonly resume?: string;
  /** --reduce or --no-reduce given (else a resumed run keeps its checkpoint's). */
  readonly reduceGiven: boolean;
}

interface RawCheck extends RawTarget, RawLimits { out?: string; force?: boolean; json?: boolean; quiet?: boolean; progress?: boolean; kernelTree?: string; junit?: string; report?: boolean; checkpointEvery?: number; resume?: string; shard?: string; shardLevel?: number }

export function checkOptions(raw: RawCheck): CheckOptions {
  const target = targetOptions(raw);
  validateTargetOptions(target);
  checkOutOption(raw.out);
  if (raw.kernelTree !== undefined && (target.model !== undefined || target.modelFile !== undefined)) fail('E_USAGE', '--kernel-tree picks a kernel baseline; --model takes a classic model');
  const ck = raw.checkpointEvery !== undefined ? '--checkpoint-every' : raw.resume !== undefined ? '--resume' : undefined;
  if (ck && typeof raw.reduce === 'object' && raw.reduce.por) fail('E_USAGE', `${ck} saves a search without partial-order reduction; use --reduce dead-vars,symmetry or --no-reduce`);
  if (raw.resume !== undefined) {
    checkOutOption(raw.resume, '--resume');
    if (raw.out !== undefined && path.resolve(raw.out) !== path.resolve(raw.resume)) fail('E_USAGE', '--resume writes into the folder it resumes; drop --out');
    if (raw.kernelTree !== undefined) fail('E_USAGE', '--resume takes the kernel from the checkpoint (or --kernel); drop --kernel-tree');
  }
  const shard = shardOption(raw);
  return Object.freeze({
    target, limits: shard ? { ...limitsOf(raw), shard } : limitsOf(raw),
    ...(raw.out !== undefined ? { out: raw.out } : {}),
    ...(raw.kernelTree !== undefined ? { kernelTree: raw.kernelTree } : {}),
    force: Boolean(raw.force), json: Boolean(raw.json), quiet: Boolean(raw.quiet), progress: Boolean(raw.progress),
    reports: { html: raw.report !== false, ...(raw.junit !== undefined ? { junit: raw.junit } : {}) },
    ...(raw.checkpointEvery !== undefined ? { checkpointEvery: raw.checkpointEvery } : {}),
    ...(raw.resume !== undefined ? { resume: raw.resume } : {}),
    reduceGiven: typeof raw.reduce === 'object' || raw.reduce === false,
  });
}

/** --shard I/N [--shard-level L]: one shard of the search (docs/adr/0005), refused where it
 *  makes no sense: it splits one unreduced search from its start. */
function shardOption(raw: RawCheck): ShardSpec | undefined {
  if (raw.shard === undefined) {
    if (raw.shardLevel !== undefined) fail('E_USAGE', '--shard-level says where --shard splits the search; give --shard I/N');
    return undefined;
  }
  const { index, count } = parseShard(raw.shard);
  if (typeof raw.reduce === 'object' && (raw.reduce.por || raw.reduce.symmetry)) fail('E_USAGE', '--shard splits a search without partial-order or symmetry reduction; use --reduce dead-vars or --no-reduce');
  if (raw.checkpointEvery !== undefined || raw.resume !== undefined) fail('E_USAGE', `--shard cannot be combined with ${raw.resume !== undefined ? '--resume' : '--checkpoint-every'}: a shard is not checkpointed`);
  return Object.freeze({ index, count, ...(raw.shardLevel !== undefined ? { level: raw.shardLevel } : {}) });
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

/** --kernel-tree: the kernel to check (--kernel, or the nearest), with the drift printed
 *  on stderr before the run, so a stale step is known before its counterexample is read. */
async function kernelFromTree(o: CheckOptions, ctx: Parameters<CommandFactory>[0]): Promise<TargetOptions> {
  const a = await analyseTree(o.kernelTree!, o.target.kernel);
  for (const line of driftWarnings(a)) if (!o.quiet || line.startsWith('probecheck: warning')) ctx.progress(line, false);
  return Object.freeze({ ...o.target, kernel: a.chosen.kernel });
}

export async function runCheck(o: CheckOptions, ctx: Parameters<CommandFactory>[0]): Promise<Outcome> {
  // --resume: the checkpoint is read (and refused if corrupt) before anything else.
  const resumed = o.resume !== undefined ? openResume(o.resume, o.target) : undefined;
  const targetOpts = resumed ? resumed.target : o.kernelTree !== undefined ? await kernelFromTree(o, ctx) : o.target;
  const targets = resolveTargets(targetOpts);
  if (o.limits.shard && targets.length !== 1) fail('E_USAGE', `--shard splits one search: give one --scenario (this run has ${targets.length})`);
  const asked = o.checkpointEvery ?? resumed?.file.everySeconds;
  if (asked !== undefined && targets.length !== 1) fail('E_USAGE', `checkpoints are of one search: give one --scenario (this run has ${targets.length})`);
  // Without --checkpoint-every, one search without partial-order reduction still writes a
  // checkpoint where the memory budget stops it (--max-memory or the machine's guard):
  // resumable, never killed. A shard is not checkpointed.
  const memoryOnly = asked === undefined && targets.length === 1 && !o.limits.reduce?.por && !o.limits.shard;
  const every = asked ?? (memoryOnly ? Infinity : undefined);
  const limits: ExploreLimits = every === undefined ? o.limits : checkpointLimits(o.limits, targetOpts, resumed, o.reduceGiven);
  const { base, subs } = outDirs(o.resume !== undefined ? { ...o, out: o.resume } : o, targets);
  // The checkpoint is checked against the model before the folder is touched.
  const ckpt = every !== undefined ? checkpointing(base, targets[0], targetOpts, limits, every, resumed, memoryOnly) : undefined;
  // Refused, locked and proven writable before the search starts (a resumed run replaces
  // the partial results of the run it goes on from).
  const folder = ResultsFolder.open(base, o.force || resumed !== undefined, ctx.stop);
  if (ckpt && !memoryOnly) {
    try { fs.mkdirSync(base, { recursive: true }); } catch (e) { folder.abandon(); throw outputError(e, base); }
  }
  const view = searchView(ctx, o);
  const runs: RunSummary[] = [];
  const reports: (() => string)[] = [];
  const cases: JunitCase[] = [];
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
      const { result: r } = await exploreTarget(t, limits, ctx, view, ckpt?.hooks);
      if (ckpt) notes += finishCheckpoint(ckpt, base, RESUMABLE.has(r.stopReason));
      const summary = summarize(t, r, dir, ctx.stop.received);
      if (r.shard) summary.shard = shardSummary(t, r, limits);
      const arts = violationArtifacts(t, r, dir);
      write(() => {
        folder.writeArtifacts(sub, arts);
        folder.writeJson(path.join(sub, 'summary.json'), summary);
      });
      runs.push(summary);
      cases.push(...targetCases(t, r, arts));
      // Formatted at the end: a report must not point at a folder that was not written.
      const wording = summary.shard ? { afterStates: shardLines(summary.shard), guarantee: SHARD_GUARANTEE } : {};
      reports.push(() => formatRun(t, r, outputFailure ? { ...summary, out: null } : summary, arts.map((a) => a.mail), wording));
      if (r.modelError) notes += `probecheck: E_MODEL_RUNTIME: model error in ${t.label}: ${r.modelError.message}\n`;
    }
    const verdict = worstVerdict(runs.map((r) => r.verdict));
    const complete = runs.length === targets.length && runs.every((r) => r.complete);
    const doc = targets.length === 1 ? runs[0] : { verdict, complete, ...(ctx.stop.received ? { interrupted: ctx.stop.received } : {}), runs };
    if (targets.length > 1) write(() => folder.writeJson('summary.json', doc));
    // report.html is rendered from the staged run, so it lands with the run or not at all.
    let reportLine = '';
    if (o.reports.html && !outputFailure) {
      try {
        writeReport(folder.stagedPath(''));
        reportLine = `report: ${path.join(base, REPORT_FILE)}\n`;
      } catch (e) {
        notes += `probecheck: report.html not written: ${(e as Error).message.split('\n')[0]}\n`;
      }
    }
    let replaced = 0;
    write(() => { replaced = folder.commit(); });
    if (outputFailure) reportLine = '';
    if (resumed) notes = `probecheck: resumed from the checkpoint of ${base} written ${resumed.file.written}\n` + notes;
    else if (replaced) notes = `probecheck: --force: replaced ${replaced} file${replaced === 1 ? '' : 's'} of an earlier run in ${base}\n` + notes;
    if (ctx.stop.received && !outputFailure) notes += `probecheck: interrupted by ${ctx.stop.received}; what was reached is in ${base} (marked interrupted)\n`;
    if (outputFailure) notes += `probecheck: E_OUTPUT: ${outputFailure}; ${folder.hadRun ? `the earlier run in ${base} is intact` : 'nothing was written'}\n`;
    let human = reports.map((f) => f()).join('\n') + reportLine;
    const rep = finishReports({ ...o.reports, html: false }, null, 'probecheck check', cases);
    human += rep.human;
    notes += rep.notes;
    const exitCode: ExitCode = outputFailure ? 5 : ctx.stop.exitCode ?? (complete ? exitCodeOf(verdict) : 3);
    const stdoutDoc = outputFailure ? withoutOut(doc) : doc;
    if (o.json) return { exitCode, stdout: JSON.stringify(stdoutDoc, null, 2) + '\n', stderr: (o.quiet ? '' : human) + notes };
    return { exitCode, stdout: o.quiet ? verdict + '\n' : human, stderr: notes };
  } finally {
    folder.abandon();
  }
}

const RESUMABLE = new Set(['interrupted', 'max-states', 'max-depth', 'max-seconds', 'max-memory']);

/** A resumed search checks what its checkpoint checked (--invariant, --continue, --reduce)
 *  unless the command line says otherwise. */
function checkpointLimits(l: ExploreLimits, t: TargetOptions, resumed: Resumed | undefined, reduceGiven: boolean): ExploreLimits {
  const properties = t.invariants.length ? Object.freeze([...t.invariants]) : undefined;
  const cont = Boolean(l.continueAfterViolation) || Boolean(resumed?.file.id.continueAfterViolation);
  const { properties: _p, ...rest } = l;
  const kept = resumed && !reduceGiven ? resumed.file.id.reduce.split(',') : undefined;
  const reduce = kept ? Object.freeze({ deadVars: kept.includes('dead-vars'), symmetry: kept.includes('symmetry'), por: kept.includes('por') }) : l.reduce;
  return Object.freeze({ ...rest, continueAfterViolation: cont, reduce, ...(properties ? { properties } : {}) });
}

/** The summary printed when the results could not be written: no folder to point at. */
function withoutOut(doc: unknown): unknown {
  const d = doc as { out?: unknown; runs?: unknown[] };
  if (Array.isArray(d.runs)) return { ...d, runs: d.runs.map(withoutOut) };
  return 'out' in d ? { ...d, out: null } : d;
}

function nonNegativeInt(flag: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) fail('E_BAD_VALUE', `${flag} takes a depth (0, 1, 2, ...), got '${raw}'`);
    return Number(raw);
  };
}

export const checkCommand: CommandFactory = (ctx, done) => {
  const c = new Command('check').description('explore every interleaving of a scenario and report the shortest counterexample per invariant');
  addTargetOptions(c, { invariants: true, scenarioText: 'scenario (repeatable; default: every default scenario)' });
  addLimitOptions(c, ['workers', 'max-states', 'max-depth', 'max-seconds', 'max-memory', 'continue', 'reduce']);
  addReportOptions(c, 'the results folder')
    .option('--out <dir>', 'results folder (default: results/<time>-<kernel>-<scenario>[-<patches>]-<suffix>)')
    .option('--force', 'replace the run already in --out (only probecheck\'s files; the earlier run stays until the new one is complete)')
    .option('--json', 'print one JSON summary on stdout; the human report goes to stderr')
    .option('--quiet', QUIET_TEXT)
    .option('--progress', PROGRESS_TEXT)
    .option('--checkpoint-every <duration>', 'write the search state to <out>/checkpoint.msgpack at the first level boundary after each DURATION (30s, 10m, 1h), and where a signal or a limit stops the search', parseDuration('--checkpoint-every'))
    .option('--resume <dir>', 'go on from the checkpoint in a results folder (the model, --invariant and --continue come from it unless given; refused if they differ)')
    .option('--shard <I/N>', 'explore only shard I of N of the space (one scenario): the first levels alike in every shard, then the states reachable from this shard\'s share of the split level; join the results with check merge')
    .option('--shard-level <depth>', 'split the search for --shard at this depth (default: the first level of at least max(64*N, 1000) states)', nonNegativeInt('--shard-level'))
    .option('--kernel-tree <path>', 'a kernel source tree: check the modelled kernel nearest it (unless --kernel) and warn first of the steps whose kernel function differs there (probecheck drift)')
    .addHelpText('after', `
Examples:
  probecheck check --kernel v6.6 --scenario probe-vs-register
  probecheck check --kernel-tree ~/src/linux --scenario probe-vs-register
  probecheck check --model counters --set n=3 --set m=3 --json
  probecheck check --kernel v6.18.y --scenario register-probe-unbind --checkpoint-every 10m --out nightly
  probecheck check --resume nightly
  probecheck check --scenario register-probe-unbind --shard 1/4 --out shard1
  probecheck check merge shard1 shard2 shard3 shard4 --out merged
Exit status: 0 pass, 1 violation or witness failure, 2 bad input, 3 incomplete, 5 results not
written; 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP (partial results written).`)
    .action(async (raw: RawCheck) => {
      const o = checkOptions(raw);
      const w = workersWarning(raw);
      if (w) ctx.progress(w, false);
      done(await runCheck(o, ctx));
    });
  // Options after `merge` are merge's (its --out is not check's).
  c.enablePositionalOptions().addCommand(checkMergeCommand(ctx, done));
  return c;
};
