/**
 * Node only: boots the guest in v86 in this process and talks to it over ttyS0. For tests and
 * benchmarks: `waitForSerial` fails with the last 2 KB of serial output so a hung boot is readable.
 */
import type { DeviceFactory } from "./device.ts";
import { createEmulator, type Emulator } from "./emulator.ts";
import { buildKernelCmdline } from "./kernel-cmdline.ts";
import { defaultGuestDir, readGuestImages, readV86Wasm, type GuestImages } from "./node-images.ts";
import { SerialLog } from "./serial-port.ts";

const MiB = 1024 * 1024;
const TAIL_CHARS = 2048;

export interface NodeGuestOptions {
  /** Arguments after the fast defaults, e.g. "webvirgl.run=shell". */
  cmdline?: string;
  /** Replace the whole command line instead (no fast defaults). */
  rawCmdline?: string;
  /** Directory with manifest.json and the images (default public/guest or $WEBVIRGL_GUEST_DIR). */
  guestDir?: string;
  /** Images already read (saves disk reads across boots). */
  images?: GuestImages;
  memorySize?: number;
  devices?: DeviceFactory[];
  /** Echo guest serial output to this process's stdout (default: $WEBVIRGL_SERIAL_ECHO === "1"). */
  echo?: boolean;
}

export class SerialTimeoutError extends Error {
  constructor(pattern: RegExp, timeoutMs: number, elapsedSinceBootMs: number, tail: string) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${pattern} on the guest's serial console ` +
        `(${(elapsedSinceBootMs / 1000).toFixed(1)} s since boot). Last ${TAIL_CHARS} characters of serial output:\n` +
        `----\n${tail}\n----`,
    );
    this.name = "SerialTimeoutError";
  }
}

export class NodeGuest {
  private readonly log = new SerialLog();
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  private constructor(
    readonly emulator: Emulator,
    readonly bootStartedAt: number,
  ) {}

  static async boot(options: NodeGuestOptions = {}): Promise<NodeGuest> {
    const images = options.images ?? (await readGuestImages(options.guestDir ?? defaultGuestDir()));
    const wasm = await readV86Wasm();
    const echo = options.echo ?? process.env.WEBVIRGL_SERIAL_ECHO === "1";
    const memorySize =
      options.memorySize ?? Math.max(256 * MiB, 2 ** Math.ceil(Math.log2(64 * MiB + images.initrd.byteLength)));
    let guest: NodeGuest | null = null;
    const early: number[] = [];
    const emulator = await createEmulator({
      wasm,
      bios: images.bios,
      vgaBios: images.vgaBios ?? undefined,
      bzimage: images.bzimage,
      initrd: images.initrd,
      cmdline: options.rawCmdline ?? buildKernelCmdline(options.cmdline ?? ""),
      memorySize,
      devices: options.devices,
      autostart: false,
      onSerialByte: (byte) => {
        if (echo) process.stdout.write(Uint8Array.of(byte));
        if (guest) guest.onByte(byte);
        else early.push(byte);
      },
    });
    guest = new NodeGuest(emulator, performance.now());
    for (const byte of early) guest.onByte(byte);
    await emulator.run();
    return guest;
  }

  private onByte(byte: number): void {
    this.log.push(byte);
    for (const wake of this.waiters) wake();
  }

  /** Everything the guest printed so far. */
  output(): string {
    return this.log.all();
  }

  /** Milliseconds since the CPU was started. */
  elapsedMs(): number {
    return performance.now() - this.bootStartedAt;
  }

  /**
   * Resolves with the match once `pattern` matches serial output printed after `since` (a
   * character offset into output(); default: all output). Rejects with SerialTimeoutError.
   */
  waitForSerial(pattern: RegExp, timeoutMs: number, since = 0): Promise<RegExpMatchArray> {
    const check = (): RegExpMatchArray | null => this.log.all().slice(since).match(pattern);
    const immediate = check();
    if (immediate) return Promise.resolve(immediate);
    return new Promise((resolve, reject) => {
      const wake = () => {
        const match = check();
        if (match) {
          finish();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new SerialTimeoutError(pattern, timeoutMs, this.elapsedMs(), this.log.tail(TAIL_CHARS)));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  sendSerial(text: string): void {
    this.emulator.serial.send(text);
  }

  /**
   * Runs a shell command (the guest must be at a shell on ttyS0) and returns what it printed
   * between two unique markers.
   */
  async runCommand(command: string, timeoutMs = 30_000): Promise<string> {
    const tag = `WVCMD${Math.random().toString(36).slice(2, 8)}`;
    const since = this.log.all().length;
    // The markers are built by the shell (printf), so the echoed command line never matches.
    this.sendSerial(`printf '%s_BEGIN\\n' ${tag}; ${command}; printf '%s_END\\n' ${tag}\n`);
    const match = await this.waitForSerial(new RegExp(`${tag}_BEGIN\\r?\\n([\\s\\S]*?)${tag}_END`), timeoutMs, since);
    return (match[1] ?? "").replace(/\r\n/g, "\n");
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.emulator.destroy();
  }
}
