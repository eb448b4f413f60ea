/**
 * The TLA+ tree-sitter grammar, loaded lazily: `web-tree-sitter` (0.27) runs the grammar's
 * shipped `tree-sitter-tlaplus.wasm` from `@tlaplus/tree-sitter-tlaplus`, so nothing is built
 * or downloaded at install time. Both packages are optional: probecheck compiles and exports
 * without them; only syntax checking of an export needs them.
 */
import { loadGrammar, once } from '../tree-sitter';

/** The subset of a web-tree-sitter node that probecheck reads. */
export interface TsNode {
  readonly type: string;
  readonly text: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly startPosition: { readonly row: number; readonly column: number };
  readonly children: readonly TsNode[];
  readonly namedChildren: readonly TsNode[];
  childForFieldName(name: string): TsNode | null;
  childrenForFieldName(name: string): TsNode[];
  fieldNameForChild(index: number): string | null;
}

export interface TlaParser {
  parse(text: string): TsNode;
}

export interface SyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly kind: 'ERROR' | 'MISSING';
  readonly text: string;
}

export const GRAMMAR_PACKAGES = 'web-tree-sitter@0.27.1 @tlaplus/tree-sitter-tlaplus@1.5.0';

/** Load the grammar once; rejects with a one-line message naming the packages when absent. */
export const loadTlaParser = once(async (): Promise<TlaParser> => {
  const parser = await loadGrammar('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm', 'TLA+', GRAMMAR_PACKAGES);
  return {
    parse(text: string): TsNode {
      const tree = parser.parse(text);
      if (!tree) throw new Error('tree-sitter returned no tree');
      return tree.rootNode as TsNode;
    },
  };
});

/** ERROR and MISSING nodes of a parse, in text order. */
export function syntaxProblems(root: TsNode): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const walk = (n: TsNode) => {
    if (n.type === 'ERROR' || n.isMissing) {
      out.push({ line: n.startPosition.row + 1, column: n.startPosition.column + 1, kind: n.isMissing ? 'MISSING' : 'ERROR', text: n.text.slice(0, 60) });
      if (n.isMissing) return;
    }
    if (n.hasError || n.type === 'ERROR') for (const c of n.children) walk(c);
  };
  walk(root);
  return out;
}
