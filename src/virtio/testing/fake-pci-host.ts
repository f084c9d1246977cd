import type { MmioHandlers, PciDeviceRegistration, PciHost } from "../pci-host.ts";

/** A PciHost for unit tests: records the registration, the mapping and the INTx line level. */
export class FakePciHost implements PciHost {
  registration: PciDeviceRegistration | null = null;
  mmioBase = 0;
  mmioSize = 0;
  handlers: MmioHandlers | null = null;
  irqLevel = false;
  raiseCount = 0;
  lowerCount = 0;

  registerDevice(registration: PciDeviceRegistration): void {
    this.registration = registration;
  }

  mapMmio(base: number, size: number, handlers: MmioHandlers): void {
    this.mmioBase = base;
    this.mmioSize = size;
    this.handlers = handlers;
  }

  raiseIrq(): void {
    this.irqLevel = true;
    this.raiseCount++;
  }

  lowerIrq(): void {
    this.irqLevel = false;
    this.lowerCount++;
  }

  get mmio(): MmioHandlers {
    if (!this.handlers) throw new Error("no MMIO mapped");
    return this.handlers;
  }
}
