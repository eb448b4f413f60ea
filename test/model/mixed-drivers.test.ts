/**
 * Mixed IOMMU drivers (mixed-drivers.ts): an arm-smmu instance and an smmu-v3 instance in one
 * scenario (docs/examples/mixed-smmu.yaml). Each device's probe_device is its driver's, citing
 * its driver's file, with its driver's miss behaviour; until 17de3f5fdd35 (v6.8) the driver that
 * runs is the one whose ops the platform bus holds, and the registration refuses or skips the
 * other driver by the kernel line (bus_set_iommu -EBUSY up to v6.0, iommu_device_register's
 * single-driver test in v6.1 .. v6.7).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { explore } from '../../src/explorer/explore';
import { lowerModel } from '../../src/ir/lower';
import type { Model, Step } from '../../src/ir/types';
import { buildKernelModel } from '../../src/model';
import { FILES } from '../../src/model/ctx';
import { readScenarioFile } from '../../src/scenario-file/parse';
import { ProbeError } from '../../src/errors';

const MIXED = readScenarioFile(path.join(__dirname, '..', '..', '..', 'docs', 'examples', 'mixed-smmu.yaml')).def;
const build = (kernel: string): Model => buildKernelModel({ kernel, scenario: MIXED });
const stepOf = (m: Model, actor: string, label: string): Step | undefined => m.actors.find((a) => a.name === actor)?.steps.find((s) => s.label === label);
const branchNames = (s: Step | undefined): string[] => (s?.branches ?? []).map((b) => b.name ?? '');

test('the mixed scenario builds and explores without a model error on v5.10.y, v6.1, v6.6 and v6.18.y (bounded depth)', async () => {
  for (const kernel of ['v5.10.y', 'v6.1', 'v6.6', 'v6.18.y']) {
    const r = await explore(lowerModel(build(kernel)), { maxDepth: 30, continueAfterViolation: true });
    assert.equal(r.modelError, undefined, `${kernel}: ${r.modelError?.message}`);
    assert.ok(r.distinct > 1000 && r.depth === 30, `${kernel}: ${r.distinct} states, depth ${r.depth}`);
  }
});

test('each client is probed by a copy of r_probe_dev that cites its own driver\'s file and function', () => {
  for (const kernel of ['v5.10.y', 'v6.6', 'v6.18.y']) {
    const m = build(kernel);
    const arm = stepOf(m, 'C', 'r_probe_dev_arm_smmu');
    const v3 = stepOf(m, 'C', 'r_probe_dev_smmu_v3');
    assert.equal(stepOf(m, 'C', 'r_probe_dev'), undefined, kernel);
    assert.equal(arm?.file, FILES.arm_smmu, kernel);
    assert.equal(v3?.file, FILES.smmu_v3, kernel);
    assert.equal(arm?.fn, 'arm_smmu_probe_device()');
  }
});

test('r_probe_dev\'s miss follows the instance\'s driver: arm-smmu oopses (v6.6) or defers (v6.6.87), smmu-v3 returns -ENODEV, in one model', () => {
  const oops = build('v6.6');
  const armOops = stepOf(oops, 'C', 'r_probe_dev_arm_smmu');
  assert.ok(armOops?.branches.some((b) => b.asserts?.some((a) => a.name === 'NoNullOpsDeref')), 'arm-smmu: the NULL instance dereference (CVE-2024-56568)');
  assert.ok(!branchNames(armOops).includes('nosmmu'));
  assert.ok(branchNames(stepOf(oops, 'C', 'r_probe_dev_smmu_v3')).includes('nosmmu'), 'smmu-v3: -ENODEV in the same model');
  const hack = build('v6.6.87');
  assert.ok(branchNames(stepOf(hack, 'C', 'r_probe_dev_arm_smmu')).includes('defer'), 'arm-smmu: 229e6ee43d2a defers');
  assert.ok(!branchNames(stepOf(hack, 'C', 'r_probe_dev_smmu_v3')).includes('defer'), 'smmu-v3 never defers');
  assert.ok(branchNames(stepOf(hack, 'C', 'r_probe_dev_smmu_v3')).includes('nosmmu'));
});

test('until v6.8 the bus ops pick the probe_device (kept from pd_bus_ops); from v6.8 the device\'s own driver does', () => {
  const routeGuardReads = (m: Model, field: string): boolean => JSON.stringify(stepOf(m, 'C', 'r_alloc')?.branches.map((b) => b.guard)).includes(`"field":"${field}"`);
  for (const kernel of ['v5.10.y', 'v6.1', 'v6.6']) {
    const m = build(kernel);
    assert.deepEqual(branchNames(stepOf(m, 'C', 'r_alloc')), ['go_arm_smmu', 'go_smmu_v3'], kernel);
    assert.ok(routeGuardReads(m, 'C.probe_ops'), `${kernel}: routed by the ops read at pd_bus_ops`);
  }
  const m = build('v6.18.y');
  assert.ok(!JSON.stringify(m).includes('C.probe_ops'), 'v6.18.y keeps no bus ops');
  assert.ok(branchNames(stepOf(m, 'C', 'r_ops')).includes('ok_smmu_v3'), 'v6.18.y: routed by the device');
});

test('the registration refuses the other driver by the kernel line: bus_set_iommu -EBUSY (SMMUv3) up to v6.0, iommu_device_register\'s test in v6.1 .. v6.7, nothing from v6.8', () => {
  const v510 = build('v5.10.y');
  assert.deepEqual(branchNames(stepOf(v510, 'R', 'r_bus_set_ops')), ['busy', 'set', 'ebusy']);
  assert.equal(stepOf(v510, 'R', 'r_bus_busy_smmu_v3')?.file, FILES.smmu_v3);
  for (const kernel of ['v6.1', 'v6.6']) assert.equal(build(kernel).actors.find((a) => a.name === 'R')?.steps[0].label, 'r_conflict', kernel);
  for (const kernel of ['v6.12.y', 'v6.18.y']) assert.equal(stepOf(build(kernel), 'R', 'r_conflict'), undefined, kernel);
});

test('5.10\'s SMMUv3 keeps its failed instance listed after -EBUSY; 5.15 unregisters it (249c9dc6aa0d)', async () => {
  const check = async (kernel: string) => explore(lowerModel(buildKernelModel({ kernel, scenario: MIXED, invariants: ['NoFreedInstanceListed'] })), { continueAfterViolation: true });
  const v510 = await check('v5.10.y');
  assert.ok(v510.violations.some((x) => x.property === 'NoFreedInstanceListed'));
  const v515 = await check('v5.15.y');
  assert.deepEqual(v515.violations, []);
  assert.notEqual(v515.verdict, 'incomplete');
});

test('with per-bus ops (up to v6.0) the two drivers\' clients are never both translated; from v6.8 they are', async () => {
  const both = async (kernel: string) => (await explore(lowerModel(buildKernelModel({ kernel, scenario: MIXED, invariants: [] })), {})).witnesses.find((w) => w.name === 'BothClientsTranslated')?.reached;
  assert.equal(await both('v5.15.y'), false);
  assert.equal(await both('v6.12.y'), true);
});

test('the add_device-era kernels refuse a mixed scenario with one line', () => {
  assert.throws(() => build('v4.19'), (e: unknown) => e instanceof ProbeError && e.code === 'E_USAGE'
    && /^scenario mixed-smmu mixes IOMMU drivers \(arm-smmu, smmu-v3\); the add_device-era probe path of v4.19 is modelled for one driver only$/.test(e.message));
});
