/**
 * The device's VirglPort over GpuClient: each call becomes a virgl message in GpuClient's single
 * ordered stream (so 3D work, 2D uploads and flushes reach the worker in guest order); requests
 * that need an answer get an id and resolve on the matching virglReply.
 *
 * No answer, no hang: the worker answers even requests it could not handle (gpu-worker.ts), but
 * a worker that died, or a reply lost any other way, would leave the guest request (and every
 * fenced request behind it) waiting forever. A watchdog answers a request left unanswered for
 * `replyTimeoutMs` with an error naming it; a late reply is then ignored.
 */
import type { Rect } from "../gpu/scanout-backend.ts";
import type { GatheredChunk, TransferArgs, VirglError, VirglPort, VirglReply } from "../gpu/virgl/virgl-port.ts";
import type { ResourceDesc } from "../virgl/resource-desc.ts";
import type { GpuClient } from "./gpu-client.ts";
import type { VirglHostStats } from "./virgl-protocol.ts";

/** How long a request may wait for the worker before the watchdog answers it with an error (ms). */
export const DEFAULT_REPLY_TIMEOUT_MS = 30_000;

interface WaitingRequest {
  resolve: (reply: VirglReply) => void;
  what: string;
  sentAt: number;
}

export interface WorkerVirglPortOptions {
  replyTimeoutMs?: number;
  /** Clock in ms (tests); default performance.now(). */
  now?: () => number;
}

export class WorkerVirglPort implements VirglPort {
  private nextId = 1;
  private readonly waiting = new Map<number, WaitingRequest>();
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private readonly replyTimeoutMs: number;
  private readonly now: () => number;
  /** Requests the watchdog answered (the worker never did). */
  timedOut = 0;
  private readonly statsWaiting = new Map<number, (stats: VirglHostStats) => void>();
  private readonly errorListeners = new Set<(e: VirglError) => void>();

  constructor(
    private readonly client: GpuClient,
    options: WorkerVirglPortOptions = {},
  ) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.now = options.now ?? (() => performance.now());
    client.onVirglMessage((m) => {
      if (m.type === "virglReply") {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        w?.resolve({ backingWrites: m.backingWrites, error: m.error });
      } else if (m.type === "virglError") {
        for (const l of this.errorListeners) l(m.error);
      } else {
        const resolve = this.statsWaiting.get(m.id);
        this.statsWaiting.delete(m.id);
        resolve?.(m.stats);
      }
    });
  }

  /** Requests awaiting a reply (for the debug handle). */
  get pending(): number {
    return this.waiting.size;
  }

  private request(what: string, send: (id: number) => void): Promise<VirglReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve, what, sentAt: this.now() });
      send(id);
      this.armWatchdog();
    });
  }

  private armWatchdog(): void {
    if (this.watchdog !== null || this.waiting.size === 0) return;
    // Map order is insertion order: the first entry is the oldest request.
    const oldest = this.waiting.values().next().value as WaitingRequest;
    const due = Math.max(0, oldest.sentAt + this.replyTimeoutMs - this.now());
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      this.expire();
      this.armWatchdog();
    }, due + 1);
  }

  /** Answers every request older than the timeout with an error. */
  expire(): void {
    const now = this.now();
    for (const [id, w] of this.waiting) {
      const age = now - w.sentAt;
      if (age < this.replyTimeoutMs) break;
      this.waiting.delete(id);
      this.timedOut++;
      const message = `no answer from the GPU worker within ${Math.round(age)} ms (request ${id}); answering the guest with an error`;
      w.resolve({ backingWrites: [], error: { ctx: 0, cmd: w.what, offset: -1, message } });
    }
  }

  createContext(ctxId: number, name: string): void {
    this.client.sendVirgl({ type: "virglCreateContext", ctxId, name });
  }
  destroyContext(ctxId: number): void {
    this.client.sendVirgl({ type: "virglDestroyContext", ctxId });
  }
  createResource(desc: ResourceDesc): void {
    this.client.sendVirgl({ type: "virglCreateResource", desc: { ...desc } });
  }
  unrefResource(res: number): void {
    this.client.sendVirgl({ type: "virglUnrefResource", res });
  }
  attachResource(ctxId: number, res: number): void {
    this.client.sendVirgl({ type: "virglAttachResource", ctxId, res });
  }
  detachResource(ctxId: number, res: number): void {
    this.client.sendVirgl({ type: "virglDetachResource", ctxId, res });
  }
  transferToHost(args: TransferArgs, bytes: Uint8Array | null): void {
    this.client.sendVirgl({ type: "virglTransferToHost", args, bytes }, bytes ? [bytes.buffer] : []);
  }
  transferFromHost(args: TransferArgs, fence: boolean): Promise<VirglReply> {
    return this.request("TRANSFER_FROM_HOST_3D", (id) => this.client.sendVirgl({ type: "virglTransferFromHost", id, args, fence }));
  }
  submit(ctxId: number, words: Uint32Array, chunks: GatheredChunk[], fence: boolean): Promise<VirglReply> {
    // The device copied words and chunks out of guest RAM into fresh buffers: transfer them.
    const buffers = new Set<ArrayBuffer>();
    for (const b of [words.buffer, ...chunks.map((c) => c.bytes.buffer)]) if (b instanceof ArrayBuffer) buffers.add(b);
    return this.request(`SUBMIT_3D ctx ${ctxId}`, (id) => this.client.sendVirgl({ type: "virglSubmit", id, ctxId, words, chunks, fence }, [...buffers]));
  }
  fence(): Promise<VirglReply> {
    return this.request("fence", (id) => this.client.sendVirgl({ type: "virglFence", id }));
  }
  setScanout(scanoutId: number, res: number, rect: Rect): void {
    this.client.sendVirgl({ type: "virglSetScanout", scanoutId, res, rect: { ...rect } });
  }
  flush(res: number, rect: Rect): void {
    this.client.flushVirgl(res, rect);
  }
  reset(): void {
    // Answers to earlier work are dropped by the device (epoch); forget them here too.
    this.waiting.clear();
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.client.sendVirgl({ type: "virglReset" });
  }
  onError(listener: (error: VirglError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** The worker side's renderer stats (live GL objects per kind, contexts, resources, fences). */
  stats(): Promise<VirglHostStats> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.statsWaiting.set(id, resolve);
      this.client.sendVirgl({ type: "virglStats", id });
    });
  }
}
