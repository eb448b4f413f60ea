/**
 * The cell cache: a matrix cell whose model (the IR after patches, compiled: what the explorer
 * runs, with the names a result shows), selected invariants and probecheck version are
 * unchanged reuses its last complete result. The version also covers the search's own built
 * code (explorer, compiler, IR, state, workers), so a development build that changes how the
 * space is explored misses without a version bump. The key is a hash of those; the kernel's name is
 * not in it, so kernels whose probe path is the same model share an entry. An entry is data:
 * validated when read, and one that is not what we wrote is a miss. Only complete runs are
 * kept (a run a limit stopped says nothing final). `--no-cache` skips reading.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileModel } from '../compile/compile';
import type { Target } from '../cli/target';
import { writeFileAtomic } from '../report/write';

export const CACHE_FORMAT = 'probecheck-cell-cache';

/** What a run reports in a matrix row and in the cell cache alike. */
export interface RunCounts {
  readonly verdict: string;
  readonly stopReason: string;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  /** Violated invariant -> length of its shortest counterexample. */
  readonly violations: Readonly<Record<string, number>>;
  readonly witnessesNotReached: readonly string[];
}

/** What a cell's run produced, without the cell's name (that comes from the matrix). */
export interface CellResult extends RunCounts {
  readonly witnesses: readonly { name: string; reached: boolean }[];
  readonly checked: readonly string[];
  /** Violated invariant -> race table (the mail format), for --junit. */
  readonly tables: Readonly<Record<string, string>>;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'probecheck', 'cells');
}

export const VERSION: string = require('../../../package.json').version;

let engine: string | undefined;
/** A digest of the built code that decides a cell's result besides the model. */
export function engineDigest(): string {
  if (engine === undefined) {
    const h = createHash('sha256');
    const src = path.resolve(__dirname, '..');
    for (const abs of [...['explorer', 'compile', 'ir', 'state'].map((d) => path.join(src, d)), path.resolve(src, '..', 'workers')]) {
      const files = fs.existsSync(abs) ? fs.readdirSync(abs).filter((f) => f.endsWith('.js')).sort() : [];
      for (const f of files) h.update(f).update(fs.readFileSync(path.join(abs, f)));
    }
    engine = h.digest('hex').slice(0, 16);
  }
  return engine;
}

/** The key of a target's cell. */
export function cellHash(t: Target, scenario: string, reductions = '', version = VERSION): string {
  const core = t.core;
  const names = [core.actions.map((a) => a.name), core.properties.map((p) => `${p.kind}:${p.name}`), core.vars.map((v) => v.name)];
  return createHash('sha256')
    .update(`${CACHE_FORMAT}\0${version}\0${engineDigest()}\0${scenario}\0${reductions}\0`)
    .update(compileModel(core).source).update(JSON.stringify(names))
    .digest('hex').slice(0, 32);
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');

function validEntry(x: unknown, key: string): CellResult | undefined {
  if (!isObj(x) || x.format !== CACHE_FORMAT || x.key !== key || !isObj(x.result)) return undefined;
  const r = x.result;
  const ok = typeof r.verdict === 'string' && r.stopReason === 'complete'
    && ['distinct', 'generated', 'depth', 'seconds'].every((k) => typeof r[k] === 'number')
    && isObj(r.violations) && Object.values(r.violations).every((n) => typeof n === 'number')
    && strings(r.witnessesNotReached) && strings(r.checked)
    && Array.isArray(r.witnesses) && r.witnesses.every((w) => isObj(w) && typeof w.name === 'string' && typeof w.reached === 'boolean')
    && isObj(r.tables) && Object.values(r.tables).every((t) => typeof t === 'string');
  return ok ? (r as unknown as CellResult) : undefined;
}

export class CellCache {
  constructor(readonly dir: string, readonly read: boolean) {}

  get(key: string): CellResult | undefined {
    if (!this.read) return undefined;
    const file = path.join(this.dir, `${key}.json`);
    try {
      return validEntry(JSON.parse(fs.readFileSync(file, 'utf8')), key);
    } catch {
      return undefined;
    }
  }

  /** Keep a complete result; a cache that cannot be written only costs the next run time. */
  put(key: string, r: CellResult): string | undefined {
    if (r.stopReason !== 'complete') return undefined;
    try {
      writeFileAtomic(path.join(this.dir, `${key}.json`), JSON.stringify({ format: CACHE_FORMAT, key, result: r }) + '\n');
      return undefined;
    } catch (e) {
      return `probecheck: cell cache not written (${(e as Error).message.split('\n')[0]})`;
    }
  }
}
