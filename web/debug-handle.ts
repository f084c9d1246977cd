/**
 * `window.webvirgl`: a small handle for tests, benchmarks and the devtools console.
 * Not an API for the page's own modules (they get what they need passed in).
 */
import type { Emulator } from "../src/emulator/emulator.ts";
import type { GuestManifest } from "../src/emulator/guest-manifest.ts";
import type { VirtioGpu } from "../src/gpu/index.ts";
import type { GpuClient } from "../src/worker/gpu-client.ts";
import type { MachineVirgl } from "../src/machine/devices.ts";
import type { MachineFirstFrame, MachinePhase, MachineRestored, MachineSnapshotSaved, MachineTimings, VirtualGpuMachine } from "../src/machine/machine.ts";

/** "checking" until the machine exists; then the machine's phase (idle, downloading, …, paused, stopped, failed). */
export type PagePhase = "checking" | MachinePhase;

/** Milliseconds since navigation start (performance.now()): the machine's timings (src/machine MachineTimings). */
export type PageTimings = MachineTimings;

export interface WebvirglDebugHandle {
  /** The page's machine (src/machine): what the UI drives; null until created. The fields below follow it across resets. */
  readonly machine: VirtualGpuMachine | null;
  emulator: Emulator | null;
  /** The virtio-gpu device model (stats, setDisplaySize) and the GPU worker client (readback, stats). */
  gpu: VirtioGpu | null;
  gpuClient: GpuClient | null;
  /** The virgl 3D module (module.stats: contexts, submits, errored contexts) and its port (port.stats(): the worker's renderer); null on the 2D path. */
  virgl: MachineVirgl | null;
  manifest: GuestManifest | null;
  phase: PagePhase;
  error: string | null;
  timings: PageTimings;
  /** The latest instant-start events of the page's machine (for tests and benchmarks). */
  instantStart: { restored: MachineRestored | null; saved: MachineSnapshotSaved | null; firstFrame: MachineFirstFrame | null };
  /** Everything the guest printed on ttyS0 so far. */
  serialText(): string;
  /** Types into the guest's ttyS0 (as if typed into the terminal). */
  sendSerial(text: string): void;
}

declare global {
  interface Window {
    webvirgl?: WebvirglDebugHandle;
  }
}

export function installDebugHandle(handle: WebvirglDebugHandle): void {
  window.webvirgl = handle;
}
