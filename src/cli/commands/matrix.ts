/**
 * probecheck matrix: the nightly job. Every kernel x scenario (with the given patches applied
 * to each) is explored over its whole space; the results are one JSON document, and what
 * changed since a previous document is called out: a verdict that flipped, an invariant newly
 * violated or no longer violated, a shortest counterexample that changed length, a state
 * count that changed.
 */
import * as fs from 'node:fs';
import { Command } from 'commander';
import { fail } from '../../errors';
import { driverMisfit, KERNELS, SCENARIOS } from '../../model';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';
import { exploreTarget } from '../run';
import { resolveTargets } from '../target';
import { collect, targetOptions } from '../options';
import { addLimitOptions, limitsOf, type RawLimits } from '../limits';
import { cellKey, validateMatrixDoc } from '../../matrix/doc';
import { finishReports } from '../../report/cli';
import { CellCache, defaultCacheDir } from '../../matrix/cache';
import { cachedRow, MatrixCells } from '../../matrix/cells';
import type { ShardInfo } from '../../matrix/merge';
import { parseShard, shardOf, type Shard } from '../../matrix/shard';
import { matrixMergeCommand } from './matrix-merge';

export interface MatrixRow {
  readonly kernel: string;
  readonly scenario: string;
  readonly patches: readonly string[];
  /** --iommu-driver, when the scenario's IOMMUs were served by another driver. */
  readonly iommuDriver?: string;
  readonly verdict: string;
  readonly stopReason: string;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  /** Violated invariant -> length of its shortest counterexample. */
  readonly violations: Readonly<Record<string, number>>;
  readonly witnessesNotReached: readonly string[];
  /** The invariants checked (absent in documents of earlier versions). */
  readonly checked?: readonly string[];
  /** Taken from the cell cache, not explored this time. */
  readonly cached?: true;
}

export interface MatrixDoc {
  readonly probecheckMatrix: 1;
  readonly generated: string;
  readonly runs: readonly MatrixRow[];
  readonly changes?: readonly Change[];
  /** A shard's document (--shard I/N): which shard, and every cell of the whole matrix. */
  readonly shard?: ShardInfo;
}

export interface Change {
  /** `kernel/scenario[+patches]` */
  readonly run: string;
  readonly what: 'verdict' | 'violated' | 'no-longer-violated' | 'length' | 'states' | 'new-run' | 'missing-run';
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

function cell(r: MatrixRow): string {
  if (r.verdict === 'pass') return 'pass';
  if (r.verdict === 'violation') return `VIOL ${Object.values(r.violations).sort((a, b) => a - b)[0]}`;
  if (r.verdict === 'witness-failure') return 'witness';
  if (r.verdict === 'incomplete') return 'incompl';
  return r.verdict;
}

export function table(rows: readonly MatrixRow[], kernels: readonly string[], scenarios: readonly string[]): string {
  const w = Math.max(...scenarios.map((s) => s.length), 8);
  const cw = Math.max(...kernels.map((k) => k.length), 8);
  const lines = [`${'scenario'.padEnd(w)}  ${kernels.map((k) => k.padEnd(cw)).join(' ')}`];
  for (const s of scenarios) {
    lines.push(`${s.padEnd(w)}  ${kernels.map((k) => { const r = rows.find((x) => x.kernel === k && x.scenario === s); return (r ? cell(r) : '-').padEnd(cw); }).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

interface RawMatrix extends Pick<RawLimits, 'workers' | 'maxSeconds'> { kernel?: string[]; scenario?: string[]; patch?: string[]; iommuDriver?: string; compare?: string; out?: string; force?: boolean; json?: boolean; quiet?: boolean; junit?: string; report?: boolean; shard?: Shard; cache?: boolean; cacheDir?: string }

export async function runMatrix(raw: RawMatrix, ctx: Parameters<CommandFactory>[0]): Promise<Outcome> {
  const kernels = raw.kernel?.length ? raw.kernel : KERNELS.map((k) => k.name);
  const scenarios = raw.scenario?.length ? raw.scenario : SCENARIOS.filter((s) => s.seed).map((s) => s.name);
  const patches = raw.patch ?? [];
  if (raw.out && fs.existsSync(raw.out) && !raw.force) fail('E_OUT_EXISTS', `${raw.out} exists; give --force to replace it`);
  const before = raw.compare ? readMatrix(raw.compare) : undefined;
  // Resolve every name before any work, so a typo costs nothing.
  // With --iommu-driver, a scenario whose topology the driver cannot serve is left out (said on stderr).
  const fits = (s: string) => {
    const misfit = driverMisfit(s, raw.iommuDriver as string);
    if (misfit) ctx.progress(`matrix: ${misfit}: left out`, false);
    return !misfit;
  };
  const runnable = raw.iommuDriver === undefined ? scenarios : scenarios.filter(fits);
  const targets = kernels.flatMap((kernel) => resolveTargets(targetOptions({ kernel, scenario: runnable, patch: patches, iommuDriver: raw.iommuDriver })));
  const limits = limitsOf(raw, { continueAfterViolation: true });
  const runs: MatrixRow[] = [];
  let interrupted = false;
  const cellOf = (t: (typeof targets)[number]) => cellKey({ kernel: t.source.kernel as string, scenario: t.source.scenario as string, patches, iommuDriver: raw.iommuDriver });
  const mine = raw.shard ? shardOf(targets, raw.shard, runnable.length) : targets;
  const cells = new MatrixCells(new CellCache(raw.cacheDir ?? defaultCacheDir(), raw.cache !== false), raw.junit !== undefined);
  for (const t of mine) {
    if (interrupted) break;
    const hit = cells.lookup(t);
    if (hit) { runs.push(cachedRow(t, patches, raw.iommuDriver, hit)); continue; }
    const { result: r, interrupted: stop } = await exploreTarget(t, limits, ctx, !!raw.quiet);
    interrupted = stop;
    runs.push({
      kernel: t.source.kernel as string, scenario: t.source.scenario as string, patches: [...patches], ...(raw.iommuDriver ? { iommuDriver: raw.iommuDriver } : {}),
      verdict: r.verdict, stopReason: r.stopReason, distinct: r.distinct, generated: r.generated, depth: r.depth,
      seconds: +r.seconds.toFixed(3),
      violations: Object.fromEntries(r.violations.map((v) => [v.property, v.length])),
      witnessesNotReached: r.witnesses.filter((w) => !w.reached).map((w) => w.name),
      checked: [...r.checked],
    });
    cells.record(t, r);
  }
  // A shard compares only its own cells: the others are not "missing".
  const mineKeys = new Set(mine.map(cellOf));
  const prior = before && raw.shard ? { ...before, runs: before.runs.filter((r) => mineKeys.has(cellKey(r))) } : before;
  const changes = prior ? compareMatrices(prior, { probecheckMatrix: 1, generated: '', runs }) : undefined;
  const shard = raw.shard ? { shard: { index: raw.shard.index, count: raw.shard.count, cells: targets.map(cellOf) } } : {};
  const doc: MatrixDoc = { probecheckMatrix: 1, generated: new Date().toISOString(), runs, ...(changes ? { changes } : {}), ...shard };
  if (raw.out) fs.writeFileSync(raw.out, JSON.stringify(doc, null, 2) + '\n');
  const incomplete = interrupted || runs.some((r) => r.verdict === 'incomplete');
  const exitCode = incomplete ? 3 : changes && changes.length > 0 ? 1 : 0;
  let human = table(runs, kernels, runnable);
  if (changes) human += changes.length ? `changes since ${raw.compare}:\n${changes.map((c) => `  ${c.text}`).join('\n')}\n` : `no change since ${raw.compare}\n`;
  if (incomplete) human += 'some runs are INCOMPLETE (a limit or Ctrl-C): their counts are partial\n';
  if (raw.out) human += `matrix: ${raw.out}\n`;
  if (raw.shard) human += `shard ${raw.shard.index}/${raw.shard.count}: ${mine.length} of ${targets.length} cells (join the shards with probecheck matrix merge)\n`;
  if (cells.hits) human += `${cells.hits} of ${mine.length} cells from the cell cache (unchanged model, invariants and version; --no-cache runs them)\n`;
  const rep = finishReports({ html: raw.report !== false && raw.out !== undefined, ...(raw.junit !== undefined ? { junit: raw.junit } : {}) }, raw.out ?? null, 'probecheck matrix', cells.cases);
  human += rep.human;
  const notes = rep.notes + cells.notes.map((n) => n + '\n').join('');
  if (raw.json) return { exitCode, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: (raw.quiet ? '' : human) + notes };
  return { exitCode, stdout: human, ...(notes ? { stderr: notes } : {}) };
}


export const matrixCommand: CommandFactory = (ctx, done) => {
  const c = new Command('matrix')
    .description('explore every kernel x scenario over its whole space; one JSON document; what changed since the last one')
    .option('--kernel <k>', 'kernel (repeatable; default: every kernel)', collect)
    .option('--scenario <s>', 'scenario (repeatable; default: the five seed scenarios)', collect)
    .option('--patch <p>', 'built-in patch id or patch module, applied to every run (repeatable)', collect)
    .option('--iommu-driver <name>', 'serve every scenario\'s IOMMUs with this driver (scenarios it cannot serve are left out)');
  addLimitOptions(c, ['workers', 'max-seconds'], { 'max-seconds': 'stop each run (incomplete) after this many seconds' })
    .option('--compare <file>', 'a previous matrix document: report what changed (exit 1 when something did)')
    .option('--out <file>', 'write the matrix document here')
    .option('--force', 'replace --out if it exists')
    .option('--junit <file>', 'also write the results as JUnit XML: one test case per kernel x scenario x invariant')
    .option('--no-report', 'do not write report.html beside --out')
    .option('--shard <I/N>', 'run only shard I of N (a deterministic slice of the cells); join the documents with matrix merge', parseShard)
    .option('--no-cache', 'explore every cell, even one whose model, invariants and version are unchanged since it was cached')
    .option('--cache-dir <dir>', 'where cell results are cached (default: $XDG_CACHE_HOME/probecheck/cells)')
    .option('--json', 'print the matrix document on stdout; the table goes to stderr')
    .option('--quiet', 'no progress, no table')
    .addHelpText('after', `
Example (nightly):
  probecheck matrix --out nightly/$(date +%F).json --compare nightly/last.json
Example (the same over two CI machines, then one merge job):
  probecheck matrix --shard 1/2 --out shard-1.json      (machine 1)
  probecheck matrix --shard 2/2 --out shard-2.json      (machine 2)
  probecheck matrix merge shard-*.json --out nightly.json --compare last.json
Exit status: 0 nothing changed (or no --compare), 1 something changed, 2 bad input, 3 a run was incomplete.`)
    .action(async (raw: RawMatrix) => { done(await runMatrix(raw, ctx)); });
  // Options after `merge` are merge's (its --out is not matrix's).
  c.enablePositionalOptions().addCommand(matrixMergeCommand(ctx, done));
  return c;
};
