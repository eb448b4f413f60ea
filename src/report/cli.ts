/** The report options check, verify-patch and matrix share (--junit FILE, --no-report), and
 *  what they do once a run's JSON is written: a failure here is said, never loses the run. */
import type { Command } from 'commander';
import { junitXml, type JunitCase } from './junit';
import { writeFileAtomic, writeReport } from './write';

export interface ReportOptions { readonly html: boolean; readonly junit?: string }

export function addReportOptions(c: Command, beside: string | null): Command {
  c.option('--junit <file>', 'also write the results as JUnit XML: one test case per kernel x scenario x invariant');
  if (beside) c.option('--no-report', `do not write report.html in ${beside}`);
  return c;
}

/** Write report.html from `results` (when html) and the JUnit file; returns the lines to
 *  print (human: where they are; notes: what could not be written). */
export function finishReports(o: ReportOptions, results: string | null, suite: string, cases: readonly JunitCase[]): { human: string; notes: string } {
  let human = '', notes = '';
  if (o.html && results !== null) {
    try {
      human += `report: ${writeReport(results).file}\n`;
    } catch (e) {
      notes += `probecheck: report.html not written: ${(e as Error).message.split('\n')[0]}\n`;
    }
  }
  if (o.junit !== undefined) {
    try {
      writeFileAtomic(o.junit, junitXml([{ name: suite, cases }]));
      human += `junit: ${o.junit}\n`;
    } catch (e) {
      notes += `probecheck: ${o.junit} not written: ${(e as Error).message.split('\n')[0]}\n`;
    }
  }
  return { human, notes };
}
