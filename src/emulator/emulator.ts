/**
 * Creates a v86 PC that boots a Linux kernel + initramfs, with webvirgl's own PCI devices plugged
 * in before the BIOS enumerates the bus. Works in browsers and in Node: images are passed as
 * buffers (see fetch-image.ts / node-images.ts for getting them).
 */
import { V86, type V86Options } from "v86";
import type { GuestMemory } from "../virtio/guest-memory.ts";
import type { PciHost } from "../virtio/pci-host.ts";
import type { Device, DeviceContext, DeviceFactory } from "./device.ts";
import { SerialPort, type SerialByteListener } from "./serial-port.ts";
import { V86GuestMemory } from "./v86-guest-memory.ts";
import { freezeCpu, getV86Internals } from "./v86-internals.ts";
import { SerialIrqWatchdog, type SerialIrqWatchdogStats } from "./serial-irq-watchdog.ts";
import { V86PciHost } from "./v86-pci-host.ts";

const MiB = 1024 * 1024;
/** v86 copies the initrd to this guest-physical address. */
export const INITRD_LOAD_ADDRESS = 64 * MiB;
/** How often the ttyS0 interrupt watchdog looks (wall time; its threshold is in guest instructions). */
const SERIAL_WATCHDOG_INTERVAL_MS = 250;

export interface EmulatorConfig {
  /** v86.wasm: its bytes (Node: read the file) or a URL to fetch (browser). */
  wasm: ArrayBuffer | string;
  bios: ArrayBuffer;
  /** Needed for the VGA screen; a serial-only boot works without. */
  vgaBios?: ArrayBuffer;
  bzimage: ArrayBuffer;
  initrd: ArrayBuffer;
  cmdline: string;
  /** Guest RAM in bytes; at least 64 MiB + initrd (v86 puts the initrd at 64 MiB). */
  memorySize: number;
  /** VGA memory in bytes (v86 default 8 MiB). */
  vgaMemorySize?: number;
  /** v86 screen container (browser): a div holding a text-mode div and a canvas. */
  screenContainer?: HTMLElement | null;
  /** Called with every byte the guest writes to ttyS0. */
  onSerialByte?: SerialByteListener;
  /** Start the CPU once devices are plugged in (default true). */
  autostart?: boolean;
  /** Device models plugged in before the BIOS runs. */
  devices?: DeviceFactory[];
  /** PS/2 keyboard/mouse from the page (browser only; default: enabled iff screenContainer). */
  enableKeyboard?: boolean;
  enableMouse?: boolean;
  /** Diagnostics from this module and from devices (default console.log). */
  log?: (message: string) => void;
}

export class EmulatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmulatorError";
  }
}

export interface Emulator {
  /** The public v86 object, for anything this wrapper does not cover. */
  readonly v86: V86;
  readonly memory: GuestMemory;
  readonly pciHost: PciHost;
  readonly serial: SerialPort;
  readonly devices: readonly Device[];
  /** Milliseconds (performance.now()) when the CPU was first started, or null. */
  readonly startedAt: number | null;
  run(): Promise<void>;
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Stops the CPU, destroys devices and frees v86. */
  destroy(): Promise<void>;
  /** Called when the guest reboots; the emulator has been stopped by then. Returns an unsubscribe. */
  onReboot(listener: () => void): () => void;
  /** ttyS0 interrupts re-raised because v86 had not delivered them (serial-irq-watchdog.ts). */
  readonly serialIrqWatchdog: { readonly stats: SerialIrqWatchdogStats } | null;
}

export function validateEmulatorConfig(config: EmulatorConfig): void {
  const need = INITRD_LOAD_ADDRESS + config.initrd.byteLength;
  if (config.memorySize < need) {
    throw new EmulatorError(
      `memorySize ${config.memorySize / MiB} MiB is too small: v86 copies the initrd ` +
        `(${(config.initrd.byteLength / MiB).toFixed(1)} MiB) to the 64 MiB mark, so at least ` +
        `${Math.ceil(need / MiB)} MiB are needed`,
    );
  }
  if (config.memorySize >= 2048 * MiB) throw new EmulatorError("memorySize must be below 2 GiB (v86 limit)");
  for (const [name, image] of [["bios", config.bios], ["bzimage", config.bzimage], ["initrd", config.initrd]] as const) {
    if (image.byteLength === 0) throw new EmulatorError(`${name} image is empty`);
  }
}

export function createEmulator(config: EmulatorConfig): Promise<Emulator> {
  validateEmulatorConfig(config);
  const log = config.log ?? ((message: string) => console.log(message));
  const inBrowser = typeof document !== "undefined";
  const screenContainer = inBrowser ? (config.screenContainer ?? null) : null;

  const options: V86Options = {
    // Our own loader instead of `wasm_path`: v86's swallows fetch errors and never reports them.
    wasm_fn: (imports) => instantiateV86Wasm(config.wasm, imports, wasmFailed),
    memory_size: config.memorySize,
    vga_memory_size: config.vgaMemorySize,
    bios: { buffer: config.bios },
    vga_bios: config.vgaBios ? { buffer: config.vgaBios } : undefined,
    bzimage: { buffer: config.bzimage },
    initrd: { buffer: config.initrd },
    cmdline: config.cmdline,
    // Devices must be registered before the BIOS enumerates PCI, so we start the CPU ourselves.
    autostart: false,
    disable_keyboard: !(config.enableKeyboard ?? screenContainer !== null),
    disable_mouse: !(config.enableMouse ?? screenContainer !== null),
    disable_speaker: true,
    screen: screenContainer ? { container: screenContainer } : undefined,
    // Skip SeaBIOS's boot menu wait.
    fastboot: true,
  };

  let wasmFailed: (error: Error) => void = () => {};
  return new Promise<Emulator>((resolve, reject) => {
    wasmFailed = reject;
    let v86: V86;
    try {
      v86 = new V86(options);
    } catch (error) {
      reject(new EmulatorError(`v86 failed to start: ${describe(error)}`, { cause: error }));
      return;
    }
    const serial = new SerialPort(v86);
    if (config.onSerialByte) serial.onByte(config.onSerialByte);

    v86.add_listener("emulator-loaded", () => {
      try {
        const { cpu } = getV86Internals(v86);
        const machine = new V86Machine(v86, new V86GuestMemory(cpu), new V86PciHost(cpu), serial);
        machine.serialIrqWatchdog = new SerialIrqWatchdog({
          uart: () => cpu.devices.uart0,
          instructions: () => v86.get_instruction_counter(),
          repulse: () => {
            cpu.device_lower_irq(cpu.devices.uart0.irq);
            cpu.devices.uart0.CheckInterrupt();
          },
          log,
        });
        const context: DeviceContext = { pciHost: machine.pciHost, memory: machine.memory, log };
        for (const [index, factory] of (config.devices ?? []).entries()) {
          try {
            machine.plug(factory(context));
          } catch (error) {
            const which = factory.name ? `"${factory.name}"` : `#${index}`;
            throw new EmulatorError(`device factory ${which} failed to plug in: ${describe(error)}`, { cause: error });
          }
        }
        // A guest reboot: v86 0.5.462 panics ("Unimplemented: #GP handler") soon after resetting a
        // direct kernel boot, which would take the page down. We power the PC off instead: stop the
        // CPU, reset our devices (v86 resets only its own) and tell the owner, who may boot anew.
        cpu.reboot_internal = () => {
          freezeCpu(cpu);
          machine.onGuestReboot(log);
        };
        if (config.autostart ?? true) {
          machine.run().then(() => resolve(machine), reject);
        } else {
          resolve(machine);
        }
      } catch (error) {
        void v86.destroy();
        reject(error instanceof Error ? error : new EmulatorError(describe(error)));
      }
    });
  });
}

class V86Machine implements Emulator {
  private readonly plugged: Device[] = [];
  private readonly rebootListeners = new Set<() => void>();
  private rebooted = false;
  private watchdogTimer: ReturnType<typeof setInterval> | null = null;
  startedAt: number | null = null;
  /** Re-raises ttyS0 interrupts v86 failed to deliver (serial-irq-watchdog.ts); null before emulator-loaded. */
  serialIrqWatchdog: SerialIrqWatchdog | null = null;

  constructor(
    readonly v86: V86,
    readonly memory: GuestMemory,
    readonly pciHost: PciHost,
    readonly serial: SerialPort,
  ) {}

  get devices(): readonly Device[] {
    return this.plugged;
  }

  plug(device: Device): void {
    this.plugged.push(device);
  }

  onReboot(listener: () => void): () => void {
    this.rebootListeners.add(listener);
    return () => this.rebootListeners.delete(listener);
  }

  onGuestReboot(log: (message: string) => void): void {
    // The kernel tries several reset methods in a row before the stop takes effect: report one.
    if (this.rebooted) return;
    this.rebooted = true;
    log("webvirgl: the guest rebooted; v86 cannot restart a direct kernel boot, so the PC is stopped");
    void this.v86.stop();
    for (const device of this.plugged) {
      try {
        device.reset?.();
      } catch (error) {
        log(`webvirgl: device ${device.name} failed to reset: ${describe(error)}`);
      }
    }
    for (const listener of this.rebootListeners) listener();
  }

  async run(): Promise<void> {
    this.startedAt ??= performance.now();
    if (this.serialIrqWatchdog && this.watchdogTimer === null) {
      const watchdog = this.serialIrqWatchdog;
      this.watchdogTimer = setInterval(() => watchdog.check(), SERIAL_WATCHDOG_INTERVAL_MS);
    }
    await this.v86.run();
  }

  async stop(): Promise<void> {
    await this.v86.stop();
  }

  isRunning(): boolean {
    return this.v86.is_running();
  }

  async destroy(): Promise<void> {
    if (this.watchdogTimer !== null) clearInterval(this.watchdogTimer);
    this.watchdogTimer = null;
    await this.v86.stop();
    for (const device of this.plugged) device.destroy?.();
    this.plugged.length = 0;
    await this.v86.destroy();
  }
}

async function instantiateV86Wasm(
  source: ArrayBuffer | string,
  imports: WebAssembly.Imports,
  onError: (error: Error) => void,
): Promise<WebAssembly.Exports> {
  try {
    let bytes: ArrayBuffer;
    if (typeof source === "string") {
      const response = await fetch(source);
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} for ${source}`.trim());
      bytes = await response.arrayBuffer();
    } else {
      bytes = source;
    }
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    return instance.exports;
  } catch (error) {
    const wrapped = new EmulatorError(`could not load the v86 WebAssembly module: ${describe(error)}`, { cause: error });
    onError(wrapped);
    // v86 does not catch this; it stays pending so no unhandled rejection is reported twice.
    return new Promise<WebAssembly.Exports>(() => {});
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
