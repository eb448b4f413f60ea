/** probecheck export tla: write <Module>.tla and <Module>.cfg for TLC. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Argument, Command } from 'commander';
import { defaultModuleName, exportTla } from '../../bridge/tla';
import { fail } from '../../errors';
import type { CommandFactory } from '../context';
import { addTargetOptions, type RawTarget, targetOptions } from '../options';
import type { Outcome } from '../outcome';
import { writeFileAtomic } from '../atomic-file';
import { outputError } from '../output-error';
import { checkOutOption } from '../results';
import { resolveTargets, validateTargetOptions, type TargetOptions } from '../target';

export interface ExportOptions { readonly target: TargetOptions; readonly out: string; readonly force: boolean; readonly module?: string }

export function runExport(o: ExportOptions): Outcome {
  const [t] = resolveTargets(o.target);
  const name = o.module ?? defaultModuleName(t.core);
  const x = exportTla(t.core, { moduleName: name });
  const files = [path.join(o.out, `${x.moduleName}.tla`), path.join(o.out, `${x.moduleName}.cfg`)];
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length && !o.force) fail('E_OUT_EXISTS', `${existing[0]} exists; use --force to replace it`);
  checkOutOption(o.out);
  try {
    fs.mkdirSync(o.out, { recursive: true });
    // Each file whole or not at all: an earlier export survives a full disk.
    writeFileAtomic(files[0], x.tla);
    writeFileAtomic(files[1], x.cfg);
  } catch (e) {
    throw outputError(e, o.out);
  }
  return {
    exitCode: 0,
    stdout: `wrote ${files[0]}\nwrote ${files[1]}\ncheck with: (cd ${o.out} && java -cp tla2tools.jar tlc2.TLC -workers 1 -continue -config ${x.moduleName}.cfg ${x.moduleName}.tla)\n`,
  };
}

export const exportCommand: CommandFactory = (_ctx, done) => {
  const c = new Command('export').description('export a model to a TLA+ module and a TLC config')
    .addArgument(new Argument('<format>', 'export format').choices(['tla']));
  addTargetOptions(c, { scenarioText: 'scenario (one)' })
    .requiredOption('--out <dir>', 'folder for <Module>.tla and <Module>.cfg')
    .option('--module <name>', 'module name (default from the model and its parameters)')
    .option('--force', 'replace existing files')
    .addHelpText('after', `
Examples:
  probecheck export tla --kernel v6.6 --scenario probe-vs-register --out tla/
  probecheck export tla --model counters --set n=3 --set m=3 --out tla/`)
    .action((_format: string, raw: RawTarget & { out: string; force?: boolean; module?: string }) => {
      const target = targetOptions(raw);
      validateTargetOptions(target, { scenarioRequired: true, oneScenario: true });
      done(runExport(Object.freeze({ target, out: raw.out, force: Boolean(raw.force), ...(raw.module ? { module: raw.module } : {}) })));
    });
  return c;
};
