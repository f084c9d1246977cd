import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allFormats, formatInfo, isFilterable, isRenderable, isTexturable, regionBytes, storageFormat } from "./formats.ts";
import { GL } from "./gl.ts";
import { glToGuest, guestToGl } from "./pixel-convert.ts";
import * as St from "./state.ts";
import { convertBgra, convertDoubles, doubleVertexComponents, vertexFormat } from "./vertex-formats.ts";
import { packReadback, readbackView, readSpec, toHalf } from "./readback.ts";
import { REFERENCE_CAPSET_DIR } from "../../vtest/capsets.ts";

const refCaps = JSON.parse(readFileSync(`${REFERENCE_CAPSET_DIR}/gles30.caps.json`, "utf8")) as {
  v2: { sampler_formats: string[]; render_formats: string[] };
};
const none = (): boolean => false;
const all = (): boolean => true;

describe("format table", () => {
  it("ids and names are unique and consistent", () => {
    const names = new Set<string>();
    for (const f of allFormats()) {
      expect(formatInfo(f.id)).toBe(f);
      expect(names.has(f.name)).toBe(false);
      names.add(f.name);
      expect(f.blockBytes).toBeGreaterThan(0);
      if (f.compressed) {
        expect(f.glFormat).toBe(0);
        expect(f.textureExtension).not.toBeNull();
        expect(f.renderable).toBe(false);
      } else {
        expect(f.glFormat).not.toBe(0);
        expect(f.blockWidth).toBe(1);
      }
      if (f.channel === "uint" || f.channel === "sint") expect(f.filterable).toBe(false);
      if (f.depth) expect(f.filterable).toBe(false);
    }
  });

  it("covers the reference GLES 3.0 sampler formats except the documented gaps", () => {
    const ours = new Set(allFormats().map((f) => f.name));
    const missing = refCaps.v2.sampler_formats.filter((n) => !ours.has(n));
    // No WebGL2 equivalent: sRGB single/dual channel and the X24S8 stencil view.
    expect(missing.sort()).toEqual(["L8_SRGB", "R8G8_SRGB", "R8_SRGB", "X24S8_UINT"]);
  });

  it("covers the reference render formats except alpha-only targets (need an output swizzle)", () => {
    const renderable = new Set(allFormats().filter((f) => isRenderable(f, all)).map((f) => f.name));
    const missing = refCaps.v2.render_formats.filter((n) => !renderable.has(n));
    expect(missing.sort()).toEqual(["A16_FLOAT", "A16_UINT", "A16_UNORM", "A32_FLOAT", "A32_UINT", "A8_SINT", "A8_UINT", "A16_SINT", "A32_SINT"].sort());
  });

  it("BGRA/BGRX use RGBA8 with a byte permutation; X forces alpha 1", () => {
    const bgra = formatInfo(1)!;
    expect([bgra.internalFormat, bgra.glFormat, bgra.glType]).toEqual([GL.RGBA8, GL.RGBA, GL.UNSIGNED_BYTE]);
    expect(bgra.cpu).toEqual({ kind: "permute8", perm: [2, 1, 0, 3] });
    const bgrx = formatInfo(2)!;
    expect(bgrx.swizzle).toEqual([0, 1, 2, 5]);
    expect(bgrx.noAlpha).toBe(true);
    expect(isRenderable(bgrx, none)).toBe(true);
  });

  it("luminance/alpha/intensity map to R8/RG8 with sampler swizzles", () => {
    expect(formatInfo(9)).toMatchObject({ internalFormat: GL.R8, swizzle: [0, 0, 0, 5], renderable: true });
    expect(formatInfo(10)).toMatchObject({ internalFormat: GL.R8, swizzle: [4, 4, 4, 0], renderable: false });
    expect(formatInfo(11)).toMatchObject({ internalFormat: GL.R8, swizzle: [0, 0, 0, 0] });
    expect(formatInfo(12)).toMatchObject({ internalFormat: GL.RG8, swizzle: [0, 0, 0, 1] });
    const l16 = formatInfo(13)!;
    expect(l16.internalFormat).toBe(GL.R16_EXT);
    expect(isTexturable(l16, none)).toBe(false);
    expect(isTexturable(l16, (e) => e === "EXT_texture_norm16")).toBe(true);
  });

  it("depth/stencil formats", () => {
    expect(formatInfo(16)).toMatchObject({ internalFormat: GL.DEPTH_COMPONENT16, depth: true, stencil: false, blockBytes: 2 });
    expect(formatInfo(21)).toMatchObject({ internalFormat: GL.DEPTH_COMPONENT24, glType: GL.UNSIGNED_INT, cpu: { kind: "z24-low-to-high" } });
    expect(formatInfo(19)).toMatchObject({ internalFormat: GL.DEPTH24_STENCIL8, stencil: true, glType: GL.UNSIGNED_INT_24_8 });
    expect(formatInfo(20)!.cpu.kind).toBe("none");
    expect(formatInfo(18)).toMatchObject({ internalFormat: GL.DEPTH_COMPONENT32F, glType: GL.FLOAT });
    expect(formatInfo(126)).toMatchObject({ internalFormat: GL.DEPTH32F_STENCIL8, blockBytes: 8 });
  });

  it("float render needs EXT_color_buffer_float, float filtering OES_texture_float_linear", () => {
    const f = formatInfo(31)!;
    expect(isRenderable(f, none)).toBe(false);
    expect(isRenderable(f, (e) => e === "EXT_color_buffer_float")).toBe(true);
    expect(isFilterable(f, none)).toBe(false);
    expect(isFilterable(formatInfo(94)!, none)).toBe(true);
    expect(formatInfo(124)).toMatchObject({ internalFormat: GL.R11F_G11F_B10F, glType: GL.UNSIGNED_INT_10F_11F_11F_REV });
  });

  it("integer and sRGB formats", () => {
    expect(formatInfo(180)).toMatchObject({ internalFormat: GL.RGBA8UI, glFormat: GL.RGBA_INTEGER, channel: "uint", renderable: true });
    expect(formatInfo(199)).toMatchObject({ internalFormat: GL.RGB32I, renderable: false, blockBytes: 12 });
    expect(formatInfo(104)).toMatchObject({ internalFormat: GL.SRGB8_ALPHA8, srgb: true, renderable: true });
    expect(formatInfo(100)!.cpu.kind).toBe("permute8");
  });

  it("compressed formats only with their extension, with block sizes", () => {
    const dxt1 = formatInfo(105)!;
    expect(dxt1).toMatchObject({ compressed: true, blockBytes: 8, blockWidth: 4, blockHeight: 4, textureExtension: "WEBGL_compressed_texture_s3tc" });
    expect(isTexturable(dxt1, none)).toBe(false);
    expect(formatInfo(292)).toMatchObject({ internalFormat: 0x93bd, blockWidth: 12, blockHeight: 12 });
    expect(formatInfo(306)).toMatchObject({ internalFormat: 0x93dd, srgb: true });
    expect(regionBytes(dxt1, 5, 5, 1)).toBe(4 * 8);
    expect(regionBytes(formatInfo(67)!, 3, 2, 2)).toBe(48);
  });

  it("unsupported formats have no entry", () => {
    for (const id of [0, 14, 15, 23, 24, 27, 87, 163, 999]) expect(formatInfo(id)).toBeUndefined();
  });
});

describe("pixel conversions", () => {
  it("BGRA <-> RGBA byte permutation round-trips", () => {
    const c = formatInfo(1)!.cpu;
    const px = Uint8Array.from([0x10, 0x20, 0x30, 0x40, 1, 2, 3, 4]); // B G R A
    const copy = px.slice();
    guestToGl(c, px);
    expect([...px]).toEqual([0x30, 0x20, 0x10, 0x40, 3, 2, 1, 4]);
    glToGuest(c, px);
    expect(px).toEqual(copy);
  });
  it("ARGB and ABGR", () => {
    const argb = Uint8Array.from([0xaa, 1, 2, 3]);
    guestToGl(formatInfo(3)!.cpu, argb);
    expect([...argb]).toEqual([1, 2, 3, 0xaa]);
    const abgr = Uint8Array.from([0xaa, 3, 2, 1]);
    guestToGl(formatInfo(121)!.cpu, abgr);
    expect([...abgr]).toEqual([1, 2, 3, 0xaa]);
    glToGuest(formatInfo(121)!.cpu, abgr);
    expect([...abgr]).toEqual([0xaa, 3, 2, 1]);
  });
  it("B10G10R10A2 swaps the 10-bit R and B fields", () => {
    const c = formatInfo(131)!.cpu;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, (3 << 30) | (0x155 << 20) | (0x2aa << 10) | 0x3ff, true);
    guestToGl(c, b);
    expect(new DataView(b.buffer).getUint32(0, true) >>> 0).toBe(((3 << 30) | (0x3ff << 20) | (0x2aa << 10) | 0x155) >>> 0);
    glToGuest(c, b);
    expect(new DataView(b.buffer).getUint32(0, true) >>> 0).toBe(((3 << 30) | (0x155 << 20) | (0x2aa << 10) | 0x3ff) >>> 0);
  });
  it("Z24 in the low bits moves to the GL high bits", () => {
    const c = formatInfo(19)!.cpu;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, 0x80ffffff, true); // S=0x80, Z=max
    guestToGl(c, b);
    expect(new DataView(b.buffer).getUint32(0, true) >>> 0).toBe(0xffffff80);
    glToGuest(c, b);
    expect(new DataView(b.buffer).getUint32(0, true) >>> 0).toBe(0x80ffffff);
  });
});

describe("state tables", () => {
  it("prim modes: only the prim_mask 0x7f ones", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(St.primMode)).toEqual([GL.POINTS, GL.LINES, GL.LINE_LOOP, GL.LINE_STRIP, GL.TRIANGLES, GL.TRIANGLE_STRIP, GL.TRIANGLE_FAN]);
    expect(St.primMode(7)).toBeUndefined();
    expect(St.primMode(14)).toBeUndefined();
  });
  it("compare funcs", () => {
    expect(St.compareFunc(0)).toBe(GL.NEVER);
    expect(St.compareFunc(1)).toBe(0x201); // LESS
    expect(St.compareFunc(7)).toBe(GL.ALWAYS);
    expect(St.compareFunc(8)).toBeUndefined();
  });
  it("stencil ops", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(St.stencilOp)).toEqual([GL.KEEP, GL.ZERO, GL.REPLACE, GL.INCR, GL.DECR, GL.INCR_WRAP, GL.DECR_WRAP, GL.INVERT]);
    expect(St.stencilOp(8)).toBeUndefined();
  });
  it("blend factors and equations", () => {
    expect(St.blendFactor(St.BlendFactor.ONE)).toBe(GL.ONE);
    expect(St.blendFactor(St.BlendFactor.ZERO)).toBe(GL.ZERO);
    expect(St.blendFactor(St.BlendFactor.INV_SRC_ALPHA)).toBe(GL.ONE_MINUS_SRC_ALPHA);
    expect(St.blendFactor(St.BlendFactor.INV_CONST_ALPHA)).toBe(GL.ONE_MINUS_CONSTANT_ALPHA);
    expect(St.blendFactor(St.BlendFactor.SRC1_COLOR)).toBe(GL.SRC1_COLOR_WEBGL);
    expect(St.isDualSourceFactor(St.BlendFactor.INV_SRC1_ALPHA)).toBe(true);
    expect(St.blendFactor(0x16)).toBeUndefined();
    expect(St.blendFactorNoDstAlpha(St.BlendFactor.DST_ALPHA)).toBe(St.BlendFactor.ONE);
    expect(St.blendFactorNoDstAlpha(St.BlendFactor.INV_DST_ALPHA)).toBe(St.BlendFactor.ZERO);
    expect([0, 1, 2, 3, 4].map(St.blendEquation)).toEqual([GL.FUNC_ADD, GL.FUNC_SUBTRACT, GL.FUNC_REVERSE_SUBTRACT, GL.MIN, GL.MAX]);
    expect(St.blendEquation(5)).toBeUndefined();
  });
  it("wrap modes, lossy where WebGL2 lacks the mode", () => {
    expect(St.wrapMode(0)).toEqual({ gl: GL.REPEAT, lossy: false });
    expect(St.wrapMode(2)).toEqual({ gl: GL.CLAMP_TO_EDGE, lossy: false });
    expect(St.wrapMode(3)).toEqual({ gl: GL.CLAMP_TO_EDGE, lossy: true });
    expect(St.wrapMode(4)).toEqual({ gl: GL.MIRRORED_REPEAT, lossy: false });
    expect(St.wrapMode(8)).toBeUndefined();
  });
  it("filters", () => {
    expect(St.minFilter(0, 2)).toBe(GL.NEAREST);
    expect(St.minFilter(1, 2)).toBe(GL.LINEAR);
    expect(St.minFilter(1, 0)).toBe(GL.LINEAR_MIPMAP_NEAREST);
    expect(St.minFilter(0, 1)).toBe(GL.NEAREST_MIPMAP_LINEAR);
    expect(St.minFilter(1, 1)).toBe(GL.LINEAR_MIPMAP_LINEAR);
    expect(St.minFilter(2, 0)).toBeUndefined();
    expect(St.magFilter(1)).toBe(GL.LINEAR);
    expect(St.magFilter(3)).toBeUndefined();
  });
  it("index sizes and restart", () => {
    expect([1, 2, 4].map(St.indexType)).toEqual([GL.UNSIGNED_BYTE, GL.UNSIGNED_SHORT, GL.UNSIGNED_INT]);
    expect(St.indexType(3)).toBeUndefined();
    expect(St.fixedRestartIndex(2)).toBe(0xffff);
  });
  it("cull faces", () => {
    expect([0, 1, 2, 3].map(St.cullFace)).toEqual([undefined, GL.FRONT, GL.BACK, GL.FRONT_AND_BACK]);
  });
});

describe("vertex formats", () => {
  it("float, normalized, scaled, integer, packed", () => {
    expect(vertexFormat(30)).toEqual({ size: 3, type: GL.FLOAT, normalized: false, integer: false, bytes: 12, bgra: false });
    expect(vertexFormat(67)).toMatchObject({ size: 4, type: GL.UNSIGNED_BYTE, normalized: true, integer: false });
    expect(vertexFormat(72)).toMatchObject({ size: 4, type: GL.UNSIGNED_BYTE, normalized: false, integer: false });
    expect(vertexFormat(196)).toMatchObject({ size: 4, type: GL.UNSIGNED_INT, integer: true, bytes: 16 });
    expect(vertexFormat(8)).toMatchObject({ type: GL.UNSIGNED_INT_2_10_10_10_REV, normalized: true });
    expect(vertexFormat(1)).toMatchObject({ bgra: true, normalized: true });
    expect(vertexFormat(35)).toMatchObject({ size: 4, type: GL.UNSIGNED_INT, normalized: true, bytes: 16 });
    expect(vertexFormat(40)).toMatchObject({ size: 1, type: GL.INT, normalized: true });
    expect(vertexFormat(24)).toBeUndefined(); // R64_FLOAT
    expect(vertexFormat(124)).toBeUndefined(); // R11G11B10F is not a vertex format
  });
});

describe("16-bit normalized without EXT_texture_norm16 (stored as float)", () => {
  const none = () => false;
  const withExt = (e: string) => e === "EXT_texture_norm16" || e === "OES_texture_float_linear" || e === "EXT_color_buffer_float";
  it("uses the format itself when the extension is there, the float stand-in otherwise", () => {
    expect(storageFormat(formatInfo(48), withExt)).toBe(formatInfo(48));
    const fb = storageFormat(formatInfo(48), none)!;
    expect(fb).toMatchObject({ id: 48, internalFormat: GL.R32F, glType: GL.FLOAT, blockBytes: 2, channel: "unorm", cpu: { kind: "norm16-f32", signed: false } });
    expect(storageFormat(formatInfo(51), none)).toMatchObject({ internalFormat: GL.RGBA32F, renderable: true, renderExtension: "EXT_color_buffer_float" });
    expect(storageFormat(formatInfo(58), none)).toMatchObject({ internalFormat: GL.RGB32F, renderable: false, cpu: { signed: true } });
    expect(storageFormat(formatInfo(67), none)).toBe(formatInfo(67));
    expect(storageFormat(undefined, none)).toBeUndefined();
    // formats with no stand-in stay unsupported
    expect(storageFormat(formatInfo(269), none)).toBeUndefined();
  });
  it("every unsigned and signed 16-bit code survives upload and readback exactly", () => {
    for (const [id, signed] of [[48, false], [56, true]] as const) {
      const f = storageFormat(formatInfo(id), none)!;
      const guest = new Uint8Array(new Uint16Array(65536).map((_, i) => i).buffer);
      const gl = guestToGl(f.cpu, guest.slice());
      expect(gl.length).toBe(guest.length * 2);
      const floats = new Float32Array(gl.buffer);
      if (signed) expect([floats[0x7fff], floats[0x8000], floats[0x8001]]).toEqual([1, -1, -1]);
      else expect([floats[0], floats[65535]]).toEqual([0, 1]);
      // readPixels returns RGBA floats: put each value in R
      const rgba = new Float32Array(65536 * 4);
      floats.forEach((v, i) => (rgba[i * 4] = v));
      // snorm is not renderable, so it has no readSpec; the packing from float reads is the same
      const spec = readSpec(f) ?? { format: GL.RGBA, type: GL.FLOAT, bytes: 16, array: "f32" as const };
      const back = new Uint16Array(packReadback(f, spec, new Uint8Array(rgba.buffer), 65536).buffer);
      const want = new Uint16Array(guest.buffer).map((v) => (signed && v === 0x8000 ? 0x8001 : v)); // -32768 reads as -1.0 = -32767
      expect(back).toEqual(want);
    }
  });
  it("readback clamps out-of-range floats (a normalized buffer cannot hold them)", () => {
    const f = storageFormat(formatInfo(49), none)!;
    const rgba = new Float32Array([1.5, -0.25, 0, 0]);
    expect([...new Uint16Array(packReadback(f, readSpec(f)!, new Uint8Array(rgba.buffer), 1).buffer)]).toEqual([65535, 0]);
  });
});

describe("readback packing", () => {
  const px = (f: number, data: number[]) => {
    const info = formatInfo(f)!;
    const spec = readSpec(info)!;
    return { info, spec, src: new Uint8Array(new Uint32Array(data).buffer) };
  };
  it("BGRA read as RGBA/UNSIGNED_BYTE and permuted back", () => {
    const info = formatInfo(1)!;
    const spec = readSpec(info)!;
    expect(spec).toMatchObject({ format: GL.RGBA, type: GL.UNSIGNED_BYTE, bytes: 4 });
    expect([...packReadback(info, spec, Uint8Array.from([1, 2, 3, 4]), 1)]).toEqual([3, 2, 1, 4]);
  });
  it("L8/R8 keep the first channel, RG8 two", () => {
    const info = formatInfo(9)!;
    expect([...packReadback(info, readSpec(info)!, Uint8Array.from([9, 0, 0, 255, 7, 0, 0, 255]), 2)]).toEqual([9, 7]);
    const rg = formatInfo(65)!;
    expect([...packReadback(rg, readSpec(rg)!, Uint8Array.from([9, 8, 0, 255]), 1)]).toEqual([9, 8]);
  });
  it("16-bit normalized reads as RGBA/UNSIGNED_SHORT, exact (R16, RG16, RGBA16; not the unrenderable SNORM)", () => {
    const r16 = formatInfo(48)!;
    const spec = readSpec(r16)!;
    expect(spec).toMatchObject({ format: GL.RGBA, type: GL.UNSIGNED_SHORT, bytes: 8, array: "u16" });
    const src = new Uint8Array(new Uint16Array([0xfffe, 1, 2, 0xffff, 0x1234, 0, 0, 0xffff]).buffer);
    expect([...new Uint16Array(packReadback(r16, spec, src, 2).buffer)]).toEqual([0xfffe, 0x1234]);
    const rg16 = formatInfo(49)!;
    expect([...new Uint16Array(packReadback(rg16, readSpec(rg16)!, src, 2).buffer)]).toEqual([0xfffe, 1, 0x1234, 0]);
    const rgba16 = formatInfo(51)!;
    expect([...new Uint16Array(packReadback(rgba16, readSpec(rgba16)!, src, 2).buffer)]).toEqual([...new Uint16Array(src.buffer)]);
    expect(readSpec(formatInfo(58)!)).toBeUndefined();
    expect(readbackView(spec, new ArrayBuffer(8))).toBeInstanceOf(Uint16Array);
  });
  it("565 and 4444 are packed from bytes", () => {
    const f = formatInfo(7)!;
    const out = packReadback(f, readSpec(f)!, Uint8Array.from([255, 0, 255, 255]), 1);
    expect(new DataView(out.buffer).getUint16(0, true)).toBe(0xf81f);
    const g = formatInfo(311)!;
    const o2 = packReadback(g, readSpec(g)!, Uint8Array.from([0xff, 0x80, 0x00, 0x10]), 1);
    expect(new DataView(o2.buffer).getUint16(0, true)).toBe(0xf801);
  });
  it("float and half float", () => {
    const f = formatInfo(94)!;
    const src = new Uint8Array(new Float32Array([1, 0.5, -2, 65504]).buffer);
    const out = new DataView(packReadback(f, readSpec(f)!, src, 1).buffer);
    expect([0, 2, 4, 6].map((o) => out.getUint16(o, true))).toEqual([0x3c00, 0x3800, 0xc000, 0x7bff]);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(2 ** -24)).toBe(1);
    const r32 = formatInfo(28)!;
    expect(new Float32Array(packReadback(r32, readSpec(r32)!, src, 1).buffer)[0]).toBe(1);
  });
  it("integers narrow from RGBA_INTEGER words", () => {
    const { info, spec, src } = px(180, [1, 2, 300, 4]);
    expect(spec).toMatchObject({ format: GL.RGBA_INTEGER, type: GL.UNSIGNED_INT });
    expect([...packReadback(info, spec, src, 1)]).toEqual([1, 2, 300 & 0xff, 4]);
    const s16 = px(189, [0xfffffffe, 0, 0, 1]);
    expect(new Int16Array(packReadback(s16.info, s16.spec, s16.src, 1).buffer)[0]).toBe(-2);
  });
  it("no readback for depth, compressed or non-renderable formats", () => {
    expect(readSpec(formatInfo(16)!)).toBeUndefined();
    expect(readSpec(formatInfo(105)!)).toBeUndefined();
    expect(readSpec(formatInfo(10)!)).toBeUndefined();
  });
});

describe("double vertex attributes", () => {
  it("R64 formats convert to packed floats", () => {
    expect([24, 25, 26, 27, 28].map(doubleVertexComponents)).toEqual([1, 2, 3, 4, 0]);
    const src = new Uint8Array(new Float64Array([9, 1.5, 2.5, 9, 3.5, 4.5]).buffer);
    expect(Array.from(convertDoubles(src, 8, 24, 2, 3))).toEqual([1.5, 2.5, 3.5, 4.5, 0, 0]);
  });
});

describe("BGRA vertex attributes", () => {
  it("B8G8R8A8 and B10G10R10A2 are reordered to RGBA", () => {
    const src = Uint8Array.from([1, 2, 3, 4, 9, 9, 5, 6, 7, 8]);
    expect(Array.from(convertBgra(1, src, 0, 6, 2))).toEqual([3, 2, 1, 4, 7, 6, 5, 8]);
    const w = new Uint8Array(4);
    new DataView(w.buffer).setUint32(0, (2 << 30) | (0x111 << 20) | (0x222 << 10) | 0x333, true);
    const o = convertBgra(131, w, 0, 4, 1);
    expect(new DataView(o.buffer).getUint32(0, true) >>> 0).toBe(((2 << 30) | (0x333 << 20) | (0x222 << 10) | 0x111) >>> 0);
  });
});
