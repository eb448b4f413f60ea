/** Option parsers shared by the commands: values are checked once, at the edge. */
import { Command } from 'commander';
import { fail } from '../errors';
import type { TargetOptions } from './target';

export function collect(value: string, prev: string[] = []): string[] {
  return [...prev, value];
}

export function positiveInt(flag: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < 1) fail('E_BAD_VALUE', `${flag} takes a positive integer, got '${raw}'`);
    return Number(raw);
  };
}

export function positiveNumber(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) fail('E_BAD_VALUE', `${flag} takes a positive number, got '${raw}'`);
    return n;
  };
}

/** --model/--set (unless `classic: false`: the kernel model only) and
 *  --kernel/--scenario/--patch, with --invariant when `invariants`. */
export function addTargetOptions(c: Command, opts: { classic?: boolean; invariants?: boolean; scenarioText?: string } = {}): Command {
  if (opts.classic !== false) {
    c.option('--model <name>', 'a classic model (counters, dining, peterson) instead of the kernel model')
      .option('--model-file <file>', 'your own model in the IR: a .ts/.js module exporting a Model (or a function of the --set parameters returning one)')
      .option('--set <key=value>', 'a parameter of the classic model (repeatable)', collect, []);
  }
  c.option('--kernel <name>', 'kernel baseline (probecheck list kernels; default: the newest)')
    .option('--scenario <name>', opts.scenarioText ?? 'scenario (repeatable; probecheck list scenarios)', collect, [])
    .option('--scenario-file <file>', 'a scenario in a YAML file (schema/scenario.schema.json; repeatable; probecheck scenario from-dts writes one)', collect, [])
    .option('--patch <id|file>', 'a built-in patch id or a patch module .ts/.js (repeatable, applied in order)', collect, [])
    .option('--iommu-driver <name>', 'serve the scenario\'s IOMMUs with this driver (arm-smmu, smmu-v3, ipmmu, intel): the same topology per driver');
  if (opts.invariants) c.option('--invariant <name>', 'check only this invariant (repeatable; default: the scenario\'s)', collect, []);
  return c;
}

export interface RawTarget { model?: string; modelFile?: string; set?: readonly string[]; kernel?: string; scenario?: readonly string[]; scenarioFile?: readonly string[]; patch?: readonly string[]; invariant?: readonly string[]; iommuDriver?: string }

export function targetOptions(raw: RawTarget): TargetOptions {
  return Object.freeze({
    ...(raw.model !== undefined ? { model: raw.model } : {}),
    ...(raw.modelFile !== undefined ? { modelFile: raw.modelFile } : {}),
    set: Object.freeze([...(raw.set ?? [])]),
    ...(raw.kernel !== undefined ? { kernel: raw.kernel } : {}),
    scenarios: Object.freeze([...(raw.scenario ?? [])]),
    scenarioFiles: Object.freeze([...(raw.scenarioFile ?? [])]),
    patches: Object.freeze([...(raw.patch ?? [])]),
    invariants: Object.freeze([...(raw.invariant ?? [])]),
    ...(raw.iommuDriver !== undefined ? { iommuDriver: raw.iommuDriver } : {}),
  });
}

/** --quiet means the same in every command. */
export const QUIET_TEXT = 'no progress and no report: stdout holds only the verdict (or, with --json, the JSON document); errors still go to stderr';
export const PROGRESS_TEXT = 'show progress on stderr even when it is not a terminal (a line every 5 s)';
