// Sampler-state pieces WebGL2 lacks, turned into translator keys + uniform values (the shader side
// is src/shader/emit/texture-border.ts) or per-draw texture parameters:
//
// * border colours (CLAMP_TO_BORDER, legacy CLAMP with linear filtering);
// * sampler lod_bias;
// * the sampler view's first/last level (TEXTURE_BASE_LEVEL / MAX_LEVEL, set for the draw only).
//
// The border colour Mesa sends is in the view format's RGBA (st/mesa already projects the GL
// colour onto the base format); like vrend (which sets it on the host texture, so the host swizzle
// applies to it, and moves alpha into red for emulated alpha formats) it is substituted where
// texels are, then read through the storage swizzle and the view swizzle. The translator blends
// after both swizzles, so the colour is uploaded already swizzled.

import type { BorderWrap, SamplerKey } from "../../shader/types.ts";
import type { FormatInfo } from "../conv/formats.ts";
import type { SamplerDesc } from "./samplers.ts";

const PIPE_TEX_WRAP_CLAMP = 1;
const PIPE_TEX_WRAP_CLAMP_TO_BORDER = 3;
const PIPE_TEX_FILTER_LINEAR = 1;
const ONE_F32_BITS = 0x3f800000;
const TEXTURE_BASE_LEVEL = 0x813c;
const TEXTURE_MAX_LEVEL = 0x813d;
/** GL's initial TEXTURE_MAX_LEVEL. */
const GL_MAX_LEVEL_DEFAULT = 1000;

function wrapOf(pipeWrap: number): BorderWrap {
  return pipeWrap === PIPE_TEX_WRAP_CLAMP_TO_BORDER ? "border" : pipeWrap === PIPE_TEX_WRAP_CLAMP ? "clamp" : "none";
}

/**
 * Translator key fields for a sampler state bound with a view: border emulation when an axis uses
 * the border colour, lodBias when the state has one. `nearest`: the renderer forces nearest
 * filtering for this view (integer formats, depth without comparison).
 */
export function samplerEmulationKey(ss: SamplerDesc | undefined, nearest: boolean): Pick<SamplerKey, "border" | "lodBias"> {
  if (!ss) return {};
  const out: Pick<SamplerKey, "border" | "lodBias"> = {};
  const wrap: [BorderWrap, BorderWrap, BorderWrap] = [wrapOf(ss.wrapS), wrapOf(ss.wrapT), wrapOf(ss.wrapR)];
  const linear = !nearest && ss.magImgFilter === PIPE_TEX_FILTER_LINEAR;
  if (wrap.some((w) => w === "border" || (w === "clamp" && linear))) out.border = { wrap, linear };
  if (ss.lodBias !== 0 && Number.isFinite(ss.lodBias)) out.lodBias = true;
  return out;
}

/**
 * The border colour as the shader reads it (uvec4 bits): Mesa's colour in the view format's RGBA,
 * stored into the channels the storage has (formatSwizzle: logical channel ← storage channel or
 * 4 = 0 / 5 = 1), then read through that swizzle and the view swizzle. `integer`: 1 is 1, not 1.0f.
 */
export function borderColorBits(
  border: readonly number[],
  formatSwizzle: readonly number[],
  viewSwizzle: readonly number[],
  integer: boolean,
): Uint32Array {
  const one = integer ? 1 : ONE_F32_BITS;
  const pick = (sel: number, from: (i: number) => number): number => (sel < 4 ? from(sel) : sel === 5 ? one : 0);
  // storage channel j holds the first logical channel stored there (alpha of an alpha-only format
  // lands in red, as vrend does for its emulated alpha formats)
  const storage = [0, 1, 2, 3].map((j) => {
    const k = formatSwizzle.indexOf(j);
    return (border[k >= 0 ? k : j] ?? 0) >>> 0;
  });
  const logical = [0, 1, 2, 3].map((k) => pick(formatSwizzle[k] ?? k, (j) => storage[j]!));
  return Uint32Array.from([0, 1, 2, 3].map((c) => pick(viewSwizzle[c] ?? c, (k) => logical[k]!)));
}

/** first_level / last_level of a texture sampler view (CREATE_SAMPLER_VIEW val1). */
export function viewLevels(val1: number): { first: number; last: number } {
  return { first: val1 & 0xff, last: (val1 >>> 8) & 0xff };
}

/**
 * Restricts the texture (bound to glTarget on the active unit) to the view's levels (GL clamps the LOD to them) when they are not
 * the whole miptree; returns the function that restores GL's defaults after the draw (framebuffer
 * attachments of other levels must stay complete), or null when nothing was changed.
 */
export function applyViewLevels(
  gl: Pick<WebGL2RenderingContext, "texParameteri" | "bindTexture">,
  glTarget: number,
  texture: WebGLTexture,
  lastLevel: number,
  val1: number,
): (() => void) | null {
  const { first, last } = viewLevels(val1);
  const base = Math.min(first, lastLevel);
  const max = Math.min(Math.max(last, base), lastLevel);
  if (base === 0 && max >= lastLevel) return null;
  gl.texParameteri(glTarget, TEXTURE_BASE_LEVEL, base);
  gl.texParameteri(glTarget, TEXTURE_MAX_LEVEL, max);
  return () => {
    gl.bindTexture(glTarget, texture);
    gl.texParameteri(glTarget, TEXTURE_BASE_LEVEL, 0);
    gl.texParameteri(glTarget, TEXTURE_MAX_LEVEL, GL_MAX_LEVEL_DEFAULT);
  };
}

/** Is a view of this format sampled as integers (border bits are integers)? */
export function integerView(f: FormatInfo | undefined): boolean {
  return f?.channel === "uint" || f?.channel === "sint";
}

/**
 * WebGL2 only samples integer textures, and depth textures without comparison, with NEAREST
 * filtering (else they are incomplete); the guest's filter is overridden for them.
 */
export function forcedNearest(f: FormatInfo | undefined, ss: SamplerDesc | undefined): boolean {
  return integerView(f) || (f?.depth === true && !ss?.compareMode);
}
