import { describe, expect, it } from "vitest";
import { validateToWorker } from "./protocol.ts";
import { replyIdOf } from "./virgl-protocol.ts";

const args = { ctxId: 1, res: 2, level: 0, box: { x: 0, y: 0, z: 0, w: 4, h: 1, d: 1 }, offset: 0, stride: 0, layerStride: 0 };
const desc = { handle: 3, target: 2, format: 2, bind: 2, width: 8, height: 8, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0, flags: 0 };

describe("virgl message validation", () => {
  it.each([
    { type: "virglCreateContext", ctxId: 1, name: "kmscube" },
    { type: "virglDestroyContext", ctxId: 1 },
    { type: "virglCreateResource", desc },
    { type: "virglUnrefResource", res: 3 },
    { type: "virglAttachResource", ctxId: 1, res: 3 },
    { type: "virglTransferToHost", args, bytes: new Uint8Array(4) },
    { type: "virglTransferToHost", args, bytes: null },
    { type: "virglTransferFromHost", id: 1, args, fence: true },
    { type: "virglSubmit", id: 2, ctxId: 1, words: new Uint32Array(4), chunks: [{ res: 2, offset: 0, bytes: new Uint8Array(4) }], fence: true },
    { type: "virglFence", id: 3 },
    { type: "virglSetScanout", scanoutId: 0, res: 3, rect: { x: 0, y: 0, width: 8, height: 8 } },
    { type: "virglFlush", res: 3, rect: { x: 0, y: 0, width: 8, height: 8 }, seq: 1, sentAt: 5 },
    { type: "virglReset" },
    { type: "virglStats", id: 4 },
  ])("accepts $type", (m) => {
    expect(validateToWorker(m)).toMatchObject({ ok: true });
  });

  it.each([
    [{ type: "virglCreateContext", ctxId: 0, name: "" }, /ctxId/],
    [{ type: "virglCreateContext", ctxId: 1, name: "x".repeat(65) }, /name/],
    [{ type: "virglCreateResource", desc: { ...desc, width: -1 } }, /desc.width/],
    [{ type: "virglTransferToHost", args: { ...args, offset: 2 ** 60 }, bytes: null }, /args.offset/],
    [{ type: "virglTransferToHost", args: { ...args, box: { ...args.box, w: 1.5 } }, bytes: null }, /args.box.w/],
    [{ type: "virglTransferToHost", args, bytes: [1, 2] }, /bytes/],
    [{ type: "virglSubmit", id: 2, ctxId: 1, words: [1, 2], chunks: [], fence: true }, /words/],
    [{ type: "virglSubmit", id: 2, ctxId: 1, words: new Uint32Array(1), chunks: [{ res: 0, offset: 0, bytes: new Uint8Array(1) }], fence: true }, /chunks\[0\]/],
    [{ type: "virglSetScanout", scanoutId: 16, res: 3, rect: { x: 0, y: 0, width: 8, height: 8 } }, /scanoutId/],
    [{ type: "virglFlush", res: 3, rect: { x: 0, y: 0, width: 8 }, seq: 1, sentAt: 5 }, /rect.height/],
    [{ type: "virglBogus" }, /unknown message type/],
  ])("rejects %j", (m, why) => {
    const v = validateToWorker(m);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(why);
  });
});

describe("replyIdOf (answering requests the worker could not handle)", () => {
  it("names the id of every message the page waits on, even a malformed one", () => {
    expect(replyIdOf({ type: "virglSubmit", id: 7, words: "not words" })).toBe(7);
    expect(replyIdOf({ type: "virglFence", id: 0 })).toBe(0);
    expect(replyIdOf({ type: "virglTransferFromHost", id: 3 })).toBe(3);
  });
  it("is null for fire-and-forget messages, missing or bad ids, and non-objects", () => {
    expect(replyIdOf({ type: "virglCreateContext", id: 1 })).toBeNull();
    expect(replyIdOf({ type: "virglSubmit", id: -1 })).toBeNull();
    expect(replyIdOf({ type: "virglSubmit", id: "1" })).toBeNull();
    expect(replyIdOf({ type: "virglSubmit" })).toBeNull();
    expect(replyIdOf(null)).toBeNull();
    expect(replyIdOf("virglSubmit")).toBeNull();
  });
});
