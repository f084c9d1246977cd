// Unit tests (Node): the stencil-test sweep of StencilReadback against a fake WebGL2 that
// implements the stencil test (EQUAL with ref/mask) and ONE/ONE unorm8 blending on a small
// framebuffer, and the stencil bytes packDepth puts into each depth-stencil layout.
import { describe, expect, it } from "vitest";
import { formatInfo } from "../conv/formats.ts";
import { packDepth } from "./depth-readback.ts";
import { GlObjects } from "./gl-objects.ts";
import { GlStateCache } from "./state-cache.ts";
import { StencilReadback, stencilBitPasses } from "./stencil-readback.ts";

const EQUAL = 0x0202;
const BLEND = 0x0be2;
const STENCIL_TEST = 0x0b90;

/** A fake GL whose "draw" applies the stencil test and additive blending to an RGBA8 colour buffer. */
function fakeGl(width: number, height: number, stencil: Uint8Array) {
  const red = new Uint8Array(width * height);
  const enabled = new Set<number>();
  const func = new Map<number, [number, number, number]>();
  let blend: number[] = [];
  let value = 0;
  let stencilWrites = -1;
  let draws = 0;
  let storage: [number, number] = [0, 0];
  const gl = {
    createTexture: () => ({}),
    createFramebuffer: () => ({}),
    createShader: () => ({}),
    createProgram: () => ({}),
    deleteTexture: () => {},
    deleteFramebuffer: () => {},
    deleteShader: () => {},
    deleteProgram: () => {},
    shaderSource: () => {},
    compileShader: () => {},
    getShaderParameter: () => true,
    attachShader: () => {},
    linkProgram: () => {},
    getProgramParameter: () => true,
    getUniformLocation: () => ({}),
    bindTexture: () => {},
    texStorage2D: (_t: number, _l: number, _f: number, w: number, h: number) => (storage = [w, h]),
    bindFramebuffer: () => {},
    framebufferTexture2D: () => {},
    framebufferTextureLayer: () => {},
    checkFramebufferStatus: () => 0x8cd5,
    drawBuffers: () => {},
    readBuffer: () => {},
    useProgram: () => {},
    bindVertexArray: () => {},
    enable: (c: number) => enabled.add(c),
    disable: (c: number) => enabled.delete(c),
    colorMask: () => {},
    viewport: () => {},
    clearBufferfv: () => red.fill(0),
    blendFuncSeparate: (...f: number[]) => (blend = f),
    blendEquationSeparate: () => {},
    stencilMaskSeparate: (_face: number, m: number) => (stencilWrites = m),
    stencilOpSeparate: () => {},
    stencilFuncSeparate: (face: number, f: number, ref: number, mask: number) => func.set(face, [f, ref, mask]),
    uniform1f: (_l: unknown, v: number) => (value = v),
    pixelStorei: () => {},
    drawArrays: () => {
      draws++;
      expect(enabled.has(BLEND) && blend.every((f) => f === 1)).toBe(true);
      expect(enabled.has(STENCIL_TEST)).toBe(true);
      const [f, ref, mask] = func.get(0x0404)!;
      expect(f).toBe(EQUAL);
      for (let i = 0; i < red.length; i++) {
        if ((stencil[i] & mask) === (ref & mask)) red[i] = Math.min(255, red[i] + Math.round(value * 255));
      }
    },
    readPixels: (x: number, y: number, w: number, h: number, _f: number, _t: number, out: Uint8Array) => {
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[(r * w + c) * 4] = red[(y + r) * width + x + c];
    },
  } as unknown as WebGL2RenderingContext;
  return { gl, draws: () => draws, stencilWrites: () => stencilWrites, storage: () => storage };
}

describe("stencil readback by stencil-test sweep", () => {
  it("8 passes, one per bit, each adding exactly that bit", () => {
    const p = stencilBitPasses();
    expect(p.map((x) => x.ref)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(p.every((x) => x.mask === x.ref && Math.round(x.add * 255) === x.ref)).toBe(true);
  });
  it("recovers every 8-bit value exactly, for a sub-box, without writing stencil", () => {
    const W = 16;
    const H = 16;
    const stencil = Uint8Array.from({ length: W * H }, (_, i) => i & 255); // all 256 values
    const f = fakeGl(W, H, stencil);
    const objs = new GlObjects(f.gl);
    const rb = new StencilReadback(f.gl, objs, new GlStateCache(f.gl));
    const all = rb.read({} as WebGLTexture, 0x0de1, 0, 0, 0, 0, W, H, W, H);
    expect(all).toEqual(stencil);
    expect(f.draws()).toBe(8);
    expect(f.stencilWrites()).toBe(0);
    const box = rb.read({} as WebGLTexture, 0x0de1, 0, 0, 3, 5, 4, 2, W, H);
    expect([...(box as Uint8Array)]).toEqual([83, 84, 85, 86, 99, 100, 101, 102]);
    expect(f.storage()).toEqual([W, H]); // colour target as large as the stencil level (WebGL: same dimensions)
    expect(rb.read({} as WebGLTexture, 0x0de1, 0, 0, 14, 0, 4, 1, W, H)).toMatch(/outside/);
    expect(rb.read({} as WebGLTexture, 0x806f /* 3D */, 0, 0, 0, 0, 1, 1, 1, 1)).toMatch(/2D/);
  });
});

describe("packDepth with stencil", () => {
  const raw = new Uint8Array(new Uint32Array([0x123456]).buffer); // one pixel, z24 = 0x123456
  const u32 = (b: Uint8Array, i = 0) => new DataView(b.buffer).getUint32(i * 4, true);
  it("puts the stencil byte where each layout keeps it", () => {
    expect(u32(packDepth(formatInfo(19)!, raw, 1, Uint8Array.of(0xab)))).toBe(0xab123456); // Z24_UNORM_S8_UINT
    expect(u32(packDepth(formatInfo(20)!, raw, 1, Uint8Array.of(0xab)))).toBe(0x123456ab); // S8_UINT_Z24_UNORM
    const z32s8 = packDepth(formatInfo(126)!, new Uint8Array(new Float32Array([0.5]).buffer), 1, Uint8Array.of(7));
    expect([new DataView(z32s8.buffer).getFloat32(0, true), u32(z32s8, 1)]).toEqual([0.5, 7]);
    expect(u32(packDepth(formatInfo(19)!, raw, 1))).toBe(0x123456); // no stencil: 0
  });
});
