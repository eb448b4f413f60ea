/**
 * compileModel: a CoreModel becomes JavaScript source over packed Int32 words, built once
 * per run and evaluated with `new Function` in every thread that explores. The hot functions
 * allocate nothing: words are loaded into locals, fields are shifts and masks with constants
 * folded, and successors are written into caller-owned scratch arrays.
 *
 * The emitted module returns:
 *   succ(s, o, out, acts)   successors of the state at s[o..o+W) -> count; successor k is
 *                            out[k*W..], its action id acts[k]
 *   fp(a, p, res)           fingerprint of a[p..p+W) -> res[0], res[1] (never zero)
 *   inv(s, o, skip)         first violated invariant not skipped -> property index, or -1
 *   term(s, o, skip)        same for terminal properties (a state with no successor)
 *   trans(s, o, t, p, skip) same for transition properties (step s[o..] -> t[p..])
 *   wit(s, o, reached)      first witness not yet reached that holds -> index, or -1
 * A value outside its field's domain, or a read through `none`, throws ModelRuntimeError
 * carrying the action id: the explorer reports it with the trace that reaches it.
 */
import type { CExpr, CoreAction, CoreModel } from '../ir/core';
import type { PropertyKind } from '../ir/types';
import { computeLayout, type Layout } from '../state/layout';
import { fingerprintSource, ownerSource } from '../state/fingerprint';

export interface CompiledSource {
  readonly source: string;
  readonly layout: Layout;
  readonly words: number;
  readonly maxSucc: number;
  /** Property indexes per kind, among those selected. */
  readonly selected: Readonly<Record<PropertyKind, readonly number[]>>;
}

export interface CompiledModel {
  readonly W: number;
  readonly maxSucc: number;
  succ(s: Int32Array, o: number, out: Int32Array, acts: Int32Array): number;
  fp(a: Int32Array, p: number, res: Int32Array): void;
  /** The canonical-form hook (identity unless CompileOptions.canonical is given). */
  canon(a: Int32Array, p: number): void;
  inv(s: Int32Array, o: number, skip: Uint8Array): number;
  term(s: Int32Array, o: number, skip: Uint8Array): number;
  trans(s: Int32Array, o: number, t: Int32Array, p: number, skip: Uint8Array): number;
  wit(s: Int32Array, o: number, reached: Uint8Array): number;
  /** Expand frontier states S.cur .. S.frontierCount-1 (see LevelState in
   *  src/explorer/sequential.ts); returns early when S.tick() asks to stop. */
  expand(S: unknown): void;
  /** The parallel search's phases (see workers/explore-worker.ts). */
  route(S: unknown): void;
  absorb(S: unknown): void;
  readonly hasInv: boolean;
  readonly hasTerm: boolean;
  readonly hasTrans: boolean;
  readonly hasWit: boolean;
}

/** Thrown by compiled code; `action` is the step that went wrong. */
export interface ModelRuntimeErrorLike { readonly modelRuntimeError: true; readonly action: number; readonly message: string }

export function isModelRuntimeError(e: unknown): e is ModelRuntimeErrorLike {
  return typeof e === 'object' && e !== null && (e as { modelRuntimeError?: unknown }).modelRuntimeError === true;
}

interface Range { lo: number; hi: number }

export class Emitter {
  /** Bounds the current action's guard puts on variables (var < lit and the like). */
  refined = new Map<number, Range>();

  constructor(private readonly m: CoreModel, private readonly L: Layout) {}

  /** Learn variable bounds from the conjuncts of a guard, to drop range checks it implies. */
  refineFrom(guard: CExpr): void {
    this.refined = new Map();
    const visit = (e: CExpr): void => {
      if (e.k !== 'bin') return;
      if (e.op === 'and') { visit(e.l); visit(e.r); return; }
      let v: number, c: number, op = e.op;
      if (e.l.k === 'var' && !e.l.primed && e.r.k === 'lit') { v = e.l.v; c = e.r.v; }
      else if (e.r.k === 'var' && !e.r.primed && e.l.k === 'lit') {
        v = e.r.v; c = e.l.v;
        const flip: Record<string, typeof op> = { lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq', ne: 'ne' };
        op = flip[op] ?? op;
      } else return;
      const r = this.refined.get(v) ?? { lo: this.m.vars[v].min, hi: this.m.vars[v].max };
      if (op === 'lt') r.hi = Math.min(r.hi, c - 1);
      else if (op === 'le') r.hi = Math.min(r.hi, c);
      else if (op === 'gt') r.lo = Math.max(r.lo, c + 1);
      else if (op === 'ge') r.lo = Math.max(r.lo, c);
      else if (op === 'eq') { r.lo = Math.max(r.lo, c); r.hi = Math.min(r.hi, c); }
      this.refined.set(v, r);
    };
    visit(guard);
  }

  /** Read variable v from the state held in locals s0..s{W-1} (or from array `arr` at `off`). */
  readVar(v: number, src: Src): string {
    const sl = this.L.slots[v];
    if (sl.bits === 0) return String(sl.min);
    const word = src.locals ? `${src.locals}${sl.word}` : `${src.arr}[${src.off} + ${sl.word}]`;
    const raw = sl.shift === 0 && sl.bits === 32 ? `(${word} >>> 0)` : sl.shift === 0 ? `(${word} & ${sl.mask})` : `((${word} >>> ${sl.shift}) & ${sl.mask})`;
    return sl.min === 0 ? raw : `(${raw} + ${sl.min})`;
  }

  int(e: CExpr, src: Src, dst?: Src): string {
    switch (e.k) {
      case 'lit': return e.v < 0 ? `(${e.v})` : String(e.v);
      case 'var': return this.readVar(e.v, e.primed ? (dst as Src) : src);
      case 'ivar': {
        const s = e.primed ? (dst as Src) : src;
        return `rd${e.field}(${s.arr}, ${s.off}, ${this.int(e.index, src, dst)}, ACT)`;
      }
      case 'not': return `(${this.bool(e.a, src, dst)} ? 0 : 1)`;
      case 'ite': return `(${this.bool(e.c, src, dst)} ? ${this.int(e.t, src, dst)} : ${this.int(e.e, src, dst)})`;
      case 'bin': {
        const a = () => this.int(e.l, src, dst), b = () => this.int(e.r, src, dst);
        switch (e.op) {
          case 'add': return `(${a()} + ${b()})`;
          case 'sub': return `(${a()} - ${b()})`;
          case 'mul': return `(${a()} * ${b()})`;
          case 'mod': return `modz(${a()}, ${b()}, ACT)`;
          case 'min': return `Math.min(${a()}, ${b()})`;
          case 'max': return `Math.max(${a()}, ${b()})`;
          default: return `(${this.bool(e, src, dst)} ? 1 : 0)`;
        }
      }
    }
  }

  bool(e: CExpr, src: Src, dst?: Src): string {
    switch (e.k) {
      case 'lit': return e.v !== 0 ? 'true' : 'false';
      case 'not': return `!${this.bool(e.a, src, dst)}`;
      case 'ite': return `(${this.bool(e.c, src, dst)} ? ${this.bool(e.t, src, dst)} : ${this.bool(e.e, src, dst)})`;
      case 'bin': {
        const cmp: Record<string, string> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };
        if (cmp[e.op]) return `(${this.int(e.l, src, dst)} ${cmp[e.op]} ${this.int(e.r, src, dst)})`;
        if (e.op === 'and') return `(${this.bool(e.l, src, dst)} && ${this.bool(e.r, src, dst)})`;
        if (e.op === 'or') return `(${this.bool(e.l, src, dst)} || ${this.bool(e.r, src, dst)})`;
        if (e.op === 'implies') return `(!${this.bool(e.l, src, dst)} || ${this.bool(e.r, src, dst)})`;
        return `(${this.int(e, src, dst)} !== 0)`;
      }
      default: return `(${this.int(e, src, dst)} !== 0)`;
    }
  }

  /** Static bounds of an integer expression, to drop range checks that cannot fail. */
  range(e: CExpr): Range {
    switch (e.k) {
      case 'lit': return { lo: e.v, hi: e.v };
      case 'var': return this.refined.get(e.v) ?? { lo: this.m.vars[e.v].min, hi: this.m.vars[e.v].max };
      case 'ivar': {
        const vs = this.m.fields[e.field].vars.map((v) => this.m.vars[v]);
        return { lo: Math.min(...vs.map((x) => x.min)), hi: Math.max(...vs.map((x) => x.max)) };
      }
      case 'not': return { lo: 0, hi: 1 };
      case 'ite': { const a = this.range(e.t), b = this.range(e.e); return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }; }
      case 'bin': {
        const a = this.range(e.l), b = this.range(e.r);
        switch (e.op) {
          case 'add': return { lo: a.lo + b.lo, hi: a.hi + b.hi };
          case 'sub': return { lo: a.lo - b.hi, hi: a.hi - b.lo };
          case 'mul': { const c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]; return { lo: Math.min(...c), hi: Math.max(...c) }; }
          case 'mod': return { lo: 0, hi: Math.max(0, Math.max(Math.abs(b.lo), Math.abs(b.hi)) - 1) };
          case 'min': return { lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
          case 'max': return { lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
          default: return { lo: 0, hi: 1 };
        }
      }
    }
  }
}

export interface Src { locals?: string; arr: string; off: string }

const jsString = (s: string) => JSON.stringify(s);

/**
 * The canonical-form hook (symmetry reduction builds on it): JavaScript source of a function
 * `canon(a, p)` that rewrites the W words at a[p..] into the representative of their class.
 * The search stores and fingerprints representatives only. Counterexamples are then paths
 * between representatives: replaying them needs the same hook, so export, replay and the
 * reference explorer assume it is absent (the default).
 */
export interface CompileOptions {
  readonly canonical?: string;
}

/** The properties a search checks, by kind: every witness, and the others named (all when
 *  no names are given). */
export function selectProperties(m: CoreModel, names?: readonly string[]): Record<PropertyKind, number[]> {
  const wanted = (name: string) => !names || names.includes(name);
  const selected: Record<PropertyKind, number[]> = { invariant: [], transition: [], terminal: [], witness: [] };
  for (const p of m.properties) if (p.kind === 'witness' || wanted(p.name)) selected[p.kind].push(p.index);
  return selected;
}

export function compileModel(m: CoreModel, selectedNames?: readonly string[], opts: CompileOptions = {}): CompiledSource {
  const L = computeLayout(m);
  const W = L.words;
  const E = new Emitter(m, L);
  const S: Src = { locals: 's', arr: 's', off: 'o' };
  const lines: string[] = [];
  const emit = (x: string) => lines.push(x);

  emit('"use strict";');
  emit('function ModelRuntimeError(action, message) { this.modelRuntimeError = true; this.action = action; this.message = message; }');
  emit('function modz(a, b, ACT) { if (b === 0) throw new ModelRuntimeError(ACT, "modulo by zero"); return ((a % b) + b) % b; }');

  // Readers and writers of fields indexed at run time.
  const dynFields = new Set<number>();
  const scan = (e: CExpr): void => {
    if (e.k === 'ivar') { dynFields.add(e.field); scan(e.index); }
    else if (e.k === 'not') scan(e.a);
    else if (e.k === 'bin') { scan(e.l); scan(e.r); }
    else if (e.k === 'ite') { scan(e.c); scan(e.t); scan(e.e); }
  };
  for (const a of m.actions) {
    scan(a.guard);
    for (const as of a.asserts) scan(as.cond);
    for (const as of a.assign) { scan(as.value); if (as.target.k === 'ivar') { dynFields.add(as.target.field); scan(as.target.index); } }
  }
  for (const p of m.properties) scan(p.expr);
  for (const fi of dynFields) {
    const f = m.fields[fi];
    emit(`function rd${fi}(a, p, i, ACT) {`);
    emit('  switch (i) {');
    f.vars.forEach((v, slot) => emit(`    case ${slot}: return ${E.readVar(v, { arr: 'a', off: 'p' })};`));
    emit(`    default: throw new ModelRuntimeError(ACT, "reads " + ${jsString(f.name)} + " at " + (i < 0 ? "none" : "slot " + i));`);
    emit('  }');
    emit('}');
    emit(`function wr${fi}(a, p, i, x, ACT) {`);
    emit('  switch (i) {');
    f.vars.forEach((v, slot) => {
      const sl = L.slots[v];
      const check = `if (x < ${sl.min} || x > ${sl.max}) throw new ModelRuntimeError(ACT, "writes " + x + " to " + ${jsString(m.vars[v].name)} + ", outside ${sl.min}..${sl.max}");`;
      const write = sl.bits === 0 ? '' : `a[p + ${sl.word}] = (a[p + ${sl.word}] & ${~((sl.mask << sl.shift) | 0)}) | ((x - ${sl.min}) << ${sl.shift});`;
      emit(`    case ${slot}: ${check} ${write} return;`);
    });
    emit(`    default: throw new ModelRuntimeError(ACT, "writes " + ${jsString(f.name)} + " at " + (i < 0 ? "none" : "slot " + i));`);
    emit('  }');
    emit('}');
  }

  // succ: actions grouped by actor instance, dispatched on the instance's program counter.
  emit('function succ(s, o, out, acts) {');
  for (let w = 0; w < W; w++) emit(`  const s${w} = s[o + ${w}];`);
  emit('  let n = 0, p = 0, ACT = 0;');
  if (m.crashVar >= 0) emit(`  if (${E.readVar(m.crashVar, S)} !== 0) return 0;`);
  const copy = Array.from({ length: W }, (_, w) => `out[p + ${w}] = s${w};`).join(' ');
  const writeVar = (v: number, val: string): string => {
    const sl = L.slots[v];
    if (sl.bits === 0) return '';
    return `out[p + ${sl.word}] = (out[p + ${sl.word}] & ${~((sl.mask << sl.shift) | 0)}) | ((${val} - ${sl.min}) << ${sl.shift});`;
  };
  const byInstance = new Map<number, CoreAction[]>();
  for (const a of m.actions) {
    const list = byInstance.get(a.instance) ?? [];
    list.push(a);
    byInstance.set(a.instance, list);
  }
  for (const inst of m.instances) {
    const acts = byInstance.get(inst.index) ?? [];
    if (acts.length === 0) continue;
    emit(`  switch (${E.readVar(inst.pcVar, S)}) {`);
    const byPc = new Map<number, CoreAction[]>();
    for (const a of acts) byPc.set(a.pcFrom, [...(byPc.get(a.pcFrom) ?? []), a]);
    for (const [pc, list] of byPc) {
      emit(`    case ${pc}:`);
      for (const a of list) {
        emit(`      ACT = ${a.id};`);
        emit(`      if (${E.bool(a.guard, S)}) {`);
        emit(`        p = n * ${W};`);
        let indent = '        ';
        if (a.asserts.length > 0) {
          const fails = a.asserts.map((x) => `!${E.bool(x.cond, S)}`);
          a.asserts.forEach((x, i) => {
            emit(`${indent}${i === 0 ? '' : 'else '}if (${fails[i]}) { ${copy} ${writeVar(m.crashVar, String(x.crash))} }`);
          });
          emit(`${indent}else {`);
          indent += '  ';
        }
        // Every value and index is computed from the pre-state before anything is written.
        E.refineFrom(a.guard);
        a.assign.forEach((as, i) => {
          emit(`${indent}const x${i} = ${E.int(as.value, S)};`);
          if (as.target.k === 'ivar') emit(`${indent}const i${i} = ${E.int(as.target.index, S)};`);
          else {
            const v = as.target.v, r = E.range(as.value), vv = m.vars[v];
            if (r.lo < vv.min || r.hi > vv.max) {
              emit(`${indent}if (x${i} < ${vv.min} || x${i} > ${vv.max}) throw new ModelRuntimeError(ACT, "writes " + x${i} + " to " + ${jsString(vv.name)} + ", outside ${vv.min}..${vv.max}");`);
            }
          }
        });
        // Each word of the successor is composed at once from the pre-state word and the
        // static writes into it; writes through a run-time index follow, in order.
        const perWord = new Map<number, { clear: number; parts: string[] }>();
        const addPart = (v: number, val: string) => {
          const sl = L.slots[v];
          if (sl.bits === 0) return;
          const e = perWord.get(sl.word) ?? { clear: 0, parts: [] };
          e.clear |= sl.mask << sl.shift;
          e.parts.push(sl.min === 0 ? (sl.shift === 0 ? val : `(${val} << ${sl.shift})`) : `((${val} - ${sl.min}) << ${sl.shift})`);
          perWord.set(sl.word, e);
        };
        const lastStatic = new Map<number, number>();
        a.assign.forEach((as, i) => { if (as.target.k === 'var') lastStatic.set(as.target.v, i); });
        const dynIdx = a.assign.findIndex((as) => as.target.k === 'ivar');
        a.assign.forEach((as, i) => {
          // A static write before a dynamic one keeps its order only if composed first,
          // which is what composing all static writes, then applying dynamic ones, does;
          // a static write after a dynamic write to the same field must still win.
          if (as.target.k === 'var' && lastStatic.get(as.target.v) === i && (dynIdx < 0 || i < dynIdx)) addPart(as.target.v, `x${i}`);
        });
        if (a.pcTo !== a.pcFrom) addPart(a.pcVar, String(a.pcTo));
        for (let w = 0; w < W; w++) {
          const e = perWord.get(w);
          emit(`${indent}out[p + ${w}] = ${e ? `(s${w} & ${~e.clear | 0}) | ${e.parts.join(' | ')}` : `s${w}`};`);
        }
        a.assign.forEach((as, i) => {
          if (as.target.k === 'ivar') emit(`${indent}wr${as.target.field}(out, p, i${i}, x${i}, ACT);`);
          else if (dynIdx >= 0 && i > dynIdx) emit(`${indent}${writeVar(as.target.v, `x${i}`)}`);
        });
        if (a.asserts.length > 0) emit('        }');
        emit(`        acts[n++] = ${a.id};`);
        emit('      }');
      }
      emit('      break;');
    }
    emit('  }');
  }
  emit('  return n;');
  emit('}');

  // Fingerprint.
  emit('function fp(a, p, res) {');
  emit(fingerprintSource(W, 'a', 'p'));
  emit('res[0] = h1; res[1] = h2;');
  emit('}');

  // Properties.
  const selected = selectProperties(m, selectedNames);
  const propFn = (name: string, args: string, kind: PropertyKind, flag: string, holds: (e: CExpr) => string, locals: boolean) => {
    emit(`function ${name}(${args}) {`);
    if (locals && selected[kind].length > 0) for (let w = 0; w < W; w++) emit(`  const s${w} = s[o + ${w}];`);
    emit('  const ACT = -1;');
    for (const pi of selected[kind]) {
      const test = holds(m.properties[pi].expr);
      emit(kind === 'witness'
        ? `  if (${flag}[${pi}] === 0 && ${test}) return ${pi};`
        : `  if (${flag}[${pi}] === 0 && !${test}) return ${pi};`);
    }
    emit('  return -1;');
    emit('}');
  };
  propFn('inv', 's, o, skip', 'invariant', 'skip', (e) => E.bool(e, S), true);
  propFn('term', 's, o, skip', 'terminal', 'skip', (e) => E.bool(e, S), true);
  propFn('trans', 's, o, t, p, skip', 'transition', 'skip', (e) => E.bool(e, S, { arr: 't', off: 'p' }), true);
  propFn('wit', 's, o, reached', 'witness', 'reached', (e) => E.bool(e, S), true);

  emit(opts.canonical ? opts.canonical : 'function canon(a, p) {}');
  emitLevelLoop(emit, W, selected, !!opts.canonical);
  emitParallelLoops(emit, W, selected, !!opts.canonical);

  emit(`return { W: ${W}, maxSucc: ${Math.max(1, m.actions.length)}, succ, fp, canon, inv, term, trans, wit, expand, route, absorb,`);
  emit(`  hasInv: ${selected.invariant.length > 0}, hasTerm: ${selected.terminal.length > 0}, hasTrans: ${selected.transition.length > 0}, hasWit: ${selected.witness.length > 0} };`);
  return { source: lines.join('\n'), layout: L, words: W, maxSucc: Math.max(1, m.actions.length), selected };
}

/**
 * What both searches do with a frontier state `cur`: generate its successors, check terminal
 * properties when there are none, and for each successor count its action, check transition
 * properties, apply the canonical-form hook and compute the fingerprint (h1, h2). Leaves the
 * successor loop open; `state` is how the caller numbers the parent in violations.
 */
function emitSuccessorHead(emit: (x: string) => void, W: number, selected: Record<PropertyKind, number[]>, canonical: boolean, state: string): void {
  emit(`    const o = cur * ${W};`);
  emit('    const n = succ(frontier, o, out, acts);');
  emit('    generated += n;');
  if (selected.terminal.length > 0) emit(`    if (n === 0) for (let pi = term(frontier, o, skip); pi >= 0; pi = term(frontier, o, skip)) S.violate(pi, ${state}, -1, 0);`);
  emit('    for (let q = 0; q < n; q++) {');
  emit(`      const p = q * ${W};`);
  emit('      const act = acts[q];');
  emit('      counts[act]++;');
  if (selected.transition.length > 0) emit(`      for (let pi = trans(frontier, o, out, p, skip); pi >= 0; pi = trans(frontier, o, out, p, skip)) S.violate(pi, ${state}, act, 0);`);
  if (canonical) emit('      canon(out, p);');
  emit(fingerprintSource(W, 'out', 'p'));
}

/**
 * The single-threaded level loop, specialised for W words: successor generation, the
 * fingerprint, the table probe and the copy into the next frontier are inline; rare events
 * (a violation, a witness, growing the table or the frontier, the periodic limits check) call
 * back into the explorer through S.
 */
function emitLevelLoop(emit: (x: string) => void, W: number, selected: Record<PropertyKind, number[]>, canonical: boolean): void {
  const has = (k: PropertyKind) => selected[k].length > 0;
  emit('function expand(S) {');
  emit('  const frontier = S.frontier, fc = S.frontierCount, out = S.out, acts = S.acts, counts = S.actionCounts;');
  emit('  const skip = S.skip, reached = S.reached, links = S.links, levelBase = S.levelBase, nextBase = levelBase + fc;');
  emit('  let table = S.table, shift = S.shift, mask = S.mask, limit = S.limit, count = S.count;');
  emit('  let next = S.next, nc = S.nextCount, generated = S.generated, cur = S.cur;');
  emit('  try {');
  emit('  for (; cur < fc; cur++) {');
  emitSuccessorHead(emit, W, selected, canonical, 'levelBase + cur');
  emit('      let i = h1 >>> shift;');
  emit('      for (;;) { const j = i << 1; const a = table[j]; if (a === 0) break; if (a === h1 && table[j + 1] === h2) { i = -1; break; } i = (i + 1) & mask; }');
  emit('      if (i < 0) continue;');
  emit('      table[i << 1] = h1; table[(i << 1) + 1] = h2; count++;');
  emit(`      const np = nc * ${W};`);
  emit(`      if (np + ${W} > next.length) { S.nextCount = nc; next = S.growNext(); }`);
  for (let w = 0; w < W; w++) emit(`      next[np + ${w}] = out[p + ${w}];`);
  emit('      links.push(levelBase + cur, act);');
  emit('      nc++;');
  if (has('invariant')) emit('      for (let pi = inv(next, np, skip); pi >= 0; pi = inv(next, np, skip)) S.violate(pi, nextBase + nc - 1, -1, 1);');
  if (has('witness')) emit('      if (S.witnessesLeft > 0) for (let pi = wit(next, np, reached); pi >= 0; pi = wit(next, np, reached)) S.witness(pi, nextBase + nc - 1);');
  emit('      if (count > limit) { S.count = count; S.grow(); table = S.table; shift = S.shift; mask = S.mask; limit = S.limit; }');
  emit('    }');
  emit('    if ((cur & 4095) === 4095) { S.count = count; S.nextCount = nc; S.generated = generated; S.next = next; if (S.tick(cur)) { cur++; break; } }');
  emit('  }');
  emit('  } catch (e) { S.errorAt = cur; throw e; } finally {');
  emit('    S.count = count; S.nextCount = nc; S.generated = generated; S.next = next; S.cur = cur;');
  emit('  }');
  emit('}');
}

/**
 * The parallel search's two hot loops (see src/explorer/parallel.ts). Neither touches shared
 * state another thread writes in the same phase, so neither needs atomics:
 *   route(S)  expand states S.lo .. S.hi-1 of S.frontier (a partition's own states, in BFS
 *             order) and append every successor, with its fingerprint, parent position
 *             (S.rank[cur]: the parent's place in the whole level) and action, to the outbox
 *             of the partition that owns the fingerprint;
 *   absorb(S) (the owner) insert the records of every outbox into its private fingerprint
 *             table in (parent position, action) order, merging the outboxes (each is in that
 *             order already), and keep each new state with that key: the first insertion is
 *             the first discovery in BFS order.
 */
function emitParallelLoops(emit: (x: string) => void, W: number, selected: Record<PropertyKind, number[]>, canonical: boolean): void {
  // A record is (parent position, action, the state's words): the owner recomputes the
  // fingerprint, which costs less than moving and storing two more words per successor.
  const R = 2 + W;
  emit('function route(S) {');
  emit('  const frontier = S.frontier, rank = S.rank, out = S.out, acts = S.acts, counts = S.actionCounts, skip = S.skip, N = S.N;');
  emit('  const boxes = S.boxes, fill = S.fill, ctl = S.ctl;');
  emit('  let generated = 0, cur = S.lo;');
  emit('  const hi = S.hi;');
  emit('  try {');
  emit('  for (; cur < hi; cur++) {');
  emitSuccessorHead(emit, W, selected, canonical, 'rank[cur]');
  emit(`      const ow = ${ownerSource('h1', 'N')};`);
  emit('      let box = boxes[ow];');
  emit(`      const r = fill[ow] * ${R};`);
  emit(`      if (r + ${R} > box.length) box = S.growBox(ow);`);
  emit('      box[r] = rank[cur]; box[r + 1] = act;');
  for (let w = 0; w < W; w++) emit(`      box[r + ${2 + w}] = out[p + ${w}];`);
  emit('      fill[ow]++;');
  emit('    }');
  emit('    if ((cur & 1023) === 1023 && Atomics.load(ctl, 0) !== 0) { cur++; break; }');
  emit('  }');
  emit('  } catch (e) { S.errorAt = cur; throw e; } finally { S.generated = generated; S.cur = cur; }');
  emit('}');

  emit('function absorb(S) {');
  emit('  const inboxes = S.inboxes, counts = S.inCounts, nActions = S.nActions, N = inboxes.length;');
  // Each inbox's next key is kept (Infinity once empty): a record costs one comparison per
  // inbox, not a key computed from every inbox.
  emit('  const at = new Int32Array(N), head = new Float64Array(N);');
  emit(`  for (let v = 0; v < N; v++) head[v] = counts[v] > 0 ? inboxes[v][0] * nActions + inboxes[v][1] : Infinity;`);
  emit('  let table = S.table, shift = S.shift, mask = S.mask, limit = S.limit, count = S.count;');
  emit('  let words = S.newWords, keys = S.newKeys, nn = 0;');
  emit('  for (;;) {');
  emit('    let from = 0, key = head[0];');
  emit('    for (let v = 1; v < N; v++) if (head[v] < key) { key = head[v]; from = v; }');
  emit('    if (key === Infinity) break;');
  emit('    const box = inboxes[from];');
  emit(`    const r = at[from]++ * ${R}, q = r + 2;`);
  emit(`    head[from] = at[from] < counts[from] ? box[r + ${R}] * nActions + box[r + ${R + 1}] : Infinity;`);
  emit(fingerprintSource(W, 'box', 'q'));
  emit('    let i = h1 >>> shift;');
  emit('    for (;;) { const j = i << 1; const a = table[j]; if (a === 0) break; if (a === h1 && table[j + 1] === h2) { i = -1; break; } i = (i + 1) & mask; }');
  emit('    if (i < 0) continue;');
  emit('    table[i << 1] = h1; table[(i << 1) + 1] = h2;');
  emit(`    if ((nn + 1) * ${W} > words.length) { S.newCount = nn; words = S.growNew(); keys = S.newKeys; }`);
  for (let w = 0; w < W; w++) emit(`    words[nn * ${W} + ${w}] = box[q + ${w}];`);
  emit('    keys[nn] = key;');
  emit('    nn++;');
  emit('    if (++count > limit) { S.count = count; S.grow(); table = S.table; shift = S.shift; mask = S.mask; limit = S.limit; }');
  emit('  }');
  emit('  S.count = count; S.newCount = nn;');
  emit('}');
}

/** Evaluate compiled source (in any thread). */
export function instantiate(source: string): CompiledModel {
  return new Function(source)() as CompiledModel;
}
