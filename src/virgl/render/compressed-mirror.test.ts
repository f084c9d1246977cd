import { describe, expect, it } from "vitest";
import { formatInfo } from "../conv/formats.ts";
import type { ResourceDesc } from "../resource-desc.ts";
import { blockCompatible, CompressedMirror, compressedMirror } from "./compressed-mirror.ts";

const ETC2_RGB8 = 269; // 4x4 blocks of 8 bytes
const fmt = formatInfo(ETC2_RGB8)!;
const desc = (over: Partial<ResourceDesc> = {}): ResourceDesc =>
  ({ handle: 1, target: 2, format: ETC2_RGB8, bind: 8, width: 10, height: 6, depth: 1, arraySize: 1, lastLevel: 3, nrSamples: 0, flags: 0, ...over }) as ResourceDesc;
const seq = (n: number, start = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe("CompressedMirror", () => {
  it("is an ETC2 block format (the test's assumption)", () => {
    expect(fmt.compressed).toBe(true);
    expect([fmt.blockWidth, fmt.blockHeight, fmt.blockBytes]).toEqual([4, 4, 8]);
  });

  it("reads back exactly what was written, block for block, incl. partial edge blocks", () => {
    const m = new CompressedMirror(desc(), fmt);
    // level 0 is 10x6 → 3x2 blocks; the whole level in one write
    const all = seq(3 * 2 * 8);
    expect(m.write(0, { x: 0, y: 0, z: 0, w: 10, h: 6, d: 1 }, all)).toBeNull();
    expect(m.read(0, { x: 0, y: 0, z: 0, w: 10, h: 6, d: 1 })).toEqual(all);
    // a sub-box: block column 1..2 of block row 1
    const sub = m.read(0, { x: 4, y: 4, z: 0, w: 6, h: 2, d: 1 });
    expect(sub).toEqual(all.subarray((1 * 3 + 1) * 8, (1 * 3 + 3) * 8));
  });

  it("sub-box writes land at their block position; untouched blocks read as zero", () => {
    const m = new CompressedMirror(desc(), fmt);
    expect(m.write(0, { x: 8, y: 0, z: 0, w: 2, h: 4, d: 1 }, seq(8, 100))).toBeNull();
    const level = m.read(0, { x: 0, y: 0, z: 0, w: 10, h: 6, d: 1 }) as Uint8Array;
    expect(level.subarray(16, 24)).toEqual(seq(8, 100));
    expect([...level.subarray(0, 16), ...level.subarray(24)].every((b) => b === 0)).toBe(true);
    // levels are independent; a level never written reads as zero
    expect(m.read(2, { x: 0, y: 0, z: 0, w: 2, h: 1, d: 1 })).toEqual(new Uint8Array(8));
  });

  it("keeps array layers apart", () => {
    const m = new CompressedMirror(desc({ target: 7, arraySize: 3, width: 4, height: 4, lastLevel: 0 }), fmt);
    expect(m.write(0, { x: 0, y: 0, z: 1, w: 4, h: 4, d: 2 }, seq(16))).toBeNull();
    expect(m.read(0, { x: 0, y: 0, z: 0, w: 4, h: 4, d: 1 })).toEqual(new Uint8Array(8));
    expect(m.read(0, { x: 0, y: 0, z: 2, w: 4, h: 4, d: 1 })).toEqual(seq(8, 9));
  });

  it("rejects boxes outside the level, bad levels and short data", () => {
    const m = new CompressedMirror(desc(), fmt);
    expect(m.write(0, { x: 8, y: 0, z: 0, w: 8, h: 4, d: 1 }, seq(16))).toMatch(/outside level 0/);
    expect(m.write(4, { x: 0, y: 0, z: 0, w: 1, h: 1, d: 1 }, seq(8))).toMatch(/level 4 outside/);
    expect(m.write(-1, { x: 0, y: 0, z: 0, w: 1, h: 1, d: 1 }, seq(8))).toMatch(/level -1/);
    expect(m.read(0, { x: 0, y: 0, z: 1, w: 4, h: 4, d: 1 })).toMatch(/outside level 0/);
    expect(m.read(0, { x: 0, y: 0, z: 0, w: 0, h: 4, d: 1 })).toMatch(/outside/);
    expect(m.write(0, { x: 0, y: 0, z: 0, w: 8, h: 4, d: 1 }, seq(8))).toMatch(/8 bytes for 2x1x1 blocks/);
  });

  it("exists only for compressed textures, one per resource", () => {
    const r = { desc: desc(), fmt, kind: "texture" };
    expect(compressedMirror(r)).toBe(compressedMirror(r));
    expect(compressedMirror({ desc: desc({ format: 67 }), fmt: formatInfo(67), kind: "texture" })).toBeUndefined();
    expect(compressedMirror({ desc: desc(), fmt: undefined, kind: "buffer" })).toBeUndefined();
  });

  it("block compatibility needs equal block size and bytes", () => {
    expect(blockCompatible(fmt, fmt)).toBe(true);
    expect(blockCompatible(fmt, formatInfo(67)!)).toBe(false);
  });
});
