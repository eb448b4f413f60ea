/**
 * What to check: a classic model (`--model NAME --set KEY=VALUE`) or a kernel model
 * (`--kernel K --scenario S --patch P`), resolved once into lowered models. Impossible
 * combinations are rejected here, before any work.
 */
import { closest, fail, ProbeError, unknownName } from '../errors';
import type { CoreModel } from '../ir/core';
import type { Model } from '../ir/types';
import { lowerModel } from '../ir/lower';
import { buildKernelModel, DEFAULT_KERNEL, SCENARIOS } from '../model';
import { buildClassicModel } from '../examples';
import type { ModelSource } from '../trace/tracefile';
import { targetOptions } from './options';
import { isPatchPath, loadPatch } from './patch-loader';
import { recordPatches } from './patch-record';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { loadModelFile } from './model-file';
import * as path from 'node:path';
import { readScenarioFile, type ScenarioFile } from '../scenario-file/parse';

export interface TargetOptions {
  readonly model?: string;
  /** --model-file: a user's own IR model module (.ts/.js), like a classic model. */
  readonly modelFile?: string;
  readonly set: readonly string[];
  readonly kernel?: string;
  readonly scenarios: readonly string[];
  /** --scenario-file: scenarios read from YAML files, checked after the named ones. */
  readonly scenarioFiles?: readonly string[];
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
  if (o.model !== undefined && o.modelFile !== undefined) fail('E_USAGE', 'give --model (a built-in classic model) or --model-file (your own), not both');
  if (o.modelFile !== undefined) {
    const clash = [o.kernel !== undefined && '--kernel', o.scenarios.length > 0 && '--scenario', (o.scenarioFiles?.length ?? 0) > 0 && '--scenario-file', o.patches.length > 0 && '--patch', o.iommuDriver !== undefined && '--iommu-driver'].filter(Boolean);
    if (clash.length) fail('E_USAGE', `--model-file takes your own model; ${clash.join(', ')} ${clash.length > 1 ? 'apply' : 'applies'} only to the kernel model`);
    return;
  }
  if (o.model !== undefined) {
    const clash = [o.kernel !== undefined && '--kernel', o.scenarios.length > 0 && '--scenario', (o.scenarioFiles?.length ?? 0) > 0 && '--scenario-file', o.patches.length > 0 && '--patch', o.iommuDriver !== undefined && '--iommu-driver'].filter(Boolean);
    if (clash.length) fail('E_USAGE', `--model takes a classic model; ${clash.join(', ')} ${clash.length > 1 ? 'apply' : 'applies'} only to the kernel model`);
  } else if (o.set.length) {
    fail('E_USAGE', '--set sets a parameter of a classic model; give --model NAME');
  }
  const n = o.scenarios.length + (o.scenarioFiles?.length ?? 0);
  if (o.model === undefined && opts.scenarioRequired && n === 0) fail('E_USAGE', 'give --scenario (probecheck list scenarios) or --scenario-file');
  if (opts.oneScenario && n > 1) fail('E_USAGE', `give one --scenario or --scenario-file, got ${n}`);
}

/** The scenarios a kernel run covers: those given, or every default scenario. */
export function scenariosOf(o: TargetOptions): string[] {
  if (o.scenarios.length || o.scenarioFiles?.length) return [...o.scenarios];
  return SCENARIOS.filter((s) => s.defaultScenario).map((s) => s.name);
}

/**
 * Every target of the options: one classic model, or one kernel model per scenario. The one
 * place where the default kernel is filled in, patch files are loaded and --invariant names
 * are checked (a kernel model checks its own when it is built; a classic model has no such
 * check, so it is done here against its properties).
 */
export function resolveTargets(o: TargetOptions): Target[] {
  if (o.modelFile !== undefined) {
    const mf = loadModelFile(o.modelFile, o.set);
    const source: ModelSource = { model: mf.model.name, set: o.set, modelFile: mf.file, modelDigest: mf.digest };
    checkInvariantNames(mf.core, o.invariants);
    return [{ label: mf.model.name, source, core: mf.core, model: mf.model }];
  }
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
  const driver = o.iommuDriver !== undefined ? { iommuDriver: o.iommuDriver } : {};
  const named = scenariosOf(o).map((scenario) => {
    const source: ModelSource = { kernel, scenario, ...recorded, ...selected, ...driver };
    return blamePatches(o.patches, () => {
      const model = buildKernelModel({ kernel, scenario, patches, ...selected, ...driver });
      return { label: `${kernel}/${scenario}${o.iommuDriver ? `[${o.iommuDriver}]` : ''}`, source, core: lowerModel(model), model };
    });
  });
  const files = (o.scenarioFiles ?? []).map((file) => {
    const sf = readScenarioFile(file);
    const abs = path.resolve(file);
    const source: ModelSource = { kernel, scenario: sf.def.name, scenarioFile: abs, scenarioDigest: sf.digest, ...recorded, ...selected, ...driver };
    return blamePatches(o.patches, () => {
      const model = buildKernelModel({ kernel, scenario: sf.def, patches, ...selected, ...driver });
      const core = blameScenarioFile(sf, kernel, model, () => lowerModel(model));
      return { label: `${kernel}/${sf.def.name}${o.iommuDriver ? `[${o.iommuDriver}]` : ''}`, source, core, model };
    });
  });
  const all = [...named, ...files];
  const seen = new Set<string>();
  for (const t of all) {
    // Results go to one subfolder per scenario name: two targets must not share one.
    if (seen.has(t.source.scenario!)) fail('E_USAGE', `scenario '${t.source.scenario}' is given twice (a --scenario-file's name must differ from the other scenarios')`);
    seen.add(t.source.scenario!);
  }
  return all;
}

/** A file's witness that names a step label or field value the model does not have is found
 *  only when the model is lowered: point at the witness in the file. */
function blameScenarioFile<T>(sf: ScenarioFile, kernel: string, model: Model, lower: () => T): T {
  try {
    return lower();
  } catch (e) {
    if (e instanceof ProbeError && e.code === 'E_MODEL') {
      const m = /property (\w+): (.*)/.exec(e.message.split('\n')[0]);
      const at = m && sf.witnessAt[m[1]];
      if (at) {
        // A misspelt step label: the closest labels of that actor on this kernel.
        const l = /actor '(\w+)' has no label '(\w+)'/.exec(m[2]);
        const labels = l ? model.actors.find((a) => a.name === l[1])?.steps.map((st) => st.label) : undefined;
        const hint = l && labels ? ` (closest: ${closest(l[2], labels).join(', ')})` : '';
        const noActor = /unknown actor '(\w+)'/.exec(m[2]) ? ` (this kernel's actors: ${model.actors.map((a) => a.name).join(', ')})` : '';
        throw new ProbeError('E_SCENARIO_FILE', `${at}: witness ${m[1]} on kernel ${kernel}: ${m[2]}${hint}${noActor}`);
      }
    }
    throw e;
  }
}

/** Refuse to rebuild a recorded model whose scenario file or model file is gone or changed. */
export function checkRecordedScenario(where: string, s: ModelSource | undefined): void {
  if (s?.modelFile && s.modelDigest) {
    if (!fs.existsSync(s.modelFile)) fail('E_TRACE_FILE', `${where}: its model file ${s.modelFile} is gone; give --model-file with the same content`);
    const now = crypto.createHash('sha256').update(fs.readFileSync(s.modelFile)).digest('hex');
    if (now !== s.modelDigest) fail('E_TRACE_FILE', `${where}: its model file ${s.modelFile} changed since the trace was written (sha256 ${s.modelDigest.slice(0, 12)}, now ${now.slice(0, 12)}); the trace is of the old model`);
  }
  if (!s?.scenarioFile || !s.scenarioDigest) return;
  if (!fs.existsSync(s.scenarioFile)) fail('E_TRACE_FILE', `${where}: its scenario file ${s.scenarioFile} is gone; give --scenario-file with the same content`);
  const now = readScenarioFile(s.scenarioFile).digest;
  if (now !== s.scenarioDigest) fail('E_TRACE_FILE', `${where}: its scenario file ${s.scenarioFile} changed since the trace was written (sha256 ${s.scenarioDigest.slice(0, 12)}, now ${now.slice(0, 12)}); the trace is of the old scenario`);
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
  const file = s.scenarioFile !== undefined;
  if (s.modelFile !== undefined) return targetOptions({ modelFile: s.modelFile, set: s.set, invariant: s.invariants });
  return targetOptions({ model: s.model, set: s.set, kernel: s.kernel, scenario: s.scenario !== undefined && !file ? [s.scenario] : [], scenarioFile: file ? [s.scenarioFile!] : [], patch: s.patches, invariant: s.invariants, iommuDriver: s.iommuDriver });
}

/** The options that rebuild a target, as command-line words. */
export function sourceArgs(s: ModelSource): string[] {
  if (s.modelFile !== undefined) return ['--model-file', s.modelFile, ...(s.set ?? []).flatMap((x) => ['--set', x])];
  if (s.model !== undefined) return ['--model', s.model, ...(s.set ?? []).flatMap((x) => ['--set', x])];
  return [
    ...(s.kernel ? ['--kernel', s.kernel] : []), ...(s.scenarioFile ? ['--scenario-file', s.scenarioFile] : s.scenario ? ['--scenario', s.scenario] : []),
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
