/**
 * Files shipped beside the code (scenarios/, schema/), found from where this module runs: the
 * build in a clone or an installed package (dist/src/) or the sources under ts-node (src/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package root: the nearest of src/.. and dist/src/../.. that holds package.json. */
const ROOT = [path.join(__dirname, '..'), path.join(__dirname, '..', '..')].find((r) => fs.existsSync(path.join(r, 'package.json'))) ?? path.join(__dirname, '..', '..');

export function packagePath(...parts: string[]): string {
  return path.join(ROOT, ...parts);
}

/** How to name a shipped file in a message: relative when it is under the working folder
 *  (a clone), else absolute (an installed package). */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
