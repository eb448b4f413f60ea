/** probecheck trace FILE: show a counterexample as a mail race table, text, JSON or ITF. */
import { Command, Option } from 'commander';
import { toItf } from '../../bridge/itf';
import { fail } from '../../errors';
import { formatMail, formatText } from '../../trace/mail';
import { formatRepro } from '../../trace/repro';
import { replayNames } from '../../trace/replay-names';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';
import { checkRecordedScenario, optionsOfSource, resolveTargets } from '../target';
import { loadTrace } from '../tracefiles';
import { checkRecordedPatches } from '../patch-record';

export type TraceFormat = 'lkml' | 'text' | 'json' | 'itf' | 'repro';

export function runTrace(file: string, format: TraceFormat): Outcome {
  const t = loadTrace(file);
  if (t.kind === 'itf') {
    if (format === 'itf') return { exitCode: 0, stdout: JSON.stringify(t.json, null, 2) + '\n' };
    fail('E_TRACE_FILE', `${file}: an ITF trace; --format ${format} reads probecheck traces (violation-<invariant>.json)`);
  }
  const tr = t.trace;
  switch (format) {
    case 'lkml': return { exitCode: 0, stdout: formatMail(tr) };
    case 'text': return { exitCode: 0, stdout: formatText(tr) };
    case 'repro': return { exitCode: 0, stdout: formatRepro(tr) };
    case 'json': return { exitCode: 0, stdout: JSON.stringify(tr, null, 2) + '\n' };
    case 'itf': {
      // The whole model, as for any ITF trace: its replay is given no --invariant either.
      checkRecordedPatches(file, tr.source.patchDigests);
      checkRecordedScenario(file, tr.source);
      const [target] = resolveTargets({ ...optionsOfSource(tr.source), invariants: [] });
      const rep = replayNames(target.core, tr.steps.map((s) => s.action));
      if (rep.divergence) fail('E_TRACE_FILE', `${file}: does not replay on its model (${rep.divergence.reason}); see probecheck replay`);
      const itf = toItf(target.core, rep.states, rep.actions, { description: `probecheck counterexample: ${tr.invariant}`, source: file, invariant: tr.invariant });
      return { exitCode: 0, stdout: JSON.stringify(itf, null, 2) + '\n' };
    }
  }
}

export const traceCommand: CommandFactory = (_ctx, done) =>
  new Command('trace').description('show a counterexample: a mail race table (lkml), text, JSON, ITF, or a reproducer recipe for a real kernel (repro)')
    .argument('<file>', 'a violation-<invariant>.json written by probecheck check')
    .addOption(new Option('--format <format>', 'output format').choices(['lkml', 'text', 'json', 'itf', 'repro']).default('lkml'))
    .addHelpText('after', `
Example:
  probecheck trace results/20250107-063142-v6.6-probe-vs-register/violation-OwnerCountMatchesDmaApiBinders.json`)
    .action((file: string, raw: { format: TraceFormat }) => { done(runTrace(file, raw.format)); });
