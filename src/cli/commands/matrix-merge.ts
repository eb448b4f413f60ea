/** probecheck matrix merge FILES...: shard documents joined into one matrix document (the
 *  one an unsharded run writes), with --compare and the report like matrix itself. */
import * as fs from 'node:fs';
import { Command } from 'commander';
import { fail } from '../../errors';
import { mergeShards } from '../../matrix/merge';
import { finishReports } from '../../report/cli';
import { writeFileAtomic } from '../../report/write';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';
import { compareMatrices, type MatrixDoc, readMatrix, table } from './matrix';

interface RawMerge { out?: string; force?: boolean; compare?: string; json?: boolean; quiet?: boolean; report?: boolean }

export function runMerge(files: readonly string[], raw: RawMerge): Outcome {
  if (raw.out && fs.existsSync(raw.out) && !raw.force) fail('E_OUT_EXISTS', `${raw.out} exists; give --force to replace it`);
  const before = raw.compare ? readMatrix(raw.compare) : undefined;
  const merged = mergeShards(files.map((file) => ({ file, doc: readMatrix(file) })));
  const changes = before ? compareMatrices(before, merged) : undefined;
  const doc: MatrixDoc = { ...merged, ...(changes ? { changes } : {}) };
  if (raw.out) writeFileAtomic(raw.out, JSON.stringify(doc, null, 2) + '\n');
  const kernels = [...new Set(doc.runs.map((r) => r.kernel))];
  const scenarios = [...new Set(doc.runs.map((r) => r.scenario))];
  let human = table(doc.runs, kernels, scenarios);
  human += `merged ${files.length} shard${files.length === 1 ? '' : 's'}: ${doc.runs.length} cells\n`;
  if (changes) human += changes.length ? `changes since ${raw.compare}:\n${changes.map((c) => `  ${c.text}`).join('\n')}\n` : `no change since ${raw.compare}\n`;
  const incomplete = doc.runs.some((r) => r.verdict === 'incomplete');
  if (raw.out) human += `matrix: ${raw.out}\n`;
  const rep = finishReports({ html: raw.report !== false && raw.out !== undefined }, raw.out ?? null, 'probecheck matrix merge', []);
  human += rep.human;
  const exitCode = incomplete ? 3 : changes && changes.length > 0 ? 1 : 0;
  if (raw.json) return { exitCode, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: (raw.quiet ? '' : human) + rep.notes };
  return { exitCode, stdout: raw.quiet ? '' : human, ...(rep.notes ? { stderr: rep.notes } : {}) };
}

export const matrixMergeCommand: CommandFactory = (_ctx, done) => new Command('merge')
  .description('join shard documents (matrix --shard I/N --out FILE) into one matrix document')
  .argument('<files...>', 'the shard documents, in any order')
  .option('--out <file>', 'write the merged document here')
  .option('--force', 'replace --out if it exists')
  .option('--compare <file>', 'a previous matrix document: report what changed (exit 1 when something did)')
  .option('--json', 'print the merged document on stdout; the table goes to stderr')
  .option('--quiet', 'no table')
  .option('--no-report', 'do not write report.html beside --out')
  .addHelpText('after', `
Example (the merge job of a sharded nightly):
  probecheck matrix merge shards/*.json --out nightly.json --compare last.json
Exit status: 0 nothing changed (or no --compare), 1 something changed, 2 bad input (a cell
missing or in two shards: E_MERGE), 3 a cell was incomplete.`)
  .action((files: string[], raw: RawMerge) => { done(runMerge(files, raw)); });
