/** probecheck replay TRACE: does a trace (ours or ITF) replay on a model, and where does it
 *  first diverge? Uses the same replay-by-name as verify-patch. */
import { Command } from 'commander';
import { fromItf } from '../../bridge/itf';
import { fail, ProbeError } from '../../errors';
import { initialState, successors, type PlainState } from '../../ir/interpret';
import type { CoreModel } from '../../ir/core';
import { replayStates } from '../../trace/replay';
import { holdsAtEnd, replayNames } from '../../trace/replay-names';
import { readableState } from '../../state/codec';
import { checkStateFields, type ModelSource, validateModelSource } from '../../trace/tracefile';
import { checkRecordedPatches } from '../patch-record';
import type { CommandFactory } from '../context';
import { addTargetOptions, type RawTarget, targetOptions } from '../options';
import type { Outcome } from '../outcome';
import { checkRecordedScenario, optionsOfSource, resolveTargets, type TargetOptions, validateTargetOptions } from '../target';
import { loadTrace } from '../tracefiles';

export interface ReplayOptions { readonly file: string; readonly target: TargetOptions; readonly json: boolean }

/** The model to replay on: the one given on the command line, else the one in the trace's
 *  header. The recorded --invariant selection decides which fields the model keeps. */
function replayOptions(o: TargetOptions, recorded?: ModelSource): TargetOptions {
  const given = o.model !== undefined || o.modelFile !== undefined || o.kernel !== undefined || o.scenarios.length > 0 || (o.scenarioFiles?.length ?? 0) > 0 || o.patches.length > 0;
  const invariants = recorded?.invariants ?? [];
  if (!given) {
    if (recorded) return optionsOfSource(recorded);
    fail('E_USAGE', 'an ITF trace needs the model: give --kernel K --scenario S [--patch P] or --model NAME [--set K=V]');
  }
  if (o.model !== undefined || o.modelFile !== undefined) return { ...o, invariants };
  const kernel = o.kernel ?? recorded?.kernel;
  if (o.scenarioFiles?.length) return { ...o, ...(kernel !== undefined ? { kernel } : {}), invariants };
  if (!o.scenarios.length && recorded?.scenarioFile) return { ...o, ...(kernel !== undefined ? { kernel } : {}), scenarioFiles: [recorded.scenarioFile], invariants };
  const scenario = o.scenarios[0] ?? recorded?.scenario ?? fail('E_USAGE', 'give --scenario');
  return { ...o, ...(kernel !== undefined ? { kernel } : {}), scenarios: [scenario], invariants };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The model an ITF trace written by probecheck records in its "#meta" (absent in others). */
function itfSource(file: string, json: unknown): ModelSource | undefined {
  const src = (json as { '#meta'?: { probecheckSource?: unknown } })['#meta']?.probecheckSource;
  return src === undefined ? undefined : validateModelSource(src, '"#meta.probecheckSource"', (msg) => fail('E_TRACE_FILE', `${file}: ${msg}`));
}

export function runReplay(o: ReplayOptions): Outcome {
  const loaded = loadTrace(o.file);
  const recorded = loaded.kind === 'probecheck' ? loaded.trace.source : itfSource(o.file, loaded.json);
  const given = o.target.model !== undefined || o.target.modelFile !== undefined || o.target.kernel !== undefined || o.target.scenarios.length > 0 || (o.target.scenarioFiles?.length ?? 0) > 0 || o.target.patches.length > 0;
  if (!given) checkRecordedPatches(o.file, recorded?.patchDigests);
  if (!given) checkRecordedScenario(o.file, recorded);
  const [target] = resolveTargets(replayOptions(o.target, recorded));
  const m = target.core;
  let states: PlainState[];
  let divergence: { step: number; name: string; reason: string; enabled: readonly string[] } | undefined;
  let total: number;
  let invariant: string | undefined;
  let compared = true;
  if (loaded.kind === 'probecheck') {
    const tr = loaded.trace;
    invariant = tr.invariant;
    total = tr.steps.length;
    // On the trace's own model every recorded state has exactly its fields.
    if (!given) checkStateFields(o.file, Object.keys(readableState(m, initialState(m))), tr.initial, tr.steps);
    const rep = replayNames(m, tr.steps.map((s) => s.action));
    states = rep.states;
    if (rep.divergence) divergence = rep.divergence;
    // Every replayed state must be the recorded one when the trace is of this model. A trace
    // of another kernel or patch set has other fields: it replays by step name only.
    const mine0 = Object.keys(readableState(m, states[0]));
    const rec0 = Object.keys(tr.initial as Record<string, unknown>);
    compared = same([...mine0].sort(), [...rec0].sort());
    const check = (i: number, recorded: unknown) => {
      const mine = readableState(m, states[i]) as Record<string, unknown>;
      const rec = recorded as Record<string, unknown>;
      return Object.keys(mine).find((k) => !same(mine[k], rec[k]));
    };
    const first = compared ? check(0, tr.initial) : undefined;
    if (first) divergence = { step: -1, name: '(initial state)', reason: `the initial state differs in ${first}`, enabled: [] };
    else if (compared) {
      for (let i = 1; i < states.length && !divergence; i++) {
        const diff = check(i, tr.steps[i - 1].state);
        if (diff) {
          states = states.slice(0, i);
          divergence = { step: i - 1, name: tr.steps[i - 1].action, reason: `step ${i} ${tr.steps[i - 1].action} leads to a state that differs from the recorded one in ${diff}`, enabled: [] };
        }
      }
    }
  } else {
    let itfStates: PlainState[];
    try {
      itfStates = fromItf(m, loaded.json);
    } catch (e) {
      if (e instanceof ProbeError) throw new ProbeError(e.code, `${o.file}: ${e.message}`);
      throw e;
    }
    total = itfStates.length - 1;
    // An ITF trace we wrote names its invariant; one from elsewhere (TLC) is checked against all.
    const named = (loaded.json as { '#meta'?: { invariant?: unknown } })['#meta']?.invariant;
    if (typeof named === 'string' && m.properties.some((p) => p.name === named)) invariant = named;
    const rep = replayStates(m, itfStates);
    states = rep.states;
    if (rep.divergence) {
      const i = rep.divergence.step;
      const metas = (loaded.json as { states: { '#meta'?: { action?: string } }[] }).states;
      const meta = metas[i + 1]?.['#meta'] as { action?: string; tlcAction?: string } | undefined;
      const name = i < 0 ? '(initial state)' : meta?.action ?? meta?.tlcAction ?? `state ${i} -> ${i + 1}`;
      const enabled = i < 0 ? [] : successorNames(m, states[states.length - 1]);
      divergence = { step: i, name, reason: rep.divergence.reason, enabled };
    }
  }
  const patches = target.source.model === undefined ? ` (patches: ${(target.source.patches ?? []).join(', ') || 'none'})` : '';
  const lines: string[] = [`replay ${o.file}${loaded.kind === 'itf' && loaded.tlc ? ' (TLC -dumpTrace json)' : ''} on ${target.label}${patches}:`];
  if (divergence) {
    lines.push(divergence.step < 0
      ? `  DIVERGES at the initial state: ${divergence.reason}`
      : `  DIVERGES at step ${divergence.step + 1} of ${total} (${divergence.name}): ${divergence.reason}`);
    if (divergence.step >= 0 && divergence.enabled.length) lines.push(`  enabled there: ${divergence.enabled.join(', ')}`);
    else if (divergence.step >= 0) lines.push('  enabled there: none');
    if (divergence.step >= 0) lines.push(`  the first ${divergence.step} step${divergence.step === 1 ? '' : 's'} replayed`);
    const doc = { file: o.file, model: target.label, ...(target.source.model === undefined ? { patches: [...(target.source.patches ?? [])] } : {}), replays: false, steps: total, divergence };
    return { exitCode: 1, stdout: o.json ? JSON.stringify(doc, null, 2) + '\n' : lines.join('\n') + '\n' };
  }
  lines.push(compared
    ? `  replays: all ${total} steps enabled, each leads to the recorded state`
    : `  replays: all ${total} steps enabled (by step name; states not compared: the trace was recorded on a model with other fields)`);
  let holds: boolean | undefined;
  if (invariant) {
    const p = m.properties.find((x) => x.name === invariant);
    if (p) {
      holds = holdsAtEnd(m, p, states);
      lines.push(`  at the end, ${invariant} ${holds ? 'holds' : 'is VIOLATED'}`);
    }
  }
  // A trace from elsewhere (ITF, TLC) names what fails at its end, whatever it was meant to show.
  const violatedAtEnd = loaded.kind === 'itf' ? violatedAt(m, states) : undefined;
  if (violatedAtEnd && !(invariant && violatedAtEnd.length === 1 && violatedAtEnd[0] === invariant)) {
    lines.push(violatedAtEnd.length ? `  at the end, VIOLATED: ${violatedAtEnd.join(', ')}` : '  at the end, every invariant holds');
  }
  const doc = {
    file: o.file, model: target.label, ...(target.source.model === undefined ? { patches: [...(target.source.patches ?? [])] } : {}),
    replays: true, steps: total, statesCompared: compared, ...(invariant ? { invariant, holdsAtEnd: holds } : {}), ...(violatedAtEnd ? { violatedAtEnd } : {}),
  };
  return { exitCode: 0, stdout: o.json ? JSON.stringify(doc, null, 2) + '\n' : lines.join('\n') + '\n' };
}

/** The properties (not witnesses) that fail at the end of a replayed trace, in model order. */
function violatedAt(m: CoreModel, states: readonly PlainState[]): string[] {
  return m.properties.filter((p) => p.kind !== 'witness' && !holdsAtEnd(m, p, states)).map((p) => p.name);
}

function successorNames(m: CoreModel, s: PlainState): string[] {
  return successors(m, s).map((x) => m.actions[x.action].name);
}

export const replayCommand: CommandFactory = (_ctx, done) => {
  const c = new Command('replay').description('replay a trace (probecheck JSON or ITF) on a model and say where it first diverges')
    .argument('<trace>', 'violation-<invariant>.json or .itf.json');
  addTargetOptions(c, { scenarioText: 'scenario (default: the one in a probecheck trace)' })
    .option('--json', 'print the result as one JSON document')
    .addHelpText('after', `
Example:
  probecheck replay results/run/violation-OwnerCountMatchesDmaApiBinders.json --kernel v6.6 --scenario probe-vs-register
Exit status: 0 replays fully, 1 diverges, 2 the file does not fit the model.`)
    .action((file: string, raw: RawTarget & { json?: boolean }) => {
      const target = targetOptions(raw);
      validateTargetOptions(target, { oneScenario: true });
      done(runReplay(Object.freeze({ file, target, json: Boolean(raw.json) })));
    });
  return c;
};
