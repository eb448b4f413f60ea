/** Reading trace files given on the command line: ours (probecheck-trace), ITF or TLC's
 *  -dumpTrace json (read as ITF), told apart
 *  by content. Unreadable or corrupt files fail with E_TRACE_FILE naming the file. */
import * as fs from 'node:fs';
import { fail } from '../errors';
import { isTlcDump, tlcDumpToItf } from '../bridge/tlc-trace';
import { isTraceFile, validateTraceFile, type TraceFile } from '../trace/tracefile';

export type LoadedTrace = { kind: 'probecheck'; trace: TraceFile; json: unknown } | { kind: 'itf'; json: unknown; tlc?: true };

export function loadTrace(file: string): LoadedTrace {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail('E_TRACE_FILE', `${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('E_TRACE_FILE', `${file}: not JSON (${(e as Error).message})`);
  }
  if (isTraceFile(json)) return { kind: 'probecheck', trace: validateTraceFile(json, file), json };
  if (typeof json === 'object' && json !== null && Array.isArray((json as { states?: unknown }).states)) return { kind: 'itf', json };
  // TLC's own -dumpTrace json output reads as an ITF trace of the export.
  if (isTlcDump(json)) return { kind: 'itf', json: tlcDumpToItf(json, file), tlc: true };
  return fail('E_TRACE_FILE', `${file}: neither a probecheck trace ("format": "probecheck-trace"), an ITF trace ("states": [...]) nor TLC's -dumpTrace json ("state": [[1, ...], ...])`);
}
