/**
 * Human views of a trace file: the mail format (a plain-ASCII race table, one column per
 * actor that takes a step, at most 78 characters a line (LKML asks for 72-80: the table stays
 * readable in a mail client; cells wrap, long names are cut across lines),
 * and a text format (one step a line, with the fields it changed).
 */
import type { TraceFile } from './tracefile';

export const MAIL_WIDTH = 78;

const ASCII: Record<string, string> = { '\u2192': '->', '\u2190': '<-', '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"', '\u2013': '-', '\u2014': '--', '\u2026': '...', '\u2260': '!=', '\u2264': '<=', '\u2265': '>=', '\u00d7': 'x' };

/** Plain ASCII: common typographic characters spelled out, anything else as '?'. */
export function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e\n]/g, (c) => ASCII[c] ?? (c === '\t' ? ' ' : '?'));
}

/** Word-wrap to `width`; words longer than a line are cut. `indent` prefixes continuation lines. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let line = '';
  const room = (first: boolean) => width - (first ? 0 : indent.length);
  for (let word of ascii(text).split(/\s+/).filter(Boolean)) {
    for (;;) {
      const first = out.length === 0;
      const sep = line ? ' ' : '';
      if (line.length + sep.length + word.length <= room(first)) { line += sep + word; break; }
      if (line) { out.push((first ? '' : indent) + line); line = ''; continue; }
      const r = room(first);
      out.push((first ? '' : indent) + word.slice(0, r));
      word = word.slice(r);
      if (!word) break;
    }
  }
  if (line || out.length === 0) out.push((out.length === 0 ? '' : indent) + line);
  return out;
}

/** The first clause of a step doc, when short: 'arm64 arch_setup_dma_ops'. */
export function docGist(doc: string | undefined, fn: string | undefined): string {
  if (!doc) return '';
  let first = doc.split(/[:;]\s|\.\s|\.$/)[0].trim();
  first = first.replace(/\s*\([0-9a-f]{12}[^)]*\)/g, '');
  const open = first.lastIndexOf('(');
  if (open >= 0 && first.indexOf(')', open) < 0) first = first.slice(0, open).trim();
  if (/^[0-9a-f]{12}$/.test(first)) return '';
  if (!first || first.length > 60 || (fn && first.replace(/\(\)$/, '') === fn.replace(/\(\)$/, ''))) return '';
  return first;
}

function cellText(t: TraceFile, i: number): string[] {
  const s = t.steps[i];
  const head = `${s.index}) ${s.function ?? s.label}`;
  const gist = docGist(s.doc, s.function);
  const body = `${gist ? gist + ' ' : ''}[${s.label}]${s.changes.length ? ' ' + s.changes.join(', ') : ''}`;
  return [head, body];
}

/** A command line folded at spaces with shell continuations, each line at most `width`. */
export function foldCommand(cmd: string, width: number, indent = '    '): string[] {
  const words = cmd.split(' ');
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    const room = width - (out.length ? indent.length : 0) - 2;
    if (line && line.length + 1 + w.length > room) { out.push((out.length ? indent : '') + line + ' \\'); line = w; }
    else line = line ? line + ' ' + w : w;
  }
  out.push((out.length ? indent : '') + line);
  return out;
}

export function formatMail(t: TraceFile): string {
  const actors: string[] = [];
  for (const s of t.steps) if (!actors.includes(s.actor)) actors.push(s.actor);
  const k = Math.max(1, actors.length);
  const sep = ' | ';
  const w = Math.floor((MAIL_WIDTH - sep.length * (k - 1)) / k);
  const pad = (x: string) => x + ' '.repeat(Math.max(0, w - x.length));
  const row = (cells: string[]) => cells.map((c, j) => (j === cells.length - 1 ? c : pad(c))).join(sep).trimEnd();
  const where = [t.source.kernel ? `kernel ${t.source.kernel}` : '', t.source.scenario ? `scenario ${t.source.scenario}` : '',
    t.source.model ? `model ${t.model}${Object.keys(t.params).length ? ' (' + Object.entries(t.params).map(([a, b]) => `${a}=${b}`).join(', ') + ')' : ''}` : '',
    t.source.patches && t.source.patches.length ? `patches ${t.source.patches.join(', ')}` : ''].filter(Boolean).join(', ');
  const out: string[] = [];
  out.push(...wrap(`${t.invariant} violated after ${t.length} step${t.length === 1 ? '' : 's'} (${where})`, MAIL_WIDTH));
  out.push('');
  out.push(row(actors.map((a) => wrap(a, w)[0])));
  out.push(row(actors.map(() => '-'.repeat(w))));
  t.steps.forEach((s, i) => {
    const col = actors.indexOf(s.actor);
    const [head, body] = cellText(t, i);
    const lines = [...wrap(head, w, '   '), ...wrap(body, w - 3).map((l) => '   ' + l)];
    for (const l of lines) out.push(row(actors.map((_, j) => (j === col ? l : ''))));
    if (i < t.steps.length - 1) out.push('');
  });
  out.push('');
  out.push(...wrap(`${t.invariant} (${t.kind})${t.doc ? ': ' + t.doc : ''}`, MAIL_WIDTH, '  '));
  out.push('Predicate:');
  out.push(...wrap(t.predicate, MAIL_WIDTH - 2, '  ').map((l) => '  ' + l));
  out.push(t.kind === 'transition' ? 'Values in the last step:' : 'Values in the last state:');
  for (const v of t.values) out.push(...wrap(v, MAIL_WIDTH - 2, '    ').map((l) => '  ' + l));
  out.push('');
  out.push('Reproduce with:');
  out.push(...foldCommand(t.replay, MAIL_WIDTH - 2).map((l) => '  ' + l));
  return out.map((l) => ascii(l).trimEnd()).join('\n') + '\n';
}

export function formatText(t: TraceFile): string {
  const out = [`${t.invariant} (${t.kind}) violated after ${t.length} steps; model ${t.model}`, `predicate: ${t.predicate}`];
  for (const s of t.steps) {
    out.push(`${String(s.index).padStart(3)} ${s.actor} ${s.label}${s.function ? ` ${s.function}` : ''}${s.file ? ` ${s.file}` : ''}`);
    if (s.changes.length) out.push(`      ${s.changes.join(', ')}`);
  }
  out.push(`values: ${t.values.join('; ')}`);
  out.push(`replay: ${t.replay}`);
  return out.join('\n') + '\n';
}
