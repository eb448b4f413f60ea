/**
 * What a run keeps of each violation, from ONE replay of its counterexample: probecheck's
 * trace (violation-<invariant>.json), the ITF trace (.itf.json) and the mail table (.txt).
 */
import { toItf, type ItfTrace } from '../bridge/itf';
import type { ExploreResult, Violation } from '../explorer/types';
import { formatMail } from '../trace/mail';
import { replayActions } from '../trace/replay';
import { buildTraceFile, stepDocs, type TraceFile } from '../trace/tracefile';
import { commandLine, sourceArgs, type Target } from './target';

/** violation-<invariant>, without an extension; the name made file-safe. */
export const traceFileName = (inv: string) => `violation-${inv.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

export interface ViolationArtifacts {
  readonly violation: Violation;
  /** File name without extension (traceFileName). */
  readonly stem: string;
  readonly trace: TraceFile;
  readonly itf: ItfTrace;
  readonly mail: string;
}

/** The one command line that reproduces a trace file. */
export function replayCommand(t: Target, traceFile: string): string {
  return commandLine(['probecheck', 'replay', traceFile, ...sourceArgs(t.source)]);
}

/** Every violation of `r` in every format. `dir` (the results folder, or null) goes into the
 *  command that reproduces the trace. */
export function violationArtifacts(t: Target, r: ExploreResult, dir: string | null): ViolationArtifacts[] {
  return r.violations.map((v) => {
    const { states, actions } = replayActions(t.core, v.actions);
    const stem = traceFileName(v.property);
    const file = `${dir ? dir.replace(/\/$/, '') + '/' : ''}${stem}.json`;
    const trace = buildTraceFile(t.core, t.source, v.property, states, actions, replayCommand(t, file), stepDocs(t.model));
    const itf = toItf(t.core, states, actions, {
      description: `probecheck counterexample: ${v.property} violated after ${v.length} steps`,
      source: t.label, invariant: v.property,
      // How to rebuild the model (with the --invariant selection, which decides its fields):
      // `probecheck replay` needs no options for this file.
      probecheckSource: t.source,
    });
    return { violation: v, stem, trace, itf, mail: formatMail(trace) };
  });
}
