/**
 * probecheck drift: is the model still the user's kernel? Each kernel function the model's
 * steps cite is parsed from the user's tree, fingerprinted, and compared with the
 * fingerprints recorded per modelled release; the nearest kernel is named, then every step
 * whose function differs. `--against TREE2` adds a diff of each drifted function.
 */
import { Command } from 'commander';
import { fail } from '../../errors';
import { analyseTree } from '../../drift/analyse';
import type { CitationSource, FnDrift } from '../../drift/compare';
import { TreeFunctions } from '../../drift/locate';
import { loadCParser } from '../../drift/parse-c';
import { driftJson, formatDrift, functionDiff, isDrift, type Against } from '../../drift/report';
import { openTree } from '../../drift/tree';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';

export interface DriftOptions {
  readonly tree: string;
  readonly kernel?: string;
  readonly against?: string;
  readonly json: boolean;
}

interface RawDrift { kernelTree?: string; kernel?: string; against?: string; json?: boolean }

export function driftOptions(raw: RawDrift): DriftOptions {
  if (raw.kernelTree === undefined) fail('E_USAGE', 'give --kernel-tree PATH (the top of a kernel source tree)');
  return Object.freeze({
    tree: raw.kernelTree, ...(raw.kernel !== undefined ? { kernel: raw.kernel } : {}),
    ...(raw.against !== undefined ? { against: raw.against } : {}), json: Boolean(raw.json),
  });
}

/** `cite`: the recorded fingerprints (the package's; tests give their own). */
export async function runDrift(o: DriftOptions, cite?: CitationSource): Promise<Outcome> {
  const a = await analyseTree(o.tree, o.kernel, cite ? { cite } : {});
  let against: Against | undefined;
  let diffs: Map<FnDrift, ReturnType<typeof functionDiff>> | undefined;
  if (o.against !== undefined) {
    const t = openTree(o.against, '--against');
    against = { tree: t, functions: new TreeFunctions(await loadCParser(), (f) => t.read(f)) };
    diffs = new Map(a.chosen.functions.filter(isDrift).map((f) => [f, functionDiff(f, a, against!)]));
  }
  const exitCode = a.chosen.functions.some(isDrift) ? 1 : 0;
  if (o.json) return { exitCode, stdout: JSON.stringify(driftJson(a, against, diffs), null, 2) + '\n' };
  return { exitCode, stdout: formatDrift(a, against, diffs) };
}

export const driftCommand: CommandFactory = (_ctx, done) =>
  new Command('drift').description('compare the kernel functions the model cites with a kernel source tree: the nearest modelled kernel, and the steps whose function differs')
    .option('--kernel-tree <path>', 'the top of a kernel source tree (the directory with drivers/ and include/)')
    .option('--kernel <name>', 'compare with this kernel baseline instead of the nearest (one with recorded fingerprints)')
    .option('--against <path>', 'a second tree (say, the release the model was checked against): print a unified diff of each drifted function between it and --kernel-tree')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', `
Examples:
  probecheck drift --kernel-tree ~/src/linux
  probecheck drift --kernel-tree ~/src/linux --kernel v6.12.y --against ~/src/linux-6.12.y
Functions are parsed with tree-sitter's C grammar; comments and whitespace do not count.
Exit status: 0 every cited function matches the kernel, 1 some differ or are missing,
2 bad input (not a kernel tree, a cited file missing, an unknown kernel).`)
    .action(async (raw: RawDrift) => { done(await runDrift(driftOptions(raw))); });
