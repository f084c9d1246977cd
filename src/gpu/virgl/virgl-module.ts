/**
 * The virtio-gpu 3D module: plugs the virgl command set into the device through the GpuModule
 * hook. Offers VIRTIO_GPU_F_VIRGL and two capsets (VIRGL, VIRGL2) whose bytes come from the
 * renderer's real WebGL2 context, so the page must fetch them from the GPU worker before the
 * guest boots and create the device with them.
 */
import type { CommandTable } from "../command-table.ts";
import type { GpuModule } from "../gpu-device.ts";
import type { GpuState } from "../gpu-state.ts";
import { VIRTIO_GPU_F_VIRGL } from "../protocol.ts";
import { formatVirglError, register3DCommands, type Module3DContext, type Virgl3DCounters } from "./commands-3d.ts";
import { CAPSETS } from "./protocol-3d.ts";
import { replayLog } from "./recorded-log.ts";
import { DEFAULT_RECORDING_CAP_BYTES, RecordingVirglPort, type RecordingState } from "./recording-port.ts";
import { Virgl3DState } from "./resources-3d.ts";
import { readVirglSnapshot, restoreVirglTables, saveVirglTables } from "./virgl-snapshot.ts";
import type { VirglCapsets, VirglError, VirglPort } from "./virgl-port.ts";

/** Module log lines per device reset; later ones are counted only (a looping guest must not flood the console). */
const MAX_LOG_LINES = 100;

export interface VirglModuleOptions {
  port: VirglPort;
  capsets: VirglCapsets;
  /**
   * Log every state-changing port call from the device reset on (recording-port.ts), so the
   * device can be saved with 3D state: the log replaces the GL state in the snapshot. Past
   * `maxBytes` (default 64 MiB) the log is dropped and saving is refused until the next reset.
   */
  record?: boolean | { maxBytes: number };
  /**
   * Where restoreState replays a saved log (default: `port`). The machine passes the worker port
   * without its traffic counters, so replayed work does not count as guest traffic. Ignored while
   * recording: then the replay goes through the recorder and starts the new log.
   */
  replayPort?: VirglPort;
}

/** How a restore's replay went (VirglModule.restored). */
export interface VirglReplayReport {
  /** Calls replayed. */
  calls: number;
  /** Renderer errors during the replay (submit replies + asynchronous errors). */
  errors: number;
  /** Errors the recorded work produced when it first ran. */
  expectedErrors: number;
  firstError: string | null;
  ms: number;
}

export interface VirglModuleStats extends Virgl3DCounters {
  contexts: number;
  resources: number;
  hostBytes: number;
  /** Contexts whose submits hit a renderer error, with the first error. */
  erroredContexts: { ctx: number; name: string; error: string }[];
}

export interface VirglModule extends GpuModule {
  readonly stats: VirglModuleStats;
  /** Recording state (null when the module was created without `record`). */
  readonly recording: { state: RecordingState; bytes: number; calls: number } | null;
  /** Never record again and free the log (after the snapshot was taken, or given up). */
  stopRecording(): void;
  /** The last restoreState's replay, settled once the renderer finished it (null before any restore). */
  readonly restored: Promise<VirglReplayReport> | null;
  /** Stops listening to the port (a port that outlives this module, e.g. one worker across boots). */
  dispose(): void;
}

export function createVirglModule(options: VirglModuleOptions): VirglModule {
  const { capsets } = options;
  if (capsets.v1.length !== CAPSETS[0].size || capsets.v2.length !== CAPSETS[1].size) {
    throw new RangeError(`virtio-gpu: virgl capsets are ${capsets.v1.length}/${capsets.v2.length} bytes, need ${CAPSETS[0].size}/${CAPSETS[1].size}`);
  }
  const recordCap = typeof options.record === "object" ? options.record.maxBytes : DEFAULT_RECORDING_CAP_BYTES;
  const recorder = options.record ? new RecordingVirglPort(options.port, recordCap) : null;
  // Everything the commands send goes through the recorder when there is one.
  const port: VirglPort = recorder ?? options.port;
  const v3d = new Virgl3DState();
  const counters: Virgl3DCounters = { submits: 0, submitErrors: 0, transfersToHost: 0, transfersFromHost: 0, fences: 0, droppedBackingWrites: 0, asyncErrors: 0 };
  let epoch = 0;
  let logged = 0;
  let state: GpuState | null = null;
  let restored: Promise<VirglReplayReport> | null = null;
  /** Set while a restore's replay runs: renderer errors then belong to the replay, not the guest. */
  let replay: { errors: number; firstError: string | null } | null = null;
  const replayError = (r: NonNullable<typeof replay>, error: VirglError) => {
    r.errors++;
    r.firstError ??= formatVirglError(error);
  };
  const log = (message: string) => {
    if (logged >= MAX_LOG_LINES) return;
    logged++;
    state?.log(`virgl: ${message}${logged === MAX_LOG_LINES ? " (further virgl messages suppressed until reset)" : ""}`);
  };

  const unsubscribe = port.onError((error) => {
    if (replay) return replayError(replay, error);
    counters.asyncErrors++;
    const ctx = v3d.contexts.get(error.ctx);
    if (ctx && !ctx.firstError) ctx.firstError = error;
    log(`renderer: ${formatVirglError(error)}`);
  });

  return {
    name: "virgl",
    features: 1n << BigInt(VIRTIO_GPU_F_VIRGL),
    numCapsets: CAPSETS.length,
    register(table: CommandTable, gpu: GpuState): void {
      state = gpu;
      const m: Module3DContext = { gpu, v3d, port, capsets, epoch: () => epoch, log, counters };
      register3DCommands(table, m);
    },
    reset(): void {
      // Device reset / reboot: answers still on their way must not touch guest RAM (epoch), and
      // the renderer drops every context and resource (its live GL object counts go to zero).
      epoch++;
      logged = 0;
      v3d.clear();
      replay = null;
      port.reset();
    },
    dispose(): void {
      unsubscribe();
      recorder?.dispose();
    },
    get recording() {
      return recorder && { state: recorder.state, bytes: recorder.bytes, calls: recorder.entries().length };
    },
    stopRecording(): void {
      recorder?.stop();
    },
    get restored() {
      return restored;
    },
    saveBlocker(): string | null {
      if (recorder?.state === "recording") return null;
      if (recorder?.state === "overflowed") return `the virgl call log passed its ${recordCap}-byte cap (a snapshot with 3D state needs it)`;
      // GL objects live in the GPU worker's WebGL context, which no snapshot holds. Without a
      // call log only empty contexts (Linux creates one for its fbdev client when it attaches
      // the console's dumb buffer) can be re-created on restore.
      if (v3d.resources.size === 0 && counters.submits === 0) return null;
      return `${v3d.resources.size} 3D resources and ${counters.submits} submits so far and no call log (3D state lives in the GPU worker)`;
    },
    saveState(): unknown {
      if (!state) throw new Error("virgl: saveState before the device was attached");
      const recorded = recorder?.state === "recording";
      return saveVirglTables(v3d, state, recorded ? recorder.entries() : null, recorded ? recorder.errors : 0);
    },
    restoreState(snapshot: unknown): void {
      if (!state) throw new Error("virgl: restoreState before the device was attached");
      const gpu = state;
      // Validate everything first: a bad snapshot must not leave half-built tables.
      const saved = readVirglSnapshot(snapshot, gpu, recordCap);
      restoreVirglTables(v3d, gpu, saved);
      const target = recorder ?? options.replayPort ?? options.port;
      const t0 = performance.now();
      const report = { errors: 0, firstError: null as string | null };
      replay = report;
      let replies: Promise<{ error: VirglError | null }>[] = [];
      if (saved.log) replies = replayLog(saved.log, target);
      else for (const c of saved.contexts) target.createContext(c.id, c.name);
      for (const { scanoutId, res, rect } of saved.scanouts) {
        target.setScanout(scanoutId, res, rect);
        target.flush(res, rect);
      }
      const countReplies = Promise.all(replies.map((p) => p.then((r) => r.error && replayError(report, r.error))));
      // The fence answers after everything sent before it ran (and its asynchronous errors arrived).
      restored = Promise.all([countReplies, target.fence()]).then(
        () => ({ calls: saved.log?.length ?? saved.contexts.length, errors: report.errors, expectedErrors: saved.logErrors, firstError: report.firstError, ms: performance.now() - t0 }),
      ).finally(() => {
        if (replay === report) replay = null;
      });
    },
    get stats(): VirglModuleStats {
      return {
        ...counters,
        contexts: v3d.contexts.size,
        resources: v3d.resources.size,
        hostBytes: v3d.hostBytes,
        erroredContexts: [...v3d.contexts.values()].filter((c) => c.firstError).map((c) => ({ ctx: c.id, name: c.name, error: formatVirglError(c.firstError!) })),
      };
    },
  };
}
