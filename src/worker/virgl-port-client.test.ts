import { describe, expect, it, vi } from "vitest";
import type { GpuClient } from "./gpu-client.ts";
import type { VirglFromWorker, VirglToWorker } from "./virgl-protocol.ts";
import { WorkerVirglPort } from "./virgl-port-client.ts";

class FakeClient {
  sent: { msg: VirglToWorker; transfer: Transferable[] }[] = [];
  flushes: unknown[] = [];
  private listener: ((m: VirglFromWorker) => void) | null = null;
  sendVirgl(msg: VirglToWorker, transfer: Transferable[] = []): void {
    this.sent.push({ msg, transfer });
  }
  flushVirgl(res: number, rect: unknown): void {
    this.flushes.push({ res, rect });
  }
  onVirglMessage(fn: (m: VirglFromWorker) => void): () => void {
    this.listener = fn;
    return () => (this.listener = null);
  }
  emit(m: VirglFromWorker): void {
    this.listener?.(m);
  }
}

const args = { ctxId: 1, res: 2, level: 0, box: { x: 0, y: 0, z: 0, w: 4, h: 1, d: 1 }, offset: 0, stride: 0, layerStride: 0 };

describe("WorkerVirglPort", () => {
  it("matches replies to requests by id, in any order", async () => {
    const c = new FakeClient();
    const port = new WorkerVirglPort(c as unknown as GpuClient);
    const words = new Uint32Array([1, 2]);
    const chunk = { res: 2, offset: 0, bytes: new Uint8Array(4) };
    const a = port.submit(1, words, [chunk], true);
    const b = port.fence();
    const [sa, sb] = c.sent;
    expect(sa.msg).toMatchObject({ type: "virglSubmit", ctxId: 1, fence: true });
    expect(sa.transfer).toEqual([words.buffer, chunk.bytes.buffer]); // zero-copy to the worker
    expect(sb.msg.type).toBe("virglFence");
    const idA = (sa.msg as { id: number }).id;
    const idB = (sb.msg as { id: number }).id;
    const write = { res: 2, offset: 0, bytes: new Uint8Array([9]) };
    c.emit({ type: "virglReply", id: idB, backingWrites: [], error: null });
    c.emit({ type: "virglReply", id: idA, backingWrites: [write], error: null });
    expect(await b).toEqual({ backingWrites: [], error: null });
    expect(await a).toEqual({ backingWrites: [write], error: null });
    expect(port.pending).toBe(0);
  });

  it("dispatches errors, forgets waiting requests on reset, routes flushes through the client's seq", () => {
    const c = new FakeClient();
    const port = new WorkerVirglPort(c as unknown as GpuClient);
    const errors: unknown[] = [];
    port.onError((e) => errors.push(e));
    c.emit({ type: "virglError", error: { ctx: 1, cmd: "CTX_CREATE", offset: -1, message: "x" } });
    expect(errors).toHaveLength(1);
    void port.transferFromHost(args, false);
    expect(port.pending).toBe(1);
    port.reset();
    expect(port.pending).toBe(0);
    expect(c.sent.at(-1)?.msg).toEqual({ type: "virglReset" });
    port.flush(3, { x: 0, y: 0, width: 1, height: 1 });
    expect(c.flushes).toEqual([{ res: 3, rect: { x: 0, y: 0, width: 1, height: 1 } }]);
    port.transferToHost(args, null);
    expect(c.sent.at(-1)).toEqual({ msg: { type: "virglTransferToHost", args, bytes: null }, transfer: [] });
  });

  it("a request the worker never answers is answered by the watchdog with an error naming it; a late reply is ignored", async () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const c = new FakeClient();
      const port = new WorkerVirglPort(c as unknown as GpuClient, { replyTimeoutMs: 1000, now: () => now });
      const lost = port.submit(3, new Uint32Array([1]), [], true);
      now = 500;
      const answered = port.fence();
      const answeredId = (c.sent[1].msg as { id: number }).id;
      c.emit({ type: "virglReply", id: answeredId, backingWrites: [], error: null });
      expect(await answered).toEqual({ backingWrites: [], error: null });
      now = 999;
      vi.advanceTimersByTime(999);
      expect(port.pending).toBe(1); // not yet due
      now = 1001;
      vi.advanceTimersByTime(10);
      const reply = await lost;
      expect(reply.error?.cmd).toBe("SUBMIT_3D ctx 3");
      expect(reply.error?.message).toMatch(/no answer from the GPU worker within 1001 ms/);
      expect(port.pending).toBe(0);
      expect(port.timedOut).toBe(1);
      // The worker's answer arriving late changes nothing.
      c.emit({ type: "virglReply", id: (c.sent[0].msg as { id: number }).id, backingWrites: [], error: null });
      expect(port.timedOut).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
