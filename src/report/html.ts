/**
 * report.html: one self-contained page (inline CSS and a few lines of JS, no network). A check
 * shows each run's verdict per invariant and witness, and each counterexample as a swimlane:
 * one lane per actor, one row per step, the step's kernel function, the fields it changed
 * (highlighted, also in the full state it leads to) and the locks its actor holds after it.
 * A matrix shows the kernels x scenarios grid in verdict colours and what changed since the
 * document it was compared with. The page's classes and data-* attributes are its test API.
 */
import type { TraceFile, TraceStep } from '../trace/tracefile';
import type { RunSummary } from '../cli/run';
import { cellKey } from '../matrix/doc';
import type { CheckRun, ReportInput } from './load';
import type { MatrixRow } from '../cli/commands/matrix';
import { worstVerdict } from '../cli/outcome';
import type { Verdict } from '../explorer/types';

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}h3{margin:1.2em 0 .4em}
code{font-family:ui-monospace,monospace;font-size:.92em}
.badge{display:inline-block;padding:.1em .6em;border-radius:.8em;color:#fff;font-weight:600;font-size:.85em}
.v-pass{background:#2e7d32}.v-violation{background:#c62828}.v-witness-failure{background:#ef6c00}.v-incomplete{background:#757575}.v-model-error{background:#6a1b9a}.v-missing{background:#bbb}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
tr.violated td.res,tr.not-reached td.res{color:#c62828;font-weight:600}tr.holds td.res,tr.reached td.res{color:#2e7d32}
.swimlane{display:grid;gap:4px 8px;margin:.5em 0;align-items:start}
.lane-head{position:sticky;top:0;background:#37474f;color:#fff;padding:.3em .5em;font-weight:600;border-radius:3px}
.step{background:#fff;border:1px solid #b0bec5;border-left:4px solid #546e7a;border-radius:3px;padding:.3em .5em;cursor:pointer}
.step.last{border-left-color:#c62828}.step .n{color:#888;margin-right:.3em}.step .fn{font-weight:600}
.step .lbl{color:#666;font-size:.85em}.field.changed{background:#fff59d;border-radius:2px;padding:0 .2em;display:inline-block;margin:.1em .2em 0 0}
.lock{font-size:.85em;color:#6d4c41}
.state{display:none;font-size:.8em;max-height:20em;overflow:auto;background:#f5f5f5;margin-top:.3em}.step.open .state{display:block}
.state .changed{background:#fff59d}
.grid td.cell{text-align:center;font-weight:600;color:#fff}.grid td.changed{outline:3px solid #ffb300;outline-offset:-3px}
.missing{color:#c62828}
`;

const JS = `
document.querySelectorAll('.step').forEach(function(s){s.addEventListener('click',function(){s.classList.toggle('open')})});
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>\n${body}\n<script>${JS}</script></body></html>\n`;
}

const badge = (v: string) => `<span class="badge v-${esc(v)}" data-verdict="${esc(v)}">${esc(v)}</span>`;

/** The name of a changed field: `dev.device_lock[D]` of `dev.device_lock[D]=C[D]`. */
export const changedField = (change: string) => { const i = change.indexOf('='); return i < 0 ? change : change.slice(0, i); };

/** The state as `name[slot]` -> shown value, the way changes name fields. */
export function flatState(state: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (typeof state !== 'object' || state === null) return out;
  for (const [k, v] of Object.entries(state as Record<string, unknown>)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const [i, x] of Object.entries(v)) out.push([`${k}[${i}]`, JSON.stringify(x)]);
    else out.push([k, JSON.stringify(v)]);
  }
  return out;
}

/** Locks the actor holds in a state: a field named *lock / *mutex whose value is the actor. */
export function locksHeld(state: unknown, actor: string): string[] {
  return flatState(state).filter(([k, v]) => /(lock|mutex)(\[|$)/.test(k) && v === JSON.stringify(actor)).map(([k]) => k);
}

/** A step by its position `n` (1-based): the file's own numbering is data, not markup. */
function stepHtml(s: TraceStep, n: number, col: number, last: boolean): string {
  const changed = new Set(s.changes.map(changedField));
  const locks = locksHeld(s.state, s.actor);
  const state = flatState(s.state).map(([k, v]) => `<div${changed.has(k) ? ' class="changed"' : ''}><code>${esc(k)} = ${esc(v)}</code></div>`).join('');
  return `<div class="step${last ? ' last' : ''}" data-step="${n}" data-actor="${esc(s.actor)}" style="grid-column:${col};grid-row:${n + 1}">` +
    `<div><span class="n">${n}</span><code class="fn">${esc(s.function ?? s.label)}</code> <span class="lbl">[${esc(s.label)}]${s.file ? ' ' + esc(s.file) : ''}</span></div>` +
    (s.changes.length ? `<div class="changes">${s.changes.map((c) => `<code class="field changed" data-field="${esc(changedField(c))}">${esc(c)}</code>`).join('')}</div>` : '') +
    (locks.length ? `<div class="lock" data-locks="${esc(locks.join(' '))}">holds ${locks.map((l) => `<code>${esc(l)}</code>`).join(', ')}</div>` : '') +
    `<div class="state">${state}</div></div>`;
}

export function swimlane(t: TraceFile): string {
  const actors: string[] = [];
  for (const s of t.steps) if (!actors.includes(s.actor)) actors.push(s.actor);
  const heads = actors.map((a, i) => `<div class="lane-head" data-lane="${esc(a)}" style="grid-column:${i + 1};grid-row:1">${esc(a)}</div>`).join('');
  const steps = t.steps.map((s, i) => stepHtml(s, i + 1, actors.indexOf(s.actor) + 1, i === t.steps.length - 1)).join('\n');
  const n = t.steps.length;
  return `<section class="trace" data-invariant="${esc(t.invariant)}" data-length="${n}">` +
    `<h3>${esc(t.invariant)} violated after ${n} step${n === 1 ? '' : 's'} <small>(${esc(t.kind)})</small></h3>` +
    (t.doc ? `<p>${esc(t.doc)}</p>` : '') +
    `<p>Predicate: <code>${esc(t.predicate)}</code></p><p>Values at the end: ${t.values.map((v) => `<code>${esc(v)}</code>`).join('; ')}</p>` +
    `<p>Reproduce: <code>${esc(t.replay)}</code></p>` +
    `<div class="swimlane" style="grid-template-columns:repeat(${actors.length},minmax(12em,1fr))">${heads}\n${steps}</div>` +
    `<p class="lbl">Click a step for the whole state after it (changed fields highlighted).</p></section>`;
}

function runTitle(s: RunSummary): string {
  if (s.model !== 'kernel') return `model ${s.model}${Object.keys(s.params ?? {}).length ? ' (' + Object.entries(s.params).map(([k, v]) => `${k}=${v}`).join(', ') + ')' : ''}`;
  return `${s.kernel ?? ''}/${s.scenario ?? ''}${s.iommuDriver ? ` [${s.iommuDriver}]` : ''}${s.patches?.length ? ' + ' + s.patches.join(', ') : ''}`;
}

function runHtml(r: CheckRun): string {
  const s = r.summary;
  const complete = s.stopReason === 'complete';
  const rows = s.checked.map((inv) => {
    const v = s.violations.find((x) => x.invariant === inv);
    return `<tr class="${v ? 'violated' : 'holds'}" data-invariant="${esc(inv)}"><td><code>${esc(inv)}</code></td><td class="res">${v ? `VIOLATED (${v.length} steps)` : complete ? 'holds' : s.stopReason === 'violation' ? `holds to depth ${esc(s.depth)} (stopped at the first violation)` : `holds to depth ${esc(s.depth)} (search incomplete)`}</td></tr>`;
  });
  for (const inv of s.notSelected ?? []) rows.push(`<tr class="not-selected" data-invariant="${esc(inv)}"><td><code>${esc(inv)}</code></td><td class="res">not selected</td></tr>`);
  const wit = s.witnesses.map((w) => `<tr class="${w.reached ? 'reached' : 'not-reached'}" data-witness="${esc(w.name)}"><td><code>${esc(w.name)}</code></td><td class="res">${w.reached ? 'reached' : complete ? 'NOT reached' : 'not reached yet'}</td></tr>`);
  return `<section class="run" data-run="${esc(runTitle(s))}"><h2>${esc(runTitle(s))} ${badge(s.verdict)}</h2>` +
    `<p>${esc(Number(s.states.distinct).toLocaleString('en-US'))} distinct states, ${esc(Number(s.states.generated).toLocaleString('en-US'))} generated, depth ${esc(s.depth)}; ${esc(s.stopReason)}</p>` +
    `<table class="invariants"><tr><th>invariant</th><th>result</th></tr>${rows.join('')}</table>` +
    (wit.length ? `<table class="witnesses"><tr><th>witness</th><th>result</th></tr>${wit.join('')}</table>` : '') +
    r.missing.map((m) => `<p class="missing">trace ${esc(m)} is missing</p>`).join('') +
    r.traces.map(swimlane).join('\n') + '</section>';
}

function cellText(r: MatrixRow): string {
  if (r.verdict === 'violation') return `VIOL ${Object.values(r.violations).sort((a, b) => a - b)[0] ?? ''}`;
  return r.verdict;
}

function matrixHtml(file: string, doc: ReportInput & { kind: 'matrix' }): string {
  const runs = doc.doc.runs;
  const kernels = [...new Set(runs.map((r) => r.kernel))];
  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  const changes = doc.doc.changes;
  const changedRuns = new Set((changes ?? []).map((c) => c.run));
  const head = `<tr><th>scenario</th>${kernels.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>`;
  const body = scenarios.map((s) => `<tr><th>${esc(s)}</th>${kernels.map((k) => {
    const r = runs.find((x) => x.kernel === k && x.scenario === s);
    if (!r) return '<td class="cell v-missing" data-verdict="missing">-</td>';
    const key = cellKey(r);
    const title = `${key}: ${r.verdict}, ${r.distinct} states${Object.keys(r.violations).length ? '; violated: ' + Object.entries(r.violations).map(([i, n]) => `${i} (${n})`).join(', ') : ''}${r.witnessesNotReached.length ? '; witnesses not reached: ' + r.witnessesNotReached.join(', ') : ''}`;
    return `<td class="cell v-${esc(r.verdict)}${changedRuns.has(key) ? ' changed' : ''}" data-cell="${esc(key)}" data-verdict="${esc(r.verdict)}" title="${esc(title)}">${esc(cellText(r))}</td>`;
  }).join('')}</tr>`).join('');
  const patches = runs[0]?.patches.length ? `; patches ${runs[0].patches.join(', ')}` : '';
  const changeList = changes === undefined ? '<p class="changes-none">Not compared with an earlier run (matrix --compare FILE).</p>'
    : changes.length === 0 ? '<p class="changes-none">No change since the last run.</p>'
      : `<ul class="changes">${changes.map((c) => `<li data-run="${esc(c.run)}" data-what="${esc(c.what)}">${esc(c.text)}</li>`).join('')}</ul>`;
  return `<section class="matrix"><h2>Matrix <small>${esc(file)}, ${esc(doc.doc.generated)}${esc(patches)}</small></h2>` +
    `<table class="grid">${head}${body}</table><h3>What changed since the last run</h3>${changeList}</section>`;
}

export function renderReport(input: ReportInput): string {
  if (input.kind === 'matrix') {
    const worst = worstVerdict(input.doc.runs.map((r) => r.verdict as Verdict));
    return page('probecheck matrix report', `<h1>probecheck matrix report ${badge(input.doc.runs.length ? worst : 'missing')}</h1>\n${matrixHtml(input.file, input)}`);
  }
  return page('probecheck report', `<h1>probecheck report ${badge(input.verdict)}</h1>\n${input.runs.map(runHtml).join('\n')}`);
}
