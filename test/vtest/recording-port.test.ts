import { describe, expect, it } from "vitest";
import { CAPS_V1_BYTES, CAPS_V2_BYTES, type ResourceDesc, type TransferDesc } from "../../src/vtest/protocol.ts";
import { referenceRecordingPort } from "../../src/vtest/capsets.ts";
import { virglFormatBlock, virglFormatName } from "../../src/vtest/formats.ts";

const info = { name: "t", sessionId: 1, protocolVersion: 0 };
const res = (over: Partial<ResourceDesc>): ResourceDesc => ({
  handle: 1,
  target: 2,
  format: 67,
  bind: 2,
  width: 4,
  height: 4,
  depth: 1,
  arraySize: 1,
  lastLevel: 0,
  nrSamples: 0,
  ...over,
});
const xfer = (over: Partial<TransferDesc> & { box: TransferDesc["box"] }): TransferDesc => ({
  handle: 1,
  level: 0,
  stride: 0,
  layerStride: 0,
  dataSize: 0,
  ...over,
});

describe("RecordingPort", () => {
  it("answers caps with the reference capsets at Mesa 22.3's sizes", () => {
    const ctx = referenceRecordingPort().createContext(info);
    const c2 = ctx.getCaps(2) as Uint8Array;
    expect((ctx.getCaps(1) as Uint8Array).byteLength).toBe(CAPS_V1_BYTES);
    expect(c2.byteLength).toBe(CAPS_V2_BYTES);
    // renderer[64] at byte 696 of capset 2
    expect(new TextDecoder().decode(c2.subarray(696, 696 + 8))).toBe("LLVMPIPE");
  });

  it("buffers: TRANSFER_GET returns what TRANSFER_PUT stored, zero elsewhere", () => {
    const ctx = referenceRecordingPort().createContext(info);
    ctx.createResource(res({ target: 0, format: 64, width: 64, height: 1 }));
    const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    // Mesa sends stride = buffer size for buffers; with height 1 it must be ignored.
    ctx.transferPut(xfer({ stride: 64, box: { x: 8, y: 0, z: 0, width: 10, height: 1, depth: 1 }, dataSize: 10 }), data);
    const back = ctx.transferGet(xfer({ box: { x: 4, y: 0, z: 0, width: 16, height: 1, depth: 1 }, dataSize: 16 })) as Uint8Array;
    expect(Array.from(back)).toEqual([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0]);
  });

  it("2D textures: honours strides and sub-boxes", () => {
    const ctx = referenceRecordingPort().createContext(info);
    ctx.createResource(res({}));
    // 2x2 RGBA block at (1,1), client stride 16 bytes (one padding pixel per row).
    const put = new Uint8Array(16 + 8);
    put.set([1, 1, 1, 1, 2, 2, 2, 2], 0);
    put.set([3, 3, 3, 3, 4, 4, 4, 4], 16);
    ctx.transferPut(xfer({ stride: 16, box: { x: 1, y: 1, z: 0, width: 2, height: 2, depth: 1 }, dataSize: 24 }), put);
    const all = ctx.transferGet(xfer({ stride: 16, box: { x: 0, y: 0, z: 0, width: 4, height: 4, depth: 1 }, dataSize: 64 })) as Uint8Array;
    const px = (x: number, y: number): number => all[y * 16 + x * 4]!;
    expect([px(0, 0), px(1, 1), px(2, 1), px(1, 2), px(2, 2), px(3, 3)]).toEqual([0, 1, 2, 3, 4, 0]);
    // Unknown resource / never-written level: zeros of the requested size.
    expect(Array.from(ctx.transferGet(xfer({ handle: 9, box: { x: 0, y: 0, z: 0, width: 1, height: 1, depth: 1 }, dataSize: 4 })) as Uint8Array)).toEqual([0, 0, 0, 0]);
  });

  it("1D arrays address layers with box.y; 2D arrays with box.z", () => {
    const ctx = referenceRecordingPort().createContext(info);
    ctx.createResource(res({ target: 6, width: 2, height: 1, arraySize: 3 }));
    ctx.transferPut(xfer({ box: { x: 0, y: 2, z: 0, width: 2, height: 1, depth: 1 }, dataSize: 8 }), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    const a = ctx.transferGet(xfer({ stride: 8, box: { x: 0, y: 0, z: 0, width: 2, height: 3, depth: 1 }, dataSize: 24 })) as Uint8Array;
    expect(Array.from(a.subarray(16))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    ctx.createResource(res({ handle: 2, target: 7, width: 1, height: 1, arraySize: 4 }));
    ctx.transferPut(xfer({ handle: 2, box: { x: 0, y: 0, z: 3, width: 1, height: 1, depth: 1 }, dataSize: 4 }), Uint8Array.of(9, 9, 9, 9));
    const b = ctx.transferGet(xfer({ handle: 2, layerStride: 4, box: { x: 0, y: 0, z: 0, width: 1, height: 1, depth: 4 }, dataSize: 16 })) as Uint8Array;
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9]);
  });

  it("ignores transfers that run outside the resource", () => {
    const ctx = referenceRecordingPort().createContext(info);
    ctx.createResource(res({ width: 2, height: 2 }));
    expect(() => ctx.transferPut(xfer({ box: { x: 1, y: 1, z: 5, width: 100, height: 100, depth: 1 }, dataSize: 40000 }), new Uint8Array(40000))).not.toThrow();
    expect((ctx.transferGet(xfer({ box: { x: 0, y: 0, z: 0, width: 2, height: 2, depth: 1 }, dataSize: 16 })) as Uint8Array).every((b) => b === 0)).toBe(true);
  });
});

describe("virgl formats", () => {
  it("derives block sizes from the enum names", () => {
    expect(virglFormatName(67)).toBe("R8G8B8A8_UNORM");
    expect(virglFormatBlock(1)).toEqual({ bytes: 4, width: 1, height: 1 });
    expect(virglFormatBlock(19)?.bytes).toBe(4); // Z24_UNORM_S8_UINT
    expect(virglFormatBlock(31)?.bytes).toBe(16); // R32G32B32A32_FLOAT
    expect(virglFormatBlock(126)?.bytes).toBe(8); // Z32_FLOAT_S8X24_UINT
    expect(virglFormatBlock(105)).toEqual({ bytes: 8, width: 4, height: 4 }); // DXT1_RGB
    expect(virglFormatBlock(284)).toEqual({ bytes: 16, width: 8, height: 5 }); // ASTC_8x5
    expect(virglFormatBlock(166)).toBeUndefined(); // NV12
    expect(virglFormatBlock(9999)).toBeUndefined();
  });
});
