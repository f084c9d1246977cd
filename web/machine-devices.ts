/**
 * Device models the page plugs into the emulated PC (before the BIOS enumerates PCI): the
 * virtio-gpu, drawing through the GPU worker into the page's display canvas, with the virgl 3D
 * module when the worker's renderer came up (its capsets are read from the worker's real WebGL2
 * context before the guest boots, and the device is created with them).
 */
import type { DeviceFactory } from "../src/emulator/device.ts";
import { createVirtioGpu, type VirtioGpu } from "../src/gpu/index.ts";
import { createVirglModule, type VirglModule } from "../src/gpu/virgl/index.ts";
import { GpuClient } from "../src/worker/gpu-client.ts";
import { WorkerVirglPort } from "../src/worker/virgl-port-client.ts";

export interface PageDeviceOptions {
  /** Offer virgl 3D (VIRTIO_GPU_F_VIRGL). false = 2D device only (`?virgl=0`). Default true. */
  virgl?: boolean;
}

export interface PageVirgl {
  module: VirglModule;
  port: WorkerVirglPort;
}

export interface PageDevices {
  factories: DeviceFactory[];
  gpuClient: GpuClient;
  /** Set once the emulator has called the factory. */
  gpu(): VirtioGpu | null;
  /** The 3D module and its port to the worker; null on the 2D-only path. */
  virgl: PageVirgl | null;
}

/** Starts the GPU worker on `canvas` (WebGL2 in the worker) and returns the device factories. */
export async function createPageDevices(canvas: HTMLCanvasElement, options: PageDeviceOptions = {}): Promise<PageDevices> {
  const wantVirgl = options.virgl ?? true;
  // create() resolves after the worker's `ready`, which carries the renderer's capsets.
  const gpuClient = await GpuClient.create(canvas, { statsIntervalMs: 1000, virgl: wantVirgl });
  let virgl: PageVirgl | null = null;
  if (wantVirgl && gpuClient.virglCaps) {
    const port = new WorkerVirglPort(gpuClient);
    virgl = { port, module: createVirglModule({ port, capsets: gpuClient.virglCaps }) };
  } else if (wantVirgl) {
    console.warn(`webvirgl: virgl renderer unavailable, the virtio-gpu offers 2D only: ${gpuClient.virglError ?? "no capsets"}`);
  }
  let gpu: VirtioGpu | null = null;
  const gpuFactory: DeviceFactory = (context) => {
    gpu = createVirtioGpu({ pciHost: context.pciHost, memory: context.memory, backend: gpuClient, log: context.log, modules: virgl ? [virgl.module] : [] });
    return gpu;
  };
  return { factories: [gpuFactory], gpuClient, gpu: () => gpu, virgl };
}
