/**
 * probecheck patch scaffold: from a kernel diff to a model patch skeleton (src/drift/scaffold).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { fail, unknownName } from '../../errors';
import { citedFunctions, rankKernels } from '../../drift/compare';
import { parseUnifiedDiff } from '../../drift/diff-hunks';
import { TreeFunctions } from '../../drift/locate';
import { loadCParser } from '../../drift/parse-c';
import { openTree } from '../../drift/tree';
import { planScaffold, renderScaffold, touchedByContext, touchedInTree, type HunkPlace } from '../../drift/scaffold';
import { stepsText } from '../../drift/report';
import { DEFAULT_KERNEL, KERNELS } from '../../model';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';

export interface ScaffoldOptions {
  readonly diff: string;
  readonly kernel?: string;
  readonly kernelTree?: string;
  readonly out?: string;
  readonly force: boolean;
}

interface RawScaffold { kernel?: string; kernelTree?: string; out?: string; force?: boolean }

export function scaffoldOptions(diff: string, raw: RawScaffold): ScaffoldOptions {
  if (raw.kernel !== undefined && !KERNELS.some((k) => k.name === raw.kernel)) unknownName('E_UNKNOWN_KERNEL', 'kernel', raw.kernel, KERNELS.map((k) => k.name));
  return Object.freeze({
    diff, ...(raw.kernel !== undefined ? { kernel: raw.kernel } : {}),
    ...(raw.kernelTree !== undefined ? { kernelTree: raw.kernelTree } : {}),
    ...(raw.out !== undefined ? { out: raw.out } : {}), force: Boolean(raw.force),
  });
}

export async function runScaffold(o: ScaffoldOptions): Promise<Outcome> {
  let text: string;
  try { text = fs.readFileSync(o.diff, 'utf8'); } catch { return fail('E_DIFF_FILE', `no diff file '${o.diff}'`); }
  const diff = parseUnifiedDiff(text, o.diff);
  if (o.out !== undefined && fs.existsSync(o.out) && !o.force) fail('E_OUT_EXISTS', `${o.out} exists (use --force to replace it)`);
  // The kernel: --kernel, else the one nearest the tree the diff applies to, else the newest.
  let kernel = o.kernel ?? DEFAULT_KERNEL;
  let tree: TreeFunctions | undefined;
  if (o.kernelTree !== undefined) {
    // Only the diff's files are needed from the tree (not every file drift compares).
    const t = openTree(o.kernelTree);
    tree = new TreeFunctions(await loadCParser(), (f) => t.read(f));
    if (o.kernel === undefined) kernel = rankKernels(tree)[0].kernel;
  }
  const places: HunkPlace[] = diff.hunks.map((h) => {
    const fns = tree?.functionsOf(h.file);
    const lines = fns ? fs.readFileSync(path.join(o.kernelTree!, h.file), 'utf8').split('\n') : null;
    const inTree = fns && lines ? touchedInTree(h, fns, lines) : null;
    return inTree ? { hunk: h, touched: inTree, how: 'tree' } : { hunk: h, touched: touchedByContext(h), how: 'context' };
  });
  const plan = planScaffold(kernel, path.basename(o.diff), diff, citedFunctions(kernel), places);
  const module = renderScaffold(plan);
  const n = diff.hunks.length;
  const summary = [
    `patch scaffold: ${o.diff}, kernel ${kernel}: ${n} hunk${n === 1 ? '' : 's'}, ${n - plan.notModelled.length} in functions the model cites, ${plan.notModelled.length} not modelled`,
    ...plan.modelled.map((e) => `  ${e.cited.fn} ${e.cited.file}: ${e.hunks.length} hunk${e.hunks.length === 1 ? '' : 's'}; steps ${stepsText(e.cited.steps)}`),
    ...plan.notModelled.map((x) => `  not modelled: ${x.hunk.file} ${x.hunk.header.replace(/^(@@[^@]*@@).*$/, '$1')} ${x.functions.map((f) => (f === null ? 'outside any function' : `${f}()`)).join(', ')}`),
    ...places.filter((p) => p.how === 'context' && o.kernelTree !== undefined).map((p) => `  note: ${p.hunk.file} ${p.hunk.header.replace(/^(@@[^@]*@@).*$/, '$1')} does not apply to ${o.kernelTree}; placed by its function context`),
  ].join('\n') + '\n';
  if (o.out === undefined) return { exitCode: 0, stdout: module, stderr: summary };
  fs.writeFileSync(o.out, module);
  return { exitCode: 0, stdout: summary + `wrote ${o.out}\n` };
}

export const patchCommand: CommandFactory = (_ctx, done) => {
  const scaffold = new Command('scaffold').description('a definePatch module skeleton from a kernel diff: the steps whose functions its hunks change, each hunk as a comment above them')
    .argument('<diff>', 'a unified diff (diff -u, git diff, or a git format-patch mail)')
    .option('--kernel <name>', 'the kernel baseline the patch is for (default: the nearest to --kernel-tree, else the newest)')
    .option('--kernel-tree <path>', 'the kernel tree the diff applies to: functions are found by parsing it (else by the hunks\' function context)')
    .option('--out <file.ts>', 'write the module there (default: stdout, the summary on stderr)')
    .option('--force', 'replace --out if it exists')
    .addHelpText('after', `
Example:
  probecheck patch scaffold fix.patch --kernel v6.15 --out fix.ts
  probecheck verify-patch --kernel v6.15 --scenario double-probe --patch ./fix.ts
Exit status: 0, or 2 on bad input (no such diff, not a unified diff, unknown kernel, bad tree).`)
    .action(async (diff: string, raw: RawScaffold) => { done(await runScaffold(scaffoldOptions(diff, raw))); });
  return new Command('patch').description('from a kernel patch to a model patch (patch scaffold)').addCommand(scaffold);
};
