/** probecheck list [kernels|patches|scenarios|invariants]: what there is to check. */
import { Command, Argument } from 'commander';
import { INVARIANTS, KERNELS, PATCHES, SCENARIOS, DEFAULT_KERNEL } from '../../model';
import { MODELS } from '../../examples';
import { fail } from '../../errors';
import type { Domain } from '../../ir/types';
import type { CommandFactory } from '../context';
import { addTargetOptions, type RawTarget, targetOptions } from '../options';
import { resolveTargets, scenariosOf, validateTargetOptions } from '../target';
import type { Outcome } from '../outcome';

const WHAT = ['kernels', 'patches', 'scenarios', 'invariants', 'models', 'fields'] as const;
type What = (typeof WHAT)[number];

function lines(w: What): string[] {
  switch (w) {
    case 'kernels': {
      // A kernel is its base plus the flags and commits that differ; then what was read to check it.
      const width = Math.max(...KERNELS.map((k) => k.name.length)) + 10;
      return KERNELS.flatMap((k) => {
        const name = (k.name + (k.name === DEFAULT_KERNEL ? ' (default)' : '')).padEnd(width);
        const flags = Object.entries(k.changes).map(([f, v]) => `${f}=${String(v)}`).join(' ');
        return [
          `${name}  ${k.kind.padEnd(5)}  ${k.base ? `${k.base} + ${k.own.map((c) => c.id).join(' ') || 'no commits'}` : k.own.map((c) => c.id).join(' ')}`,
          ...(flags ? [`${''.padEnd(width)}  flags: ${flags}`] : []),
          `${''.padEnd(width)}  checked: ${k.verified.status}, ${k.verified.tree}`,
        ];
      });
    }
    case 'patches': {
      const width = Math.max(...PATCHES.map((p) => p.id.length));
      // The flags a patch sets (data applied before the model is built), then its step edits.
      const flags = (p: (typeof PATCHES)[number]) => [
        ...Object.entries(p.flags).map(([k, v]) => `${k}=${String(v)}`),
        ...p.flagsWhen.flatMap((r) => Object.entries(r.set).map(([k, v]) => `${k}=${String(v)} (where ${Object.entries(r.when).map(([a, b]) => `${a}=${String(b)}`).join(', ')})`)),
      ].join('; ') || 'none';
      return PATCHES.map((p) => `${p.id.padEnd(width)}  ${p.title}\n${''.padEnd(width)}  flags: ${flags(p)}${p.edits ? '; edits steps' : ''}`);
    }
    case 'scenarios': {
      const width = Math.max(...SCENARIOS.map((s) => s.name.length));
      return SCENARIOS.map((s) => `${s.name.padEnd(width)}  seed ${s.seed ?? '-  '}  ${s.defaultScenario ? 'default' : '       '}  ${s.doc.split(/(?<=\.)\s/)[0].slice(0, 120)}`);
    }
    case 'invariants': {
      const width = Math.max(...INVARIANTS.map((i) => i.name.length));
      return INVARIANTS.map((i) => `${i.name.padEnd(width)}  ${i.kind.padEnd(10)}  ${i.doc}`);
    }
    case 'fields': return [];
    case 'models': {
      return MODELS.map((m) => `${m.name.padEnd(9)} ${Object.entries(m.params).map(([k, p]) => `${k}=${p.default}`).join(' ').padEnd(18)} ${m.doc}`);
    }
  }
}

function data(w: What): unknown[] {
  switch (w) {
    case 'kernels': return KERNELS.map((k) => ({ ...k, default: k.name === DEFAULT_KERNEL }));
    case 'patches': return [...PATCHES];
    case 'scenarios': return [...SCENARIOS];
    case 'invariants': return [...INVARIANTS];
    case 'models': return MODELS.map((m) => ({ name: m.name, doc: m.doc, params: m.params }));
    case 'fields': return [];
  }
}

/** A field's domain in one word or range: what a patch author may compare it with. */
export function domainText(d: Domain): string {
  switch (d.kind) {
    case 'bool': return 'bool';
    case 'enum': return `enum {${d.values.join(', ')}}`;
    case 'int': return `int ${d.min}..${d.max}`;
    case 'ref': return `ref ${d.entity}${d.nullable ? ' or none' : ''}`;
  }
}

/** The fields of one model (the kernel model of one scenario, or a classic model): name,
 *  domain, the entity it is one copy per slot of, and ghost (model-only) fields. */
function runListFields(raw: RawTarget & { json?: boolean }): Outcome {
  const o = targetOptions(raw);
  validateTargetOptions(o, { oneScenario: true });
  const scenario = o.model === undefined && o.scenarios.length === 0 ? scenariosOf(o)[0] : undefined;
  const [t] = resolveTargets(scenario ? { ...o, scenarios: [scenario] } : o);
  const rows = t.model.fields.map((f) => ({ name: f.name, domain: domainText(f.domain), entity: f.over ?? null, ghost: Boolean(f.ghost), ...(f.doc ? { doc: f.doc } : {}) }));
  if (raw.json) return { exitCode: 0, stdout: JSON.stringify({ model: t.label, fields: rows }, null, 2) + '\n' };
  const wn = Math.max(4, ...rows.map((r) => r.name.length));
  const wd = Math.min(40, Math.max(6, ...rows.map((r) => r.domain.length)));
  const lines = [
    `fields of ${t.label}${scenario ? ` (the first default scenario; --scenario S for another)` : ''}: ${rows.length}`,
    `${'name'.padEnd(wn)}  ${'domain'.padEnd(wd)}  entity`,
    ...rows.map((r) => `${r.name.padEnd(wn)}  ${r.domain.padEnd(wd)}  ${r.entity ?? '-'}${r.ghost ? ' (ghost: model-only)' : ''}`),
  ];
  return { exitCode: 0, stdout: lines.join('\n') + '\n' };
}

export function runList(what: What | undefined, json: boolean): Outcome {
  const all: What[] = what ? [what] : ['kernels', 'patches', 'scenarios', 'invariants'];
  if (json) {
    const doc = what ? data(what) : Object.fromEntries(all.map((w) => [w, data(w)]));
    return { exitCode: 0, stdout: JSON.stringify(doc, null, 2) + '\n' };
  }
  const out = all.map((w) => (what ? '' : `${w}:\n`) + lines(w).map((l) => (what ? l : '  ' + l)).join('\n'));
  return { exitCode: 0, stdout: out.join('\n\n') + '\n' };
}

export const listCommand: CommandFactory = (_ctx, done) => {
  const c = new Command('list').description('list kernels (with their commits), patches, scenarios, invariants, classic models, or the fields of one model')
    .addArgument(new Argument('[what]', 'what to list (default: the first four)').choices(WHAT))
    .option('--json', 'print JSON arrays');
  addTargetOptions(c, { scenarioText: 'list fields: the scenario whose model to show (default: the first default scenario)' });
  return c.addHelpText('after', `
Examples:
  probecheck list scenarios
  probecheck list fields --kernel v6.6 --scenario probe-vs-register
  probecheck list --json`)
    .action((what: What | undefined, raw: RawTarget & { json?: boolean }) => {
      if (what === 'fields') return done(runListFields(raw));
      const given = raw.model !== undefined || raw.kernel !== undefined || (raw.scenario?.length ?? 0) > 0 || (raw.patch?.length ?? 0) > 0 || raw.iommuDriver !== undefined;
      if (given) fail('E_USAGE', `--kernel, --scenario, --patch and --model choose a model for 'list fields'; 'list ${what ?? ''}'`.trimEnd() + ' lists everything');
      done(runList(what, Boolean(raw.json)));
    });
};
