/**
 * The TLA+ exports kept in spec/, in one table: `node scripts/gen-spec.js` regenerates them and
 * a test (test/bridge/specs.test.ts) fails when a file there is stale. To add a model (the
 * seed scenarios, buggy and fixed kernels), add a row: a file stem (also the module name)
 * and a function that builds the lowered model. A product table (it names kernels, scenarios
 * and patches), so it sits with the CLI, above the bridge that only translates models.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CoreModel } from '../ir/core';
import { lowerModel } from '../ir/lower';
import { writeFileAtomic } from './atomic-file';
import { buildClassicModel } from '../examples';
import { buildKernelModel } from '../model/index';
import { exportTla } from '../bridge/tla';

export interface SpecRow {
  /** File stem and TLA+ module name: spec/<stem>.tla and spec/<stem>.cfg. */
  readonly stem: string;
  /** What the model is, for the listing. */
  readonly what: string;
  readonly build: () => CoreModel;
}

export const SPEC_ROWS: readonly SpecRow[] = [
  { stem: 'counters_3_3', what: 'counters n=3 m=3 (64 states)', build: () => lowerModel(buildClassicModel('counters', ['n=3', 'm=3'])) },
  { stem: 'dining_3', what: 'dining n=3 (14 states, deadlock)', build: () => lowerModel(buildClassicModel('dining', ['n=3'])) },
  { stem: 'peterson_2_broken', what: 'peterson n=2 broken=true (76 states, MutualExclusion violated)', build: () => lowerModel(buildClassicModel('peterson', ['n=2', 'broken=true'])) },
  // The five seed scenarios, on the kernel that has the bug and on the fixed one.
  ...seedRow('seed000_buggy', 'v4.20-rc1', 'ipmmu-early-free', []),
  ...seedRow('seed000_fixed', 'v4.20-rc1', 'ipmmu-early-free', ['ipmmu-free-guard']),
  ...seedRow('seed001_buggy', 'v6.6', 'probe-vs-register', []),
  ...seedRow('seed001_fixed', 'v6.15', 'probe-vs-register', []),
  ...seedRow('seed002_buggy', 'v5.17', 'dma-owner-before-group', ['dma-owner-v7']),
  ...seedRow('seed002_fixed', 'v5.19', 'dma-owner-before-group', []),
  ...seedRow('seed003_buggy', 'v4.19', 'msm-private-domain', []),
  ...seedRow('seed003_fixed', 'v4.19', 'msm-private-domain', ['0e764a01015d']),
  ...seedRow('seed004_buggy', 'v5.19', 'multi-dmar-register', ['57365a04c921']),
  ...seedRow('seed004_fixed', 'v6.1', 'multi-dmar-register', []),
];

function seedRow(stem: string, kernel: string, scenario: string, patches: string[]): SpecRow[] {
  const what = `--kernel ${kernel} --scenario ${scenario}${patches.map((p) => ` --patch ${p}`).join('')}`;
  return [{ stem, what, build: () => lowerModel(buildKernelModel({ kernel, scenario, patches })) }];
}

/** File name -> text of every export in the table. */
export function renderSpecs(rows: readonly SpecRow[] = SPEC_ROWS): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of rows) {
    const ex = exportTla(row.build(), { moduleName: row.stem });
    out.set(`${row.stem}.tla`, ex.tla);
    out.set(`${row.stem}.cfg`, ex.cfg);
  }
  return out;
}

/** Files in `dir` that differ from (or are missing for) the table; empty when up to date. */
export function staleSpecs(dir: string, rows: readonly SpecRow[] = SPEC_ROWS): string[] {
  const stale: string[] = [];
  for (const [name, text] of renderSpecs(rows)) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) stale.push(name);
  }
  return stale;
}

/** Write every export of the table into `dir`; returns the names written. */
export function writeSpecs(dir: string, rows: readonly SpecRow[] = SPEC_ROWS): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderSpecs(rows)) {
    writeFileAtomic(path.join(dir, name), text);
    written.push(name);
  }
  return written;
}
