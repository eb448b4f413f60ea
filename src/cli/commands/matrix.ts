/**
 * probecheck matrix: the nightly job. Every kernel x scenario (with the given patches applied
 * to each) is explored over its whole space; the results are one JSON document, and what
 * changed since a previous document is called out: a verdict that flipped, an invariant newly
 * violated or no longer violated, a shortest counterexample that changed length, a state
 * count that changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readScenarioFile } from '../../scenario-file/parse';
import { Command } from 'commander';
import { fail, ProbeError, unknownName } from '../../errors';
import { driverMisfit, kernelMisfit, KERNELS, SCENARIOS } from '../../model';
import { writeFileAtomic } from '../atomic-file';
import type { CommandFactory } from '../context';
import { lockOut } from '../out-lock';
import { type ExitCode, exploredAll, type Outcome } from '../outcome';
import { outputError } from '../output-error';
import { loadPatch } from '../patch-loader';
import { checkOutOption } from '../results';
import { exploreTarget, searchView } from '../run';
import { resolveTargets, type Target } from '../target';
import { collect, PROGRESS_TEXT, QUIET_TEXT, targetOptions } from '../options';
import { addLimitOptions, limitsOf, type RawLimits, workersWarning } from '../limits';
import { cellKey, validateMatrixDoc } from '../../matrix/doc';
import { finishReports } from '../../report/cli';
import { CellCache, defaultCacheDir, type RunCounts } from '../../matrix/cache';
import { cachedRow, MatrixCells } from '../../matrix/cells';
import type { ShardInfo } from '../../matrix/merge';
import { parseShard, shardOf, type Shard } from '../../matrix/shard';
import { matrixMergeCommand } from './matrix-merge';

export interface MatrixRow extends RunCounts {
  readonly kernel: string;
  readonly scenario: string;
  readonly patches: readonly string[];
  /** --iommu-driver, when the scenario's IOMMUs were served by another driver. */
  readonly iommuDriver?: string;
  /** 'patch-error' when the patches cannot be applied to this cell (see `error`). */
  readonly verdict: string;
  /** False when a limit or a signal stopped this run before it explored its whole space. */
  readonly complete?: boolean;
  /** The signal that stopped this run. */
  readonly interrupted?: string;
  /** Why the patches could not be applied to this cell (one line, E_PATCH). */
  readonly error?: string;
  /** The invariants checked (absent in documents of earlier versions). */
  readonly checked?: readonly string[];
  /** Taken from the cell cache, not explored this time. */
  readonly cached?: true;
}

export interface MatrixDoc {
  readonly probecheckMatrix: 1;
  readonly generated: string;
  /** False when a run was stopped early or the matrix was interrupted before its last run. */
  readonly complete?: boolean;
  readonly interrupted?: string;
  readonly runs: readonly MatrixRow[];
  readonly changes?: readonly Change[];
  /** A shard's document (--shard I/N): which shard, and every cell of the whole matrix. */
  readonly shard?: ShardInfo;
}

export interface Change {
  /** `kernel/scenario[+patches]` */
  readonly run: string;
  readonly what: 'verdict' | 'violated' | 'no-longer-violated' | 'length' | 'states' | 'new-run' | 'missing-run' | 'not-comparable';
  readonly text: string;
}

const runKey = (r: Pick<MatrixRow, 'kernel' | 'scenario' | 'patches' | 'iommuDriver'>) => `${r.kernel}/${r.scenario}${r.iommuDriver ? `[${r.iommuDriver}]` : ''}${r.patches.length ? '+' + r.patches.join('+') : ''}`;

/** What changed from `before` to `after`, run by run. */
export function compareMatrices(before: MatrixDoc, after: MatrixDoc): Change[] {
  const out: Change[] = [];
  const old = new Map(before.runs.map((r) => [runKey(r), r]));
  const seen = new Set<string>();
  for (const r of after.runs) {
    const run = runKey(r);
    seen.add(run);
    const o = old.get(run);
    if (!o) { out.push({ run, what: 'new-run', text: `${run}: new run (${r.verdict})` }); continue; }
    // Like with like: a run stopped early has partial counts and verdict; say so, compare nothing.
    if (o.complete === false || r.complete === false) {
      out.push({ run, what: 'not-comparable', text: `${run}: not compared: stopped early ${r.complete === false ? 'this time' : 'last time'} (counts and verdict partial)` });
      continue;
    }
    if (o.verdict !== r.verdict) out.push({ run, what: 'verdict', text: `${run}: verdict ${o.verdict} -> ${r.verdict}` });
    for (const [inv, len] of Object.entries(r.violations)) {
      const was = o.violations[inv];
      if (was === undefined) out.push({ run, what: 'violated', text: `${run}: ${inv} now VIOLATED (${len} steps)` });
      else if (was !== len) out.push({ run, what: 'length', text: `${run}: ${inv} counterexample ${was} -> ${len} steps` });
    }
    for (const inv of Object.keys(o.violations)) {
      if (r.violations[inv] === undefined) out.push({ run, what: 'no-longer-violated', text: `${run}: ${inv} no longer violated (was ${o.violations[inv]} steps)` });
    }
    if (o.distinct !== r.distinct) {
      const pct = o.distinct > 0 ? ` (${r.distinct > o.distinct ? '+' : ''}${(((r.distinct - o.distinct) / o.distinct) * 100).toFixed(1)}%)` : '';
      out.push({ run, what: 'states', text: `${run}: distinct states ${o.distinct.toLocaleString('en-US')} -> ${r.distinct.toLocaleString('en-US')}${pct}` });
    }
  }
  for (const [run, o] of old) if (!seen.has(run)) out.push({ run, what: 'missing-run', text: `${run}: not run this time (was ${o.verdict})` });
  return out;
}

export function readMatrix(file: string): MatrixDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail('E_TRACE_FILE', `${file}: cannot read a matrix document: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateMatrixDoc(doc, file);
}

/** A row's cell; a run stopped early is marked `*`: its verdict is not final. */
function cell(r: MatrixRow): string {
  const early = r.complete === false ? '*' : '';
  if (r.verdict === 'patch-error') return 'patch-err';
  if (r.verdict === 'pass') return 'pass' + early;
  if (r.verdict === 'violation') return `VIOL ${Object.values(r.violations).sort((a, b) => a - b)[0]}${early}`;
  if (r.verdict === 'witness-failure') return 'witness' + early;
  if (r.verdict === 'incomplete') return 'incompl' + early;
  return r.verdict + early;
}

export function table(rows: readonly MatrixRow[], kernels: readonly string[], scenarios: readonly string[]): string {
  const w = Math.max(...scenarios.map((s) => s.length), 8);
  const cw = Math.max(...kernels.map((k) => k.length), 9);
  const lines = [`${'scenario'.padEnd(w)}  ${kernels.map((k) => k.padEnd(cw)).join(' ')}`];
  for (const s of scenarios) {
    lines.push(`${s.padEnd(w)}  ${kernels.map((k) => { const r = rows.find((x) => x.kernel === k && x.scenario === s); return (r ? cell(r) : '-').padEnd(cw); }).join(' ')}`);
  }
  if (rows.some((r) => r.complete === false)) lines.push('* stopped early (--max-seconds or a signal): not the whole space, the verdict is not final');
  for (const r of rows) if (r.error) lines.push(`patch-err ${r.kernel}/${r.scenario}: ${r.error}`);
  return lines.join('\n') + '\n';
}

interface RawMatrix extends Pick<RawLimits, 'workers' | 'maxSeconds'> { kernel?: string[]; scenario?: string[]; scenarioFile?: string[]; patch?: string[]; iommuDriver?: string; compare?: string; out?: string; force?: boolean; json?: boolean; quiet?: boolean; progress?: boolean; junit?: string; report?: boolean; shard?: Shard; cache?: boolean; cacheDir?: string }

/** --compare with another patch set would report every run as new or missing: refused. */
function checkComparable(before: MatrixDoc, file: string, patches: readonly string[]): void {
  const want = JSON.stringify([...patches]);
  const other = before.runs.find((r) => JSON.stringify([...(r.patches ?? [])]) !== want);
  if (other) {
    fail('E_USAGE', `--compare ${file}: its runs have patches [${(other.patches ?? []).join(', ')}], this matrix [${patches.join(', ')}]; compare matrices of the same patches`);
  }
}

/** One cell's target, or why the patches cannot be applied to it (E_PATCH fails the cell only). */
function cellTarget(kernel: string, scenario: string, patches: readonly string[], iommuDriver?: string, file?: string): Target | { error: string } {
  try {
    return resolveTargets(targetOptions({ kernel, ...(file !== undefined ? { scenarioFile: [file] } : { scenario: [scenario] }), patch: [...patches], iommuDriver }))[0];
  } catch (e) {
    if (e instanceof ProbeError && e.code === 'E_PATCH') return { error: `E_PATCH: ${e.message.split('\n')[0]}` };
    throw e;
  }
}

const errorRow = (kernel: string, scenario: string, patches: readonly string[], error: string, iommuDriver?: string): MatrixRow => ({
  kernel, scenario, patches: [...patches], ...(iommuDriver ? { iommuDriver } : {}),
  verdict: 'patch-error', stopReason: 'patch-error', complete: true, error, distinct: 0, generated: 0, depth: 0, seconds: 0, violations: {}, witnessesNotReached: [],
});

export async function runMatrix(raw: RawMatrix, ctx: Parameters<CommandFactory>[0]): Promise<Outcome> {
  const kernels = raw.kernel?.length ? raw.kernel : KERNELS.map((k) => k.name);
  // --scenario-file: each file's scenario is one more column, under the name inside it.
  const files = new Map((raw.scenarioFile ?? []).map((f) => [readScenarioFile(f).def, f] as const));
  const fileNames = new Map([...files].map(([d, f]) => [d.name, { def: d, file: f }]));
  const scenarios = raw.scenario?.length || files.size ? [...(raw.scenario ?? []), ...fileNames.keys()] : SCENARIOS.filter((s) => s.seed).map((s) => s.name);
  if (new Set(scenarios).size !== scenarios.length + (fileNames.size - files.size)) fail('E_USAGE', 'a scenario is given twice (a --scenario-file\'s name must differ from the other scenarios\')');
  const patches = raw.patch ?? [];
  checkOutOption(raw.out);
  if (raw.out && fs.existsSync(raw.out) && !raw.force) fail('E_OUT_EXISTS', `${raw.out} exists; give --force to replace it`);
  const before = raw.compare ? readMatrix(raw.compare) : undefined;
  if (before) checkComparable(before, raw.compare as string, patches);
  // Resolve every name before any work, so a typo costs nothing: kernels and scenarios here,
  // patch files loaded once (a file that does not load fails the whole matrix).
  for (const k of kernels) if (!KERNELS.some((x) => x.name === k)) unknownName('E_UNKNOWN_KERNEL', 'kernel', k, KERNELS.map((x) => x.name));
  for (const s of scenarios) if (!fileNames.has(s) && !SCENARIOS.some((x) => x.name === s)) unknownName('E_UNKNOWN_SCENARIO', 'scenario', s, SCENARIOS.map((x) => x.name));
  patches.forEach(loadPatch);
  // With --iommu-driver, a scenario whose topology the driver cannot serve is left out (said on stderr).
  const fits = (s: string) => {
    const misfit = driverMisfit(fileNames.get(s)?.def ?? s, raw.iommuDriver as string);
    if (misfit) ctx.progress(`matrix: ${misfit}: left out`, false);
    return !misfit;
  };
  const runnable = raw.iommuDriver === undefined ? scenarios : scenarios.filter(fits);
  // A kernel without a scenario's event (a sysfs type change before v5.11) leaves that cell out.
  const onKernel = (kernel: string, s: string) => {
    const misfit = kernelMisfit(kernel, fileNames.get(s)?.def ?? s);
    if (misfit) ctx.progress(`matrix: ${misfit}: left out`, false);
    return !misfit;
  };
  const cells = kernels.flatMap((kernel) => runnable.filter((s) => onKernel(kernel, s)).map((scenario) => ({ kernel, scenario, target: cellTarget(kernel, scenario, patches, raw.iommuDriver, fileNames.get(scenario)?.file) })));
  const limits = limitsOf(raw, { continueAfterViolation: true });
  const cellOf = (c: { kernel: string; scenario: string }) => cellKey({ kernel: c.kernel, scenario: c.scenario, patches, iommuDriver: raw.iommuDriver });
  const mine = raw.shard ? shardOf(cells, raw.shard, runnable.length) : cells;
  const cache = new MatrixCells(new CellCache(raw.cacheDir ?? defaultCacheDir(), raw.cache !== false), raw.junit !== undefined, JSON.stringify(limits.reduce));
  // Locked and proven writable before the first run.
  if (raw.out) {
    try { fs.mkdirSync(path.dirname(path.resolve(raw.out)), { recursive: true }); } catch (e) { throw outputError(e, raw.out); }
  }
  const lock = raw.out ? lockOut(raw.out) : undefined;
  const unhook = lock ? ctx.stop.onHardExit(() => lock.release()) : () => undefined;
  try {
    const runs: MatrixRow[] = [];
    for (const c of mine) {
      if (ctx.stop.received) break;
      if ('error' in c.target) { runs.push(errorRow(c.kernel, c.scenario, patches, c.target.error, raw.iommuDriver)); continue; }
      const hit = cache.lookup(c.target);
      if (hit) { runs.push({ ...cachedRow(c.target, patches, raw.iommuDriver, hit), complete: exploredAll(hit.stopReason) }); continue; }
      const { result: r } = await exploreTarget(c.target, limits, ctx, searchView(ctx, raw, performance.now()));
      runs.push({
        kernel: c.kernel, scenario: c.scenario, patches: [...patches], ...(raw.iommuDriver ? { iommuDriver: raw.iommuDriver } : {}),
        verdict: r.verdict, stopReason: r.stopReason, complete: exploredAll(r.stopReason),
        ...(r.stopReason === 'interrupted' ? { interrupted: ctx.stop.received ?? 'SIGINT' } : {}),
        distinct: r.distinct, generated: r.generated, depth: r.depth,
        seconds: +r.seconds.toFixed(3),
        violations: Object.fromEntries(r.violations.map((v) => [v.property, v.length])),
        witnessesNotReached: r.witnesses.filter((w) => !w.reached).map((w) => w.name),
        checked: [...r.checked],
      });
      cache.record(c.target, r);
    }
    const complete = runs.length === mine.length && runs.every((r) => r.complete !== false);
    // A shard compares only its own cells: the others are not "missing".
    const mineKeys = new Set(mine.map(cellOf));
    const prior = before && raw.shard ? { ...before, runs: before.runs.filter((r) => mineKeys.has(cellKey(r))) } : before;
    const changes = prior ? compareMatrices(prior, { probecheckMatrix: 1, generated: '', runs }) : undefined;
    const shard = raw.shard ? { shard: { index: raw.shard.index, count: raw.shard.count, cells: cells.map(cellOf) } } : {};
    const doc: MatrixDoc = {
      probecheckMatrix: 1, generated: new Date().toISOString(), complete,
      ...(ctx.stop.received ? { interrupted: ctx.stop.received } : {}), runs, ...(changes ? { changes } : {}), ...shard,
    };
    let outputFailure: string | undefined;
    if (raw.out) {
      try { writeFileAtomic(raw.out, JSON.stringify(doc, null, 2) + '\n'); } catch (e) { outputFailure = outputError(e, raw.out).message; }
    }
    const patchErrors = runs.some((r) => r.verdict === 'patch-error');
    const changed = changes !== undefined && changes.length > 0;
    const exitCode: ExitCode = outputFailure ? 5 : ctx.stop.exitCode ?? (!complete ? 3 : patchErrors ? 2 : changed ? 1 : 0);
    let human = table(runs, kernels, runnable);
    if (changes) human += changes.length ? `changes since ${raw.compare}:\n${changes.map((c) => `  ${c.text}`).join('\n')}\n` : `no change since ${raw.compare}\n`;
    if (!complete) human += `matrix INCOMPLETE${ctx.stop.received ? ` (interrupted by ${ctx.stop.received}; ${runs.length} of ${mine.length} runs, the last one partial)` : ''}: some runs did not explore their whole space, their counts are partial\n`;
    if (raw.out && !outputFailure) human += `matrix: ${raw.out}\n`;
    if (raw.shard) human += `shard ${raw.shard.index}/${raw.shard.count}: ${mine.length} of ${cells.length} cells (join the shards with probecheck matrix merge)\n`;
    if (cache.hits) human += `${cache.hits} of ${mine.length} cells from the cell cache (unchanged model, invariants and version; --no-cache runs them)\n`;
    const rep = finishReports({ html: raw.report !== false && raw.out !== undefined && !outputFailure, ...(raw.junit !== undefined ? { junit: raw.junit } : {}) }, raw.out ?? null, 'probecheck matrix', cache.cases);
    human += rep.human;
    const notes = (outputFailure ? `probecheck: E_OUTPUT: ${outputFailure}; ${fs.existsSync(raw.out as string) ? `the earlier ${raw.out} is intact` : 'nothing was written'}\n` : '')
      + rep.notes + cache.notes.map((n) => n + '\n').join('');
    const word = !complete ? 'incomplete' : patchErrors ? 'patch-error' : changes ? (changed ? 'changed' : 'unchanged') : 'done';
    if (raw.json) return { exitCode, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: (raw.quiet ? '' : human) + notes };
    return { exitCode, stdout: raw.quiet ? word + '\n' : human, stderr: notes };
  } finally {
    lock?.release();
    unhook();
  }
}


export const matrixCommand: CommandFactory = (ctx, done) => {
  const c = new Command('matrix')
    .description('explore every kernel x scenario over its whole space; one JSON document; what changed since the last one')
    .option('--kernel <k>', 'kernel (repeatable; default: every kernel)', collect)
    .option('--scenario <s>', 'scenario (repeatable; default: the five seed scenarios)', collect)
    .option('--scenario-file <file>', 'a scenario in a YAML file, one more column (repeatable)', collect)
    .option('--patch <p>', 'built-in patch id or patch module, applied to every run (repeatable)', collect)
    .option('--iommu-driver <name>', 'serve every scenario\'s IOMMUs with this driver (scenarios it cannot serve are left out)');
  addLimitOptions(c, ['workers', 'max-seconds', 'reduce'], { 'max-seconds': 'stop each run (incomplete) after this many seconds' })
    .option('--compare <file>', 'a previous matrix document: report what changed (exit 1 when something did)')
    .option('--out <file>', 'write the matrix document here')
    .option('--force', 'replace --out if it exists')
    .option('--junit <file>', 'also write the results as JUnit XML: one test case per kernel x scenario x invariant')
    .option('--no-report', 'do not write report.html beside --out')
    .option('--shard <I/N>', 'run only shard I of N (a deterministic slice of the cells); join the documents with matrix merge', parseShard)
    .option('--no-cache', 'explore every cell, even one whose model, invariants and version are unchanged since it was cached')
    .option('--cache-dir <dir>', 'where cell results are cached (default: $XDG_CACHE_HOME/probecheck/cells)')
    .option('--json', 'print the matrix document on stdout; the table goes to stderr')
    .option('--quiet', QUIET_TEXT)
    .option('--progress', PROGRESS_TEXT)
    .addHelpText('after', `
Example (nightly):
  probecheck matrix --out nightly/$(date +%F).json --compare nightly/last.json
Example (the same over two CI machines, then one merge job):
  probecheck matrix --shard 1/2 --out shard-1.json      (machine 1)
  probecheck matrix --shard 2/2 --out shard-2.json      (machine 2)
  probecheck matrix merge shard-*.json --out nightly.json --compare last.json
Exit status: 0 nothing changed (or no --compare), 1 something changed, 2 bad input (or a cell
the patches cannot be applied to), 3 a run was incomplete, 5 the document not written;
130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP (the document so far written).`)
    .action(async (raw: RawMatrix) => {
      const w = workersWarning(raw);
      if (w) ctx.progress(w, false);
      done(await runMatrix(raw, ctx));
    });
  // Options after `merge` are merge's (its --out is not matrix's).
  c.enablePositionalOptions().addCommand(matrixMergeCommand(ctx, done));
  return c;
};
