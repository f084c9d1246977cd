import { describe, expect, it } from "vitest";
import { CommandStream } from "./encode/encoder.ts";
import { Bind, Target, TransferDir } from "./protocol.ts";
import { type ResourceDesc, levelExtent, normalizeResourceDesc, transferGeometry, validateResourceDesc } from "./resource-desc.ts";
import { GatheredBacking, MemoryBacking, mergeRanges, planSubmit } from "./transfer-plan.ts";

const tex = (over: Partial<ResourceDesc> = {}): ResourceDesc => ({
  handle: 1,
  target: Target.TEXTURE_2D,
  format: 1,
  bind: Bind.RENDER_TARGET | Bind.SAMPLER_VIEW,
  width: 64,
  height: 32,
  depth: 1,
  arraySize: 1,
  lastLevel: 0,
  nrSamples: 0,
  flags: 0,
  ...over,
});
const buf = (handle: number, width: number, bind: number = Bind.VERTEX_BUFFER): ResourceDesc =>
  tex({ handle, target: Target.BUFFER, format: 64, bind, width, height: 1 });
const box = (x: number, y: number, w: number, h: number, z = 0, d = 1) => ({ x, y, z, w, h, d });

describe("resource descriptions", () => {
  it("accepts Mesa-like textures and buffers", () => {
    expect(validateResourceDesc(tex())).toBeNull();
    expect(validateResourceDesc(buf(2, 4096))).toBeNull();
    expect(validateResourceDesc(tex({ target: Target.TEXTURE_CUBE, width: 32, height: 32, arraySize: 6, lastLevel: 5 }))).toBeNull();
    expect(validateResourceDesc(tex({ target: Target.TEXTURE_3D, depth: 8, lastLevel: 6 }))).toBeNull();
  });
  it("rejects bad ones with a reason", () => {
    expect(validateResourceDesc(tex({ handle: 0 }))).toMatch(/handle 0/);
    expect(validateResourceDesc(tex({ format: 999 }))).toMatch(/format/);
    expect(validateResourceDesc(tex({ width: 0 }))).toMatch(/zero/);
    expect(validateResourceDesc(tex({ nrSamples: 4 }))).toBeNull();
    expect(validateResourceDesc(tex({ nrSamples: 3 }))).toMatch(/power of two/);
    expect(validateResourceDesc(tex({ nrSamples: 4, lastLevel: 1 }))).toMatch(/one level/);
    expect(validateResourceDesc(tex({ nrSamples: 4, target: Target.TEXTURE_2D_ARRAY, arraySize: 2 }))).toMatch(/must be 2D/);
    expect(validateResourceDesc(tex({ lastLevel: 7 }))).toMatch(/last_level/);
    expect(validateResourceDesc(tex({ width: 20000 }))).toMatch(/exceeds/);
    expect(validateResourceDesc(tex({ depth: 2 }))).toMatch(/depth/);
    expect(validateResourceDesc(buf(3, 16).height === 1 ? { ...buf(3, 16), lastLevel: 1 } : buf(3, 16))).toMatch(/one level/);
    expect(validateResourceDesc(tex({ target: Target.TEXTURE_CUBE_ARRAY, arraySize: 12, width: 32 }))).toMatch(/cube/);
  });
  it("Mesa's zero extents mean 1", () => {
    const custom = normalizeResourceDesc({ ...buf(5, 8, 0x20000), height: 1, depth: 1, arraySize: 0 });
    expect(custom.arraySize).toBe(1);
    expect(validateResourceDesc(custom)).toBeNull();
    expect(validateResourceDesc({ ...tex(), arraySize: 0 })).toBeNull(); // validation normalizes too
    expect(validateResourceDesc({ ...tex(), width: 0 })).toMatch(/zero/);
    expect(validateResourceDesc(normalizeResourceDesc({ ...tex(), arraySize: 0, depth: 0 }))).toBeNull();
  });
  it("level extents", () => {
    expect(levelExtent(tex({ lastLevel: 5 }), 3)).toEqual({ w: 8, h: 4, layers: 1 });
    expect(levelExtent(tex({ target: Target.TEXTURE_3D, depth: 8 }), 2)).toEqual({ w: 16, h: 8, layers: 2 });
    expect(levelExtent(tex({ target: Target.TEXTURE_CUBE, width: 16, height: 16, arraySize: 6 }), 0).layers).toBe(6);
  });
});

describe("transfer geometry", () => {
  it("packed and strided 2D", () => {
    expect(transferGeometry(tex(), 0, box(0, 0, 64, 32), 0, 0)).toEqual({ stride: 256, layerStride: 8192, rowBytes: 256, rows: 32, bytes: 8192 });
    expect(transferGeometry(tex(), 0, box(8, 4, 4, 2), 256, 0)).toEqual({ stride: 256, layerStride: 512, rowBytes: 16, rows: 2, bytes: 256 + 16 });
  });
  it("buffers use x/w bytes", () => {
    expect(transferGeometry(buf(2, 100), 0, box(10, 0, 90, 1), 0, 0)).toMatchObject({ bytes: 90 });
    expect(transferGeometry(buf(2, 100), 0, box(10, 0, 91, 1), 0, 0)).toMatch(/beyond/);
  });
  it("rejects out-of-level boxes, small strides and unaligned compressed boxes", () => {
    expect(transferGeometry(tex(), 0, box(60, 0, 8, 1), 0, 0)).toMatch(/beyond/);
    expect(transferGeometry(tex(), 1, box(0, 0, 1, 1), 0, 0)).toMatch(/last_level/);
    expect(transferGeometry(tex(), 0, box(0, 0, 64, 2), 100, 0)).toMatch(/stride/);
    expect(transferGeometry(tex({ target: Target.TEXTURE_2D_ARRAY, arraySize: 4 }), 0, box(0, 0, 64, 2, 0, 2), 256, 10)).toMatch(/layer_stride/);
    const dxt = tex({ format: 105, width: 10, height: 10 });
    expect(transferGeometry(dxt, 0, box(2, 0, 4, 4), 0, 0)).toMatch(/aligned/);
    expect(transferGeometry(dxt, 0, box(8, 8, 2, 2), 0, 0)).toMatchObject({ rowBytes: 8, rows: 1, bytes: 8 });
  });
  it("huge strides cannot overflow", () => {
    const t = tex({ target: Target.TEXTURE_2D_ARRAY, arraySize: 2048 });
    expect(transferGeometry(t, 0, box(0, 0, 64, 32, 0, 2048), 0xffffffff, 0xffffffff)).toMatch(/too large/);
  });
});

describe("planSubmit", () => {
  const descs = new Map<number, ResourceDesc>([
    [1, tex()],
    [2, buf(2, 1 << 20, Bind.STAGING)],
    [3, buf(3, 4096)],
  ]);
  const describe_ = (r: number) => descs.get(r);

  it("lists reads for TO_HOST and COPY_TRANSFER3D, writes for FROM_HOST and read-back copies", () => {
    const words = new CommandStream(true)
      .push({ kind: "TRANSFER3D", res: 1, level: 0, usage: 0, stride: 256, layerStride: 0, box: box(0, 0, 64, 32), dataOffset: 0, direction: TransferDir.TO_HOST })
      .push({ kind: "TRANSFER3D", res: 3, level: 0, usage: 0, stride: 0, layerStride: 0, box: box(16, 0, 32, 1), dataOffset: 16, direction: TransferDir.FROM_HOST })
      .push({
        kind: "COPY_TRANSFER3D",
        res: 1,
        level: 0,
        usage: 0,
        stride: 256,
        layerStride: 0,
        box: box(0, 0, 4, 4),
        srcRes: 2,
        srcOffset: 4096,
        synchronized: false,
        readFromHost: false,
      })
      .push({
        kind: "COPY_TRANSFER3D",
        res: 1,
        level: 0,
        usage: 0,
        stride: 256,
        layerStride: 0,
        box: box(0, 0, 64, 1),
        srcRes: 2,
        srcOffset: 0,
        synchronized: true,
        readFromHost: true,
      })
      .push({ kind: "SET_SUB_CTX", subCtx: 1 })
      .finish();
    const plan = planSubmit(words, describe_);
    expect(plan.error).toBeUndefined();
    expect(plan.reads).toEqual([
      { res: 1, offset: 0, length: 8192 },
      { res: 2, offset: 4096, length: 3 * 256 + 16 },
    ]);
    expect(plan.writes).toEqual([
      { res: 2, offset: 0, length: 256 },
      { res: 3, offset: 16, length: 32 },
    ]);
  });
  it("reports geometry errors", () => {
    const words = new CommandStream()
      .push({ kind: "TRANSFER3D", res: 1, level: 0, usage: 0, stride: 0, layerStride: 0, box: box(0, 0, 65, 1), dataOffset: 0, direction: 1 })
      .finish();
    expect(planSubmit(words, describe_).error).toMatch(/beyond/);
  });
  it("merges ranges", () => {
    expect(mergeRanges([{ res: 1, offset: 10, length: 10 }, { res: 1, offset: 0, length: 10 }, { res: 1, offset: 30, length: 1 }, { res: 0, offset: 5, length: 1 }])).toEqual([
      { res: 0, offset: 5, length: 1 },
      { res: 1, offset: 0, length: 20 },
      { res: 1, offset: 30, length: 1 },
    ]);
  });
});

describe("backing access", () => {
  it("gathered ranges serve reads inside them only", () => {
    const g = new GatheredBacking([{ res: 1, offset: 100, bytes: Uint8Array.from([1, 2, 3, 4]) }]);
    expect(g.read(1, 101, 2)).toEqual(Uint8Array.from([2, 3]));
    expect(g.read(1, 99, 2)).toMatch(/not gathered/);
    expect(g.read(2, 100, 1)).toMatch(/not gathered/);
  });
  it("memory backings read and apply writes with bounds checks", () => {
    const m = new MemoryBacking(new Map([[1, new Uint8Array(8)]]));
    expect(m.apply([{ res: 1, offset: 4, bytes: Uint8Array.from([9, 9]) }])).toBeNull();
    expect(m.read(1, 4, 2)).toEqual(Uint8Array.from([9, 9]));
    expect(m.read(1, 7, 2)).toMatch(/beyond/);
    expect(m.apply([{ res: 1, offset: 7, bytes: Uint8Array.from([1, 2]) }])).toMatch(/out of range/);
  });
});
