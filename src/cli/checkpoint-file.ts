/**
 * The checkpoint file of `check --checkpoint-every`: `<out>/checkpoint.msgpack`, beside the
 * results (the results folder is staged until the run ends, so the checkpoint is written
 * into the folder itself, atomically: temp + fsync + rename). It is a msgpack sequence, read
 * as data only:
 *   1. a header map: format, what was searched (options, model digest, probecheck version and
 *      engine digest), the counters, and the byte length of each part;
 *   2. one msgpack bin per part (fingerprint table, frontier, next frontier, parent links in
 *      chunks), little-endian words, written from the search's arrays without a copy;
 *   3. a trailer map holding the SHA-256 of everything before it.
 * A file that is cut, altered or from another search is refused with one line (E_CHECKPOINT).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pack, unpackMultiple } from 'msgpackr';
import { compileModel } from '../compile/compile';
import { fail } from '../errors';
import type { ActionArray, HitRecord, Snapshot } from '../explorer/checkpoint';
import { engineDigest, VERSION } from '../matrix/cache';
import { writeFileAtomic } from './atomic-file';
import type { Target, TargetOptions } from './target';

export const CHECKPOINT_FILE = 'checkpoint.msgpack';
const FORMAT = 'probecheck-checkpoint';
const FORMAT_VERSION = 1;

export const checkpointPath = (dir: string) => path.join(dir, CHECKPOINT_FILE);

/** What a checkpoint must have been taken of, for a run to go on from it. */
export interface SearchIdentity {
  /** The options that rebuild the target (what --resume uses when none are given). */
  readonly options: TargetOptions;
  readonly label: string;
  /** Compiled step code and the names a result shows: the same digest explores the same. */
  readonly model: string;
  /** --invariant (null: all) and --continue: they change where the search stops. */
  readonly invariants: readonly string[] | null;
  readonly continueAfterViolation: boolean;
  /** The reductions the search stores states under (`dead-vars,symmetry`, or `none`). */
  readonly reduce: string;
  readonly probecheck: string;
  readonly engine: string;
}

export function searchIdentity(t: Target, options: TargetOptions, invariants: readonly string[] | undefined, cont: boolean, reduce: string): SearchIdentity {
  const core = t.core;
  const names = [core.actions.map((a) => a.name), core.properties.map((p) => `${p.kind}:${p.name}`), core.vars.map((v) => v.name)];
  const model = createHash('sha256').update(compileModel(core).source).update(JSON.stringify(names)).digest('hex').slice(0, 32);
  return { options, label: t.label, model, invariants: invariants ? [...invariants] : null, continueAfterViolation: cont, reduce, probecheck: VERSION, engine: engineDigest() };
}

/** The first way `found` differs from `want`, in the user's words, or undefined. */
export function identityMismatch(found: SearchIdentity, want: SearchIdentity): string | undefined {
  if (found.probecheck !== want.probecheck || found.engine !== want.engine) {
    return `it was written by probecheck ${found.probecheck} (build ${found.engine}), this is ${want.probecheck} (build ${want.engine})`;
  }
  if (found.label !== want.label) return `it is of ${found.label}, this run checks ${want.label}`;
  if (JSON.stringify(found.options.set) !== JSON.stringify(want.options.set)) {
    return `it is of ${found.label} with ${found.options.set.join(' ') || 'default parameters'}, this run has ${want.options.set.join(' ') || 'default parameters'}`;
  }
  if (JSON.stringify(found.options.patches) !== JSON.stringify(want.options.patches)) {
    return `it is of patches ${found.options.patches.join(', ') || 'none'}, this run has ${want.options.patches.join(', ') || 'none'}`;
  }
  if (JSON.stringify(found.invariants) !== JSON.stringify(want.invariants)) {
    return `it checks invariants ${found.invariants?.join(', ') ?? 'all'}, this run ${want.invariants?.join(', ') ?? 'all'}`;
  }
  if (found.continueAfterViolation !== want.continueAfterViolation) return `it was taken ${found.continueAfterViolation ? 'with' : 'without'} --continue`;
  if (found.reduce !== want.reduce) return `it was taken with --reduce ${found.reduce}, this run has --reduce ${want.reduce}`;
  if (found.model !== want.model) return `it is of another model (digest ${found.model}, this one ${want.model}: a parameter or a patch file changed)`;
  return undefined;
}

/** A little-endian view of a typed array's bytes (no copy on this machine's order). */
function bytesOf(a: Int32Array | Uint32Array | Float64Array | ActionArray): Uint8Array {
  if (os.endianness() !== 'LE') fail('E_CHECKPOINT', 'checkpoints are written on little-endian machines only');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function binHeader(n: number): Uint8Array {
  if (n > 0xffffffff) fail('E_CHECKPOINT', 'a part of the search state is over 4 GiB: too large for a checkpoint');
  const h = Buffer.alloc(5);
  h[0] = 0xc6; // msgpack bin 32
  h.writeUInt32BE(n, 1);
  return h;
}

/** Write the snapshot of a search as `file`, atomically. */
export function writeCheckpoint(file: string, id: SearchIdentity, everySeconds: number, s: Snapshot): void {
  const actionBytes = s.links.actions[0]?.BYTES_PER_ELEMENT ?? 1;
  const parts: [string, Uint8Array][] = [
    ['table', bytesOf(s.table)], ['frontier', bytesOf(s.frontier)], ['next', bytesOf(s.next)], ['actionCounts', bytesOf(s.actionCounts)],
  ];
  s.links.parents.forEach((p, c) => { parts.push([`parents${c}`, bytesOf(p)], [`actions${c}`, bytesOf(s.links.actions[c])]); });
  const header = {
    format: FORMAT, formatVersion: FORMAT_VERSION, written: new Date().toISOString(), everySeconds, id,
    W: s.W, depth: s.depth, levelBase: s.levelBase, cur: s.cur, frontierCount: s.frontierCount, nextCount: s.nextCount,
    generated: s.generated, log2cap: s.log2cap, count: s.count, linksN: s.links.n, linkChunks: s.links.parents.length, actionBytes,
    violations: s.violations, witnesses: s.witnesses, seconds: s.seconds,
    parts: parts.map(([name, b]) => [name, b.byteLength]),
  };
  const hash = createHash('sha256');
  function* chunks(): Generator<Uint8Array> {
    const h = pack(header);
    hash.update(h);
    yield h;
    for (const [, b] of parts) {
      const bh = binHeader(b.byteLength);
      hash.update(bh); hash.update(b);
      yield bh; yield b;
    }
    yield pack({ sha256: hash.digest('hex') });
  }
  writeFileAtomic(file, chunks());
}

export interface CheckpointFile {
  readonly id: SearchIdentity;
  readonly everySeconds: number;
  readonly written: string;
  /** The search state (checked against the model by the explorer before use). */
  snapshot(): Snapshot;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function validIdentity(x: unknown): x is SearchIdentity {
  if (!isObj(x) || !isObj(x.options)) return false;
  const o = x.options;
  const optional = (k: string) => o[k] === undefined || typeof o[k] === 'string';
  return optional('model') && optional('kernel') && optional('iommuDriver') && isStrings(o.set) && isStrings(o.scenarios) && isStrings(o.patches) && isStrings(o.invariants) &&
    typeof x.label === 'string' && typeof x.model === 'string' && (x.invariants === null || isStrings(x.invariants)) &&
    typeof x.continueAfterViolation === 'boolean' && typeof x.reduce === 'string' && /^[a-z,-]+$/.test(x.reduce) && typeof x.probecheck === 'string' && typeof x.engine === 'string';
}

const validHits = (x: unknown): x is HitRecord[] => Array.isArray(x) && x.every((h) => Array.isArray(h) && h.length === 4 && h.every((v) => Number.isInteger(v)));

/** Copy bytes into a fresh (aligned) typed array. */
function typed<T extends Int32Array | Uint32Array | Float64Array | ActionArray>(b: Uint8Array, Ctor: { new(n: number): T; BYTES_PER_ELEMENT: number }): T {
  const out = new Ctor(b.byteLength / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Read and check `file` (format, integrity, the header's shape); one-line E_CHECKPOINT otherwise. */
export function readCheckpoint(file: string): CheckpointFile {
  const bad = (why: string): never => fail('E_CHECKPOINT', `${file}: ${why}`);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return bad(code === 'ENOENT' ? 'no checkpoint there (was the run started with --checkpoint-every?)' : `cannot read it (${code ?? (e as Error).message})`);
  }
  let items: unknown[];
  try {
    items = unpackMultiple(buf) as unknown[];
  } catch (e) {
    return bad(`not a checkpoint: corrupt or cut short (${(e as Error).message.split('\n')[0]})`);
  }
  const h = items[0];
  if (!isObj(h) || h.format !== FORMAT) return bad('not a probecheck checkpoint');
  if (h.formatVersion !== FORMAT_VERSION) return bad(`checkpoint format ${String(h.formatVersion)}, this probecheck reads ${FORMAT_VERSION}`);
  const trailer = items[items.length - 1];
  if (!isObj(trailer) || typeof trailer.sha256 !== 'string' || items.length < 3) return bad('cut short (no checksum at its end)');
  const body = buf.subarray(0, buf.length - pack(trailer).length);
  if (createHash('sha256').update(body).digest('hex') !== trailer.sha256) return bad('corrupt: its checksum does not match');
  if (!validIdentity(h.id) || typeof h.everySeconds !== 'number' || !(h.everySeconds > 0) || typeof h.written !== 'string') return bad('malformed header');
  const nums = ['W', 'depth', 'levelBase', 'cur', 'frontierCount', 'nextCount', 'generated', 'log2cap', 'count', 'linksN', 'linkChunks', 'actionBytes'] as const;
  for (const k of nums) if (!isNat(h[k])) return bad(`malformed header (${k})`);
  if (typeof h.seconds !== 'number' || !(h.seconds >= 0) || !validHits(h.violations) || !validHits(h.witnesses)) return bad('malformed header');
  const parts = h.parts;
  const bins = items.slice(1, -1);
  if (!Array.isArray(parts) || parts.length !== bins.length || parts.length !== 4 + 2 * (h.linkChunks as number)) return bad('malformed header (parts)');
  const byName = new Map<string, Uint8Array>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i], b = bins[i];
    if (!Array.isArray(p) || typeof p[0] !== 'string' || !(b instanceof Uint8Array) || b.byteLength !== p[1]) return bad(`malformed part ${i}`);
    byName.set(p[0], b);
  }
  const ActionCtor = ({ 1: Uint8Array, 2: Uint16Array, 4: Uint32Array } as Record<number, typeof Uint8Array | typeof Uint16Array | typeof Uint32Array | undefined>)[h.actionBytes as number];
  if (!ActionCtor) return bad('malformed header (actionBytes)');
  const part = (name: string, size: number): Uint8Array => {
    const b = byName.get(name);
    if (!b || b.byteLength % size !== 0) return bad(`malformed part ${name}`);
    return b;
  };
  const hdr = h as Record<string, unknown> & { [k in typeof nums[number]]: number };
  return {
    id: h.id, everySeconds: h.everySeconds, written: h.written,
    snapshot: (): Snapshot => ({
      W: hdr.W, depth: hdr.depth, levelBase: hdr.levelBase, cur: hdr.cur, frontierCount: hdr.frontierCount, nextCount: hdr.nextCount,
      generated: hdr.generated, log2cap: hdr.log2cap, count: hdr.count, seconds: h.seconds as number,
      table: typed(part('table', 4), Int32Array), frontier: typed(part('frontier', 4), Int32Array), next: typed(part('next', 4), Int32Array),
      actionCounts: typed(part('actionCounts', 8), Float64Array),
      links: {
        n: hdr.linksN,
        parents: Array.from({ length: hdr.linkChunks }, (_, c) => typed(part(`parents${c}`, 4), Uint32Array)),
        actions: Array.from({ length: hdr.linkChunks }, (_, c) => typed<ActionArray>(part(`actions${c}`, ActionCtor.BYTES_PER_ELEMENT), ActionCtor as { new(n: number): ActionArray; BYTES_PER_ELEMENT: number })),
      },
      violations: h.violations as HitRecord[], witnesses: h.witnesses as HitRecord[],
    }),
  };
}

/** Remove a checkpoint the run no longer needs (its search ended); a failure is not an error. */
export function removeCheckpoint(file: string): void {
  try { fs.rmSync(file, { force: true }); } catch { /* left behind: harmless, refused by nothing */ }
}

