/**
 * What to check: a classic model (`--model NAME --set KEY=VALUE`) or a kernel model
 * (`--kernel K --scenario S --patch P`), resolved once into lowered models. Impossible
 * combinations are rejected here, before any work.
 */
import { fail, ProbeError, unknownName } from '../errors';
import type { CoreModel } from '../ir/core';
import type { Model } from '../ir/types';
import { lowerModel } from '../ir/lower';
import { buildKernelModel, DEFAULT_KERNEL, SCENARIOS } from '../model';
import { buildClassicModel } from '../examples';
import type { ModelSource } from '../trace/tracefile';
import { targetOptions } from './options';
import { isPatchPath, loadPatch } from './patch-loader';
import { recordPatches } from './patch-record';

export interface TargetOptions {
  readonly model?: string;
  readonly set: readonly string[];
  readonly kernel?: string;
  readonly scenarios: readonly string[];
  readonly patches: readonly string[];
  readonly invariants: readonly string[];
  readonly iommuDriver?: string;
}

export interface Target {
  /** `v6.6/probe-vs-register` or `counters`. */
  readonly label: string;
  readonly source: ModelSource;
  readonly core: CoreModel;
  /** The model before lowering (step docs). */
  readonly model: Model;
}

export function validateTargetOptions(o: TargetOptions, opts: { scenarioRequired?: boolean; oneScenario?: boolean } = {}): void {
  if (o.model !== undefined) {
    const clash = [o.kernel !== undefined && '--kernel', o.scenarios.length > 0 && '--scenario', o.patches.length > 0 && '--patch', o.iommuDriver !== undefined && '--iommu-driver'].filter(Boolean);
    if (clash.length) fail('E_USAGE', `--model takes a classic model; ${clash.join(', ')} ${clash.length > 1 ? 'apply' : 'applies'} only to the kernel model`);
  } else if (o.set.length) {
    fail('E_USAGE', '--set sets a parameter of a classic model; give --model NAME');
  }
  if (o.model === undefined && opts.scenarioRequired && o.scenarios.length === 0) fail('E_USAGE', 'give --scenario (probecheck list scenarios)');
  if (opts.oneScenario && o.scenarios.length > 1) fail('E_USAGE', `give one --scenario, got ${o.scenarios.length}`);
}

/** The scenarios a kernel run covers: those given, or every default scenario. */
export function scenariosOf(o: TargetOptions): string[] {
  return o.scenarios.length ? [...o.scenarios] : SCENARIOS.filter((s) => s.defaultScenario).map((s) => s.name);
}

/**
 * Every target of the options: one classic model, or one kernel model per scenario. The one
 * place where the default kernel is filled in, patch files are loaded and --invariant names
 * are checked (a kernel model checks its own when it is built; a classic model has no such
 * check, so it is done here against its properties).
 */
export function resolveTargets(o: TargetOptions): Target[] {
  if (o.model !== undefined) {
    const source: ModelSource = { model: o.model, set: o.set };
    const model = buildClassicModel(o.model, o.set);
    const core = lowerModel(model);
    checkInvariantNames(core, o.invariants);
    return [{ label: o.model, source, core, model }];
  }
  const kernel = o.kernel ?? DEFAULT_KERNEL;
  const patches = o.patches.map(loadPatch);
  const recorded = recordPatches(o.patches);
  const selected = o.invariants.length ? { invariants: [...o.invariants] } : {};
  return scenariosOf(o).map((scenario) => {
    const driver = o.iommuDriver !== undefined ? { iommuDriver: o.iommuDriver } : {};
    const source: ModelSource = { kernel, scenario, ...recorded, ...selected, ...driver };
    return blamePatches(o.patches, () => {
      const model = buildKernelModel({ kernel, scenario, patches, ...selected, ...driver });
      return { label: `${kernel}/${scenario}${o.iommuDriver ? `[${o.iommuDriver}]` : ''}`, source, core: lowerModel(model), model };
    });
  });
}

/** The built-in model is well formed (its tests say so): a malformed patched model is the
 *  patches' doing, so its E_MODEL becomes E_PATCH naming them. */
function blamePatches<T>(patches: readonly string[], build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (patches.length && e instanceof ProbeError && e.code === 'E_MODEL') {
      throw new ProbeError('E_PATCH', `the model patched by ${patches.join(', ')} is malformed: ${e.message.split('\n')[0]}`);
    }
    // A patch file's edit can leave a step the model builder cannot read (a branch without
    // its assignments): the patch's fault, not a bug in probecheck.
    const files = patches.filter(isPatchPath);
    if (files.length && !(e instanceof ProbeError) && e instanceof TypeError) {
      throw new ProbeError('E_PATCH', `the model patched by ${files.join(', ')} cannot be built (a step, branch or expression it made is malformed): ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
}

function checkInvariantNames(core: CoreModel, names: readonly string[]): void {
  const valid = core.properties.filter((p) => p.kind !== 'witness').map((p) => p.name);
  for (const n of names) if (!valid.includes(n)) unknownName('E_UNKNOWN_INVARIANT', 'invariant', n, valid);
}

/** The options that rebuild the model of a trace header (one scenario). */
export function optionsOfSource(s: ModelSource): TargetOptions {
  return targetOptions({ model: s.model, set: s.set, kernel: s.kernel, scenario: s.scenario !== undefined ? [s.scenario] : [], patch: s.patches, invariant: s.invariants, iommuDriver: s.iommuDriver });
}

/** The options that rebuild a target, as command-line words. */
export function sourceArgs(s: ModelSource): string[] {
  if (s.model !== undefined) return ['--model', s.model, ...(s.set ?? []).flatMap((x) => ['--set', x])];
  return [
    ...(s.kernel ? ['--kernel', s.kernel] : []), ...(s.scenario ? ['--scenario', s.scenario] : []),
    ...(s.patches ?? []).flatMap((p) => ['--patch', p]),
    ...(s.iommuDriver ? ['--iommu-driver', s.iommuDriver] : []),
  ];
}

export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
