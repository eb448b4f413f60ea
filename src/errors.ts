/**
 * Errors with stable codes. A user error is one line and exit 2; an output error (E_OUTPUT)
 * is one line and exit 5; an internal error is one line plus the path of a full report
 * (written by the CLI). Tests assert codes, not prose.
 */

export const ERROR_CODES = {
  E_USAGE: 'a command-line option is missing, repeated or malformed',
  E_MODEL: 'a model is malformed (unknown field, value outside its domain, duplicate label, jump to a missing label)',
  E_MODEL_RUNTIME: 'a step computed a value outside its field\'s domain, or dereferenced none',
  E_UNKNOWN_MODEL: 'no built-in model has that name',
  E_UNKNOWN_PARAM: 'the model has no parameter of that name',
  E_BAD_VALUE: 'a parameter or option value is out of range',
  E_UNKNOWN_KERNEL: 'no kernel baseline has that name',
  E_UNKNOWN_SCENARIO: 'no scenario has that name',
  E_UNKNOWN_PATCH: 'no built-in patch has that id and no file has that path',
  E_UNKNOWN_DRIVER: 'no IOMMU driver of the model has that name',
  E_UNKNOWN_INVARIANT: 'the model has no property of that name',
  E_UNKNOWN_ACTOR: 'the model has no actor of that name',
  E_UNKNOWN_FUNCTION: 'no step of the model stands for a kernel function of that name',
  E_PATCH: 'a patch threw, or edits a step, field or flag that the model does not have',
  E_KERNEL_TREE: 'a --kernel-tree (or --against) path is not a kernel source tree, or lacks a file the model cites',
  E_DIFF_FILE: 'a diff file is unreadable or holds no unified diff',
  E_NO_CITATIONS: 'no kernel tree was read for that baseline, so nothing is recorded to compare with',
  E_SCENARIO_FILE: 'a scenario file is unreadable, not YAML, or does not describe a scenario the model can build (FILE:LINE:COL: what is wrong)',
  E_DTS_FILE: 'a device tree (.dts, or .dtb through dtc) is unreadable, not parseable, or has no IOMMU topology probecheck can model (FILE:LINE:COL: what is wrong)',
  E_MODEL_FILE: 'a --model-file does not load, throws, or does not export a well-formed IR model (one line naming the file and the first bad node)',
  E_TRACE_FILE: 'a trace file is unreadable, corrupt, or does not match the model',
  E_CHECKPOINT: 'a checkpoint is unreadable, corrupt, or from another model, kernel, scenario, patch set, invariant selection or probecheck version',
  E_OUT_EXISTS: 'the results folder already holds a run (use --force)',
  E_MERGE: 'shards do not join: matrix merge, a cell missing or in two shards, or shards of different matrices; check merge, a shard missing, given twice, of another search, or not a shard result',
  E_OUT_LOCKED: 'another probecheck is writing that results folder or matrix document now',
  E_OUTPUT: 'the results cannot be written (read-only folder, full disk): exit 5, the verdict is still printed',
  E_EXPORT: 'the exporter cannot express a construct of the model',
  E_INTERNAL: 'a bug in probecheck',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ProbeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'ProbeError';
  }
}

export function fail(code: ErrorCode, message: string): never {
  throw new ProbeError(code, message);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** The valid names closest to `name` (at most three), or all of them when there are few. */
export function closest(name: string, valid: readonly string[], max = 3): string[] {
  if (valid.length <= max) return [...valid];
  const scored = valid.map((v) => {
    let d = editDistance(name, v);
    if (v.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(v.toLowerCase())) d -= 2;
    return { v, d };
  });
  scored.sort((x, y) => x.d - y.d || x.v.localeCompare(y.v));
  return scored.slice(0, max).map((s) => s.v);
}

/** "unknown kernel 'v6.7'; closest: v6.6, v6.1, v6.15" */
export function unknownName(code: ErrorCode, what: string, name: string, valid: readonly string[]): never {
  const near = closest(name, valid);
  fail(code, `unknown ${what} '${name}'; ${valid.length <= 3 ? 'valid' : 'closest'}: ${near.join(', ')}`);
}
