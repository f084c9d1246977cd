import { afterEach, describe, expect, it, vi } from "vitest";
import { describeMessage, validateToWorker } from "./protocol.ts";

const rect = { x: 0, y: 0, width: 2, height: 2 };

describe("validateToWorker", () => {
  const good: unknown[] = [
    { type: "createResource2D", resourceId: 1, width: 1024, height: 768, format: 2 },
    { type: "destroyResource", resourceId: 1 },
    { type: "writeRect", resourceId: 1, rect, pixels: new Uint8Array(16) },
    { type: "setScanout", scanoutId: 0, resourceId: 1, rect },
    { type: "setScanout", scanoutId: 0, resourceId: 0, rect: { x: 0, y: 0, width: 0, height: 0 } },
    { type: "flush", resourceId: 1, rect, seq: 3, sentAt: 1.7e12 },
    { type: "updateCursor", scanoutId: 0, image: null, x: -5, y: 10 },
    {
      type: "updateCursor",
      scanoutId: 0,
      image: { pixels: new Uint8Array(64 * 64 * 4), width: 64, height: 64, format: 1, hotX: 1, hotY: 2 },
      x: 3,
      y: 4,
    },
    { type: "moveCursor", scanoutId: 0, x: 1, y: 1 },
    { type: "reset" },
    { type: "readback", id: 1, cursor: false, png: true },
    { type: "ping", id: 5 },
    { type: "getStats" },
    { type: "debugLoseContext", restoreAfterMs: 10 },
  ];
  for (const m of good) {
    it(`accepts ${describeMessage(m)}`, () => {
      expect(validateToWorker(m)).toEqual({ ok: true, msg: m });
    });
  }

  const bad: [unknown, string][] = [
    [null, "not an object"],
    [42, "not an object"],
    [{ type: "bogus" }, "unknown message type"],
    [{ type: "createResource2D", resourceId: 0, width: 1, height: 1, format: 2 }, "bad resourceId"],
    [{ type: "createResource2D", resourceId: 1, width: 0, height: 1, format: 2 }, "bad resource size"],
    [{ type: "createResource2D", resourceId: 1, width: 9000, height: 1, format: 2 }, "bad resource size"],
    [{ type: "createResource2D", resourceId: 1, width: 1, height: 1, format: 5 }, "bad format"],
    [{ type: "createResource2D", resourceId: 1.5, width: 1, height: 1, format: 2 }, "bad resourceId"],
    [{ type: "writeRect", resourceId: 1, rect, pixels: new Uint8Array(15) }, "pixels length"],
    [{ type: "writeRect", resourceId: 1, rect, pixels: [0, 0] }, "not a Uint8Array"],
    [{ type: "writeRect", resourceId: 1, rect: { x: -1, y: 0, width: 1, height: 1 }, pixels: new Uint8Array(4) }, "bad rect"],
    [{ type: "setScanout", scanoutId: 16, resourceId: 1, rect }, "bad scanoutId"],
    [{ type: "flush", resourceId: 1, rect, seq: -1, sentAt: 0 }, "bad seq"],
    [{ type: "flush", resourceId: 1, rect, seq: 1 }, "bad sentAt"],
    [{ type: "moveCursor", scanoutId: 0, x: "1", y: 1 }, "bad cursor position"],
    [
      { type: "updateCursor", scanoutId: 0, image: { pixels: new Uint8Array(4), width: 2, height: 2, format: 1, hotX: 0, hotY: 0 }, x: 0, y: 0 },
      "cursor pixels length",
    ],
    [{ type: "readback", id: 1, cursor: "yes", png: true }, "bad readback flags"],
    [{ type: "init", canvas: {}, statsIntervalMs: 0 }, "OffscreenCanvas"],
  ];
  for (const [m, why] of bad) {
    it(`rejects (${why}) ${describeMessage(m)}`, () => {
      const v = validateToWorker(m);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.error).toContain(why);
    });
  }

  describe("init's presentMode", () => {
    // Node has no OffscreenCanvas: a stand-in class makes `instanceof` pass.
    class FakeOffscreenCanvas {}
    afterEach(() => vi.unstubAllGlobals());
    const init = (presentMode: unknown) => ({ type: "init", canvas: new FakeOffscreenCanvas(), statsIntervalMs: 0, presentMode });
    for (const mode of ["composite", "damage", "readback", "auto"]) {
      it(`accepts ${mode}`, () => {
        vi.stubGlobal("OffscreenCanvas", FakeOffscreenCanvas);
        expect(validateToWorker(init(mode)).ok).toBe(true);
      });
    }
    for (const mode of ["bitmap", undefined, 1]) {
      it(`rejects ${String(mode)}`, () => {
        vi.stubGlobal("OffscreenCanvas", FakeOffscreenCanvas);
        expect(validateToWorker(init(mode))).toEqual({ ok: false, error: "init: bad presentMode" });
      });
    }
  });

  it("never throws, even on hostile getters", () => {
    const evil = {
      type: "writeRect",
      get resourceId(): number {
        throw new Error("boom");
      },
    };
    const v = validateToWorker(evil);
    expect(v.ok).toBe(false);
  });

  it("describeMessage does not dump pixels", () => {
    const s = describeMessage({ type: "writeRect", resourceId: 1, rect, pixels: new Uint8Array(16) });
    expect(s).toBe("type=writeRect resourceId=1 rect=0,0 2x2 pixels=16B");
  });
});
