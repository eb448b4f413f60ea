/** Assemble the IR Model: build actors for the flags, apply patches, add properties, prune. */
import type { Actor, Assign, Expr, Field, Model, Property, Step } from '../ir/types';
import { buildClient, clientSlots } from './actors/client';
import { buildEnvironment } from './actors/environment';
import { buildNotifier } from './actors/notifier';
import { buildRegistration, registrationSlots } from './actors/registration';
import { buildUnbind } from './actors/unbind';
import { buildVfio } from './actors/vfio';
import { buildSysfsType } from './actors/sysfs-type';
import { kernelMisfit } from './topology';
import { fail } from '../errors';
import { formsOf } from './forms';
import { mixedFormsMisfit } from './mixed-drivers';
import { unattachedFault } from './drivers';
import { citationsOf } from './citations';
import type { ScenarioDef } from './config';
import { BuildCtx, dmaModeField } from './ctx';
import { patchFlags, runEdits, type Patch } from './patch';
import { StepDraft, type DraftState } from './step-draft';
import { buildFields } from './fields';
import { crashedExpr } from '../invariants/crash';
import { buildProperties, type KernelShape } from '../invariants/kernel';
import { witnessHelpers } from '../invariants/witnesses';
import type { Kernel } from './kernels';

interface Built extends DraftState { ctx: BuildCtx }

export function buildActors(flags: Kernel['flags'], sc: ScenarioDef): Built {
  const ctx = new BuildCtx(flags, formsOf(flags), sc);
  ctx.assume('every group->mutex critical section is one atomic step (no step inside one blocks or is observed by a lockless reader mid-way), so group->mutex needs no holder field [model]');
  if (ctx.devIommu) ctx.assume('the really_probe error labels (c_defer, c_fail_early without dma_cleanup) are unchanged after v5.17 [inferred: verify drivers/base/dd.c really_probe() in v6.6 and v6.15]');
  if (flags.dt_acpi_parsing_in_probe_path) ctx.assume('v6.15: the walk\'s own dma_configure does not call iommu_device_use_default_domain (the 95deee37a123 snapshot residual, iommu-probe-v6.15.md 5.4, is not modelled); r_late_warn is folded into r_group');
  const actors: DraftState['actors'] = [];
  actors.push({ name: 'R', over: 'iommu', slots: registrationSlots(ctx), steps: buildRegistration(ctx).steps });
  const hot = sc.devices.map((d, i) => (d.start === 'hotplug' ? i : -1)).filter((i) => i >= 0);
  if (hot.length) actors.push({ name: 'N', over: 'dev', slots: hot, steps: buildNotifier(ctx).steps });
  if (clientSlots(ctx).length) actors.push({ name: 'C', over: 'dev', slots: clientSlots(ctx), steps: buildClient(ctx).steps });
  const ub = sc.devices.map((d, i) => (d.unbind ? i : -1)).filter((i) => i >= 0);
  if (ub.length) actors.push({ name: 'U', over: 'dev', slots: ub, steps: buildUnbind(ctx).steps });
  if (sc.vfio && flags.dma_ownership_api) actors.push({ name: 'V', over: 'group', slots: [ctx.groupIdx(sc.vfio.group)], steps: buildVfio(ctx).steps });
  if (sc.sysfsType) actors.push({ name: 'S', over: 'group', slots: [ctx.groupIdx(sc.sysfsType.group)], steps: buildSysfsType(ctx).steps });
  if (sc.initcallsActor) actors.push({ name: 'E', steps: buildEnvironment(ctx).steps });
  // Declaration order fixes action ids, which break ties among equally short counterexamples:
  // clients first, so a trace shows a client running as far as it can before the registration
  // catches up (the order in which the seed threads tell their races).
  const order = ['C', 'N', 'U', 'V', 'S', 'R', 'E'];
  actors.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return { actors, assumptions: [...ctx.assumptions], ctx };
}

/**
 * Each step's citation for this kernel: where the kernel function it stands for lives in the
 * tree the kernel was checked against (citations/data.ts, made by scripts/cite-kernel.js). A
 * step whose function is not there (or a kernel with no tree read) stays inferred.
 */
function citeSteps(kernel: string, actors: DraftState['actors']): void {
  const rel = citationsOf(kernel);
  if (!rel) return;
  for (const a of actors) {
    a.steps = a.steps.map((st) => {
      const at = st.fn && st.file ? rel.functions[`${st.fn} ${st.file}`] : undefined;
      return at ? { ...st, checked: [{ release: kernel, tree: rel.tree, lines: `${st.file!.split('/').pop()}:${at.lines}` }] } : st;
    });
  }
}

/** What the invariants know of this kernel model. */
function shapeOf(ctx: BuildCtx): KernelShape {
  return {
    ownership: ctx.ownership,
    devIommu: ctx.devIommu,
    dmaMode: dmaModeField(ctx),
    clientSlots: clientSlots(ctx),
    devCount: ctx.sc.devices.length,
    registrationSlots: registrationSlots(ctx),
    // The Intel boot thread ends without a driver_bound of its own (the DMAR units have no
    // platform driver), so only the others must settle.
    iommusToSettle: ctx.driver === 'intel' ? [] : ctx.sc.iommus.map((_, i) => i),
    unattachedFault: ctx.sc.iommus.map((i) => unattachedFault(i.driver, ctx.f, ctx.forms)),
    ...(ctx.sc.sysfsType ? { sysfsType: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Dead-field elimination: a field that no guard, assertion, property or live assignment reads
// is dropped with its assignments (docs/domain/iommu-probe.md 1.2, "keeping the state small").

function readsOf(e: Expr | undefined, out: Set<string>): void {
  if (!e) return;
  switch (e.kind) {
    case 'var': out.add(e.field); readsOf(e.index, out); return;
    case 'not': readsOf(e.arg, out); return;
    case 'bin': readsOf(e.left, out); readsOf(e.right, out); return;
    case 'ite': readsOf(e.cond, out); readsOf(e.then, out); readsOf(e.else, out); return;
    case 'quant': readsOf(e.body, out); return;
    case 'at': readsOf(e.instance, out); return;
    default: return;
  }
}

function prune(fields: Field[], actors: Actor[], props: Property[]): { fields: Field[]; actors: Actor[] } {
  let live = new Set<string>();
  for (;;) {
    const next = new Set<string>();
    for (const p of props) readsOf(p.expr, next);
    for (const a of actors) for (const s of a.steps) {
      readsOf(s.guard, next);
      for (const b of s.branches) {
        readsOf(b.guard, next);
        for (const as of b.asserts ?? []) readsOf(as.cond, next);
        for (const as of b.assign) if (live.has(as.field) || next.has(as.field)) { readsOf(as.value, next); readsOf(as.index, next); }
      }
    }
    if (next.size === live.size && [...next].every((x) => live.has(x))) break;
    live = new Set([...live, ...next]);
  }
  const keep = (as: Assign) => live.has(as.field);
  return {
    fields: fields.filter((f) => live.has(f.name)),
    actors: actors.map((a) => ({ ...a, steps: a.steps.map((s): Step => ({ ...s, branches: s.branches.map((b) => ({ ...b, assign: b.assign.filter(keep) })) })) })),
  };
}

export function assemble(kernel: Kernel, sc: ScenarioDef, patches: readonly Patch[], invariants: readonly string[], opts: { allowUnreadFlags?: boolean; iommuDriver?: string } = {}): Model {
  const phase = patchFlags(kernel.name, sc.name, kernel.flags, patches, { allowUnread: opts.allowUnreadFlags });
  const mixMisfit = mixedFormsMisfit(sc, formsOf(phase.flags), kernel.name);
  if (mixMisfit) fail('E_USAGE', mixMisfit);
  const misfit = kernelMisfit(sc, kernel.name, phase.flags);
  if (misfit) fail('E_USAGE', misfit);
  const built = buildActors(phase.flags, sc);
  const ctx = built.ctx;
  citeSteps(kernel.name, built.actors);
  const draft = new StepDraft(kernel.name, sc.name, { actors: built.actors, assumptions: built.assumptions }, phase.flags);
  patches.forEach((p, i) => runEdits(draft, p, phase.before[i], phase.calls[i]));
  const st = draft.state;
  const actors: Actor[] = st.actors.map((a) => ({ name: a.name, over: a.over, slots: a.slots, steps: a.steps }));
  const crashed = crashedExpr(st.actors);
  const props: Property[] = buildProperties(shapeOf(ctx), crashed, invariants);
  const h = witnessHelpers({ scenario: sc.name, devices: sc.devices.map((d) => d.name), iommus: sc.iommus.map((i) => i.name), groups: sc.groups, forms: ctx.forms, flags: ctx.f });
  for (const w of sc.witnesses) props.push({ name: w.name, kind: 'witness', expr: w.expr(h), doc: w.doc });
  const entities = [
    { name: 'iommu', count: ctx.nIommu, slotNames: sc.iommus.map((i) => i.name) },
    { name: 'dev', count: ctx.nDev, slotNames: sc.devices.map((d) => d.name) },
    { name: 'group', count: ctx.nGroup, slotNames: [...sc.groups] },
    ...(ctx.multiBus ? [{ name: 'bus', count: ctx.buses.length, slotNames: [...ctx.buses] }] : []),
  ];
  const pr = prune(buildFields(ctx), actors, props);
  const names = patches.map((p) => p.id);
  return {
    name: sc.name,
    params: { kernel: kernel.name, scenario: sc.name, patches: names.join(','), ...(opts.iommuDriver ? { iommuDriver: opts.iommuDriver } : {}) },
    entities,
    fields: pr.fields,
    actors: pr.actors,
    properties: props,
    checkDeadlock: invariants.includes('NoDeadlock'),
    ...(sc.symmetry ? { symmetry: [...sc.symmetry] } : {}),
    meta: { kernel: kernel.name, patches: names, scenario: sc.name, flags: phase.flags, assumptions: [...st.assumptions] },
  };
}
