/**
 * The built-in scenarios (the five seeds and larger combinations, iommu-probe.md 1.1, 3) are the
 * scenario files shipped in the package's scenarios/ folder, in the order of its
 * builtin-order.txt. Every command lists or builds scenarios, so a file is read only when its
 * scenario is first asked for (`--scenario X` reads X.yaml alone; listing reads them all), and
 * checked with the cheap schema check (schema.ts): the tests validate the shipped files with Ajv.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail, unknownName } from '../errors';
import { packagePath, shownPath } from '../package-files';
import { readScenarioFile } from '../scenario-file/parse';
import type { ScenarioDef } from './config';

export const ORDER_FILE = 'builtin-order.txt';

export interface ScenarioFolder {
  /** The folder, as messages name it. */
  readonly dir: string;
  /** The scenario names in order (reads only the order file and the folder's listing). */
  names(): readonly string[];
  /** One scenario, read from NAME.yaml the first time; E_UNKNOWN_SCENARIO for a name not listed. */
  get(name: string): ScenarioDef;
  /** Every scenario, in order. */
  all(): readonly ScenarioDef[];
}

/** The scenarios of a folder of scenario files with an order file (the shipped one, or a copy
 *  in a test). A broken file is one line `FILE:LINE:COL: what is wrong` (E_SCENARIO_FILE). */
export function scenarioFolder(folder: string): ScenarioFolder {
  const dir = shownPath(folder);
  const defs = new Map<string, ScenarioDef>();
  let order: readonly string[] | undefined;
  const names = (): readonly string[] => (order ??= readOrder(dir));
  const get = (name: string): ScenarioDef => {
    const known = defs.get(name);
    if (known) return known;
    if (!names().includes(name)) return unknownName('E_UNKNOWN_SCENARIO', 'scenario', name, names());
    const sf = readScenarioFile(path.join(dir, `${name}.yaml`), { schema: 'cheap' });
    if (sf.def.name !== name) fail('E_SCENARIO_FILE', `${sf.nameAt}: name '${sf.def.name}' differs from the file's name (${name}.yaml): a built-in scenario is named by its file`);
    defs.set(name, sf.def);
    return sf.def;
  };
  return { dir, names, get, all: () => names().map(get) };
}

/** The order file: each name once, each with its file, and every file of the folder listed. */
function readOrder(dir: string): string[] {
  const file = path.join(dir, ORDER_FILE);
  let text: string, files: string[];
  try {
    text = fs.readFileSync(file, 'utf8');
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length));
  } catch (e) {
    return fail('E_SCENARIO_FILE', `${file}: the built-in scenarios cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split('\n')[0]})`);
  }
  const names: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const name = raw.replace(/#.*/, '').trim();
    if (!name) continue;
    const at = `${file}:${i + 1}:${raw.indexOf(name) + 1}`;
    if (names.includes(name)) fail('E_SCENARIO_FILE', `${at}: '${name}' is listed twice`);
    if (!files.includes(name)) fail('E_SCENARIO_FILE', `${at}: no file ${name}.yaml in ${dir}`);
    names.push(name);
  }
  const unlisted = files.find((f) => !names.includes(f));
  if (unlisted !== undefined) fail('E_SCENARIO_FILE', `${path.join(dir, `${unlisted}.yaml`)}:1:1: not listed in ${file} (every scenario file there is a built-in)`);
  return names;
}

/** The shipped built-in scenarios. */
export const BUILTIN_SCENARIOS: ScenarioFolder = scenarioFolder(packagePath('scenarios'));
