/**
 * The devices the machine plugs into the emulated PC: the virtio-gpu drawing through the GPU
 * worker, with the virgl 3D module when the worker's renderer came up (its capsets are read from
 * the worker's real WebGL2 context before the guest boots, and the device is created with them).
 *
 * The worker and the virgl port live as long as the machine; each boot gets a new device and 3D
 * module (v86 cannot reboot a direct kernel boot, so a reset builds a new PC around them).
 */
import type { DeviceFactory } from "../emulator/device.ts";
import { createVirtioGpu, type VirtioGpu } from "../gpu/index.ts";
import { createVirglModule, type VirglModule } from "../gpu/virgl/index.ts";
import { GpuClient } from "../worker/gpu-client.ts";
import { WorkerVirglPort } from "../worker/virgl-port-client.ts";
import { CountingVirglPort } from "./virgl-traffic.ts";

export interface MachineVirgl {
  module: VirglModule;
  /** The port to the worker's renderer (`port.stats()`: its live GL objects, contexts, fences). */
  port: WorkerVirglPort;
  /** The same port with traffic counters (what the module talks to). */
  counting: CountingVirglPort;
}

export interface MachineGpu {
  gpuClient: GpuClient;
  /** Null on the 2D-only path (asked for, or the worker's renderer failed: `virglError`). */
  port: WorkerVirglPort | null;
  counting: CountingVirglPort | null;
  virglError: string | null;
}

/** Starts the GPU worker on `canvas` (WebGL2 in the worker); resolves with its virgl caps known. */
export async function startGpu(canvas: HTMLCanvasElement, wantVirgl: boolean): Promise<MachineGpu> {
  // create() resolves after the worker's `ready`, which carries the renderer's capsets.
  const gpuClient = await GpuClient.create(canvas, { statsIntervalMs: 1000, virgl: wantVirgl });
  if (wantVirgl && gpuClient.virglCaps) {
    const port = new WorkerVirglPort(gpuClient);
    return { gpuClient, port, counting: new CountingVirglPort(port), virglError: null };
  }
  const virglError = wantVirgl ? (gpuClient.virglError ?? "the worker reported no capsets") : null;
  if (virglError) console.warn(`webvirgl: virgl renderer unavailable, the virtio-gpu offers 2D only: ${virglError}`);
  return { gpuClient, port: null, counting: null, virglError };
}

export interface BootDevices {
  factories: DeviceFactory[];
  /** Set once the emulator has called the factory. */
  gpu(): VirtioGpu | null;
  virgl: MachineVirgl | null;
}

/**
 * Device factories for one boot. `record`: the 3D module logs its calls so this boot can be saved
 * with 3D state (a snapshot with the demo running). A restore replays a saved log into the worker
 * port directly, past the traffic counters: replayed work is not guest traffic.
 */
export function bootDevices(gpu: MachineGpu, options: { record?: boolean } = {}): BootDevices {
  const virgl: MachineVirgl | null =
    gpu.port && gpu.counting && gpu.gpuClient.virglCaps
      ? {
          port: gpu.port,
          counting: gpu.counting,
          module: createVirglModule({ port: gpu.counting, capsets: gpu.gpuClient.virglCaps, record: options.record ?? false, replayPort: gpu.port }),
        }
      : null;
  let device: VirtioGpu | null = null;
  const gpuFactory: DeviceFactory = (context) => {
    device = createVirtioGpu({ pciHost: context.pciHost, memory: context.memory, backend: gpu.gpuClient, log: context.log, modules: virgl ? [virgl.module] : [] });
    return device;
  };
  return { factories: [gpuFactory], gpu: () => device, virgl };
}
