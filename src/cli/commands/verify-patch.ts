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
import { addLimitOptions, type ExploreLimits, limitsOf } from '../limits';
import { addTargetOptions, type RawTarget, targetOptions } from '../options';
import { exitCodeOf, type Outcome, worstVerdict } from '../outcome';
import { exploreTarget } from '../run';
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
}

type RowVerdict = 'fixed' | 'still violated' | 'introduced' | 'holds';

interface Side { holds: boolean; length?: number }
interface ReplayResult { outcome: 'blocked' | 'holds' | 'still violates'; step?: number; stepName?: string; reason?: string }
interface Row { invariant: string; baseline: Side; patched: Side; verdict: RowVerdict; replay?: ReplayResult }

type ReportVerdict = 'pass' | 'fail' | 'incomplete' | 'model-error';

/** A report's verdict as the explorer's, for the shared order and exit codes: a patched model
 *  that violates something or misses a witness fails like a violation (exit 1). */
const AS_VERDICT: Record<ReportVerdict, Verdict> = { pass: 'pass', fail: 'violation', incomplete: 'incomplete', 'model-error': 'model-error' };

interface ScenarioReport {
  scenario: string;
  verdict: ReportVerdict;
  baseline: { verdict: string; distinct: number; generated: number; depth: number; seconds: number };
  patched: { verdict: string; distinct: number; generated: number; depth: number; seconds: number };
  invariants: Row[];
  witnesses: { name: string; reached: boolean }[];
}

const side = (r: ExploreResult, inv: string): Side => {
  const v = r.violations.find((x) => x.property === inv);
  return v ? { holds: false, length: v.length } : { holds: true };
};
const showSide = (s: Side) => (s.holds ? 'holds' : `VIOLATED (${s.length})`);
const counts = (r: ExploreResult) => ({ verdict: r.verdict, distinct: r.distinct, generated: r.generated, depth: r.depth, seconds: r.seconds });

export function compare(base: Target, rb: ExploreResult, patched: Target, rp: ExploreResult, scenario: string): ScenarioReport {
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
  const bad = rp.violations.length > 0 || rp.witnesses.some((w) => !w.reached);
  const verdict = rp.verdict === 'model-error' ? 'model-error' : bad ? 'fail' : rp.stopReason !== 'complete' ? 'incomplete' : 'pass';
  return {
    scenario, verdict, baseline: counts(rb), patched: counts(rp), invariants: rows,
    witnesses: rp.witnesses.map((w) => ({ name: w.name, reached: w.reached })),
  };
}

function formatReport(kernel: string, patches: readonly string[], r: ScenarioReport): string {
  const L: string[] = [];
  L.push(`== verify-patch: kernel ${kernel}, scenario ${r.scenario}, patches ${patches.join(', ')}`);
  L.push(`baseline: ${r.baseline.distinct} distinct states, depth ${r.baseline.depth}; patched: ${r.patched.distinct} distinct states, depth ${r.patched.depth}${r.patched.verdict === 'incomplete' ? ' (INCOMPLETE)' : ''}`);
  const w0 = Math.max(9, ...r.invariants.map((x) => x.invariant.length));
  const w1 = Math.max(8, ...r.invariants.map((x) => showSide(x.baseline).length));
  const w2 = Math.max(7, ...r.invariants.map((x) => showSide(x.patched).length));
  L.push(`${'invariant'.padEnd(w0)} | ${'baseline'.padEnd(w1)} | ${'patched'.padEnd(w2)} | verdict`);
  L.push(`${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(w2)}-+-${'-'.repeat(14)}`);
  for (const x of r.invariants) L.push(`${x.invariant.padEnd(w0)} | ${showSide(x.baseline).padEnd(w1)} | ${showSide(x.patched).padEnd(w2)} | ${x.verdict}`);
  const replays = r.invariants.filter((x) => x.replay);
  if (replays.length) {
    L.push('baseline counterexamples replayed on the patched model (by step name):');
    for (const x of replays) {
      const rp = x.replay!;
      L.push(`  ${x.invariant}: ${rp.outcome === 'blocked' ? `blocked by the patch at step ${rp.step} of ${x.baseline.length}: ${rp.reason}` : rp.outcome === 'holds' ? `replays to its end; ${x.invariant} holds there` : `replays to its end and STILL VIOLATES ${x.invariant}`}`);
    }
  }
  if (r.witnesses.length) {
    L.push('witnesses of the patched model:');
    for (const w of r.witnesses) L.push(`  ${w.name.padEnd(w0)} ${w.reached ? 'reached' : 'NOT reached (the patch makes this state unreachable: not a fix)'}`);
  }
  L.push(`verdict: ${r.verdict === 'pass' ? 'PASS: the patched model violates nothing and reaches every witness' : r.verdict === 'fail' ? 'FAIL' : r.verdict.toUpperCase()}`);
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
  for (const p of pairs) {
    const rb = await exploreTarget(p.base, o.limits, ctx, o.quiet);
    const rp = rb.interrupted ? rb : await exploreTarget(p.patched, o.limits, ctx, o.quiet);
    const rep = compare(p.base, rb.result, p.patched, rp.result, p.scenario);
    if (rb.interrupted || rp.interrupted) rep.verdict = 'incomplete';
    reports.push(rep);
    // JUnit shows the patched model: its counterexamples carry their race tables.
    if (o.junit !== undefined) cases.push(...targetCases(p.patched, rp.result, violationArtifacts(p.patched, rp.result, null)));
    human += (human ? '\n' : '') + formatReport(kernel, patches, rep);
    if (rb.interrupted || rp.interrupted) break;
  }
  const worst = worstVerdict(reports.map((r) => AS_VERDICT[r.verdict]));
  const verdict = reports.find((r) => AS_VERDICT[r.verdict] === worst)?.verdict ?? 'pass';
  const exitCode = exitCodeOf(worst);
  const rep = finishReports({ html: false, ...(o.junit !== undefined ? { junit: o.junit } : {}) }, null, 'probecheck verify-patch', cases);
  human += rep.human;
  if (o.json) {
    const doc = { verdict, kernel, patches: [...patches], scenarios: reports };
    return { exitCode, stdout: JSON.stringify(doc, null, 2) + '\n', stderr: (o.quiet ? '' : human) + rep.notes };
  }
  return { exitCode, stdout: human, ...(rep.notes ? { stderr: rep.notes } : {}) };
}

export const verifyPatchCommand: CommandFactory = (ctx, done) => {
  const c = new Command('verify-patch').description('check a patch: baseline vs patched model, per invariant fixed / still violated / introduced');
  addTargetOptions(c, { classic: false, scenarioText: 'scenario (repeatable; default: every default scenario)' });
  addLimitOptions(c, ['workers']);
  addReportOptions(c, null)
    .option('--json', 'print one JSON document on stdout')
    .option('--quiet', 'no progress')
    .addHelpText('after', `
Examples:
  probecheck verify-patch --kernel v4.20-rc1 --scenario ipmmu-early-free --patch ipmmu-free-guard
  probecheck verify-patch --kernel v6.15 --scenario probe-vs-register --patch ./fix.ts
Exit status: 0 the patched model violates nothing and reaches every witness, 1 otherwise,
2 bad input, 3 incomplete.`)
    .action(async (raw: RawTarget & { workers?: number; json?: boolean; quiet?: boolean; junit?: string }) => {
      const o: VerifyOptions = Object.freeze({
        target: targetOptions(raw),
        limits: limitsOf(raw, { continueAfterViolation: true }), json: Boolean(raw.json), quiet: Boolean(raw.quiet),
        ...(raw.junit !== undefined ? { junit: raw.junit } : {}),
      });
      done(await runVerify(o, ctx));
    });
  return c;
};
