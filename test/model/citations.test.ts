/**
 * Every step names the kernel function it stands for; for every kernel whose tree was read,
 * citations/data.ts records where that function lives there (scripts/cite-kernel.js). A
 * function the model cites that the tree lacks is listed here with the reason, so a new one
 * fails until it is explained or the model names the right function.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelModel, KERNELS, SCENARIOS } from '../../src/model';
import { citationsOf } from '../../src/model/citations';

/** Functions this kernel does not have under that name (the step is inferred there). */
const NOT_IN_TREE: Record<string, Record<string, string>> = {
  'v4.19': {
    'call_driver_probe() drivers/base/dd.c': 'really_probe calls drv->probe itself before v5.14',
    'acpi_iommu_configure_id() drivers/acpi/scan.c': 'acpi_iommu_configure before v5.9',
    'device_unbind_cleanup() drivers/base/dd.c': 'open-coded in __device_release_driver before v5.18',
  },
  'v5.10.y': {
    'call_driver_probe() drivers/base/dd.c': 'really_probe calls drv->probe itself before v5.14',
    'acpi_iommu_configure_id() drivers/acpi/scan.c': 'not in this file in 5.10',
    'device_unbind_cleanup() drivers/base/dd.c': 'open-coded in __device_release_driver before v5.18',
  },
  'v5.15.y': { 'device_unbind_cleanup() drivers/base/dd.c': 'open-coded in __device_release_driver before v5.18' },
  'v5.17': { 'device_unbind_cleanup() drivers/base/dd.c': 'open-coded in __device_release_driver before v5.18' },
};

test('every step of every kernel x scenario is cited in the tree its kernel was checked against, or listed as not there', () => {
  const surprises: string[] = [];
  for (const k of KERNELS) {
    const rel = citationsOf(k.name);
    if (k.verified.status === 'verified') assert.ok(rel, `${k.name} is verified but has no citations`);
    if (!rel) continue;
    const expectedMissing = { ...(NOT_IN_TREE[k.name] ?? {}), ...(k.name === 'v4.20-rc1' ? NOT_IN_TREE['v4.19'] : {}) };
    for (const s of SCENARIOS) {
      for (const a of buildKernelModel({ kernel: k.name, scenario: s.name }).actors) {
        for (const st of a.steps) {
          const key = `${st.fn} ${st.file}`;
          const located = !!rel.functions[key];
          if (located !== !(key in expectedMissing)) surprises.push(`${k.name} ${s.name} ${a.name}:${st.label} ${key}: ${located ? 'located but listed missing' : 'not in the tree'}`);
          if (located) assert.equal(st.checked?.[0]?.release, k.name);
        }
      }
    }
  }
  assert.deepEqual([...new Set(surprises)], []);
});

test('a citation gives the tree and the lines, and a fingerprint of the function body', () => {
  const c = citationsOf('v6.18.y')!;
  assert.match(c.tree, /^unifreq\/linux-6\.18\.y@[0-9a-f]{12}$/);
  const f = c.functions['iommu_init_device() drivers/iommu/iommu.c']!;
  assert.match(f.lines, /^\d+-\d+$/);
  assert.match(f.fingerprint, /^[0-9a-f]{16}$/);
  // The same function differs between 6.12.y (no lock drop) and 6.18.y (bcb81ac6ae3c).
  assert.notEqual(citationsOf('v6.12.y')!.functions['iommu_init_device() drivers/iommu/iommu.c']!.fingerprint, f.fingerprint);
});

test('docs/steps.md is generated from the model and its citations, and up to date', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const path = require('node:path') as typeof import('node:path');
  const root = path.join(__dirname, '..', '..', '..');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'gen-steps-doc.js'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
