/**
 * The matrix across machines: --shard I/N runs a deterministic slice of the cells, matrix
 * merge joins the shard documents (any order) into what one unsharded run writes, a missing or
 * duplicated cell is one line and exit 2; and the cell cache reuses a cell whose model,
 * invariants and version are unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, oneErrorLine, tmpDir } from './helpers';
import type { MatrixDoc } from '../../src/cli/commands/matrix';
import { parseShard, shardOf } from '../../src/matrix/shard';
import { cellHash } from '../../src/matrix/cache';
import { resolveTargets } from '../../src/cli/target';
import { targetOptions } from '../../src/cli/options';

const SMALL = ['--kernel', 'v4.19', '--kernel', 'v6.1', '--kernel', 'v6.6.5', '--scenario', 'msm-private-domain', '--scenario', 'multi-dmar-register', '--scenario', 'probe-vs-register', '--workers', '1', '--quiet', '--no-report'];
const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as MatrixDoc;
/** A row without what differs between two runs of the same cell (time, cache). */
const result = (d: MatrixDoc) => d.runs.map(({ seconds: _s, cached: _c, ...rest }) => rest);

test('N shards merged, in any order, equal one unsharded run', () => {
  const dir = tmpDir('shard');
  const cache = ['--cache-dir', path.join(dir, 'cache')];
  const full = path.join(dir, 'full.json');
  assert.equal(cli('matrix', ...SMALL, '--no-cache', ...cache, '--out', full).code, 0);
  for (const n of [2, 3]) {
    const files: string[] = [];
    for (let i = 1; i <= n; i++) {
      const f = path.join(dir, `s${i}of${n}.json`);
      const r = cli('matrix', ...SMALL, '--no-cache', ...cache, '--shard', `${i}/${n}`, '--out', f);
      assert.equal(r.code, 0, r.stderr);
      const d = read(f);
      assert.deepEqual(d.shard?.cells.length, 9);
      assert.equal(d.runs.length, shardOf(d.shard!.cells, { index: i, count: n }, 3).length);
      files.push(f);
    }
    const a = path.join(dir, `merged${n}.json`), b = path.join(dir, `merged${n}r.json`);
    assert.equal(cli('matrix', 'merge', ...files, '--out', a, '--quiet').code, 0);
    assert.equal(cli('matrix', 'merge', ...[...files].reverse(), '--out', b, '--quiet').code, 0);
    assert.deepEqual(result(read(a)), result(read(full)), `${n} shards merged equal the unsharded run`);
    assert.deepEqual(read(a).runs, read(b).runs, 'the order of the files does not matter');
    assert.equal(read(a).shard, undefined);
  }
  // --compare works on the merged document: nothing changed since the unsharded run.
  const files = [1, 2].map((i) => path.join(dir, `s${i}of2.json`));
  const r = cli('matrix', 'merge', ...files, '--compare', full, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).changes, []);
  // A shard compares only its own cells: the others are not reported missing.
  const s = cli('matrix', ...SMALL, ...cache, '--shard', '1/2', '--compare', full, '--json');
  assert.equal(s.code, 0, s.stderr);
  assert.deepEqual(JSON.parse(s.stdout).changes, []);
});

test('merge: a missing shard, a duplicated cell, shards of another matrix: one line, exit 2', () => {
  const dir = tmpDir('shard-bad');
  const cache = ['--cache-dir', path.join(dir, 'cache')];
  const f = (i: number, n: number, extra: string[] = []) => {
    const file = path.join(dir, `s${i}of${n}${extra.length ? 'x' : ''}.json`);
    assert.equal(cli('matrix', ...SMALL, ...cache, ...extra, '--shard', `${i}/${n}`, '--out', file).code, 0);
    return file;
  };
  const [a, b] = [f(1, 2), f(2, 2)];
  const missing = cli('matrix', 'merge', a);
  assert.equal(missing.code, 2);
  assert.match(oneErrorLine(missing, 'E_MERGE'), /cell v4\.19\/multi-dmar-register is in no shard \(and 3 more\): shard 2\/2 not given/);
  const dup = cli('matrix', 'merge', a, b, a);
  assert.equal(dup.code, 2);
  assert.match(oneErrorLine(dup, 'E_MERGE'), /is in two shards/);
  const other = cli('matrix', 'merge', a, f(2, 3));
  assert.match(oneErrorLine(other, 'E_MERGE'), /another matrix/);
  const unsharded = path.join(dir, 'plain.json');
  assert.equal(cli('matrix', ...SMALL, ...cache, '--out', unsharded).code, 0);
  assert.match(oneErrorLine(cli('matrix', 'merge', unsharded), 'E_MERGE'), /not a shard document/);
  const bad = read(a) as unknown as { runs: { distinct: unknown }[] };
  bad.runs[0].distinct = 'many';
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(bad));
  assert.match(oneErrorLine(cli('matrix', 'merge', path.join(dir, 'bad.json'), b), 'E_TRACE_FILE'), /run 1: "distinct" is not a number/);
  const out = path.join(dir, 'exists.json');
  fs.writeFileSync(out, 'keep');
  oneErrorLine(cli('matrix', 'merge', a, b, '--out', out), 'E_OUT_EXISTS');
  assert.equal(fs.readFileSync(out, 'utf8'), 'keep');
  for (const s of ['0/2', '3/2', '1', 'a/b']) assert.match(oneErrorLine(cli('matrix', ...SMALL, '--shard', s), 'E_BAD_VALUE'), /--shard/);
});

test('parseShard and shardOf: a partition whatever N, and each scenario spread over the shards', () => {
  const items = Array.from({ length: 18 * 6 }, (_, i) => i);
  for (const n of [1, 2, 3, 5, 6, 7, 108, 200]) {
    const parts = Array.from({ length: n }, (_, i) => shardOf(items, parseShard(`${i + 1}/${n}`), 6));
    assert.deepEqual(parts.flat().sort((x, y) => x - y), items);
    if (n <= 6) for (const p of parts) for (let s = 0; s < 6; s++) assert.ok(p.filter((i) => i % 6 === s).length >= Math.floor(18 / n), `scenario ${s} in every one of ${n} shards`);
  }
});

test('cell cache: an unchanged cell is reused, --no-cache explores, a patch changes the key, a damaged entry is a miss', () => {
  const dir = tmpDir('cache');
  const cacheDir = path.join(dir, 'cache');
  const cache = ['--cache-dir', cacheDir];
  const one = ['--kernel', 'v6.1', '--kernel', 'v6.6.5', '--scenario', 'msm-private-domain', '--workers', '1', '--quiet', '--no-report', '--json'];
  const first = JSON.parse(cli('matrix', ...one, ...cache).stdout) as MatrixDoc;
  assert.ok(first.runs.every((r) => !r.cached));
  const junit1 = path.join(dir, 'j1.xml'), junit2 = path.join(dir, 'j2.xml');
  const again = cli('matrix', ...one, ...cache, '--junit', junit2);
  const second = JSON.parse(again.stdout) as MatrixDoc;
  assert.ok(second.runs.every((r) => r.cached), 'both cells from the cache');
  assert.deepEqual(result(second), result(first));
  // A cached cell reports to JUnit as an explored one: the same cases, the same race tables.
  cli('matrix', ...one, ...cache, '--no-cache', '--junit', junit1);
  const cases = (f: string) => fs.readFileSync(f, 'utf8').replace(/ time="[^"]*"/g, '');
  assert.equal(cases(junit2), cases(junit1));
  const forced = JSON.parse(cli('matrix', ...one, ...cache, '--no-cache').stdout) as MatrixDoc;
  assert.ok(forced.runs.every((r) => !r.cached));
  const patched = JSON.parse(cli('matrix', ...one, ...cache, '--patch', '229e6ee43d2a').stdout) as MatrixDoc;
  assert.ok(patched.runs.every((r) => !r.cached), 'another model after patches is another key');
  for (const f of fs.readdirSync(cacheDir)) fs.writeFileSync(path.join(cacheDir, f), '{"format":"probecheck-cell-cache","result":{}}');
  const damaged = JSON.parse(cli('matrix', ...one, ...cache).stdout) as MatrixDoc;
  assert.ok(damaged.runs.every((r) => !r.cached));
  assert.deepEqual(result(damaged), result(first));
});

test('cellHash: the same model is the same key (kernels share it); a version, a scenario, a patch or the reductions is another', () => {
  const t = (kernel: string, patch: string[] = []) => resolveTargets(targetOptions({ kernel, scenario: ['msm-private-domain'], patch }))[0];
  const a = t('v6.19'), b = t('v7.0');
  assert.equal(cellHash(a, 'msm-private-domain'), cellHash(b, 'msm-private-domain'), 'v6.19 and v7.0 have the same probe path');
  assert.notEqual(cellHash(a, 'msm-private-domain', '', '0.1.0'), cellHash(a, 'msm-private-domain', '', '0.2.0'));
  assert.notEqual(cellHash(a, 'msm-private-domain', '{"deadVars":true}'), cellHash(a, 'msm-private-domain', '{"deadVars":false}'), 'explored with other reductions');
  assert.notEqual(cellHash(a, 'msm-private-domain'), cellHash(a, 'other-label'));
  assert.notEqual(cellHash(t('v6.1'), 'msm-private-domain'), cellHash(t('v6.1', ['229e6ee43d2a']), 'msm-private-domain'));
});
