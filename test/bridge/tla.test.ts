/**
 * The TLA+ export: it parses with the TLA+ grammar, its structure matches the CoreModel, and
 * an independent checker run on its text (minitlc.ts, standing in for TLC) finds exactly the
 * states probecheck finds, and the same violations at the same depths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTlaParser, syntaxProblems, type TlaParser } from '../../src/bridge/grammar';
import { fromItf } from '../../src/bridge/itf';
import { exportTla } from '../../src/bridge/tla';
import { ProbeError } from '../../src/errors';
import type { CoreModel } from '../../src/ir/core';
import { eq, self, set, step, v } from '../../src/ir/dsl';
import { initialState, successors } from '../../src/ir/interpret';
import { lowerModel } from '../../src/ir/lower';
import type { Model } from '../../src/ir/types';
import { buildClassicModel } from '../../src/examples';
import { naiveExplore } from '../helpers/naive';
import { Fn, MiniTlc, parseCfg, toAst, type Ast, type Value } from './minitlc';
import { zoo } from './zoo';

const MODELS: [string, () => Model][] = [
  ['counters(3,3)', () => buildClassicModel('counters', ['n=3', 'm=3'])],
  ['counters(2,4)', () => buildClassicModel('counters', ['n=2', 'm=4'])],
  ['dining(3)', () => buildClassicModel('dining', ['n=3'])],
  ['dining(4)', () => buildClassicModel('dining', ['n=4'])],
  ['peterson(2)', () => buildClassicModel('peterson', ['n=2'])],
  ['peterson(2, broken)', () => buildClassicModel('peterson', ['n=2', 'broken=true'])],
  ['peterson(3)', () => buildClassicModel('peterson', ['n=3'])],
  ['peterson(3, broken)', () => buildClassicModel('peterson', ['n=3', 'broken=true'])],
  ['zoo', zoo],
];

async function grammar(): Promise<TlaParser> {
  try {
    return await loadTlaParser();
  } catch (e) {
    assert.fail(`${(e as Error).message}; the TLA+ export tests need these packages (see docs/tla.md)`);
  }
}

/** Every state probecheck reaches, by the reference semantics. */
function reachable(core: CoreModel): Set<string> {
  const init = initialState(core);
  const seen = new Set([init.join(',')]);
  const queue = [init];
  for (let i = 0; i < queue.length; i++) {
    for (const { state } of successors(core, queue[i])) {
      const k = state.join(',');
      if (!seen.has(k)) { seen.add(k); queue.push(state); }
    }
  }
  return seen;
}

/** A minitlc value as ITF JSON, so that fromItf maps TLA+ states back to probecheck states. */
function asItf(x: Value): unknown {
  if (typeof x === 'number') return { '#bigint': String(x) };
  if (x instanceof Fn) return { '#map': [...x.m.values()].map(([k, val]) => [asItf(k), asItf(val)]) };
  return x;
}

/** The cfg with its witness lines switched on (TLC reports a reachable witness as a violation). */
const withWitnesses = (cfg: string) => cfg.replace(/^\\\* INVARIANT /gm, 'INVARIANT ');

for (const [label, build] of MODELS) {
  test(`export of ${label} parses with the TLA+ grammar, without ERROR or MISSING nodes`, async () => {
    const p = await grammar();
    const ex = exportTla(lowerModel(build()));
    assert.deepEqual(syntaxProblems(p.parse(ex.tla)), []);
  });

  test(`export of ${label}: one variable per field, one action per CoreAction, Next in action order`, async () => {
    const core = lowerModel(build());
    const ex = exportTla(core);
    const mod = toAst((await grammar()).parse(ex.tla)).kids.find((k) => k.t === 'module') as Ast;
    const vars = mod.kids.filter((k) => k.t === 'variable_declaration').flatMap((d) => d.kids.map((x) => x.text));
    assert.equal(vars.length, core.fields.length);
    const defs = new Map(mod.kids.filter((k) => k.t === 'operator_definition').map((d) => [d.f.name[0].text, d.f.definition[0]]));
    const next = defs.get('Next') as Ast;
    const disjuncts = next.kids.map((it) => it.kids[it.kids.length - 1].text);
    assert.equal(disjuncts.length, core.actions.length + 1);
    assert.equal(disjuncts[disjuncts.length - 1], 'Done');
    assert.equal([...defs.keys()].filter((n) => n.endsWith('_enabled')).length, core.actions.length);
    // Every action ends in a branch that names each variable exactly once, primed or UNCHANGED.
    const named = (a: Ast): string[] => {
      if (a.t === 'bound_postfix_op' && a.f.symbol[0].t === 'prime') return [a.f.lhs[0].text];
      if (a.t === 'bound_prefix_op' && a.f.symbol[0].t === 'unchanged') return a.f.rhs[0].kids.filter((k) => k.t === 'identifier_ref').map((k) => k.text);
      if (a.t === 'bound_infix_op' && a.f.symbol[0].t === 'eq') return named(a.f.lhs[0]);
      if (a.t === 'conj_list' || a.t === 'conj_item') return a.kids.flatMap(named);
      return [];
    };
    for (const name of disjuncts.slice(0, -1)) {
      let body = defs.get(name) as Ast;
      let last = body.kids[body.kids.length - 1].kids.at(-1) as Ast;
      while (last.t === 'if_then_else') {
        assert.deepEqual(named(last.f.then[0]).sort(), [...vars].sort(), `${name}: the crash branch`);
        last = last.f.else[0];
      }
      if (last.t === 'conj_list') body = last;
      assert.deepEqual(named(body).sort(), [...vars].sort(), name);
    }
  });

  test(`export of ${label}: every name is defined before it is used, as SANY requires`, async () => {
    const ex = exportTla(lowerModel(build()));
    const mod = toAst((await grammar()).parse(ex.tla)).kids.find((k) => k.t === 'module') as Ast;
    const known = new Set(['Assert']); // from the TLC module
    const refs = (a: Ast): string[] => (a.t === 'identifier_ref' ? [a.text] : a.kids.flatMap(refs));
    const intros = (a: Ast): string[] => [...(a.f.intro ?? []).map((x) => x.text), ...a.kids.flatMap(intros)];
    for (const u of mod.kids) {
      if (u.t === 'variable_declaration' || u.t === 'operator_definition') {
        if (u.t === 'variable_declaration') { for (const k of u.kids) known.add(k.text); continue; }
        const local = new Set([...(u.f.parameter ?? []).map((x) => x.text), ...intros(u.f.definition[0])]);
        for (const r of refs(u.f.definition[0])) assert.ok(known.has(r) || local.has(r), `${u.f.name[0].text} uses ${r} before its definition`);
        known.add(u.f.name[0].text);
      }
    }
  });

  test(`export of ${label}: the checker on the TLA+ text finds probecheck's states and violations`, async () => {
    const core = lowerModel(build());
    const ex = exportTla(core);
    const mini = new MiniTlc((await grammar()).parse(ex.tla));
    const got = mini.explore(parseCfg(withWitnesses(ex.cfg)));
    const want = naiveExplore(core, { continueAfterViolation: true });
    assert.equal(got.distinct, want.distinct, 'distinct states');
    // The same states, one for one, read back through the ITF decoder.
    const mapped = new Set(got.states.map((s) => {
      const st: Record<string, unknown> = {};
      for (const [k, x] of s) st[k] = asItf(x);
      return fromItf(core, { vars: [...s.keys()], states: [st] })[0].join(',');
    }));
    assert.deepEqual(mapped, reachable(core));
    // Each violated property, with the length of its shortest counterexample.
    const expected = new Map<string, number>();
    for (const [name, path] of want.violations) expected.set(name, path.length);
    for (const [name, path] of want.witnesses) if (path) expected.set(`${name}_unreached`, path.length);
    assert.deepEqual(new Map([...got.violations].sort()), new Map([...expected].sort()));
  });
}

test('the cfg turns TLC\'s deadlock check off and lists TypeOK, the invariants and NoDeadlock', () => {
  const ex = exportTla(lowerModel(buildClassicModel('dining', ['n=3'])));
  const cfg = parseCfg(ex.cfg);
  assert.equal(cfg.checkDeadlock, false);
  assert.equal(cfg.specification, 'Spec');
  assert.deepEqual(cfg.invariants, ['TypeOK', 'ForkHeldByNeighbour', 'NoDeadlock']);
  assert.match(ex.cfg, /^\\\* INVARIANT SomeoneEats_unreached$/m);
});

test('zoo: assertions, transition properties and terminal properties have their TLC form', () => {
  const ex = exportTla(lowerModel(zoo()));
  const cfg = parseCfg(ex.cfg);
  assert.deepEqual(cfg.invariants, ['TypeOK', 'LockHeldInWork', 'GroupAlive', 'NotBoundTwice', 'NoUnderflow', 'AllTried', 'NoDeadlock']);
  assert.deepEqual(cfg.properties, ['PhaseMonotone']);
  assert.match(ex.tla, /^PhaseMonotone == \[\]\[PhaseMonotone_action\]_vars$/m);
  assert.match(ex.tla, /^GroupAlive ==\s+crash # "GroupAlive"$/m);
  assert.match(ex.tla, /^AllTried ==\n {4}Stuck =>\n {8}\/\\ /m);
  assert.match(ex.tla, /^ {7}THEN \/\\ crash' = "GroupAlive"$/m);
});

test('a write outside a field\'s domain stops probecheck and violates TypeOK in the export', async () => {
  const m: Model = {
    name: 'overflow', entities: [{ name: 'c', count: 1 }],
    fields: [{ name: 'x', domain: { kind: 'int', min: 0, max: 1 }, over: 'c', init: 0 }],
    actors: [{ name: 'inc', over: 'c', steps: [step('inc', { assign: [set('x', self, { kind: 'bin', op: 'add', left: v('x', self), right: { kind: 'lit', value: 1 } })], goto: 'inc' })] }],
    properties: [],
  };
  const core = lowerModel(m);
  assert.throws(() => naiveExplore(core), (e: unknown) => e instanceof ProbeError && e.code === 'E_MODEL_RUNTIME');
  const ex = exportTla(core);
  const got = new MiniTlc((await grammar()).parse(ex.tla)).explore(parseCfg(ex.cfg), { stopOnViolation: true });
  assert.deepEqual([...got.violations], [['TypeOK', 2]]);
});

test('a read at "none" stops probecheck and is an evaluation error in the export', async () => {
  const m: Model = {
    name: 'deref', entities: [{ name: 'c', count: 2 }],
    fields: [
      { name: 'p', domain: { kind: 'ref', entity: 'c', nullable: true }, init: 'none' },
      { name: 'x', domain: { kind: 'bool' }, over: 'c', init: false },
    ],
    actors: [{ name: 'a', steps: [step('go', { guard: eq(v('x', v('p')), false), goto: '$end' })] }],
    properties: [],
  };
  const core = lowerModel(m);
  assert.throws(() => naiveExplore(core), (e: unknown) => e instanceof ProbeError && e.code === 'E_MODEL_RUNTIME');
  const ex = exportTla(core);
  const root = (await grammar()).parse(ex.tla);
  assert.throws(() => new MiniTlc(root).explore(parseCfg(ex.cfg)), /outside its domain/);
});

test('E_EXPORT: two slots with the same name cannot be told apart in TLA+', () => {
  const m: Model = {
    name: 'twins', entities: [{ name: 'd', count: 2, slotNames: ['D', 'D'] }],
    fields: [{ name: 'x', domain: { kind: 'bool' }, over: 'd', init: false }],
    actors: [{ name: 'a', steps: [step('go', { goto: '$end' })] }], properties: [],
  };
  assert.throws(() => exportTla(lowerModel(m)), (e: unknown) =>
    e instanceof ProbeError && e.code === 'E_EXPORT' && /^model twins, entity d: two slots are named 'D'/.test(e.message));
});

test('E_EXPORT: a module name that is not a TLA+ identifier', () => {
  assert.throws(() => exportTla(lowerModel(buildClassicModel('dining', ['n=3'])), { moduleName: 'dining-3' }),
    (e: unknown) => e instanceof ProbeError && e.code === 'E_EXPORT');
});

test('names are TLA-legal and unique: fields clashing with generated names get a suffix', () => {
  const m: Model = {
    name: 'clash', entities: [{ name: 'next', count: 1, slotNames: ['n0'] }],
    fields: [
      { name: 'Init', domain: { kind: 'bool' }, init: false },
      { name: 'dev.bind-phase', domain: { kind: 'enum', values: ['a', 'b'] }, init: 'a' },
      { name: 'crash', domain: { kind: 'bool' }, init: false },
    ],
    actors: [{ name: 'a', steps: [step('go', { guard: eq(v('Init'), false), assign: [set('Init', undefined, true)], goto: '$end' })] }],
    properties: [],
  };
  const ex = exportTla(lowerModel(m));
  assert.match(ex.tla, /^ {4}Init_2, \\\* Init$/m);
  assert.match(ex.tla, /^ {4}dev_bind_phase, /m);
  assert.match(ex.tla, /^Next_2 == \{"n0"\}$/m);
});

for (const [label, build] of MODELS.filter(([l]) => /dining|broken|zoo/.test(l))) {
  test(`export of ${label}: stopping at the first violation, as TLC does without -continue, gives a shortest counterexample`, async () => {
    const core = lowerModel(build());
    const ex = exportTla(core);
    const got = new MiniTlc((await grammar()).parse(ex.tla)).explore(parseCfg(ex.cfg), { stopOnViolation: true });
    const want = naiveExplore(core);
    assert.equal(got.violations.size, 1);
    const [[name, depth]] = [...got.violations];
    // (probecheck checks a terminal property when it expands a state, TLC when it generates
    // it: at equal depth the two may name different properties, never different lengths.)
    assert.equal(want.violations.get(name)?.length, depth, `${name} at depth ${depth}`);
    assert.equal(Math.min(...[...want.violations.values()].map((p) => p.length)), depth);
  });
}
