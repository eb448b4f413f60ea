/**
 * The TLA+ exports kept in spec/, in one table: `node scripts/gen-spec.js` regenerates them and
 * a test (test/bridge/specs.test.ts) fails when a file there is stale. To add a model (the
 * seed scenarios, buggy and fixed kernels), add a row: a file stem (also the module name)
 * and a function that builds the lowered model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CoreModel } from '../ir/core';
import { lowerModel } from '../ir/lower';
import { buildClassicModel } from '../models/index';
import { exportTla } from './tla';

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
  // Seed scenarios go here once the kernel model exists, e.g.
  // { stem: 'v6_6_probe_vs_register', what: 'v6.6, scenario probe-vs-register (buggy)', build: () => lowerModel(...) },
  // { stem: 'v6_6_probe_vs_register_fixed', what: 'the same with the fix', build: () => lowerModel(...) },
];

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
    fs.writeFileSync(path.join(dir, name), text);
    written.push(name);
  }
  return written;
}
