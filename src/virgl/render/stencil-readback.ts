// Stencil readback. WebGL2 can neither readPixels stencil nor sample it (no
// DEPTH_STENCIL_TEXTURE_MODE), so the values are recovered with the stencil test itself: the
// depth-stencil texture is attached to a scratch framebuffer next to an RGBA8 colour target, and
// 8 full-screen passes run with stencil func EQUAL, ref = mask = 1<<b (stencil writes off); pass
// b adds (1<<b)/255 to red with ONE/ONE blending. Each stencil bit lands in its own bit of the
// unorm8 red channel (sums of distinct powers of two stay below 256, unorm8 addition is exact),
// so readPixels returns exactly the 8-bit stencil value per pixel.

import { freeProgram, freeScratchTarget, FULL_TARGET_VS, linkBuiltinProgram } from "./builtin-program.ts";
import type { GlObjects } from "./gl-objects.ts";
import { T } from "./resources.ts";
import type { GlStateCache } from "./state-cache.ts";

const FS = `#version 300 es
precision highp float;
uniform float bitValue;
out vec4 color;
void main() { color = vec4(bitValue, 0.0, 0.0, 0.0); }`;

const FRAMEBUFFER = 0x8d40;
const COLOR_ATTACHMENT0 = 0x8ce0;
const DEPTH_STENCIL_ATTACHMENT = 0x821a;
const FRAMEBUFFER_COMPLETE = 0x8cd5;
const RGBA8 = 0x8058;
const RGBA = 0x1908;
const UNSIGNED_BYTE = 0x1401;
const COLOR = 0x1800;
// per face, as the draw path sets them: the state cache keys stencil state by face
const FACES = [0x0404, 0x0405];
const EQUAL = 0x0202;
const KEEP = 0x1e00;
const ONE = 1;
const FUNC_ADD = 0x8006;
const CAP = { BLEND: 0x0be2, CULL_FACE: 0x0b44, DEPTH_TEST: 0x0b71, STENCIL_TEST: 0x0b90, SCISSOR_TEST: 0x0c11, RASTERIZER_DISCARD: 0x8c89, POLYGON_OFFSET_FILL: 0x8037, SAMPLE_ALPHA_TO_COVERAGE: 0x809e };

/** The passes' stencil states: bit b is tested with EQUAL, ref = mask = 1<<b. */
export function stencilBitPasses(): { ref: number; mask: number; add: number }[] {
  return Array.from({ length: 8 }, (_, b) => ({ ref: 1 << b, mask: 1 << b, add: (1 << b) / 255 }));
}

/** Red bytes of RGBA readback pixels: the stencil values. */
export function stencilFromRed(raw: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = raw[i * 4];
  return out;
}

export class StencilReadback {
  private program: WebGLProgram | null = null;
  private bitLoc: WebGLUniformLocation | null = null;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    private readonly objs: GlObjects,
    private readonly state: GlStateCache,
  ) {}

  private ensureProgram(): WebGLProgram | string {
    if (this.program) return this.program;
    const { gl, objs } = this;
    const p = linkBuiltinProgram(gl, objs, "stencil readback", FULL_TARGET_VS, FS);
    if (typeof p === "string") return p;
    this.bitLoc = gl.getUniformLocation(p, "bitValue");
    this.program = p;
    return p;
  }

  /**
   * Stencil values (one byte per pixel, rows bottom-up like readPixels) of a w×h box of a
   * depth-stencil texture whose `level` is levelW×levelH.
   */
  read(texture: WebGLTexture, glTarget: number, level: number, layer: number, x: number, y: number, w: number, h: number, levelW: number, levelH: number): Uint8Array | string {
    if (glTarget !== T.TEXTURE_2D && glTarget !== T.TEXTURE_2D_ARRAY) return "stencil readback supports 2D and 2D-array textures";
    const p = this.ensureProgram();
    if (typeof p === "string") return p;
    const { gl, objs, state } = this;
    const target = objs.texture();
    const fb = objs.framebuffer();
    // WebGL2 keeps FRAMEBUFFER_INCOMPLETE_DIMENSIONS: the colour target has the level's size
    const cw = levelW;
    const ch = levelH;
    if (x + w > cw || y + h > ch) return `stencil box ${x},${y} ${w}x${h} outside the ${cw}x${ch} level ${level}`;
    try {
      gl.bindTexture(T.TEXTURE_2D, target);
      gl.texStorage2D(T.TEXTURE_2D, 1, RGBA8, cw, ch);
      gl.bindTexture(T.TEXTURE_2D, null);
      state.drawFramebuffer(fb);
      state.readFramebuffer(fb);
      gl.framebufferTexture2D(FRAMEBUFFER, COLOR_ATTACHMENT0, T.TEXTURE_2D, target, 0);
      if (glTarget === T.TEXTURE_2D_ARRAY) gl.framebufferTextureLayer(FRAMEBUFFER, DEPTH_STENCIL_ATTACHMENT, texture, level, layer);
      else gl.framebufferTexture2D(FRAMEBUFFER, DEPTH_STENCIL_ATTACHMENT, T.TEXTURE_2D, texture, level);
      if (gl.checkFramebufferStatus(FRAMEBUFFER) !== FRAMEBUFFER_COMPLETE) return `stencil readback framebuffer incomplete (level ${level} layer ${layer})`;
      gl.drawBuffers([COLOR_ATTACHMENT0]);
      gl.readBuffer(COLOR_ATTACHMENT0);
      state.program(p);
      state.vertexArray(null);
      for (const cap of [CAP.CULL_FACE, CAP.DEPTH_TEST, CAP.SCISSOR_TEST, CAP.RASTERIZER_DISCARD, CAP.POLYGON_OFFSET_FILL, CAP.SAMPLE_ALPHA_TO_COVERAGE]) state.setEnabled(cap, false);
      state.colorMask(true, true, true, true);
      // Only the box is read back: the 8 passes draw into it alone (the target must still be level-sized).
      state.viewport(x, y, w, h);
      gl.clearBufferfv(COLOR, 0, [0, 0, 0, 0]);
      state.setEnabled(CAP.BLEND, true);
      state.blendFunc(ONE, ONE, ONE, ONE);
      state.blendEquation(FUNC_ADD, FUNC_ADD);
      state.setEnabled(CAP.STENCIL_TEST, true);
      for (const face of FACES) {
        state.stencilMask(face, 0);
        state.stencilOp(face, KEEP, KEEP, KEEP);
      }
      for (const pass of stencilBitPasses()) {
        for (const face of FACES) state.stencilFunc(face, EQUAL, pass.ref, pass.mask);
        gl.uniform1f(this.bitLoc, pass.add);
        gl.drawArrays(0x0004, 0, 3);
      }
      const raw = new Uint8Array(w * h * 4);
      state.pixelStore(0x0d05, 1);
      gl.readPixels(x, y, w, h, RGBA, UNSIGNED_BYTE, raw);
      return stencilFromRed(raw, w * h);
    } finally {
      gl.framebufferTexture2D(FRAMEBUFFER, DEPTH_STENCIL_ATTACHMENT, T.TEXTURE_2D, null, 0);
      freeScratchTarget(state, objs, fb, target);
    }
  }

  dispose(): void {
    this.program = freeProgram(this.state, this.objs, this.program);
  }
}
