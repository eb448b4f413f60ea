/**
 * probecheck verify-patch: check the baseline and the patched model of each scenario, replay
 * each baseline counterexample on the patched model by step name, and say per invariant:
 * fixed, still violated, introduced, holds. A witness the patched model no longer reaches
 * fails the verdict: a patch that stops every probe would otherwise "fix" every race.
 */
import { Command } from 'commander';
import type { ExploreResult, Verdict } from '../../explorer/types';
import { fail } from '../../errors';
import { holdsAtEnd, replayNames } from '../../trace/replay-names';
import type { CliContext, CommandFactory } from '../context';
import { addLimitOptions, type ExploreLimits, limitsOf, type RawLimits, workersWarning } from '../limits';
import { addTargetOptions, PROGRESS_TEXT, QUIET_TEXT, type RawTarget, targetOptions } from '../options';
import { exitCodeOf, exploredAll, type Outcome, worstVerdict } from '../outcome';
import { exploreTarget, searchView } from '../run';
import { resolveTargets, type Target, type TargetOptions } from '../target';
import { violationArtifacts } from '../artifacts';
import { addReportOptions, finishReports } from '../../report/cli';
import { targetCases, type JunitCase } from '../../report/junit';

export interface VerifyOptions {
  readonly target: TargetOptions;
  readonly limits: ExploreLimits;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly junit?: string;
  readonly progress?: boolean;
}

type RowVerdict = 'fixed' | 'still violated' | 'introduced' | 'holds';

interface Side { holds: boolean; length?: number }
interface ReplayResult { outcome: 'blocked' | 'holds' | 'still violates'; step?: number; stepName?: string; reason?: string }
interface Row { invariant: string; baseline: Side; patched: Side; verdict: RowVerdict; replay?: ReplayResult }

type ReportVerdict = 'pass' | 'fail' | 'incomplete' | 'model-error';

/** A report's verdict as the explorer's, for the shared order and exit codes: a patched model
 *  that violates something or misses a witness fails like a violation (exit 1). */
const AS_VERDICT: Record<ReportVerdict, Verdict> = { pass: 'pass', fail: 'violation', incomplete: 'incomplete', 'model-error': 'model-error' };

interface SideCounts { verdict: string; stopReason: string; complete: boolean; interrupted?: string; distinct: number; generated: number; depth: number; seconds: number }

interface ScenarioReport {
  scenario: string;
  verdict: ReportVerdict;
  /** Why the verdict is not PASS, in one line (FAIL: what was introduced or lost; INCOMPLETE: which side stopped). */
  reason?: string;
  baseline: SideCounts;
  /** Absent when the patched model was not explored (the baseline was interrupted). */
  patched?: SideCounts;
  invariants: Row[];
  /** Per witness: reached by the baseline, by the patched model; `lost` when only the patch misses it. */
  witnesses: { name: string; reached: boolean; baseline: boolean; lost: boolean }[];
}

const side = (r: ExploreResult, inv: string): Side => {
  const v = r.violations.find((x) => x.property === inv);
  return v ? { holds: false, length: v.length } : { holds: true };
};
const showSide = (s: Side) => (s.holds ? 'holds' : `VIOLATED (${s.length})`);
const counts = (r: ExploreResult, signal?: string): SideCounts => ({
  verdict: r.verdict, stopReason: r.stopReason, complete: exploredAll(r.stopReason),
  ...(r.stopReason === 'interrupted' ? { interrupted: signal ?? 'SIGINT' } : {}),
  distinct: r.distinct, generated: r.generated, depth: r.depth, seconds: r.seconds,
});
const stopped = (c: SideCounts) => (c.interrupted ? `interrupted by ${c.interrupted}` : `stopped by --${c.stopReason}`);

export function compare(base: Target, rb: ExploreResult, patched: Target, rp: ExploreResult, scenario: string, signal?: string): ScenarioReport {
  const names = [...rb.checked, ...rp.checked.filter((n) => !rb.checked.includes(n))];
  const rows: Row[] = names.map((inv) => {
    const b = side(rb, inv), p = side(rp, inv);
    const verdict: RowVerdict = !b.holds ? (p.holds ? 'fixed' : 'still violated') : p.holds ? 'holds' : 'introduced';
    const row: Row = { invariant: inv, baseline: b, patched: p, verdict };
    const bv = rb.violations.find((x) => x.property === inv);
    if (bv) {
      const stepNames = bv.actions.map((id) => base.core.actions[id].name);
      const rep = replayNames(patched.core, stepNames);
      const prop = patched.core.properties.find((x) => x.name === inv);
      if (rep.divergence) {
        row.replay = {
          outcome: 'blocked', step: rep.divergence.step + 1, stepName: rep.divergence.name,
          reason: `${rep.divergence.reason}; enabled there: ${rep.divergence.enabled.join(', ') || 'none'}`,
        };
      } else if (prop && !holdsAtEnd(patched.core, prop, rep.states)) {
        row.replay = { outcome: 'still violates' };
      } else {
        row.replay = { outcome: 'holds' };
      }
    }
    return row;
  });
  // Like with like: a witness the baseline never reaches is not the patch's doing.
  const witnesses = rp.witnesses.map((w) => {
    const baseline = rb.witnesses.find((x) => x.name === w.name)?.reached ?? false;
    return { name: w.name, reached: w.reached, baseline, lost: baseline && !w.reached };
  });
  const cb = counts(rb, signal), cp = counts(rp, signal);
  const why = [
    ...rows.filter((x) => x.verdict === 'introduced').map((x) => `introduces ${x.invariant} (${x.patched.length} steps)`),
    ...rows.filter((x) => x.verdict === 'still violated').map((x) => `${x.invariant} still violated (${x.patched.length} steps)`),
    ...witnesses.filter((w) => w.lost).map((w) => `witness ${w.name} no longer reached (the baseline reaches it)`),
  ];
  let verdict: ReportVerdict;
  let reason: string | undefined;
  if (rp.verdict === 'model-error' || rb.verdict === 'model-error') {
    verdict = 'model-error';
    reason = `model error in the ${rb.verdict === 'model-error' ? 'baseline' : 'patched model'}`;
  } else if (rows.some((x) => x.verdict === 'still violated' || (x.verdict === 'introduced' && cb.complete))) {
    // A violation of the patched model is real even if a side stopped early; "introduced"
    // needs the whole baseline (it might violate it further on).
    verdict = 'fail';
    reason = why.join('; ');
  } else if (!cb.complete || !cp.complete) {
    verdict = 'incomplete';
    reason = [!cb.complete && `the baseline was ${stopped(cb)}`, !cp.complete && `the patched model was ${stopped(cp)}`].filter(Boolean).join('; ') + ': not the whole space, no verdict';
  } else if (why.length) {
    verdict = 'fail';
    reason = why.join('; ');
  } else {
    verdict = 'pass';
  }
  return { scenario, verdict, ...(reason ? { reason } : {}), baseline: cb, patched: cp, invariants: rows, witnesses };
}

/** The baseline was interrupted: the patched model is not explored, and nothing is compared. */
function interruptedReport(rb: ExploreResult, scenario: string, signal: string | undefined): ScenarioReport {
  const cb = counts(rb, signal);
  return { scenario, verdict: 'incomplete', reason: `the baseline was ${stopped(cb)}; the patched model was not explored`, baseline: cb, invariants: [], witnesses: [] };
}

const sideText = (c: SideCounts) => `${c.distinct} distinct states, depth ${c.depth}${c.complete ? '' : ` (INCOMPLETE: ${stopped(c)})`}`;

function formatReport(kernel: string, patches: readonly string[], r: ScenarioReport): string {
  const L: string[] = [];
  L.push(`== verify-patch: kernel ${kernel}, scenario ${r.scenario}, patches ${patches.join(', ')}`);
  L.push(`baseline: ${sideText(r.baseline)}; patched: ${r.patched ? sideText(r.patched) : 'not explored (the baseline was interrupted)'}`);
  if (r.invariants.length) {
    const w0 = Math.max(9, ...r.invariants.map((x) => x.invariant.length));
    const w1 = Math.max(8, ...r.invariants.map((x) => showSide(x.baseline).length));
    const w2 = Math.max(7, ...r.invariants.map((x) => showSide(x.patched).length));
    L.push(`${'invariant'.padEnd(w0)} | ${'baseline'.padEnd(w1)} | ${'patched'.padEnd(w2)} | verdict`);
    L.push(`${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-${'-'.repeat(14)}`);
    for (const x of r.invariants) L.push(`${x.invariant.padEnd(w0)} | ${showSide(x.baseline).padEnd(w1)} | ${showSide(x.patched).padEnd(w2)} | ${x.verdict}`);
  }
  const replays = r.invariants.filter((x) => x.replay);
  if (replays.length) {
    L.push('baseline counterexamples replayed on the patched model (by step name):');
    for (const x of replays) {
      const rp = x.replay!;
      L.push(`  ${x.invariant}: ${rp.outcome === 'blocked' ? `blocked by the patch at step ${rp.step} of ${x.baseline.length}: ${rp.reason}` : rp.outcome === 'holds' ? `replays to its end; ${x.invariant} holds there` : `replays to its end and STILL VIOLATES ${x.invariant}`}`);
    }
  }
  if (r.witnesses.length) {
    const w0 = Math.max(9, ...r.witnesses.map((x) => x.name.length));
    L.push('witnesses of the patched model:');
    for (const w of r.witnesses) {
      L.push(`  ${w.name.padEnd(w0)} ${w.reached ? 'reached' : w.lost ? 'NOT reached (the baseline reaches it: the patch makes it unreachable, not a fix)' : 'not reached (nor by the baseline: not the patch\'s doing)'}`);
    }
  }
  const head = r.verdict === 'pass' ? 'PASS: the patched model violates nothing and reaches every witness the baseline reaches' : r.verdict.toUpperCase();
  L.push(`verdict: ${head}${r.reason ? `: ${r.reason}` : ''}`);
  return L.join('\n') + '\n';
}

export async function runVerify(o: VerifyOptions, ctx: CliContext): Promise<Outcome> {
  const { patches } = o.target;
  if (patches.length === 0) fail('E_USAGE', 'verify-patch needs at least one --patch');
  // Resolve every name before exploring anything.
  const base = resolveTargets({ ...o.target, patches: [] });
  const patched = resolveTargets(o.target);
  const kernel = base[0].source.kernel as string;
  const pairs = base.map((b, i) => ({ scenario: b.source.scenario as string, base: b, patched: patched[i] }));
  const reports: ScenarioReport[] = [];
  let human = '';
  const cases: JunitCase[] = [];
  const view = searchView(ctx, o);
  for (const p of pairs) {
    if (ctx.stop.received) break;
    const rb = await exploreTarget(p.base, o.limits, ctx, view);
    let rep: ScenarioReport;
    if (rb.interrupted) {
      rep = interruptedReport(rb.result, p.scenario, ctx.stop.received);
    } else {
      const rp = await exploreTarget(p.patched, o.limits, ctx, view);
      rep = compare(p.base, rb.result, p.patched, rp.result, p.scenario, ctx.stop.received);
      // JUnit shows the patched model: its counterexamples carry their race tables.
      if (o.junit !== undefined) cases.push(...targetCases(p.patched, rp.result, violationArtifacts(p.patched, rp.result, null)));
    }
    reports.push(rep);
    human += (human ? '\n' : '') + formatReport(kernel, patches, rep);
  }
  const all = reports.length === pairs.length;
  const worst = worstVerdict([...reports.map((r) => AS_VERDICT[r.verdict]), ...(all ? [] : ['incomplete' as const])]);
  const verdict = reports.find((r) => AS_VERDICT[r.verdict] === worst)?.verdict ?? (all ? 'pass' : 'incomplete');
  const exitCode = ctx.stop.exitCode ?? exitCodeOf(worst);
  if (!all) human += `verify-patch INCOMPLETE: interrupted by ${ctx.stop.received}; ${reports.length} of ${pairs.length} scenarios reported\n`;
  const rep = finishReports({ html: false, ...(o.junit !== undefined ? { junit: o.junit } : {}) }, null, 'probecheck verify-patch', cases);
  human += rep.human;
  if (o.json) {
    const doc = { verdict, complete: all && reports.every((r) => r.verdict !== 'incomplete'), ...(ctx.stop.received ? { interrupted: ctx.stop.received } : {}), kernel, patches: [...patches], scenarios: reports };
    return { exitCode, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: (o.quiet ? '' : human) + rep.notes };
  }
  return { exitCode, stdout: o.quiet ? verdict + '\n' : human, ...(rep.notes ? { stderr: rep.notes } : {}) };
}

export const verifyPatchCommand: CommandFactory = (ctx, done) => {
  const c = new Command('verify-patch').description('check a patch: baseline vs patched model, per invariant fixed / still violated / introduced');
  addTargetOptions(c, { classic: false, scenarioText: 'scenario (repeatable; default: every default scenario)' });
  addLimitOptions(c, ['workers', 'max-states', 'max-seconds', 'max-memory', 'reduce']);
  addReportOptions(c, null)
    .option('--json', 'print one JSON document on stdout')
    .option('--quiet', QUIET_TEXT)
    .option('--progress', PROGRESS_TEXT)
    .addHelpText('after', `
Examples:
  probecheck verify-patch --kernel v4.20-rc1 --scenario ipmmu-early-free --patch ipmmu-free-guard
  probecheck verify-patch --kernel v6.15 --scenario probe-vs-register --patch ./fix.ts
Exit status: 0 the patched model violates nothing and reaches every witness the baseline
reaches, 1 otherwise (the verdict line says why), 2 bad input, 3 incomplete (a limit stopped
a side); 130/143/129 stopped by Ctrl-C/SIGTERM/SIGHUP.`)
    .action(async (raw: RawTarget & RawLimits & { json?: boolean; quiet?: boolean; progress?: boolean; junit?: string }) => {
      const o: VerifyOptions = Object.freeze({
        target: targetOptions(raw),
        limits: limitsOf(raw, { continueAfterViolation: true }), json: Boolean(raw.json), quiet: Boolean(raw.quiet), progress: Boolean(raw.progress),
        ...(raw.junit !== undefined ? { junit: raw.junit } : {}),
      });
      const w = workersWarning(raw);
      if (w) ctx.progress(w, false);
      done(await runVerify(o, ctx));
    });
  return c;
};
