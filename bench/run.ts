/**
 * npm run bench: the explorer's figures per model and worker count, each run a fresh process,
 * beside the hand-written reference loop in bench/reference (same machine, same run), with
 * the ratio of distinct states per second. These machines are noisy: compare ratios.
 *
 *   npm run bench                 the standard set
 *   npm run bench -- --quick      counters(6,11) only
 *   npm run bench -- --json       one JSON line per run
 *   npm run bench -- --heavy      adds the kernel scenario register-probe-unbind
 *   npm run bench -- --repeat 3   each "two workers" ratio from 3 back-to-back pairs (median)
 *   npm run bench -- --workers    only the one-worker / two-worker figures (no reduction part)
 *   npm run bench -- --reduce     only the partial-order reduction figures (also part of the
 *                                 standard set): each model unreduced and reduced, one after
 *                                 the other, and the ratio reduced/unreduced of the same run
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REFERENCE } from './reference';

interface Run { model: string; workers: number; distinct: number; transitions: number; seconds: number; statesPerSec: number; bytesPerState?: number; peakKB?: number; tool?: string }

const argv = process.argv.slice(2);
const args = new Set(argv);
const repeat = Math.max(1, Number(argv[argv.indexOf('--repeat') + 1]) || 1);
const json = args.has('--json');
const one = path.join(__dirname, 'one.js');
const reference = REFERENCE;

function ours(kind: string, name: string, workers: number, rest: string[]): Run {
  const out = execFileSync(process.execPath, [one, kind, name, String(workers), ...rest], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop() as string) as Run;
}

function bfs1(n: number, m: number): Run {
  const out = JSON.parse(execFileSync(process.execPath, [reference, 'counters', String(n), String(m)], { encoding: 'utf8' }).trim());
  return { tool: 'reference bfs1.js', model: `counters(${n},${m})`, workers: 1, distinct: out.distinct, transitions: out.transitions, seconds: out.seconds, statesPerSec: out.statesPerSec };
}

function show(r: Run, ratio?: number): void {
  if (json) { console.log(JSON.stringify({ ...r, ...(ratio !== undefined ? { ratioToReference: +ratio.toFixed(3) } : {}) })); return; }
  const cells = [
    (r.tool ?? 'probecheck').padEnd(18), r.model.padEnd(36), `w${r.workers}`.padEnd(4),
    r.distinct.toLocaleString('en-US').padStart(12), r.transitions.toLocaleString('en-US').padStart(13),
    r.seconds.toFixed(2).padStart(8), r.statesPerSec.toLocaleString('en-US').padStart(11),
    r.bytesPerState !== undefined ? r.bytesPerState.toFixed(1).padStart(6) : '     -',
    peakPerState(r).padStart(7),
    ratio !== undefined ? `  x${ratio.toFixed(2)} of reference` : '',
  ];
  console.log(cells.join(' '));
}

/** Peak resident memory of the whole process over distinct states, less what the same
 *  process needs before it stores a state (a --baseline run of the same model kind). */
const baselineKB = new Map<string, number>();
function baseline(kind: string, name: string, rest: string[]): number {
  const key = `${kind} ${name}`;
  if (!baselineKB.has(key)) {
    const out = execFileSync(process.execPath, [one, kind, name, '1', ...rest, '--baseline'], { encoding: 'utf8' });
    baselineKB.set(key, (JSON.parse(out.trim().split('\n').pop() as string) as { peakKB: number }).peakKB);
  }
  return baselineKB.get(key) as number;
}
const peakBase = new WeakMap<Run, number>();
function peakPerState(r: Run): string {
  const base = peakBase.get(r);
  if (r.peakKB === undefined || base === undefined || r.distinct < 100_000) return '-';
  return (((r.peakKB - base) * 1024) / r.distinct).toFixed(1);
}
function measured(kind: string, name: string, workers: number, rest: string[]): Run {
  const r = ours(kind, name, workers, rest);
  peakBase.set(r, baseline(kind, name, rest));
  return r;
}

/** One worker and two, back to back, `repeat` times: the rows of the last pair and the median
 *  ratio of one worker's time over two workers' (above 1: two workers are faster). */
function pair(kind: string, name: string, rest: string[], label: string): void {
  const ratios: number[] = [];
  let last: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    const w1 = measured(kind, name, 1, rest), w2 = measured(kind, name, 2, rest);
    ratios.push(w1.seconds / w2.seconds);
    last = [w1, w2];
  }
  for (const r of last) show(r);
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)];
  if (json) console.log(JSON.stringify({ model: label, twoWorkersRatio: +median.toFixed(3), ratios: ratios.map((x) => +x.toFixed(3)) }));
  else console.log(`two workers on ${label}: x${median.toFixed(2)} of one worker${repeat > 1 ? ` (median of ${repeat} back-to-back pairs: ${ratios.map((x) => x.toFixed(2)).join(', ')})` : ''}`);
}

interface ReducedRun extends Run { rebuildStates?: number; rebuildSeconds?: number; violations?: string; depth?: number }

/** Partial-order reduction: the same model unreduced and reduced, back to back. The kernel
 *  scenarios whose whole space is out of reach of the reduced search (it runs in one thread
 *  at some 20-40 thousand states per second) are compared up to a depth bound. */
function reduction(): void {
  // [kind, name, arguments, the reduction compared with the unreduced run]
  const cases: [string, string, string[], '--por' | '--dead-vars' | '--symmetry'][] = [
    ['kernel', 'v6.18.y', ['register-probe-unbind', '--max-depth=40'], '--por'],
    ['kernel', 'v6.18.y', ['register-probe-unbind', '--max-depth=60'], '--dead-vars'],
    ['kernel', 'v6.18.y', ['two-smmu-async', '--max-depth=26'], '--por'],
    ['kernel', 'v6.18.y', ['two-smmu-async', '--max-depth=30'], '--dead-vars'],
    ['kernel', 'v6.18.y', ['dma-owner-before-group'], '--por'],
    ['kernel', 'v6.18.y', ['dma-owner-before-group'], '--dead-vars'],
    // Partial-order reduction on top of the default (dead-vars in both runs).
    ['kernel', 'v6.18.y', ['register-probe-unbind', '--max-depth=60', '--dead-vars'], '--por'],
    ['kernel', 'v6.18.y', ['two-smmu-async', '--max-depth=30', '--dead-vars'], '--por'],
    ['kernel', 'v6.18.y', ['dma-owner-before-group', '--dead-vars'], '--por'],
    ['classic', 'dining', ['n=10'], '--por'],
    ['classic', 'dining', ['n=10', '--invariant=NoDeadlock'], '--por'],
    ['classic', 'counters', ['n=6', 'm=11'], '--por'],
    ['classic', 'counters', ['n=6', 'm=11'], '--symmetry'],
    // Symmetry on the kernel model: four alike clients (bench/four-alike-clients.yaml).
    ['kernel', 'v6.18.y', [`--scenario-file=${benchFile('four-alike-clients.yaml')}`, '--dead-vars'], '--symmetry'],
  ];
  const label = { '--por': 'partial-order', '--dead-vars': 'dead-vars', '--symmetry': 'symmetry' } as const;
  if (!json) console.log(['reduction'.padEnd(18), 'model'.padEnd(52), 'distinct'.padStart(11), 'seconds'.padStart(8), 'rebuilt'.padStart(9), ' reduced/unreduced (states, time)'].join(' '));
  const compare = (kind: string, name: string, rest: string[], how: keyof typeof label, workers = 1) => {
    const full = ours(kind, name, workers, rest) as ReducedRun;
    const red = ours(kind, name, workers, [...rest, how]) as ReducedRun;
    if (json) { console.log(JSON.stringify({ unreduced: full, reduced: red, stateRatio: red.distinct / full.distinct, timeRatio: red.seconds / full.seconds })); return; }
    const base = rest.includes('--dead-vars') ? 'dead-vars' : 'unreduced';
    for (const [what, r] of [[base, full], [base === 'unreduced' ? label[how] : `${base}+${label[how]}`, red]] as const) {
      console.log([what.padEnd(18), r.model.padEnd(52), r.distinct.toLocaleString('en-US').padStart(11), r.seconds.toFixed(2).padStart(8),
        (r.rebuildStates ? r.rebuildStates.toLocaleString('en-US') : '-').padStart(9),
        r === red ? ` x${(red.distinct / full.distinct).toFixed(3)} states, x${(red.seconds / full.seconds).toFixed(2)} time; ${sameViolations(full, red, how === '--por' && rest.some((x) => x.startsWith('--max-depth')))}` : ''].join(' '));
    }
  };
  for (const [kind, name, rest, how] of cases) compare(kind, name, rest, how);
  // The whole space of register-probe-unbind (63 million states unreduced): minutes.
  if (args.has('--heavy')) compare('kernel', 'v6.18.y', ['register-probe-unbind'], '--dead-vars', 2);
  // How far a bigger topology gets in a minute on 2 workers with dead-vars: two SMMUs, six
  // clients in four groups, one unbind, one vfio claim (bench/two-smmu-six-clients.yaml).
  // The same topology with mixed drivers, an arm-smmu and an smmu-v3 instance
  // (bench/two-drivers-six-clients.yaml).
  for (const file of ['two-smmu-six-clients.yaml', 'two-drivers-six-clients.yaml']) {
    const big = ours('kernel', 'v6.18.y', 2, [`--scenario-file=${benchFile(file)}`, '--dead-vars', '--max-seconds=60']) as ReducedRun & { stop: string };
    if (json) console.log(JSON.stringify({ bigger: big }));
    else console.log(`bigger scenario ${big.model}: ${big.stop === 'complete' ? 'complete' : `stopped (${big.stop})`} at depth ${big.depth}, ${big.distinct.toLocaleString('en-US')} states in ${big.seconds.toFixed(1)} s, 2 workers`);
  }
  // Five alike clients, each in a group of its own: out of reach without symmetry (the unreduced
  // space is some 100 times the 1.6 million representatives), whole with it, and with
  // partial-order reduction on top (bench/five-alike-clients.yaml).
  for (const how of [['--symmetry'], ['--symmetry', '--por']]) {
    const five = ours('kernel', 'v6.18.y', 1, [`--scenario-file=${benchFile('five-alike-clients.yaml')}`, '--dead-vars', ...how, '--max-seconds=120']) as ReducedRun & { stop: string };
    if (json) console.log(JSON.stringify({ alike: five }));
    else console.log(`alike clients ${five.model}${how.includes('--por') ? ' +partial-order' : ''}: ${five.stop === 'complete' ? 'complete' : `stopped (${five.stop})`} at depth ${five.depth}, ${five.distinct.toLocaleString('en-US')} states in ${five.seconds.toFixed(1)} s, 1 worker`);
  }
}

const benchFile = (file: string) => path.join(__dirname, '..', '..', 'bench', file);

/** The violations of a reduced run against the unreduced one. Under a depth bound a
 *  partial-order reduced search may reach a violation only past the bound (the CLI refuses
 *  the combination): then it finds a subset, each at its true (rebuilt) length. */
function sameViolations(full: ReducedRun, red: ReducedRun, bounded: boolean): string {
  if (!bounded) return `same violations: ${red.violations === full.violations ? 'yes' : 'NO'}`;
  const all = full.violations ? full.violations.split(',') : [], found = red.violations ? red.violations.split(',') : [];
  const extra = found.filter((x) => !all.includes(x));
  const missing = all.length - (found.length - extra.length);
  return `violations within the bound: ${found.length - extra.length} of ${all.length} found${missing > 0 ? ' (the others lie past the bound in the reduced graph)' : ''}${extra.length > 0 ? `, and ${extra.length} NOT in the unreduced run` : ''}`;
}

function main(): void {
  if (args.has('--reduce')) { reduction(); return; }
  if (!json) console.log(['tool'.padEnd(18), 'model'.padEnd(36), 'wk'.padEnd(4), 'distinct'.padStart(12), 'transitions'.padStart(13), 'seconds'.padStart(8), 'states/s'.padStart(11), 'B/st'.padStart(6), 'peakB/st'.padStart(7)].join(' '));
  // The headline pair, interleaved twice so drift hits both alike.
  for (let i = 0; i < 2; i++) {
    const ref = bfs1(6, 11);
    if (ref) show(ref);
    const r = measured('classic', 'counters', 1, ['n=6', 'm=11']);
    show(r, ref ? r.statesPerSec / ref.statesPerSec : undefined);
  }
  if (args.has('--quick')) return;
  // B/st counts the tables and parent links; peakB/st the process's peak resident memory
  // (less a process that stores nothing) over distinct states.
  pair('classic', 'counters', ['n=6', 'm=11'], 'counters(6,11)');
  const ref7 = bfs1(7, 11);
  if (ref7) show(ref7);
  const w1 = measured('classic', 'counters', 1, ['n=7', 'm=11']);
  show(w1, ref7 ? w1.statesPerSec / ref7.statesPerSec : undefined);
  const w2 = measured('classic', 'counters', 2, ['n=7', 'm=11']);
  show(w2);
  if (!json) console.log(`two workers on counters(7,11): x${(w1.seconds / w2.seconds).toFixed(2)} of one worker`);
  // Small and deep, narrow searches: two workers must not be slower (the search stays in, or
  // goes back to, one thread). peterson(5): mutual exclusion, 420,453 states over 55 levels.
  pair('classic', 'dining', ['n=10'], 'dining(10)');
  pair('classic', 'peterson', ['n=4'], 'peterson(4)');
  pair('classic', 'peterson', ['n=5'], 'peterson(5) (mutual exclusion, deep and narrow)');
  pair('kernel', 'v6.15.y', ['dma-owner-before-group'], 'v6.15.y/dma-owner-before-group');
  if (args.has('--heavy')) pair('kernel', 'v6.15.y', ['register-probe-unbind'], 'v6.15.y/register-probe-unbind');
  if (!args.has('--workers')) reduction();
}

main();
