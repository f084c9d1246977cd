export { createVirtioGpu, DEFAULT_GPU_PCI_ID } from "./create-virtio-gpu.ts";
export type { CreateVirtioGpuOptions, VirtioGpu, VirtioGpuSnapshot, VirtioGpuStats } from "./create-virtio-gpu.ts";
export type { CommandSpec, CtrlHeader, GpuCommand, GpuCommandHandler, GpuResponse } from "./command-table.ts";
export type { DisplaySize } from "./scanouts.ts";
export type { ResourceLimits } from "./resource-table.ts";
export { DEFAULT_RESOURCE_LIMITS } from "./resource-table.ts";
export type { GpuModule } from "./gpu-device.ts";
export type { GpuState, GpuCounters } from "./gpu-state.ts";
export { CommandTable, ok, okWith, fail } from "./command-table.ts";
