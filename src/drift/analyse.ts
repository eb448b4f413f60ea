/**
 * One drift analysis of a user's tree: open it, parse the cited files, rank the modelled
 * kernels (or take the one given), and refuse a tree that lacks a file the chosen kernel's
 * steps cite. Shared by `probecheck drift` and `probecheck check --kernel-tree`.
 */
import { fail, unknownName } from '../errors';
import { KERNELS } from '../model';
import { citationsOf } from '../model/citations';
import { driftAgainst, rankKernels, recordedKernels, type CitationSource, type KernelDrift } from './compare';
import { TreeFunctions } from './locate';
import { loadCParser } from './parse-c';
import { openTree, type KernelTree } from './tree';

export interface TreeAnalysis {
  readonly tree: KernelTree;
  readonly functions: TreeFunctions;
  /** The kernel compared with: --kernel, or the nearest. */
  readonly chosen: KernelDrift;
  readonly chosenBy: 'nearest' | '--kernel';
  /** Every recorded kernel, nearest first (only the chosen one with --kernel). */
  readonly ranking: readonly KernelDrift[];
}

/** Check a --kernel name for drift: known, and with recorded fingerprints. */
export function checkDriftKernel(kernel: string, cite: CitationSource = citationsOf): void {
  const all = KERNELS.map((k) => k.name);
  if (!all.includes(kernel)) unknownName('E_UNKNOWN_KERNEL', 'kernel', kernel, all);
  const rec = recordedKernels(cite);
  if (!rec.includes(kernel)) {
    const k = KERNELS.find((x) => x.name === kernel)!;
    fail('E_NO_CITATIONS', `kernel ${kernel} has no recorded fingerprints (${k.verified.status}: ${k.verified.tree}); kernels with them: ${rec.join(', ')}`);
  }
}

export async function analyseTree(dir: string, kernel?: string, opts: { option?: string; cite?: CitationSource } = {}): Promise<TreeAnalysis> {
  const option = opts.option ?? '--kernel-tree';
  const cite = opts.cite ?? citationsOf;
  if (kernel !== undefined) checkDriftKernel(kernel, cite);
  const tree = openTree(dir, option);
  const functions = new TreeFunctions(await loadCParser(), (f) => tree.read(f));
  const ranking = kernel !== undefined ? [driftAgainst(kernel, functions, cite)] : rankKernels(functions, cite);
  const chosen = ranking[0];
  const gone = chosen.functions.filter((f) => f.status === 'no-file');
  if (gone.length) {
    const files = [...new Set(gone.map((f) => f.file))];
    const labels = [...new Set(gone.flatMap((f) => f.steps.map((s) => s.label)))];
    const hint = kernel !== undefined ? `; a file moved since? drop --kernel to compare with the nearest kernel` : '; give a whole kernel source tree';
    fail('E_KERNEL_TREE', `${option} ${dir}: no ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` (and ${files.length - 3} more files)` : ''}, which ${chosen.kernel}'s steps cite (${labels.slice(0, 4).join(', ')}${labels.length > 4 ? ', ...' : ''})${hint}`);
  }
  return { tree, functions, chosen, chosenBy: kernel !== undefined ? '--kernel' : 'nearest', ranking };
}
