export { createVirglModule, type VirglModule, type VirglModuleOptions, type VirglModuleStats, type VirglReplayReport } from "./virgl-module.ts";
export type { GatheredChunk, TransferArgs, VirglCapsets, VirglPort, VirglReply } from "./virgl-port.ts";
export { CAPSETS, CAPSET_VIRGL, CAPSET_VIRGL2 } from "./protocol-3d.ts";
export { RecordingVirglPort, DEFAULT_RECORDING_CAP_BYTES, type RecordingState } from "./recording-port.ts";
