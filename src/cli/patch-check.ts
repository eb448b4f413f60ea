/**
 * A patch module in TypeScript is checked before it is run: its first syntax or type error is
 * refused as one E_PATCH line, `file:line:col: message` (transpiling alone ignored them, and a
 * patch with a typo ran with whatever the transpiler made of it). The patch sees this
 * package's sources as `probecheck`, `probecheck/dist/...` or by relative path.
 */
import * as path from 'node:path';
import { fail } from '../errors';

const GLOBALS = path.join(path.sep, '__probecheck_patch_globals__.d.ts');
const GLOBALS_TEXT = 'declare var console: { log(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };\n';

/** Refuse `file` (absolute, .ts) at its first diagnostic. `root` is the package root. */
export function typeCheckPatch(file: string, root: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  // ES2022 only (no DOM, no @types/node: half the time of a default program); a patch may
  // still log, so console is declared in a small file made here.
  const options: import('typescript').CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true, types: [], lib: ['lib.es2022.d.ts'],
    baseUrl: root,
    paths: { 'probecheck': ['src/model/index.ts'], 'probecheck/dist/*': ['*'], 'probecheck/*': ['*'] },
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === GLOBALS ? ts.createSourceFile(name, GLOBALS_TEXT, lang) : getSourceFile(name, lang, ...rest));
  const program = ts.createProgram([file, GLOBALS], options, host);
  const source = program.getSourceFile(file);
  if (!source) fail('E_PATCH', `${file}: cannot read it`);
  const first = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)][0];
  if (!first) return;
  const message = ts.flattenDiagnosticMessageText(first.messageText, ' ').split('\n')[0];
  if (first.file && first.start !== undefined) {
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
    fail('E_PATCH', `${first.file.fileName}:${line + 1}:${character + 1}: ${message}`);
  }
  fail('E_PATCH', `${file}: ${message}`);
}
