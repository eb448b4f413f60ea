/**
 * One benchmark run in its own process: build, compile and explore one model, print one
 * JSON line. bench/run.ts starts these so every figure is a whole, fresh process.
 *
 *   node one.js kernel|classic NAME WORKERS [SCENARIO | KEY=VALUE ...] [--por] [--symmetry] [--dead-vars]
 *               [--max-depth=N] [--max-seconds=S] [--invariant=NAME] [--scenario-file=PATH] [--baseline]
 *
 * peakKB is the process's peak resident memory (all threads); with --baseline the model is
 * built and compiled but not explored, which gives the memory a run needs before any state.
 */
import { compileModel } from '../src/compile/compile';
import { explore } from '../src/explorer/explore';
import { lowerModel } from '../src/ir/lower';
import { buildKernelModel } from '../src/model';
import { readScenarioFile } from '../src/scenario-file/parse';
import { buildClassicModel } from '../src/examples';

async function main(): Promise<void> {
  const [kind, name, workersArg, ...all] = process.argv.slice(2);
  const rest = all.filter((a) => !a.startsWith('--'));
  const flag = (f: string) => all.find((a) => a.startsWith(`--${f}`))?.split('=')[1];
  const por = all.includes('--por'), symmetry = all.includes('--symmetry'), deadVars = all.includes('--dead-vars');
  const maxDepth = flag('max-depth') !== undefined ? Number(flag('max-depth')) : undefined;
  const maxSeconds = flag('max-seconds') !== undefined ? Number(flag('max-seconds')) : undefined;
  const file = flag('scenario-file');
  const scenario = file ? readScenarioFile(file).def : rest[0];
  const invariant = flag('invariant');
  const t0 = process.hrtime.bigint();
  const model = kind === 'kernel'
    ? buildKernelModel({ kernel: name, scenario })
    : buildClassicModel(name, rest);
  const core = lowerModel(model);
  if (all.includes('--baseline')) {
    compileModel(core);
    console.log(JSON.stringify({ baseline: true, peakKB: process.resourceUsage().maxRSS }));
    return;
  }
  const r = await explore(core, {
    workers: Number(workersArg), continueAfterViolation: true, reduce: { por, symmetry, deadVars },
    ...(maxDepth !== undefined ? { maxDepth } : {}), ...(maxSeconds !== undefined ? { maxSeconds } : {}), ...(invariant ? { properties: [invariant] } : {}),
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({
    model: (kind === 'kernel' ? `${name}/${typeof scenario === 'string' ? scenario : scenario.name}` : `${name}(${rest.map((s) => s.split('=')[1]).join(',')})`) +
      (maxDepth !== undefined ? ` depth<=${maxDepth}` : '') + (invariant ? ` [${invariant}]` : '') + (symmetry ? ' +symmetry' : '') + (deadVars ? ' +dead-vars' : ''),
    stop: r.stopReason,
    workers: Number(workersArg), verdict: r.verdict, distinct: r.distinct, transitions: r.generated, depth: r.depth,
    seconds: +r.seconds.toFixed(3), wallSeconds: +wall.toFixed(3), statesPerSec: Math.round(r.distinct / r.seconds),
    bytesPerState: +r.bytesPerState.toFixed(1), rssMB: Math.round(process.memoryUsage().rss / 1048576), peakKB: process.resourceUsage().maxRSS,
    violations: r.violations.map((v) => `${v.property}@${v.length}`).join(','),
    ...(r.reduction ? { por, symmetry: r.reduction.symmetry, rebuildStates: r.reduction.rebuild?.distinct ?? 0, rebuildSeconds: +(r.reduction.rebuild?.seconds ?? 0).toFixed(3) } : {}),
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
