/**
 * scenario from-dts on a .dtb: the test's SoC tree (fixtures/soc.dts, with its macros and
 * #include written out, as cpp would) compiled by Debian's dtc must give the same scenario as
 * the source; without dtc on PATH a .dtb is one line saying what to install, exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, oneErrorLine, ROOT, tmpDir } from '../cli/helpers';

const SOC = path.join(ROOT, 'test', 'scenario-file', 'fixtures', 'soc.dts');
const hasDtc = spawnSync('dtc', ['--version'], { encoding: 'utf8' }).status === 0;

/** soc.dts as the C preprocessor would hand it to dtc (dtc itself has no macros). */
function preprocessed(): string {
  return fs.readFileSync(SOC, 'utf8').replace(/^#(include|define).*\n/gm, '')
    .replace(/UFS_SID/g, '0x100').replace(/GIC_SPI/g, '0').replace(/IRQ_TYPE_LEVEL_HIGH/g, '4');
}

function fromDts(cwd: string, file: string, env?: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [BIN, 'scenario', 'from-dts', file], { cwd, encoding: 'utf8', timeout: 120_000, ...(env ? { env } : {}) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The written scenario without the tree's file name (in its header comment and doc). */
const sansFile = (yaml: string, file: string) => yaml.split(file).join('TREE');

test('a .dtb compiled by dtc (-@ keeps the labels) gives the same scenario as its .dts', { skip: !hasDtc && 'dtc is not installed (.ci/run installs device-tree-compiler)' }, () => {
  const dir = tmpDir('dtb');
  fs.writeFileSync(path.join(dir, 'soc.dts'), preprocessed());
  const c = spawnSync('dtc', ['-@', '-q', '-I', 'dts', '-O', 'dtb', '-o', 'soc.dtb', 'soc.dts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
  const dts = fromDts(dir, 'soc.dts');
  const dtb = fromDts(dir, 'soc.dtb');
  assert.equal(dts.code, 0, dts.stderr);
  assert.equal(dtb.code, 0, dtb.stderr);
  assert.match(dts.stdout, /name: "example-phone-soc-evb"/);
  assert.equal(sansFile(dtb.stdout, 'soc.dtb'), sansFile(dts.stdout, 'soc.dts'));
  assert.equal(sansFile(dtb.stderr, 'soc.dtb'), sansFile(dts.stderr, 'soc.dts'));
  // Without -@ the labels are gone: the scenario names the nodes by their node names instead.
  const plain = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', 'plain.dtb', 'soc.dts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(plain.status, 0, plain.stderr);
  const p = fromDts(dir, 'plain.dtb');
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /- \{name: iommu, driver: arm-smmu\}\n {2}- \{name: iommu_2, driver: arm-smmu\}/);
});

test('a .dtb without dtc on PATH: one line naming the package, exit 2', () => {
  const dir = tmpDir('dtb-nodtc');
  // A real .dtb header is enough: the magic is read before dtc is looked for.
  fs.writeFileSync(path.join(dir, 'board.dtb'), Buffer.from([0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0x28]));
  const r = fromDts(dir, 'board.dtb', { ...process.env, PATH: dir });
  assert.equal(r.code, 2);
  assert.equal(oneErrorLine(r, 'E_DTS_FILE'), 'probecheck: E_DTS_FILE: board.dtb: a .dtb; reading one needs dtc (Debian package device-tree-compiler), which is not installed: install it or give the .dts');
});
