/** Run the built CLI as a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (tests run from dist/test/cli). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'probecheck.js');

export interface Run { code: number | null; stdout: string; stderr: string }

/** The CLI's environment in tests: a matrix cell cache of this test process's own, so that a
 *  developer's earlier `probecheck matrix` (whose cells land in ~/.cache) cannot answer a test
 *  that needs a cell explored, stopped or interrupted. */
export const CLI_ENV: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-test-cache-')) };

export function cli(...args: string[]): Run {
  return cliIn(ROOT, ...args);
}

/** The CLI run from `cwd` (relative paths in its output are then the same on every machine). */
export function cliIn(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: CLI_ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `probecheck-cli-${tag}-`));
}

/** Exactly one non-empty line on stderr, starting `probecheck: CODE:`. */
export function oneErrorLine(r: Run, code: string): string {
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${r.stderr}`);
  if (!lines[0].startsWith(`probecheck: ${code}: `)) throw new Error(`expected ${code}, got: ${lines[0]}`);
  return lines[0];
}
