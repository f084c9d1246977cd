/** webvirgl as a library: a virtual PC with a virtio-gpu (virgl 3D) that renders into your page. */
export { createVirtualGpuMachine, checkMachineOptions } from "./machine.ts";
export type { VirtualGpuMachine, VirtualGpuMachineOptions, MachinePhase, MachineProgress, MachineEvents, MachineTimings, GuestEvent } from "./machine.ts";
export type { BootSource, SnapshotMode, MachineFirstFrame, MachineRestored, MachineSnapshotSaved } from "./machine.ts";
export { SnapshotStore, MemorySnapshotStorage, snapshotKey, type SnapshotConfig, type SnapshotInfo, type SnapshotPoint, type SnapshotRecord, type SnapshotStorage } from "./snapshot-store.ts";
export { IdbSnapshotStorage } from "./snapshot-idb.ts";
export { DEMOS, DEMO_NAMES, getDemo, isDemoName, demoKernelArgs, type Demo, type DemoName } from "./demos.ts";
export { MachineError, toMachineError, type MachineErrorKind } from "./errors.ts";
export type { MachineStats } from "./machine-stats.ts";
export type { GuestGlInfo } from "./guest-gl-info.ts";
export type { ScreenSource, MachineScreen } from "./machine-screen.ts";
export type { MachineVirgl } from "./devices.ts";
export { countCommands, CountingVirglPort, type VirglTraffic } from "./virgl-traffic.ts";
export { findMissingFeatures, type MissingFeature } from "./browser-support.ts";
