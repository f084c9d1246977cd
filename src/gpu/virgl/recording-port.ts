/**
 * A VirglPort decorator that logs every state-changing call (recorded-log.ts) on its way to the
 * renderer, so a snapshot can carry the log and a restore can rebuild the worker's GL state by
 * replaying it. Payloads are copied before they are forwarded: the worker port transfers
 * (detaches) the buffers it sends.
 *
 * The log starts over at every device reset (`reset()`: the renderer drops everything too). Past
 * `maxBytes` it is dropped and the port stops recording until the next reset ("overflowed"); after
 * `stop()` it never records again (the snapshot was taken, or the machine gave up on it).
 */
import type { Rect } from "../scanout-backend.ts";
import type { ResourceDesc } from "../../virgl/resource-desc.ts";
import { recordedCallBytes, type RecordedCall } from "./recorded-log.ts";
import type { GatheredChunk, TransferArgs, VirglError, VirglPort, VirglReply } from "./virgl-port.ts";

export type RecordingState = "recording" | "overflowed" | "stopped";

/** Default cap: a few kmscube frames take well under 1 MiB; texture-heavy programs take more. */
export const DEFAULT_RECORDING_CAP_BYTES = 64 * 1024 * 1024;

export class RecordingVirglPort implements VirglPort {
  private log: RecordedCall[] = [];
  private bytesValue = 0;
  private stateValue: RecordingState = "recording";
  /** Renderer errors of recorded work since the log started (a faithful replay reproduces them). */
  private errorsValue = 0;
  private readonly unsubscribe: () => void;

  constructor(
    readonly inner: VirglPort,
    readonly maxBytes = DEFAULT_RECORDING_CAP_BYTES,
  ) {
    this.unsubscribe = inner.onError(() => {
      if (this.stateValue === "recording") this.errorsValue++;
    });
  }

  /** Stops recording and listening to the inner port (which may outlive this one). */
  dispose(): void {
    this.stop();
    this.unsubscribe();
  }

  get state(): RecordingState {
    return this.stateValue;
  }
  get bytes(): number {
    return this.bytesValue;
  }
  get errors(): number {
    return this.errorsValue;
  }
  /** The calls so far (a copy of the list; entries are not copied again). Empty unless recording. */
  entries(): RecordedCall[] {
    return this.log.slice();
  }

  /** Never record again (frees the log). */
  stop(): void {
    this.stateValue = "stopped";
    this.drop();
  }

  private drop(): void {
    this.log = [];
    this.bytesValue = 0;
    this.errorsValue = 0;
  }

  private record(call: RecordedCall): void {
    if (this.stateValue !== "recording") return;
    this.bytesValue += recordedCallBytes(call);
    if (this.bytesValue > this.maxBytes) {
      this.drop();
      this.stateValue = "overflowed";
      return;
    }
    this.log.push(call);
  }

  private countError(reply: Promise<VirglReply>): Promise<VirglReply> {
    if (this.stateValue !== "recording") return reply;
    const state = { log: this.log };
    return reply.then((r) => {
      // Only errors of work in the current log (not one dropped by a reset meanwhile).
      if (r.error && this.log === state.log && this.stateValue === "recording") this.errorsValue++;
      return r;
    });
  }

  createContext(ctxId: number, name: string): void {
    this.record({ op: "createContext", ctxId, name });
    this.inner.createContext(ctxId, name);
  }
  destroyContext(ctxId: number): void {
    this.record({ op: "destroyContext", ctxId });
    this.inner.destroyContext(ctxId);
  }
  createResource(desc: ResourceDesc): void {
    this.record({ op: "createResource", desc: { ...desc } });
    this.inner.createResource(desc);
  }
  unrefResource(res: number): void {
    this.record({ op: "unrefResource", res });
    this.inner.unrefResource(res);
  }
  attachResource(ctxId: number, res: number): void {
    this.record({ op: "attachResource", ctxId, res });
    this.inner.attachResource(ctxId, res);
  }
  detachResource(ctxId: number, res: number): void {
    this.record({ op: "detachResource", ctxId, res });
    this.inner.detachResource(ctxId, res);
  }
  transferToHost(args: TransferArgs, bytes: Uint8Array | null): void {
    if (this.stateValue === "recording") this.record({ op: "transferToHost", args: { ...args, box: { ...args.box } }, bytes: bytes ? bytes.slice() : null });
    this.inner.transferToHost(args, bytes);
  }
  transferFromHost(args: TransferArgs, fence: boolean): Promise<VirglReply> {
    // A readback changes no host state: not logged.
    return this.inner.transferFromHost(args, fence);
  }
  submit(ctxId: number, words: Uint32Array, chunks: GatheredChunk[], fence: boolean): Promise<VirglReply> {
    if (this.stateValue === "recording") {
      this.record({ op: "submit", ctxId, words: words.slice(), chunks: chunks.map((c) => ({ res: c.res, offset: c.offset, bytes: c.bytes.slice() })) });
    }
    return this.countError(this.inner.submit(ctxId, words, chunks, fence));
  }
  fence(): Promise<VirglReply> {
    return this.inner.fence();
  }
  setScanout(scanoutId: number, res: number, rect: Rect): void {
    this.record({ op: "setScanout", scanoutId, res, rect: { ...rect } });
    this.inner.setScanout(scanoutId, res, rect);
  }
  flush(res: number, rect: Rect): void {
    this.record({ op: "flush", res, rect: { ...rect } });
    this.inner.flush(res, rect);
  }
  reset(): void {
    // The renderer drops every context and resource: the log starts over (unless stopped for good).
    this.drop();
    if (this.stateValue === "overflowed") this.stateValue = "recording";
    this.inner.reset();
  }
  onError(listener: (error: VirglError) => void): () => void {
    return this.inner.onError(listener);
  }
}
