/**
 * --shard I/N: which cells of the matrix this machine runs. The cells are a grid, one row per
 * kernel with one cell per scenario; cell (k, s) goes to shard ((k + s) mod N) + 1. The slice
 * depends only on the options, so every machine computes the same partition; and the diagonal
 * spreads each scenario (the costs differ most between scenarios, not between kernels) over
 * every shard, where taking every N-th cell would give one shard the same scenarios of every
 * kernel whenever N divides the number of scenarios.
 */
import { fail } from '../errors';

export interface Shard { readonly index: number; readonly count: number }

export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m) fail('E_BAD_VALUE', `--shard takes I/N (shard I of N, e.g. 1/4), got '${raw}'`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) fail('E_BAD_VALUE', `--shard ${raw}: I must be between 1 and N (N >= 1)`);
  return { index, count };
}

/** The shard (1-based) of cell `i` of a grid `width` cells wide. */
export const shardOfCell = (i: number, width: number, count: number): number => ((Math.floor(i / width) + (i % width)) % count) + 1;

/** The items of shard `s`, in their order, of a grid `width` items wide. */
export function shardOf<T>(items: readonly T[], s: Shard, width = 1): T[] {
  return items.filter((_, i) => shardOfCell(i, Math.max(1, width), s.count) === s.index);
}
