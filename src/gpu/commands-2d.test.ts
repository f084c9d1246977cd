import { describe, expect, it } from "vitest";
import { CMD, FORMAT, RESP } from "./protocol.ts";
import { GpuHarness, memEntries } from "./testing/gpu-test-harness.ts";

const W = 8;
const H = 4;

/** Creates resource `id` (W×H, B8G8R8X8) and returns the harness. */
function withResource(h: GpuHarness, id = 1, width = W, height = H, format: number = FORMAT.B8G8R8X8_UNORM) {
  expect(h.command(CMD.RESOURCE_CREATE_2D, [id, format, width, height])?.type).toBe(RESP.OK_NODATA);
  h.backend.take();
}

/** Pixel value for (x, y): 4 distinct bytes. */
const px = (x: number, y: number) => [x, y, x ^ y, 0xa0 + ((x + y) & 0xf)];

/**
 * Lays the W×H resource image out in three scattered guest chunks of uneven size, placed in
 * reverse order in memory, and returns their entries in linear order.
 */
function scatteredBacking(h: GpuHarness, width = W, height = H) {
  const image = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image.set(px(x, y), (y * width + x) * 4);
  const cuts = [0, 37, 77, image.length];
  const addresses = [0, 0, 0];
  for (let i = 2; i >= 0; i--) addresses[i] = h.place(image.subarray(cuts[i], cuts[i + 1]), 64);
  return [0, 1, 2].map((i) => ({ address: addresses[i], length: cuts[i + 1] - cuts[i] }));
}

function attach(h: GpuHarness, id: number, entries: { address: number; length: number }[]) {
  return h.command(CMD.RESOURCE_ATTACH_BACKING, [id, entries.length], memEntries(entries));
}

describe("RESOURCE_CREATE_2D", () => {
  it("creates resources in every 2D format and tells the backend", () => {
    const h = new GpuHarness();
    const formats = [1, 2, 3, 4, 67, 68, 121, 134];
    formats.forEach((format, i) => expect(h.command(CMD.RESOURCE_CREATE_2D, [i + 1, format, 16, 8])?.type).toBe(RESP.OK_NODATA));
    expect(h.backend.take()).toEqual(formats.map((format, i) => ({ method: "createResource2D", resourceId: i + 1, width: 16, height: 8, format })));
    expect(h.gpu.stats.resources).toBe(8);
    expect(h.gpu.stats.resourceHostBytes).toBe(8 * 16 * 8 * 4);
  });

  it.each([
    ["id 0", [0, 2, 4, 4], RESP.ERR_INVALID_RESOURCE_ID, /resource_id 0 is reserved/],
    ["bad format", [5, 5, 4, 4], RESP.ERR_INVALID_PARAMETER, /format 5 is not a 2D format/],
    ["zero width", [5, 2, 0, 4], RESP.ERR_INVALID_PARAMETER, /size 0x4 outside 1\.\.16384/],
    ["zero height", [5, 2, 4, 0], RESP.ERR_INVALID_PARAMETER, /size 4x0/],
    ["width beyond limit", [5, 2, 16385, 4], RESP.ERR_INVALID_PARAMETER, /size 16385x4/],
    ["w*h*4 overflowing 32 bits", [5, 2, 0xffffffff, 0xffffffff], RESP.ERR_INVALID_PARAMETER, /size 4294967295x4294967295/],
    ["beyond the memory cap", [5, 2, 16384, 16384], RESP.ERR_OUT_OF_MEMORY, /1073741824 bytes would exceed the 536870912-byte resource memory limit/],
  ])("rejects %s", (_name, fields, error, log) => {
    const h = new GpuHarness();
    expect(h.command(CMD.RESOURCE_CREATE_2D, fields)?.type).toBe(error);
    expect(h.logs.at(-1)).toMatch(/^virtio-gpu: controlq: RESOURCE_CREATE_2D: ERR_/);
    expect(h.logs.at(-1)).toMatch(log);
    expect(h.backend.calls).toEqual([]);
  });

  it("rejects a duplicate id", () => {
    const h = new GpuHarness();
    withResource(h, 3);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [3, 2, 4, 4])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.logs.at(-1)).toMatch(/resource_id 3 already exists/);
  });

  it("caps the number of resources and total memory with ERR_OUT_OF_MEMORY", () => {
    const h = new GpuHarness({ limits: { maxResources: 2, maxHostBytes: 1 << 20 } });
    withResource(h, 1);
    withResource(h, 2);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [3, 2, 4, 4])?.type).toBe(RESP.ERR_OUT_OF_MEMORY);
    expect(h.logs.at(-1)).toMatch(/resource count limit 2 reached/);
    h.command(CMD.RESOURCE_UNREF, [1, 0]);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [3, 2, 512, 512])?.type).toBe(RESP.ERR_OUT_OF_MEMORY);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [3, 2, 256, 256])?.type).toBe(RESP.OK_NODATA);
  });
});

describe("RESOURCE_UNREF", () => {
  it("destroys the resource, unbinds scanouts showing it and frees its memory", () => {
    const h = new GpuHarness();
    withResource(h, 7);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, W, H, 0, 7])?.type).toBe(RESP.OK_NODATA);
    h.backend.take();
    expect(h.command(CMD.RESOURCE_UNREF, [7, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.backend.take()).toEqual([
      { method: "setScanout", scanoutId: 0, resourceId: 0, rect: { x: 0, y: 0, width: 0, height: 0 } },
      { method: "destroyResource", resourceId: 7 },
    ]);
    expect(h.gpu.stats.resources).toBe(0);
    expect(h.gpu.stats.resourceHostBytes).toBe(0);
  });

  it("rejects unknown ids", () => {
    const h = new GpuHarness();
    expect(h.command(CMD.RESOURCE_UNREF, [9, 0])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.logs.at(-1)).toMatch(/RESOURCE_UNREF: ERR_INVALID_RESOURCE_ID: resource_id 9 does not exist/);
  });
});

describe("RESOURCE_ATTACH_BACKING / DETACH_BACKING", () => {
  it("attaches, detaches and re-attaches", () => {
    const h = new GpuHarness();
    withResource(h);
    const entries = scatteredBacking(h);
    expect(attach(h, 1, entries)?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_DETACH_BACKING, [1, 0])?.type).toBe(RESP.OK_NODATA);
    expect(attach(h, 1, entries)?.type).toBe(RESP.OK_NODATA);
  });

  it("rejects an unknown resource, a second attach, and detach without backing", () => {
    const h = new GpuHarness();
    withResource(h);
    const entries = scatteredBacking(h);
    expect(attach(h, 2, entries)?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.command(CMD.RESOURCE_DETACH_BACKING, [1, 0])?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toMatch(/resource_id 1 has no backing to detach/);
    expect(h.command(CMD.RESOURCE_DETACH_BACKING, [2, 0])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(attach(h, 1, entries)?.type).toBe(RESP.OK_NODATA);
    expect(attach(h, 1, entries)?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toMatch(/resource_id 1 already has backing attached/);
  });

  it("validates entry count, request length, RAM bounds and coverage", () => {
    const h = new GpuHarness({ limits: { maxBackingEntries: 4 } });
    withResource(h);
    const ok = scatteredBacking(h);
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [1, 0])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.at(-1)).toMatch(/nr_entries 0 outside 1\.\.4/);
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [1, 5], memEntries([...ok, ...ok]))?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.at(-1)).toMatch(/nr_entries 5 outside/);
    // nr_entries says 3 but only 2 entries follow: never read past the readable bytes.
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [1, 3], memEntries(ok.slice(0, 2)))?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toMatch(/nr_entries 3 needs 80 request bytes, got 64/);
    const ramSize = h.memory.size;
    expect(attach(h, 1, [ok[0], { address: ramSize - 8, length: 16 }, ok[2]])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.at(-1)).toMatch(/entry 1 addr 0x3ffff8 length 16 is empty or outside guest RAM \(0x400000 bytes\)/);
    expect(attach(h, 1, [ok[0], { address: 0x1_0000_0000, length: 16 }, ok[2]])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(attach(h, 1, [ok[0], { address: ok[1].address, length: 0 }, ok[2]])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(attach(h, 1, ok.slice(0, 2))?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.at(-1)).toMatch(/backing of 77 bytes does not cover the resource's 128 bytes/);
  });
});

describe("TRANSFER_TO_HOST_2D", () => {
  it("gathers exact pixels of the whole resource from scattered backing pages", () => {
    const h = new GpuHarness();
    withResource(h);
    attach(h, 1, scatteredBacking(h));
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, W, H, 0, 0, 1, 0])?.type).toBe(RESP.OK_NODATA);
    const [call] = h.backend.take();
    expect(call.method).toBe("writeRect");
    if (call.method !== "writeRect") return;
    expect(call.resourceId).toBe(1);
    expect(call.rect).toEqual({ x: 0, y: 0, width: W, height: H });
    const expected: number[] = [];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expected.push(...px(x, y));
    expect([...call.pixels]).toEqual(expected);
  });

  it("fills a buffer from the backend's allocPixels (recycled, stale contents) when it offers one", () => {
    const h = new GpuHarness();
    withResource(h);
    attach(h, 1, scatteredBacking(h));
    const recycled = new Uint8Array(W * H * 4).fill(0xee);
    const asked: number[] = [];
    Object.assign(h.backend, { allocPixels: (n: number) => (asked.push(n), recycled.subarray(0, n)) });
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, W, H, 0, 0, 1, 0])?.type).toBe(RESP.OK_NODATA);
    const [call] = h.backend.take();
    if (call.method !== "writeRect") throw new Error(call.method);
    expect(asked).toEqual([W * H * 4]);
    expect(call.pixels.buffer).toBe(recycled.buffer);
    const expected: number[] = [];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expected.push(...px(x, y));
    expect([...call.pixels]).toEqual(expected);
  });

  it("gathers a sub-rectangle with offset = y*stride + x*4 into tightly packed rows", () => {
    const h = new GpuHarness();
    withResource(h);
    attach(h, 1, scatteredBacking(h));
    const rect = { x: 3, y: 1, width: 4, height: 3 };
    const offset = rect.y * W * 4 + rect.x * 4;
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, [rect.x, rect.y, rect.width, rect.height, offset, 0, 1, 0])?.type).toBe(RESP.OK_NODATA);
    const [call] = h.backend.take();
    if (call.method !== "writeRect") throw new Error(call.method);
    expect(call.rect).toEqual(rect);
    const expected: number[] = [];
    for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) expected.push(...px(x, y));
    expect([...call.pixels]).toEqual(expected);
    expect(h.gpu.stats.commands.bytesTransferred).toBe(48);
  });

  it("treats an empty rect as a no-op", () => {
    const h = new GpuHarness();
    withResource(h);
    attach(h, 1, scatteredBacking(h));
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, 0, 2, 0, 0, 1, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.backend.calls).toEqual([]);
  });

  it.each([
    ["unknown resource", [0, 0, 1, 1, 0, 0, 9, 0], RESP.ERR_INVALID_RESOURCE_ID, /resource_id 9 does not exist/],
    ["rect beyond width", [4, 0, 5, 1, 0, 0, 1, 0], RESP.ERR_INVALID_PARAMETER, /rect 5x1\+4\+0 outside resource 1 \(8x4\)/],
    ["x + w wrapping 32 bits", [0xffffffff, 0, 2, 1, 0, 0, 1, 0], RESP.ERR_INVALID_PARAMETER, /rect 2x1\+4294967295\+0 outside/],
    ["y + h wrapping 32 bits", [0, 2, 1, 0xfffffffe, 0, 0, 1, 0], RESP.ERR_INVALID_PARAMETER, /outside resource 1/],
    ["offset + size beyond the backing", [0, 0, W, H, 4, 0, 1, 0], RESP.ERR_INVALID_PARAMETER, /offset 4 \+ rect 8x4\+0\+0 needs 132 bytes of backing, only 128 attached/],
    ["a 64-bit offset", [0, 0, 1, 1, 0, 1, 1, 0], RESP.ERR_INVALID_PARAMETER, /offset 4294967296/],
  ])("rejects %s", (_name, fields, error, log) => {
    const h = new GpuHarness();
    withResource(h);
    attach(h, 1, scatteredBacking(h));
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, fields)?.type).toBe(error);
    expect(h.logs.at(-1)).toMatch(/TRANSFER_TO_HOST_2D/);
    expect(h.logs.at(-1)).toMatch(log);
    expect(h.backend.calls).toEqual([]);
  });

  it("rejects a resource without backing", () => {
    const h = new GpuHarness();
    withResource(h);
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, 1, 1, 0, 0, 1, 0])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.at(-1)).toMatch(/resource_id 1 has no backing attached/);
  });
});

describe("SET_SCANOUT and RESOURCE_FLUSH", () => {
  it("binds, flushes and disables", () => {
    const h = new GpuHarness();
    withResource(h);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, W, H, 0, 1])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_FLUSH, [1, 1, 2, 2, 1, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 0, 0, 0, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.backend.take()).toEqual([
      { method: "setScanout", scanoutId: 0, resourceId: 1, rect: { x: 0, y: 0, width: W, height: H } },
      { method: "flush", resourceId: 1, rect: { x: 1, y: 1, width: 2, height: 2 } },
      { method: "setScanout", scanoutId: 0, resourceId: 0, rect: { x: 0, y: 0, width: 0, height: 0 } },
    ]);
  });

  it.each([
    ["bad scanout id", [0, 0, W, H, 1, 1], RESP.ERR_INVALID_SCANOUT_ID, /scanout 1 does not exist \(1 scanouts\)/],
    ["bad scanout id when disabling", [0, 0, 0, 0, 16, 0], RESP.ERR_INVALID_SCANOUT_ID, /scanout 16 does not exist/],
    ["unknown resource", [0, 0, W, H, 0, 5], RESP.ERR_INVALID_RESOURCE_ID, /scanout 0: resource_id 5 does not exist/],
    ["rect outside the resource", [1, 0, W, H, 0, 1], RESP.ERR_INVALID_PARAMETER, /rect 8x4\+1\+0 is empty or outside resource 1 \(8x4\)/],
    ["empty rect", [0, 0, 0, H, 0, 1], RESP.ERR_INVALID_PARAMETER, /is empty or outside/],
  ])("SET_SCANOUT rejects %s", (_name, fields, error, log) => {
    const h = new GpuHarness();
    withResource(h);
    expect(h.command(CMD.SET_SCANOUT, fields)?.type).toBe(error);
    expect(h.logs.at(-1)).toMatch(log);
    expect(h.backend.calls).toEqual([]);
  });

  it("RESOURCE_FLUSH rejects unknown ids and rects outside", () => {
    const h = new GpuHarness();
    withResource(h);
    expect(h.command(CMD.RESOURCE_FLUSH, [0, 0, 1, 1, 2, 0])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.command(CMD.RESOURCE_FLUSH, [0, 0xfffffffc, 1, 8, 1, 0])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.at(-1)).toMatch(/RESOURCE_FLUSH: ERR_INVALID_PARAMETER: rect 1x8\+0\+4294967292 outside resource 1/);
    expect(h.backend.calls).toEqual([]);
  });
});

describe("cursor queue", () => {
  function cursorHarness() {
    const h = new GpuHarness();
    withResource(h, 2, W, H, FORMAT.B8G8R8A8_UNORM);
    attach(h, 2, scatteredBacking(h));
    h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, W, H, 0, 0, 2, 0]);
    h.backend.take();
    return h;
  }

  it("UPDATE_CURSOR shows the image last transferred (host copy), with hotspot and position; no response", () => {
    const h = cursorHarness();
    const response = h.command(CMD.UPDATE_CURSOR, [0, 100, 50, 0, 2, 3, 1, 0], undefined, { queue: 1, responseSize: 0 });
    expect(response).toBeNull();
    const [call] = h.backend.take();
    if (call.method !== "updateCursor") throw new Error(call.method);
    expect(call.scanoutId).toBe(0);
    expect([call.x, call.y]).toEqual([100, 50]);
    expect(call.image?.width).toBe(W);
    expect(call.image?.height).toBe(H);
    expect(call.image?.hotX).toBe(3);
    expect(call.image?.hotY).toBe(1);
    expect(call.image?.format).toBe(FORMAT.B8G8R8A8_UNORM);
    const expected: number[] = [];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expected.push(...px(x, y));
    expect([...(call.image?.pixels ?? [])]).toEqual(expected);
  });

  it("UPDATE_CURSOR with resource 0 hides the cursor; MOVE_CURSOR moves it (negative coordinates allowed)", () => {
    const h = cursorHarness();
    h.command(CMD.UPDATE_CURSOR, [0, 1, 2, 0, 0, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });
    h.command(CMD.MOVE_CURSOR, [0, -5 >>> 0, 7, 0, 0, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });
    expect(h.backend.take()).toEqual([
      { method: "updateCursor", scanoutId: 0, image: null, x: 1, y: 2 },
      { method: "moveCursor", scanoutId: 0, x: -5, y: 7 },
    ]);
  });

  it("logs cursor errors: bad scanout, unknown resource, too large, hotspot outside", () => {
    const h = cursorHarness();
    withResource(h, 9, 300, 10);
    h.command(CMD.UPDATE_CURSOR, [3, 0, 0, 0, 2, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });
    expect(h.logs.at(-1)).toMatch(/^virtio-gpu: cursorq: UPDATE_CURSOR: ERR_INVALID_SCANOUT_ID: scanout 3 does not exist/);
    h.command(CMD.UPDATE_CURSOR, [0, 0, 0, 0, 4, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });
    expect(h.logs.at(-1)).toMatch(/cursor resource_id 4 does not exist/);
    h.command(CMD.UPDATE_CURSOR, [0, 0, 0, 0, 9, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });
    expect(h.logs.at(-1)).toMatch(/cursor resource_id 9 is 300x10, larger than the 256x256 cursor limit/);
    h.command(CMD.UPDATE_CURSOR, [0, 0, 0, 0, 2, W, 0, 0], undefined, { queue: 1, responseSize: 0 });
    expect(h.logs.at(-1)).toMatch(/cursor hotspot 8,0 outside resource 2/);
    h.command(CMD.MOVE_CURSOR, [1, 0, 0, 0, 0, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });
    expect(h.logs.at(-1)).toMatch(/MOVE_CURSOR: ERR_INVALID_SCANOUT_ID/);
    expect(h.backend.calls).toEqual([]);
    expect(h.driver.readStatus() & 0x40).toBe(0);
  });
});
