/**
 * probecheck check merge DIR_OR_FILE...: the results of check --shard I/N joined into one
 * results folder, as check writes it (summary.json, a trace per violation in each format,
 * report.html), with the counts marked as an upper bound. The joining is shard-merge.ts;
 * this file rebuilds the model (to write the traces) and writes and prints the result.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { fail } from '../../errors';
import type { ExploreResult } from '../../explorer/types';
import type { CommandFactory } from '../context';
import { searchIdentity } from '../checkpoint-file';
import { violationArtifacts } from '../artifacts';
import { exitCodeOf, type ExitCode, type Outcome } from '../outcome';
import { outputError } from '../output-error';
import { checkOutOption, namePart, ResultsFolder, timestamp, uniqueSuffix } from '../results';
import { formatRun, summarize, type RunSummary } from '../run';
import { checkShardSet, type MergedShards, mergeShardResults, readShardResult } from '../shard-merge';
import { resolveTargets, type Target, type TargetOptions } from '../target';
import { REPORT_FILE, writeReport } from '../../report/write';

interface RawMerge { out?: string; force?: boolean; json?: boolean; quiet?: boolean; report?: boolean }

const fmt = (n: number) => n.toLocaleString('en-US');

/** The model the shards searched, rebuilt from their record; refused if this probecheck
 *  builds another one (a patch or scenario file changed since). */
function targetOfShards(shards: MergedShards['shards']): Target {
  const x = shardTarget(shards[0]);
  const [t] = resolveTargets(x.options);
  const now = searchIdentity(t, x.options, x.invariants ?? undefined, x.cont, x.reduce).model;
  if (now !== x.model) fail('E_MERGE', `${x.file}: the shards searched model ${x.model}; this probecheck builds ${now} from their options (a patch or scenario file changed since)`);
  return t;
}

function shardTarget(s: MergedShards['shards'][number]): { file: string; options: TargetOptions; model: string; invariants: readonly string[] | null; cont: boolean; reduce: string } {
  const id = s.run.shard.identity;
  return { file: s.file, options: id.options, model: id.model, invariants: id.invariants, cont: id.continueAfterViolation, reduce: id.reduce };
}

/** The merged search as an ExploreResult, so that check's summary, traces and report apply. */
function mergedResult(t: Target, m: MergedShards): ExploreResult {
  const never = new Set(m.unreachedSteps ?? []);
  return {
    verdict: m.verdict, stopReason: m.stopReason, workers: m.workers, seconds: m.seconds, depth: m.depth,
    distinct: m.distinct, generated: m.generated,
    violations: m.violations.map((v) => ({ property: v.of.invariant, kind: v.of.kind as ExploreResult['violations'][number]['kind'], length: v.ids.length, actions: v.ids })),
    witnesses: m.witnesses.map((w) => (w.ids ? { name: w.of.name, reached: true, actions: w.ids } : { name: w.of.name, reached: false })),
    checked: m.checked, notSelected: m.notSelected,
    // Only which steps fired at all survives a merge: 1 for each step some shard enabled.
    actionCounts: t.core.actions.map((a) => (never.has(a.name) ? 0 : 1)),
    retainedBytes: m.bytesPerState * m.distinct, bytesPerState: m.bytesPerState, fingerprintLoad: m.fingerprintLoad,
    collisionProbability: m.collisionProbability,
    ...(m.modelError ? { modelError: { message: m.modelError.message, actions: m.modelError.ids } } : {}),
  };
}

/** What summary.json says of the merge, beside check's usual fields. */
function mergeSection(m: MergedShards) {
  const split = m.shards.find((s) => s.run.shard.splitLevel !== null)?.run.shard;
  return {
    shards: m.count, splitLevel: m.splitLevel, levelStates: split?.levelStates ?? 0,
    prefix: m.prefix, distinctIsUpperBound: m.upperBound,
    perShard: m.shards.map((s) => ({
      index: s.run.shard.index, from: s.file, own: s.run.shard.own, share: s.run.shard.share,
      seconds: s.run.seconds, workers: s.run.workers, stopReason: s.run.stopReason, complete: s.run.complete,
    })),
  };
}

function wording(m: MergedShards) {
  const states = m.upperBound
    ? `states: at most ${fmt(m.distinct)} distinct (an upper bound: the prefix's ${fmt(m.prefix.distinct)} plus each shard's own; a state reachable from several shards' shares counts once per shard), ` +
      `${fmt(m.generated)} generated, depth ${m.depth}; ${m.seconds.toFixed(2)} s over ${m.count} shards`
    : `states: ${fmt(m.distinct)} distinct, ${fmt(m.generated)} generated, depth ${m.depth} (no split: every shard explored the whole space alike); ${m.seconds.toFixed(2)} s over ${m.count} shards`;
  const split = m.shards.find((s) => s.run.shard.splitLevel !== null)?.run.shard;
  const afterStates = [
    split ? `shards: ${m.count}, split at level ${split.splitLevel} (${fmt(split.levelStates)} states); prefix ${fmt(m.prefix.distinct)} distinct, ${fmt(m.prefix.generated)} generated` : `shards: ${m.count}, no split`,
    ...m.shards.map((s) => {
      const r = s.run;
      return `  shard ${r.shard.index}/${m.count}: own ${fmt(r.shard.own.distinct)} distinct, ${fmt(r.shard.own.generated)} generated; ${r.seconds.toFixed(2)} s, ${r.workers} worker${r.workers === 1 ? '' : 's'}; ${r.stopReason} (${s.file})`;
    }),
  ];
  const guarantee = 'guarantee: breadth-first in every shard from its share of the split level: each counterexample is a shortest one, the one an unsharded run reports (docs/adr/0005)';
  return { states, afterStates, guarantee };
}

export function runCheckMerge(args: readonly string[], raw: RawMerge, ctx: Parameters<CommandFactory>[0]): Outcome {
  checkOutOption(raw.out);
  const inputs = args.map(readShardResult);
  checkShardSet(inputs);
  const t = targetOfShards(inputs);
  const idOf = new Map(t.core.actions.map((a) => [a.name, a.id]));
  const merged = mergeShardResults(inputs, (name) => {
    const id = idOf.get(name);
    if (id === undefined) fail('E_MERGE', `a shard's trace has a step '${name}' that model ${t.label} does not have`);
    return id;
  });
  const base = raw.out ?? path.join('results', [timestamp(), t.label, 'merged', uniqueSuffix()].map(namePart).join('-'));
  const folder = ResultsFolder.open(base, Boolean(raw.force), ctx.stop);
  let outputFailure: string | undefined;
  let notes = '';
  try {
    const r = mergedResult(t, merged);
    const summary: RunSummary & { merge: ReturnType<typeof mergeSection> } = {
      ...summarize(t, r, base, merged.interrupted),
      states: { distinct: merged.distinct, generated: merged.generated, ...(merged.upperBound ? { upperBound: true } : {}) },
      complete: merged.complete,
      merge: mergeSection(merged),
    };
    const arts = violationArtifacts(t, r, base);
    let reportLine = '';
    try {
      folder.writeArtifacts('', arts);
      folder.writeJson('summary.json', summary);
      if (raw.report !== false) {
        try {
          writeReport(folder.stagedPath(''));
          reportLine = `report: ${path.join(base, REPORT_FILE)}\n`;
        } catch (e) {
          notes += `probecheck: report.html not written: ${(e as Error).message.split('\n')[0]}\n`;
        }
      }
      const replaced = folder.commit();
      if (replaced) notes = `probecheck: --force: replaced ${replaced} file${replaced === 1 ? '' : 's'} of an earlier run in ${base}\n` + notes;
    } catch (e) {
      outputFailure = outputError(e, base).message;
      reportLine = '';
      notes += `probecheck: E_OUTPUT: ${outputFailure}; ${folder.hadRun ? `the earlier run in ${base} is intact` : 'nothing was written'}\n`;
    }
    const shown = outputFailure ? { ...summary, out: null } : summary;
    const human = formatRun(t, r, shown, arts.map((a) => a.mail), wording(merged)) + reportLine;
    const exitCode: ExitCode = outputFailure ? 5 : merged.complete ? exitCodeOf(merged.verdict) : 3;
    if (raw.json) return { exitCode, stdout: JSON.stringify(shown, null, 2) + '\n', stderr: (raw.quiet ? '' : human) + notes };
    return { exitCode, stdout: raw.quiet ? merged.verdict + '\n' : human, ...(notes ? { stderr: notes } : {}) };
  } finally {
    folder.abandon();
  }
}

export const checkMergeCommand: CommandFactory = (ctx, done) => new Command('merge')
  .description('join the results of check --shard I/N (one per shard, any order) into the result of the whole search')
  .argument('<results...>', 'the shards\' results folders (or their summary.json)')
  .option('--out <dir>', 'results folder (default: results/<time>-<kernel>_<scenario>-merged-<suffix>)')
  .option('--force', 'replace the run already in --out')
  .option('--json', 'print the merged summary on stdout; the human report goes to stderr')
  .option('--quiet', 'stdout holds only the verdict (or, with --json, the JSON document)')
  .option('--no-report', 'do not write report.html')
  .addHelpText('after', `
Example (4 machines, then one merge job):
  probecheck check --scenario register-probe-unbind --shard 1/4 --out shard1    (machine 1; 2, 3, 4 alike)
  probecheck check merge shard1 shard2 shard3 shard4 --out merged
Exit status: as check: 0 pass, 1 violation or witness failure, 3 a shard was incomplete; 2 bad
input (a shard missing, given twice, or of another search: E_MERGE), 5 results not written.`)
  .action((args: string[], raw: RawMerge) => { done(runCheckMerge(args, raw, ctx)); });
