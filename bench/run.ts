/**
 * npm run bench: the explorer's figures per model and worker count, each run a fresh process,
 * beside the hand-written reference loop in bench/reference (same machine, same run), with
 * the ratio of distinct states per second. These machines are noisy: compare ratios.
 *
 *   npm run bench                 the standard set
 *   npm run bench -- --quick      counters(6,11) only
 *   npm run bench -- --json       one JSON line per run
 *   npm run bench -- --heavy      adds the 35M-state kernel scenario register-probe-unbind
 *   npm run bench -- --reduce     only the partial-order reduction figures (also part of the
 *                                 standard set): each model unreduced and reduced, one after
 *                                 the other, and the ratio reduced/unreduced of the same run
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REFERENCE } from './reference';

interface Run { model: string; workers: number; distinct: number; transitions: number; seconds: number; statesPerSec: number; bytesPerState?: number; tool?: string }

const args = new Set(process.argv.slice(2));
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
    ratio !== undefined ? `  x${ratio.toFixed(2)} of reference` : '',
  ];
  console.log(cells.join(' '));
}

interface ReducedRun extends Run { rebuildStates?: number; rebuildSeconds?: number; violations?: string; depth?: number }

/** Partial-order reduction: the same model unreduced and reduced, back to back. The kernel
 *  scenarios whose whole space is out of reach of the reduced search (it runs in one thread
 *  at some 20-40 thousand states per second) are compared up to a depth bound. */
function reduction(): void {
  const cases: [string, string, string[]][] = [
    ['kernel', 'v6.18.y', ['register-probe-unbind', '--max-depth=40']],
    ['kernel', 'v6.18.y', ['two-smmu-async', '--max-depth=26']],
    ['kernel', 'v6.18.y', ['dma-owner-before-group']],
    ['classic', 'dining', ['n=10']],
    ['classic', 'dining', ['n=10', '--invariant=NoDeadlock']],
    ['classic', 'counters', ['n=6', 'm=11']],
    ['classic', 'counters', ['n=6', 'm=11', '--symmetry']],
  ];
  if (!json) console.log(['reduction'.padEnd(18), 'model'.padEnd(52), 'distinct'.padStart(11), 'seconds'.padStart(8), 'rebuilt'.padStart(9), ' reduced/unreduced (states, time)'].join(' '));
  for (const [kind, name, rest] of cases) {
    const full = ours(kind, name, 1, rest.filter((a) => a !== '--symmetry')) as ReducedRun;
    // The symmetry row compares symmetry alone with no reduction.
    const red = ours(kind, name, 1, rest.includes('--symmetry') ? rest : [...rest, '--por']) as ReducedRun;
    if (json) { console.log(JSON.stringify({ unreduced: full, reduced: red, stateRatio: red.distinct / full.distinct, timeRatio: red.seconds / full.seconds })); continue; }
    for (const [label, r] of [['unreduced', full], [rest.includes('--symmetry') ? 'symmetry' : 'partial-order', red]] as const) {
      console.log([label.padEnd(18), r.model.padEnd(52), r.distinct.toLocaleString('en-US').padStart(11), r.seconds.toFixed(2).padStart(8),
        (r.rebuildStates !== undefined ? r.rebuildStates.toLocaleString('en-US') : '-').padStart(9),
        r === red ? ` x${(red.distinct / full.distinct).toFixed(3)} states, x${(red.seconds / full.seconds).toFixed(2)} time; same violations: ${red.violations === full.violations ? 'yes' : 'NO'}` : ''].join(' '));
    }
  }
}

function main(): void {
  if (args.has('--reduce')) { reduction(); return; }
  if (!json) console.log(['tool'.padEnd(18), 'model'.padEnd(36), 'wk'.padEnd(4), 'distinct'.padStart(12), 'transitions'.padStart(13), 'seconds'.padStart(8), 'states/s'.padStart(11), 'B/st'.padStart(6)].join(' '));
  // The headline pair, interleaved twice so drift hits both alike.
  for (let i = 0; i < 2; i++) {
    const ref = bfs1(6, 11);
    if (ref) show(ref);
    const r = ours('classic', 'counters', 1, ['n=6', 'm=11']);
    show(r, ref ? r.statesPerSec / ref.statesPerSec : undefined);
  }
  if (args.has('--quick')) return;
  show(ours('classic', 'counters', 2, ['n=6', 'm=11']));
  const ref7 = bfs1(7, 11);
  if (ref7) show(ref7);
  const w1 = ours('classic', 'counters', 1, ['n=7', 'm=11']);
  show(w1, ref7 ? w1.statesPerSec / ref7.statesPerSec : undefined);
  const w2 = ours('classic', 'counters', 2, ['n=7', 'm=11']);
  show(w2);
  if (!json) console.log(`two workers on counters(7,11): x${(w2.statesPerSec / w1.statesPerSec).toFixed(2)} of one worker`);
  show(ours('classic', 'dining', 1, ['n=10']));
  show(ours('classic', 'peterson', 1, ['n=4']));
  // A deep, narrow search (55 levels of about 7,600 states): two workers must not be slower.
  const p1 = ours('classic', 'peterson', 1, ['n=5']), p2 = ours('classic', 'peterson', 2, ['n=5']);
  show(p1);
  show(p2);
  if (!json) console.log(`two workers on peterson(5): x${(p2.statesPerSec / p1.statesPerSec).toFixed(2)} of one worker`);
  show(ours('kernel', 'v6.15.y', 1, ['dma-owner-before-group']));
  show(ours('kernel', 'v6.15.y', 2, ['dma-owner-before-group']));
  if (args.has('--heavy')) {
    show(ours('kernel', 'v6.15.y', 1, ['register-probe-unbind']));
    show(ours('kernel', 'v6.15.y', 2, ['register-probe-unbind']));
  }
  reduction();
}

main();
