/** probecheck scenario from-dts: a scenario file from a device tree (.dts, or .dtb through dtc). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Command } from 'commander';
import { fail } from '../../errors';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';
import { positiveInt } from '../options';
import { parseDts } from '../../scenario-file/dts';
import { scenarioFromDts } from '../../scenario-file/from-dts';
import { parseScenarioText } from '../../scenario-file/parse';

const MAX_BYTES = 16 * 1024 * 1024;

interface RawFromDts { out?: string; force?: boolean; maxDevices?: number; name?: string; bus?: string }

/** The tree's source: the file itself, or a .dtb (magic d00dfeed) decompiled by dtc. */
function dtsText(file: string): string {
  let buf: Buffer;
  try {
    if (fs.statSync(file).size > MAX_BYTES) fail('E_DTS_FILE', `${file}: larger than ${MAX_BYTES} bytes`);
    buf = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !code.startsWith('E_')) fail('E_DTS_FILE', `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a device tree' : `cannot be read (${code})`}`);
    throw e;
  }
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0xd00dfeed) {
    const r = spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') fail('E_DTS_FILE', `${file}: a .dtb; reading one needs dtc (Debian package device-tree-compiler), which is not installed: install it or give the .dts`);
    if (r.status !== 0) fail('E_DTS_FILE', `${file}: dtc could not read this .dtb: ${(r.stderr || 'no message').split('\n')[0]}`);
    return r.stdout;
  }
  if (buf.includes(0)) fail('E_DTS_FILE', `${file}: binary, and not a .dtb (no d00dfeed magic)`);
  return buf.toString('utf8');
}

export function runFromDts(file: string, raw: RawFromDts): Outcome {
  if (raw.out !== undefined && fs.existsSync(raw.out) && !raw.force) fail('E_OUT_EXISTS', `${raw.out} exists; give --force to replace it`);
  if (raw.bus !== undefined && raw.bus !== 'platform' && raw.bus !== 'pci') fail('E_BAD_VALUE', `--bus takes platform or pci, got '${raw.bus}'`);
  const root = parseDts(dtsText(file), file);
  const r = scenarioFromDts(root, { file, ...(raw.maxDevices !== undefined ? { maxDevices: raw.maxDevices } : {}), ...(raw.name !== undefined ? { name: raw.name } : {}), ...(raw.bus !== undefined ? { bus: raw.bus as 'platform' | 'pci' } : {}) });
  // What we write must read back: checked by the same parser as any scenario file.
  const def = parseScenarioText(r.yaml, raw.out ?? '(from-dts output)');
  const buses = [...new Set(def.devices.map((d) => d.bus ?? def.bus))].join(' and ');
  const summary = `scenario from-dts: ${file}: ${def.iommus.length} IOMMU(s) (${[...new Set(def.iommus.map((i) => i.driver))].join(', ')}), ${def.devices.length} client(s), ${def.groups.length} group(s) on ${buses}\n${r.notes.map((n) => `  note: ${n}\n`).join('')}`;
  if (raw.out === undefined) return { exitCode: 0, stdout: r.yaml, stderr: summary };
  try { fs.writeFileSync(raw.out, r.yaml); } catch (e) { fail('E_OUTPUT', `${raw.out}: ${(e as Error).message.split('\n')[0]}`); }
  return { exitCode: 0, stdout: `${summary}wrote ${raw.out}\n` };
}

export const scenarioCommand: CommandFactory = (_ctx, done) => {
  const fromDts = new Command('from-dts').description('write a scenario file from a device tree\'s iommus, iommu-map and #iommu-cells')
    .argument('<tree>', 'a .dts (preprocessed if it uses macros in the IOMMU properties), or a .dtb when dtc is installed')
    .option('--out <file.yaml>', 'write the scenario there (default: stdout, the summary on stderr)')
    .option('--force', 'replace --out if it exists')
    .option('--max-devices <n>', 'keep at most this many clients, in tree order (default 4)', positiveInt('--max-devices'))
    .option('--bus <bus>', 'keep one bus only: platform (the iommus clients) or pci (the iommu-map host bridges, one client per RID range); default: both')
    .option('--name <name>', 'the scenario name (default: from the tree\'s model)')
    .addHelpText('after', `
Example:
  probecheck scenario from-dts board.dts --out board.yaml
  probecheck check --scenario-file board.yaml
Exit status: 0, or 2 on bad input (E_DTS_FILE: FILE:LINE:COL: what is wrong).`)
    .action((tree: string, raw: RawFromDts) => { done(runFromDts(tree, raw)); });
  return new Command('scenario').description('scenario files (scenario from-dts)').addCommand(fromDts);
};
