#!/usr/bin/env node
/**
 * Maintainer command: record where each kernel function the model's steps cite lives in the tree
 * a kernel baseline was checked against, and a fingerprint of its definition, as
 * src/model/citations/data.ts. The package stores these facts, not kernel code. Functions are
 * found and fingerprinted by src/drift (tree-sitter's C grammar, comments and whitespace out),
 * the same code `probecheck drift` runs on a user's tree, so the two can be compared.
 *
 *   npm run cite-kernel                                     # every baseline in TREES below
 *   node scripts/cite-kernel.js --release v6.18.y --tree /path/to/linux[@commit] [--name owner/repo]
 *
 * --tree is a git checkout or a bare git directory (read at the commit, default HEAD), or a plain
 * source directory (read as it is). --name labels the tree (default: the directory's name).
 * A function not found in its file (renamed, moved, or not a C function such as drv->remove)
 * is recorded as missing: `probecheck show` prints such a step as inferred.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { buildKernelModel, KERNELS, SCENARIOS } = require(path.join(root, 'dist/src/model'));
const { readScenarioFile } = require(path.join(root, 'dist/src/scenario-file/parse'));
const EXAMPLES = ['docs/examples/sysfs-type.yaml'];
const { loadCParser } = require(path.join(root, 'dist/src/drift/parse-c'));
const { TreeFunctions } = require(path.join(root, 'dist/src/drift/locate'));

const M = '/work/.mirror';
/** The tree each baseline was checked against (REVIEW-2026-12, iommu-probe-lts.md, research of
 *  2026-12): a git directory and a commit. */
const TREES = {
  'v4.19': ['Pascal-0x90/linux-4.19', `${M}/Pascal-0x90+linux-4.19/repo`, 'HEAD'],
  'v4.20-rc1': ['a4913994/linux-4.20', `${M}/a4913994+linux-4.20/repo`, 'HEAD'],
  'v5.10.y': ['unifreq/linux-5.10.y', `${M}/unifreq+linux-5.10.y/repo`, 'HEAD'],
  'v5.15.y': ['unifreq/linux-5.15.y', `${M}/unifreq+linux-5.15.y/repo`, 'HEAD'],
  'v5.17': ['dunli/linux-5.17', `${M}/dunli+linux-5.17/repo`, 'HEAD'],
  'v5.19': ['yishangzhang/linux-5.19', `${M}/yishangzhang+linux-5.19/repo`, 'HEAD'],
  'v6.1': ['unifreq/linux-6.1.y', `${M}/unifreq+linux-6.1.y/repo`, 'e451e259e'],
  'v6.1.67': ['unifreq/linux-6.1.y', `${M}/unifreq+linux-6.1.y/repo`, 'bea82818e'],
  'v6.1.y': ['unifreq/linux-6.1.y', `${M}/unifreq+linux-6.1.y/repo`, 'HEAD'],
  'v6.6': ['unifreq/linux-6.6.y', `${M}/unifreq+linux-6.6.y/repo`, '5fda8f9c7'],
  'v6.6.5': ['unifreq/linux-6.6.y', `${M}/unifreq+linux-6.6.y/repo`, '338b333ea'],
  'v6.6.87': ['unifreq/linux-6.6.y', `${M}/unifreq+linux-6.6.y/repo`, '5170aa742'],
  'v6.6.y': ['unifreq/linux-6.6.y', `${M}/unifreq+linux-6.6.y/repo`, 'HEAD'],
  'v6.12.y': ['puppywang/linux-6.12.y', `${M}/puppywang+linux-6.12.y/repo`, 'HEAD'],
  'v6.15': ['perishh/linux-6.14', `${M}/perishh+linux-6.14/repo`, 'HEAD'],
  'v6.15.y': ['perishh/linux-6.14', `${M}/perishh+linux-6.14/repo`, 'HEAD'],
  'v6.18.y': ['unifreq/linux-6.18.y', `${M}/unifreq+linux-6.18.y/repo`, 'HEAD'],
  // Imports of the release tarballs (root commits); of_iommu.c and dd.c of the 6.19 import have
  // the blobs cited from 6.19 mainline mail (iommu-probe-after-v6.15.md 1).
  'v6.19': ['matankalina/linux-6.19.10-fork', `${M}/matankalina+linux-6.19.10-fork/repo`, '094d86945'],
  'v7.0': ['julianw1010/WASP-linux-7.0.0', `${M}/julianw1010+WASP-linux-7.0.0/repo`, '1d9f96d2d'],
};

/** A scenario that mixes IOMMU drivers cites steps no built-in does (r_bus_busy_smmu_v3). */
const MIXED = require(path.join(root, 'dist/src/scenario-file/parse')).readScenarioFile(path.join(root, 'docs/examples/mixed-smmu.yaml')).def;
function buildOrNone(kernel, scenario) {
  try { return buildKernelModel({ kernel, scenario }); } catch (e) { if (e.code === 'E_USAGE') return { actors: [] }; throw e; }
}

/** Every (function, file) a step of any scenario cites on this kernel. */
function citedFunctions(kernel) {
  const out = new Map();
  // The built-ins, the mixed-driver example (r_bus_busy_smmu_v3) and the example files of the
  // keys no built-in uses (a sysfs type change: actor S), on the kernels that can run them.
  const examples = EXAMPLES.map((f) => readScenarioFile(path.join(root, f)).def);
  for (const s of [...SCENARIOS.map((x) => x.name), MIXED, ...examples]) {
    for (const a of buildOrNone(kernel, s).actors) {
      for (const st of a.steps) if (st.fn && st.file) out.set(`${st.fn}|${st.file}`, { fn: st.fn, file: st.file });
    }
  }
  return [...out.values()];
}

function show(gitDir, commit, file) {
  try { return execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return null; }
}

/** How to read a tree: [label, read(file) -> text | null]. A git directory is read at a commit. */
function gitTree(label, gitDir, commitish) {
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--short=12', commitish], { encoding: 'utf8' }).trim();
  return [`${label}@${commit}`, (file) => show(gitDir, commit, file)];
}
function dirTree(label, dir) {
  return [label, (file) => { try { return fs.readFileSync(path.join(dir, file), 'utf8'); } catch { return null; } }];
}

function cite(parser, release, [tree, read]) {
  const fns = {};
  const t = new TreeFunctions(parser, read);
  for (const { fn, file } of citedFunctions(release)) {
    const r = t.lookup(fn, file);
    fns[`${fn} ${file}`] = r.status === 'found' ? { lines: r.at.lines, fingerprint: r.at.fingerprint } : null;
  }
  return { tree, functions: fns };
}

const args = process.argv.slice(2);
const out = path.join(root, 'src/model/citations/data.ts');
const { RELEASE_TREE: prevReleases = {}, TREES: prevTrees = {} } = fs.existsSync(out) ? require(path.join(root, 'dist/src/model/citations/data.js')) : {};
const one = args.includes('--release');
/** release -> tree@commit, and tree@commit -> functions: a tree read for two releases is stored once. */
const releases = one ? { ...prevReleases } : {};
const trees = one ? { ...prevTrees } : {};
const record = (release, c) => {
  releases[release] = c.tree;
  trees[c.tree] = { ...(trees[c.tree] ?? {}), ...c.functions };
  const all = Object.values(c.functions);
  console.log(`${release.padEnd(10)} ${c.tree}: ${all.filter(Boolean).length} of ${all.length} functions located`);
};
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

async function main() {
  const parser = await loadCParser();
  if (one) {
    const release = opt('--release');
    const spec = opt('--tree');
    if (!KERNELS.some((k) => k.name === release)) { console.error(`cite-kernel: unknown release '${release}'`); process.exit(2); }
    if (!spec) { console.error('cite-kernel: give --tree PATH[@commit]'); process.exit(2); }
    const at = spec.lastIndexOf('@');
    const [dir, commit] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
    if (!fs.existsSync(dir)) { console.error(`cite-kernel: no such tree '${dir}'`); process.exit(2); }
    const label = opt('--name') ?? path.basename(path.resolve(dir));
    const gitDir = fs.existsSync(path.join(dir, '.git')) ? path.join(dir, '.git')
      : fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects')) ? dir : null;
    if (!gitDir && commit) { console.error(`cite-kernel: ${dir} is not a git directory, so it has no commit ${commit}`); process.exit(2); }
    record(release, cite(parser, release, gitDir ? gitTree(label, gitDir, commit ?? 'HEAD') : dirTree(label, dir)));
  } else {
    for (const [release, [label, gitDir, commitish]] of Object.entries(TREES)) {
      if (fs.existsSync(gitDir)) record(release, cite(parser, release, gitTree(label, gitDir, commitish)));
    }
  }
  write();
}

function write() {
  fs.writeFileSync(out, `/* Generated by scripts/cite-kernel.js from the trees each baseline was checked against: where
 * each cited kernel function lives (lines) and a fingerprint of its definition (src/drift: its
 * tree-sitter tokens without comments and whitespace). Facts, not kernel code. */
import type { FunctionCitation } from './types';

/** The tree (repository@commit) each release was checked against. */
export const RELEASE_TREE: Readonly<Record<string, string>> = ${JSON.stringify(releases, null, 1)};

/** Per tree: \`fn() file\` -> where it is, or null when the file has no such C function. */
export const TREES: Readonly<Record<string, Readonly<Record<string, FunctionCitation | null>>>> = ${JSON.stringify(trees, null, 1)};
`);
}

main().catch((e) => { console.error(`cite-kernel: ${e.message}`); process.exit(1); });
