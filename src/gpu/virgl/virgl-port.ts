/**
 * What the device's 3D module needs from wherever the VirglRenderer runs (the GPU worker via
 * GpuClient in the page; a fake in tests). Creation, attachment and TO_HOST transfers are
 * fire-and-forget messages in one ordered stream (the device has validated them; the renderer's
 * own failures come back through onError). Work whose result the guest must see (submits,
 * FROM_HOST transfers, fences) answers with a Promise.
 */
import type { Rect } from "../scanout-backend.ts";
import type { Box3, ResourceDesc } from "../../virgl/resource-desc.ts";
import type { BackingWrite, VirglError } from "../../virgl/renderer.ts";

export type { BackingWrite, VirglError };

/** A range of a resource's backing copied out of guest pages before a submit (planSubmit reads). */
export interface GatheredChunk {
  res: number;
  offset: number;
  bytes: Uint8Array;
}

/** TRANSFER_TO_HOST_3D / FROM_HOST_3D arguments, validated by the device. */
export interface TransferArgs {
  ctxId: number;
  res: number;
  level: number;
  box: Box3;
  offset: number;
  stride: number;
  layerStride: number;
}

export interface VirglReply {
  /** Guest-memory updates, in command order: the device writes them into backing pages before answering. */
  backingWrites: BackingWrite[];
  /** The renderer's first error for this piece of work (command + field + value), or null. */
  error: VirglError | null;
}

export interface VirglPort {
  createContext(ctxId: number, name: string): void;
  destroyContext(ctxId: number): void;
  createResource(desc: ResourceDesc): void;
  unrefResource(res: number): void;
  attachResource(ctxId: number, res: number): void;
  detachResource(ctxId: number, res: number): void;
  /** `bytes` = exactly the transfer's backing range (transferGeometry(...).bytes), or null for staging buffers. */
  transferToHost(args: TransferArgs, bytes: Uint8Array | null): void;
  /** Resolves with the readback as backingWrites; with `fence`, only after the GL work before it finished. */
  transferFromHost(args: TransferArgs, fence: boolean): Promise<VirglReply>;
  /** Runs a SUBMIT_3D stream; `chunks` hold every range planSubmit said it reads. With `fence`, resolves after a GL fence signalled. */
  submit(ctxId: number, words: Uint32Array, chunks: GatheredChunk[], fence: boolean): Promise<VirglReply>;
  /** Resolves once all work sent so far has finished on the GL side (fenceSync polled). */
  fence(): Promise<VirglReply>;
  /** Shows a 3D resource (its rect) on a scanout. */
  setScanout(scanoutId: number, res: number, rect: Rect): void;
  /** Presents the flushed rect of a 3D resource (copied from the renderer's texture at this point of the stream). */
  flush(res: number, rect: Rect): void;
  /** Device reset: destroy every context and 3D resource. */
  reset(): void;
  /** Errors of fire-and-forget work (the device logs them and marks the context). */
  onError(listener: (error: VirglError) => void): () => void;
}

/** The renderer's capability sets, read from the real WebGL2 context before the guest boots. */
export interface VirglCapsets {
  /** struct virgl_caps_v1, 308 bytes. */
  v1: Uint8Array;
  /** struct virgl_caps_v2, 1376 bytes. */
  v2: Uint8Array;
}
