/**
 * The memory budget a search uses when none is given (--max-memory): a search that outgrows
 * the machine stops at a level boundary with a resumable result instead of being killed by
 * the kernel's out-of-memory killer. The budget counts what the search retains (fingerprint
 * tables and parent links); the process needs more than that at its peak: growing a table
 * briefly holds the old and the new one (three times the old), and a level's frontiers and
 * outboxes come on top. So the default is a quarter of the memory the process may use: the
 * smaller of the machine's memory and the cgroup limit when one is set and readable.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

export const DEFAULT_MEMORY_SHARE = 0.25;

/** cgroup v2, then v1; undefined when there is no limit or it cannot be read. */
function cgroupLimitBytes(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const raw = fs.readFileSync(file, 'utf8').trim();
      const n = Number(raw);
      // "max" (v2) or a huge number (v1): no limit.
      if (Number.isSafeInteger(n) && n > 0 && n < 2 ** 60) return n;
    } catch { /* not there: try the next */ }
  }
  return undefined;
}

/** The memory this process may use, in bytes. */
export function memoryLimitBytes(): number {
  const total = os.totalmem();
  const cg = cgroupLimitBytes();
  return cg !== undefined ? Math.min(total, cg) : total;
}

let cached: number | undefined;

/** The default retained-memory budget, in bytes (see the module comment). */
export function defaultMemoryBudgetBytes(): number {
  cached ??= Math.floor(memoryLimitBytes() * DEFAULT_MEMORY_SHARE);
  return cached;
}
