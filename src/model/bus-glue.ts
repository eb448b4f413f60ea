/**
 * The bus glue a client's bus gives dma_configure: which function and file, which firmware path
 * it takes (OF or ACPI/IORT), and which flag says that its dma_configure reads dev->driver once.
 * Until the DMA-ownership series, amba shared platform_dma_configure (4a6d9dd564d0, v5.19).
 */
import type { KernelFlags } from './kernels';
import type { Forms } from './forms';

export type Bus = 'platform' | 'amba' | 'pci';

export interface BusGlue {
  readonly file: string;
  readonly configure: string;
  readonly cleanup: string;
  /** The container_of helper the racy form applies to dev->driver before testing it. */
  readonly toDriver: string;
  /** OF (of_dma_configure) or ACPI (acpi_dma_configure: IORT or DMAR scope). */
  readonly firmware: 'of' | 'acpi';
  /** The flag that says this glue reads dev->driver once before its use of the default domain. */
  readonly snapshot: keyof KernelFlags;
  /** What closed the TOCTOU between its two reads of dev->driver. */
  readonly fix: string;
}

const PLATFORM: BusGlue = {
  file: 'drivers/base/platform.c', configure: 'platform_dma_configure()', cleanup: 'platform_dma_cleanup()', toDriver: 'to_platform_driver',
  firmware: 'of', snapshot: 'platform_dma_configure_driver_snapshot', fix: '95deee37a123',
};

const GLUE: Record<Bus, BusGlue> = {
  platform: PLATFORM,
  amba: {
    file: 'drivers/amba/bus.c', configure: 'amba_dma_configure()', cleanup: 'amba_dma_cleanup()', toDriver: 'to_amba_driver',
    firmware: 'of', snapshot: 'amba_dma_configure_driver_snapshot', fix: 'the amba fix posted in Jul 2026 (not merged)',
  },
  pci: {
    file: 'drivers/pci/pci-driver.c', configure: 'pci_dma_configure()', cleanup: 'pci_dma_cleanup()', toDriver: 'to_pci_driver',
    firmware: 'acpi', snapshot: 'pci_dma_configure_driver_snapshot', fix: '78447d4545b2',
  },
};

export function busGlue(bus: Bus, forms: Forms): BusGlue {
  return bus === 'amba' && forms.ownership === 'none' ? PLATFORM : GLUE[bus];
}
