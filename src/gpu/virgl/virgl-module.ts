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
import { Virgl3DState } from "./resources-3d.ts";
import type { VirglCapsets, VirglPort } from "./virgl-port.ts";

/** Module log lines per device reset; later ones are counted only (a looping guest must not flood the console). */
const MAX_LOG_LINES = 100;

export interface VirglModuleOptions {
  port: VirglPort;
  capsets: VirglCapsets;
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
  /** Stops listening to the port (a port that outlives this module, e.g. one worker across boots). */
  dispose(): void;
}

/** Empty contexts (no resources, no submits): all a savable module holds. */
interface VirglModuleSnapshot {
  contexts: { id: number; name: string }[];
}

function readModuleSnapshot(value: unknown): VirglModuleSnapshot {
  const contexts = (value as Partial<VirglModuleSnapshot> | null)?.contexts;
  if (!Array.isArray(contexts) || !contexts.every((c) => Number.isInteger(c?.id) && c.id > 0 && typeof c.name === "string")) {
    throw new Error(`virgl: restore: snapshot ${JSON.stringify(value)} is not { contexts: { id, name }[] }`);
  }
  return { contexts };
}

export function createVirglModule(options: VirglModuleOptions): VirglModule {
  const { port, capsets } = options;
  if (capsets.v1.length !== CAPSETS[0].size || capsets.v2.length !== CAPSETS[1].size) {
    throw new RangeError(`virtio-gpu: virgl capsets are ${capsets.v1.length}/${capsets.v2.length} bytes, need ${CAPSETS[0].size}/${CAPSETS[1].size}`);
  }
  const v3d = new Virgl3DState();
  const counters: Virgl3DCounters = { submits: 0, submitErrors: 0, transfersToHost: 0, transfersFromHost: 0, fences: 0, droppedBackingWrites: 0, asyncErrors: 0 };
  let epoch = 0;
  let logged = 0;
  let state: GpuState | null = null;
  const log = (message: string) => {
    if (logged >= MAX_LOG_LINES) return;
    logged++;
    state?.log(`virgl: ${message}${logged === MAX_LOG_LINES ? " (further virgl messages suppressed until reset)" : ""}`);
  };

  const unsubscribe = port.onError((error) => {
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
      port.reset();
    },
    dispose(): void {
      unsubscribe();
    },
    saveBlocker(): string | null {
      // GL objects live in the GPU worker's WebGL context, which no snapshot holds. Before any
      // submit or 3D resource there are at most empty contexts (Linux creates one for its fbdev
      // client when it attaches the console's dumb buffer): those are re-created on restore.
      if (v3d.resources.size === 0 && counters.submits === 0) return null;
      return `${v3d.resources.size} 3D resources and ${counters.submits} submits so far (3D state lives in the GPU worker; save before any GL program runs)`;
    },
    saveState(): VirglModuleSnapshot {
      return { contexts: [...v3d.contexts.values()].map((c) => ({ id: c.id, name: c.name })) };
    },
    restoreState(snapshot: unknown): void {
      for (const { id, name } of readModuleSnapshot(snapshot).contexts) {
        v3d.contexts.set(id, { id, name, attached: new Set(), firstError: null });
        port.createContext(id, name);
      }
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
