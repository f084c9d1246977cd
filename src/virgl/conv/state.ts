// Gallium → WebGL2 state enum tables: primitive modes, compare funcs, stencil ops, blend factors and
// equations, wrap modes, filters, index sizes, cull faces. Each returns `undefined` for values with
// no WebGL2 equivalent so the caller can report which field of which command was unsupported;
// `lossy` marks approximations (the renderer logs them once).

import { GL } from "./gl.ts";

/** pipe_prim_type → GL mode. Only the modes in prim_mask 0x7f: GL uses the same numbers. */
export function primMode(p: number): number | undefined {
  return p >= 0 && p <= 6 ? p : undefined;
}

/** PIPE_FUNC_* (NEVER 0 … ALWAYS 7) → GL compare func (same order from GL_NEVER). */
export function compareFunc(f: number): number | undefined {
  return f >= 0 && f <= 7 ? GL.NEVER + f : undefined;
}

const stencilOps = [GL.KEEP, GL.ZERO, GL.REPLACE, GL.INCR, GL.DECR, GL.INCR_WRAP, GL.DECR_WRAP, GL.INVERT];
/** PIPE_STENCIL_OP_* → GL stencil op. */
export function stencilOp(op: number): number | undefined {
  return stencilOps[op];
}

/** PIPE_BLENDFACTOR_* → GL blend factor. SRC1 factors need WEBGL_blend_func_extended. */
export const BlendFactor = {
  ONE: 0x01,
  SRC_COLOR: 0x02,
  SRC_ALPHA: 0x03,
  DST_ALPHA: 0x04,
  DST_COLOR: 0x05,
  SRC_ALPHA_SATURATE: 0x06,
  CONST_COLOR: 0x07,
  CONST_ALPHA: 0x08,
  SRC1_COLOR: 0x09,
  SRC1_ALPHA: 0x0a,
  ZERO: 0x11,
  INV_SRC_COLOR: 0x12,
  INV_SRC_ALPHA: 0x13,
  INV_DST_ALPHA: 0x14,
  INV_DST_COLOR: 0x15,
  INV_CONST_COLOR: 0x17,
  INV_CONST_ALPHA: 0x18,
  INV_SRC1_COLOR: 0x19,
  INV_SRC1_ALPHA: 0x1a,
} as const;

const blendFactors = new Map<number, number>([
  [BlendFactor.ONE, GL.ONE],
  [BlendFactor.SRC_COLOR, GL.SRC_COLOR],
  [BlendFactor.SRC_ALPHA, GL.SRC_ALPHA],
  [BlendFactor.DST_ALPHA, GL.DST_ALPHA],
  [BlendFactor.DST_COLOR, GL.DST_COLOR],
  [BlendFactor.SRC_ALPHA_SATURATE, GL.SRC_ALPHA_SATURATE],
  [BlendFactor.CONST_COLOR, GL.CONSTANT_COLOR],
  [BlendFactor.CONST_ALPHA, GL.CONSTANT_ALPHA],
  [BlendFactor.SRC1_COLOR, GL.SRC1_COLOR_WEBGL],
  [BlendFactor.SRC1_ALPHA, GL.SRC1_ALPHA_WEBGL],
  [BlendFactor.ZERO, GL.ZERO],
  [BlendFactor.INV_SRC_COLOR, GL.ONE_MINUS_SRC_COLOR],
  [BlendFactor.INV_SRC_ALPHA, GL.ONE_MINUS_SRC_ALPHA],
  [BlendFactor.INV_DST_ALPHA, GL.ONE_MINUS_DST_ALPHA],
  [BlendFactor.INV_DST_COLOR, GL.ONE_MINUS_DST_COLOR],
  [BlendFactor.INV_CONST_COLOR, GL.ONE_MINUS_CONSTANT_COLOR],
  [BlendFactor.INV_CONST_ALPHA, GL.ONE_MINUS_CONSTANT_ALPHA],
  [BlendFactor.INV_SRC1_COLOR, GL.ONE_MINUS_SRC1_COLOR_WEBGL],
  [BlendFactor.INV_SRC1_ALPHA, GL.ONE_MINUS_SRC1_ALPHA_WEBGL],
]);
export function blendFactor(f: number): number | undefined {
  return blendFactors.get(f);
}
export function isDualSourceFactor(f: number): boolean {
  return f === 0x09 || f === 0x0a || f === 0x19 || f === 0x1a;
}
/**
 * With an RGB-only or X8 render target the destination alpha is 1: DST_ALPHA → ONE and
 * INV_DST_ALPHA → ZERO (what vrend does for formats without alpha).
 */
export function blendFactorNoDstAlpha(f: number): number {
  if (f === BlendFactor.DST_ALPHA) return BlendFactor.ONE;
  if (f === BlendFactor.INV_DST_ALPHA) return BlendFactor.ZERO;
  return f;
}

const blendEquations = [GL.FUNC_ADD, GL.FUNC_SUBTRACT, GL.FUNC_REVERSE_SUBTRACT, GL.MIN, GL.MAX];
/** PIPE_BLEND_* (ADD 0 … MAX 4) → GL equation. */
export function blendEquation(f: number): number | undefined {
  return blendEquations[f];
}

export interface WrapConv {
  gl: number;
  /** true when WebGL2 can only approximate the mode (border colour, mirror-clamp). */
  lossy: boolean;
}
const wraps: WrapConv[] = [
  { gl: GL.REPEAT, lossy: false }, // REPEAT
  { gl: GL.CLAMP_TO_EDGE, lossy: true }, // CLAMP (legacy GL_CLAMP; vrend on GLES does the same)
  { gl: GL.CLAMP_TO_EDGE, lossy: false }, // CLAMP_TO_EDGE
  { gl: GL.CLAMP_TO_EDGE, lossy: true }, // CLAMP_TO_BORDER (no border colour in WebGL2)
  { gl: GL.MIRRORED_REPEAT, lossy: false }, // MIRROR_REPEAT
  { gl: GL.MIRRORED_REPEAT, lossy: true }, // MIRROR_CLAMP (mirror_clamp not advertised)
  { gl: GL.MIRRORED_REPEAT, lossy: true }, // MIRROR_CLAMP_TO_EDGE
  { gl: GL.MIRRORED_REPEAT, lossy: true }, // MIRROR_CLAMP_TO_BORDER
];
/** PIPE_TEX_WRAP_* → GL wrap. */
export function wrapMode(w: number): WrapConv | undefined {
  return wraps[w];
}

export const MipFilter = { NEAREST: 0, LINEAR: 1, NONE: 2 } as const;
/** (min_img_filter, min_mip_filter) → GL min filter. */
export function minFilter(img: number, mip: number): number | undefined {
  if (img > 1) return undefined;
  if (mip === MipFilter.NONE) return img === 0 ? GL.NEAREST : GL.LINEAR;
  if (mip === MipFilter.NEAREST) return img === 0 ? GL.NEAREST_MIPMAP_NEAREST : GL.LINEAR_MIPMAP_NEAREST;
  if (mip === MipFilter.LINEAR) return img === 0 ? GL.NEAREST_MIPMAP_LINEAR : GL.LINEAR_MIPMAP_LINEAR;
  return undefined;
}
export function magFilter(img: number): number | undefined {
  return img === 0 ? GL.NEAREST : img === 1 ? GL.LINEAR : undefined;
}

/** Index size in bytes → GL index type. */
export function indexType(size: number): number | undefined {
  return size === 1 ? GL.UNSIGNED_BYTE : size === 2 ? GL.UNSIGNED_SHORT : size === 4 ? GL.UNSIGNED_INT : undefined;
}
/** Primitive-restart index WebGL2 uses (fixed: all ones of the index type). */
export function fixedRestartIndex(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

/** PIPE_FACE_* cull mask (1 front, 2 back, 3 both) → GL cull face, or undefined = culling off. */
export function cullFace(mask: number): number | undefined {
  return mask === 1 ? GL.FRONT : mask === 2 ? GL.BACK : mask === 3 ? GL.FRONT_AND_BACK : undefined;
}
