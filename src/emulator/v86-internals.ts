/**
 * The one place that touches v86's undocumented internals (`emulator.v86.cpu`, not in v86.d.ts).
 *
 * Property names survive v86's minified build, class names do not, so everything here is reached
 * by property name and checked once at start-up: a v86 upgrade that renames one of them fails
 * with an error naming the missing path instead of a TypeError deep inside a device model.
 * Verified against npm v86 0.5.462 (see shared/reference/platform-notes.md).
 */
import type { V86 } from "v86";

export const V86_VERSION_VERIFIED = "0.5.462";

/** `cpu.devices.pci.register_device` argument (v86 src/pci.js). */
export interface V86PciDevice {
  pci_id: number;
  /** At least 64 bytes; v86 copies it into a 256-byte Int32Array and serves it read-only. */
  pci_space: number[] | Uint8Array;
  pci_bars: ({ size: number } | undefined)[];
  name: string;
}

export interface V86Pci {
  register_device(device: V86PciDevice): Int32Array;
  raise_irq(pciId: number): void;
  lower_irq(pciId: number): void;
}

/** v86's MMIO callbacks receive the absolute physical address. */
export interface V86Io {
  mmap_register(
    addr: number,
    size: number,
    read8: (addr: number) => number,
    write8: (addr: number, value: number) => void,
    read32: (addr: number) => number,
    write32: (addr: number, value: number) => void,
  ): void;
}

/** v86's 16550 model (src/uart.js): the fields and method the serial IRQ watchdog uses. */
export interface V86Uart {
  iir: number;
  ier: number;
  irq: number;
  /** Recomputes IIR and raises or lowers the UART's IRQ line accordingly. */
  CheckInterrupt(): void;
}

export interface V86Cpu {
  /** The wasm instance's memory; grows (and detaches old views) at run time. */
  wasm_memory: WebAssembly.Memory;
  /** A Proxy in 0.5.x: only `byteOffset` is read from it, never bytes (it is ~100x slower). */
  mem8: { byteOffset: number };
  /** One-element view into wasm memory: guest RAM size in bytes. */
  memory_size: Uint32Array;
  devices: { pci: V86Pci; uart0: V86Uart };
  /** Drives an ISA IRQ line low (v86 raises/lowers lines; the PIC/IOAPIC latch rising edges). */
  device_lower_irq(irq: number): void;
  io: V86Io;
  /** Resets the PC (guest reboot, PCI reset, keyboard-controller reset); resets only v86's own devices. */
  reboot_internal: () => void;
  /** One-element views into wasm memory: the CPU is halted (HLT), and EFLAGS. */
  in_hlt: Uint8Array;
  flags: Int32Array;
}

export interface V86Internals {
  cpu: V86Cpu;
}

export class V86InternalsError extends Error {
  constructor(path: string, detail: string) {
    super(
      `v86 internals check failed: ${path} ${detail} (webvirgl was verified against v86 ` +
        `${V86_VERSION_VERIFIED}; a different v86 build renamed or removed it)`,
    );
    this.name = "V86InternalsError";
  }
}

type Kind = "object" | "function" | "number";

/** Paths checked at start-up, with the kind each must have. */
const REQUIRED_PATHS: readonly (readonly [string, Kind])[] = [
  ["v86", "object"],
  ["v86.cpu", "object"],
  ["v86.cpu.wasm_memory", "object"],
  ["v86.cpu.mem8", "object"],
  ["v86.cpu.mem8.byteOffset", "number"],
  ["v86.cpu.memory_size", "object"],
  ["v86.cpu.memory_size.0", "number"],
  ["v86.cpu.devices", "object"],
  ["v86.cpu.devices.pci", "object"],
  ["v86.cpu.devices.pci.register_device", "function"],
  ["v86.cpu.devices.pci.raise_irq", "function"],
  ["v86.cpu.devices.pci.lower_irq", "function"],
  ["v86.cpu.devices.uart0", "object"],
  ["v86.cpu.devices.uart0.iir", "number"],
  ["v86.cpu.devices.uart0.ier", "number"],
  ["v86.cpu.devices.uart0.irq", "number"],
  ["v86.cpu.devices.uart0.CheckInterrupt", "function"],
  ["v86.cpu.device_lower_irq", "function"],
  ["v86.cpu.io", "object"],
  ["v86.cpu.io.mmap_register", "function"],
  ["v86.cpu.reboot_internal", "function"],
  ["v86.cpu.in_hlt", "object"],
  ["v86.cpu.flags", "object"],
];

/** EFLAGS.IF (Intel SDM vol. 1, 3.4.3). */
const EFLAGS_IF = 1 << 9;

/**
 * Freezes the guest CPU at once: interrupts off and halted, which v86's main loop treats as a dead
 * CPU and leaves on the next instruction boundary. `v86.stop()` alone only takes effect at the end
 * of the current ~1 ms slice, in which a rebooting Linux goes on to its next reset method (a triple
 * fault, on which v86 0.5.462 panics with "unreachable").
 */
export function freezeCpu(cpu: V86Cpu): void {
  cpu.flags[0] &= ~EFLAGS_IF;
  cpu.in_hlt[0] = 1;
}

function lookup(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split(".")) {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Returns typed access to v86's CPU after checking every path webvirgl uses. Call it once the
 * emulator is initialised (`emulator-ready` / `emulator-loaded`): before that `v86.cpu.devices`
 * does not exist yet.
 */
export function getV86Internals(emulator: V86): V86Internals {
  for (const [path, kind] of REQUIRED_PATHS) {
    const value = lookup(emulator, path);
    if (value === undefined || value === null) throw new V86InternalsError(`emulator.${path}`, "is missing");
    if (typeof value !== kind) {
      throw new V86InternalsError(`emulator.${path}`, `is a ${typeof value}, expected a ${kind}`);
    }
  }
  const wasmMemory = lookup(emulator, "v86.cpu.wasm_memory");
  if (!(wasmMemory instanceof WebAssembly.Memory)) {
    throw new V86InternalsError("emulator.v86.cpu.wasm_memory", "is not a WebAssembly.Memory");
  }
  return { cpu: lookup(emulator, "v86.cpu") as V86Cpu };
}
