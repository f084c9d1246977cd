/**
 * Instant start for one machine: when to save (SavePoint follows the guest to its shell prompt),
 * how to capture the PC (v86 state + virtio-gpu state while the CPU is stopped) and how to put a
 * stored snapshot into a freshly built PC. The machine (machine.ts) decides which path a boot takes.
 */
import type { Emulator } from "../emulator/emulator.ts";
import type { FetchedGuestImages } from "../emulator/fetch-guest-images.ts";
import { fetchImage } from "../emulator/fetch-image.ts";
import type { GuestManifest } from "../emulator/guest-manifest.ts";
import type { VirtioGpu, VirtioGpuSnapshot } from "../gpu/index.ts";
import type { VirglCapsets } from "../gpu/virgl/index.ts";
import type { Demo } from "./demos.ts";
import { demoCommandLine, isShellPrompt, prepareSnapshotCommandLine, SNAPSHOT_READY_MARKER } from "./snapshot-guest.ts";
import { hashBytes, hashString, type SnapshotConfig, type SnapshotPoint } from "./snapshot-store.ts";

/** The device's display at boot (createVirtioGpu's default; the page changes it only after boot). */
export const SNAPSHOT_DISPLAY = { width: 1024, height: 768 } as const;

export function capsHash(caps: VirglCapsets | null): string {
  if (!caps) return "nocaps";
  const bytes = new Uint8Array(caps.v1.length + caps.v2.length);
  bytes.set(caps.v1, 0);
  bytes.set(caps.v2, caps.v1.length);
  return hashBytes(bytes);
}

export function snapshotConfig(imageVersion: string, memorySize: number, caps: VirglCapsets | null, cmdline: string, point: SnapshotPoint = "shell"): SnapshotConfig {
  return { imageVersion, memoryMiB: memorySize / (1024 * 1024), virgl: caps !== null, display: { ...SNAPSHOT_DISPLAY }, capsHash: capsHash(caps), cmdline, point };
}

/**
 * The save point of a snapshot taken with this demo running, or null for demos that are not
 * saved while they run (they end, print results, or were not tried): those restore the shell
 * snapshot and are typed in. The hash covers the demo's command line (program + arguments).
 */
export function demoSnapshotPoint(demo: Demo): SnapshotPoint | null {
  return demo.snapshotRunning ? `demo:${demo.name}:${hashString(demoCommandLine(demo))}` : null;
}

/** Extra kernel arguments that choose the guest program themselves: such boots are not snapshotted. */
export function cmdlineOverridesRun(extra: string): boolean {
  return /(^|\s)webvirgl\.(run|args)=/.test(extra);
}

export interface CapturedState {
  v86State: ArrayBuffer;
  gpuState: VirtioGpuSnapshot;
}

export interface CaptureOptions {
  /** Stop/settle tries before giving up (default 10). */
  attempts?: number;
  /** How long to wait, CPU stopped, for the device's requests in flight to be answered (default 250 ms). */
  settleMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stops the CPU, saves v86 and the virtio-gpu, and resumes. Only a quiescent device can be saved
 * (the transport refuses while requests are in flight: their answers could not be replayed):
 * with the CPU stopped no new request arrives and the renderer's answers to earlier ones still
 * come in, so it waits for them; if some are still out after `settleMs`, it resumes the guest for
 * a moment and tries again, `attempts` times, then throws. Also throws (after resuming) when the
 * device cannot be saved, e.g. 3D state without a call log.
 */
export async function captureState(emulator: Emulator, gpu: VirtioGpu, options: CaptureOptions = {}): Promise<CapturedState> {
  const attempts = options.attempts ?? 10;
  const settleMs = options.settleMs ?? 250;
  let inFlight = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await emulator.stop();
    try {
      const deadline = performance.now() + settleMs;
      while ((inFlight = gpu.transport.requestsInFlight) > 0 && performance.now() < deadline) await sleep(4);
      if (inFlight === 0) {
        const gpuState = gpu.saveState();
        const v86State = await emulator.v86.save_state();
        return { v86State, gpuState };
      }
    } finally {
      await emulator.run();
    }
    await sleep(25 * attempt);
  }
  throw new Error(`snapshot capture: the virtio-gpu never settled: ${inFlight} requests still in flight after ${attempts} tries of ${settleMs} ms with the CPU stopped`);
}

/** Loads a snapshot into a PC built with the snapshot's memory size and not yet started. */
export async function restoreState(emulator: Emulator, gpu: VirtioGpu, state: CapturedState): Promise<void> {
  if (emulator.isRunning()) throw new Error("snapshot restore: the CPU is already running");
  await emulator.v86.restore_state(state.v86State);
  // After v86 (guest RAM is back): the device re-reads its framebuffers from it.
  gpu.restoreState(state.gpuState);
}

type SavePointStage = "shell" | "prepare" | "ready" | "done";

/**
 * Follows a `webvirgl.run=shell` boot to the point to save at: the first prompt after /init
 * started the shell, then (after typing the free-RAM zeroing command) the prompt after the ready
 * marker. `onReady` runs once, with the shell idle at its prompt.
 */
export class SavePoint {
  private stage: SavePointStage = "shell";

  constructor(
    private readonly send: (text: string) => void,
    private readonly onReady: () => void,
  ) {}

  get done(): boolean {
    return this.stage === "done";
  }

  /** A complete serial line (with its newline). */
  line(line: string): void {
    if (this.stage === "prepare" && line.includes(SNAPSHOT_READY_MARKER)) this.stage = "ready";
  }

  /** The serial line so far (called as bytes arrive). */
  partial(text: string): void {
    if (!isShellPrompt(text)) return;
    if (this.stage === "shell") {
      this.stage = "prepare";
      this.send(prepareSnapshotCommandLine());
    } else if (this.stage === "ready") {
      this.stage = "done";
      this.onReady();
    }
  }
}

/**
 * What a restore needs from the guest directory: the manifest and the BIOSes. Neither the kernel
 * (5.7 MB) nor the initramfs (45 MB) is fetched: v86 copies them into guest RAM at start-up and the
 * restore overwrites guest RAM anyway, so small stand-ins take their place (v86 skips a kernel
 * without the boot-protocol magic).
 */
export async function fetchRestoreImages(baseUrl: string, manifest: GuestManifest): Promise<FetchedGuestImages> {
  const base = baseUrl.replace(/\/?$/, "/");
  const [bios, vgaBios] = await Promise.all([manifest.bios, manifest.vgaBios].map((f) => fetchImage(`${base}${f.name}`, undefined, f.size ?? undefined)));
  return { manifest, bios: bios!, vgaBios: vgaBios!, bzimage: new ArrayBuffer(4096), initrd: new ArrayBuffer(4096) };
}
