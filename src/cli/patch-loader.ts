/**
 * User patch modules: a `.ts` or `.js` file whose default export is `definePatch({...})`
 * (docs/patches.md). A `.ts` file is transpiled to CommonJS with TypeScript's transpileModule
 * (no type check) and loaded from the transpiled text. Imports of this package's sources
 * (`../src/model`, `probecheck/dist/src/model`) load the built package, so a patch shares
 * its `definePatch` and DSL with the checker.
 */
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { fail, ProbeError } from '../errors';
import { definePatch, PATCHES, resolvePatch, type Patch } from '../model';
import { closest } from '../errors';
import { typeCheckPatch } from './patch-check';

/** The package root (dist/src/cli -> root). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(PACKAGE_ROOT, 'dist');

/** A --patch value names a file when it has a path separator or a .ts/.js/.cjs extension. */
export function isPatchPath(spec: string): boolean {
  return spec.includes('/') || spec.includes(path.sep) || /\.(c?js|ts)$/.test(spec);
}

const loaded = new Map<string, unknown>();

export function loadModuleFile(file: string): unknown {
  const abs = path.resolve(file);
  if (loaded.has(abs)) return loaded.get(abs);
  if (!abs.endsWith('.ts')) return createRequire(abs)(abs);
  typeCheckPatch(abs, PACKAGE_ROOT);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const text = fs.readFileSync(abs, 'utf8');
  const js = ts.transpileModule(text, {
    fileName: abs,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  }).outputText;
  const M = Module as unknown as { new (id: string, parent?: unknown): NodeModule & { _compile(code: string, file: string): void; paths: string[] }; _nodeModulePaths(dir: string): string[] };
  const mod = new M(abs, module);
  mod.filename = abs;
  mod.paths = M._nodeModulePaths(path.dirname(abs));
  const plain = createRequire(abs);
  (mod as unknown as { require: (id: string) => unknown }).require = (id: string) => patchRequire(id, abs, plain);
  loaded.set(abs, mod.exports);
  mod._compile(js, abs);
  loaded.set(abs, mod.exports);
  return mod.exports;
}

function patchRequire(id: string, from: string, plain: NodeRequire): unknown {
  if (id === 'probecheck' || id.startsWith('probecheck/')) {
    const rest = id.slice('probecheck'.length);
    return require(path.join(PACKAGE_ROOT, rest || 'dist/src/model'));
  }
  if (id.startsWith('.')) {
    const abs = path.resolve(path.dirname(from), id);
    const rel = path.relative(PACKAGE_ROOT, abs);
    // A source file of this package: load its build.
    if (!rel.startsWith('..') && !path.isAbsolute(rel) && !rel.startsWith('dist')) {
      const built = path.join(DIST, rel.replace(/\.ts$/, ''));
      try { return require(require.resolve(built)); } catch { /* not built: fall through */ }
    }
    for (const cand of [abs, abs + '.ts', path.join(abs, 'index.ts')]) {
      if (cand.endsWith('.ts') && fs.existsSync(cand)) return loadModuleFile(cand);
    }
  }
  return plain(id);
}

/** A --patch value, resolved once: a built-in id or a patch file, as a Patch. */
export function loadPatch(spec: string): Patch {
  if (!isPatchPath(spec)) {
    if (!PATCHES.some((p) => p.id === spec) && fs.existsSync(spec)) return loadPatchFile(spec);
    return resolvePatch(spec);
  }
  if (!fs.existsSync(spec)) {
    const near = closest(spec, PATCHES.map((p) => p.id));
    fail('E_UNKNOWN_PATCH', `no patch file '${spec}'; built-in patches closest: ${near.join(', ')}`);
  }
  return loadPatchFile(spec);
}

function loadPatchFile(spec: string): Patch {
  let exp: unknown;
  try {
    exp = loadModuleFile(spec);
  } catch (e) {
    if (e instanceof ProbeError && e.code !== 'E_INTERNAL') throw new ProbeError('E_PATCH', `patch ${spec}: ${e.message}`);
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    fail('E_PATCH', `patch ${spec}: loading it threw: ${msg}`);
  }
  const cand = (exp as { default?: unknown })?.default ?? exp;
  if (!cand || typeof cand !== 'object' || typeof (cand as Patch).id !== 'string') {
    fail('E_PATCH', `patch ${spec}: the module has no default export made by definePatch({ id, title, flags, edit })`);
  }
  let patch: Patch;
  try {
    patch = definePatch(cand as Patch);
  } catch (e) {
    fail('E_PATCH', `patch ${spec}: ${(e as Error).message}`);
  }
  return refuseAsync(patch, spec);
}

/** An async edit(m) or apply(m) would run its edits after the model was built: they would be
 *  lost. Refused up front when declared async, and when a plain function returns a promise. */
function refuseAsync(p: Patch, spec: string): Patch {
  const wrap = (name: 'edit' | 'apply') => {
    const fn = p[name];
    if (!fn) return {};
    if (fn.constructor.name === 'AsyncFunction' || fn.constructor.name === 'AsyncGeneratorFunction') {
      fail('E_PATCH', `patch ${spec}: ${name}(m) is async; it must make its edits before it returns (its edits would be lost)`);
    }
    return {
      [name](m: Parameters<NonNullable<Patch['edit']>>[0]) {
        const r = fn.call(p, m) as unknown;
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).then(undefined, () => undefined);
          fail('E_PATCH', `patch ${spec}: ${name}(m) returned a promise; it must make its edits before it returns (its edits would be lost)`);
        }
      },
    };
  };
  return Object.freeze({ ...p, ...wrap('edit'), ...wrap('apply') }) as Patch;
}
