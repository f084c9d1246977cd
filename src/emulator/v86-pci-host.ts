import type { MmioHandlers, PciDeviceRegistration, PciHost } from "../virtio/pci-host.ts";
import type { V86Cpu } from "./v86-internals.ts";

/** v86 maps MMIO in 128 KiB granules (cpu.memory_map_* tables are indexed by addr >> 17). */
export const MMIO_GRANULE = 128 * 1024;

/**
 * PciHost over v86's PCI bus and MMIO tables.
 *
 * Interrupts raised while the guest's MMIO access is still being handled are deferred to a
 * microtask: v86's device_raise_irq delivers the interrupt at once (handle_irqs), and from inside
 * an access that is the middle of the guest's instruction, possibly of a JIT-compiled block that
 * then runs on in the interrupt's context. That corrupted the guest kernel (stray calls through
 * garbage pointers, a cascade IRQ left in service so IRQ 11 never came again) once a device
 * completed requests synchronously in its notify handler often enough: kmscube flipping at
 * 80-700 fps hung within 6-16 s (scripts/repro-flip-hang.ts). The microtask runs once v86's slice
 * has returned, between instructions. Lowering stays immediate: the guest reads the ISR from its
 * interrupt handler, with interrupts off, and a line left high would re-interrupt it.
 */
export class V86PciHost implements PciHost {
  private readonly registered = new Set<number>();
  /** Nesting depth of guest MMIO accesses being handled right now. */
  private ioDepth = 0;
  /** INTx level each device last asked for; a deferred raise happens only if it still holds. */
  private readonly lineHigh = new Map<number, boolean>();
  private readonly raisePending = new Set<number>();

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
    const offset = (addr: number) => ((addr >>> 0) - base) >>> 0;
    this.cpu.io.mmap_register(
      base,
      size,
      (addr) => this.inGuestAccess(() => handlers.read8(offset(addr))),
      (addr, value) => this.inGuestAccess(() => handlers.write8(offset(addr), value)),
      (addr) => this.inGuestAccess(() => handlers.read32(offset(addr))),
      (addr, value) => this.inGuestAccess(() => handlers.write32(offset(addr), value)),
    );
  }

  raiseIrq(pciId: number): void {
    this.lineHigh.set(pciId, true);
    if (this.ioDepth === 0) {
      this.cpu.devices.pci.raise_irq(pciId);
      return;
    }
    if (this.raisePending.has(pciId)) return;
    this.raisePending.add(pciId);
    queueMicrotask(() => {
      this.raisePending.delete(pciId);
      if (this.lineHigh.get(pciId)) this.cpu.devices.pci.raise_irq(pciId);
    });
  }

  lowerIrq(pciId: number): void {
    this.lineHigh.set(pciId, false);
    this.cpu.devices.pci.lower_irq(pciId);
  }

  private inGuestAccess<T>(access: () => T): T {
    this.ioDepth++;
    try {
      return access();
    } finally {
      this.ioDepth--;
    }
  }
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}
