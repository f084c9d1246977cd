/**
 * createVirtualGpuMachine: the emulated PC (v86) + the virtio-gpu (+ virgl 3D) + the GPU worker
 * as one object a page can embed: download the guest, boot a demo, pause, reboot, switch demos,
 * take screenshots, read stats. The webvirgl page and embed.html use only this.
 */
import v86WasmUrl from "v86/build/v86.wasm?url";
import { createEmulator, type Emulator } from "../emulator/emulator.ts";
import { fetchGuestImages, fetchManifest, type FetchedGuestImages } from "../emulator/fetch-guest-images.ts";
import type { GuestManifest } from "../emulator/guest-manifest.ts";
import { buildKernelCmdline, guestRunArg } from "../emulator/kernel-cmdline.ts";
import { SerialLog } from "../emulator/serial-port.ts";
import type { VirtioGpu } from "../gpu/index.ts";
import type { VirglModule, VirglReplayReport } from "../gpu/virgl/index.ts";
import type { GpuClient } from "../worker/gpu-client.ts";
import { findMissingFeatures } from "./browser-support.ts";
import { demoKernelArgs, getDemo, isDemoName, DEMO_NAMES, type Demo, type DemoName } from "./demos.ts";
import { bootDevices, startGpu, type MachineGpu, type MachineVirgl } from "./devices.ts";
import { MachineError, toMachineError } from "./errors.ts";
import { Emitter } from "./events.ts";
import { GuestGlInfoParser, type GuestGlInfo } from "./guest-gl-info.ts";
import { MachineScreen, type ScreenSource } from "./machine-screen.ts";
import { StatsSampler, type MachineStats } from "./machine-stats.ts";
import { captureState, cmdlineOverridesRun, demoSnapshotPoint, fetchRestoreImages, restoreState, SavePoint, snapshotConfig } from "./snapshot-boot.ts";
import { demoCommandLine } from "./snapshot-guest.ts";
import { defaultSnapshotStorage } from "./snapshot-idb.ts";
import { MemorySnapshotStorage, SnapshotStore, type SnapshotConfig, type SnapshotInfo, type SnapshotPoint, type SnapshotRecord, type SnapshotStorage } from "./snapshot-store.ts";

const MiB = 1024 * 1024;
const INIT_MARKER = "WEBVIRGL-INIT-START";
/** A typical boot on a busy 2-core machine; only shapes the boot progress bar before /init speaks. */
const EXPECTED_BOOT_MS = 30_000;
/** Frames the demo presents (from its first) before it is saved running: its GL start-up is behind it. */
const DEMO_CAPTURE_FRAMES = 4;
/** A demo that shows no frames this long after it was typed in is not saved running. */
const DEMO_CAPTURE_TIMEOUT_MS = 240_000;
/** What a demo snapshot keeps of the serial output since the demo started (shown again after a restore). */
const SERIAL_TAIL_CHARS = 64 * 1024;

export type MachinePhase = "idle" | "downloading" | "starting" | "booting" | "running" | "paused" | "stopped" | "failed";

export interface MachineProgress {
  stage: "download" | "boot";
  /** Download: the file being fetched; boot: what the guest is doing. */
  label: string;
  loaded: number;
  total: number | null;
  /** 0..1, or null when unknown. */
  fraction: number | null;
}

/** Serial markers of the guest's /init (guest/README.md). */
export type GuestEvent = { type: "init" } | { type: "run-begin"; name: string } | { type: "run-end"; name: string; status: number };

export interface MachineTimings {
  /** performance.now() values (ms); null until reached in the current boot. */
  imagesLoaded: number | null;
  /** This boot (cold or restore) began: after the previous PC was torn down, before images are awaited. */
  bootStarted: number | null;
  emulatorStarted: number | null;
  /** /init's WEBVIRGL-INIT-START, or the end of a snapshot restore. */
  initMarker: number | null;
  /** A snapshot was loaded into the PC and its CPU runs again (null on a cold boot). */
  restored: number | null;
  /** First frame of the demo presented by the GPU worker (with virgl: after the demo's first draw). */
  firstFrame: number | null;
}

/** How the current PC came up. */
export type BootSource = "cold" | "snapshot";

export interface MachineFirstFrame {
  /** performance.now() of the presented frame. */
  at: number;
  /** Since `timings.bootStarted` (ms). */
  sinceBootMs: number;
  source: BootSource;
  demo: DemoName;
}

export interface MachineRestored {
  /** performance.now() when the CPU ran again. */
  at: number;
  /** Since `timings.bootStarted`: reading the snapshot + building the PC + loading the state (ms). */
  ms: number;
  /** Reading the stored snapshot alone (ms). */
  readMs: number;
  bytes: number;
  /** "shell": the demo was typed in after the restore; `demo:…`: it was saved running and just continues. */
  point: SnapshotPoint;
  /** The virgl call log's replay into the GPU worker (null without 3D state in the snapshot). */
  replay: VirglReplayReport | null;
  /** Since `timings.bootStarted`, when each restore step was done (ms): where a restore's time goes. */
  steps: RestoreSteps;
}

export interface RestoreSteps {
  /** manifest.json fetched. */
  manifest: number;
  /** The GPU worker ready (WebGL2 context, capsets). */
  gpuReady: number;
  /** Snapshot found in storage and read, BIOS images fetched. */
  snapshotRead: number;
  /** v86 built (its wasm instantiated) with our devices plugged in. */
  pcBuilt: number;
  /** v86 state and device state restored (the virgl replay queued). */
  stateRestored: number;
}

export interface MachineSnapshotSaved extends SnapshotInfo {
  /** Where the guest was: at its shell prompt, or with the demo running (`demo:…`). */
  point: SnapshotPoint;
  /** CPU paused for the capture (ms). */
  pauseMs: number;
  /** Writing to storage (ms). */
  writeMs: number;
}

export interface MachineEvents {
  phase: { phase: MachinePhase; detail: string };
  progress: MachineProgress;
  /** One byte the guest wrote to ttyS0 (UTF-8; `serialText()` has it decoded). */
  serial: number;
  stats: MachineStats;
  error: MachineError;
  screen: ScreenSource;
  guest: GuestEvent;
  guestGl: GuestGlInfo;
  /** A new PC was built (first boot, reset, setDemo): the serial log starts over. */
  boot: { count: number; demo: DemoName; cmdline: string };
  /** The new PC's CPU runs: `emulator`, `gpu`, `virgl` now belong to this boot (hook per-boot things, e.g. input, here). */
  started: { count: number; source: BootSource };
  /** The PC came from a stored snapshot (fires after `started`). */
  restored: MachineRestored;
  /** A snapshot of this boot was stored for later visits. */
  snapshotSaved: MachineSnapshotSaved;
  /** Saving or restoring a snapshot failed (a failed restore falls back to a cold boot). */
  snapshotError: { operation: "save" | "restore" | "read"; message: string };
  /** The demo's first frame on screen (graphical demos). */
  firstFrame: MachineFirstFrame;
}

/**
 * "auto": restore a stored snapshot when one fits (same guest image and config), else boot cold
 * into the guest shell, save a snapshot there and start the demo from the shell. "off": boot the
 * demo directly, never read or write snapshots.
 */
export type SnapshotMode = "auto" | "off";

export interface VirtualGpuMachineOptions {
  /** Element the machine fills with its screen (virtio-gpu canvas + VGA view). Or `canvas`. */
  container?: HTMLElement;
  /** A canvas for the virtio-gpu display only (no VGA view; transferred to the GPU worker). */
  canvas?: HTMLCanvasElement;
  /** Directory with manifest.json and the guest images (default `${BASE_URL}guest/`). */
  guestBaseUrl?: string;
  /** Default "kmscube". */
  demo?: DemoName;
  /** Extra kernel arguments after the demo's (later arguments win). */
  cmdline?: string;
  /** Guest RAM (default: 256 MiB, or more for a large initramfs). */
  memoryMiB?: number;
  /** Offer virgl 3D (default true); false = 2D device, the guest renders with softpipe. */
  virgl?: boolean;
  /** Download and boot right away (default true). */
  autostart?: boolean;
  /** How often `stats` events fire (default 1000 ms). */
  statsIntervalMs?: number;
  /** v86.wasm URL (default: the one bundled by Vite). */
  v86WasmUrl?: string;
  /** Instant start (default "off"); see SnapshotMode. Ignored when `cmdline` sets webvirgl.run/args. */
  snapshot?: SnapshotMode;
  /** Where snapshots are kept (default: IndexedDB database "webvirgl"). */
  snapshotStorage?: SnapshotStorage;
  onProgress?: (progress: MachineProgress) => void;
  onSerial?: (byte: number) => void;
  onStats?: (stats: MachineStats) => void;
  onError?: (error: MachineError) => void;
  onPhase?: (phase: MachinePhase, detail: string) => void;
}

export interface VirtualGpuMachine {
  readonly phase: MachinePhase;
  readonly error: MachineError | null;
  readonly demo: Demo;
  readonly stats: MachineStats;
  readonly guestGl: GuestGlInfo | null;
  readonly screen: MachineScreen;
  readonly manifest: GuestManifest | null;
  readonly timings: MachineTimings;
  /** Boots so far (1 after the first boot; +1 per reset/setDemo). */
  readonly bootCount: number;
  /** The kernel command line of the current boot. */
  readonly cmdline: string | null;
  /** How the current PC came up (null before the first boot). */
  readonly bootSource: BootSource | null;
  /** Internals for tests and tools (they change across resets). */
  readonly emulator: Emulator | null;
  readonly gpu: VirtioGpu | null;
  readonly gpuClient: GpuClient | null;
  readonly virgl: MachineVirgl | null;
  /** Boot (first time), or resume a paused CPU. Rejects with a MachineError. */
  start(): Promise<void>;
  /** Pause the CPU (the screen stays; start() resumes). */
  stop(): Promise<void>;
  /** Reboot: a new PC and device around the same GPU worker (v86 cannot reboot a direct kernel boot). */
  reset(): Promise<void>;
  /** Switch demos (a reboot with the demo's kernel arguments). */
  setDemo(name: DemoName): Promise<void>;
  /** PNG of the guest screen (virtio-gpu scanout, else the VGA graphics canvas). */
  screenshot(): Promise<Blob>;
  /** The stored snapshot that fits this machine, if any (null with snapshot "off"). */
  snapshotInfo(): Promise<SnapshotInfo | null>;
  /** Deletes this machine's stored snapshot: the next boot (reset, setDemo, next visit) is cold and saves a new one. */
  discardSnapshot(): Promise<void>;
  serialText(): string;
  sendSerial(text: string): void;
  on<K extends keyof MachineEvents>(type: K, listener: (value: MachineEvents[K]) => void): () => void;
  /** Stops everything and terminates the GPU worker. */
  dispose(): Promise<void>;
}

/** Validates options, starts the GPU worker (and, with autostart, the boot); resolves once the worker is up. */
export async function createVirtualGpuMachine(options: VirtualGpuMachineOptions): Promise<VirtualGpuMachine> {
  const machine = new Machine(options);
  await machine.init();
  return machine;
}

export function checkMachineOptions(options: VirtualGpuMachineOptions): void {
  if (!options.container === !options.canvas) throw new MachineError("bad-option", "Bad options", "pass exactly one of `container` or `canvas`");
  if (options.demo !== undefined && !isDemoName(options.demo)) {
    throw new MachineError("bad-option", `Unknown demo "${String(options.demo)}"`, `demos: ${DEMO_NAMES.join(", ")}`);
  }
  const memory = options.memoryMiB;
  if (memory !== undefined && !(Number.isInteger(memory) && memory >= 64 && memory < 2048)) {
    throw new MachineError("bad-option", `Bad memory size "${String(memory)}"`, "memoryMiB must be a whole number of MiB from 64 to 2047");
  }
}

class Machine implements VirtualGpuMachine {
  private readonly events = new Emitter<MachineEvents>();
  readonly screen: MachineScreen;
  private phaseValue: MachinePhase = "idle";
  private errorValue: MachineError | null = null;
  private demoValue: Demo;
  private gpuReady: Promise<MachineGpu> | null = null;
  private machineGpu: MachineGpu | null = null;
  private images: Promise<FetchedGuestImages> | null = null;
  private manifestValue: GuestManifest | null = null;
  private emulatorValue: Emulator | null = null;
  private device: (() => VirtioGpu | null) | null = null;
  private virglValue: MachineVirgl | null = null;
  private bytes2DBefore = 0;
  private serialLog = new SerialLog();
  private line = "";
  private readonly glParser = new GuestGlInfoParser();
  private readonly sampler: StatsSampler;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private bootTimer: ReturnType<typeof setInterval> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private scanoutActive = false;
  bootCount = 0;
  cmdline: string | null = null;
  bootSource: BootSource | null = null;
  private readonly restoreSteps: RestoreSteps = { manifest: 0, gpuReady: 0, snapshotRead: 0, pcBuilt: 0, stateRestored: 0 };
  readonly timings: MachineTimings = { imagesLoaded: null, bootStarted: null, emulatorStarted: null, initMarker: null, restored: null, firstFrame: null };
  private readonly snapshots: SnapshotStore | null;
  /** The config snapshots of this machine are stored under (known once images and caps are). */
  private snapshotConfigValue: SnapshotConfig | null = null;
  private savePoint: SavePoint | null = null;
  /** Virgl draws before the demo's RUN-BEGIN: its first frame is the first one after a draw of its own. */
  private drawsAtRunBegin: number | null = null;
  /** A snapshot with the demo running is due once it has presented a few frames (this boot records its virgl calls). */
  private demoCapture: DemoCapture | null = null;

  constructor(private readonly options: VirtualGpuMachineOptions) {
    checkMachineOptions(options);
    const missing = findMissingFeatures();
    if (missing.length > 0) {
      throw new MachineError(
        "unsupported-browser",
        `This browser cannot run webvirgl: missing ${missing.map((m) => m.name).join(", ")}`,
        missing.map((m) => `• ${m.name}: ${m.why}`).join("\n"),
      );
    }
    this.demoValue = getDemo(options.demo ?? "kmscube");
    const snapshots = (options.snapshot ?? "off") === "auto" && !cmdlineOverridesRun(options.cmdline ?? "");
    this.snapshots = snapshots ? new SnapshotStore(options.snapshotStorage ?? defaultSnapshotStorage(() => new MemorySnapshotStorage())) : null;
    this.screen = options.container ? new MachineScreen({ container: options.container }) : new MachineScreen({ canvas: options.canvas! });
    this.screen.onChange((visible) => this.events.emit("screen", visible));
    if (options.onProgress) this.on("progress", options.onProgress);
    if (options.onSerial) this.on("serial", options.onSerial);
    if (options.onStats) this.on("stats", options.onStats);
    if (options.onError) this.on("error", options.onError);
    if (options.onPhase) this.on("phase", ({ phase, detail }) => options.onPhase!(phase, detail));
    this.sampler = new StatsSampler({
      traffic: () => this.machineGpu?.counting?.traffic ?? null,
      bytes2D: () => this.bytes2DBefore + (this.device?.()?.stats.commands.bytesTransferred ?? 0),
      guestGl: () => this.glParser.info,
      hostRenderer: () => this.machineGpu?.gpuClient.renderer ?? "",
      virgl: () => this.machineGpu?.port != null,
    });
  }

  async init(): Promise<void> {
    // The worker (WebGL2 set-up) starts while the images download.
    this.gpuReady = startGpu(this.screen.gpuCanvas, this.options.virgl ?? true).catch((error: unknown) => {
      throw new MachineError("gpu", "The GPU worker could not start", error instanceof Error ? error.message : String(error), { cause: error });
    });
    if (this.options.autostart ?? true) {
      this.start().catch(() => {}); // reported through the error event and phase
    }
    try {
      this.machineGpu = await this.gpuReady;
    } catch (error) {
      this.fail(error);
      throw this.errorValue ?? error;
    }
    this.machineGpu.gpuClient.onScanoutChanged((active) => {
      this.scanoutActive = active;
      this.screen.setGpuScanoutActive(active);
    });
    this.machineGpu.gpuClient.onPresented(() => {
      this.sampler.frame();
      this.checkFirstFrame();
      this.demoFramePresented();
    });
    this.machineGpu.gpuClient.onError((e) => console.warn(`webvirgl: GPU worker: ${e.context}: ${e.message}`));
    const interval = this.options.statsIntervalMs ?? 1000;
    this.statsTimer = setInterval(() => this.events.emit("stats", this.sampler.sample()), interval);
  }

  // ---- state -------------------------------------------------------------------------------------

  get phase(): MachinePhase {
    return this.phaseValue;
  }
  get error(): MachineError | null {
    return this.errorValue;
  }
  get demo(): Demo {
    return this.demoValue;
  }
  get stats(): MachineStats {
    return this.sampler.latest;
  }
  get guestGl(): GuestGlInfo | null {
    return this.glParser.info;
  }
  get manifest(): GuestManifest | null {
    return this.manifestValue;
  }
  get emulator(): Emulator | null {
    return this.emulatorValue;
  }
  get gpu(): VirtioGpu | null {
    return this.device?.() ?? null;
  }
  get gpuClient(): GpuClient | null {
    return this.machineGpu?.gpuClient ?? null;
  }
  get virgl(): MachineVirgl | null {
    return this.virglValue;
  }

  on<K extends keyof MachineEvents>(type: K, listener: (value: MachineEvents[K]) => void): () => void {
    return this.events.on(type, listener);
  }

  serialText(): string {
    return this.serialLog.all();
  }

  sendSerial(text: string): void {
    this.emulatorValue?.serial.send(text);
  }

  private setPhase(phase: MachinePhase, detail: string): void {
    this.phaseValue = phase;
    this.events.emit("phase", { phase, detail });
  }

  private fail(error: unknown): MachineError {
    const e = toMachineError(error);
    this.stopBootProgress();
    if (this.phaseValue !== "failed") {
      this.errorValue = e;
      this.setPhase("failed", e.title);
      this.events.emit("error", e);
      console.error(`webvirgl: ${e.title}: ${e.detail}`);
    }
    return e;
  }

  // ---- control -----------------------------------------------------------------------------------

  /** Runs control operations one after another (a reset must not overlap a boot). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => {});
    return run;
  }

  start(): Promise<void> {
    return this.serial(async () => {
      this.checkNotDisposed();
      const emulator = this.emulatorValue;
      if (emulator && this.phaseValue === "paused") {
        await emulator.run();
        this.setPhase(this.timings.initMarker === null ? "booting" : "running", "Resumed");
      } else if (!emulator || this.phaseValue === "stopped" || this.phaseValue === "failed") {
        await this.rebuild();
      }
    });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      const emulator = this.emulatorValue;
      if (!emulator || !emulator.isRunning()) return;
      await emulator.stop();
      this.setPhase("paused", "Paused");
    });
  }

  reset(): Promise<void> {
    return this.serial(async () => {
      this.checkNotDisposed();
      // A reset is a real reboot (the way out of anything, a bad snapshot included).
      await this.rebuild({ cold: true });
    });
  }

  setDemo(name: DemoName): Promise<void> {
    if (!isDemoName(name)) return Promise.reject(new MachineError("bad-option", `Unknown demo "${String(name)}"`, `demos: ${DEMO_NAMES.join(", ")}`));
    return this.serial(async () => {
      this.checkNotDisposed();
      this.demoValue = getDemo(name);
      await this.rebuild();
    });
  }

  async screenshot(): Promise<Blob> {
    const client = this.machineGpu?.gpuClient;
    if (client && this.scanoutActive) return client.screenshot();
    const vga = this.screen.vgaCanvas;
    if (vga && vga.width > 0 && vga.style.display !== "none") {
      return new Promise((resolve, reject) =>
        vga.toBlob((blob) => (blob ? resolve(blob) : reject(new MachineError("internal", "Screenshot failed", "the VGA canvas gave no PNG"))), "image/png"),
      );
    }
    throw new MachineError("internal", "No screen image yet", "the guest has not set a virtio-gpu scanout or a VGA graphics mode");
  }

  dispose(): Promise<void> {
    return this.serial(async () => {
      if (this.disposed) return;
      this.disposed = true;
      if (this.statsTimer) clearInterval(this.statsTimer);
      await this.teardown();
      this.machineGpu?.gpuClient.dispose();
      this.setPhase("idle", "Disposed");
    });
  }

  /** The record a boot of the current demo would restore: the one with the demo running, else the shell one. */
  async snapshotInfo(): Promise<SnapshotInfo | null> {
    const base = this.snapshotConfigValue;
    if (!this.snapshots || !base) return null;
    for (const point of this.snapshotPoints()) {
      const info = await this.snapshots.info({ ...base, point });
      if (info) return info;
    }
    return null;
  }

  /** Deletes every stored webvirgl snapshot (shell and running-demo ones). */
  async discardSnapshot(): Promise<void> {
    if (this.snapshots) await this.snapshots.discard();
  }

  /** Save points a boot of the current demo may restore, preferred first. */
  private snapshotPoints(): SnapshotPoint[] {
    const demoPoint = demoSnapshotPoint(this.demoValue);
    return demoPoint ? [demoPoint, "shell"] : ["shell"];
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new MachineError("bad-option", "The machine was disposed", "create a new one");
  }

  // ---- boot --------------------------------------------------------------------------------------

  /** Tears the current PC down (if any) and boots a new one with the current demo (`cold`: never from a snapshot). */
  private async rebuild(options: { cold?: boolean } = {}): Promise<void> {
    await this.teardown();
    this.errorValue = null;
    try {
      await this.boot(options.cold ?? false);
    } catch (error) {
      throw this.fail(error);
    }
  }

  private async teardown(): Promise<void> {
    this.stopBootProgress();
    this.savePoint = null;
    this.drawsAtRunBegin = null;
    if (this.demoCapture) clearTimeout(this.demoCapture.timer);
    this.demoCapture = null;
    const emulator = this.emulatorValue;
    const device = this.device?.() ?? null;
    const virgl = this.virglValue;
    this.emulatorValue = null;
    this.device = null;
    this.virglValue = null;
    if (!emulator) return;
    await emulator.stop();
    // Frees the device's resources on the worker too (presenter textures, virgl contexts) before
    // the next device reuses the same worker and resource ids.
    if (device) {
      this.bytes2DBefore += device.stats.commands.bytesTransferred;
      device.reset();
    }
    await emulator.destroy();
    // The port outlives the module (one worker across boots): drop the module's error listener.
    virgl?.module.dispose();
    this.scanoutActive = false;
    this.screen.setGpuScanoutActive(false);
  }

  private guestBaseUrl(): string {
    return this.options.guestBaseUrl ?? `${import.meta.env.BASE_URL}guest/`;
  }

  private loadImages(): Promise<FetchedGuestImages> {
    this.images ??= fetchGuestImages(this.guestBaseUrl(), (p) =>
      this.events.emit("progress", { stage: "download", label: p.file, loaded: p.loaded, total: p.total, fraction: p.total ? p.loaded / p.total : null }),
    );
    // A failed download is retried by the next start(), not remembered.
    this.images.catch(() => {
      this.images = null;
    });
    return this.images;
  }

  private async boot(cold: boolean): Promise<void> {
    this.timings.bootStarted = performance.now();
    this.timings.restored = null;
    this.timings.firstFrame = null;
    this.setPhase("downloading", "Downloading guest images…");
    if (this.snapshots && !cold && (await this.tryRestore())) return;
    const images = await this.loadImages();
    this.manifestValue = images.manifest;
    this.timings.imagesLoaded ??= performance.now();
    this.checkNotDisposed();
    const gpu = this.machineGpu ?? (await this.gpuReady!);
    const memorySize = this.memorySizeFor(images.initrd.byteLength);
    this.snapshotConfigValue = this.snapshotConfigFor(images.manifest, memorySize, gpu);

    // With snapshots on and none stored, a cold boot goes to the shell, is saved there, and the
    // demo is typed in; a reset with one stored boots the demo directly.
    const saving = this.snapshotConfigValue !== null && (!cold || (await this.snapshotInfo().catch(() => null)) === null);
    const cmdline = saving ? this.snapshotConfigValue!.cmdline : buildKernelCmdline([...demoKernelArgs(this.demoValue), ...this.extraKernelArgs(gpu)]);
    // A demo saved running needs the virgl call log from the device reset on.
    const demoPoint = saving ? demoSnapshotPoint(this.demoValue) : null;
    this.setPhase("starting", "Starting the emulator…");
    const emulator = await this.newPc(gpu, images, cmdline, memorySize, true, demoPoint !== null);
    if (saving) this.savePoint = new SavePoint((text) => this.sendSerial(text), () => void this.saveAndStartDemo(emulator, demoPoint));
    this.bootSource = "cold";
    this.timings.emulatorStarted = emulator.startedAt;
    if (this.phaseValue === "starting") this.setPhase("booting", "Booting Linux…");
    this.startBootProgress();
    this.events.emit("started", { count: this.bootCount, source: "cold" });
  }

  private extraKernelArgs(gpu: MachineGpu): string[] {
    // Without VIRGL the guest's Mesa must take the software path (kms_swrast/softpipe into dumb buffers).
    return [gpu.port ? "" : "webvirgl.gl=softpipe", this.options.cmdline ?? ""];
  }

  private memorySizeFor(initrdBytes: number): number {
    return (this.options.memoryMiB ?? Math.max(256, 2 ** Math.ceil(Math.log2(64 + initrdBytes / MiB)))) * MiB;
  }

  /** The config this machine's snapshots are stored under (the shell boot's command line), or null with snapshots off. */
  private snapshotConfigFor(manifest: GuestManifest, memorySize: number, gpu: MachineGpu): SnapshotConfig | null {
    if (!this.snapshots || !manifest.version) return null;
    const shellCmdline = buildKernelCmdline([guestRunArg("shell"), ...this.extraKernelArgs(gpu)]);
    return snapshotConfig(manifest.version, memorySize, gpu.port ? gpu.gpuClient.virglCaps : null, shellCmdline);
  }

  /** Builds a PC (v86 + this boot's devices) around the machine's GPU worker. */
  private async newPc(gpu: MachineGpu, images: FetchedGuestImages, cmdline: string, memorySize: number, autostart: boolean, record: boolean): Promise<Emulator> {
    const devices = bootDevices(gpu, { record });
    this.serialLog = new SerialLog();
    this.line = "";
    this.glParser.reset();
    this.timings.emulatorStarted = null;
    this.timings.initMarker = null;
    this.cmdline = cmdline;
    this.bootCount++;
    this.events.emit("boot", { count: this.bootCount, demo: this.demoValue.name, cmdline });
    const emulator = await createEmulator({
      wasm: this.options.v86WasmUrl ?? v86WasmUrl,
      bios: images.bios,
      vgaBios: images.vgaBios,
      bzimage: images.bzimage,
      initrd: images.initrd,
      cmdline,
      memorySize,
      autostart,
      screenContainer: this.screen.newVgaContainer(),
      devices: devices.factories,
      onSerialByte: (byte) => this.serialByte(byte),
    });
    this.emulatorValue = emulator;
    this.device = devices.gpu;
    this.virglValue = devices.virgl;
    emulator.onReboot(() => {
      this.stopBootProgress();
      this.setPhase("stopped", "The guest rebooted: the PC is stopped (reset to boot again)");
    });
    return emulator;
  }

  // ---- instant start (snapshot-*.ts) -------------------------------------------------------------

  /**
   * Restores a stored snapshot if one fits: the one with the demo running, else the shell one;
   * false when there is none or they failed (then the caller boots cold). A snapshot that fails
   * to load is reported (`snapshotError`), deleted, and the next candidate is tried. Only the
   * manifest, BIOSes and kernel are fetched (fetchRestoreImages).
   */
  private async tryRestore(): Promise<boolean> {
    const base = this.guestBaseUrl();
    const since = () => performance.now() - (this.timings.bootStarted ?? 0);
    let manifest: GuestManifest;
    try {
      manifest = await fetchManifest(base);
    } catch {
      return false; // the cold path fetches it again and reports the failure
    }
    this.restoreSteps.manifest = since();
    const gpu = this.machineGpu ?? (await this.gpuReady!);
    this.restoreSteps.gpuReady = since();
    if (manifest.initrd.size === null) return false;
    const shellConfig = (this.snapshotConfigValue = this.snapshotConfigFor(manifest, this.memorySizeFor(manifest.initrd.size), gpu));
    if (!shellConfig) return false;
    let images: Promise<FetchedGuestImages> | null = null;
    const points = this.snapshotPoints();
    for (const point of points) {
      const config: SnapshotConfig = { ...shellConfig, point };
      if (!(await this.snapshots?.info(config).catch(() => null))) continue;
      let stored: Awaited<ReturnType<Machine["readSnapshot"]>>;
      try {
        images ??= fetchRestoreImages(base, manifest);
        [stored] = await Promise.all([this.readSnapshot(config), images]);
      } catch {
        return false;
      }
      if (!stored) continue;
      this.manifestValue = manifest;
      this.timings.imagesLoaded ??= performance.now();
      this.restoreSteps.snapshotRead = since();
      try {
        // From the shell snapshot, a demo that can be saved running records its calls to be saved once it runs.
        await this.bootFromSnapshot(gpu, await images, stored.record, stored.readMs, point === "shell" && points[0] !== "shell" ? points[0] : null);
        return true;
      } catch (error) {
        // A snapshot that does not load must not block the machine: forget it, try the next one or boot cold.
        this.snapshotError("restore", error);
        await this.teardown();
        this.timings.restored = null;
        this.timings.firstFrame = null;
        await this.snapshots?.discard(config).catch(() => {});
      }
    }
    return false;
  }

  private async readSnapshot(config: SnapshotConfig): Promise<{ record: SnapshotRecord; readMs: number } | null> {
    if (!this.snapshots) return null;
    const t0 = performance.now();
    try {
      const record = await this.snapshots.find(config);
      return record ? { record, readMs: performance.now() - t0 } : null;
    } catch (error) {
      // An unreadable record (e.g. its state Blob was lost when the page closed right after
      // writing it) would fail every visit: delete it, the next candidate or a cold boot follows.
      this.snapshotError("read", `${error instanceof Error ? error.message : String(error)} (the stored snapshot is deleted)`);
      await this.snapshots.discard(config).catch(() => {});
      return null;
    }
  }

  /**
   * Builds a PC from a snapshot. A shell snapshot gets the demo typed in (and, with `demoPoint`,
   * records the virgl calls to save the demo running later); a running-demo snapshot replays its
   * virgl call log into the worker and just continues, the demo's saved serial output shown again.
   */
  private async bootFromSnapshot(gpu: MachineGpu, images: FetchedGuestImages, record: SnapshotRecord, readMs: number, demoPoint: SnapshotPoint | null): Promise<void> {
    const running = record.config.point !== "shell";
    this.setPhase("starting", running ? `Restoring the snapshot (${this.demoValue.title} running)…` : "Restoring the snapshot…");
    const since = () => performance.now() - (this.timings.bootStarted ?? 0);
    const emulator = await this.newPc(gpu, images, record.config.cmdline, record.memorySize, false, demoPoint !== null);
    this.restoreSteps.pcBuilt = since();
    const device = this.device?.();
    if (!device) throw new Error("snapshot restore: the emulator did not create the virtio-gpu");
    await restoreState(emulator, device, record);
    this.restoreSteps.stateRestored = since();
    // The guest runs while the worker finishes the replay: what it sends next queues behind the
    // replayed calls in the one ordered stream. A replay that went wrong shows a moment later
    // (its report settles after a worker fence); the throw then tears this PC down and the caller
    // falls back to the next snapshot or a cold boot.
    const replayed = this.virglValue?.module.restored ?? null;
    if (running && record.serialTail) for (const byte of new TextEncoder().encode(record.serialTail)) this.serialByte(byte);
    await emulator.run();
    const at = performance.now();
    const ms = at - (this.timings.bootStarted ?? at);
    this.bootSource = "snapshot";
    this.timings.emulatorStarted = emulator.startedAt;
    this.timings.initMarker = at;
    this.timings.restored = at;
    this.setPhase("running", `Restored from snapshot${running ? ` (${this.demoValue.title} running)` : ""} in ${(ms / 1000).toFixed(1)} s`);
    this.events.emit("started", { count: this.bootCount, source: "snapshot" });
    const replay = replayed ? await replayed : null;
    if (replay && replay.errors > replay.expectedErrors) {
      throw new Error(`virgl call log replay (${replay.calls} calls): ${replay.errors} renderer errors, ${replay.expectedErrors} when recorded; first: ${replay.firstError ?? "?"}`);
    }
    this.events.emit("restored", { at, ms, readMs, bytes: record.v86State.byteLength, point: record.config.point, replay, steps: { ...this.restoreSteps } });
    if (running) return;
    this.sendSerial(demoCommandLine(this.demoValue));
    if (demoPoint) this.armDemoCapture(emulator, demoPoint);
  }

  /**
   * At the save point of a cold boot: capture, start the demo, then write the snapshot. With
   * `demoPoint` the demo is saved again once it runs (armDemoCapture); the shell snapshot stays
   * for other demos and as the fallback when that fails.
   */
  private async saveAndStartDemo(emulator: Emulator, demoPoint: SnapshotPoint | null): Promise<void> {
    this.savePoint = null;
    const device = this.device?.();
    const config = this.snapshotConfigValue;
    let demoStarted = false;
    const startDemo = () => {
      if (demoStarted || this.emulatorValue !== emulator) return;
      demoStarted = true;
      this.sendSerial(demoCommandLine(this.demoValue));
      if (demoPoint) this.armDemoCapture(emulator, demoPoint);
    };
    try {
      if (!device || !config || !this.snapshots) return;
      const detail = "Saving a snapshot for instant start…";
      this.setPhase("running", detail);
      const t0 = performance.now();
      // Queued like any control call: a reset or stop waits for the capture (or runs before it).
      const state = await this.serial(async () => (this.emulatorValue === emulator ? captureState(emulator, device) : null));
      if (!state) return;
      const pauseMs = performance.now() - t0;
      startDemo();
      const t1 = performance.now();
      const info = await this.snapshots.save({ config, savedAt: Date.now(), memorySize: config.memoryMiB * MiB, ...state });
      this.events.emit("snapshotSaved", { ...info, point: config.point, pauseMs, writeMs: performance.now() - t1 });
      if (this.emulatorValue === emulator && this.phaseValue === "running") this.setPhase("running", `Snapshot saved (${Math.round(info.bytes / MiB)} MB): the next visit starts from it`);
    } catch (error) {
      this.snapshotError("save", error);
    } finally {
      startDemo();
    }
  }

  /** Waits for the demo (typed in, virgl calls recorded) to present DEMO_CAPTURE_FRAMES frames, then saves it running. */
  private armDemoCapture(emulator: Emulator, point: SnapshotPoint): void {
    if (this.demoCapture) clearTimeout(this.demoCapture.timer);
    const timer = setTimeout(() => this.abandonDemoCapture(`it presented no ${DEMO_CAPTURE_FRAMES} frames within ${DEMO_CAPTURE_TIMEOUT_MS / 1000} s`), DEMO_CAPTURE_TIMEOUT_MS);
    this.demoCapture = { emulator, module: this.virglValue?.module ?? null, point, frames: 0, serialFrom: this.serialLog.all().length, timer };
  }

  private demoFramePresented(): void {
    const capture = this.demoCapture;
    if (!capture || this.timings.firstFrame === null || ++capture.frames < DEMO_CAPTURE_FRAMES) return;
    clearTimeout(capture.timer);
    this.demoCapture = null;
    void this.saveRunningDemo(capture);
  }

  private abandonDemoCapture(reason: string): void {
    const capture = this.demoCapture;
    if (!capture) return;
    clearTimeout(capture.timer);
    this.demoCapture = null;
    capture.module?.stopRecording();
    this.snapshotError("save", `no snapshot with ${this.demoValue.name} running: ${reason} (the shell snapshot stays in use)`);
  }

  /** Captures the PC with the demo running (virgl call log included) and stores it under the demo's save point. */
  private async saveRunningDemo(capture: DemoCapture): Promise<void> {
    const device = this.device?.();
    const base = this.snapshotConfigValue;
    try {
      if (!device || !base || !this.snapshots || this.emulatorValue !== capture.emulator) return;
      const t0 = performance.now();
      const state = await this.serial(async () => (this.emulatorValue === capture.emulator ? captureState(capture.emulator, device) : null));
      if (!state) return;
      const pauseMs = performance.now() - t0;
      // The log is in the captured state now: free it and stop logging.
      capture.module?.stopRecording();
      const serialText = this.serialLog.all();
      const serialTail = serialText.slice(Math.min(capture.serialFrom, serialText.length)).slice(-SERIAL_TAIL_CHARS);
      const config: SnapshotConfig = { ...base, point: capture.point };
      const t1 = performance.now();
      const info = await this.snapshots.save({ config, savedAt: Date.now(), memorySize: config.memoryMiB * MiB, serialTail, ...state });
      this.events.emit("snapshotSaved", { ...info, point: capture.point, pauseMs, writeMs: performance.now() - t1 });
      if (this.emulatorValue === capture.emulator && this.phaseValue === "running") {
        this.setPhase("running", `Snapshot with ${this.demoValue.title} running saved (${Math.round(info.bytes / MiB)} MB): the next visit starts in it`);
      }
    } catch (error) {
      this.snapshotError("save", `no snapshot with ${this.demoValue.name} running: ${error instanceof Error ? error.message : String(error)} (the shell snapshot stays in use)`);
    } finally {
      capture.module?.stopRecording();
    }
  }

  private snapshotError(operation: "save" | "restore" | "read", error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    console.warn(`webvirgl: snapshot ${operation} failed: ${message}`);
    this.events.emit("snapshotError", { operation, message });
  }

  private checkFirstFrame(): void {
    if (this.timings.firstFrame !== null || this.drawsAtRunBegin === null || !this.demoValue.graphical) return;
    const traffic = this.machineGpu?.counting?.traffic;
    if (traffic && traffic.draws <= this.drawsAtRunBegin) return;
    const at = performance.now();
    this.timings.firstFrame = at;
    this.events.emit("firstFrame", { at, sinceBootMs: at - (this.timings.bootStarted ?? at), source: this.bootSource ?? "cold", demo: this.demoValue.name });
  }

  private serialByte(byte: number): void {
    this.line += this.serialLog.push(byte);
    this.events.emit("serial", byte);
    // The shell prompt ends in "# " and has no newline.
    if (byte === 0x20) this.savePoint?.partial(this.line);
    if (byte !== 0x0a) return;
    const line = this.line;
    this.line = "";
    this.savePoint?.line(line);
    if (line.includes(INIT_MARKER) && this.timings.initMarker === null) {
      this.timings.initMarker = performance.now();
      const seconds = (this.timings.initMarker - (this.timings.emulatorStarted ?? 0)) / 1000;
      this.events.emit("guest", { type: "init" });
      this.setPhase("running", `Guest running (/init after ${seconds.toFixed(1)} s)`);
      this.bootProgress("/init started", 0.8);
    }
    const begin = /WEBVIRGL-RUN-BEGIN (\S+)/.exec(line);
    if (begin) {
      if (begin[1] === this.demoValue.run) this.drawsAtRunBegin = this.machineGpu?.counting?.traffic.draws ?? 0;
      this.events.emit("guest", { type: "run-begin", name: begin[1] });
      this.bootProgress(`running ${begin[1]}`, 1);
      this.stopBootProgress();
    }
    const end = /WEBVIRGL-RUN-END (\S+) status=(\d+)/.exec(line);
    if (end) {
      this.events.emit("guest", { type: "run-end", name: end[1], status: Number(end[2]) });
      if (end[1] === this.demoValue.run) this.abandonDemoCapture(`it ended (status ${end[2]}) before it was saved`);
    }
    if (this.glParser.pushLine(line.replace(/\n$/, "")) && this.glParser.info) this.events.emit("guestGl", this.glParser.info);
  }

  private bootProgress(label: string, fraction: number): void {
    this.events.emit("progress", { stage: "boot", label, loaded: Math.round(fraction * 100), total: 100, fraction });
  }

  /** Before /init speaks there is nothing to measure: the bar follows the expected boot time. */
  private startBootProgress(): void {
    this.stopBootProgress();
    const started = performance.now();
    this.bootTimer = setInterval(() => {
      if (this.timings.initMarker !== null) return;
      this.bootProgress("booting Linux", Math.min(0.75, (0.75 * (performance.now() - started)) / EXPECTED_BOOT_MS));
    }, 500);
  }

  private stopBootProgress(): void {
    if (this.bootTimer) clearInterval(this.bootTimer);
    this.bootTimer = null;
  }
}

/** A pending save of the demo running (Machine.armDemoCapture). */
interface DemoCapture {
  emulator: Emulator;
  /** This boot's 3D module (recording its calls), null on the 2D path. */
  module: VirglModule | null;
  point: SnapshotPoint;
  /** Frames presented since the demo's first frame. */
  frames: number;
  /** serialText() length when the demo was typed in. */
  serialFrom: number;
  timer: ReturnType<typeof setTimeout>;
}
