/** File-system failures while writing results, as one E_OUTPUT line (exit 5). */
import { ProbeError } from '../errors';

const WHY: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EFBIG: 'file too large (a file-size limit)',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'no such folder',
  EISDIR: 'a folder is in the way',
  EEXIST: 'a file is in the way',
};

/** The errno code of a file-system error, if `e` is one. */
export function errnoCode(e: unknown): string | undefined {
  const c = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof c === 'string' && /^E[A-Z]+$/.test(c) ? c : undefined;
}

/** `e` as an E_OUTPUT error about `what`; anything that is not a file-system error is rethrown. */
export function outputError(e: unknown, what: string): ProbeError {
  if (e instanceof ProbeError) return e;
  const code = errnoCode(e);
  if (!code) throw e;
  return new ProbeError('E_OUTPUT', `cannot write ${what}: ${WHY[code] ?? (e as Error).message.split('\n')[0]} (${code})`);
}
