/**
 * Running the matrix's cells: the cell cache in front of the explorer, and what each cell
 * leaves for --junit (its race tables). A cache hit becomes the row an exploration would have
 * given, marked `cached`.
 */
import type { ExploreResult } from '../explorer/types';
import { violationArtifacts } from '../cli/artifacts';
import type { Target } from '../cli/target';
import { casesOf, classnameOf, type JunitCase } from '../report/junit';
import type { MatrixRow } from '../cli/commands/matrix';
import { CellCache, cellHash, type CellResult } from './cache';

export class MatrixCells {
  readonly cases: JunitCase[] = [];
  readonly notes: string[] = [];
  hits = 0;

  /** `reductions`: what the cells are explored with (it changes their counts). */
  constructor(private readonly cache: CellCache | undefined, private readonly junit: boolean, private readonly reductions = '') {}

  private key(t: Target): string | undefined {
    return this.cache ? cellHash(t, t.source.scenario as string, this.reductions) : undefined;
  }

  /** The cached result of a cell, when there is one (counted, and its JUnit cases kept). */
  lookup(t: Target): (CellResult & { cached: true }) | undefined {
    const key = this.key(t);
    const hit = key !== undefined ? this.cache?.get(key) : undefined;
    if (!hit) return undefined;
    this.hits++;
    this.collect(t, hit);
    return { ...hit, cached: true };
  }

  /** After an exploration: keep it in the cache (when complete) and its JUnit cases. */
  record(t: Target, r: ExploreResult): void {
    const need = this.cache !== undefined || this.junit;
    const tables = need ? Object.fromEntries(violationArtifacts(t, r, null).map((a) => [a.violation.property, a.mail])) : {};
    const result: CellResult = {
      verdict: r.verdict, stopReason: r.stopReason, distinct: r.distinct, generated: r.generated, depth: r.depth, seconds: +r.seconds.toFixed(3),
      violations: Object.fromEntries(r.violations.map((v) => [v.property, v.length])),
      witnessesNotReached: r.witnesses.filter((w) => !w.reached).map((w) => w.name),
      witnesses: r.witnesses.map((w) => ({ name: w.name, reached: w.reached })), checked: [...r.checked], tables,
    };
    this.collect(t, result);
    const key = this.key(t);
    if (key !== undefined && this.cache) {
      const note = this.cache.put(key, result);
      if (note && !this.notes.includes(note)) this.notes.push(note);
    }
  }

  private collect(t: Target, r: CellResult): void {
    if (!this.junit) return;
    this.cases.push(...casesOf({
      classname: classnameOf(t), seconds: r.seconds, complete: r.stopReason === 'complete', checked: r.checked,
      stopped: `search incomplete (${r.stopReason})`,
      violations: new Map(Object.entries(r.violations).map(([inv, length]) => [inv, { length, table: r.tables[inv] ?? '' }])),
      witnesses: r.witnesses,
    }));
  }
}

/** The row of a cell taken from the cache: the row an exploration gives, marked cached. */
export function cachedRow(t: Target, patches: readonly string[], iommuDriver: string | undefined, r: CellResult): MatrixRow {
  return {
    kernel: t.source.kernel as string, scenario: t.source.scenario as string, patches: [...patches], ...(iommuDriver ? { iommuDriver } : {}),
    verdict: r.verdict, stopReason: r.stopReason, distinct: r.distinct, generated: r.generated, depth: r.depth, seconds: r.seconds,
    violations: { ...r.violations }, witnessesNotReached: [...r.witnessesNotReached], checked: [...r.checked], cached: true,
  };
}
