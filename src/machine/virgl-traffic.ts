/**
 * Counts the virgl traffic between the device's 3D module and the renderer by wrapping its
 * VirglPort: commands and draws (walking the SUBMIT_3D words' command headers), bytes uploaded
 * (TRANSFER_TO_HOST_3D + the ranges submits gather from guest pages) and fences in flight. The
 * counting happens here, beside the device, so neither the device nor the renderer changes.
 */
import type { GatheredChunk, TransferArgs, VirglPort, VirglReply } from "../gpu/virgl/virgl-port.ts";
import type { Rect } from "../gpu/scanout-backend.ts";
import type { ResourceDesc } from "../virgl/resource-desc.ts";

/** Monotonic totals since the port was wrapped (they survive device resets). */
export interface VirglTraffic {
  submits: number;
  /** virgl commands in all submits (NOPs excluded). */
  commands: number;
  /** DRAW_VBO commands. */
  draws: number;
  /** CLEAR commands. */
  clears: number;
  /** Bytes sent to the renderer: TRANSFER_TO_HOST_3D + data submits read from guest pages. */
  uploadBytes: number;
  /** Work the guest waits on (fenced submits/transfers, fences) not answered yet. */
  fencesInFlight: number;
}

const CMD_NOP = 0;
const CMD_CLEAR = 7;
const CMD_DRAW_VBO = 8;

/** Counts commands in a virgl command stream: each header is `cmd | obj << 8 | length << 16`. */
export function countCommands(words: Uint32Array): { commands: number; draws: number; clears: number } {
  let commands = 0;
  let draws = 0;
  let clears = 0;
  for (let i = 0; i < words.length; ) {
    const header = words[i];
    const cmd = header & 0xff;
    if (cmd !== CMD_NOP) commands++;
    if (cmd === CMD_DRAW_VBO) draws++;
    else if (cmd === CMD_CLEAR) clears++;
    i += 1 + (header >>> 16);
  }
  return { commands, draws, clears };
}

export class CountingVirglPort implements VirglPort {
  readonly traffic: VirglTraffic = { submits: 0, commands: 0, draws: 0, clears: 0, uploadBytes: 0, fencesInFlight: 0 };

  constructor(readonly inner: VirglPort) {}

  private track(reply: Promise<VirglReply>, fenced: boolean): Promise<VirglReply> {
    if (!fenced) return reply;
    this.traffic.fencesInFlight++;
    const done = () => {
      this.traffic.fencesInFlight = Math.max(0, this.traffic.fencesInFlight - 1);
    };
    reply.then(done, done);
    return reply;
  }

  createContext(ctxId: number, name: string): void {
    this.inner.createContext(ctxId, name);
  }
  destroyContext(ctxId: number): void {
    this.inner.destroyContext(ctxId);
  }
  createResource(desc: ResourceDesc): void {
    this.inner.createResource(desc);
  }
  unrefResource(res: number): void {
    this.inner.unrefResource(res);
  }
  attachResource(ctxId: number, res: number): void {
    this.inner.attachResource(ctxId, res);
  }
  detachResource(ctxId: number, res: number): void {
    this.inner.detachResource(ctxId, res);
  }
  transferToHost(args: TransferArgs, bytes: Uint8Array | null): void {
    // Counted before the call: the inner port transfers (detaches) the buffer.
    if (bytes) this.traffic.uploadBytes += bytes.byteLength;
    this.inner.transferToHost(args, bytes);
  }
  transferFromHost(args: TransferArgs, fence: boolean): Promise<VirglReply> {
    return this.track(this.inner.transferFromHost(args, fence), fence);
  }
  submit(ctxId: number, words: Uint32Array, chunks: GatheredChunk[], fence: boolean): Promise<VirglReply> {
    const counts = countCommands(words);
    this.traffic.submits++;
    this.traffic.commands += counts.commands;
    this.traffic.draws += counts.draws;
    this.traffic.clears += counts.clears;
    for (const chunk of chunks) this.traffic.uploadBytes += chunk.bytes.byteLength;
    return this.track(this.inner.submit(ctxId, words, chunks, fence), fence);
  }
  fence(): Promise<VirglReply> {
    return this.track(this.inner.fence(), true);
  }
  setScanout(scanoutId: number, res: number, rect: Rect): void {
    this.inner.setScanout(scanoutId, res, rect);
  }
  flush(res: number, rect: Rect): void {
    this.inner.flush(res, rect);
  }
  reset(): void {
    // The device drops answers to earlier work on reset; so do we (they may never come).
    this.traffic.fencesInFlight = 0;
    this.inner.reset();
  }
  onError(listener: Parameters<VirglPort["onError"]>[0]): () => void {
    return this.inner.onError(listener);
  }
}
