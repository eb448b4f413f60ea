/**
 * One writer per results folder (or matrix document): a lock file `.<name>.lock` beside the
 * target, created exclusively and holding the writer's pid. A lock whose process is gone (a
 * crash, kill -9) is stale and taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import { errnoCode, outputError } from './output-error';

export interface OutLock { readonly file: string; release(): void }

export const lockFileOf = (target: string) => path.join(path.dirname(path.resolve(target)), `.${path.basename(path.resolve(target))}.lock`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** Take the lock of `target` or fail with E_OUT_LOCKED naming the other writer. */
export function lockOut(target: string): OutLock {
  const file = lockFileOf(target);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        file,
        release() {
          try { if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.rmSync(file, { force: true }); } catch { /* gone already */ }
        },
      };
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw outputError(e, `${target} (its lock ${file})`);
    }
    let pid = NaN;
    try { pid = Number(fs.readFileSync(file, 'utf8').trim()); } catch { /* removed meanwhile: retry */ }
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
      fail('E_OUT_LOCKED', `${target} is being written by another probecheck (pid ${pid}); wait for it, or give another --out`);
    }
    fs.rmSync(file, { force: true }); // stale: its writer is gone
  }
  return fail('E_OUT_LOCKED', `${target}: cannot take the lock ${file}`);
}
