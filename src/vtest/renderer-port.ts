// The narrow interface between a vtest session and whatever executes virgl command streams.
// Implementations: RecordingPort (recording-port.ts; in-memory, for capture and tests) and, later,
// a bridge to the WebGL2 renderer running in headless Chromium. Every method may return a
// promise: the session processes one message at a time and awaits each call in order.

import type { ResourceDesc, TransferDesc } from "./protocol.ts";

export type MaybePromise<T> = T | Promise<T>;

/** virgl capset ids (`VIRTIO_GPU_CAPSET_VIRGL{,2}`). */
export type CapsetId = 1 | 2;

export interface ContextInfo {
  /** Name sent by the client in CREATE_RENDERER (process name, or a .shader_test path). */
  name: string;
  /** Unique per server process, starting at 1. */
  sessionId: number;
  /** Negotiated vtest protocol version. */
  protocolVersion: number;
}

/** One client's rendering context. Resource handles are chosen by the client. */
export interface RendererContext {
  /** Raw capset bytes (308 for capset 1, 1376 for capset 2 as Mesa 22.3 expects). */
  getCaps(capset: CapsetId): MaybePromise<Uint8Array>;
  createResource(desc: ResourceDesc): MaybePromise<void>;
  unrefResource(handle: number): MaybePromise<void>;
  /** Upload: `data` holds `transfer.dataSize` bytes laid out with the transfer's stride/layerStride. */
  transferPut(transfer: TransferDesc, data: Uint8Array): MaybePromise<void>;
  /** Readback: must return exactly `transfer.dataSize` bytes (the client reads that many). */
  transferGet(transfer: TransferDesc): MaybePromise<Uint8Array>;
  /** One SUBMIT_CMD: a virgl command stream (virgl-protocol.md section 3). */
  submit(commands: Uint32Array): MaybePromise<void>;
  /** RESOURCE_BUSY_WAIT: with `wait`, return only after all submitted work finished. Returns busy. */
  busyWait(handle: number, wait: boolean): MaybePromise<boolean>;
  /** The client went away (cleanly or not). Free everything it owned. */
  destroy(): MaybePromise<void>;
}

export interface RendererPort {
  createContext(info: ContextInfo): MaybePromise<RendererContext>;
  /** Server shutdown. */
  close?(): MaybePromise<void>;
}
