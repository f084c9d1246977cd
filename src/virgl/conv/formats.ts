// virgl format → WebGL2 texture format table (pure data; tests in formats.test.ts).
//
// Principle: the GPU object always stores the *logical* RGBA (or depth/stencil) channels in a
// WebGL2 format that can hold them; differences in memory layout are fixed by a CPU conversion on
// transfer (`cpu`), and channels the storage lacks are supplied at sampling time by a swizzle the
// shader translator applies (`swizzle`; WebGL2 has no TEXTURE_SWIZZLE_*). Consequences:
// * BGRA/ARGB/ABGR 8-bit orders are stored as RGBA8 with a byte permutation on upload/readback,
//   so rendering into them needs no output swizzle.
// * X8 variants store RGBA8 and sample alpha as ONE.
// * L/A/I/LA are R8/RG8 (or 16/32-bit variants) + swizzle; only L is renderable (writes R).
// * Depth/stencil formats map to GL depth formats; layouts differing from GL's packing convert.
// * Compressed formats need their WEBGL_/EXT_ extension; they are never renderable.
// Formats without an entry are unsupported (not advertised in the caps).

import { GL } from "./gl.ts";

export type Swizzle = readonly [number, number, number, number];
/** Swizzle selectors: 0..3 = stored R,G,B,A; 4 = 0; 5 = 1 (PIPE_SWIZZLE_*). */
export const S = { R: 0, G: 1, B: 2, A: 3, ZERO: 4, ONE: 5 } as const;
export const IDENTITY: Swizzle = [0, 1, 2, 3];

export type ChannelKind = "unorm" | "snorm" | "float" | "uint" | "sint" | "depth";

/** CPU conversion applied between the guest layout and the GL upload layout. */
export type CpuConversion =
  | { kind: "none" }
  /** 4-byte pixels: gl[i] = guest[perm[i]]. */
  | { kind: "permute8"; perm: readonly [number, number, number, number] }
  /** 32-bit 10:10:10:2 with R and B swapped. */
  | { kind: "swap-rb-1010102" }
  /** Z24 in the low 24 bits (X8 or S8 high) → GL UNSIGNED_INT_24_8 / normalized u32 (depth high). */
  | { kind: "z24-low-to-high" }
  /** 16-bit (s)norm channels stored as 32-bit floats (no EXT_texture_norm16): GL bytes = 2 × guest bytes. */
  | { kind: "norm16-f32"; signed: boolean };

export interface FormatInfo {
  id: number;
  name: string;
  internalFormat: number;
  /** Upload format/type for texImage/texSubImage (0 for compressed). */
  glFormat: number;
  glType: number;
  /** Bytes per block (per pixel for uncompressed formats) in the *guest* layout. */
  blockBytes: number;
  blockWidth: number;
  blockHeight: number;
  channel: ChannelKind;
  depth: boolean;
  stencil: boolean;
  srgb: boolean;
  compressed: boolean;
  /** Extension needed to create a texture of this format, or null for core WebGL2. */
  textureExtension: string | null;
  /** Colour- or depth-renderable; `renderExtension` must be enabled if set. */
  renderable: boolean;
  renderExtension: string | null;
  /** Linear filtering allowed; `filterExtension` must be enabled if set. */
  filterable: boolean;
  filterExtension: string | null;
  /** Sampling swizzle from stored channels to the virgl format's logical RGBA. */
  swizzle: Swizzle;
  /** The format has no alpha channel in its logical layout (X8, RGB): blending treats dst alpha as 1. */
  noAlpha: boolean;
  cpu: CpuConversion;
}

const NONE: CpuConversion = { kind: "none" };
const table = new Map<number, FormatInfo>();

interface Opts {
  swizzle?: Swizzle;
  cpu?: CpuConversion;
  renderable?: boolean;
  renderExt?: string | null;
  filterable?: boolean;
  filterExt?: string | null;
  texExt?: string | null;
  srgb?: boolean;
  noAlpha?: boolean;
}

function add(id: number, name: string, internalFormat: number, glFormat: number, glType: number, bytes: number, channel: ChannelKind, o: Opts = {}): void {
  const integer = channel === "uint" || channel === "sint";
  table.set(id, {
    id,
    name,
    internalFormat,
    glFormat,
    glType,
    blockBytes: bytes,
    blockWidth: 1,
    blockHeight: 1,
    channel,
    depth: false,
    stencil: false,
    srgb: o.srgb ?? false,
    compressed: false,
    textureExtension: o.texExt ?? null,
    renderable: o.renderable ?? false,
    renderExtension: o.renderExt ?? null,
    filterable: o.filterable ?? !integer,
    filterExtension: o.filterExt ?? null,
    swizzle: o.swizzle ?? IDENTITY,
    noAlpha: o.noAlpha ?? false,
    cpu: o.cpu ?? NONE,
  });
}

const XA: Swizzle = [0, 1, 2, S.ONE]; // X8: alpha reads 1
const RGB1: Swizzle = [0, 1, 2, S.ONE];
const L: Swizzle = [0, 0, 0, S.ONE];
const A: Swizzle = [S.ZERO, S.ZERO, S.ZERO, 0];
const I: Swizzle = [0, 0, 0, 0];
const LA: Swizzle = [0, 0, 0, 1];
const BGRA = { kind: "permute8", perm: [2, 1, 0, 3] } as const;
const ARGB = { kind: "permute8", perm: [1, 2, 3, 0] } as const;
const ABGR = { kind: "permute8", perm: [3, 2, 1, 0] } as const;
const CBF = "EXT_color_buffer_float";
const NORM16 = "EXT_texture_norm16";
const FLOAT_LINEAR = "OES_texture_float_linear";

// --- 8-bit unorm RGBA family --------------------------------------------------------------------
const { RGBA, RGB, RED, RG, UNSIGNED_BYTE: UB } = GL;
add(67, "R8G8B8A8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true });
add(134, "R8G8B8X8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, swizzle: XA, noAlpha: true });
add(1, "B8G8R8A8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, cpu: BGRA });
add(2, "B8G8R8X8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, cpu: BGRA, swizzle: XA, noAlpha: true });
add(3, "A8R8G8B8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, cpu: ARGB });
add(4, "X8R8G8B8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, cpu: ARGB, swizzle: XA, noAlpha: true });
add(121, "A8B8G8R8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, cpu: ABGR });
add(68, "X8B8G8R8_UNORM", GL.RGBA8, RGBA, UB, 4, "unorm", { renderable: true, cpu: ABGR, swizzle: XA, noAlpha: true });
add(66, "R8G8B8_UNORM", GL.RGB8, RGB, UB, 3, "unorm", { renderable: true, noAlpha: true });
add(64, "R8_UNORM", GL.R8, RED, UB, 1, "unorm", { renderable: true, swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
add(65, "R8G8_UNORM", GL.RG8, RG, UB, 2, "unorm", { renderable: true, swizzle: [0, 1, S.ZERO, S.ONE] });
// luminance / alpha / intensity on R8 / RG8
add(9, "L8_UNORM", GL.R8, RED, UB, 1, "unorm", { renderable: true, swizzle: L, noAlpha: true });
add(10, "A8_UNORM", GL.R8, RED, UB, 1, "unorm", { swizzle: A });
add(11, "I8_UNORM", GL.R8, RED, UB, 1, "unorm", { swizzle: I });
add(12, "L8A8_UNORM", GL.RG8, RG, UB, 2, "unorm", { swizzle: LA });
// sRGB
add(104, "R8G8B8A8_SRGB", GL.SRGB8_ALPHA8, RGBA, UB, 4, "unorm", { srgb: true, renderable: true });
add(230, "R8G8B8X8_SRGB", GL.SRGB8_ALPHA8, RGBA, UB, 4, "unorm", { srgb: true, renderable: true, swizzle: XA, noAlpha: true });
add(100, "B8G8R8A8_SRGB", GL.SRGB8_ALPHA8, RGBA, UB, 4, "unorm", { srgb: true, renderable: true, cpu: BGRA });
add(101, "B8G8R8X8_SRGB", GL.SRGB8_ALPHA8, RGBA, UB, 4, "unorm", { srgb: true, renderable: true, cpu: BGRA, swizzle: XA, noAlpha: true });
add(98, "A8B8G8R8_SRGB", GL.SRGB8_ALPHA8, RGBA, UB, 4, "unorm", { srgb: true, renderable: true, cpu: ABGR });
add(99, "X8B8G8R8_SRGB", GL.SRGB8_ALPHA8, RGBA, UB, 4, "unorm", { srgb: true, renderable: true, cpu: ABGR, swizzle: XA, noAlpha: true });
add(97, "R8G8B8_SRGB", GL.SRGB8, RGB, UB, 3, "unorm", { srgb: true, noAlpha: true });
// snorm 8
add(74, "R8_SNORM", GL.R8_SNORM, RED, GL.BYTE, 1, "snorm", { swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
add(75, "R8G8_SNORM", GL.RG8_SNORM, RG, GL.BYTE, 2, "snorm", { swizzle: [0, 1, S.ZERO, S.ONE] });
add(76, "R8G8B8_SNORM", GL.RGB8_SNORM, RGB, GL.BYTE, 3, "snorm", { noAlpha: true });
add(77, "R8G8B8A8_SNORM", GL.RGBA8_SNORM, RGBA, GL.BYTE, 4, "snorm");
add(229, "R8G8B8X8_SNORM", GL.RGBA8_SNORM, RGBA, GL.BYTE, 4, "snorm", { swizzle: XA, noAlpha: true });
add(148, "L8_SNORM", GL.R8_SNORM, RED, GL.BYTE, 1, "snorm", { swizzle: L });
// packed 16/32-bit
add(7, "B5G6R5_UNORM", GL.RGB565, RGB, GL.UNSIGNED_SHORT_5_6_5, 2, "unorm", { renderable: true, noAlpha: true });
add(311, "A4B4G4R4_UNORM", GL.RGBA4, RGBA, GL.UNSIGNED_SHORT_4_4_4_4, 2, "unorm", { renderable: true });
add(8, "R10G10B10A2_UNORM", GL.RGB10_A2, RGBA, GL.UNSIGNED_INT_2_10_10_10_REV, 4, "unorm", { renderable: true });
add(308, "R10G10B10X2_UNORM", GL.RGB10_A2, RGBA, GL.UNSIGNED_INT_2_10_10_10_REV, 4, "unorm", { renderable: true, swizzle: XA, noAlpha: true });
add(131, "B10G10R10A2_UNORM", GL.RGB10_A2, RGBA, GL.UNSIGNED_INT_2_10_10_10_REV, 4, "unorm", { renderable: true, cpu: { kind: "swap-rb-1010102" } });
add(233, "B10G10R10X2_UNORM", GL.RGB10_A2, RGBA, GL.UNSIGNED_INT_2_10_10_10_REV, 4, "unorm", {
  renderable: true,
  cpu: { kind: "swap-rb-1010102" },
  swizzle: XA,
  noAlpha: true,
});
add(253, "R10G10B10A2_UINT", GL.RGB10_A2UI, GL.RGBA_INTEGER, GL.UNSIGNED_INT_2_10_10_10_REV, 4, "uint", { renderable: true });
add(225, "B10G10R10A2_UINT", GL.RGB10_A2UI, GL.RGBA_INTEGER, GL.UNSIGNED_INT_2_10_10_10_REV, 4, "uint", {
  renderable: true,
  cpu: { kind: "swap-rb-1010102" },
});
add(124, "R11G11B10_FLOAT", GL.R11F_G11F_B10F, RGB, GL.UNSIGNED_INT_10F_11F_11F_REV, 4, "float", { renderable: true, renderExt: CBF, noAlpha: true });
add(125, "R9G9B9E5_FLOAT", GL.RGB9_E5, RGB, GL.UNSIGNED_INT_5_9_9_9_REV, 4, "float", { noAlpha: true });

// --- float ---------------------------------------------------------------------------------------
const HF = GL.HALF_FLOAT;
const F = GL.FLOAT;
add(91, "R16_FLOAT", GL.R16F, RED, HF, 2, "float", { renderable: true, renderExt: CBF, swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
add(92, "R16G16_FLOAT", GL.RG16F, RG, HF, 4, "float", { renderable: true, renderExt: CBF, swizzle: [0, 1, S.ZERO, S.ONE] });
add(93, "R16G16B16_FLOAT", GL.RGB16F, RGB, HF, 6, "float", { noAlpha: true });
add(94, "R16G16B16A16_FLOAT", GL.RGBA16F, RGBA, HF, 8, "float", { renderable: true, renderExt: CBF });
add(236, "R16G16B16X16_FLOAT", GL.RGBA16F, RGBA, HF, 8, "float", { renderable: true, renderExt: CBF, swizzle: XA, noAlpha: true });
add(155, "A16_FLOAT", GL.R16F, RED, HF, 2, "float", { swizzle: A });
add(156, "L16_FLOAT", GL.R16F, RED, HF, 2, "float", { renderable: true, renderExt: CBF, swizzle: L, noAlpha: true });
add(157, "L16A16_FLOAT", GL.RG16F, RG, HF, 4, "float", { swizzle: LA });
add(158, "I16_FLOAT", GL.R16F, RED, HF, 2, "float", { swizzle: I });
const f32 = { filterExt: FLOAT_LINEAR };
add(28, "R32_FLOAT", GL.R32F, RED, F, 4, "float", { ...f32, renderable: true, renderExt: CBF, swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
add(29, "R32G32_FLOAT", GL.RG32F, RG, F, 8, "float", { ...f32, renderable: true, renderExt: CBF, swizzle: [0, 1, S.ZERO, S.ONE] });
add(30, "R32G32B32_FLOAT", GL.RGB32F, RGB, F, 12, "float", { ...f32, noAlpha: true });
add(31, "R32G32B32A32_FLOAT", GL.RGBA32F, RGBA, F, 16, "float", { ...f32, renderable: true, renderExt: CBF });
add(239, "R32G32B32X32_FLOAT", GL.RGBA32F, RGBA, F, 16, "float", { ...f32, renderable: true, renderExt: CBF, swizzle: XA, noAlpha: true });
add(159, "A32_FLOAT", GL.R32F, RED, F, 4, "float", { ...f32, swizzle: A });
add(160, "L32_FLOAT", GL.R32F, RED, F, 4, "float", { ...f32, renderable: true, renderExt: CBF, swizzle: L, noAlpha: true });
add(161, "L32A32_FLOAT", GL.RG32F, RG, F, 8, "float", { ...f32, swizzle: LA });
add(162, "I32_FLOAT", GL.R32F, RED, F, 4, "float", { ...f32, swizzle: I });

// --- 16-bit norm (EXT_texture_norm16) -------------------------------------------------------------
const US = GL.UNSIGNED_SHORT;
const n16 = { texExt: NORM16 };
add(48, "R16_UNORM", GL.R16_EXT, RED, US, 2, "unorm", { ...n16, renderable: true, renderExt: NORM16, swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
add(49, "R16G16_UNORM", GL.RG16_EXT, RG, US, 4, "unorm", { ...n16, renderable: true, renderExt: NORM16, swizzle: [0, 1, S.ZERO, S.ONE] });
add(50, "R16G16B16_UNORM", GL.RGB16_EXT, RGB, US, 6, "unorm", { ...n16, noAlpha: true });
add(51, "R16G16B16A16_UNORM", GL.RGBA16_EXT, RGBA, US, 8, "unorm", { ...n16, renderable: true, renderExt: NORM16 });
add(13, "L16_UNORM", GL.R16_EXT, RED, US, 2, "unorm", { ...n16, renderable: true, renderExt: NORM16, swizzle: L, noAlpha: true });
add(141, "A16_UNORM", GL.R16_EXT, RED, US, 2, "unorm", { ...n16, swizzle: A });
add(142, "I16_UNORM", GL.R16_EXT, RED, US, 2, "unorm", { ...n16, swizzle: I });
add(140, "L16A16_UNORM", GL.RG16_EXT, RG, US, 4, "unorm", { ...n16, swizzle: LA });
add(56, "R16_SNORM", GL.R16_SNORM_EXT, RED, GL.SHORT, 2, "snorm", { ...n16, swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
add(57, "R16G16_SNORM", GL.RG16_SNORM_EXT, RG, GL.SHORT, 4, "snorm", { ...n16, swizzle: [0, 1, S.ZERO, S.ONE] });
add(58, "R16G16B16_SNORM", GL.RGB16_SNORM_EXT, RGB, GL.SHORT, 6, "snorm", { ...n16, noAlpha: true });
add(59, "R16G16B16A16_SNORM", GL.RGBA16_SNORM_EXT, RGBA, GL.SHORT, 8, "snorm", n16);

// Without EXT_texture_norm16 the 16-bit normalized formats are stored as 32-bit floats: every
// 16-bit value is exact in a float and converts back exactly (upload v/65535 or v/32767, readback
// rounds), float32 filters (OES_texture_float_linear) and renders (EXT_color_buffer_float; the
// translator clamps outputs to these targets to [0,1] like a unorm buffer; blending and the
// stored value are not quantized to 16 bits until read back).
const norm16Fallbacks = new Map<number, FormatInfo>();
for (const id of [48, 49, 50, 51, 13, 141, 142, 140, 56, 57, 58, 59]) {
  const n = table.get(id)!;
  const comps = n.glFormat === RED ? 1 : n.glFormat === RG ? 2 : n.glFormat === RGB ? 3 : 4;
  const internalFormat = [GL.R32F, GL.RG32F, GL.RGB32F, GL.RGBA32F][comps - 1]!;
  const renderable = n.renderable && comps !== 3;
  norm16Fallbacks.set(id, {
    ...n, internalFormat, glType: F, textureExtension: null, renderable, renderExtension: renderable ? CBF : null,
    filterable: true, filterExtension: FLOAT_LINEAR, cpu: { kind: "norm16-f32", signed: n.channel === "snorm" },
  });
}

// --- integer -------------------------------------------------------------------------------------
interface IntFamily {
  r: number;
  rg: number;
  rgb: number;
  rgba: number;
  type: number;
  bytes: number;
}
function intFamily(prefix: string, kind: "uint" | "sint", f: IntFamily, ids: { r: number; rg: number; rgb: number; rgba: number; x?: number; a?: number; l?: number; i?: number; la?: number }): void {
  const suffix = kind === "uint" ? "UINT" : "SINT";
  const { RED_INTEGER, RG_INTEGER, RGB_INTEGER, RGBA_INTEGER } = GL;
  const o = { renderable: true };
  add(ids.r, `R${prefix}_${suffix}`, f.r, RED_INTEGER, f.type, f.bytes, kind, { ...o, swizzle: [0, S.ZERO, S.ZERO, S.ONE] });
  add(ids.rg, `R${prefix}G${prefix}_${suffix}`, f.rg, RG_INTEGER, f.type, 2 * f.bytes, kind, { ...o, swizzle: [0, 1, S.ZERO, S.ONE] });
  add(ids.rgb, `R${prefix}G${prefix}B${prefix}_${suffix}`, f.rgb, RGB_INTEGER, f.type, 3 * f.bytes, kind, { noAlpha: true });
  add(ids.rgba, `R${prefix}G${prefix}B${prefix}A${prefix}_${suffix}`, f.rgba, RGBA_INTEGER, f.type, 4 * f.bytes, kind, o);
  if (ids.x) add(ids.x, `R${prefix}G${prefix}B${prefix}X${prefix}_${suffix}`, f.rgba, RGBA_INTEGER, f.type, 4 * f.bytes, kind, { ...o, swizzle: XA, noAlpha: true });
  if (ids.a) add(ids.a, `A${prefix}_${suffix}`, f.r, RED_INTEGER, f.type, f.bytes, kind, { swizzle: A });
  if (ids.l) add(ids.l, `L${prefix}_${suffix}`, f.r, RED_INTEGER, f.type, f.bytes, kind, { ...o, swizzle: L, noAlpha: true });
  if (ids.i) add(ids.i, `I${prefix}_${suffix}`, f.r, RED_INTEGER, f.type, f.bytes, kind, { swizzle: I });
  if (ids.la) add(ids.la, `L${prefix}A${prefix}_${suffix}`, f.rg, RG_INTEGER, f.type, 2 * f.bytes, kind, { swizzle: LA });
}
intFamily("8", "uint", { r: GL.R8UI, rg: GL.RG8UI, rgb: GL.RGB8UI, rgba: GL.RGBA8UI, type: UB, bytes: 1 }, { r: 177, rg: 178, rgb: 179, rgba: 180, x: 231, a: 201, i: 202, l: 203, la: 204 });
intFamily("8", "sint", { r: GL.R8I, rg: GL.RG8I, rgb: GL.RGB8I, rgba: GL.RGBA8I, type: GL.BYTE, bytes: 1 }, { r: 181, rg: 182, rgb: 183, rgba: 184, x: 232, a: 205, i: 206, l: 207, la: 208 });
intFamily("16", "uint", { r: GL.R16UI, rg: GL.RG16UI, rgb: GL.RGB16UI, rgba: GL.RGBA16UI, type: US, bytes: 2 }, { r: 185, rg: 186, rgb: 187, rgba: 188, x: 237, a: 209, i: 210, l: 211, la: 212 });
intFamily("16", "sint", { r: GL.R16I, rg: GL.RG16I, rgb: GL.RGB16I, rgba: GL.RGBA16I, type: GL.SHORT, bytes: 2 }, { r: 189, rg: 190, rgb: 191, rgba: 192, x: 238, a: 213, i: 214, l: 215, la: 216 });
intFamily("32", "uint", { r: GL.R32UI, rg: GL.RG32UI, rgb: GL.RGB32UI, rgba: GL.RGBA32UI, type: GL.UNSIGNED_INT, bytes: 4 }, { r: 193, rg: 194, rgb: 195, rgba: 196, x: 240, a: 217, i: 218, l: 219, la: 220 });
intFamily("32", "sint", { r: GL.R32I, rg: GL.RG32I, rgb: GL.RGB32I, rgba: GL.RGBA32I, type: GL.INT, bytes: 4 }, { r: 197, rg: 198, rgb: 199, rgba: 200, x: 241, a: 221, i: 222, l: 223, la: 224 });

// --- depth / stencil -----------------------------------------------------------------------------
function addDepth(id: number, name: string, internalFormat: number, glFormat: number, glType: number, bytes: number, stencil: boolean, cpu: CpuConversion = NONE): void {
  table.set(id, {
    id,
    name,
    internalFormat,
    glFormat,
    glType,
    blockBytes: bytes,
    blockWidth: 1,
    blockHeight: 1,
    channel: "depth",
    depth: true,
    stencil,
    srgb: false,
    compressed: false,
    textureExtension: null,
    renderable: true,
    renderExtension: null,
    filterable: false,
    filterExtension: null,
    swizzle: [0, 0, 0, S.ONE],
    noAlpha: true,
    cpu,
  });
}
const Z24LOW: CpuConversion = { kind: "z24-low-to-high" };
addDepth(16, "Z16_UNORM", GL.DEPTH_COMPONENT16, GL.DEPTH_COMPONENT, US, 2, false);
addDepth(17, "Z32_UNORM", GL.DEPTH_COMPONENT24, GL.DEPTH_COMPONENT, GL.UNSIGNED_INT, 4, false); // 24 bits kept
addDepth(18, "Z32_FLOAT", GL.DEPTH_COMPONENT32F, GL.DEPTH_COMPONENT, F, 4, false);
addDepth(21, "Z24X8_UNORM", GL.DEPTH_COMPONENT24, GL.DEPTH_COMPONENT, GL.UNSIGNED_INT, 4, false, Z24LOW);
addDepth(22, "X8Z24_UNORM", GL.DEPTH_COMPONENT24, GL.DEPTH_COMPONENT, GL.UNSIGNED_INT, 4, false);
addDepth(19, "Z24_UNORM_S8_UINT", GL.DEPTH24_STENCIL8, GL.DEPTH_STENCIL, GL.UNSIGNED_INT_24_8, 4, true, Z24LOW);
addDepth(20, "S8_UINT_Z24_UNORM", GL.DEPTH24_STENCIL8, GL.DEPTH_STENCIL, GL.UNSIGNED_INT_24_8, 4, true);
addDepth(126, "Z32_FLOAT_S8X24_UINT", GL.DEPTH32F_STENCIL8, GL.DEPTH_STENCIL, GL.FLOAT_32_UNSIGNED_INT_24_8_REV, 8, true);

// --- compressed ----------------------------------------------------------------------------------
function addCompressed(id: number, name: string, internalFormat: number, bytes: number, ext: string, bw = 4, bh = 4, o: { srgb?: boolean; channel?: ChannelKind; noAlpha?: boolean } = {}): void {
  table.set(id, {
    id,
    name,
    internalFormat,
    glFormat: 0,
    glType: 0,
    blockBytes: bytes,
    blockWidth: bw,
    blockHeight: bh,
    channel: o.channel ?? "unorm",
    depth: false,
    stencil: false,
    srgb: o.srgb ?? false,
    compressed: true,
    textureExtension: ext,
    renderable: false,
    renderExtension: null,
    filterable: true,
    filterExtension: null,
    swizzle: o.noAlpha ? RGB1 : IDENTITY,
    noAlpha: o.noAlpha ?? false,
    cpu: NONE,
  });
}
const S3TC = "WEBGL_compressed_texture_s3tc";
const S3TC_SRGB = "WEBGL_compressed_texture_s3tc_srgb";
const RGTC = "EXT_texture_compression_rgtc";
const BPTC = "EXT_texture_compression_bptc";
const ETC = "WEBGL_compressed_texture_etc";
const ASTC = "WEBGL_compressed_texture_astc";
addCompressed(105, "DXT1_RGB", GL.COMPRESSED_RGB_S3TC_DXT1_EXT, 8, S3TC, 4, 4, { noAlpha: true });
addCompressed(106, "DXT1_RGBA", GL.COMPRESSED_RGBA_S3TC_DXT1_EXT, 8, S3TC);
addCompressed(107, "DXT3_RGBA", GL.COMPRESSED_RGBA_S3TC_DXT3_EXT, 16, S3TC);
addCompressed(108, "DXT5_RGBA", GL.COMPRESSED_RGBA_S3TC_DXT5_EXT, 16, S3TC);
addCompressed(109, "DXT1_SRGB", GL.COMPRESSED_SRGB_S3TC_DXT1_EXT, 8, S3TC_SRGB, 4, 4, { srgb: true, noAlpha: true });
addCompressed(110, "DXT1_SRGBA", GL.COMPRESSED_SRGB_ALPHA_S3TC_DXT1_EXT, 8, S3TC_SRGB, 4, 4, { srgb: true });
addCompressed(111, "DXT3_SRGBA", GL.COMPRESSED_SRGB_ALPHA_S3TC_DXT3_EXT, 16, S3TC_SRGB, 4, 4, { srgb: true });
addCompressed(112, "DXT5_SRGBA", GL.COMPRESSED_SRGB_ALPHA_S3TC_DXT5_EXT, 16, S3TC_SRGB, 4, 4, { srgb: true });
addCompressed(113, "RGTC1_UNORM", GL.COMPRESSED_RED_RGTC1_EXT, 8, RGTC);
addCompressed(114, "RGTC1_SNORM", GL.COMPRESSED_SIGNED_RED_RGTC1_EXT, 8, RGTC, 4, 4, { channel: "snorm" });
addCompressed(115, "RGTC2_UNORM", GL.COMPRESSED_RED_GREEN_RGTC2_EXT, 16, RGTC);
addCompressed(116, "RGTC2_SNORM", GL.COMPRESSED_SIGNED_RED_GREEN_RGTC2_EXT, 16, RGTC, 4, 4, { channel: "snorm" });
addCompressed(255, "BPTC_RGBA_UNORM", GL.COMPRESSED_RGBA_BPTC_UNORM_EXT, 16, BPTC);
addCompressed(256, "BPTC_SRGBA", GL.COMPRESSED_SRGB_ALPHA_BPTC_UNORM_EXT, 16, BPTC, 4, 4, { srgb: true });
addCompressed(257, "BPTC_RGB_FLOAT", GL.COMPRESSED_RGB_BPTC_SIGNED_FLOAT_EXT, 16, BPTC, 4, 4, { channel: "float", noAlpha: true });
addCompressed(258, "BPTC_RGB_UFLOAT", GL.COMPRESSED_RGB_BPTC_UNSIGNED_FLOAT_EXT, 16, BPTC, 4, 4, { channel: "float", noAlpha: true });
addCompressed(226, "ETC1_RGB8", GL.COMPRESSED_RGB8_ETC2, 8, ETC, 4, 4, { noAlpha: true }); // ETC1 ⊂ ETC2
addCompressed(269, "ETC2_RGB8", GL.COMPRESSED_RGB8_ETC2, 8, ETC, 4, 4, { noAlpha: true });
addCompressed(270, "ETC2_SRGB8", GL.COMPRESSED_SRGB8_ETC2, 8, ETC, 4, 4, { srgb: true, noAlpha: true });
addCompressed(271, "ETC2_RGB8A1", GL.COMPRESSED_RGB8_PUNCHTHROUGH_ALPHA1_ETC2, 8, ETC);
addCompressed(272, "ETC2_SRGB8A1", GL.COMPRESSED_SRGB8_PUNCHTHROUGH_ALPHA1_ETC2, 8, ETC, 4, 4, { srgb: true });
addCompressed(273, "ETC2_RGBA8", GL.COMPRESSED_RGBA8_ETC2_EAC, 16, ETC);
addCompressed(274, "ETC2_SRGBA8", GL.COMPRESSED_SRGB8_ALPHA8_ETC2_EAC, 16, ETC, 4, 4, { srgb: true });
addCompressed(275, "ETC2_R11_UNORM", GL.COMPRESSED_R11_EAC, 8, ETC);
addCompressed(276, "ETC2_R11_SNORM", GL.COMPRESSED_SIGNED_R11_EAC, 8, ETC, 4, 4, { channel: "snorm" });
addCompressed(277, "ETC2_RG11_UNORM", GL.COMPRESSED_RG11_EAC, 16, ETC);
addCompressed(278, "ETC2_RG11_SNORM", GL.COMPRESSED_SIGNED_RG11_EAC, 16, ETC, 4, 4, { channel: "snorm" });
const astcBlocks: [number, number][] = [
  [4, 4], [5, 4], [5, 5], [6, 5], [6, 6], [8, 5], [8, 6], [8, 8], [10, 5], [10, 6], [10, 8], [10, 10], [12, 10], [12, 12],
];
astcBlocks.forEach(([w, h], i) => {
  addCompressed(279 + i, `ASTC_${w}x${h}`, GL.COMPRESSED_RGBA_ASTC_4x4_KHR + i, 16, ASTC, w, h);
  addCompressed(293 + i, `ASTC_${w}x${h}_SRGB`, GL.COMPRESSED_SRGB8_ALPHA8_ASTC_4x4_KHR + i, 16, ASTC, w, h, { srgb: true });
});

/** The table entry for a virgl format, or undefined if unsupported. */
export function formatInfo(id: number): FormatInfo | undefined {
  return table.get(id);
}
export function allFormats(): FormatInfo[] {
  return [...table.values()].sort((a, b) => a.id - b.id);
}

/** Bytes of a w×h×d region in the guest layout (blocks rounded up). Exact for sizes < 2^53. */
export function regionBytes(f: FormatInfo, w: number, h: number, d: number): number {
  const bx = Math.ceil(w / f.blockWidth);
  const by = Math.ceil(h / f.blockHeight);
  return bx * by * d * f.blockBytes;
}

/**
 * How a format is stored on this context: its own entry when the context can create it, else a
 * stand-in storage (16-bit normalized → 32-bit float), else undefined.
 */
export function storageFormat(f: FormatInfo | undefined, has: (ext: string) => boolean): FormatInfo | undefined {
  if (!f) return undefined;
  if (isTexturable(f, has)) return f;
  const fb = norm16Fallbacks.get(f.id);
  return fb && isTexturable(fb, has) ? fb : undefined;
}

/** Does the WebGL2 context (its enabled extensions) support sampling / rendering this format? */
export function isTexturable(f: FormatInfo, has: (ext: string) => boolean): boolean {
  return f.textureExtension === null || has(f.textureExtension);
}
export function isRenderable(f: FormatInfo, has: (ext: string) => boolean): boolean {
  return f.renderable && isTexturable(f, has) && (f.renderExtension === null || has(f.renderExtension));
}
export function isFilterable(f: FormatInfo, has: (ext: string) => boolean): boolean {
  return f.filterable && (f.filterExtension === null || has(f.filterExtension));
}
