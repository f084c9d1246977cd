import { describe, expect, it } from "vitest";
import { formatInfo } from "../conv/formats.ts";
import { applyViewLevels, borderColorBits, forcedNearest, samplerEmulationKey, viewLevels } from "./sampler-emulation.ts";
import type { SamplerDesc } from "./samplers.ts";

const F = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0]!;
const ss = (over: Partial<SamplerDesc> = {}): SamplerDesc => ({
  wrapS: 2, wrapT: 2, wrapR: 2, minImgFilter: 1, minMipFilter: 2, magImgFilter: 1, compareMode: 0, compareFunc: 0,
  seamlessCubeMap: false, maxAnisotropy: 0, lodBias: 0, minLod: 0, maxLod: 1000, borderColor: [0, 0, 0, 0], ...over,
}) as SamplerDesc;
const B = [F(0.1), F(0.9), F(0.5), F(0.8)];

describe("samplerEmulationKey", () => {
  it("asks for border emulation only for border wraps (legacy CLAMP only when filtering linearly)", () => {
    expect(samplerEmulationKey(ss(), false)).toEqual({});
    expect(samplerEmulationKey(ss({ wrapT: 3 }), false)).toEqual({ border: { wrap: ["none", "border", "none"], linear: true } });
    expect(samplerEmulationKey(ss({ wrapS: 1 }), false)).toEqual({ border: { wrap: ["clamp", "none", "none"], linear: true } });
    expect(samplerEmulationKey(ss({ wrapS: 1, magImgFilter: 0 }), false)).toEqual({});
    // forced nearest (integer views): CLAMP is clamp-to-edge, CLAMP_TO_BORDER still needs the border
    expect(samplerEmulationKey(ss({ wrapS: 1 }), true)).toEqual({});
    expect(samplerEmulationKey(ss({ wrapR: 3 }), true)).toEqual({ border: { wrap: ["none", "none", "border"], linear: false } });
  });
  it("flags a LOD bias; no state, no emulation", () => {
    expect(samplerEmulationKey(ss({ lodBias: -1.5 }), false)).toEqual({ lodBias: true });
    expect(samplerEmulationKey(ss({ lodBias: Number.NaN }), false)).toEqual({});
    expect(samplerEmulationKey(undefined, false)).toEqual({});
  });
});

describe("borderColorBits", () => {
  it("RGBA storage, identity view: the colour as sent", () => {
    expect([...borderColorBits(B, [0, 1, 2, 3], [0, 1, 2, 3], false)]).toEqual(B);
  });
  it("the view swizzle applies to the border (GL texture swizzle)", () => {
    expect([...borderColorBits(B, [0, 1, 2, 3], [2, 0, 1, 3], false)]).toEqual([B[2], B[0], B[1], B[3]]);
    expect([...borderColorBits(B, [0, 1, 2, 3], [4, 5, 0, 0], false)]).toEqual([0, F(1), B[0], B[0]]);
  });
  it("formats stored in fewer channels: alpha-only (A in red), luminance, luminance-alpha, RGBX", () => {
    expect([...borderColorBits(B, [4, 4, 4, 0], [0, 1, 2, 3], false)]).toEqual([0, 0, 0, B[3]]);
    expect([...borderColorBits(B, [0, 0, 0, 5], [0, 1, 2, 3], false)]).toEqual([B[0], B[0], B[0], F(1)]);
    expect([...borderColorBits(B, [0, 0, 0, 1], [0, 1, 2, 3], false)]).toEqual([B[0], B[0], B[0], B[3]]);
    expect([...borderColorBits(B, [0, 1, 2, 5], [0, 1, 2, 3], false)]).toEqual([B[0], B[1], B[2], F(1)]);
  });
  it("integer views: one is 1, bits pass through; short or odd input is tolerated", () => {
    expect([...borderColorBits([7, 0xffffffff, 3, 9], [0, 1, 2, 5], [0, 1, 2, 3], true)]).toEqual([7, 0xffffffff, 3, 1]);
    expect([...borderColorBits([], [0, 1, 2, 3], [0, 1, 2, 3], true)]).toEqual([0, 0, 0, 0]);
  });
});

describe("view levels", () => {
  const fakeGl = () => {
    const log: string[] = [];
    return { log, gl: { texParameteri: (_t: number, p: number, v: number) => void log.push(`${p.toString(16)}=${v}`), bindTexture: () => void log.push("bind") } };
  };
  it("decodes first/last level", () => {
    expect(viewLevels(0x0502)).toEqual({ first: 2, last: 5 });
  });
  it("the whole miptree changes nothing", () => {
    const { gl, log } = fakeGl();
    expect(applyViewLevels(gl, 0x0de1, {} as WebGLTexture, 4, 0x0400)).toBeNull();
    expect(applyViewLevels(gl, 0x0de1, {} as WebGLTexture, 4, 0x0900)).toBeNull(); // last beyond the miptree
    expect(log).toEqual([]);
  });
  it("a sub-range sets BASE/MAX_LEVEL (clamped to the miptree) and the undo restores GL's defaults", () => {
    const { gl, log } = fakeGl();
    const undo = applyViewLevels(gl, 0x0de1, {} as WebGLTexture, 4, 0x0001);
    expect(log).toEqual(["813c=1", "813d=1"]); // last < first: max = base
    undo!();
    expect(log.slice(2)).toEqual(["bind", "813c=0", "813d=1000"]);
    const { gl: gl2, log: log2 } = fakeGl();
    applyViewLevels(gl2, 0x0de1, {} as WebGLTexture, 2, 0x0009);
    expect(log2).toEqual(["813c=2", "813d=2"]);
  });
});

describe("forcedNearest", () => {
  it("integer formats and non-comparing depth", () => {
    const depth = [...Array(400).keys()].map((i) => formatInfo(i)).find((f) => f?.depth);
    const uint = [...Array(400).keys()].map((i) => formatInfo(i)).find((f) => f?.channel === "uint");
    expect(forcedNearest(formatInfo(67), ss())).toBe(false);
    expect(forcedNearest(uint, ss())).toBe(true);
    expect(forcedNearest(depth, ss())).toBe(true);
    expect(forcedNearest(depth, ss({ compareMode: 1 }))).toBe(false);
    expect(forcedNearest(undefined, undefined)).toBe(false);
  });
});
