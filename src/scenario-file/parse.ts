/**
 * A scenario file (YAML) -> ScenarioDef, read as data only: parsed with `yaml` keeping
 * positions, checked against the published JSON Schema (schema.ts), then against itself (names
 * that refer to other entries) and the model's rules for a topology. Every problem is one line
 * `FILE:LINE:COL: what is wrong (closest valid names)`, E_SCENARIO_FILE, exit 2.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Document, Node as YamlNode } from 'yaml';
import { closest, fail } from '../errors';
import { INVARIANT_DEFS } from '../invariants/kernel';
import type { DevCfg, IommuCfg, ScenarioDef } from '../model/config';
import { deviceMisfit, topologyMisfit } from '../model/topology';
import { driverMixMisfit } from '../model/mixed-drivers';
import { cheapSchemaErrors, schemaErrors, type Path } from './schema';
import { checkCond, condExpr, type Cond } from './witness';

/** `yaml`, loaded when a file is first parsed: commands that read no scenario file (help,
 *  trace, report) do not pay for it at start-up. */
const yamlLib = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

/** Larger than any sensible scenario; refused before parsing. */
const MAX_BYTES = 256 * 1024;

export interface ScenarioFile {
  readonly def: ScenarioDef;
  /** SHA-256 of the file's content (recorded with a trace: a replay refuses a changed file). */
  readonly digest: string;
  /** `FILE:LINE:COL` of each witness's condition, for errors found when the model is lowered. */
  readonly witnessAt: Readonly<Record<string, string>>;
  /** `FILE:LINE:COL` of the scenario's name. */
  readonly nameAt: string;
}

/** ajv: the published schema compiled by Ajv (a user's file); cheap: the same schema checked by
 *  shape.ts, for the shipped built-ins read at every start (the tests check them with Ajv). */
export interface ReadOptions { readonly schema?: 'ajv' | 'cheap' }

interface Raw {
  name: string; seed?: string; doc?: string; defaultScenario?: boolean; bus: ScenarioDef['bus']; firmware?: ScenarioDef['firmware']; bootThread?: boolean;
  iommus: IommuCfg[]; groups: string[]; devices: DevCfg[]; vfio?: { group: string; afterBound: string };
  sysfsType?: NonNullable<ScenarioDef['sysfsType']>;
  faults?: string[]; initcallsActor?: boolean; symmetry?: NonNullable<ScenarioDef['symmetry']>; invariants?: 'all' | string[];
  witnesses?: { name: string; doc?: string; when: Cond }[];
}

export function readScenarioFile(file: string, opts: ReadOptions = {}): ScenarioFile {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) fail('E_SCENARIO_FILE', `${file}: not a file`);
    if (st.size > MAX_BYTES) fail('E_SCENARIO_FILE', `${file}: ${st.size} bytes; a scenario file is at most ${MAX_BYTES}`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).code === 'string' && !(e as { code: string }).code.startsWith('E_')) {
      fail('E_SCENARIO_FILE', `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot be read (${(e as NodeJS.ErrnoException).code})`}`);
    }
    throw e;
  }
  return { ...parseScenario(text, file, opts), digest: crypto.createHash('sha256').update(text).digest('hex') };
}

/** Parse and check `text`; `file` names it in errors. */
export function parseScenarioText(text: string, file: string): ScenarioDef {
  return parseScenario(text, file).def;
}

function parseScenario(text: string, file: string, opts: ReadOptions = {}): { def: ScenarioDef; witnessAt: Record<string, string>; nameAt: string } {
  if (text.length > MAX_BYTES) fail('E_SCENARIO_FILE', `${file}: ${text.length} characters; a scenario file is at most ${MAX_BYTES}`);
  const { LineCounter, parseDocument, visit } = yamlLib();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const where = (offset: number | undefined) => {
    const { line, col } = lc.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };
  const first = doc.errors[0];
  if (first) fail('E_SCENARIO_FILE', `${where(first.pos[0])}: ${first.message.split('\n')[0]}`);
  // A recursive alias (`x: &a [*a]`) would make a cyclic value: refuse it where it is.
  let cyclic: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      const target = alias.resolve(doc);
      if (cyclic === undefined && target?.range && alias.range && alias.range[0] >= target.range[0] && alias.range[1] <= target.range[2]) cyclic = alias.range[0];
    },
  });
  if (cyclic !== undefined) fail('E_SCENARIO_FILE', `${where(cyclic)}: an alias inside the node it refers to (a cyclic value)`);
  let data: unknown;
  try {
    // Aliases are expanded with a budget: a file of nested aliases must not grow without bound.
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    fail('E_SCENARIO_FILE', `${file}:1:1: ${(e as Error).message.split('\n')[0]}`);
  }
  const at = (p: Path, keyPos = false) => where(offsetOf(doc, p, keyPos));
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('E_SCENARIO_FILE', `${at([])}: a scenario file is a map (name, bus, iommus, groups, devices, ...)`);
  const errs = opts.schema === 'cheap' ? cheapSchemaErrors(data) : schemaErrors(data);
  // Witness conditions have their own checker with better messages (the schema's oneOf gives
  // one error per branch); the schema stays the contract for everything else.
  const raw = data as Raw;
  const names = {
    dev: Array.isArray(raw.devices) ? raw.devices.map((d) => d?.name).filter((x): x is string => typeof x === 'string') : [],
    iommu: Array.isArray(raw.iommus) ? raw.iommus.map((d) => d?.name).filter((x): x is string => typeof x === 'string') : [],
    group: Array.isArray(raw.groups) ? raw.groups.filter((x): x is string => typeof x === 'string') : [],
  };
  const outside = errs.filter((e) => !(e.path[0] === 'witnesses' && e.path[2] === 'when'));
  // In file order, a wrong value before a missing key (the key may be what the user is about to add).
  const missing = (e: { message: string }) => (e.message.includes(': missing key ') ? 1 : 0);
  const sorted = [...outside].sort((a, b) => missing(a) - missing(b) || (offsetOf(doc, a.path, a.keyPos) ?? 0) - (offsetOf(doc, b.path, b.keyPos) ?? 0));
  if (sorted.length) fail('E_SCENARIO_FILE', `${at(sorted[0].path, sorted[0].keyPos)}: ${sorted[0].message}`);
  for (const [i, w] of (raw.witnesses ?? []).entries()) {
    const e = checkCond(w.when, ['witnesses', i, 'when'], names);
    if (e) fail('E_SCENARIO_FILE', `${at(e.path, e.keyPos)}: ${e.message}`);
  }
  if (errs.length) fail('E_SCENARIO_FILE', `${at(errs[0].path, errs[0].keyPos)}: ${errs[0].message}`);
  const problem = crossCheck(raw);
  if (problem) fail('E_SCENARIO_FILE', `${at(problem.path)}: ${problem.message}`);
  const witnessAt: Record<string, string> = {};
  for (const [i, w] of (raw.witnesses ?? []).entries()) witnessAt[w.name] = at(['witnesses', i, 'when']);
  return { def: toDef(raw), witnessAt, nameAt: at(['name']) };
}

/** Names that refer to other entries, names given twice, and topologies the model cannot build. */
function crossCheck(r: Raw): { path: Path; message: string } | undefined {
  const near = (x: string, valid: readonly string[]) => `${valid.length <= 3 ? 'valid' : 'closest'}: ${closest(x, valid).join(', ') || 'none'}`;
  const iommus = r.iommus.map((i) => i.name), groups = r.groups, devs = r.devices.map((d) => d.name);
  const dup = (list: readonly string[]) => list.findIndex((x, i) => list.indexOf(x) !== i);
  for (const [key, list, sub] of [['iommus', iommus, 'name'], ['groups', groups, undefined], ['devices', devs, 'name'], ['witnesses', (r.witnesses ?? []).map((w) => w.name), 'name']] as const) {
    const i = dup(list);
    if (i >= 0) return { path: sub ? [key, i, sub] : [key, i], message: `${key}: '${list[i]}' is given twice` };
  }
  for (const [i, d] of r.devices.entries()) {
    if (!iommus.includes(d.iommu)) return { path: ['devices', i, 'iommu'], message: `no IOMMU '${d.iommu}' in iommus (${near(d.iommu, iommus)})` };
    if (!groups.includes(d.group)) return { path: ['devices', i, 'group'], message: `no group '${d.group}' in groups (${near(d.group, groups)})` };
  }
  if (r.vfio) {
    if (!groups.includes(r.vfio.group)) return { path: ['vfio', 'group'], message: `no group '${r.vfio.group}' in groups (${near(r.vfio.group, groups)})` };
    const d = r.devices.find((x) => x.name === r.vfio!.afterBound);
    if (!d) return { path: ['vfio', 'afterBound'], message: `no device '${r.vfio.afterBound}' in devices (${near(r.vfio.afterBound, devs)})` };
    if (d.driver !== 'V' || d.group !== r.vfio.group) return { path: ['vfio', 'afterBound'], message: `device '${d.name}' must be bound to vfio (driver: V) in group '${r.vfio.group}'` };
  }
  for (const [i, u] of r.iommus.entries()) {
    if (u.probe !== 'sync') continue;
    if (u.atBoot) return { path: ['iommus', i, 'probe'], message: `IOMMU '${u.name}' is bound at boot (atBoot): it does not probe during the scenario, so it has no probe order` };
    if (r.bootThread) return { path: ['iommus', i, 'probe'], message: 'the DMAR units of a bootThread scenario already register in order from one boot thread: drop probe: sync' };
  }
  if (r.sysfsType && !groups.includes(r.sysfsType.group)) return { path: ['sysfsType', 'group'], message: `no group '${r.sysfsType.group}' in groups (${near(r.sysfsType.group, groups)})` };
  const drivers = [...new Set(r.iommus.map((i) => i.driver))];
  const mix = driverMixMisfit(drivers);
  if (mix) return { path: ['iommus', r.iommus.findIndex((i) => i.driver !== drivers[0]), 'driver'], message: mix };
  for (const drv of drivers) {
    const misfit = topologyMisfit({ name: r.name, bus: r.bus, bootThread: r.bootThread }, drv);
    if (misfit) return { path: ['iommus', r.iommus.findIndex((i) => i.driver === drv), 'driver'], message: misfit };
  }
  // Mixed drivers walk one bus in the model (their per-driver bus_set_iommu orders are not).
  if (drivers.length > 1) {
    const i = r.devices.findIndex((d) => (d.bus ?? r.bus) !== r.bus);
    if (i >= 0) return { path: ['devices', i, 'bus'], message: `IOMMUs of different drivers (${drivers.join(', ')}) are modelled on one bus; device ${r.devices[i].name} is on ${r.devices[i].bus}, the scenario's bus is ${r.bus}` };
  }
  // Per device: a bus or firmware its IOMMU's driver cannot serve, at the key that says it.
  for (const i of r.devices.keys()) {
    const drv = r.iommus.find((u) => u.name === r.devices[i].iommu)?.driver ?? drivers[0];
    const m = deviceMisfit(r, i, drv);
    if (m) return { path: m.own ? ['devices', i, m.key] : m.key === 'firmware' && r.firmware !== undefined ? ['firmware'] : ['bus'], message: m.message };
  }
  return undefined;
}

function toDef(r: Raw): ScenarioDef {
  const all = INVARIANT_DEFS.map((d) => d.name);
  return {
    name: r.name, ...(r.seed !== undefined ? { seed: r.seed } : {}), doc: r.doc ?? '', defaultScenario: r.defaultScenario ?? false, bus: r.bus, ...(r.firmware !== undefined ? { firmware: r.firmware } : {}),
    iommus: r.iommus.map((i) => ({ ...i })), ...(r.bootThread ? { bootThread: true } : {}),
    groups: [...r.groups], devices: r.devices.map((d) => ({ ...d })),
    ...(r.vfio ? { vfio: { ...r.vfio } } : {}),
    ...(r.sysfsType ? { sysfsType: { ...r.sysfsType } } : {}),
    faults: [...(r.faults ?? [])], ...(r.initcallsActor ? { initcallsActor: true } : {}), ...(r.symmetry ? { symmetry: [...r.symmetry] } : {}),
    invariants: r.invariants === undefined || r.invariants === 'all' ? all : [...r.invariants],
    witnesses: (r.witnesses ?? []).map((w) => ({ name: w.name, doc: w.doc ?? '', expr: (h) => condExpr(w.when, h) })),
  };
}

/** Where the value at `p` starts (or its key, for an unknown key); the nearest existing parent
 *  when the value is missing. */
function offsetOf(doc: Document, p: Path, keyPos = false): number | undefined {
  const { isMap, isPair, isScalar } = yamlLib();
  for (let n = p.length; n >= 0; n--) {
    const sub = p.slice(0, n);
    if (keyPos && n === p.length && n > 0) {
      const parent = sub.length > 1 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === sub[sub.length - 1]);
        const k = pair?.key as YamlNode | undefined;
        if (k?.range) return k.range[0];
      }
      continue;
    }
    const node = (n === 0 ? doc.contents : doc.getIn(sub, true)) as YamlNode | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
}
