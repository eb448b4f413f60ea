/**
 * Per-device configuration as data. Each client device has a path through dma_configure: its bus
 * (the glue its dma_configure is, and the bus walk it is on) and its firmware (OF or ACPI, apart
 * from the bus: bus-glue.ts), looked up per device (DevPath).
 *
 * An actor's steps are shared by every device it runs for, so where its devices take different
 * paths the builders emit the steps once per variant (per glue, or per firmware), each with the
 * variant's label suffix, and a jump into such a path becomes one branch per variant, guarded by
 * the device's constant dev.bus or dev.firmware (ActorB.dispatch). A variant is unsuffixed when
 * it is the scenario's default or the only one, so a scenario whose devices share one path (every
 * built-in) builds exactly the model it built before devices could differ.
 */
import { eq, isIn, or, v } from '../ir/dsl';
import type { Expr } from '../ir/types';
import { BUSES, busGlue, defaultFirmware, FIRMWARES, type Bus, type BusGlue, type Firmware } from './bus-glue';
import type { ScenarioDef } from './config';
import type { Forms } from './forms';

export interface DevPath {
  readonly bus: Bus;
  readonly glue: BusGlue;
  readonly firmware: Firmware;
}

/** Each device's path: its own bus and firmware, else the scenario's, else its bus's firmware. */
export function devPaths(sc: Pick<ScenarioDef, 'bus' | 'firmware' | 'devices'>, forms: Forms): DevPath[] {
  return sc.devices.map((d) => {
    const bus = d.bus ?? sc.bus;
    return { bus, glue: busGlue(bus, forms), firmware: d.firmware ?? sc.firmware ?? defaultFirmware(bus) };
  });
}

/** One path variant an actor's steps are emitted for. */
export interface Variant<T> {
  /** The firmware ('of', 'acpi') or the glue's bus ('platform', 'amba', 'pci'). */
  readonly key: string;
  readonly value: T;
  /** Appended to the labels of the variant's steps: '' or `_${key}`. */
  readonly suffix: string;
  /** The scenario's devices on this variant. */
  readonly devs: readonly number[];
  /** Holds for a device on this variant: for an actor's own device (`self`) a test of its slot,
   *  which the lowering folds to a constant per instance (so another variant's branch is no
   *  action of it); for a device it walks (R.walk_dev), its constant dev.firmware or dev.bus. */
  readonly when: (d: Expr) => Expr;
}

export type VariantKind = 'firmware' | 'glue';

/** The variants of a scenario, of each kind; `among` gives those of some devices (an actor's). */
export class PathVariants {
  private readonly all: Record<VariantKind, readonly Variant<Firmware | BusGlue>[]>;
  constructor(readonly paths: readonly DevPath[], sc: Pick<ScenarioDef, 'bus' | 'firmware'>, forms: Forms) {
    const glueOf = (i: number) => paths[i].glue;
    this.all = {
      firmware: build(paths, FIRMWARES, (p) => p.firmware, (k) => k as Firmware, sc.firmware ?? defaultFirmware(sc.bus),
        (k) => (d) => eq(v('dev.firmware', d), k)),
      glue: build(paths, BUSES, (p) => p.glue.name, (k) => glueOf(paths.findIndex((p) => p.glue.name === k)), busGlue(sc.bus, forms).name,
        (k) => { const buses = BUSES.filter((b) => paths.some((p) => p.bus === b && p.glue.name === k)); return (d) => or(...buses.map((b) => eq(v('dev.bus', d), b))); }),
    };
  }
  /** The firmware variants among `devs`, the scenario's default first. */
  firmware(devs: readonly number[]): Variant<Firmware>[] { return this.among('firmware', devs) as Variant<Firmware>[]; }
  /** The glue variants among `devs`, the scenario's default first. */
  glue(devs: readonly number[]): Variant<BusGlue>[] { return this.among('glue', devs) as Variant<BusGlue>[]; }
  private among(kind: VariantKind, devs: readonly number[]): Variant<Firmware | BusGlue>[] {
    return this.all[kind].filter((x) => x.devs.some((i) => devs.includes(i)));
  }
}

function build<T>(paths: readonly DevPath[], order: readonly string[], keyOf: (p: DevPath) => string, valueOf: (k: string) => T, dflt: string, field: (k: string) => (d: Expr) => Expr): Variant<T>[] {
  const keys = order.filter((k) => paths.some((p) => keyOf(p) === k));
  const sorted = [...keys.filter((k) => k === dflt), ...keys.filter((k) => k !== dflt)];
  return sorted.map((key) => {
    const devs = paths.map((p, i) => (keyOf(p) === key ? i : -1)).filter((i) => i >= 0);
    const byField = field(key);
    return {
      key, value: valueOf(key), suffix: keys.length === 1 || key === dflt ? '' : `_${key}`, devs,
      when: (d: Expr) => (d.kind === 'param' && d.name === 'self' ? isIn(d, ...devs) : byField(d)),
    };
  });
}

/** The scenario's buses (its devices'), in BUSES order: the slots of the `bus` entity. */
export function busesOf(paths: readonly DevPath[]): Bus[] {
  return BUSES.filter((b) => paths.some((p) => p.bus === b));
}
