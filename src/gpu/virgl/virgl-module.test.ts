import { describe, expect, it } from "vitest";
import { CommandStream } from "../../virgl/encode/encoder.ts";
import { Bind, Target, TransferDir } from "../../virgl/protocol.ts";
import { CMD, CONFIG_NUM_CAPSETS, CTRL_HDR_SIZE, RESP, VIRTIO_GPU_FLAG_FENCE } from "../protocol.ts";
import { encodeCommand, GpuHarness, memEntries, type CommandOptions, type GpuResponseView } from "../testing/gpu-test-harness.ts";
import { FakeVirglPort } from "./testing/fake-virgl-port.ts";
import { createVirglModule, type VirglModule } from "./virgl-module.ts";

const V1 = Uint8Array.from({ length: 308 }, (_, i) => i & 0xff);
const V2 = Uint8Array.from({ length: 1376 }, (_, i) => (i * 7) & 0xff);
const B8G8R8X8 = 2;
const R8G8B8A8 = 67;

function setup(): { h: GpuHarness; port: FakeVirglPort; module: VirglModule } {
  const port = new FakeVirglPort();
  const module = createVirglModule({ port, capsets: { v1: V1, v2: V2 } });
  const h = new GpuHarness({ modules: [module] });
  port.take(); // the driver's initial device reset
  return { h, port, module };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/** Sends without waiting for an answer (for asynchronous completions). */
function send(h: GpuHarness, type: number, fields: readonly number[], extra?: Uint8Array, options: CommandOptions = {}): { head: number; response: () => GpuResponseView | null } {
  const { head, writableAddresses } = h.driver.submit(0, [encodeCommand(type, fields, extra, options)], [CTRL_HDR_SIZE + 1400]);
  return {
    head,
    response: () => {
      const used = h.driver.takeUsed(0).find((u) => u.id === head);
      return used ? h.parse(writableAddresses[0], used.len) : null;
    },
  };
}

function createCtx(h: GpuHarness, ctxId: number, name = "kmscube"): GpuResponseView | null {
  const bytes = new Uint8Array(64);
  bytes.set(new TextEncoder().encode(name));
  return h.command(CMD.CTX_CREATE, [name.length, 0], bytes, { ctxId });
}

/** RESOURCE_CREATE_3D fields: id, target, format, bind, w, h, depth, array_size, last_level, nr_samples, flags, pad. */
function create3D(h: GpuHarness, id: number, over: Partial<Record<"target" | "format" | "bind" | "width" | "height" | "depth" | "arraySize" | "lastLevel" | "nrSamples" | "flags", number>> = {}): GpuResponseView | null {
  const d = { target: Target.TEXTURE_2D, format: B8G8R8X8, bind: Bind.RENDER_TARGET | Bind.SCANOUT, width: 64, height: 32, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0, flags: 0, ...over };
  return h.command(CMD.RESOURCE_CREATE_3D, [id, d.target, d.format, d.bind, d.width, d.height, d.depth, d.arraySize, d.lastLevel, d.nrSamples, d.flags, 0]);
}

function createBuffer(h: GpuHarness, id: number, size: number, bind: number = Bind.VERTEX_BUFFER): GpuResponseView | null {
  return h.command(CMD.RESOURCE_CREATE_3D, [id, Target.BUFFER, 64 /* R8_UNORM */, bind, size, 1, 1, 1, 0, 0, 0, 0]);
}

/** Scattered backing: pages in reverse order with gaps, filled with a known pattern. Returns linear bytes. */
function attachScattered(h: GpuHarness, id: number, pages: number, pattern = (i: number) => (i * 31 + 7) & 0xff): { linear: Uint8Array; entries: { address: number; length: number }[] } {
  const entries: { address: number; length: number }[] = [];
  const linear = Uint8Array.from({ length: pages * 4096 }, (_, i) => pattern(i));
  const addresses = Array.from({ length: pages }, () => {
    const a = h.driver.alloc(4096, 4096);
    h.driver.alloc(4096, 4096); // gap
    return a;
  }).reverse();
  // Uneven split: the first page in two entries, to cross entry boundaries mid-page.
  addresses.forEach((address, p) => {
    h.driver.put(address, linear.subarray(p * 4096, (p + 1) * 4096));
    if (p === 0) {
      entries.push({ address, length: 1000 }, { address: address + 1000, length: 3096 });
    } else entries.push({ address, length: 4096 });
  });
  expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [id, entries.length], memEntries(entries))?.type).toBe(RESP.OK_NODATA);
  return { linear, entries };
}

function readLinear(h: GpuHarness, entries: { address: number; length: number }[]): Uint8Array {
  const parts = entries.map((e) => h.driver.get(e.address, e.length));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("features and capsets", () => {
  it("offers VIRGL and 2 capsets only with the module", () => {
    const { h } = setup();
    expect(h.driver.deviceFeatures() & 1n).toBe(1n);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_NUM_CAPSETS)).toBe(2);
    const plain = new GpuHarness();
    expect(plain.driver.deviceFeatures() & 1n).toBe(0n);
  });

  it("rejects capsets of the wrong size at construction", () => {
    expect(() => createVirglModule({ port: new FakeVirglPort(), capsets: { v1: new Uint8Array(300), v2: V2 } })).toThrow(/308/);
  });

  it("GET_CAPSET_INFO lists VIRGL v1 (308 bytes) and VIRGL2 v2 (1376 bytes); other indices are zeros", () => {
    const { h } = setup();
    const info = (i: number) => {
      const r = h.command(CMD.GET_CAPSET_INFO, [i, 0])!;
      expect(r.type).toBe(RESP.OK_CAPSET_INFO);
      return [r.view.getUint32(24, true), r.view.getUint32(28, true), r.view.getUint32(32, true)];
    };
    expect(info(0)).toEqual([1, 1, 308]);
    expect(info(1)).toEqual([2, 2, 1376]);
    expect(info(2)).toEqual([0, 0, 0]);
  });

  it("GET_CAPSET returns the renderer's bytes; bad id or version is INVALID_PARAMETER", () => {
    const { h } = setup();
    const r1 = h.command(CMD.GET_CAPSET, [1, 1])!;
    expect(r1.type).toBe(RESP.OK_CAPSET);
    expect(r1.length).toBe(CTRL_HDR_SIZE + 308);
    expect(new Uint8Array(r1.view.buffer, 24, 308)).toEqual(V1);
    const r2 = h.command(CMD.GET_CAPSET, [2, 2], undefined, { responseSize: CTRL_HDR_SIZE + 1376 })!;
    expect(new Uint8Array(r2.view.buffer, 24, 1376)).toEqual(V2);
    expect(h.command(CMD.GET_CAPSET, [3, 1])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.GET_CAPSET, [1, 2])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    // Response buffer too small for the capset: ERR_UNSPEC, no overflow.
    expect(h.command(CMD.GET_CAPSET, [2, 2], undefined, { responseSize: 100 })?.type).toBe(RESP.ERR_UNSPEC);
  });
});

describe("contexts", () => {
  it("CTX_CREATE passes id and debug name; DESTROY frees it", () => {
    const { h, port } = setup();
    expect(createCtx(h, 3, "glinfo")?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([{ op: "createContext", ctxId: 3, name: "glinfo" }]);
    expect(h.command(CMD.CTX_DESTROY, [], undefined, { ctxId: 3 })?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([{ op: "destroyContext", ctxId: 3 }]);
    expect(h.command(CMD.CTX_DESTROY, [], undefined, { ctxId: 3 })?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID);
  });

  it("validates ctx id, duplicates, nlen and context_init", () => {
    const { h, port } = setup();
    expect(createCtx(h, 0)?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID);
    expect(createCtx(h, 1)?.type).toBe(RESP.OK_NODATA);
    expect(createCtx(h, 1)?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID);
    expect(h.command(CMD.CTX_CREATE, [65, 0], new Uint8Array(64), { ctxId: 2 })?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.CTX_CREATE, [0, 4 /* venus */], new Uint8Array(64), { ctxId: 2 })?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.CTX_CREATE, [0, 0x101 /* flags */], new Uint8Array(64), { ctxId: 2 })?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    for (const capset of [1, 2]) expect(h.command(CMD.CTX_CREATE, [0, capset], new Uint8Array(64), { ctxId: 10 + capset })?.type).toBe(RESP.OK_NODATA);
    // Too short for debug_name[64]: rejected before the handler.
    expect(h.command(CMD.CTX_CREATE, [0, 0], new Uint8Array(10), { ctxId: 5 })?.type).toBe(RESP.ERR_UNSPEC);
    expect(port.take().filter((c) => c.op === "createContext").map((c) => ("ctxId" in c ? c.ctxId : 0))).toEqual([1, 11, 12]);
    expect(h.logs.some((l) => l.includes("CTX_CREATE: ERR_INVALID_PARAMETER: ctx_id 2: nlen 65 > 64"))).toBe(true);
  });

  it("ATTACH/DETACH: unknown ctx or resource are errors; 2D resources are accepted as no-ops", () => {
    const { h, port } = setup();
    createCtx(h, 1);
    create3D(h, 5);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [6, 1, 16, 16])?.type).toBe(RESP.OK_NODATA);
    port.take();
    expect(h.command(CMD.CTX_ATTACH_RESOURCE, [5, 0], undefined, { ctxId: 2 })?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID);
    expect(h.command(CMD.CTX_ATTACH_RESOURCE, [9, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.command(CMD.CTX_ATTACH_RESOURCE, [6, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.CTX_ATTACH_RESOURCE, [5, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.CTX_ATTACH_RESOURCE, [5, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA); // twice: once to the renderer
    expect(h.command(CMD.CTX_DETACH_RESOURCE, [5, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.CTX_DETACH_RESOURCE, [5, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([
      { op: "attachResource", ctxId: 1, res: 5 },
      { op: "detachResource", ctxId: 1, res: 5 },
    ]);
  });
});

describe("RESOURCE_CREATE_3D", () => {
  it("creates with the exact description and shares the id space with 2D", () => {
    const { h, port } = setup();
    expect(create3D(h, 7, { flags: 1 })?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([
      { op: "createResource", desc: { handle: 7, target: 2, format: B8G8R8X8, bind: Bind.RENDER_TARGET | Bind.SCANOUT, width: 64, height: 32, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0, flags: 1 } },
    ]);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [7, 1, 16, 16])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [8, 1, 16, 16])?.type).toBe(RESP.OK_NODATA);
    expect(create3D(h, 8)?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(create3D(h, 7)?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(create3D(h, 0)?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
  });

  it.each([
    ["unknown flag", { flags: 2 }, /flags 0x2/],
    ["unknown target", { target: 9 }, /target 9 unknown/],
    ["multisampled with mipmaps", { nrSamples: 4, lastLevel: 1 }, /nr_samples 4: multisampled resources have one level/],
    ["zero width", { width: 0 }, /zero-sized/],
    ["zero height", { height: 0 }, /zero-sized/],
    ["unknown format", { format: 9999 }, /format 9999 unsupported/],
    ["too wide", { width: 16385 }, /exceeds/],
    ["depth on 2D", { depth: 2 }, /only 3D textures have depth/],
    ["array on 2D", { arraySize: 2 }, /array_size > 1/],
    ["too many levels", { lastLevel: 7 }, /last_level 7/],
    ["cube not square", { target: Target.TEXTURE_CUBE, arraySize: 6 }, /square/],
  ])("rejects %s with INVALID_PARAMETER", (_name, over, message) => {
    const { h, port } = setup();
    expect(create3D(h, 3, over)?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.logs.join("\n")).toMatch(message);
    expect(port.take()).toEqual([]);
  });

  it("takes Mesa's 0 extents as 1 (query buffers with array_size 0), like vrend", () => {
    const { h, port } = setup();
    expect(h.command(CMD.RESOURCE_CREATE_3D, [3, Target.BUFFER, 64, Bind.QUERY_BUFFER, 64, 0, 0, 0, 0, 0, 0, 0])?.type).toBe(RESP.OK_NODATA);
    expect(create3D(h, 4, { depth: 0, arraySize: 0 })?.type).toBe(RESP.OK_NODATA);
    expect(port.take().map((c) => (c.op === "createResource" ? [c.desc.height, c.desc.depth, c.desc.arraySize] : []))).toEqual([[1, 1, 1], [32, 1, 1]]);
  });

  it("rejects malformed buffers and enforces the memory limits", () => {
    const port = new FakeVirglPort();
    const module = createVirglModule({ port, capsets: { v1: V1, v2: V2 } });
    const h = new GpuHarness({ modules: [module], limits: { maxHostBytes: 64 * 32 * 4 + 100, maxResources: 3 } });
    expect(h.command(CMD.RESOURCE_CREATE_3D, [1, Target.BUFFER, 64, Bind.VERTEX_BUFFER, 100, 2, 1, 1, 0, 0, 0, 0])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(create3D(h, 1)?.type).toBe(RESP.OK_NODATA);
    expect(create3D(h, 2)?.type).toBe(RESP.ERR_OUT_OF_MEMORY);
    expect(createBuffer(h, 2, 100)?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [3, 1, 1, 1])?.type).toBe(RESP.OK_NODATA);
    expect(createBuffer(h, 4, 1)?.type).toBe(RESP.ERR_OUT_OF_MEMORY);
    expect(module.stats.resources).toBe(2);
  });
});

describe("backing, unref and scanout of 3D resources", () => {
  it("ATTACH/DETACH_BACKING and UNREF work on 3D ids through the 2D commands", () => {
    const { h, port } = setup();
    create3D(h, 4);
    const a = h.driver.alloc(4096, 4096);
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [4, 1], memEntries([{ address: a, length: 100 }]))?.type).toBe(RESP.OK_NODATA); // no minimum for 3D
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [4, 1], memEntries([{ address: a, length: 100 }]))?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.command(CMD.RESOURCE_DETACH_BACKING, [4, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_DETACH_BACKING, [4, 0])?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [4, 1], memEntries([{ address: 0xfff_0000_0000, length: 100 }]))?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [4, 0])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    port.take();
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 64, 32, 0, 4])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_UNREF, [4, 0])?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([{ op: "setScanout", scanoutId: 0, res: 4, rect: { x: 0, y: 0, width: 64, height: 32 } }, { op: "unrefResource", res: 4 }]);
    expect(h.backend.take()).toContainEqual({ method: "setScanout", scanoutId: 0, resourceId: 0, rect: { x: 0, y: 0, width: 0, height: 0 } });
    expect(h.command(CMD.RESOURCE_UNREF, [4, 0])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(h.gpu.device.scanoutStates[0].resourceId).toBe(0);
  });

  it("SET_SCANOUT / RESOURCE_FLUSH validate scanout, format and rect", () => {
    const { h, port } = setup();
    create3D(h, 4);
    createBuffer(h, 5, 64);
    create3D(h, 6, { format: 16 /* B5G6R5 */ });
    port.take();
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 64, 32, 3, 4])?.type).toBe(RESP.ERR_INVALID_SCANOUT_ID);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 65, 32, 0, 4])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 0, 32, 0, 4])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 64, 1, 0, 5])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 64, 32, 0, 6])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.RESOURCE_FLUSH, [0, 0, 65, 1, 4, 0])?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.RESOURCE_FLUSH, [0, 0, 0, 0, 4, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_FLUSH, [1, 2, 3, 4, 4, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, 1, 1, 0, 0, 4, 0])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID);
    expect(port.take()).toEqual([{ op: "flush", res: 4, rect: { x: 1, y: 2, width: 3, height: 4 } }]);
    // 2D resources still take the 2D path.
    h.command(CMD.RESOURCE_CREATE_2D, [9, 1, 16, 16]);
    expect(h.command(CMD.SET_SCANOUT, [0, 0, 16, 16, 0, 9])?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([]);
  });
});

describe("TRANSFER_TO_HOST_3D / TRANSFER_FROM_HOST_3D", () => {
  /** box x,y,z,w,h,d, offset lo, hi, res, level, stride, layer_stride */
  const tf = (res: number, box: number[], offset: number, stride = 0, level = 0, layerStride = 0, offsetHi = 0) => [...box, offset, offsetHi, res, level, stride, layerStride];

  it("gathers exactly the strided range over scattered pages", () => {
    const { h, port } = setup();
    create3D(h, 4, { format: R8G8B8A8 });
    const { linear } = attachScattered(h, 4, 3);
    port.take();
    // 5x3 at (2,1), stride 300 bytes, offset 900: rows cross the 1000-byte entry split and page ends.
    expect(h.command(CMD.TRANSFER_TO_HOST_3D, tf(4, [2, 1, 0, 5, 3, 1], 900, 300), undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
    const [call] = port.take();
    expect(call.op).toBe("transferToHost");
    if (call.op !== "transferToHost") return;
    expect(call.args).toEqual({ ctxId: 1, res: 4, level: 0, box: { x: 2, y: 1, z: 0, w: 5, h: 3, d: 1 }, offset: 900, stride: 300, layerStride: 0 });
    expect(call.bytes).toEqual(linear.slice(900, 900 + 2 * 300 + 20));
  });

  it.each([
    ["unknown resource", tf(99, [0, 0, 0, 1, 1, 1], 0), RESP.ERR_INVALID_RESOURCE_ID, /99 does not exist/],
    ["2D resource", tf(8, [0, 0, 0, 1, 1, 1], 0), RESP.ERR_INVALID_RESOURCE_ID, /2D resource/],
    ["no backing", tf(5, [0, 0, 0, 1, 1, 1], 0), RESP.ERR_INVALID_PARAMETER, /no backing/],
    ["box beyond", tf(4, [60, 0, 0, 5, 1, 1], 0), RESP.ERR_INVALID_PARAMETER, /beyond level 0/],
    ["level beyond", tf(4, [0, 0, 0, 1, 1, 1], 0, 0, 1), RESP.ERR_INVALID_PARAMETER, /last_level/],
    ["stride too small", tf(4, [0, 0, 0, 4, 2, 1], 0, 8), RESP.ERR_INVALID_PARAMETER, /stride 8 < row size 16/],
    ["range past backing", tf(4, [0, 0, 0, 64, 32, 1], 8192 - 64 * 32 * 4 + 4), RESP.ERR_INVALID_PARAMETER, /outside the 8192-byte backing/],
    ["offset beyond 2^53", tf(4, [0, 0, 0, 1, 1, 1], 0, 0, 0, 0, 0xffffffff), RESP.ERR_INVALID_PARAMETER, /not a valid byte range|outside/],
    ["empty box", tf(4, [0, 0, 0, 0, 1, 1], 0), RESP.ERR_INVALID_PARAMETER, /empty box/],
  ])("TO_HOST rejects %s", (_name, fields, type, message) => {
    const { h, port } = setup();
    create3D(h, 4, { format: R8G8B8A8 });
    create3D(h, 5);
    h.command(CMD.RESOURCE_CREATE_2D, [8, 1, 16, 16]);
    attachScattered(h, 4, 2);
    port.take();
    expect(h.command(CMD.TRANSFER_TO_HOST_3D, fields)?.type).toBe(type);
    expect(h.command(CMD.TRANSFER_FROM_HOST_3D, fields)?.type).toBe(type);
    expect(h.logs.join("\n")).toMatch(message);
    expect(port.take()).toEqual([]);
    expect(port.pending).toEqual([]);
  });

  it("staging buffers are validated but never sent", () => {
    const { h, port } = setup();
    createBuffer(h, 4, 256, Bind.STAGING);
    attachScattered(h, 4, 1);
    port.take();
    expect(h.command(CMD.TRANSFER_TO_HOST_3D, tf(4, [0, 0, 0, 256, 1, 1], 0))?.type).toBe(RESP.OK_NODATA);
    expect(port.take()).toEqual([{ op: "transferToHost", args: expect.objectContaining({ res: 4 }), bytes: null }]);
    expect(h.command(CMD.TRANSFER_TO_HOST_3D, tf(4, [0, 0, 0, 257, 1, 1], 0))?.type).toBe(RESP.ERR_INVALID_PARAMETER);
  });

  it("FROM_HOST scatters the renderer's bytes into the scattered pages only when it answers", async () => {
    const { h, port } = setup();
    create3D(h, 4, { format: R8G8B8A8 });
    const { linear, entries } = attachScattered(h, 4, 3);
    const sent = send(h, CMD.TRANSFER_FROM_HOST_3D, tf(4, [0, 0, 0, 64, 20, 1], 0), undefined, { fenceId: 5n });
    await tick();
    expect(sent.response()).toBeNull();
    const w = port.pending[0];
    expect(w).toMatchObject({ kind: "transferFromHost", fence: true });
    const data = Uint8Array.from({ length: 64 * 4 * 20 }, (_, i) => (i * 13) & 0xff);
    port.answer({ backingWrites: [{ res: 4, offset: 500, bytes: data }] });
    await tick();
    const r = sent.response();
    expect(r?.type).toBe(RESP.OK_NODATA);
    expect((r?.flags ?? 0) & VIRTIO_GPU_FLAG_FENCE).toBe(VIRTIO_GPU_FLAG_FENCE);
    expect(r?.fenceId).toBe(5n);
    const expected = linear.slice();
    expected.set(data, 500);
    expect(readLinear(h, entries)).toEqual(expected);
  });

  it("a strided FROM_HOST (the renderer answers one write per row) leaves guest bytes between rows alone", async () => {
    const { h, port } = setup();
    create3D(h, 4, { format: R8G8B8A8 });
    const { linear, entries } = attachScattered(h, 4, 2);
    // 3 rows of 2 pixels (8 bytes) with a 4000-byte stride, at offset 100: rows cross pages.
    const sent = send(h, CMD.TRANSFER_FROM_HOST_3D, tf(4, [0, 0, 0, 2, 3, 1], 100, 4000));
    await tick();
    port.answer({ backingWrites: [0, 1, 2].map((r) => ({ res: 4, offset: 100 + r * 4000, bytes: new Uint8Array(8).fill(0xa0 + r) })) });
    await tick();
    expect(sent.response()?.type).toBe(RESP.OK_NODATA);
    const expected = linear.slice();
    for (let r = 0; r < 3; r++) expected.fill(0xa0 + r, 100 + r * 4000, 100 + r * 4000 + 8);
    expect(readLinear(h, entries)).toEqual(expected);
  });

  it("drops renderer writes outside the backing and writes after a detach or reset", async () => {
    const { h, port, module } = setup();
    create3D(h, 4, { format: R8G8B8A8 });
    const { linear, entries } = attachScattered(h, 4, 1);
    const a = send(h, CMD.TRANSFER_FROM_HOST_3D, tf(4, [0, 0, 0, 1, 1, 1], 0));
    port.answer({ backingWrites: [{ res: 4, offset: 4090, bytes: new Uint8Array(10) }, { res: 77, offset: 0, bytes: new Uint8Array(4) }] });
    await tick();
    expect(a.response()?.type).toBe(RESP.OK_NODATA);
    expect(module.stats.droppedBackingWrites).toBe(2);
    expect(readLinear(h, entries)).toEqual(linear);
    const b = send(h, CMD.TRANSFER_FROM_HOST_3D, tf(4, [0, 0, 0, 1, 1, 1], 0));
    h.command(CMD.RESOURCE_DETACH_BACKING, [4, 0]);
    port.answer({ backingWrites: [{ res: 4, offset: 0, bytes: new Uint8Array(4) }] });
    await tick();
    expect(b.response()?.type).toBe(RESP.OK_NODATA);
    expect(readLinear(h, entries)).toEqual(linear);
    expect(h.logs.some((l) => l.includes("no backing attached: dropped"))).toBe(true);
  });
});

describe("SUBMIT_3D", () => {
  function stream(res: number, offset: number, bytes: number): Uint32Array {
    const cs = new CommandStream();
    cs.push({ kind: "TRANSFER3D", res, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: bytes, h: 1, d: 1 }, dataOffset: offset, direction: TransferDir.TO_HOST });
    return cs.finish();
  }
  const asBytes = (w: Uint32Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

  it("gathers planned reads, sends the words, completes the fence only after the renderer answers", async () => {
    const { h, port } = setup();
    createCtx(h, 1);
    createBuffer(h, 4, 8192);
    const { linear } = attachScattered(h, 4, 2);
    const words = stream(4, 3000, 2000);
    const sent = send(h, CMD.SUBMIT_3D, [words.byteLength, 0], asBytes(words), { ctxId: 1, fenceId: 9n });
    await tick();
    expect(sent.response()).toBeNull();
    const w = port.pending[0];
    expect(w.kind).toBe("submit");
    expect(w.fence).toBe(true);
    expect(w.words).toEqual(words);
    expect(w.chunks).toEqual([{ res: 4, offset: 3000, bytes: linear.slice(3000, 5000) }]);
    port.answer();
    await tick();
    const r = sent.response();
    expect(r?.type).toBe(RESP.OK_NODATA);
    expect(r?.fenceId).toBe(9n);
    expect(r?.ctxId).toBe(1);
  });

  it("does not gather FROM_HOST ranges (the renderer writes rows; it never reads them)", async () => {
    const { h, port } = setup();
    createCtx(h, 1);
    create3D(h, 5, { format: R8G8B8A8 });
    attachScattered(h, 5, 2);
    const cs = new CommandStream();
    cs.push({ kind: "TRANSFER3D", res: 5, level: 0, usage: 0, stride: 1000, layerStride: 0, box: { x: 0, y: 0, z: 0, w: 4, h: 2, d: 1 }, dataOffset: 64, direction: TransferDir.FROM_HOST });
    const words = cs.finish();
    send(h, CMD.SUBMIT_3D, [words.byteLength, 0], asBytes(words), { ctxId: 1 });
    await tick();
    expect(port.pending[0].chunks).toEqual([]);
  });

  it("validates ctx and size against the request", () => {
    const { h, port } = setup();
    createCtx(h, 1);
    const words = new Uint32Array([0, 0]);
    expect(h.command(CMD.SUBMIT_3D, [8, 0], asBytes(words), { ctxId: 2 })?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID);
    expect(h.command(CMD.SUBMIT_3D, [12, 0], asBytes(words), { ctxId: 1 })?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.SUBMIT_3D, [6, 0], asBytes(words), { ctxId: 1 })?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(h.command(CMD.SUBMIT_3D, [0xfffffffc, 0], asBytes(words), { ctxId: 1 })?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(port.pending).toEqual([]);
    expect(h.logs.join("\n")).toMatch(/size 12 but the request carries 8 bytes/);
  });

  it("a range the backing cannot supply is left out (the renderer fails that command) and logged", async () => {
    const { h, port } = setup();
    createCtx(h, 1);
    createBuffer(h, 4, 100000);
    attachScattered(h, 4, 1);
    const words = stream(4, 4000, 200);
    send(h, CMD.SUBMIT_3D, [words.byteLength, 0], asBytes(words), { ctxId: 1 });
    await tick();
    expect(port.pending[0].chunks).toEqual([]);
    expect(h.logs.some((l) => l.includes("not gathered: resource 4: range [4000, +200) outside the 4096-byte backing"))).toBe(true);
  });

  it("a renderer error answers INVALID_PARAMETER with its text, marks the context, and later submits still run", async () => {
    const { h, port, module } = setup();
    createCtx(h, 1, "kmscube");
    const words = new Uint32Array([0]);
    const a = send(h, CMD.SUBMIT_3D, [4, 0], asBytes(words), { ctxId: 1, fenceId: 1n });
    port.answer({ error: { ctx: 1, cmd: "DRAW_VBO", offset: 1030, message: "mode=7: primitive not in the advertised prim_mask 0x7f" } });
    await tick();
    const r = a.response();
    expect(r?.type).toBe(RESP.ERR_INVALID_PARAMETER);
    expect(r?.fenceId).toBe(1n);
    expect(h.logs.some((l) => l.includes("SUBMIT_3D: ERR_INVALID_PARAMETER: ctx 1: DRAW_VBO @dw1030: mode=7"))).toBe(true);
    expect(module.stats.erroredContexts).toEqual([{ ctx: 1, name: "kmscube", error: "ctx 1: DRAW_VBO @dw1030: mode=7: primitive not in the advertised prim_mask 0x7f" }]);
    const b = send(h, CMD.SUBMIT_3D, [4, 0], asBytes(words), { ctxId: 1 });
    port.answer();
    await tick();
    expect(b.response()?.type).toBe(RESP.OK_NODATA);
  });

  it("asynchronous renderer errors are logged and mark the context", () => {
    const { h, port, module } = setup();
    createCtx(h, 1);
    port.emitError({ ctx: 1, cmd: "RESOURCE_CREATE_3D", offset: -1, message: "resource 5: GL error 0x505" });
    expect(h.logs.some((l) => l.includes("virgl: renderer: ctx 1: RESOURCE_CREATE_3D: resource 5: GL error 0x505"))).toBe(true);
    expect(module.stats.asyncErrors).toBe(1);
    module.dispose();
    port.emitError({ ctx: 1, cmd: "X", offset: -1, message: "after dispose" });
    expect(module.stats.asyncErrors).toBe(1);
  });
});

describe("fence ordering and reset", () => {
  it("a fenced command waits for a renderer fence and for every earlier request; unfenced ones do not", async () => {
    const { h, port } = setup();
    createCtx(h, 1);
    const words = new Uint32Array([0]);
    const bytes = new Uint8Array(words.buffer);
    const s1 = send(h, CMD.SUBMIT_3D, [4, 0], bytes, { ctxId: 1, fenceId: 1n });
    const c = send(h, CMD.RESOURCE_CREATE_3D, [20, 2, 2, 2, 8, 8, 1, 1, 0, 0, 0, 0], undefined, { fenceId: 2n });
    const u = send(h, CMD.GET_CAPSET_INFO, [0, 0]);
    await tick();
    // Unfenced, finished: completes at once although earlier work is pending.
    expect(u.response()?.type).toBe(RESP.OK_CAPSET_INFO);
    expect(port.pending.map((p) => p.kind)).toEqual(["submit", "fence"]);
    // The create's fence signals first (answers may arrive in any order): still held behind the submit.
    port.pending[1].resolve();
    port.pending.splice(1, 1);
    await tick();
    expect(c.response()).toBeNull();
    port.answer();
    await tick();
    const used = h.driver.takeUsed(0).map((x) => x.id);
    expect(used).toEqual([s1.head, c.head]);
  });

  it("reset destroys everything in the renderer and drops answers to earlier work", async () => {
    const { h, port, module } = setup();
    createCtx(h, 1);
    create3D(h, 4, { format: R8G8B8A8 });
    const { linear, entries } = attachScattered(h, 4, 1);
    const sent = send(h, CMD.TRANSFER_FROM_HOST_3D, [0, 0, 0, 1, 1, 1, 0, 0, 4, 0, 0, 0], undefined, { fenceId: 3n });
    await tick();
    const work = port.pending[0];
    h.gpu.reset();
    expect(port.take().at(-1)).toEqual({ op: "reset" });
    expect(module.stats).toMatchObject({ contexts: 0, resources: 0, hostBytes: 0 });
    work.resolve({ backingWrites: [{ res: 4, offset: 0, bytes: new Uint8Array([1, 2, 3, 4]) }] });
    await tick();
    expect(readLinear(h, entries)).toEqual(linear);
    expect(sent.response()).toBeNull();
  });
});
