/**
 * What a PCI device model needs from the machine it is plugged into. The v86 adapter
 * (src/emulator/v86-pci-host.ts) implements it over v86's internals; unit tests use a fake.
 *
 * Limits that come from v86 (see ../shared/reference/platform-notes.md):
 * - config space is a static byte array: the host has no config-write hooks, so no MSI/MSI-X
 *   and capability structures must be read-only;
 * - memory BARs cannot be moved by the BIOS, so a device asks for a fixed MMIO base;
 * - MMIO regions are mapped in 128 KiB granules; 16-bit accesses arrive as two 8-bit ones.
 */
export interface MmioHandlers {
  /** `offset` is relative to the start of the mapped region. */
  read8(offset: number): number;
  read32(offset: number): number;
  write8(offset: number, value: number): void;
  write32(offset: number, value: number): void;
}

export interface PciBarRequest {
  /** Size in bytes (power of two). */
  size: number;
}

export interface PciDeviceRegistration {
  /** (bus << 8) | (device << 3) | function. */
  pciId: number;
  /** 256 bytes of type-0 configuration space, already filled (ids, class, caps, BARs). */
  configSpace: Uint8Array;
  bars: PciBarRequest[];
  name: string;
}

export interface PciHost {
  registerDevice(registration: PciDeviceRegistration): void;
  /** Maps [base, base + size) of the physical address space to the handlers. */
  mapMmio(base: number, size: number, handlers: MmioHandlers): void;
  /** Asserts / deasserts the device's legacy INTx line. */
  raiseIrq(pciId: number): void;
  lowerIrq(pciId: number): void;
}
