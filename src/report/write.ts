/** Writing report.html for a results folder or matrix document (the report command, and
 *  check and matrix by default), atomically: a reader never sees half a page. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic as writeAtomic } from '../cli/atomic-file';
import { renderReport } from './html';
import { loadReportInput, type ReportInput } from './load';

export const REPORT_FILE = 'report.html';

/** Atomic and fsynced (cli/atomic-file.ts), into a folder made if missing. */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomic(file, text);
}

/** Render RESULTS (a check's folder, a folder of matrix documents, or one document) into
 *  `out` (default: report.html in the folder); returns the file written. */
export function writeReport(results: string, out?: string): { file: string; input: ReportInput } {
  const input = loadReportInput(results);
  const file = out ?? path.join(input.dir, REPORT_FILE);
  writeFileAtomic(file, renderReport(input));
  return { file, input };
}
