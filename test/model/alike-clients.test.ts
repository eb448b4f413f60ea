/**
 * Symmetry reduction on the kernel model (issue 12; docs/adr/0004). Clients alike in all the
 * model knows of them (driver, firmware, group, IOMMU, how they start and end) behind an IOMMU
 * that is up at boot are interchangeable on every kernel: the search stores one state per
 * permutation class and reports what the unreduced search reports, trace for trace, alone and
 * with partial-order reduction, for 1 and 2 workers. What orders the devices is refused with one
 * line: a registration walk (it visits them in bus order), clients in different groups, a
 * witness that names one client. Alike clients each in a group of its own are permuted with
 * their groups (`symmetry: [dev, group]`), with the same guarantees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernelModel, KERNELS } from '../../src/model';
import { parseScenarioText } from '../../src/scenario-file/parse';
import { lowerModel } from '../../src/ir/lower';
import { whyNotSymmetric } from '../../src/ir/symmetry';
import { explore } from '../../src/explorer/explore';
import type { ExploreResult } from '../../src/explorer/types';
import { replayActions } from '../../src/trace/replay';
import { essence } from '../helpers/models';
import { compileModel } from '../../src/compile/compile';
import { symmetryCanonSource } from '../../src/explorer/reduction/symmetry-canon';

interface Alike {
  readonly n?: number; readonly driver?: 'K' | 'M'; readonly unbind?: boolean; readonly start?: 'probe' | 'hotplug'; readonly extra?: string; readonly registers?: boolean;
  /** Each client in a group of its own (G1, G2, ...), declared [dev, group]; else all in G. */
  readonly ownGroups?: boolean; readonly declare?: string;
}

/** A board of n alike clients of SMMU I, declared symmetric. */
function alike({ n = 3, driver = 'K', unbind = false, start = 'probe', extra = '', registers = false, ownGroups = false, declare }: Alike = {}): string {
  const group = (i: number) => (ownGroups ? `G${i}` : 'G');
  const dev = (i: number) => `  - {name: D${i}, iommu: I, group: ${group(i)}, driver: ${driver}, start: ${start}${unbind ? ', unbind: true' : ''}}\n`;
  const slots = Array.from({ length: n }, (_, i) => i + 1);
  return `name: alike\nbus: platform\niommus: [{name: I, driver: arm-smmu${registers ? '' : ', atBoot: true'}}]\ngroups: [${[...new Set(slots.map(group))].join(', ')}]\ndevices:\n` +
    slots.map(dev).join('') + extra + `symmetry: [${declare ?? (ownGroups ? 'dev, group' : 'dev')}]\n`;
}

const model = (kernel: string, text: string) => lowerModel(buildKernelModel({ kernel, scenario: parseScenarioText(text, 'alike.yaml') }));

const neverTaken = (r: ExploreResult) => r.actionCounts.flatMap((c, id) => (c === 0 ? [id] : []));

const verdicts = (r: ExploreResult) => ({
  verdict: r.verdict,
  violations: r.violations.map((v) => ({ property: v.property, length: v.length, actions: [...v.actions] })),
  witnesses: r.witnesses.map((w) => ({ name: w.name, reached: w.reached })),
});

test('alike clients of an SMMU up at boot are interchangeable on every kernel', () => {
  for (const { name: kernel } of KERNELS) {
    for (const text of [alike({ unbind: true }), alike({ start: 'hotplug' }), alike({ extra: 'initcallsActor: true\n' })]) {
      const m = buildKernelModel({ kernel, scenario: parseScenarioText(text, 'alike.yaml') });
      assert.equal(whyNotSymmetric(m, 'dev'), undefined, kernel);
    }
    const own = lowerModel(buildKernelModel({ kernel, scenario: parseScenarioText(alike({ unbind: true, ownGroups: true }), 'alike.yaml') }));
    assert.deepEqual(own.symmetry, [{ entity: 'dev', linked: { entity: 'group', link: 'dev.group_of' } }], kernel);
  }
});

// Measured (3 clients): 0.17-0.19 of the states (3! = 6 permutations; the states where two
// clients are in the same place have fewer images).
const BOARDS: [string, string, readonly string[]][] = [
  ['bound and unbound', alike({ unbind: true }), ['v4.19', 'v5.10.y', 'v5.19', 'v6.6', 'v6.12.y', 'v6.18.y', 'v7.0']],
  ['hot-added, a driver probe that fails', alike({ start: 'hotplug', extra: 'faults: [f_drv_probe_fail]\n' }), ['v5.15.y', 'v6.1.y', 'v6.18.y']],
  ['msm private domains (violations)', alike({ driver: 'M' }), ['v4.19', 'v5.19', 'v6.6', 'v6.18.y']],
  ['each in a group of its own, bound and unbound', alike({ unbind: true, ownGroups: true }), ['v4.19', 'v5.15.y', 'v6.6', 'v6.18.y']],
  ['each in a group of its own, msm private domains (violations)', alike({ driver: 'M', unbind: true, ownGroups: true }), ['v4.19', 'v6.18.y']],
];

for (const [what, text, kernels] of BOARDS) {
  test(`three alike clients, ${what}: the same verdicts and shortest traces as the unreduced search, about a sixth of the states`, async () => {
    for (const kernel of kernels) {
      const m = model(kernel, text);
      const full = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true } });
      const sym = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true, symmetry: true } });
      assert.equal(sym.reduction?.symmetryEntity, 'dev', kernel);
      assert.deepEqual(verdicts(sym), verdicts(full), kernel);
      assert.ok(sym.distinct * 5 < full.distinct, `${kernel}: ${sym.distinct} of ${full.distinct}`);
      assert.deepEqual(neverTaken(sym), neverTaken(full), `${kernel}: the same steps never taken`);
      for (const v of sym.violations) assert.equal(replayActions(m, v.actions).divergence, undefined, `${kernel} ${v.property}: the trace replays on the unreduced model`);
      const both = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true, symmetry: true, por: true } });
      assert.deepEqual(verdicts(both), verdicts(full), `${kernel}: with partial-order reduction`);
      assert.ok(both.distinct <= sym.distinct, kernel);
    }
  });
}

test('the msm boards do violate: the comparison above compares counterexamples', async () => {
  for (const ownGroups of [false, true]) {
    const r = await explore(model('v6.18.y', alike({ driver: 'M', unbind: ownGroups, ownGroups })), { reduce: { deadVars: true, symmetry: true } });
    assert.equal(r.verdict, 'violation');
    assert.ok(r.violations[0].length > 0);
  }
});

test('a canonical form that moves the devices but not their groups is caught', async () => {
  const m = model('v6.18.y', alike({ driver: 'M', unbind: true, ownGroups: true }));
  const full = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true } });
  const sym = m.symmetry![0];
  const good = symmetryCanonSource(m, compileModel(m).layout, sym.entity, sym.linked);
  // Drop the renaming of the fields that name a group (a device's iommu_group): groups keep
  // their old names while the devices move.
  const broken = good.replace(/\/\* rename ids of the linked entity \*\/[^\n]*\n/, '\n');
  assert.notEqual(broken, good);
  const verdictsWith = async (canonical: string) => (await explore(m, { continueAfterViolation: true, canonical })).violations.map((v) => `${v.property}@${v.length}`).sort();
  const expected = full.violations.map((v) => `${v.property}@${v.length}`).sort();
  assert.deepEqual(await verdictsWith(good), expected, 'the real one agrees');
  assert.notDeepEqual(await verdictsWith(broken), expected, 'the broken one gets the verdict wrong');
});

test('two workers store the same representatives and report the same traces', async () => {
  const m = model('v6.18.y', alike({ unbind: true }));
  const one = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true, symmetry: true } });
  const two = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true, symmetry: true }, workers: 2, parallelThreshold: 0 });
  assert.deepEqual(essence(two), essence(one));
});

test('without a declaration the model says which entities would pass, and the report passes it on', async () => {
  const undeclared = (o: Alike) => alike(o).replace(/symmetry: .*\n/, '');
  assert.deepEqual(model('v6.18.y', undeclared({ ownGroups: true })).symmetryAvailable, ['dev', 'group']);
  assert.deepEqual(model('v6.18.y', undeclared({})).symmetryAvailable, ['dev']);
  assert.equal(model('v6.18.y', undeclared({ registers: true })).symmetryAvailable, undefined);
  const r = await explore(model('v6.18.y', undeclared({ ownGroups: true })), { reduce: { deadVars: true, symmetry: true } });
  assert.equal(r.reduction?.symmetry, false);
  assert.deepEqual(r.reduction?.symmetryAvailable, ['dev', 'group']);
});

test('what orders the devices is refused with one line naming the place', () => {
  const refusal = (text: string) => model('v6.18.y', text).symmetry?.[0].refused;
  // The SMMU registers during the scenario: its walk visits the devices one by one, in bus order.
  assert.match(refusal(alike({ registers: true })) ?? '', /^step R:r_walk_next reads 'dev\.added' at a slot given by a constant or a computed value$/);
  // Declared [dev] while each client has its own group: the hint says what to declare.
  assert.match(refusal(alike({ ownGroups: true, declare: 'dev' })) ?? '', /^field 'dev\.group_of' starts with different values on different slots \(if each has a group of its own, declare \[dev, group\]\)$/);
  // Declared [dev, group] while the clients share a group: no link one to one.
  assert.match(refusal(alike({ declare: 'dev, group' })) ?? '', /^'dev' and 'group' move together only when each dev has a group of its own/);
  // A sysfs type change of one of the groups: that group is not like the others.
  assert.match(refusal(alike({ ownGroups: true, extra: 'sysfsType: {group: G1, to: identity}\n' })) ?? '', /^actor 'S' runs on some slots only$/);
  // A witness about one client.
  const witness = alike() + 'witnesses:\n  - {name: FirstBound, when: {bound: D1}}\n';
  assert.match(refusal(witness) ?? '', /^witness FirstBound /);
  // Alike in all the model knows: nothing refused.
  assert.equal(refusal(alike()), undefined);
});
