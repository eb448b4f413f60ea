/**
 * --junit FILE: results as JUnit XML, the format every CI system shows natively. One test case
 * per kernel x scenario x invariant (and per witness); a violated invariant fails with its
 * race table (the mail format) as the failure's text; an invariant a stopped search did not
 * finish checking is skipped.
 */
import type { ExploreResult } from '../explorer/types';
import type { ViolationArtifacts } from '../cli/artifacts';
import type { Target } from '../cli/target';

export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly time: number;
  readonly failure?: { readonly message: string; readonly text: string };
  readonly skipped?: string;
}

export interface JunitSuite { readonly name: string; readonly cases: readonly JunitCase[] }

/** XML 1.0 text: the five escapes, and characters XML cannot carry at all dropped. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export function junitXml(suites: readonly JunitSuite[]): string {
  const count = (f: (c: JunitCase) => boolean) => suites.reduce((n, s) => n + s.cases.filter(f).length, 0);
  const time = (cs: readonly JunitCase[]) => cs.reduce((n, c) => n + c.time, 0).toFixed(3);
  const all = suites.flatMap((s) => s.cases);
  const L = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="probecheck" tests="${all.length}" failures="${count((c) => !!c.failure)}" errors="0" skipped="${count((c) => !!c.skipped)}" time="${time(all)}">`];
  for (const s of suites) {
    L.push(`  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${s.cases.filter((c) => c.failure).length}" errors="0" skipped="${s.cases.filter((c) => c.skipped).length}" time="${time(s.cases)}">`);
    for (const c of s.cases) {
      const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${c.time.toFixed(3)}"`;
      if (c.failure) L.push(`${open}>`, `      <failure message="${xmlEscape(c.failure.message)}" type="violation">${xmlEscape(c.failure.text)}</failure>`, '    </testcase>');
      else if (c.skipped) L.push(`${open}>`, `      <skipped message="${xmlEscape(c.skipped)}"/>`, '    </testcase>');
      else L.push(`${open}/>`);
    }
    L.push('  </testsuite>');
  }
  L.push('</testsuites>');
  return L.join('\n') + '\n';
}

/** What a run tells JUnit: its checked invariants, violations (with race tables), witnesses. */
export interface RunCases {
  readonly classname: string;
  readonly seconds: number;
  readonly complete: boolean;
  /** Why a search that is not complete stopped (the skip message). */
  readonly stopped?: string;
  readonly checked: readonly string[];
  readonly violations: ReadonlyMap<string, { length: number; table: string }>;
  readonly witnesses: readonly { name: string; reached: boolean }[];
}

export function casesOf(r: RunCases): JunitCase[] {
  const per = r.seconds / Math.max(1, r.checked.length + r.witnesses.length);
  const out: JunitCase[] = r.checked.map((inv) => {
    const v = r.violations.get(inv);
    if (v) return { classname: r.classname, name: inv, time: per, failure: { message: `${inv} violated after ${v.length} steps`, text: v.table } };
    return { classname: r.classname, name: inv, time: per, ...(r.complete ? {} : { skipped: `${r.stopped ?? 'search incomplete'}: holds up to the depth reached` }) };
  });
  for (const w of r.witnesses) {
    const name = `witness ${w.name}`;
    if (w.reached) out.push({ classname: r.classname, name, time: per });
    else if (!r.complete) out.push({ classname: r.classname, name, time: per, skipped: `${r.stopped ?? 'search incomplete'}: not reached yet` });
    else out.push({ classname: r.classname, name, time: per, failure: { message: `witness ${w.name} not reached`, text: `${w.name}: a state the scenario must reach is unreachable (a fix that stops every probe, or a modelling bug)` } });
  }
  return out;
}

/** The classname of a target: `v6.6/probe-vs-register` (+patches, [driver]). */
export function classnameOf(t: Target): string {
  const p = t.source.patches?.length ? '+' + t.source.patches.join('+') : '';
  return `${t.label}${p}`;
}

/** One explored target's cases, from the artifacts the run already built. */
export function targetCases(t: Target, r: ExploreResult, arts: readonly ViolationArtifacts[]): JunitCase[] {
  return casesOf({
    classname: classnameOf(t), seconds: r.seconds, complete: r.stopReason === 'complete', checked: r.checked,
    stopped: r.stopReason === 'violation' ? 'search stopped at the first violation (--continue checks the rest)' : `search incomplete (${r.stopReason})`,
    violations: new Map(arts.map((a) => [a.violation.property, { length: a.violation.length, table: a.mail }])),
    witnesses: r.witnesses,
  });
}
