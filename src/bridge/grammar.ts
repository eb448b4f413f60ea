/**
 * The TLA+ tree-sitter grammar, loaded lazily: `web-tree-sitter` (0.27) runs the grammar's
 * shipped `tree-sitter-tlaplus.wasm` from `@tlaplus/tree-sitter-tlaplus`, so nothing is built
 * or downloaded at install time. Both packages are optional: probecheck compiles and exports
 * without them; only syntax checking of an export needs them.
 */

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

let loaded: Promise<TlaParser> | null = null;

/** Load the grammar once; rejects with a one-line message naming the packages when absent. */
export function loadTlaParser(): Promise<TlaParser> {
  if (!loaded) {
    loaded = (async () => {
      let ts: any;
      let wasm: string;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        ts = require('web-tree-sitter');
        wasm = require.resolve('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm');
      } catch (e) {
        throw new Error(`the TLA+ grammar is not installed (${GRAMMAR_PACKAGES}): ${(e as Error).message.split('\n')[0]}`);
      }
      await ts.Parser.init();
      const lang = await ts.Language.load(wasm);
      const parser = new ts.Parser();
      parser.setLanguage(lang);
      return {
        parse(text: string): TsNode {
          const tree = parser.parse(text);
          if (!tree) throw new Error('tree-sitter returned no tree');
          return tree.rootNode as TsNode;
        },
      };
    })();
    loaded.catch(() => { loaded = null; });
  }
  return loaded;
}

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
