/**
 * The results folder of a run: summary.json, and per violated invariant
 * violation-<invariant>.json (probecheck's trace), .itf.json (ITF) and .txt (the mail format).
 *
 * Nothing already written is lost: the run is written into a staging folder beside the target
 * (same file system), each file atomically, and the staging folder is renamed into place only
 * when complete. With --force the earlier run's files (only ours) are moved aside, the new
 * ones moved in, and the earlier ones deleted last; any failure puts them back. The target is
 * locked (out-lock.ts) from before the search until the run is in place.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import type { ViolationArtifacts } from './artifacts';
import { writeFileAtomic } from './atomic-file';
import { lockOut, type OutLock } from './out-lock';
import { outputError } from './output-error';
import type { StopOnSignal } from './signals';

const OURS = /^(summary\.json|report\.html|violation-.+\.(json|itf\.json|txt))$/;

export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A short random suffix: two runs started in the same second get different folders. */
export const uniqueSuffix = (): string => crypto.randomBytes(3).toString('hex');

/** A name part made file-safe (a patch file's path becomes its base name). */
export function namePart(s: string): string {
  const base = /[/\\]|\.(c?js|ts)$/.test(s) ? path.basename(s).replace(/\.(c?js|ts)$/, '') : s;
  return base.replace(/[^A-Za-z0-9_.+-]/g, '_');
}

/** Our entries in `dir`: our files, and subfolders holding a run (one per scenario). */
export function runEntries(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (!fs.statSync(dir).isDirectory()) fail('E_OUT_EXISTS', `${dir} exists and is not a folder`);
  return fs.readdirSync(dir).filter((f) => OURS.test(f) || isRunFolder(path.join(dir, f))).map((f) => path.join(dir, f));
}

function isRunFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory() && fs.existsSync(path.join(p, 'summary.json'));
  } catch {
    return false;
  }
}

/** Refuse an empty --out up front (it would be the current folder). */
export function checkOutOption(out: string | undefined, flag = '--out'): void {
  if (out !== undefined && out.trim() === '') fail('E_USAGE', `${flag} "" names no folder (it would write into the current one); give a path`);
}

/** A new hidden folder beside `target` (same file system, so renames are atomic); created
 *  with mkdir, not mkdtemp, so it gets the umask's mode like any folder the user makes. */
function makeSibling(target: string, what: string): string {
  const abs = path.resolve(target);
  const dir = path.join(path.dirname(abs), `.${path.basename(abs)}.${what}-${process.pid}-${uniqueSuffix()}`);
  fs.mkdirSync(dir);
  return dir;
}

export class ResultsFolder {
  private readonly unhook: () => void;

  private constructor(readonly target: string, readonly staging: string, private readonly lock: OutLock, stop: StopOnSignal,
    /** The target held a run when opened (with --force): what an output error leaves intact. */
    readonly hadRun: boolean) {
    this.unhook = stop.onHardExit(() => this.abandon());
  }

  /**
   * Before the search: refuse a folder that holds a run (unless `force`), take its lock, and
   * create the staging folder (so an unwritable --out fails now, not after the search).
   */
  static open(target: string, force: boolean, stop: StopOnSignal): ResultsFolder {
    const old = runEntries(target);
    if (old.length && !force) {
      fail('E_OUT_EXISTS', `${target} already holds a run (${path.basename(old[0])}); use --force to replace it, or another --out`);
    }
    const parent = path.dirname(path.resolve(target));
    try {
      fs.mkdirSync(parent, { recursive: true });
    } catch (e) {
      throw outputError(e, `${target} (its parent folder)`);
    }
    const lock = lockOut(target);
    let staging: string;
    try {
      staging = makeSibling(target, 'partial');
    } catch (e) {
      lock.release();
      throw outputError(e, target);
    }
    return new ResultsFolder(target, staging, lock, stop, old.length > 0);
  }

  /** Where a file of the run goes while it is written (`rel` is relative to the target). */
  stagedPath(rel: string): string {
    return path.join(this.staging, rel);
  }

  writeJson(rel: string, x: unknown): void {
    this.writeText(rel, JSON.stringify(x, null, 2) + '\n');
  }

  writeText(rel: string, s: string): void {
    const file = this.stagedPath(rel);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, s);
    } catch (e) {
      throw outputError(e, path.join(this.target, rel));
    }
  }

  /** The three files of each violation, in `sub` (a scenario's subfolder, or ''). */
  writeArtifacts(sub: string, arts: readonly ViolationArtifacts[]): void {
    for (const a of arts) {
      this.writeJson(path.join(sub, `${a.stem}.json`), a.trace);
      this.writeJson(path.join(sub, `${a.stem}.itf.json`), a.itf);
      this.writeText(path.join(sub, `${a.stem}.txt`), a.mail);
    }
  }

  /** Put the complete run in place; returns how many entries of an earlier run it replaced. */
  commit(): number {
    try {
      if (!fs.existsSync(this.target)) {
        fs.renameSync(this.staging, this.target);
        return 0;
      }
      return this.replaceInto();
    } catch (e) {
      throw outputError(e, this.target);
    } finally {
      this.abandon();
    }
  }

  /** The target exists (--force, or a folder without a run): move our old entries aside,
   *  the new ones in, then delete the old; on failure undo, so the earlier run survives. */
  private replaceInto(): number {
    const old = runEntries(this.target);
    const aside = makeSibling(this.target, 'old');
    const movedOut: string[] = [];
    const movedIn: string[] = [];
    try {
      for (const f of old) { fs.renameSync(f, path.join(aside, path.basename(f))); movedOut.push(f); }
      for (const f of fs.readdirSync(this.staging)) {
        fs.renameSync(path.join(this.staging, f), path.join(this.target, f));
        movedIn.push(f);
      }
    } catch (e) {
      for (const f of movedIn) { try { fs.renameSync(path.join(this.target, f), path.join(this.staging, f)); } catch { /* best effort */ } }
      for (const f of movedOut) { try { fs.renameSync(path.join(aside, path.basename(f)), f); } catch { /* best effort */ } }
      fs.rmSync(aside, { recursive: true, force: true });
      throw e;
    }
    fs.rmSync(aside, { recursive: true, force: true });
    return old.length;
  }

  /** Drop the staging folder (nothing of the target is touched) and release the lock. */
  abandon(): void {
    try { fs.rmSync(this.staging, { recursive: true, force: true }); } catch { /* nothing more to do */ }
    this.lock.release();
    this.unhook();
  }
}
