/** Loading a tree-sitter grammar (web-tree-sitter + a package's .wasm) for the TLA+ bridge and
 *  the C reader of drift: one parser, or one line naming the packages when they are absent. */

/** The parts of web-tree-sitter's Parser both users call. */
export interface GrammarParser {
  parse(text: string): { rootNode: unknown; delete(): void } | null;
}

export async function loadGrammar(wasmModule: string, what: string, packages: string): Promise<GrammarParser> {
  let ts: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let wasm: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ts = require('web-tree-sitter');
    wasm = require.resolve(wasmModule);
  } catch (e) {
    throw new Error(`the ${what} grammar is not installed (${packages}): ${(e as Error).message.split('\n')[0]}`);
  }
  await ts.Parser.init();
  const parser = new ts.Parser();
  parser.setLanguage(await ts.Language.load(wasm));
  return parser as GrammarParser;
}

/** Memoise a loader; a failed load is retried on the next call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () => {
    if (!loaded) {
      loaded = load();
      loaded.catch(() => { loaded = null; });
    }
    return loaded;
  };
}
