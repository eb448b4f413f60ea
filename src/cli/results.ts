/**
 * The results folder of a run: summary.json, and per violated invariant
 * violation-<invariant>.json (probecheck's trace), .itf.json (ITF) and .txt (the mail format).
 * A folder that already holds a run is refused unless --force; with --force only our own
 * files are replaced, and the command says how many.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import type { ViolationArtifacts } from './artifacts';

const OURS = /^(summary\.json|report\.html|violation-.+\.(json|itf\.json|txt))$/;

export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Our files already in `dir` (empty when it does not exist). */
export function runFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (!fs.statSync(dir).isDirectory()) fail('E_OUT_EXISTS', `${dir} exists and is not a folder`);
  return fs.readdirSync(dir).filter((f) => OURS.test(f)).map((f) => path.join(dir, f));
}

/** Refuse folders that hold a run, unless `force`; returns the files --force will replace. */
export function prepareOut(dirs: readonly string[], force: boolean): string[] {
  const old = dirs.flatMap(runFiles);
  if (old.length && !force) {
    fail('E_OUT_EXISTS', `${path.dirname(old[0])} already holds a run (${path.basename(old[0])}); use --force to replace it, or another --out`);
  }
  return old;
}

/** With --force: remove the earlier run's files (only ours) so the folder holds one run. */
export function clearRun(files: readonly string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}

export function writeJson(file: string, x: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(x, null, 2) + '\n');
}

export function writeText(file: string, s: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, s);
}

/** The three files of each violation, in the run's folder. */
export function writeArtifacts(dir: string, arts: readonly ViolationArtifacts[]): void {
  for (const a of arts) {
    const stem = path.join(dir, a.stem);
    writeJson(`${stem}.json`, a.trace);
    writeJson(`${stem}.itf.json`, a.itf);
    writeText(`${stem}.txt`, a.mail);
  }
}
