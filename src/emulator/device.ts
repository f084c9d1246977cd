import type { GuestMemory } from "../virtio/guest-memory.ts";
import type { PciHost } from "../virtio/pci-host.ts";

/** What a device model gets from the machine when it is plugged in. */
export interface DeviceContext {
  pciHost: PciHost;
  memory: GuestMemory;
  /** Prefixed with the machine's name; goes to the emulator config's `log` (console by default). */
  log(message: string): void;
}

/** A device plugged into the emulated PC from outside v86. */
export interface Device {
  readonly name: string;
  /** The guest rebooted (the emulator is stopped): return to power-on state. v86 resets only its own devices. */
  reset?(): void;
  /** Releases host resources (workers, timers). The emulator is stopped when this is called. */
  destroy?(): void;
}

/**
 * Builds a device. Factories run once, after v86 has initialised its PCI bus and before the BIOS
 * runs, so a factory must register its PCI function and MMIO regions synchronously.
 */
export type DeviceFactory = (context: DeviceContext) => Device;
