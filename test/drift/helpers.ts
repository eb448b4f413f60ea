/** Fake kernel trees for the drift tests: fixtures/base and variants of it made in a temp dir. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CitationSource } from '../../src/drift/compare';
import { citedFunctions } from '../../src/drift/compare';
import { TreeFunctions } from '../../src/drift/locate';
import { loadCParser } from '../../src/drift/parse-c';
import type { FunctionCitation } from '../../src/model/citations/types';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'drift', 'fixtures');
export const BASE = path.join(FIXTURES, 'base');

/** A copy of fixtures/base, edited: `edits` maps a file to a function of its text (null: delete it). */
export function variant(tag: string, edits: Record<string, ((text: string) => string) | null>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `probecheck-drift-${tag}-`));
  fs.cpSync(BASE, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const p = path.join(dir, file);
    if (edit === null) { fs.rmSync(p); continue; }
    const before = fs.readFileSync(p, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`variant ${tag}: the edit of ${file} changed nothing`);
    fs.writeFileSync(p, after);
  }
  return dir;
}

/** Fingerprints recorded from a fake tree, as cite-kernel records them from a kernel's tree, for
 *  one kernel only: what `probecheck drift` compares with. Functions the tree lacks are not
 *  recorded (not compared). */
export async function recordFrom(dir: string, kernel = 'v6.18.y'): Promise<CitationSource> {
  const t = new TreeFunctions(await loadCParser(), (f) => { try { return fs.readFileSync(path.join(dir, f), 'utf8'); } catch { return null; } });
  const functions: Record<string, FunctionCitation> = {};
  for (const c of citedFunctions(kernel)) {
    const r = t.lookup(c.fn, c.file);
    if (r.status === 'found') functions[c.key] = { lines: r.at.lines, fingerprint: r.at.fingerprint };
  }
  return (k) => (k === kernel ? { tree: `fake/${path.basename(dir)}@000000000000`, functions } : undefined);
}
