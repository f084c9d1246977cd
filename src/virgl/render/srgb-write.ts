// sRGB write control (gallium PIPE_CAP_DEST_SURFACE_SRGB_CONTROL, VIRGL_CAP_SRGB_WRITE_CONTROL; GL
// EXT_framebuffer_sRGB in the guest). st/mesa expresses GL_FRAMEBUFFER_SRGB by the *surface* format:
// a linear surface on an sRGB resource means "store the shader's values unconverted", an sRGB surface
// on a linear resource means "encode". WebGL2 has no FRAMEBUFFER_SRGB toggle and no texture views:
// an SRGB8_ALPHA8 attachment always encodes, an RGBA8 one never does. So the difference is made up in
// the fragment shader (translator key `colorOutputSrgb`) and in CLEAR colours:
// * linear view of sRGB storage → "decode": the output is sRGB-decoded, the storage's encode undoes it;
// * sRGB view of linear storage → "encode": the output is sRGB-encoded before the raw store.
// Exact without blending. With blending GL blends in the storage's space (linear for sRGB storage),
// so blended results on such mismatched surfaces are approximate (documented in caps.md).

import { formatInfo } from "../conv/formats.ts";
import type { Attachment } from "./framebuffer.ts";

export type SrgbConversion = "encode" | "decode" | undefined;

/** What a colour attachment's surface needs on top of its storage format. */
export function srgbWriteConversion(a: Attachment | null): SrgbConversion {
  if (!a || a.format === undefined) return undefined;
  const view = formatInfo(a.format);
  const store = a.res.fmt;
  if (!view || !store || view.srgb === store.srgb || store.channel !== "unorm") return undefined;
  return view.srgb ? "encode" : "decode";
}

/** The translator key entry for all colour buffers, or undefined when none converts (keeps keys short). */
export function srgbOutputKey(color: readonly (Attachment | null)[]): SrgbConversion[] | undefined {
  const k = color.map(srgbWriteConversion);
  return k.some((c) => c !== undefined) ? k : undefined;
}

/** IEC 61966-2-1 transfer functions on one channel in [0, 1]. */
export function srgbEncode(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  return c <= 0.0031308 ? c * 12.92 : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}
export function srgbDecode(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** A CLEAR colour (RGBA floats) adjusted for the attachment's conversion; alpha is never converted. */
export function clearColorFor(a: Attachment, rgba: Float32Array): Float32Array {
  const c = srgbWriteConversion(a);
  if (!c) return rgba;
  const f = c === "encode" ? srgbEncode : srgbDecode;
  return Float32Array.of(f(rgba[0]), f(rgba[1]), f(rgba[2]), rgba[3]);
}
