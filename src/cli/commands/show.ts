/**
 * probecheck show: the steps of a kernel model, one line each, so that a reader goes from a
 * step (a label in a trace) to its kernel function and file, the releases it was checked
 * against, and the model file that built it. `--diff K2` and `--patch P` compare two models
 * step by step.
 */
import { Command } from 'commander';
import { fail } from '../../errors';
import { DEFAULT_KERNEL } from '../../model';
import type { CommandFactory } from '../context';
import { collect } from '../options';
import type { Outcome } from '../outcome';
import { diffJson, diffRows, filterDiff, filterRows, formatDiff, formatRows, rowsJson, rowsSummary, stepRows, type ActorRows } from '../steps';
import { resolveTargets, validateTargetOptions } from '../target';

export interface ShowOptions {
  readonly kernel: string;
  readonly scenario: string;
  readonly actors: readonly string[];
  readonly fns: readonly string[];
  /** Compare with this kernel (same scenario). */
  readonly diff?: string;
  /** Compare the model without and with these patches. */
  readonly patches: readonly string[];
  readonly guards: boolean;
  readonly json: boolean;
}

interface RawShow { kernel?: string; scenario: string[]; actor: string[]; fn: string[]; diff: string[]; patch: string[]; guards?: boolean; json?: boolean }

export function showOptions(raw: RawShow): ShowOptions {
  if (raw.diff.length && raw.patch.length) fail('E_USAGE', '--diff compares two kernels and --patch a model without and with patches; give one of them');
  if (raw.diff.length > 1) fail('E_USAGE', `give one --diff kernel, got ${raw.diff.length}`);
  validateTargetOptions({ set: [], scenarios: raw.scenario, patches: raw.patch, invariants: [] }, { scenarioRequired: true, oneScenario: true });
  return Object.freeze({
    kernel: raw.kernel ?? DEFAULT_KERNEL, scenario: raw.scenario[0],
    actors: Object.freeze([...raw.actor]), fns: Object.freeze([...raw.fn]),
    ...(raw.diff.length ? { diff: raw.diff[0] } : {}),
    patches: Object.freeze([...raw.patch]), guards: Boolean(raw.guards), json: Boolean(raw.json),
  });
}

function rowsOf(kernel: string, scenario: string, patches: readonly string[], guards: boolean): ActorRows[] {
  const [t] = resolveTargets({ kernel, scenarios: [scenario], patches, set: [], invariants: [] });
  return stepRows(t.model, { guards });
}

const patchText = (ps: readonly string[]) => (ps.length ? ps.join(', ') : 'none');

export function runShow(o: ShowOptions): Outcome {
  const filter = { actors: o.actors, fns: o.fns };
  if (o.diff === undefined && o.patches.length === 0) {
    const rows = filterRows(rowsOf(o.kernel, o.scenario, [], o.guards), filter);
    if (o.json) {
      const doc = { kernel: o.kernel, scenario: o.scenario, patches: [], actors: rowsJson(rows) };
      return { exitCode: 0, stdout: JSON.stringify(doc, null, 2) + '\n' };
    }
    const head = `== probecheck show: kernel ${o.kernel}, scenario ${o.scenario}, patches: none\n${rowsSummary(rows)}\n`;
    return { exitCode: 0, stdout: head + formatRows(rows) };
  }
  // Two models: two kernels, or one kernel without and with the patches.
  const to = o.diff !== undefined ? { kernel: o.diff, patches: [] as string[] } : { kernel: o.kernel, patches: [...o.patches] };
  const before = rowsOf(o.kernel, o.scenario, [], o.guards);
  const after = rowsOf(to.kernel, o.scenario, to.patches, o.guards);
  const diffs = filterDiff(diffRows(before, after), filter);
  if (o.json) {
    const doc = { scenario: o.scenario, from: { kernel: o.kernel, patches: [] }, to, actors: diffJson(diffs) };
    return { exitCode: 0, stdout: JSON.stringify(doc, null, 2) + '\n' };
  }
  const fromName = o.kernel;
  const toName = o.diff !== undefined ? o.diff : `${o.kernel}+${o.patches.join('+')}`;
  const head = o.diff !== undefined
    ? `== probecheck show: scenario ${o.scenario}, kernel ${o.kernel} -> ${o.diff}, patches: none\n`
    : `== probecheck show: kernel ${o.kernel}, scenario ${o.scenario}, patches: none -> ${patchText(o.patches)}\n`;
  const legend = `'-' only in ${fromName}, '+' only in ${toName}; a changed step is its '-' and '+' lines; unchanged steps are counted, not shown\n`;
  return { exitCode: 0, stdout: head + legend + formatDiff(diffs, fromName, toName, { guards: o.guards }) };
}

export const showCommand: CommandFactory = (_ctx, done) =>
  new Command('show').description('the steps of a kernel model, one a line: function, file, checked releases, branches, model file; or a diff of two models')
    .option('--kernel <name>', 'kernel baseline (default: the newest)')
    .option('--scenario <name>', 'scenario (one; probecheck list scenarios)', collect, [])
    .option('--actor <name>', 'only this actor: C, R, ... or an instance C[D1] (repeatable)', collect, [])
    .option('--fn <name>', 'only steps whose kernel function contains this (repeatable)', collect, [])
    .option('--diff <kernel>', 'compare with this kernel, same scenario: steps added, removed, changed', collect, [])
    .option('--patch <id|file>', 'compare the model without and with this patch: a built-in id or a patch module .ts/.js (repeatable)', collect, [])
    .option('--guards', 'print step and branch guards under each step')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', `
Examples:
  probecheck show --kernel v6.6 --scenario probe-vs-register --actor C
  probecheck show --kernel v6.6 --scenario probe-vs-register --fn iommu_probe_device --guards
  probecheck show --kernel v6.6 --scenario probe-vs-register --diff v6.15
  probecheck show --kernel v6.15 --scenario double-probe --patch 0c8e9c148e29
Columns: actor (with its instance slots), label, kernel function, kernel file, the releases the
step was checked against (release tree lines) or 'inferred', branches (name -> next label),
and (the model file that built the step) or '-'.
Exit status: 0, or 2 on bad input (an unknown kernel, scenario, patch, actor or function).`)
    .action((raw: RawShow) => { done(runShow(showOptions(raw))); });
