/**
 * Scenarios whose IOMMU instances have different drivers (an SMMUv2 for some masters and an
 * SMMUv3 for others, both DT platform devices). Which driver serves a device is a build-time
 * constant (the instance its firmware names), so a per-driver branch is guarded by the set of
 * devices (or instances) with that driver. A single-driver scenario never reaches this module's
 * branches: its model is built exactly as before.
 *
 * Until 17de3f5fdd35 (v6.8) the ops were per bus: __iommu_probe_device ran
 * dev->bus->iommu_ops->probe_device, so a client of the driver that did not own the bus ops was
 * probed by the other driver, whose probe_device refuses a fwspec naming another driver
 * (-ENODEV). From v6.8 the ops come from the device's fwspec.
 */
import { eq, isIn, ite, or } from '../ir/dsl';
import type { Expr } from '../ir/types';
import type { IommuDriver, ScenarioDef } from './config';
import type { Forms } from './forms';

/** The drivers that can share a scenario: DT platform SMMUs, both fwspec-based. */
export const MIXABLE_DRIVERS: readonly IommuDriver[] = ['arm-smmu', 'smmu-v3'];

/** The distinct drivers of a scenario's instances, in instance order. */
export function scenarioDrivers(sc: Pick<ScenarioDef, 'iommus'>): IommuDriver[] {
  return [...new Set(sc.iommus.map((i) => i.driver))];
}

/** Why these drivers cannot share one scenario (undefined: they can, or there is one). */
export function driverMixMisfit(drivers: readonly string[]): string | undefined {
  if (drivers.length < 2) return undefined;
  if (drivers.includes('intel')) return `intel DMAR units register from one boot thread over PCI/ACPI and cannot share a scenario with ${drivers.filter((d) => d !== 'intel').join(', ')}; got ${drivers.join(', ')}`;
  const other = drivers.find((d) => !MIXABLE_DRIVERS.includes(d as IommuDriver));
  if (other) return `${other} cannot share a scenario with another IOMMU driver (mixed drivers are modelled for ${MIXABLE_DRIVERS.join(' + ')} only); got ${drivers.join(', ')}`;
  return undefined;
}

/** Why a kernel's forms cannot build a mixed-driver scenario (undefined: they can). */
export function mixedFormsMisfit(sc: Pick<ScenarioDef, 'name' | 'iommus'>, forms: Forms, kernel: string): string | undefined {
  if (scenarioDrivers(sc).length < 2) return undefined;
  if (forms.probe === 'add_device') return `scenario ${sc.name} mixes IOMMU drivers (${scenarioDrivers(sc).join(', ')}); the add_device-era probe path of ${kernel} is modelled for one driver only`;
  return undefined;
}

/** A label for a driver's copy of a step ('r_probe_dev' -> 'r_probe_dev_smmu_v3'). */
export const driverLabel = (label: string, driver: IommuDriver): string => `${label}_${driver.replace(/-/g, '_')}`;

/** The value bus.iommu_ops takes when `driver` sets it: 'ops' in a single-driver model. */
export const busOpsValue = (mixed: boolean, driver: IommuDriver): string => (mixed ? driver : 'ops');

/** The slots of `sc` whose driver is `driver`: devices (by their instance) or instances. */
export function devicesWith(sc: Pick<ScenarioDef, 'iommus' | 'devices'>, driver: IommuDriver): number[] {
  return sc.devices.map((d, i) => (sc.iommus.find((x) => x.name === d.iommu)?.driver === driver ? i : -1)).filter((i) => i >= 0);
}
export function instancesWith(sc: Pick<ScenarioDef, 'iommus'>, driver: IommuDriver): number[] {
  return sc.iommus.map((x, i) => (x.driver === driver ? i : -1)).filter((i) => i >= 0);
}

/** `slot` is one of `slots` (false for none). */
export const oneOf = (slot: Expr, slots: readonly number[]): Expr => (slots.length ? isIn(slot, ...slots) : or());

/** The bus ops the registering instance `unit` sets: its driver's (an ite over the drivers). */
export function unitOpsValue(sc: Pick<ScenarioDef, 'iommus'>, unit: Expr): Expr {
  const drivers = scenarioDrivers(sc);
  return drivers.slice(0, -1).reduceRight<Expr>((els, drv) => ite(oneOf(unit, instancesWith(sc, drv)), { kind: 'sym', name: drv }, els), { kind: 'sym', name: drivers[drivers.length - 1] });
}

/** The ops the bus holds are `driver`'s. */
export const busOpsAre = (driver: IommuDriver): Expr => eq({ kind: 'var', field: 'bus.iommu_ops' }, { kind: 'sym', name: driver });
