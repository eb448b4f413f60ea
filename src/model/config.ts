/** Scenario configuration types (the entities and actors of one model run). */
import type { Expr } from '../ir/types';
import type { Forms } from './forms';
import type { KernelFlags } from './kernels';
import type { Bus, Firmware } from './bus-glue';
import type { WitnessHelpers } from '../invariants/witnesses';

export type IommuDriver = 'ipmmu' | 'arm-smmu' | 'smmu-v3' | 'intel';
export const IOMMU_DRIVERS: readonly IommuDriver[] = ['arm-smmu', 'smmu-v3', 'ipmmu', 'intel'];
export interface IommuCfg {
  readonly name: string;
  /** The IOMMU driver: what it does (its instance lookup, its probe_device) is the driver's
   *  and the kernel's (drivers.ts), not the scenario's. */
  readonly driver: IommuDriver;
  /** Registered and ready before the scenario starts (its driver bound at boot): listed, ops set,
   *  self lookup working, iommu->ready, driver bound; no R actor. */
  readonly atBoot?: boolean;
  /** sync: probed by the boot thread's driver_attach, after every instance listed before it
   *  with `sync` returned from its first probe (the driver core's default); async (the default
   *  here, and the wider choice): in its own thread (PROBE_PREFER_ASYNCHRONOUS or
   *  driver_async_probe=), concurrently with the others. Retries come from the deferred-probe
   *  worker either way. */
  readonly probe?: 'async' | 'sync';
}

export interface DevCfg {
  readonly name: string;
  /** The IOMMU instance of the firmware link (DT iommus, IORT, DMAR scope). */
  readonly iommu: string;
  readonly group: string;
  /** K: plain DMA-API user; M: msm-style private domain; V: vfio (driver_managed_dma); N: a
   *  driver that does no DMA (its bind still runs dma_configure and, from v5.19, the
   *  default-domain use; it never maps). */
  readonly driver: 'K' | 'M' | 'V' | 'N';
  /** probe: the client bind runs from boot (driver registration, async probe); deferred: the
   *  device sat on the deferred list and is retried by the deferred-probe worker; hotplug:
   *  device_add (actor N) runs during the scenario, then the bind. none: no bind. */
  readonly start: 'probe' | 'deferred' | 'hotplug' | 'none';
  readonly compatListed?: boolean;
  readonly unbind?: boolean;
  readonly fwDmaLive?: boolean;
  readonly linksBlock?: boolean;
  /** The device's bus (its dma_configure glue and the bus walk it is on); default: the
   *  scenario's `bus`. */
  readonly bus?: Bus;
  /** The firmware that describes it, whatever its bus: OF (DT `iommus`, `iommu-map`) or ACPI
   *  (IORT, DMAR scope); default: the scenario's `firmware`, else its bus's (dev-paths.ts). */
  readonly firmware?: Firmware;
}

/** What the sysfs type file accepts that the model tells apart ("auto" is not modelled). */
export type SysfsDomainType = 'identity' | 'DMA' | 'DMA-FQ';
export const SYSFS_DOMAIN_TYPES: readonly SysfsDomainType[] = ['identity', 'DMA', 'DMA-FQ'];

export interface WitnessDef {
  readonly name: string;
  readonly doc: string;
  readonly expr: (h: ExprHelpers) => Expr;
}

export interface ScenarioDef {
  readonly name: string;
  readonly seed?: string;
  readonly doc: string;
  readonly defaultScenario: boolean;
  /** The bus of every device that does not name its own. */
  readonly bus: Bus;
  /** The firmware of every device that does not name its own (default: its bus's). */
  readonly firmware?: Firmware;
  readonly iommus: readonly IommuCfg[];
  /** Intel: one boot thread registers every unit in order (seed 004); otherwise each IOMMU
   *  instance registers from its own driver probe, concurrently. */
  readonly bootThread?: boolean;
  readonly groups: readonly string[];
  readonly devices: readonly DevCfg[];
  /** A vfio-like user-space owner claims this group once `afterBound` is bound to vfio. */
  readonly vfio?: { readonly group: string; readonly afterBound: string };
  /** `echo TYPE > /sys/kernel/iommu_groups/N/type` for this group, once, at any moment (actor S,
   *  iommu_group_store_type(); refused on kernels without it). */
  readonly sysfsType?: { readonly group: string; readonly to: SysfsDomainType };
  /** Fault flags (iommu-probe.md 6) switched on: nondeterministic failure branches. */
  readonly faults: readonly string[];
  /** Add the environment step k_initcalls_done (deferred_probe_initcall). */
  readonly initcallsActor?: boolean;
  /** An entity declared interchangeable (symmetry reduction): checked on the model, refused
   *  with the first place that breaks it (src/ir/symmetry.ts). */
  readonly symmetry?: readonly ('iommu' | 'dev' | 'group')[];
  readonly invariants: readonly string[];
  readonly witnesses: readonly WitnessDef[];
}

/** Helpers handed to witness builders (src/invariants/witnesses.ts). */
export type ExprHelpers = WitnessHelpers<Forms, KernelFlags>;
