/**
 * exportTla: a lowered model (CoreModel) as a TLA+ module and a TLC configuration that mean
 * exactly what src/ir/interpret.ts means, so that TLC (one worker, `-continue`) finds the
 * same number of distinct states as probecheck. docs/tla.md gives the argument; in short:
 *
 * - one TLA+ variable per field (layout.ts), so states correspond one to one;
 * - Init is the unique initial state;
 * - one action per CoreAction, in action-id order: `<name>_enabled` is the crash test, the
 *   pc test and the guard, exactly the interpreter's enabling test; the effect is an IF chain
 *   over the assertions (the first that fails sets `crash` and nothing else), else the
 *   simultaneous assignment (every right-hand side reads unprimed variables), the pc update,
 *   and UNCHANGED for every other variable;
 * - Next is the disjunction of the actions plus `Done`, a stuttering step allowed only when
 *   the system has crashed or every actor has ended (so TLC's own deadlock check, if turned
 *   on, flags exactly the states probecheck calls deadlocks); the cfg turns that check off
 *   and checks the explicit invariant NoDeadlock instead;
 * - invariants and assertion invariants are state predicates; a terminal property P is the
 *   invariant `Stuck => P`, where Stuck is the negated disjunction of the enabling tests;
 *   a transition property is an action property `[][P]_vars`; a witness W is listed in the
 *   cfg, commented out, as the invariant `W_unreached == ~W`.
 *
 * Values use their readable TLA+ form (strings for enums and slots); where an expression mixes
 * sorts the way probecheck's all-integer semantics allows (an int indexing a slot, `<` on an
 * enum), the export converts through the value's index with small helper operators, defined
 * only when used. A value outside a field's domain, an error in probecheck, is a TypeOK
 * violation or an evaluation error in TLC.
 */
import { fail } from '../errors';
import type { CAssign, CExpr, CoreAction, CoreModel, CoreProperty } from '../ir/core';
import { DEADLOCK } from '../ir/types';
import {
  BOOL, buildLayout, INT, inSort, type Layout, NameTable, type Sort, sortEq, tlaString, tlaValue, tlaValueSet,
  type TlaVar,
} from './layout';

export interface TlaExport {
  readonly moduleName: string;
  readonly tla: string;
  readonly cfg: string;
}

export interface TlaExportOptions {
  /** Module (and file) name; default from the model's name and parameter values. */
  readonly moduleName?: string;
}

/** The default module name: `counters_3_3` for counters with n=3, m=3. */
export function defaultModuleName(core: CoreModel): string {
  return NameTable.ident([core.name, ...Object.values(core.params).map(String)].join('_'));
}

const HELPERS: Record<string, string> = {
  BoolToInt: 'BoolToInt(b) == IF b THEN 1 ELSE 0',
  IntToBool: 'IntToBool(i) == CASE i = 0 -> FALSE [] i = 1 -> TRUE',
  ToIndex: 'ToIndex(t, x) == (CHOOSE i \\in DOMAIN t : t[i] = x) - 1',
  ToIndexOrNone: 'ToIndexOrNone(t, x) == IF x = "none" THEN -1 ELSE ToIndex(t, x)',
  FromIndex: 'FromIndex(t, i) == t[i + 1]',
  FromIndexOrNone: 'FromIndexOrNone(t, i) == IF i = -1 THEN "none" ELSE t[i + 1]',
  Mod: 'Mod(a, b) == IF b > 0 THEN a % b ELSE -((-a) % (-b))',
  Min: 'Min(a, b) == IF a <= b THEN a ELSE b',
  Max: 'Max(a, b) == IF a >= b THEN a ELSE b',
};
const HELPER_DEPS: Record<string, string[]> = { ToIndexOrNone: ['ToIndex'] };
const HELPER_DOCS: Record<string, string> = {
  BoolToInt: 'probecheck stores a bool as 0 or 1',
  ToIndex: 'the index of a value in its domain (enum order, slot order), as probecheck stores it',
  Mod: 'probecheck\'s modulo: the sign of the divisor, an error for 0',
};

/** Print closed CExprs as TLA+ in a requested sort. */
class ExprPrinter {
  readonly used = new Set<string>();
  constructor(private readonly L: Layout, private readonly where: string) {}

  private helper(name: string): string {
    this.used.add(name);
    for (const d of HELPER_DEPS[name] ?? []) this.used.add(d);
    return name;
  }

  private tupleOf(s: Sort): string {
    if (s.k === 'enum') return `<<${s.values.map(tlaString).join(', ')}>>`;
    if (s.k === 'ref') return `<<${s.slots.map(tlaString).join(', ')}>>`;
    throw new Error('no tuple for ' + s.k);
  }

  /** The sort an expression has by itself; null for a literal, which takes any sort. */
  natural(e: CExpr): Sort | null {
    switch (e.k) {
      case 'lit': return null;
      case 'var': return this.L.ofCore[e.v].tv.sort;
      case 'ivar': return this.L.ofField[e.field].sort;
      case 'not': return BOOL;
      case 'bin':
        switch (e.op) {
          case 'and': case 'or': case 'implies':
          case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge':
            return BOOL;
          default: return INT;
        }
      case 'ite': {
        const t = this.natural(e.t), f = this.natural(e.e);
        if (t && f) return sortEq(t, f) ? t : INT;
        if (t) return e.e.k === 'lit' && inSort(e.e.v, t) ? t : INT;
        if (f) return e.t.k === 'lit' && inSort(e.t.v, f) ? f : INT;
        return null;
      }
    }
  }

  private toInt(code: string, s: Sort): string {
    switch (s.k) {
      case 'int': return code;
      case 'bool': return `${this.helper('BoolToInt')}(${code})`;
      case 'enum': return `${this.helper('ToIndex')}(${this.tupleOf(s)}, ${code})`;
      case 'ref': return `${this.helper(s.nullable ? 'ToIndexOrNone' : 'ToIndex')}(${this.tupleOf(s)}, ${code})`;
    }
  }

  private fromInt(code: string, s: Sort): string {
    switch (s.k) {
      case 'int': return code;
      case 'bool': return `${this.helper('IntToBool')}(${code})`;
      case 'enum': return `${this.helper('FromIndex')}(${this.tupleOf(s)}, ${code})`;
      case 'ref': return `${this.helper(s.nullable ? 'FromIndexOrNone' : 'FromIndex')}(${this.tupleOf(s)}, ${code})`;
    }
  }

  private coerce(code: string, from: Sort, to: Sort): string {
    if (sortEq(from, to)) return code;
    if (to.k === 'int') return this.toInt(code, from);
    if (from.k === 'int') return this.fromInt(code, to);
    return this.fromInt(this.toInt(code, from), to);
  }

  private lit(v: number, s: Sort): string {
    if (inSort(v, s)) return tlaValue(v, s);
    return this.fromInt(v < 0 ? `(${v})` : String(v), s);
  }

  /** TLA+ name of the variable behind core variable `v`, with its key. */
  varRef(v: number, primed: boolean): string {
    const { tv, key } = this.L.ofCore[v];
    return `${tv.name}${primed ? "'" : ''}${key === null ? '' : `[${tlaString(key)}]`}`;
  }

  /** The sort a slot index of field `tv` is printed in. */
  slotSort(tv: TlaVar): Sort {
    const e = this.L.entities.get(tv.field.over as string);
    if (!e) fail('E_EXPORT', `${this.where}: field ${tv.field.name} is not over an entity`);
    return { k: 'ref', entity: e.name, slots: e.slotNames, nullable: false };
  }

  /** The expression as a value of sort `want`. */
  as(e: CExpr, want: Sort): string {
    switch (e.k) {
      case 'lit': return this.lit(e.v, want);
      case 'var': return this.coerce(this.varRef(e.v, e.primed), this.L.ofCore[e.v].tv.sort, want);
      case 'ivar': {
        const tv = this.L.ofField[e.field];
        const code = `${tv.name}${e.primed ? "'" : ''}[${this.as(e.index, this.slotSort(tv))}]`;
        return this.coerce(code, tv.sort, want);
      }
      case 'not': return this.coerce(`~${this.truth(e.a)}`, BOOL, want);
      case 'ite':
        return `(IF ${this.truth(e.c)} THEN ${this.as(e.t, want)} ELSE ${this.as(e.e, want)})`;
      case 'bin': {
        const { code, sort } = this.bin(e);
        return this.coerce(code, sort, want);
      }
    }
  }

  /** The expression as a condition: probecheck tests a value against 0. */
  truth(e: CExpr): string {
    if (e.k === 'lit') return e.v !== 0 ? 'TRUE' : 'FALSE';
    const s = this.natural(e) as Sort;
    if (s.k === 'bool') return this.as(e, BOOL);
    if (s.k === 'enum') return `(${this.as(e, s)} # ${tlaString(s.values[0])})`;
    if (s.k === 'ref' && s.slots.length > 0) return `(${this.as(e, s)} # ${tlaString(s.slots[0])})`;
    return `(${this.as(e, INT)} # 0)`;
  }

  private bin(e: Extract<CExpr, { k: 'bin' }>): { code: string; sort: Sort } {
    const { l, r } = e;
    // A chain of /\ or \/ prints flat (both are associative, and TLC evaluates them left to
    // right like probecheck). Neutral operands (unrolled quantifiers leave them) are dropped;
    // never an absorbing one, which would skip evaluating (and failing on) the other side.
    if (e.op === 'and' || e.op === 'or') {
      const neutral = (x: CExpr) => x.k === 'lit' && (e.op === 'and' ? x.v !== 0 : x.v === 0);
      const parts: CExpr[] = [];
      const walk = (x: CExpr) => {
        if (x.k === 'bin' && x.op === e.op) { walk(x.l); walk(x.r); } else if (!neutral(x)) parts.push(x);
      };
      walk(e);
      if (parts.length === 0) return { code: e.op === 'and' ? 'TRUE' : 'FALSE', sort: BOOL };
      if (parts.length === 1) return { code: this.truth(parts[0]), sort: BOOL };
      return { code: `(${parts.map((x) => this.truth(x)).join(e.op === 'and' ? ' /\\ ' : ' \\/ ')})`, sort: BOOL };
    }
    switch (e.op) {
      case 'implies': return { code: `(${this.truth(l)} => ${this.truth(r)})`, sort: BOOL };
      case 'eq': case 'ne': {
        const op = e.op === 'eq' ? '=' : '#';
        const sl = this.natural(l), sr = this.natural(r);
        const s = sl ?? sr;
        const fits = (x: CExpr, sx: Sort | null, to: Sort) => (x.k === 'lit' ? inSort(x.v, to) : sx !== null && sortEq(sx, to));
        const cmpSort = s && s.k !== 'int' && fits(l, sl, s) && fits(r, sr, s) ? s : INT;
        return { code: `(${this.as(l, cmpSort)} ${op} ${this.as(r, cmpSort)})`, sort: BOOL };
      }
      case 'lt': case 'le': case 'gt': case 'ge': {
        const op = { lt: '<', le: '<=', gt: '>', ge: '>=' }[e.op];
        return { code: `(${this.as(l, INT)} ${op} ${this.as(r, INT)})`, sort: BOOL };
      }
      case 'add': return { code: `(${this.as(l, INT)} + ${this.as(r, INT)})`, sort: INT };
      case 'sub': return { code: `(${this.as(l, INT)} - ${this.as(r, INT)})`, sort: INT };
      case 'mul': return { code: `(${this.as(l, INT)} * ${this.as(r, INT)})`, sort: INT };
      case 'mod':
        if (r.k === 'lit' && r.v > 0) return { code: `(${this.as(l, INT)} % ${r.v})`, sort: INT };
        return { code: `${this.helper('Mod')}(${this.as(l, INT)}, ${this.as(r, INT)})`, sort: INT };
      case 'min': case 'max':
        return { code: `${this.helper(e.op === 'min' ? 'Min' : 'Max')}(${this.as(l, INT)}, ${this.as(r, INT)})`, sort: INT };
    }
  }
}

/** Strip one pair of enclosing parentheses when they enclose the whole text. */
function unparen(code: string): string {
  if (!code.startsWith('(') || !code.endsWith(')')) return code;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"') { // skip a string literal
      for (i++; i < code.length && code[i] !== '"'; i++) if (code[i] === '\\') i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth === 0 && i < code.length - 1) return code; }
  }
  return code.slice(1, -1);
}

/** A value on the right of `=` or in EXCEPT: parentheses stay unless the top operator binds
 *  tighter than `=` (a comparison or a junction would otherwise change the parse). */
function valueText(e: CExpr, code: string): string {
  return e.k === 'bin' && (e.op === 'add' || e.op === 'sub' || e.op === 'mul' || e.op === 'mod') ? unparen(code) : code;
}

/** Conjuncts of a guard, left to right (TLC evaluates a conjunction list in order too). */
function conjuncts(e: CExpr): CExpr[] {
  if (e.k === 'bin' && e.op === 'and') return [...conjuncts(e.l), ...conjuncts(e.r)];
  return [e];
}

/** Disjuncts of an expression, left to right. */
function disjuncts(e: CExpr): CExpr[] {
  if (e.k === 'bin' && e.op === 'or') return [...disjuncts(e.l), ...disjuncts(e.r)];
  return [e];
}

/** A junction list: each item on its own line, bullets at column `col`. */
function bullets(op: '/\\' | '\\/', items: readonly string[], col: number): string {
  const pad = ' '.repeat(col);
  return items.map((x) => pad + op + ' ' + x.split('\n').join('\n' + pad + '   ')).join('\n');
}

function comment(text: string, indent = ''): string {
  return text.split('\n').map((l) => `${indent}\\* ${l}`.trimEnd()).join('\n');
}

/** What the sections of the export share: the model, its layout and printer, and the names of
 *  actions and properties, fixed before any text is printed. */
interface TlaCtx {
  readonly core: CoreModel;
  readonly moduleName: string;
  readonly L: Layout;
  readonly where: string;
  readonly P: ExprPrinter;
  readonly crashTv: TlaVar | null;
  readonly actName: readonly string[];
  readonly enName: readonly string[];
  readonly propName: readonly string[];
  /** `<name>_unreached` for a witness, `<name>_action` for a transition property, else ''. */
  readonly extraName: readonly string[];
  /** The dashes of the module's first line; its last line is as wide. */
  readonly dashes: string;
}

/** The property names the cfg lists, by how TLC checks them. */
interface CfgLists { inv: string[]; term: string[]; prop: string[]; wit: string[] }

export function exportTla(core: CoreModel, opts: TlaExportOptions = {}): TlaExport {
  const x = tlaContext(core, opts);
  const out: string[] = [];
  out.push(...moduleHeader(x), ...variablesAndTypeOK(x), ...initText(x));
  // Helpers are printed after all expressions are: remember where.
  const helperAt = out.length;
  out.push(...runningAndEnded(x));
  x.core.actions.forEach((a, i) => out.push(...actionText(x, a, i)));
  out.push(...nextAndSpec(x));
  const lists: CfgLists = { inv: ['TypeOK'], term: [], prop: [], wit: [] };
  out.push(...propertiesText(x, lists));
  out.push('='.repeat(Math.max(x.dashes.length * 2 + x.moduleName.length + 9, 20)), '');
  const helpers = helperText(x);
  if (helpers.length) out.splice(helperAt, 0, ...helpers, '');
  return { moduleName: x.moduleName, tla: out.join('\n'), cfg: cfgText(x.moduleName, lists) };
}

// The module name, the layout and every action and property name: first, so that a bad module
// name fails before any work and the names do not depend on what the text prints.
function tlaContext(core: CoreModel, opts: TlaExportOptions): TlaCtx {
  const moduleName = opts.moduleName ?? defaultModuleName(core);
  if (NameTable.ident(moduleName) !== moduleName) {
    fail('E_EXPORT', `model ${core.name}: module name '${moduleName}' is not a TLA+ identifier`);
  }
  const L = buildLayout(core);
  const where = `model ${core.name}`;
  const P = new ExprPrinter(L, where);
  const names = L.names;
  const crashTv = core.crashVar >= 0 ? L.ofCore[core.crashVar].tv : null;
  const actName = core.actions.map((a) => names.take(a.name.replace(/[[\]:.]/g, '_')));
  const enName = core.actions.map((_, i) => names.take(`${actName[i]}_enabled`));
  const propName = core.properties.map((p) => names.take(p.name));
  const extraName = core.properties.map((p, i) =>
    p.kind === 'witness' ? names.take(`${propName[i]}_unreached`) : p.kind === 'transition' ? names.take(`${propName[i]}_action`) : '');
  const dashes = '-'.repeat(Math.max(4, 20 - Math.floor(moduleName.length / 2)));
  return { core, moduleName, L, where, P, crashTv, actName, enName, propName, extraName, dashes };
}

// The module line, how to check it, the model's metadata, EXTENDS and one constant set per
// entity: first in the module, because everything after may name an entity's set.
function moduleHeader(x: TlaCtx): string[] {
  const { core, moduleName, L } = x;
  const out: string[] = [];
  out.push(`${x.dashes} MODULE ${moduleName} ${x.dashes}`);
  const paramText = Object.entries(core.params).map(([k, v]) => `${k}=${v}`).join(', ');
  out.push(comment([
    `Generated by probecheck from model ${core.name}${paramText ? ` (${paramText})` : ''}; do not edit.`,
    'Check it with:',
    `  java -cp tla2tools.jar tlc2.TLC -workers 1 -continue -config ${moduleName}.cfg ${moduleName}.tla`,
    'Values: enums and step labels are strings, references are slot names or "none".',
  ].join('\n')));
  for (const [k, v] of Object.entries(core.meta)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (text !== undefined) out.push(comment(`${k}: ${text}`));
  }
  out.push('EXTENDS Integers, TLC', '');
  for (const e of core.entities) {
    const set = L.entitySet.get(e.name) as string;
    out.push(`${set} == {${e.slotNames.map(tlaString).join(', ')}}`);
  }
  out.push('');
  return out;
}

// VARIABLES, the `vars` tuple and TypeOK: after the entity sets (TypeOK ranges over them) and
// before every definition that reads a variable.
function variablesAndTypeOK(x: TlaCtx): string[] {
  const { L } = x;
  const out: string[] = [];
  out.push('VARIABLES');
  L.vars.forEach((tv, i) => {
    const what = tv.role === 'pc' ? `program counter of ${tv.field.name.slice(3)}`
      : tv.role === 'crash' ? 'the crash record: "none", or the assertion that failed'
      : `${tv.field.name}${tv.field.ghost ? ' (ghost)' : ''}`;
    out.push(`    ${tv.name}${i < L.vars.length - 1 ? ',' : ''} ${'\\*'} ${what}`);
  });
  out.push('', `vars == <<${L.vars.map((tv) => tv.name).join(', ')}>>`, '');
  out.push(comment('Every variable holds a value of its domain (probecheck stops on a write outside it).'));
  out.push('TypeOK ==');
  out.push(bullets('/\\', L.vars.map((tv) => {
    const set = tlaValueSet(tv, L);
    return tv.domainSet === null ? `${tv.name} \\in ${set}` : `${tv.name} \\in [${tv.domainSet} -> ${set}]`;
  }), 4), '');
  return out;
}

// Init, the unique initial state: after the variables, and the last text before the helper
// operators (which go where Init ends). It takes the bound name `s` after every other name.
function initText(x: TlaCtx): string[] {
  const { core, L } = x;
  const bound = L.names.take('s');
  return ['Init ==', bullets('/\\', L.vars.map((tv) => {
    const inits = tv.coreVars.map((v) => core.vars[v].init);
    if (tv.keys === null) return `${tv.name} = ${tlaValue(inits[0], tv.sort)}`;
    if (inits.every((x) => x === inits[0]) && inits.length > 0) {
      return `${tv.name} = [${bound} \\in ${tv.domainSet} |-> ${tlaValue(inits[0], tv.sort)}]`;
    }
    if (inits.length === 0) return `${tv.name} = [${bound} \\in {} |-> 0]`;
    return `${tv.name} = (${tv.keys.map((k, i) => `${tlaString(k)} :> ${tlaValue(inits[i], tv.sort)}`).join(' @@ ')})`;
  }), 4), ''];
}

// Running (no assertion has failed) and Ended (every actor at its end): before the actions,
// which need Running, and Done, which needs both.
function runningAndEnded(x: TlaCtx): string[] {
  const { core, P, crashTv } = x;
  const out: string[] = [];
  if (crashTv) out.push(comment('No assertion has failed: every step needs it.'), `Running == ${crashTv.name} = "none"`, '');
  out.push(comment('Every actor instance has ended.'));
  const endTests = core.instances.map((inst) => `${P.varRef(inst.pcVar, false)} = ${tlaString(inst.labels[inst.labels.length - 1])}`);
  out.push(endTests.length ? `Ended ==\n${bullets('/\\', endTests, 4)}` : 'Ended == TRUE', '');
  return out;
}

// One action, in action-id order: its enabling test, then the action itself, an IF chain over
// the assertions around the normal effect. Before Stuck and Next, which name them.
function actionText(x: TlaCtx, a: CoreAction, i: number): string[] {
  const { core, P, crashTv, L, enName } = x;
  const lines: string[] = [];
  const inst = core.instances[a.instance];
  const pcTv = L.ofCore[a.pcVar].tv;
  lines.push(comment(`${a.name}${a.fn ? `: ${a.fn}` : ''}${a.file ? ` (${a.file})` : ''}`));
  const pre: string[] = [];
  if (crashTv) pre.push('Running');
  pre.push(`${P.varRef(a.pcVar, false)} = ${tlaString(inst.labels[a.pcFrom])}`);
  if (!(a.guard.k === 'lit' && a.guard.v !== 0)) for (const c of conjuncts(a.guard)) pre.push(unparen(P.truth(c)));
  lines.push(`${enName[i]} ==`, bullets('/\\', pre, 4));

  const effect = actionEffect(x, a, pcTv);
  // The assertions, first failure wins: only the crash record changes.
  let body: string;
  if (a.asserts.length === 0) {
    body = bullets('/\\', [enName[i], ...effect], 4);
  } else {
    if (!crashTv) fail('E_EXPORT', `${x.where}, action ${a.name}: asserts without a crash record`);
    const crashOnly = (name: string) => {
      const rest = L.vars.filter((tv) => tv !== crashTv).map((tv) => tv.name);
      return [`${crashTv.name}' = ${tlaString(name)}`, ...(rest.length ? [`UNCHANGED <<${rest.join(', ')}>>`] : [])];
    };
    // IF ~c1 THEN crash ELSE IF ~c2 THEN crash ELSE effect, laid out as nested bullets.
    const chain = (k: number, col: number): string => {
      if (k === a.asserts.length) return bullets('/\\', effect, col).trimStart();
      const as = a.asserts[k];
      const pad = ' '.repeat(col);
      return [
        `IF ~${P.truth(as.cond)}`,
        `${pad}THEN ${bullets('/\\', crashOnly(as.name), col + 5).trimStart()}`,
        `${pad}ELSE ${chain(k + 1, col + 5)}`,
      ].join('\n');
    };
    body = bullets('/\\', [enName[i]], 4) + '\n    /\\ ' + chain(0, 7);
  }
  lines.push(`${x.actName[i]} ==`, body, '');
  return lines;
}

/** The normal effect of an action: the assignments grouped by TLA+ variable, in order, the pc
 *  update, and UNCHANGED for every other variable (after the Assert of a write at "none"). */
function actionEffect(x: TlaCtx, a: CoreAction, pcTv: TlaVar): string[] {
  const { core, P, L } = x;
  const inst = core.instances[a.instance];
  const byVar = new Map<TlaVar, { key: string; value: string }[]>();
  const checks: string[] = [];
  const scalar = new Map<TlaVar, string>();
  const addSlot = (tv: TlaVar, key: string, value: string) => {
    const list = byVar.get(tv) ?? [];
    list.push({ key, value });
    byVar.set(tv, list);
  };
  for (const as of a.assign as readonly CAssign[]) {
    if (as.target.k === 'var') {
      const { tv, key } = L.ofCore[as.target.v];
      const value = valueText(as.value, P.as(as.value, tv.sort));
      if (key === null) scalar.set(tv, value);
      else addSlot(tv, tlaString(key), value);
    } else {
      const tv = L.ofField[as.target.field];
      const idxNat = P.natural(as.target.index);
      const idx = P.as(as.target.index, P.slotSort(tv));
      // A write at "none" leaves a TLA+ function unchanged; probecheck stops: so does Assert.
      // (An index converted from an integer fails in FromIndex already.)
      if (idxNat !== null && idxNat.k === 'ref' && idxNat.entity === tv.field.over && idxNat.nullable) {
        checks.push(`Assert(${idx} \\in DOMAIN ${tv.name}, ${tlaString(`${a.name}: writes '${tv.field.name}' at a missing slot`)})`);
      }
      addSlot(tv, idx, valueText(as.value, P.as(as.value, tv.sort)));
    }
  }
  if (a.pcTo !== a.pcFrom) {
    const label = tlaString(inst.labels[a.pcTo]);
    const { key } = L.ofCore[a.pcVar];
    if (key === null) scalar.set(pcTv, label);
    else addSlot(pcTv, tlaString(key), label);
  }
  const effect: string[] = [...checks];
  const changed = new Set<TlaVar>();
  for (const tv of L.vars) {
    if (scalar.has(tv)) { effect.push(`${tv.name}' = ${scalar.get(tv)}`); changed.add(tv); }
    const slots = byVar.get(tv);
    if (slots) {
      effect.push(`${tv.name}' = [${tv.name} EXCEPT ${slots.map((s) => `![${s.key}] = ${s.value}`).join(', ')}]`);
      changed.add(tv);
    }
  }
  const unchanged = L.vars.filter((tv) => !changed.has(tv));
  if (unchanged.length) effect.push(`UNCHANGED <<${unchanged.map((tv) => tv.name).join(', ')}>>`);
  return effect;
}

// Stuck, Done, Next and Spec: after the actions they combine, before the properties (a
// terminal property reads Stuck).
function nextAndSpec(x: TlaCtx): string[] {
  const { enName, crashTv } = x;
  const out: string[] = [];
  out.push(comment('No step is enabled (probecheck checks terminal properties in these states).'));
  out.push(enName.length ? `Stuck ==\n${bullets('/\\', enName.map((n) => `~${n}`), 4)}` : 'Stuck == TRUE', '');
  out.push(comment([
    'Stuttering once the system has crashed or every actor has ended, so that TLC\'s own deadlock',
    'check (off in the cfg) would flag exactly the states probecheck calls deadlocks.',
  ].join('\n')));
  out.push(`Done ==\n${bullets('/\\', [crashTv ? `(~Running \\/ Ended)` : 'Ended', 'UNCHANGED vars'], 4)}`, '');
  out.push('Next ==', bullets('\\/', [...x.actName, 'Done'], 4), '');
  out.push('Spec == Init /\\ [][Next]_vars', '');
  return out;
}

// The properties, in the model's order, each added to the cfg list TLC checks it in: last in
// the module, since they read everything above. In the cfg, invariants come before terminal
// properties: probecheck checks a state's invariants when it generates the state and its
// terminal properties when it expands it, later.
function propertiesText(x: TlaCtx, cfg: CfgLists): string[] {
  const { P, propName, extraName } = x;
  const out: string[] = [];
  // A condition at the top of a definition: a conjunction or disjunction as a bullet list.
  const cond = (e: CExpr, col: number): string => {
    for (const [op, parts] of [['/\\', conjuncts(e)], ['\\/', disjuncts(e)]] as const) {
      if (parts.length > 1) {
        const items = parts.map((y) => unparen(P.truth(y)));
        if (items.every((y) => !y.includes('\n'))) return '\n' + bullets(op, items, col);
      }
    }
    return ' ' + unparen(P.truth(e));
  };
  x.core.properties.forEach((p: CoreProperty, i) => {
    const n = propName[i];
    const doc = p.doc ? comment(p.doc) + '\n' : '';
    const body = cond(p.expr, 4);
    switch (p.kind) {
      case 'invariant':
        out.push(`${doc}${n} ==${body}`, '');
        cfg.inv.push(n);
        break;
      case 'terminal':
        out.push(`${doc}${comment(p.name === DEADLOCK && p.synthetic ? 'Terminal property (deadlock): checked in states where no step is enabled.' : 'Terminal property: checked in states where no step is enabled.')}`);
        out.push(`${n} ==\n    Stuck =>${body.startsWith('\n') ? cond(p.expr, 8) : body}`, '');
        cfg.term.push(n);
        break;
      case 'transition':
        out.push(`${doc}${extraName[i]} ==${body}`, `${n} == [][${extraName[i]}]_vars`, '');
        cfg.prop.push(n);
        break;
      case 'witness':
        out.push(`${doc}${comment('Witness: some reachable state satisfies it; TLC shows one as a violation of the next.')}`);
        out.push(`${n} ==${body}`, `${extraName[i]} == ~${n}`, '');
        cfg.wit.push(extraName[i]);
        break;
    }
  });
  return out;
}

// The helper operators the text used, in a fixed order: only once every expression is printed
// (printing is what marks a helper used); exportTla puts them before their first use.
function helperText(x: TlaCtx): string[] {
  const lines: string[] = [];
  for (const h of Object.keys(HELPERS)) {
    if (!x.P.used.has(h)) continue;
    if (HELPER_DOCS[h]) lines.push(comment(HELPER_DOCS[h]));
    lines.push(HELPERS[h]);
  }
  return lines;
}

// The TLC configuration: last, from the lists the properties filled.
function cfgText(moduleName: string, lists: CfgLists): string {
  const cfg: string[] = [
    comment(`TLC configuration for ${moduleName}.tla, generated by probecheck; do not edit.`),
    comment(`Run: java -cp tla2tools.jar tlc2.TLC -workers 1 -continue -config ${moduleName}.cfg ${moduleName}.tla`),
    'SPECIFICATION Spec',
    comment([
      'TLC\'s own deadlock check is off: the invariant NoDeadlock (when the model checks deadlocks)',
      'is the same check, named like probecheck names it. With the Done step in Next, turning',
      'CHECK_DEADLOCK on would flag exactly the same states.',
    ].join('\n')),
    'CHECK_DEADLOCK FALSE',
    'INVARIANT',
    ...[...lists.inv, ...lists.term].map((n) => `    ${n}`),
  ];
  if (lists.prop.length) cfg.push(comment('Transition properties, checked on every step.'), 'PROPERTY', ...lists.prop.map((n) => `    ${n}`));
  if (lists.wit.length) {
    cfg.push(
      comment('Witnesses (states that must be reachable). To see one, uncomment its line: TLC then'),
      comment('reports a reachable witness state as a violation of W_unreached == ~W.'),
      ...lists.wit.map((n) => `\\* INVARIANT ${n}`),
    );
  }
  return cfg.join('\n') + '\n';
}
