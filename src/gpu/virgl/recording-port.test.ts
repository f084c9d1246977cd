import { describe, expect, it } from "vitest";
import { checkRecordedLog, replayLog, type RecordedCall } from "./recorded-log.ts";
import { RecordingVirglPort } from "./recording-port.ts";
import { FakeVirglPort } from "./testing/fake-virgl-port.ts";

const desc = (handle: number) => ({ handle, target: 2, format: 2, bind: 2, width: 64, height: 32, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0, flags: 0 });
const args = (res: number) => ({ ctxId: 1, res, level: 0, box: { x: 0, y: 0, z: 0, w: 4, h: 1, d: 1 }, offset: 0, stride: 0, layerStride: 0 });
const rect = { x: 0, y: 0, width: 64, height: 32 };
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe("RecordingVirglPort", () => {
  it("logs state-changing calls in order with copies of their bytes, and forwards everything", async () => {
    const inner = new FakeVirglPort();
    const rec = new RecordingVirglPort(inner);
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const words = Uint32Array.of(7, 8);
    const chunk = { res: 5, offset: 16, bytes: Uint8Array.of(9, 9) };
    rec.createContext(1, "kmscube");
    rec.createResource(desc(5));
    rec.attachResource(1, 5);
    rec.transferToHost(args(5), bytes);
    void rec.submit(1, words, [chunk], true);
    void rec.transferFromHost(args(5), false);
    void rec.fence();
    rec.setScanout(0, 5, rect);
    rec.flush(5, rect);
    // The caller (and the worker port, which detaches buffers) may reuse what it passed.
    bytes.fill(0);
    words.fill(0);
    chunk.bytes.fill(0);
    const log = rec.entries();
    expect(log.map((c) => c.op)).toEqual(["createContext", "createResource", "attachResource", "transferToHost", "submit", "setScanout", "flush"]);
    expect(log[3]).toMatchObject({ bytes: Uint8Array.of(1, 2, 3, 4) });
    expect(log[4]).toMatchObject({ ctxId: 1, words: Uint32Array.of(7, 8), chunks: [{ res: 5, offset: 16, bytes: Uint8Array.of(9, 9) }] });
    // Readbacks and fences change no host state: forwarded, not logged.
    expect(inner.pending.map((p) => p.kind)).toEqual(["submit", "transferFromHost", "fence"]);
    expect(inner.take().map((c) => c.op)).toEqual(["createContext", "createResource", "attachResource", "transferToHost", "setScanout", "flush"]);
    expect(rec.state).toBe("recording");
    expect(() => checkRecordedLog(log, { maxBytes: 1 << 20, scanouts: 1 })).not.toThrow();
  });

  it("counts renderer errors of recorded work (submit replies and asynchronous errors)", async () => {
    const inner = new FakeVirglPort();
    const rec = new RecordingVirglPort(inner);
    rec.createContext(1, "a");
    void rec.submit(1, Uint32Array.of(0), [], false);
    inner.answer({ error: { ctx: 1, cmd: "DRAW_VBO", offset: 1, message: "bad mode" } });
    inner.emitError({ ctx: 1, cmd: "TRANSFER_TO_HOST_3D", offset: -1, message: "x" });
    await tick();
    expect(rec.errors).toBe(2);
  });

  it("starts over at a device reset, drops the log past its cap until the next reset, and stops for good", () => {
    const inner = new FakeVirglPort();
    const rec = new RecordingVirglPort(inner, 1000);
    rec.createContext(1, "a");
    rec.reset();
    expect(rec.entries()).toEqual([]);
    rec.createContext(2, "b");
    expect(rec.entries()).toHaveLength(1);
    rec.createResource(desc(5));
    rec.transferToHost(args(5), new Uint8Array(2000));
    expect(rec.state).toBe("overflowed");
    expect(rec.entries()).toEqual([]);
    expect(rec.bytes).toBe(0);
    rec.createContext(3, "c");
    expect(rec.entries()).toEqual([]);
    rec.reset();
    expect(rec.state).toBe("recording");
    rec.createContext(4, "d");
    expect(rec.entries()).toHaveLength(1);
    rec.stop();
    rec.reset();
    rec.createContext(5, "e");
    expect(rec.state).toBe("stopped");
    expect(rec.entries()).toEqual([]);
    // Everything still reached the renderer.
    expect(inner.take().filter((c) => c.op === "createContext")).toHaveLength(5);
  });
});

describe("checkRecordedLog / replayLog", () => {
  const good: RecordedCall[] = [
    { op: "createContext", ctxId: 1, name: "kmscube" },
    { op: "createResource", desc: desc(5) },
    { op: "attachResource", ctxId: 1, res: 5 },
    { op: "transferToHost", args: args(5), bytes: Uint8Array.of(1, 2) },
    { op: "submit", ctxId: 1, words: Uint32Array.of(1), chunks: [{ res: 5, offset: 0, bytes: Uint8Array.of(3) }] },
    { op: "setScanout", scanoutId: 0, res: 5, rect },
    { op: "flush", res: 5, rect },
  ];
  const limits = { maxBytes: 1 << 20, scanouts: 1 };

  it("accepts a log the device could have produced and says what it leaves", () => {
    const outcome = checkRecordedLog(good, limits);
    expect([...outcome.contexts]).toEqual([1]);
    expect([...outcome.resources]).toEqual([5]);
  });

  it.each([
    ["not an array", { op: "createContext" }, /not an array/],
    ["unknown call kind", [{ op: "eval", code: "x" }], /entry 0 \(eval\): unknown call kind/],
    ["a context used before it exists", [{ op: "submit", ctxId: 2, words: Uint32Array.of(1), chunks: [] }], /entry 0 \(submit\): ctxId 2 does not exist here/],
    ["a resource used after unref", [good[0], good[1], { op: "unrefResource", res: 5 }, { op: "attachResource", ctxId: 1, res: 5 }], /entry 3 \(attachResource\): resource 5 does not exist here/],
    ["words of the wrong type", [good[0], { op: "submit", ctxId: 1, words: [1, 2], chunks: [] }], /words is not a Uint32Array/],
    ["a bad resource description", [{ op: "createResource", desc: { ...desc(5), width: 0 } }], /zero-sized resource/],
    ["a negative field", [good[0], good[1], { op: "transferToHost", args: { ...args(5), level: -1 }, bytes: null }], /args.level = -1 is not a u32/],
    ["a scanout that does not exist", [good[0], good[1], { ...good[5], scanoutId: 3 }], /scanoutId 3 is not one of 1 scanouts/],
    ["a chunk of a resource that does not exist", [good[0], { op: "submit", ctxId: 1, words: Uint32Array.of(1), chunks: [{ res: 9, offset: 0, bytes: Uint8Array.of(1) }] }], /chunk 0: resource 9 does not exist/],
  ])("rejects %s", (_, log, message) => {
    expect(() => checkRecordedLog(log, limits)).toThrow(message);
  });

  it("rejects a log larger than the cap", () => {
    expect(() => checkRecordedLog([good[0], good[1], { op: "transferToHost", args: args(5), bytes: new Uint8Array(5000) }], { ...limits, maxBytes: 4096 })).toThrow(/more than the 4096-byte cap/);
  });

  it("replays into a port with copies of the payloads, presentation calls left to the caller", () => {
    const port = new FakeVirglPort(true);
    const replies = replayLog(good, port);
    expect(replies).toHaveLength(1);
    const calls = port.take();
    expect(calls.map((c) => c.op)).toEqual(["createContext", "createResource", "attachResource", "transferToHost"]);
    const transfer = calls[3];
    if (transfer.op !== "transferToHost") throw new Error(transfer.op);
    expect(transfer.bytes).toEqual(Uint8Array.of(1, 2));
    expect(transfer.bytes).not.toBe((good[3] as { bytes: Uint8Array }).bytes);
  });
});
