/**
 * Device models the page plugs into the emulated PC (before the BIOS enumerates PCI): the
 * virtio-gpu, drawing through the GPU worker into the page's display canvas.
 */
import type { DeviceFactory } from "../src/emulator/device.ts";
import { createVirtioGpu, type VirtioGpu } from "../src/gpu/index.ts";
import { GpuClient } from "../src/worker/gpu-client.ts";

export interface PageDevices {
  factories: DeviceFactory[];
  gpuClient: GpuClient;
  /** Set once the emulator has called the factory. */
  gpu(): VirtioGpu | null;
}

/** Starts the GPU worker on `canvas` (WebGL2 in the worker) and returns the device factories. */
export async function createPageDevices(canvas: HTMLCanvasElement): Promise<PageDevices> {
  const gpuClient = await GpuClient.create(canvas, { statsIntervalMs: 1000 });
  let gpu: VirtioGpu | null = null;
  const gpuFactory: DeviceFactory = (context) => {
    gpu = createVirtioGpu({ pciHost: context.pciHost, memory: context.memory, backend: gpuClient, log: context.log });
    return gpu;
  };
  return { factories: [gpuFactory], gpuClient, gpu: () => gpu };
}
