/**
 * A unified diff (a plain `diff -u`, `git diff`, or a `git format-patch` mail) read with the
 * `diff` package's parsePatch, as hunks with their file, pre-image lines and function context.
 */
import { parsePatch } from 'diff';
import { fail } from '../errors';

export interface Hunk {
  /** The file as the tree names it (`a/` and `b/` prefixes dropped); the old name, or the
   *  new one for a created file. */
  readonly file: string;
  /** `@@ -400,10 +400,14 @@ static int iommu_init_device(struct device *dev)` */
  readonly header: string;
  /** What follows the second `@@`: git's function context, the line above the hunk that starts
   *  the function it is in (kernel trees set diff=cpp for *.c and *.h). */
  readonly context: string;
  readonly oldStart: number;
  readonly oldLines: number;
  /** The hunk's lines, each with its ' ', '-' or '+' mark ('\' lines dropped). */
  readonly lines: readonly string[];
}

export interface ParsedDiff {
  readonly hunks: readonly Hunk[];
  /** From a format-patch mail: `Subject: [PATCH] ...` without the [...] tag, and the commit id
   *  of its `From <sha>` line. */
  readonly subject?: string;
  readonly commit?: string;
}

const HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

const strip = (name: string | undefined) => (name ?? '').replace(/^[ab]\//, '').split('\t')[0];

export function parseUnifiedDiff(text: string, where: string): ParsedDiff {
  // A mail's signature ("-- " alone on a line) would read as a removed line.
  const body = text.replace(/^-- \r?\n[\s\S]*$/m, '');
  let patches: ReturnType<typeof parsePatch>;
  try { patches = parsePatch(body); } catch (e) {
    return fail('E_DIFF_FILE', `${where}: not a unified diff: ${(e as Error).message.split('\n')[0]}`);
  }
  // parsePatch keeps no function context: take it from the @@ lines, which it reads in order.
  const headers = body.split('\n').filter((l) => HEADER.test(l));
  const hunks: Hunk[] = [];
  for (const p of patches) {
    const file = strip(p.oldFileName) === '/dev/null' || !p.oldFileName ? strip(p.newFileName) : strip(p.oldFileName);
    for (const h of p.hunks) {
      const header = headers[hunks.length] ?? '';
      hunks.push({ file, header, context: HEADER.exec(header)?.[5] ?? '', oldStart: h.oldStart, oldLines: h.oldLines, lines: h.lines.filter((l) => !l.startsWith('\\')) });
    }
  }
  if (!hunks.length) fail('E_DIFF_FILE', `${where}: no hunk (@@ -a,b +c,d @@) in it: not a unified diff`);
  if (headers.length !== hunks.length) fail('E_DIFF_FILE', `${where}: ${headers.length} @@ lines but ${hunks.length} hunks read`);
  const subject = /^Subject: (?:\[[^\]]*\] ?)?(.+)$/m.exec(text)?.[1]?.trim();
  const commit = /^From ([0-9a-f]{40}) /m.exec(text)?.[1];
  return { hunks, ...(subject ? { subject } : {}), ...(commit ? { commit } : {}) };
}
