/**
 * How a run records its patch files, so that its traces replay from any working folder: by
 * absolute path and by the SHA-256 of their content. Replaying with a patch file whose content
 * changed since is refused with one line (the trace is of the old patch).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import { PATCHES } from '../model';
import { isPatchPath } from './patch-loader';

/** A --patch value names a file (not a built-in id). */
export const isPatchFile = (spec: string): boolean => isPatchPath(spec) || (!PATCHES.some((p) => p.id === spec) && fs.existsSync(spec));

export const digestOf = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The patches as recorded: files by absolute path, with their digests. */
export function recordPatches(specs: readonly string[]): { patches: string[]; patchDigests?: Record<string, string> } {
  const patches = specs.map((s) => (isPatchFile(s) ? path.resolve(s) : s));
  const digests: Record<string, string> = {};
  for (const p of patches) if (isPatchFile(p) && fs.existsSync(p)) digests[p] = digestOf(p);
  return Object.keys(digests).length ? { patches, patchDigests: digests } : { patches };
}

/** Refuse to rebuild a recorded model whose patch file is gone or changed. */
export function checkRecordedPatches(where: string, digests: Readonly<Record<string, string>> | undefined): void {
  for (const [file, want] of Object.entries(digests ?? {})) {
    if (!fs.existsSync(file)) fail('E_TRACE_FILE', `${where}: its patch file ${file} is gone; give --patch with the same content`);
    const now = digestOf(file);
    if (now !== want) fail('E_TRACE_FILE', `${where}: its patch file ${file} changed since the trace was written (sha256 ${want.slice(0, 12)}, now ${now.slice(0, 12)}); the trace is of the old patch`);
  }
}
