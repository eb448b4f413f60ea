/**
 * Where a cited function lives in a tree, and its fingerprint: the one measure used both for the
 * fingerprints recorded per release (scripts/cite-kernel.js) and for a user's tree (drift).
 * A file is parsed once however many of its functions are cited.
 */
import type { CFunction, CParser } from './parse-c';
import { fingerprintTokens } from './fingerprint';

export interface Located {
  readonly name: string;
  readonly startLine: number;
  readonly endLine: number;
  /** `start-end`, as citations record it. */
  readonly lines: string;
  readonly fingerprint: string;
}

export type Lookup =
  | { readonly status: 'found'; readonly at: Located }
  | { readonly status: 'no-file' }
  /** The file has no C function of that name; `sameBody`: one that has the same tokens under
   *  another name (a rename), when the caller gave the fingerprint to look for. */
  | { readonly status: 'no-function'; readonly sameBody?: Located }
  /** The step's "function" is not a C identifier (`drv->remove()`): nothing to look up. */
  | { readonly status: 'not-c' };

/** `iommu_probe_device()` -> `iommu_probe_device`; null for what is not a C identifier. */
export function cName(fn: string): string | null {
  const name = fn.replace(/\(\)$/, '');
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : null;
}

function located(f: CFunction): Located {
  return { name: f.name, startLine: f.startLine, endLine: f.endLine, lines: `${f.startLine}-${f.endLine}`, fingerprint: fingerprintTokens(f.tokens) };
}

/** A tree's files, read and parsed at most once each. `read` returns null for a missing file. */
export class TreeFunctions {
  private readonly files = new Map<string, CFunction[] | null>();
  constructor(private readonly parser: CParser, private readonly read: (file: string) => string | null) {}

  /** The file's function definitions, or null when there is no such file. */
  functionsOf(file: string): CFunction[] | null {
    if (!this.files.has(file)) {
      const text = this.read(file);
      this.files.set(file, text === null ? null : this.parser.functions(text));
    }
    return this.files.get(file)!;
  }

  /** The first definition of `fn` in `file` (a header's later #else stub is not it). `renamedFrom`:
   *  the recorded fingerprint, to recognise the same body under another name. */
  lookup(fn: string, file: string, renamedFrom?: string): Lookup {
    const name = cName(fn);
    if (name === null) return { status: 'not-c' };
    const fns = this.functionsOf(file);
    if (fns === null) return { status: 'no-file' };
    const f = fns.find((x) => x.name === name);
    if (f) return { status: 'found', at: located(f) };
    if (renamedFrom !== undefined) {
      const same = fns.map(located).find((x) => x.fingerprint === renamedFrom);
      if (same) return { status: 'no-function', sameBody: same };
    }
    return { status: 'no-function' };
  }

  /** The source lines of a located function, for a diff. */
  textOf(file: string, at: Located): string {
    const text = this.read(file) ?? '';
    return text.split('\n').slice(at.startLine - 1, at.endLine).join('\n') + '\n';
  }
}
