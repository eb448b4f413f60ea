/**
 * A counterexample as a recipe for a real kernel: which thread to start when, and where to hold
 * each thread (function, after which step) until another has done which step, with mechanisms a
 * kernel developer already has: a completion or an msleep() behind a debug option, fault
 * injection, probe ordering with driver_async_probe=. Derived from the trace alone: every
 * switch between threads in the trace is one hold.
 */
import { ascii, wrap } from './mail';

/** The recipe's prose width (the race table of mail.ts is narrower: its columns must fit). */
const REPRO_WIDTH = 100;
import type { TraceFile, TraceStep } from './tracefile';

/** What starts each actor in a real system. */
const START: Record<string, (inst: string) => string> = {
  C: (d) => `bind ${d}'s driver (load its module, or boot with driver_async_probe=<its driver> so it probes in its own thread)`,
  R: (i) => `probe the IOMMU ${i} (load its driver module, or let its platform device appear)`,
  N: (d) => `add the device ${d} (of_platform_populate / device_add of its node)`,
  U: (d) => `unbind ${d}: echo <dev> > /sys/bus/<bus>/drivers/<driver>/unbind`,
  V: (g) => `a vfio user opens the vfio group of ${g} and calls VFIO_GROUP_SET_CONTAINER`,
  E: () => 'finish the initcalls (deferred_probe_initcall)',
};

/** What a maintainer would see when the invariant breaks. */
const SEEN: Record<string, string> = {
  NoNullOpsDeref: 'an oops (NULL pointer dereference) in the last step\'s function',
  DomainFreeSafe: 'an oops in the IOMMU driver\'s domain free',
  DmaApiDomainHasCookie: 'an oops in iommu-dma (NULL iova cookie)',
  BoundImpliesCorrectDmaOps: 'the driver bound on the wrong DMA ops: IOMMU faults for its dma-direct handles, or WARN_ON(unmapped != size) in __iommu_dma_unmap when they are unmapped through iommu-dma',
  DmaOpsMatchDomain: 'DMA through a domain that is not attached: IOMMU (context/translation) faults',
  NoTranslationChangeUnderLiveDma: 'the translation changed under live DMA: IOMMU faults or memory corruption',
  OwnerCountBalanced: 'owner_cnt off by one: WARN_ON(!owner_cnt) at unbind, or a vfio claim refused (-EPERM) / allowed wrongly',
  OwnerCountMatchesDmaApiBinders: 'owner_cnt does not count the bound DMA-API drivers: a later vfio claim or default-domain change is wrongly refused or allowed',
  UnuseMatchesUse: 'WARN_ON(!group->owner_cnt) in iommu_device_unuse_default_domain',
  KernelUserExclusive: 'user space owns a group while a kernel driver does DMA in it',
  NoUnattachedDma: 'IOMMU faults for the device\'s DMA: its stream has no domain attached and the IOMMU aborts unattached streams (disable_bypass)',
  DmaUnmapMatchesMap: 'WARN_ON(unmapped != size) in __iommu_dma_unmap when the driver unmaps a dma-direct handle through iommu-dma',
  NoFreedInstanceListed: 'nothing at first: the failed SMMU probe left its freed struct iommu_device on iommu_device_list; the next of_iommu_xlate or IOMMU registration walks freed memory (KASAN: use-after-free), and the SMMU\'s retried probe fails in iommu_device_sysfs_add',
  GroupImpliesIommuDev: 'a grouped device without dev->iommu->iommu_dev (the next dev_iommu_ops() oopses)',
};

const instance = (actor: string) => /\[(.*)\]/.exec(actor)?.[1] ?? actor;
const kind = (actor: string) => actor.replace(/\[.*$/, '');
const where = (s: TraceStep) => `${s.function ?? '?'} after ${s.label}`;

export function formatRepro(t: TraceFile): string {
  const out: string[] = [];
  const k = t.source.kernel ? `kernel ${t.source.kernel}` : `model ${t.model}`;
  out.push(...wrap(`Reproducer for ${t.invariant} (${t.length} steps; ${k}${t.source.scenario ? `, scenario ${t.source.scenario}` : ''}):`, REPRO_WIDTH));
  out.push('');
  // Segments: maximal runs of one actor's steps.
  const segs: { actor: string; from: number; to: number }[] = [];
  t.steps.forEach((s, i) => {
    const last = segs[segs.length - 1];
    if (last && last.actor === s.actor) last.to = i; else segs.push({ actor: s.actor, from: i, to: i });
  });
  const started = new Set<string>();
  let n = 1;
  segs.forEach((g, gi) => {
    const first = t.steps[g.from];
    const lastStep = t.steps[g.to];
    const head = started.has(g.actor) ? `${g.actor}: resume` : `${g.actor}: ${((Object.hasOwn(START, kind(g.actor)) ? START[kind(g.actor)] : undefined) ?? (() => 'start it'))(instance(g.actor))}`;
    started.add(g.actor);
    const steps = g.from === g.to ? `step ${g.from + 1} (${first.label})` : `steps ${g.from + 1}-${g.to + 1} (${first.label} .. ${lastStep.label})`;
    const next = segs.slice(gi + 1).find((x) => x.actor === g.actor);
    let line = `${n}. ${head}; it runs ${steps}.`;
    if (next) {
      const until = t.steps[next.from - 1];
      line += ` Hold it in ${where(lastStep)} until ${until.actor} has done ${until.label} (${until.function ?? '?'}): a completion the other thread completes there (wait_for_completion() here, behind a debug option), or an msleep() long enough.`;
    }
    out.push(...wrap(line, REPRO_WIDTH, '   '));
    n++;
  });
  out.push('');
  out.push(...wrap(`Then ${t.invariant} is violated. What you would see: ${(Object.hasOwn(SEEN, t.invariant) ? SEEN[t.invariant] : undefined) ?? 'the invariant\'s effect (see the trace)'}.`, REPRO_WIDTH));
  out.push(...wrap('Each hold is one lock or shared access apart from the next step of another thread; a hold inside a critical section of the model (between a lock and its unlock step) must sit inside the kernel\'s critical section too.', REPRO_WIDTH));
  return out.map((l) => ascii(l).trimEnd()).join('\n') + '\n';
}
