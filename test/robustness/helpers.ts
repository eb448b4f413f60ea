/** Child processes for the robustness suite: signals, concurrency, a full disk (ulimit -f). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, CLI_ENV, type Run } from '../cli/helpers';

export { BIN, CLI_ENV, cli, cliIn, oneErrorLine, ROOT } from '../cli/helpers';

export function tmp(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `probecheck-rob-${tag}-`));
}

export interface Child { readonly pid: number; readonly done: Promise<Run & { signal: NodeJS.Signals | null }>; stderrSoFar(): string; kill(sig: NodeJS.Signals): void }

/** The CLI as a child process that keeps running while the test acts on it. */
export function start(cwd: string, args: readonly string[], opts: { shell?: string } = {}): Child {
  const c = opts.shell
    ? spawn('sh', ['-c', `${opts.shell}; exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd, env: CLI_ENV })
    : spawn(process.execPath, [BIN, ...args], { cwd, env: CLI_ENV });
  let stdout = '', stderr = '';
  c.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const done = new Promise<Run & { signal: NodeJS.Signals | null }>((resolve) => {
    c.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { pid: c.pid as number, done, stderrSoFar: () => stderr, kill: (sig) => { c.kill(sig); } };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `cond` holds (polling), or fail after `ms`. */
export async function until(cond: () => boolean, ms = 30_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A run's staging folder exists beside `target`: the search is about to start or running. */
export function stagingOf(target: string): string[] {
  const dir = path.dirname(target), base = path.basename(target);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(`.${base}.partial-`)) : [];
}

/** Everything under `dir` (relative paths -> contents), for "nothing else changed" checks. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Every .json file under `dir` parses (no truncated file). */
export function allJsonParses(dir: string): void {
  for (const [f, text] of Object.entries(snapshot(dir))) if (f.endsWith('.json')) JSON.parse(text);
}

/** Hidden leftovers beside a target (staging, aside folders, temp files, locks). */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('.'));
}

/** A search that takes several seconds (10^7 states), to be stopped by a signal. */
// 10^7 states: counters' symmetry (on by default) would leave 11,440.
export const LONG = ['check', '--model', 'counters', '--set', 'n=7', '--set', 'm=9', '--reduce', 'dead-vars', '--workers', '1', '--max-seconds', '60'];
/** A search with a violation at depth 5 and a few thousand states. */
export const SMALL = ['check', '--model', 'counters', '--set', 'n=2', '--set', 'm=2', '--workers', '1'];
