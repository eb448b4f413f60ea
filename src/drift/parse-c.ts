/**
 * The C functions of a source file, found with tree-sitter's C grammar: `web-tree-sitter`
 * runs the grammar's own `tree-sitter-c.wasm` (shipped in the `tree-sitter-c` package), so
 * nothing is compiled or downloaded at install or run time. The parser is loaded once, lazily.
 *
 * A function's tokens are the leaves of its parse tree in source order, without comments and
 * without the whitespace between them, so reformatting (line breaks, indentation, spaces around
 * operators, moving a comment) does not change them. The function's own name is replaced by
 * `$fn`, so that a renamed function with the same body is recognised as such.
 */
import { loadGrammar, once } from '../tree-sitter';

/** The part of a web-tree-sitter cursor and node that we read (the package's typings are ESM-only
 *  under our module resolution). */
interface TsCursor {
  readonly nodeType: string;
  readonly nodeText: string;
  readonly nodeIsMissing: boolean;
  readonly startIndex: number;
  readonly currentNode: TsNode;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  delete(): void;
}
interface TsNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly startPosition: { readonly row: number };
  readonly endPosition: { readonly row: number; readonly column: number };
  readonly namedChildren: readonly TsNode[];
  childForFieldName(name: string): TsNode | null;
  walk(): TsCursor;
}
interface TsTree { readonly rootNode: TsNode; delete(): void }
interface TsParser { parse(text: string): TsTree | null }

export interface CFunction {
  readonly name: string;
  /** 1-based, inclusive: from the first token of the definition (its return type) to `}`. */
  readonly startLine: number;
  readonly endLine: number;
  /** The normalised tokens (see the file comment). */
  readonly tokens: readonly string[];
}

export interface CParser {
  /** Every function definition of a file, in file order (inside #ifdef blocks too). */
  functions(text: string): CFunction[];
}

export const C_GRAMMAR_PACKAGES = 'web-tree-sitter@0.27.1 tree-sitter-c@0.24.1';

/** Kernel annotations written between a function's type and its name. The C grammar does not
 *  know them and misreads `int __init f(void)` as a declaration and a function named `int`
 *  (4.19 intel-iommu.c), and `static __printf(6, 0) struct device *f(...)` likewise. They are
 *  blanked (same length, so lines and columns stay) before parsing, so a change of annotation
 *  alone is not drift. */
const ANNOTATIONS = /\b__(?:printf|scanf)\(\s*\d+\s*,\s*\d+\s*\)|\b(?:__init|__exit|__ref|__must_check|__always_inline|noinline|__cold|__maybe_unused|__sched|notrace|__weak|__noreturn)\b/g;

/** Leaves whose text is kept as is: what is inside a string or character literal. */
const VERBATIM = new Set(['string_content', 'escape_sequence', 'character', 'system_lib_string']);

/** The name a definition declares: down the declarator chain (pointer, parenthesised,
 *  attributed) to the function declarator's identifier. */
function nameOf(def: TsNode): TsNode | null {
  let d = def.childForFieldName('declarator');
  for (let i = 0; d && d.type !== 'function_declarator' && i < 16; i++) {
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c.type.endsWith('declarator')) ?? null;
  }
  const id = d?.childForFieldName('declarator');
  return id && id.type === 'identifier' ? id : null;
}

/** The tokens of the subtree at the cursor (left where it started). */
function tokensAt(c: TsCursor, nameAt: number, out: string[]): void {
  if (!c.gotoFirstChild()) {
    const t = c.nodeType;
    if (t === 'comment' || c.nodeIsMissing) return;
    if (c.startIndex === nameAt && t === 'identifier') { out.push('$fn'); return; }
    const text = c.nodeText;
    if (VERBATIM.has(t)) { out.push(text); return; }
    // An ERROR leaf or a macro body (preproc_arg) can span several tokens and the spaces between.
    for (const piece of text.split(/\s+/)) if (piece) out.push(piece);
    return;
  }
  do tokensAt(c, nameAt, out); while (c.gotoNextSibling());
  c.gotoParent();
}

function collect(c: TsCursor, out: CFunction[]): void {
  if (c.nodeType === 'function_definition') {
    const node = c.currentNode;
    const id = nameOf(node);
    if (id) {
      const tokens: string[] = [];
      tokensAt(c, id.startIndex, tokens);
      const end = node.endPosition;
      out.push({ name: id.text, startLine: node.startPosition.row + 1, endLine: end.row + (end.column === 0 ? 0 : 1), tokens });
    }
    return;
  }
  if (!c.gotoFirstChild()) return;
  do collect(c, out); while (c.gotoNextSibling());
  c.gotoParent();
}

/** Load the C grammar once; rejects with one line naming the packages when they are absent. */
export const loadCParser = once(async (): Promise<CParser> => {
  const parser = await loadGrammar('tree-sitter-c/tree-sitter-c.wasm', 'C', C_GRAMMAR_PACKAGES) as TsParser;
  return {
    functions(text: string): CFunction[] {
      const tree = parser.parse(text.replace(ANNOTATIONS, (m) => ' '.repeat(m.length)));
      if (!tree) throw new Error('tree-sitter returned no tree');
      const c = tree.rootNode.walk();
      const out: CFunction[] = [];
      try { collect(c, out); } finally { c.delete(); tree.delete(); }
      return out;
    },
  };
});
