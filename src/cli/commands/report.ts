/** probecheck report RESULTS: one self-contained report.html from a results folder or a
 *  matrix document; --open shows it in the desktop's browser. */
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import type { CommandFactory } from '../context';
import type { Outcome } from '../outcome';
import { writeReport } from '../../report/write';

/** Hand the file to the desktop (xdg-open, open); say so when there is none. */
function openInBrowser(file: string): string {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const p = spawn(cmd, [file], { detached: true, stdio: 'ignore' });
    p.on('error', () => undefined);
    p.unref();
    return '';
  } catch {
    return `probecheck: could not start ${cmd}; open ${file} yourself\n`;
  }
}

export const reportCommand: CommandFactory = (_ctx, done) => {
  const c = new Command('report')
    .description('write one self-contained report.html (no network) from a results folder or a matrix document')
    .argument('<results>', 'a check results folder (summary.json), a folder of matrix documents, or a matrix document')
    .option('--out <file>', 'write the page here (default: report.html in the results folder)')
    .option('--open', 'open the page in the desktop\'s browser')
    .addHelpText('after', `
Examples:
  probecheck report results/20261207-101500-v6.6-probe-vs-register --open
  probecheck report nightly/2026-12-07.json
Exit status: 0 written, 2 the folder or document is not probecheck's.`)
    .action((results: string, raw: { out?: string; open?: boolean }) => {
      const { file } = writeReport(results, raw.out);
      const o: Outcome = { exitCode: 0, stdout: `report: ${file}\n`, ...(raw.open ? { stderr: openInBrowser(file) } : {}) };
      done(o);
    });
  return c;
};
