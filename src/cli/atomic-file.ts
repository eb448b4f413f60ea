/**
 * Files written whole or not at all: the bytes go to a temporary file beside the target, are
 * flushed to the disk (fsync), and the temporary file is renamed over the target. A reader
 * (or a crash, a full disk, a signal) sees the old file or the new one, never a truncated one.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `data` as text, or as byte parts written one after the other (a large file, such as a
 *  checkpoint, is not copied into one buffer first). */
export function writeFileAtomic(file: string, data: string | Iterable<Uint8Array>): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    // A write may be short (a file-size limit, a nearly full disk): go on until all is
    // written, so the next write reports the error (EFBIG, ENOSPC) instead of truncating.
    for (const buf of typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data) {
      for (let off = 0; off < buf.length;) off += fs.writeSync(fd, buf, off, buf.length - off);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) { try { fs.closeSync(fd); } catch { /* already failing */ } }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
