/**
 * A small reader of device tree source (.dts), enough for the IOMMU topology: nodes, labels,
 * properties with cells, strings and phandle references, `&label { ... }` overlays at the top
 * level, comments. Preprocessor lines (#include, #define) are skipped and macros in cells are
 * kept as opaque words: probecheck needs only which node a phandle names and how many cells
 * follow it. Every problem is one line `FILE:LINE:COL: what` (E_DTS_FILE).
 */
import { fail } from '../errors';

export type Cell = { kind: 'ref'; label: string } | { kind: 'path'; path: string } | { kind: 'num'; value: number } | { kind: 'word'; text: string };
export type Value = { kind: 'cells'; cells: Cell[] } | { kind: 'string'; text: string } | { kind: 'bytes' } | { kind: 'ref'; label: string } | { kind: 'path'; path: string };

export interface DtNode {
  name: string;
  path: string;
  labels: string[];
  props: Map<string, { values: Value[]; line: number; col: number }>;
  children: DtNode[];
  line: number;
  col: number;
}

interface Tok { t: string; kind: 'punct' | 'word' | 'string' | 'ref' | 'label' | 'paren'; line: number; col: number }

const MAX_TOKENS = 2_000_000;
/** String escapes that matter for the values read here; any other `\c` is `c`. */
const ESCAPES: Readonly<Record<string, string>> = { '0': '\0', n: '\n', t: '\t' };

function tokenize(src: string, file: string): Tok[] {
  const out: Tok[] = [];
  let i = 0, line = 1, lineStart = 0;
  const here = () => ({ line, col: i - lineStart + 1 });
  const bad = (msg: string): never => { const h = here(); return fail('E_DTS_FILE', `${file}:${h.line}:${h.col}: ${msg}`); };
  const nl = (j: number) => { for (let k = i; k < j; k++) if (src[k] === '\n') { line++; lineStart = k + 1; } };
  while (i < src.length) {
    if (out.length > MAX_TOKENS) bad('too large for a device tree');
    const c = src[i];
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') { nl(i + 1); i++; continue; }
    if (src.startsWith('//', i)) { const j = src.indexOf('\n', i); i = j < 0 ? src.length : j; continue; }
    if (src.startsWith('/*', i)) { const j = src.indexOf('*/', i + 2); if (j < 0) bad('an unterminated /* comment'); nl(j + 2); i = j + 2; continue; }
    // A preprocessor line at the start of a line (#include, #define, #if...): skipped, with
    // its continuation lines.
    if (c === '#' && src.slice(lineStart, i).trim() === '' && /^#\s*(include|define|undef|if|ifdef|ifndef|else|elif|endif|pragma)\b/.test(src.slice(i, i + 12))) {
      let j = i;
      for (;;) { const e = src.indexOf('\n', j); if (e < 0) { j = src.length; break; } if (src[e - 1] === '\\') { j = e + 1; continue; } j = e; break; }
      nl(j); i = j; continue;
    }
    const h = here();
    if (c === '"') {
      let j = i + 1, s = '';
      while (j < src.length && src[j] !== '"') { if (src[j] === '\n') bad('a string runs past the end of its line'); if (src[j] === '\\') { s += ESCAPES[src[j + 1]] ?? src[j + 1] ?? ''; j += 2; } else s += src[j++]; }
      if (j >= src.length) bad('an unterminated string');
      out.push({ t: s, kind: 'string', ...h }); i = j + 1; continue;
    }
    if (c === '&') {
      if (src[i + 1] === '{') { const j = src.indexOf('}', i); if (j < 0) bad('an unterminated &{/path}'); out.push({ t: `{${src.slice(i + 2, j)}}`, kind: 'ref', ...h }); nl(j + 1); i = j + 1; continue; }
      const m = /^&([A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i, i + 200));
      if (!m) bad('& must be followed by a label or {/path}');
      out.push({ t: m![1], kind: 'ref', ...h }); i += m![0].length; continue;
    }
    if (c === '(') {
      let depth = 0, j = i;
      do { if (src[j] === '(') depth++; else if (src[j] === ')') depth--; else if (src[j] === '\n') bad('a parenthesised expression runs past the end of its line'); j++; } while (depth > 0 && j < src.length);
      if (depth > 0) bad('an unbalanced (');
      out.push({ t: src.slice(i, j), kind: 'paren', ...h }); i = j; continue;
    }
    if ('{};=<>[],'.includes(c)) { out.push({ t: c, kind: 'punct', ...h }); i++; continue; }
    // Node and property names, unit addresses, numbers, macros, /dts-v1/ and friends.
    const m = /^[A-Za-z0-9_,.+\-@#?/*!%^|~:]+/.exec(src.slice(i, i + 400));
    if (!m) bad(`unexpected character ${JSON.stringify(c)}`);
    let w = m![0];
    // `/`, or a directive such as /dts-v1/ or /delete-node/.
    if (w.startsWith("/")) w = /^\/[a-z0-9-]+\//.exec(w)?.[0] ?? '/';
    // `label:` (a label definition) unless the colon belongs to a name like `a:b` (none in DT).
    if (w.endsWith(':') && /^[A-Za-z_][A-Za-z0-9_]*:$/.test(w)) { out.push({ t: w.slice(0, -1), kind: 'label', ...h }); i += w.length; continue; }
    out.push({ t: w, kind: 'word', ...h }); i += w.length;
  }
  return out;
}

/** Parse `src`: the root node with every `&label { }` overlay merged into its target. */
export function parseDts(src: string, file: string): DtNode {
  const toks = tokenize(src, file);
  let p = 0;
  const peek = () => toks[p];
  const bad = (msg: string, t: Tok | undefined = toks[p]): never => fail('E_DTS_FILE', `${file}:${t?.line ?? lastLine()}:${t?.col ?? 1}: ${msg}`);
  const lastLine = () => (toks.length ? toks[toks.length - 1].line : 1);
  const expect = (s: string) => { const t = toks[p]; if (!t || t.t !== s || (t.kind !== 'punct')) bad(`expected '${s}'${t ? `, got '${t.t}'` : ' at the end of the file'}`); p++; };
  const root: DtNode = { name: '/', path: '/', labels: [], props: new Map(), children: [], line: 1, col: 1 };
  const overlays: { label: Tok; body: DtNode }[] = [];

  function values(): Value[] {
    const vs: Value[] = [];
    for (;;) {
      const t = peek();
      if (!t) bad('a property value runs to the end of the file');
      if (t.kind === 'word' && t.t === '/bits/') { p++; p++; continue; }
      if (t.kind === 'label') { p++; continue; }
      // dtc writes a string list it decompiled from a .dtb as one string with \0 between items.
      if (t.kind === 'string') { for (const text of t.t.split('\0').filter((x, _i, all) => x !== '' || all.length === 1)) vs.push({ kind: 'string', text }); p++; }
      else if (t.kind === 'ref') { vs.push(t.t.startsWith('{') ? { kind: 'path', path: t.t.slice(1, -1) } : { kind: 'ref', label: t.t }); p++; }
      else if (t.t === '<' && t.kind === 'punct') {
        p++;
        const cells: Cell[] = [];
        for (;;) {
          const c = peek();
          if (!c) bad('an unterminated < cell list');
          p++;
          if (c.t === '>' && c.kind === 'punct') break;
          if (c.kind === 'ref') cells.push(c.t.startsWith('{') ? { kind: 'path', path: c.t.slice(1, -1) } : { kind: 'ref', label: c.t });
          else if (c.kind === 'word' && /^(0x[0-9a-fA-F]+|\d+)[uUlL]*$/.test(c.t)) cells.push({ kind: 'num', value: Number(c.t.replace(/[uUlL]+$/, '')) });
          else if (c.kind === 'word' || c.kind === 'paren') cells.push({ kind: 'word', text: c.t });
          else if (c.kind === 'label') continue;
          else bad(`unexpected '${c.t}' in a cell list`, c);
        }
        vs.push({ kind: 'cells', cells });
      } else if (t.t === '[' && t.kind === 'punct') {
        while (peek() && !(peek().t === ']' && peek().kind === 'punct')) p++;
        expect(']');
        vs.push({ kind: 'bytes' });
      } else bad(`unexpected '${t.t}' in a property value`);
      const n = peek();
      if (n && n.t === ',' && n.kind === 'punct') { p++; continue; }
      return vs;
    }
  }

  /** The body of a node after its '{', up to and including '};'. */
  function body(node: DtNode, depth: number): void {
    if (depth > 64) bad('nodes nest too deep');
    for (;;) {
      const t = peek();
      if (!t) bad(`node ${node.path} is not closed (a '}' is missing)`, toks[toks.length - 1]);
      if (t.t === '}' && t.kind === 'punct') { p++; expect(';'); return; }
      if (t.kind === 'word' && (t.t === '/delete-node/' || t.t === '/delete-property/')) {
        p++;
        const what = peek(); p++;
        expect(';');
        if (t.t === '/delete-property/') node.props.delete(what.t);
        else node.children = node.children.filter((c) => c.name !== what.t && c.name.split('@')[0] !== what.t);
        continue;
      }
      const labels: string[] = [];
      while (peek()?.kind === 'label') labels.push(toks[p++].t);
      const name = peek();
      if (!name || name.kind !== 'word') bad(`expected a node or property name${name ? `, got '${name.t}'` : ''}`, name);
      p++;
      const n = peek();
      if (n && n.t === '{' && n.kind === 'punct') {
        p++;
        const path = node.path === '/' ? `/${name.t}` : `${node.path}/${name.t}`;
        let child = node.children.find((c) => c.name === name.t);
        if (!child) { child = { name: name.t, path, labels: [], props: new Map(), children: [], line: name.line, col: name.col }; node.children.push(child); }
        child.labels.push(...labels);
        body(child, depth + 1);
      } else if (n && n.t === '=' && n.kind === 'punct') {
        p++;
        node.props.set(name.t, { values: values(), line: name.line, col: name.col });
        expect(';');
      } else if (n && n.t === ';' && n.kind === 'punct') {
        p++;
        node.props.set(name.t, { values: [], line: name.line, col: name.col });
      } else bad(`expected '{', '=' or ';' after '${name.t}'${n ? `, got '${n.t}'` : ''}`, n);
    }
  }

  while (p < toks.length) {
    const t = peek();
    if (t.kind === 'word' && (t.t === '/dts-v1/' || t.t === '/plugin/')) { p++; expect(';'); continue; }
    if (t.kind === 'word' && t.t === '/memreserve/') { while (peek() && peek().t !== ';') p++; expect(';'); continue; }
    if (t.kind === 'word' && t.t === '/include/') bad('/include/ is not followed; give the preprocessed tree (cpp -nostdinc -undef -x assembler-with-cpp), or a .dtb');
    const labels: string[] = [];
    while (peek()?.kind === 'label') labels.push(toks[p++].t);
    const h = peek();
    if (!h) break;
    if (h.kind === 'word' && h.t === '/') { p++; expect('{'); root.labels.push(...labels); body(root, 0); continue; }
    if (h.kind === 'ref') {
      p++; expect('{');
      const tmp: DtNode = { name: h.t, path: `&${h.t}`, labels: [], props: new Map(), children: [], line: h.line, col: h.col };
      body(tmp, 0);
      overlays.push({ label: h, body: tmp });
      continue;
    }
    bad(`expected '/ {' or '&label {' at the top level, got '${h.t}'`);
  }
  for (const o of overlays) {
    const target = o.label.t.startsWith('{') ? byPath(root, o.label.t.slice(1, -1)) : byLabel(root, o.label.t);
    if (!target) bad(`&${o.label.t}: no node has that label`, o.label);
    merge(target!, o.body);
  }
  labelsFromSymbols(root);
  return root;
}

/** A tree decompiled from a .dtb has no labels; one compiled with `dtc -@` keeps them in
 *  /__symbols__ (`label = "/path"`), so the scenario names its nodes as the source did. */
function labelsFromSymbols(root: DtNode): void {
  const symbols = root.children.find((c) => c.name === '__symbols__');
  if (!symbols) return;
  for (const [label, prop] of symbols.props) {
    const v = prop.values[0];
    const node = v?.kind === 'string' ? byPath(root, v.text) : undefined;
    if (node && !node.labels.includes(label)) node.labels.push(label);
  }
}

function merge(into: DtNode, from: DtNode): void {
  for (const [k, v] of from.props) into.props.set(k, v);
  into.labels.push(...from.labels);
  for (const c of from.children) {
    const mine = into.children.find((x) => x.name === c.name);
    if (mine) merge(mine, c);
    else into.children.push(rebase(c, into.path === '/' ? `/${c.name}` : `${into.path}/${c.name}`));
  }
}
function rebase(n: DtNode, path: string): DtNode {
  return { ...n, path, children: n.children.map((c) => rebase(c, `${path}/${c.name}`)) };
}

export function* walk(n: DtNode): Generator<DtNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}
export function byLabel(root: DtNode, label: string): DtNode | undefined {
  for (const n of walk(root)) if (n.labels.includes(label)) return n;
  return undefined;
}
export function byPath(root: DtNode, path: string): DtNode | undefined {
  for (const n of walk(root)) if (n.path === path) return n;
  return undefined;
}
