/**
 * The property bookkeeping of a search: which properties are checked, the first (shortest,
 * then smallest) violation of each, and the first state that reaches each witness. A
 * violation is kept as the index of a stored state plus, for a transition property, the
 * offending action; paths are rebuilt from parent links only when the search ends.
 */
import type { CoreModel } from '../ir/core';
import type { Violation, WitnessResult } from './types';
import type { CompiledSource } from '../compile/compile';
import type { HitRecord } from './checkpoint';

export interface Hit {
  readonly state: number;
  /** The action taken from `state` (transition properties), or -1. */
  readonly extra: number;
  /** Depth of `state`. */
  readonly depth: number;
}

export class PropertyRecorder {
  /** 1 where a property is not checked or already violated: compiled checks skip it. */
  readonly skip: Uint8Array;
  /** 1 where a witness is reached: compiled checks skip it. */
  readonly reached: Uint8Array;
  private readonly hits = new Map<number, Hit>();
  private readonly witnessHits = new Map<number, Hit>();
  private witnessesLeft: number;

  constructor(private readonly m: CoreModel, private readonly compiled: CompiledSource) {
    const n = m.properties.length;
    this.skip = new Uint8Array(n).fill(1);
    this.reached = new Uint8Array(n).fill(1);
    for (const kind of ['invariant', 'transition', 'terminal'] as const) for (const i of compiled.selected[kind]) this.skip[i] = 0;
    for (const i of compiled.selected.witness) this.reached[i] = 0;
    this.witnessesLeft = compiled.selected.witness.length;
  }

  get anyViolation(): boolean { return this.hits.size > 0; }
  get allWitnessesReached(): boolean { return this.witnessesLeft === 0; }

  /** Record a violation unless an earlier one of the same property is kept (earlier in BFS
   *  order wins: smaller depth, then smaller state index, then smaller action). */
  violate(prop: number, hit: Hit): void {
    const old = this.hits.get(prop);
    if (old && !before(hit, old)) return;
    this.hits.set(prop, hit);
    this.skip[prop] = 1;
  }

  witness(prop: number, hit: Hit): void {
    const old = this.witnessHits.get(prop);
    if (old && !before(hit, old)) return;
    if (!old) this.witnessesLeft--;
    this.witnessHits.set(prop, hit);
    this.reached[prop] = 1;
  }

  /** What a checkpoint keeps: [prop, state, extra, depth] per violation and per witness. */
  records(): { violations: HitRecord[]; witnesses: HitRecord[] } {
    const rows = (m: Map<number, Hit>) => [...m].map(([p, h]): HitRecord => [p, h.state, h.extra, h.depth]);
    return { violations: rows(this.hits), witnesses: rows(this.witnessHits) };
  }

  /** Put back what records() gave (validated by the caller: snapshotProblem). */
  restore(violations: readonly HitRecord[], witnesses: readonly HitRecord[]): void {
    for (const [p, state, extra, depth] of violations) this.violate(p, { state, extra, depth });
    for (const [p, state, extra, depth] of witnesses) this.witness(p, { state, extra, depth });
  }

  checkedNames(): string[] {
    const out: string[] = [];
    for (const kind of ['invariant', 'transition', 'terminal'] as const) for (const i of this.compiled.selected[kind]) out.push(this.m.properties[i].name);
    return out;
  }

  notSelectedNames(): string[] {
    const checked = new Set(this.checkedNames());
    return this.m.properties.filter((p) => p.kind !== 'witness' && !checked.has(p.name)).map((p) => p.name);
  }

  violations(pathTo: (state: number) => number[]): Violation[] {
    const out: Violation[] = [];
    for (const [prop, hit] of this.hits) {
      const actions = pathTo(hit.state);
      if (hit.extra >= 0) actions.push(hit.extra);
      out.push({ property: this.m.properties[prop].name, kind: this.m.properties[prop].kind, length: actions.length, actions });
    }
    return out.sort((a, b) => a.length - b.length || a.property.localeCompare(b.property));
  }

  witnesses(pathTo: (state: number) => number[]): WitnessResult[] {
    return this.compiled.selected.witness.map((i) => {
      const hit = this.witnessHits.get(i);
      return hit ? { name: this.m.properties[i].name, reached: true, actions: pathTo(hit.state) } : { name: this.m.properties[i].name, reached: false };
    });
  }
}

function before(a: Hit, b: Hit): boolean {
  const la = a.depth + (a.extra >= 0 ? 1 : 0), lb = b.depth + (b.extra >= 0 ? 1 : 0);
  if (la !== lb) return la < lb;
  if (a.state !== b.state) return a.state < b.state;
  return a.extra < b.extra;
}
