/**
 * Symmetry reduction on the kernel model (issue 12; docs/adr/0004). Clients alike in all the
 * model knows of them (driver, firmware, group, IOMMU, how they start and end) behind an IOMMU
 * that is up at boot are interchangeable on every kernel: the search stores one state per
 * permutation class and reports what the unreduced search reports, trace for trace, alone and
 * with partial-order reduction, for 1 and 2 workers. What orders the devices is refused with one
 * line: a registration walk (it visits them in bus order), clients in different groups, a
 * witness that names one client. Alike clients each in a group of its own are permuted with
 * their groups (`symmetry: [dev, group]`), with the same guarantees. Clients that differ in a
 * constant (their IOMMU, their driver) or in their actors (one is unbound) fall in classes, and
 * only clients of one class are permuted.
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
import { slotClasses, symmetryCanonSource } from '../../src/explorer/reduction/symmetry-canon';

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

/** Two SMMUs up at boot, two alike clients each, every client in a group of its own: two
 *  classes of two (the clients of I1, those of I2). */
const TWO_SMMUS = (driver: 'K' | 'M') => `name: two-smmus\nbus: platform\niommus: [{name: I1, driver: arm-smmu, atBoot: true}, {name: I2, driver: arm-smmu, atBoot: true}]
groups: [G1, G2, G3, G4]\ndevices:\n` + [['D1', 'I1'], ['D2', 'I1'], ['D3', 'I2'], ['D4', 'I2']].map(([d, i], k) => `  - {name: ${d}, iommu: ${i}, group: G${k + 1}, driver: ${driver}, start: probe}\n`).join('') + 'symmetry: [dev, group]\n';
/** Three clients in one group, only D3 unbound: classes {D1, D2} and {D3}. */
const ONE_UNBOUND = alike({ driver: 'M' }).replace(/(D3, .*start: probe)/, '$1, unbind: true');
/** Two DMA-API clients and one that does no DMA (driver N), each in its own group. */
const ONE_WITHOUT_DMA = alike({ ownGroups: true }).replace(/(D3, .*driver: )K/, '$1N');

// [what, board, kernels, the most of the unreduced states symmetry may keep]. Measured (3
// alike clients): 0.17-0.19 of the states (3! = 6 permutations; the states where two clients
// are in the same place have fewer images); two classes of two: 0.26; one class of two: 0.51.
const BOARDS: [string, string, readonly string[], number][] = [
  ['three alike clients, bound and unbound', alike({ unbind: true }), ['v4.19', 'v5.10.y', 'v5.19', 'v6.6', 'v6.12.y', 'v6.18.y', 'v7.0'], 0.2],
  ['three alike clients, hot-added, a driver probe that fails', alike({ start: 'hotplug', extra: 'faults: [f_drv_probe_fail]\n' }), ['v5.15.y', 'v6.1.y', 'v6.18.y'], 0.2],
  ['three alike clients, msm private domains (violations)', alike({ driver: 'M' }), ['v4.19', 'v5.19', 'v6.6', 'v6.18.y'], 0.2],
  ['three alike clients each in a group of its own, bound and unbound', alike({ unbind: true, ownGroups: true }), ['v4.19', 'v5.15.y', 'v6.6', 'v6.18.y'], 0.2],
  ['three alike clients each in a group of its own, msm private domains (violations)', alike({ driver: 'M', unbind: true, ownGroups: true }), ['v4.19', 'v6.18.y'], 0.2],
  ['two SMMUs with two alike clients each (classes by IOMMU)', TWO_SMMUS('K'), ['v5.19', 'v6.18.y'], 0.3],
  ['two SMMUs with two alike msm clients each (violations)', TWO_SMMUS('M'), ['v6.18.y'], 0.3],
  ['three msm clients, only D3 unbound (classes by actor; violations)', ONE_UNBOUND, ['v4.19', 'v6.6', 'v6.18.y'], 0.55],
  ['two DMA-API clients and one without DMA (classes by driver)', ONE_WITHOUT_DMA, ['v5.15.y', 'v6.18.y'], 0.55],
];

test('slots that differ in a constant or in their actors fall in classes; only classes are permuted', () => {
  const classes = (text: string) => { const m = model('v6.18.y', text); return slotClasses(m, 'dev', m.symmetry?.[0].linked); };
  assert.deepEqual(classes(alike({ unbind: true })), [0, 0, 0]);
  assert.deepEqual(classes(TWO_SMMUS('K')), [0, 0, 2, 2]);
  assert.deepEqual(classes(ONE_UNBOUND), [0, 0, 2]);
  assert.deepEqual(classes(ONE_WITHOUT_DMA), [0, 0, 2]);
});

for (const [what, text, kernels, most] of BOARDS) {
  test(`${what}: the same verdicts and shortest traces as the unreduced search, fewer states`, async () => {
    for (const kernel of kernels) {
      const m = model(kernel, text);
      const full = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true } });
      const sym = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true, symmetry: true } });
      assert.equal(sym.reduction?.symmetryEntity, 'dev', kernel);
      assert.deepEqual(verdicts(sym), verdicts(full), kernel);
      assert.ok(sym.distinct < full.distinct * most, `${kernel}: ${sym.distinct} of ${full.distinct}`);
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

/** The model's own canonical form agrees with the unreduced search on the violations; the one
 *  `mutate` makes of it does not. */
async function assertMutantCaught(m: ReturnType<typeof model>, mutate: (good: string) => string): Promise<void> {
  const full = await explore(m, { continueAfterViolation: true, reduce: { deadVars: true } });
  const sym = m.symmetry![0];
  const good = symmetryCanonSource(m, compileModel(m).layout, sym.entity, sym.linked);
  const broken = mutate(good);
  assert.notEqual(broken, good);
  const verdictsWith = async (canonical: string) => (await explore(m, { continueAfterViolation: true, canonical })).violations.map((v) => `${v.property}@${v.length}`).sort();
  const expected = full.violations.map((v) => `${v.property}@${v.length}`).sort();
  assert.deepEqual(await verdictsWith(good), expected, 'the real one agrees');
  assert.notDeepEqual(await verdictsWith(broken), expected, 'the broken one gets the verdict wrong');
}

test('a canonical form that permutes across classes is caught', async () => {
  // One class of all three: D3's unbind thread moves to clients that have none.
  await assertMutantCaught(model('v6.18.y', ONE_UNBOUND), (good) => good.replace(/const SYM_C = [^;]*;/, 'const SYM_C = [[0, 1, 2]];'));
});

test('a canonical form that moves the devices but not their groups is caught', async () => {
  // Drop the renaming of the fields that name a group (a device's iommu_group): groups keep
  // their old names while the devices move.
  await assertMutantCaught(model('v6.18.y', alike({ driver: 'M', unbind: true, ownGroups: true })),
    (good) => good.replace(/\/\* rename ids of the linked entity \*\/[^\n]*\n/, '\n'));
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
  assert.match(refusal(alike({ ownGroups: true, declare: 'dev' })) ?? '', /^no two slots of 'dev' are alike: they differ in 'dev\.group_of' \(if each has a group of its own, declare \[dev, group\]\)$/);
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
