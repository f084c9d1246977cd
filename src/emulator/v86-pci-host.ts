import type { MmioHandlers, PciDeviceRegistration, PciHost } from "../virtio/pci-host.ts";
import type { V86Cpu } from "./v86-internals.ts";

/** v86 maps MMIO in 128 KiB granules (cpu.memory_map_* tables are indexed by addr >> 17). */
export const MMIO_GRANULE = 128 * 1024;

/** PciHost over v86's PCI bus and MMIO tables. */
export class V86PciHost implements PciHost {
  private readonly registered = new Set<number>();

  constructor(private readonly cpu: V86Cpu) {}

  registerDevice(registration: PciDeviceRegistration): void {
    const { pciId, configSpace, bars, name } = registration;
    if (!Number.isInteger(pciId) || pciId < 0 || pciId > 0xff) {
      throw new RangeError(`PCI device "${name}": pciId ${pciId} is not a bus-0 (bus << 8 | dev << 3 | fn) id`);
    }
    if (configSpace.length < 64 || configSpace.length > 256) {
      throw new RangeError(`PCI device "${name}": config space is ${configSpace.length} bytes, need 64..256`);
    }
    if (this.registered.has(pciId)) {
      throw new Error(`PCI device "${name}": pciId ${hex(pciId)} is already registered by webvirgl`);
    }
    for (const [index, bar] of bars.entries()) {
      if (bar.size <= 0 || (bar.size & (bar.size - 1)) !== 0) {
        throw new RangeError(`PCI device "${name}": BAR${index} size ${bar.size} is not a power of two`);
      }
    }
    // v86 keeps its own copy: later changes to `configSpace` are not seen by the guest.
    this.cpu.devices.pci.register_device({
      pci_id: pciId,
      pci_space: Array.from(configSpace),
      pci_bars: bars.map((bar) => ({ size: bar.size })),
      name,
    });
    this.registered.add(pciId);
  }

  mapMmio(base: number, size: number, handlers: MmioHandlers): void {
    if (base % MMIO_GRANULE !== 0 || size <= 0 || size % MMIO_GRANULE !== 0) {
      throw new RangeError(
        `MMIO region ${hex(base)}+${hex(size)}: base and size must be multiples of 128 KiB (v86 limit)`,
      );
    }
    // v86 passes absolute physical addresses; the device model wants offsets into its region.
    // `>>> 0` because v86 hands addresses above 2 GiB over as negative int32s.
    this.cpu.io.mmap_register(
      base,
      size,
      (addr) => handlers.read8(((addr >>> 0) - base) >>> 0),
      (addr, value) => handlers.write8(((addr >>> 0) - base) >>> 0, value),
      (addr) => handlers.read32(((addr >>> 0) - base) >>> 0),
      (addr, value) => handlers.write32(((addr >>> 0) - base) >>> 0, value),
    );
  }

  raiseIrq(pciId: number): void {
    this.cpu.devices.pci.raise_irq(pciId);
  }

  lowerIrq(pciId: number): void {
    this.cpu.devices.pci.lower_irq(pciId);
  }
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}
