/**
 * A kernel source tree given on the command line (--kernel-tree, --against): a directory with
 * drivers/iommu in it. Files are read as they are asked for; the version comes from the top
 * Makefile when there is one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';

export interface KernelTree {
  readonly path: string;
  /** `6.18.9` from the Makefile's VERSION, PATCHLEVEL, SUBLEVEL, EXTRAVERSION; null without one. */
  readonly version: string | null;
  read(file: string): string | null;
}

function makefileVersion(dir: string): string | null {
  let text: string;
  try { text = fs.readFileSync(path.join(dir, 'Makefile'), 'utf8'); } catch { return null; }
  const get = (k: string) => new RegExp(`^${k}\\s*=[ \\t]*(\\S*)`, 'm').exec(text)?.[1];
  const [v, p, s, e] = ['VERSION', 'PATCHLEVEL', 'SUBLEVEL', 'EXTRAVERSION'].map(get);
  if (v === undefined || p === undefined) return null;
  return `${v}.${p}${s ? `.${s}` : ''}${e ?? ''}`;
}

/** Open a tree, or fail with one E_KERNEL_TREE line saying what is wrong with the path. */
export function openTree(dir: string, option = '--kernel-tree'): KernelTree {
  let st: fs.Stats;
  try { st = fs.statSync(dir); } catch { return fail('E_KERNEL_TREE', `${option} ${dir}: no such directory`); }
  if (!st.isDirectory()) fail('E_KERNEL_TREE', `${option} ${dir}: not a directory (give the top of a kernel source tree)`);
  if (!fs.existsSync(path.join(dir, 'drivers', 'iommu'))) {
    fail('E_KERNEL_TREE', `${option} ${dir}: not a kernel source tree (no drivers/iommu; give the directory that holds drivers/ and include/)`);
  }
  return {
    path: dir,
    version: makefileVersion(dir),
    read(file: string): string | null {
      try { return fs.readFileSync(path.join(dir, file), 'utf8'); } catch { return null; }
    },
  };
}
