/**
 * check --checkpoint-every and --resume: the duration option, the hooks the explorer calls,
 * and the checks that a checkpoint belongs to the run that resumes it (checkpoint-file.ts).
 */
import { fail } from '../errors';
import * as fs from 'node:fs';
import type { CheckpointHooks } from '../explorer/checkpoint';
import type { StopReason } from '../explorer/types';
import type { ExploreLimits } from './limits';
import { checkpointPath, type CheckpointFile, identityMismatch, readCheckpoint, removeCheckpoint, searchIdentity, type SearchIdentity, writeCheckpoint } from './checkpoint-file';
import { targetOptions } from './options';
import { type Target, type TargetOptions, validateTargetOptions } from './target';

const UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** `30s`, `10m`, `1h`, `500ms`, or plain seconds. */
export function parseDuration(flag: string) {
  return (raw: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
    const v = m ? Number(m[1]) * UNIT[m[2] ?? 's'] : NaN;
    if (!(v > 0)) fail('E_BAD_VALUE', `${flag} takes a duration such as 30s, 10m or 1h, got '${raw}'`);
    return v;
  };
}

/** No --model, --kernel, --scenario, --patch, --set, --invariant or --iommu-driver given. */
export function noTarget(o: TargetOptions): boolean {
  return o.model === undefined && o.kernel === undefined && o.iommuDriver === undefined &&
    o.set.length + o.scenarios.length + o.patches.length + o.invariants.length === 0;
}

export interface Resumed {
  readonly file: CheckpointFile;
  /** The command line's target options, or (none given) the checkpoint's. */
  readonly target: TargetOptions;
}

/** Read the checkpoint of `dir` (refused with one line when unreadable or corrupt). */
export function openResume(dir: string, given: TargetOptions): Resumed {
  const file = readCheckpoint(checkpointPath(dir));
  if (!noTarget(given)) return { file, target: given };
  const o = file.id.options;
  const target = targetOptions({ model: o.model, set: o.set, kernel: o.kernel, scenario: o.scenarios, patch: o.patches, invariant: o.invariants, iommuDriver: o.iommuDriver });
  validateTargetOptions(target, { oneScenario: true });
  return { file, target };
}

export interface Checkpointing {
  readonly file: string;
  readonly hooks: CheckpointHooks;
  /** Checkpoints written so far, and the first write error (the run goes on; the last good
   *  checkpoint stays). */
  written: number;
  /** Seconds spent writing them (what checkpoints cost the run). */
  seconds: number;
  failure?: string;
}

/** The reductions a checkpointed search runs under, as --reduce spells them. */
export function reductionsName(r: ExploreLimits['reduce']): string {
  const names = [r?.deadVars ? 'dead-vars' : '', r?.symmetry ? 'symmetry' : '', r?.por ? 'por' : ''].filter((x) => x);
  return names.join(',') || 'none';
}

/** The hooks for one target's search: refuse a checkpoint of another search, then write
 *  every `everySeconds` (and where the search stops early) into `<dir>/checkpoint.msgpack`.
 *  `memoryOnly`: no interval asked for; write only where the memory budget stops the search. */
export function checkpointing(dir: string, t: Target, options: TargetOptions, limits: ExploreLimits, everySeconds: number, resumed?: Resumed, memoryOnly = false): Checkpointing {
  const file = checkpointPath(dir);
  const id: SearchIdentity = searchIdentity(t, options, limits.properties, Boolean(limits.continueAfterViolation), reductionsName(limits.reduce));
  if (resumed) {
    const why = identityMismatch(resumed.file.id, id);
    if (why) fail('E_CHECKPOINT', `${file}: refused: ${why}`);
  }
  const c: Checkpointing = {
    file, written: 0, seconds: 0,
    hooks: {
      everySeconds,
      ...(memoryOnly ? { atStop: (stop: StopReason) => stop === 'max-memory' } : {}),
      write: (s) => {
        const t0 = performance.now();
        try {
          // The memory guard's checkpoint is the first thing written into the folder.
          fs.mkdirSync(dir, { recursive: true });
          writeCheckpoint(file, id, everySeconds, s);
          c.written++;
        } catch (e) {
          c.failure ??= (e as Error).message.split('\n')[0];
        }
        c.seconds += (performance.now() - t0) / 1000;
      },
      ...(resumed ? { resume: resumed.file.snapshot() } : {}),
    },
  };
  return c;
}

/** After the search: keep the checkpoint when the search can go on from it, else remove it.
 *  Returns the note for stderr. */
export function finishCheckpoint(c: Checkpointing, dir: string, resumable: boolean): string {
  let note = c.failure ? `probecheck: warning: a checkpoint could not be written (${c.failure}); the last one written stays\n` : '';
  if (resumable && c.written > 0) note += `probecheck: checkpoint: ${c.file} (${c.written} written in ${c.seconds.toFixed(2)} s); go on with: probecheck check --resume ${dir}\n`;
  else if (!resumable) {
    removeCheckpoint(c.file);
    if (c.written > 0) note += `probecheck: ${c.written} checkpoint${c.written === 1 ? '' : 's'} written in ${c.seconds.toFixed(2)} s; removed, the search ended\n`;
  }
  return note;
}
