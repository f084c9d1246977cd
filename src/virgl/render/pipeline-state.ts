// Applies a sub-context's bound blend / DSA / rasterizer objects, viewport, scissor, stencil ref and
// blend colour to GL through the state cache, right before a draw.
//
// Viewport: gallium maps NDC to window coordinates with `scale`/`translate`; a negative y scale
// (st/mesa rendering to window-system buffers) is done as a positive GL viewport plus the
// translator's `webvirgl_yflip` uniform negating gl_Position.y; window coordinates then equal
// gallium's either way, so the front face does not depend on it. Rows are never flipped in memory: gallium row 0 = GL row 0.

import { blendEquation, blendFactor, blendFactorNoDstAlpha, compareFunc, stencilOp } from "../conv/state.ts";
import { Obj } from "../protocol.ts";
import type { Attachment } from "./framebuffer.ts";
import { applyIndependentBlend, type IndexedBlendGl } from "./indexed-blend.ts";
import { Caps, type GlStateCache } from "./state-cache.ts";
import type { SubContext } from "./sub-context.ts";

const CW = 0x0900;
const CCW = 0x0901;
const FRONT = 0x0404;
const BACK = 0x0405;
const FRONT_AND_BACK = 0x0408;

export interface AppliedState {
  yflip: boolean;
  pointSize: number;
  alphaRef: number;
}

/** Rasterizer S0 bits (virgl-protocol.md §3.2 RASTERIZER). */
export const RS = {
  flatshade: 1 << 0,
  depthClip: 1 << 1,
  rasterizerDiscard: 1 << 3,
  lightTwoside: 1 << 5,
  spriteCoordMode: 1 << 6,
  scissor: 1 << 14,
  frontCcw: 1 << 15,
  clampVertexColor: 1 << 16,
  clampFragmentColor: 1 << 17,
  offsetTri: 1 << 20,
} as const;

export function applyPipelineState(state: GlStateCache, sub: SubContext, color: (Attachment | null)[], indexed: IndexedBlendGl | null = null): AppliedState | string {
  // ---- blend: render target 0's state for all buffers, then per-buffer overrides (indexed-blend.ts)
  const blend = sub.get(sub.blend, Obj.BLEND);
  const rt = blend?.rt[0];
  if (rt && rt.blendEnable) {
    const noDstAlpha = color[0]?.res.fmt?.noAlpha === true;
    const f = (x: number): number | undefined => blendFactor(noDstAlpha ? blendFactorNoDstAlpha(x) : x);
    const [sr, dr, sa, da] = [f(rt.rgbSrcFactor), f(rt.rgbDstFactor), f(rt.alphaSrcFactor), f(rt.alphaDstFactor)];
    const [er, ea] = [blendEquation(rt.rgbFunc), blendEquation(rt.alphaFunc)];
    if (sr === undefined || dr === undefined || sa === undefined || da === undefined || er === undefined || ea === undefined) return "blend state uses an unsupported factor/function";
    state.setEnabled(Caps.BLEND, true);
    state.blendFunc(sr, dr, sa, da);
    state.blendEquation(er, ea);
  } else state.setEnabled(Caps.BLEND, false);
  const mask = rt ? rt.colormask : 0xf;
  state.colorMask((mask & 1) !== 0, (mask & 2) !== 0, (mask & 4) !== 0, (mask & 8) !== 0);
  if (blend && indexed && color.length > 1) {
    const err = applyIndependentBlend(indexed, state, blend, color);
    if (err) return err;
  }
  state.setEnabled(Caps.SAMPLE_ALPHA_TO_COVERAGE, blend?.alphaToCoverage === true);
  state.blendColor(...sub.blendColor);

  // ---- depth / stencil
  const dsa = sub.get(sub.dsa, Obj.DSA);
  if (dsa && dsa.depthEnabled) {
    state.setEnabled(Caps.DEPTH_TEST, true);
    state.depthFunc(compareFunc(dsa.depthFunc)!);
    state.depthMask(dsa.depthWritemask);
  } else {
    state.setEnabled(Caps.DEPTH_TEST, false);
    state.depthMask(false);
  }
  if (dsa && dsa.stencil[0].enabled) {
    state.setEnabled(Caps.STENCIL_TEST, true);
    const back = dsa.stencil[1].enabled ? dsa.stencil[1] : dsa.stencil[0];
    for (const [face, s, ref] of [
      [FRONT, dsa.stencil[0], sub.stencilRef[0]],
      [BACK, back, dsa.stencil[1].enabled ? sub.stencilRef[1] : sub.stencilRef[0]],
    ] as const) {
      state.stencilFunc(face, compareFunc(s.func)!, ref, s.valuemask);
      state.stencilOp(face, stencilOp(s.failOp)!, stencilOp(s.zfailOp)!, stencilOp(s.zpassOp)!);
      state.stencilMask(face, s.writemask);
    }
  } else state.setEnabled(Caps.STENCIL_TEST, false);

  // ---- rasterizer
  const rs = sub.get(sub.rasterizer, Obj.RASTERIZER);
  const s0 = rs?.s0 ?? RS.depthClip;
  const vp = sub.viewports[0];
  const yflip = vp !== undefined && vp.scale[1] < 0;
  const cull = (s0 >>> 8) & 3;
  if (cull === 0) state.setEnabled(Caps.CULL_FACE, false);
  else {
    state.setEnabled(Caps.CULL_FACE, true);
    state.cullFace(cull === 1 ? FRONT : cull === 2 ? BACK : FRONT_AND_BACK);
  }
  // Gallium's front_ccw is the winding seen with window y pointing down (Mesa sends front_ccw=0
  // for GL's default CCW when rendering to an FBO). Our GL window coordinates are numerically
  // gallium's in both viewport cases (a negative y scale is done by negating NDC y), so the GL
  // winding is always the opposite one, as vrend does for resources without y_0_top.
  const ccw = (s0 & RS.frontCcw) !== 0;
  state.frontFace(ccw ? CW : CCW);
  state.setEnabled(Caps.RASTERIZER_DISCARD, (s0 & RS.rasterizerDiscard) !== 0);
  const offset = (s0 & RS.offsetTri) !== 0;
  state.setEnabled(Caps.POLYGON_OFFSET_FILL, offset);
  if (offset && rs) state.polygonOffset(rs.offsetScale, rs.offsetUnits);
  state.lineWidth(Math.max(1, rs?.lineWidth ?? 1));

  // ---- viewport / depth range / scissor
  if (vp) {
    const w = 2 * Math.abs(vp.scale[0]);
    const h = 2 * Math.abs(vp.scale[1]);
    state.viewport(Math.round(vp.translate[0] - Math.abs(vp.scale[0])), Math.round(vp.translate[1] - Math.abs(vp.scale[1])), Math.round(w), Math.round(h));
    const n = vp.translate[2] - vp.scale[2];
    const f = vp.translate[2] + vp.scale[2];
    state.depthRange(Math.min(1, Math.max(0, n)), Math.min(1, Math.max(0, f)));
  }
  const sc = sub.scissors[0];
  if ((s0 & RS.scissor) !== 0 && sc) {
    state.setEnabled(Caps.SCISSOR_TEST, true);
    state.scissor(sc.minx, sc.miny, Math.max(0, sc.maxx - sc.minx), Math.max(0, sc.maxy - sc.miny));
  } else state.setEnabled(Caps.SCISSOR_TEST, false);

  return { yflip, pointSize: rs?.pointSize ?? 1, alphaRef: dsa?.alphaRef ?? 0 };
}
