/**
 * A VirglPort that records every call and answers submits / readbacks / fences only when the
 * test says so (asynchronous completion, like the GPU worker).
 */
import type { Rect } from "../../scanout-backend.ts";
import type { ResourceDesc } from "../../../virgl/resource-desc.ts";
import type { RecordedCall } from "../recorded-log.ts";
import type { GatheredChunk, TransferArgs, VirglError, VirglPort, VirglReply } from "../virgl-port.ts";

/** What the fake records: the logged calls of a recording (submits go to `pending`), plus reset. */
export type PortCall = Exclude<RecordedCall, { op: "submit" }> | { op: "reset" };

export interface PendingWork {
  kind: "submit" | "transferFromHost" | "fence";
  ctxId?: number;
  words?: Uint32Array;
  chunks?: GatheredChunk[];
  args?: TransferArgs;
  fence: boolean;
  resolve(reply?: Partial<VirglReply>): void;
}

export class FakeVirglPort implements VirglPort {
  calls: PortCall[] = [];
  readonly pending: PendingWork[] = [];
  private readonly errorListeners = new Set<(e: VirglError) => void>();

  /**
   * `autoAnswer`: every request resolves with no writes (a headless stand-in for the renderer),
   * at once or, with `{ delayMs }`, that much later.
   */
  constructor(private readonly autoAnswer: boolean | { delayMs: number } = false) {}

  take(): PortCall[] {
    const out = this.calls;
    this.calls = [];
    return out;
  }

  /** Answers the oldest outstanding request. */
  answer(reply: Partial<VirglReply> = {}): PendingWork {
    const w = this.pending.shift();
    if (!w) throw new Error("nothing pending");
    w.resolve(reply);
    return w;
  }

  emitError(e: VirglError): void {
    for (const l of this.errorListeners) l(e);
  }

  private later(work: Omit<PendingWork, "resolve">): Promise<VirglReply> {
    if (this.autoAnswer) {
      const reply: VirglReply = { backingWrites: [], error: null };
      const delayMs = this.autoAnswer === true ? 0 : this.autoAnswer.delayMs;
      return delayMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(reply), delayMs)) : Promise.resolve(reply);
    }
    return new Promise((resolve) => {
      this.pending.push({ ...work, resolve: (r = {}) => resolve({ backingWrites: r.backingWrites ?? [], error: r.error ?? null }) });
    });
  }

  createContext(ctxId: number, name: string): void {
    this.calls.push({ op: "createContext", ctxId, name });
  }
  destroyContext(ctxId: number): void {
    this.calls.push({ op: "destroyContext", ctxId });
  }
  createResource(desc: ResourceDesc): void {
    this.calls.push({ op: "createResource", desc });
  }
  unrefResource(res: number): void {
    this.calls.push({ op: "unrefResource", res });
  }
  attachResource(ctxId: number, res: number): void {
    this.calls.push({ op: "attachResource", ctxId, res });
  }
  detachResource(ctxId: number, res: number): void {
    this.calls.push({ op: "detachResource", ctxId, res });
  }
  transferToHost(args: TransferArgs, bytes: Uint8Array | null): void {
    this.calls.push({ op: "transferToHost", args, bytes });
  }
  transferFromHost(args: TransferArgs, fence: boolean): Promise<VirglReply> {
    return this.later({ kind: "transferFromHost", args, fence });
  }
  submit(ctxId: number, words: Uint32Array, chunks: GatheredChunk[], fence: boolean): Promise<VirglReply> {
    return this.later({ kind: "submit", ctxId, words, chunks, fence });
  }
  fence(): Promise<VirglReply> {
    return this.later({ kind: "fence", fence: true });
  }
  setScanout(scanoutId: number, res: number, rect: Rect): void {
    this.calls.push({ op: "setScanout", scanoutId, res, rect });
  }
  flush(res: number, rect: Rect): void {
    this.calls.push({ op: "flush", res, rect });
  }
  reset(): void {
    this.calls.push({ op: "reset" });
    this.pending.length = 0;
  }
  onError(listener: (error: VirglError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }
}
