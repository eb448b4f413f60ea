/**
 * The shipped CI workflows (.github/workflows/nightly.yml, docs/ci/gitlab-nightly.yml): they
 * parse, shard 1..N with N what the command is given, and their own probecheck commands, run
 * here with the CI's values (on a small matrix), give shard documents the merge joins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cliIn, ROOT, tmpDir } from './helpers';

const SMALL = ['--kernel', 'v6.1', '--kernel', 'v6.6.5', '--scenario', 'msm-private-domain', '--scenario', 'probe-vs-register', '--workers', '1'];

/** `npx probecheck a b c` of a script line, as words, with ${{ x }} / $X substituted. */
function probecheckWords(line: string, vars: Record<string, string>): string[] {
  const text = line.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, k: string) => vars[k] ?? `<${k}>`).replace(/\$(\w+)/g, (m, k: string) => vars[k] ?? m);
  const at = text.indexOf('npx probecheck ');
  assert.ok(at >= 0, line);
  return text.slice(at + 'npx probecheck '.length).trim().split(/\s+/);
}

function runAll(cwd: string, commands: string[][]): void {
  for (const words of commands) {
    const args = words.filter((w) => w !== '$compare');
    const expanded = args.flatMap((w) => (w.includes('*') ? fs.readdirSync(path.join(cwd, path.dirname(w))).filter((f) => new RegExp(`^${path.basename(w).replace('*', '.*')}$`).test(f)).sort().map((f) => path.join(path.dirname(w), f)) : [w]));
    if (args[0] === 'matrix' && args[1] !== 'merge') fs.mkdirSync(path.join(cwd, 'shards'), { recursive: true });
    if (args[1] === 'merge') fs.mkdirSync(path.join(cwd, 'nightly'), { recursive: true });
    const r = cliIn(cwd, ...expanded, ...(args[1] === 'merge' ? [] : SMALL));
    assert.equal(r.code, 0, `probecheck ${expanded.join(' ')}: ${r.stderr}`);
  }
}

test('GitHub Actions: strategy.matrix shards 1..N, each uploads its document, the merge job joins them', () => {
  const wf = parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'nightly.yml'), 'utf8'));
  const shards: number[] = wf.jobs.shard.strategy.matrix.shard;
  assert.deepEqual(shards, shards.map((_, i) => i + 1));
  assert.equal(wf.jobs.merge.needs, 'shard');
  const steps = (job: string) => wf.jobs[job].steps as { run?: string; uses?: string; with?: Record<string, unknown> }[];
  assert.ok(steps('shard').some((s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.path === 'shards/'));
  assert.ok(steps('merge').some((s) => s.uses?.startsWith('actions/download-artifact') && s.with?.['merge-multiple'] === true));
  const shardLine = steps('shard').map((s) => s.run ?? '').find((r) => r.includes('npx probecheck matrix'))!;
  const mergeLine = steps('merge').map((s) => s.run ?? '').join('\n').split('\n').find((l) => l.includes('npx probecheck matrix merge'))!;
  const cwd = tmpDir('gha');
  runAll(cwd, [
    ...shards.map((i) => probecheckWords(shardLine, { 'matrix.shard': String(i), 'strategy.job-total': String(shards.length) })),
    probecheckWords(mergeLine, {}),
  ]);
  const merged = JSON.parse(fs.readFileSync(path.join(cwd, 'nightly', 'nightly.json'), 'utf8'));
  assert.equal(merged.runs.length, 4);
  assert.ok(fs.existsSync(path.join(cwd, 'nightly', 'report.html')));
  for (const i of shards) assert.ok(fs.existsSync(path.join(cwd, 'shards', `junit-${i}.xml`)));
});

test('GitLab: parallel: matrix over SHARD with SHARDS the count, and the merge job', () => {
  const ci = parse(fs.readFileSync(path.join(ROOT, 'docs', 'ci', 'gitlab-nightly.yml'), 'utf8'));
  const values: string[] = ci['nightly-shard'].parallel.matrix[0].SHARD;
  assert.equal(String(values.length), ci.variables.SHARDS);
  assert.deepEqual(values, values.map((_, i) => String(i + 1)));
  assert.deepEqual(ci['nightly-merge'].needs, ['nightly-shard']);
  const shardLine = (ci['nightly-shard'].script as string[]).find((l) => l.includes('npx probecheck matrix'))!;
  const mergeLine = (ci['nightly-merge'].script as string[]).find((l) => l.includes('npx probecheck matrix merge'))!;
  const cwd = tmpDir('gitlab');
  runAll(cwd, [
    ...values.map((v) => probecheckWords(shardLine, { SHARD: v, SHARDS: ci.variables.SHARDS })),
    probecheckWords(mergeLine.replace(/\|\|.*$/, ''), {}),
  ]);
  assert.equal(JSON.parse(fs.readFileSync(path.join(cwd, 'nightly', 'nightly.json'), 'utf8')).runs.length, 4);
});
