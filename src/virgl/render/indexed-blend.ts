// Independent blend (gallium independent_blend_enable; GL EXT_draw_buffers2 / ARB_draw_buffers_blend
// in the guest) on WebGL2's OES_draw_buffers_indexed.
//
// The ordinary path (pipeline-state.ts) applies render target 0's state to every draw buffer through
// the state cache. When the bound blend object is independent and a later target differs, that
// target is overridden here with the indexed entry points; the cache's blend / colour-mask entries
// are then forgotten, because the global values it remembers no longer describe every buffer (the
// next draw re-issues them, which resets all buffers before any indexed override).

import { blendEquation, blendFactor, blendFactorNoDstAlpha } from "../conv/state.ts";
import type { BlendRt, BlendState } from "../decode/types.ts";
import type { Attachment } from "./framebuffer.ts";
import type { GlStateCache } from "./state-cache.ts";

/** The OES_draw_buffers_indexed entry points we use. */
export interface IndexedBlendGl {
  enableiOES(target: number, index: number): void;
  disableiOES(target: number, index: number): void;
  blendEquationSeparateiOES(buf: number, modeRGB: number, modeAlpha: number): void;
  blendFuncSeparateiOES(buf: number, srcRGB: number, dstRGB: number, srcAlpha: number, dstAlpha: number): void;
  colorMaskiOES(buf: number, r: boolean, g: boolean, b: boolean, a: boolean): void;
}

const BLEND = 0x0be2;

function sameRt(a: BlendRt, b: BlendRt): boolean {
  if (a.colormask !== b.colormask || a.blendEnable !== b.blendEnable) return false;
  if (!a.blendEnable) return true;
  return (
    a.rgbFunc === b.rgbFunc &&
    a.rgbSrcFactor === b.rgbSrcFactor &&
    a.rgbDstFactor === b.rgbDstFactor &&
    a.alphaFunc === b.alphaFunc &&
    a.alphaSrcFactor === b.alphaSrcFactor &&
    a.alphaDstFactor === b.alphaDstFactor
  );
}

/**
 * Draw buffers (≥ 1) that need an indexed override: with independent blend, those whose state differs
 * from target 0's; in any case, blending targets whose "has no alpha" differs from target 0's
 * (DST_ALPHA factors are rewritten per attachment). `noAlpha[i]` describes attachment i.
 */
export function overrideTargets(blend: BlendState, noAlpha: readonly boolean[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < Math.min(noAlpha.length, blend.rt.length); i++) {
    const rt = blend.independentBlendEnable ? blend.rt[i] : blend.rt[0];
    if ((blend.independentBlendEnable && !sameRt(rt, blend.rt[0])) || (rt.blendEnable && noAlpha[i] !== noAlpha[0])) out.push(i);
  }
  return out;
}

/** Applies per-buffer overrides; returns an error message for an unsupported factor/function. */
export function applyIndependentBlend(ext: IndexedBlendGl, state: GlStateCache, blend: BlendState, color: (Attachment | null)[]): string | null {
  const noAlpha = color.map((a) => a?.res.fmt?.noAlpha === true);
  const targets = overrideTargets(blend, noAlpha);
  if (targets.length === 0) return null;
  for (const i of targets) {
    const rt = blend.independentBlendEnable ? blend.rt[i] : blend.rt[0];
    if (rt.blendEnable) {
      const f = (x: number): number | undefined => blendFactor(noAlpha[i] ? blendFactorNoDstAlpha(x) : x);
      const [sr, dr, sa, da] = [f(rt.rgbSrcFactor), f(rt.rgbDstFactor), f(rt.alphaSrcFactor), f(rt.alphaDstFactor)];
      const [er, ea] = [blendEquation(rt.rgbFunc), blendEquation(rt.alphaFunc)];
      if (sr === undefined || dr === undefined || sa === undefined || da === undefined || er === undefined || ea === undefined) {
        return `blend state rt[${i}] uses an unsupported factor/function`;
      }
      ext.enableiOES(BLEND, i);
      ext.blendFuncSeparateiOES(i, sr, dr, sa, da);
      ext.blendEquationSeparateiOES(i, er, ea);
    } else ext.disableiOES(BLEND, i);
    const m = rt.colormask;
    ext.colorMaskiOES(i, (m & 1) !== 0, (m & 2) !== 0, (m & 4) !== 0, (m & 8) !== 0);
  }
  state.forgetBlend();
  return null;
}
