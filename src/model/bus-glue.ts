/**
 * The bus glue a client's bus gives dma_configure: which function and file, which firmware path
 * a client of that bus takes unless its scenario says otherwise (OF or ACPI/IORT), and which
 * flag says that its dma_configure reads dev->driver once.
 * Until the DMA-ownership series, amba shared platform_dma_configure (4a6d9dd564d0, v5.19).
 *
 * The firmware is the device's, not the bus's: every glue tests the firmware node first
 * (platform_dma_configure, amba_dma_configure: `if (dev->of_node) of_dma_configure(..) else if
 * (has_acpi_companion(dev)) acpi_dma_configure(..)`, 4.19 platform.c:1135-1149, 6.18.9 amba
 * bus.c:351-372; pci_dma_configure: the host bridge's parent's of_node (iommu-map) or the
 * bridge's ACPI companion, 6.18.9 pci-driver.c:1638-1665). So a PCI device on a DT system takes the OF
 * path and a platform device on an ACPI system the IORT one (dev-paths.ts).
 */
import type { KernelFlags } from './kernels';
import type { Forms } from './forms';

export type Bus = 'platform' | 'amba' | 'pci';
export const BUSES: readonly Bus[] = ['platform', 'amba', 'pci'];
/** OF (of_dma_configure -> of_iommu_configure) or ACPI (acpi_dma_configure: IORT or DMAR scope). */
export type Firmware = 'of' | 'acpi';
export const FIRMWARES: readonly Firmware[] = ['of', 'acpi'];

export interface BusGlue {
  /** The bus whose dma_configure this is (amba's is platform's before v5.19). */
  readonly name: Bus;
  readonly file: string;
  readonly configure: string;
  readonly cleanup: string;
  /** The container_of helper the racy form applies to dev->driver before testing it. */
  readonly toDriver: string;
  /** The firmware of a client of this bus when its scenario does not say (`firmware`). */
  readonly firmware: Firmware;
  /** The flag that says this glue reads dev->driver once before its use of the default domain. */
  readonly snapshot: keyof KernelFlags;
  /** What closed the TOCTOU between its two reads of dev->driver. */
  readonly fix: string;
}

const PLATFORM: BusGlue = {
  name: 'platform', file: 'drivers/base/platform.c', configure: 'platform_dma_configure()', cleanup: 'platform_dma_cleanup()', toDriver: 'to_platform_driver',
  firmware: 'of', snapshot: 'platform_dma_configure_driver_snapshot', fix: '95deee37a123',
};

const GLUE: Record<Bus, BusGlue> = {
  platform: PLATFORM,
  amba: {
    name: 'amba', file: 'drivers/amba/bus.c', configure: 'amba_dma_configure()', cleanup: 'amba_dma_cleanup()', toDriver: 'to_amba_driver',
    firmware: 'of', snapshot: 'amba_dma_configure_driver_snapshot', fix: 'the amba fix posted in Jul 2026 (not merged)',
  },
  pci: {
    name: 'pci', file: 'drivers/pci/pci-driver.c', configure: 'pci_dma_configure()', cleanup: 'pci_dma_cleanup()', toDriver: 'to_pci_driver',
    firmware: 'acpi', snapshot: 'pci_dma_configure_driver_snapshot', fix: '78447d4545b2',
  },
};

export function busGlue(bus: Bus, forms: Forms): BusGlue {
  return bus === 'amba' && forms.ownership === 'none' ? PLATFORM : GLUE[bus];
}

/** The firmware a client of `bus` has when neither it nor its scenario says. */
export const defaultFirmware = (bus: Bus): Firmware => GLUE[bus].firmware;
