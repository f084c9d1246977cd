// Depth readback. WebGL2 cannot readPixels a depth buffer, so the depth texture is sampled (NEAREST,
// no compare) by a tiny built-in program that writes the exact bits into an RGBA8 target:
// unorm depth as a 24-bit integer (float32 holds 24 mantissa bits, so z/(2^24-1) round-trips
// to within ±1 near 1.0; 16-bit depth exactly), float depth as its IEEE bits. The bytes are then packed into
// the guest layout. Stencil cannot be sampled in WebGL2: depth-stencil formats get their stencil
// bytes from StencilReadback (stencil-test sweep, stencil-readback.ts).

import type { FormatInfo } from "../conv/formats.ts";
import { freeProgram, freeScratchTarget, FULL_TARGET_VS, linkBuiltinProgram } from "./builtin-program.ts";
import type { GlObjects } from "./gl-objects.ts";
import { StencilReadback } from "./stencil-readback.ts";
import { T } from "./resources.ts";
import type { GlStateCache } from "./state-cache.ts";

const FS = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D depthTex;
uniform highp sampler2DArray depthArr;
uniform int useArray;
uniform int layer;
uniform int lod;
uniform int asFloat;
uniform ivec2 origin;
out highp vec4 color;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy) + origin;
  float d = useArray != 0 ? texelFetch(depthArr, ivec3(p, layer), lod).r : texelFetch(depthTex, p, lod).r;
  // 16777215.5 is not a float32: clamp, or depth 1.0 would wrap to 2^24
  uint bits = asFloat != 0 ? floatBitsToUint(d) : min(uint(d * 16777215.0 + 0.5), 16777215u);
  color = vec4(float(bits & 255u), float((bits >> 8) & 255u), float((bits >> 16) & 255u), float(bits >> 24)) / 255.0;
}`;

const FRAMEBUFFER = 0x8d40;
const COLOR_ATTACHMENT0 = 0x8ce0;
const RGBA8 = 0x8058;
const RGBA = 0x1908;
const UNSIGNED_BYTE = 0x1401;
const TEXTURE0 = 0x84c0;

export class DepthReadback {
  private program: WebGLProgram | null = null;
  private uniforms = new Map<string, WebGLUniformLocation | null>();
  private readonly stencil: StencilReadback;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    private readonly objs: GlObjects,
    private readonly state: GlStateCache,
  ) {
    this.stencil = new StencilReadback(gl, objs, state);
  }

  private ensureProgram(): WebGLProgram | string {
    if (this.program) return this.program;
    const { gl, objs } = this;
    const p = linkBuiltinProgram(gl, objs, "depth readback", FULL_TARGET_VS, FS);
    if (typeof p === "string") return p;
    for (const n of ["depthTex", "depthArr", "useArray", "layer", "lod", "asFloat", "origin"]) this.uniforms.set(n, gl.getUniformLocation(p, n));
    this.program = p;
    return p;
  }

  /**
   * Reads depth of a w×h box at (x, y) of `layer` of a depth texture (its `level` is levelW×levelH);
   * returns tight guest-layout bytes for `fmt` (blockBytes per pixel).
   */
  read(texture: WebGLTexture, glTarget: number, fmt: FormatInfo, level: number, layer: number, x: number, y: number, w: number, h: number, levelW: number, levelH: number): Uint8Array | string {
    if (glTarget !== T.TEXTURE_2D && glTarget !== T.TEXTURE_2D_ARRAY) return "depth readback supports 2D and 2D-array textures";
    const p = this.ensureProgram();
    if (typeof p === "string") return p;
    const { gl, objs, state } = this;
    const target = objs.texture();
    const fb = objs.framebuffer();
    try {
      gl.bindTexture(T.TEXTURE_2D, target);
      gl.texStorage2D(T.TEXTURE_2D, 1, RGBA8, w, h);
      state.drawFramebuffer(fb);
      gl.framebufferTexture2D(FRAMEBUFFER, COLOR_ATTACHMENT0, T.TEXTURE_2D, target, 0);
      gl.drawBuffers([COLOR_ATTACHMENT0]);
      state.readFramebuffer(fb);
      gl.readBuffer(COLOR_ATTACHMENT0);
      state.program(p);
      state.vertexArray(null);
      for (const cap of [0x0be2, 0x0b44, 0x0b71, 0x0b90, 0x0c11, 0x8c89, 0x8037]) state.setEnabled(cap, false);
      state.colorMask(true, true, true, true);
      state.viewport(0, 0, w, h);
      const arr = glTarget === T.TEXTURE_2D_ARRAY;
      gl.activeTexture(TEXTURE0 + 30);
      gl.bindTexture(glTarget, texture);
      gl.bindSampler(30, null);
      gl.texParameteri(glTarget, 0x884c /* COMPARE_MODE */, 0);
      // the level is texelFetch's lod (BASE_LEVEL stays 0: ANGLE on Vulkan applied a raised base
      // level twice, reading level 2·L); a mipmapped min filter makes every level fetchable
      gl.texParameteri(glTarget, 0x2801 /* MIN_FILTER */, 0x2700 /* NEAREST_MIPMAP_NEAREST */);
      gl.texParameteri(glTarget, 0x2800 /* MAG_FILTER */, 0x2600);
      gl.uniform1i(this.uniforms.get(arr ? "depthArr" : "depthTex")!, 30);
      gl.uniform1i(this.uniforms.get(arr ? "depthTex" : "depthArr")!, 31);
      gl.uniform1i(this.uniforms.get("useArray")!, arr ? 1 : 0);
      gl.uniform1i(this.uniforms.get("layer")!, layer);
      gl.uniform1i(this.uniforms.get("lod")!, level);
      gl.uniform1i(this.uniforms.get("asFloat")!, fmt.glType === 0x1406 || fmt.glType === 0x8dad ? 1 : 0);
      gl.uniform2i(this.uniforms.get("origin")!, x, y);
      gl.drawArrays(0x0004, 0, 3);
      gl.activeTexture(TEXTURE0);
      const raw = new Uint8Array(w * h * 4);
      state.pixelStore(0x0d05, 1);
      gl.readPixels(0, 0, w, h, RGBA, UNSIGNED_BYTE, raw);
      let stencil: Uint8Array | undefined;
      if (fmt.stencil) {
        const s = this.stencil.read(texture, glTarget, level, layer, x, y, w, h, levelW, levelH);
        if (typeof s === "string") return s;
        stencil = s;
      }
      return packDepth(fmt, raw, w * h, stencil);
    } finally {
      freeScratchTarget(state, objs, fb, target);
    }
  }

  dispose(): void {
    this.stencil.dispose();
    this.program = freeProgram(this.state, this.objs, this.program);
  }
}

/**
 * Packs per-pixel 32-bit results (z24 integers or float bits, little-endian) and, for formats with
 * stencil, one stencil byte per pixel (0 if absent) into the guest layout.
 */
export function packDepth(fmt: FormatInfo, raw: Uint8Array, pixels: number, stencil?: Uint8Array): Uint8Array {
  const src = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Uint8Array(pixels * fmt.blockBytes);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < pixels; i++) {
    const v = src.getUint32(i * 4, true);
    const st = stencil ? stencil[i] : 0;
    switch (fmt.id) {
      case 16: // Z16_UNORM: 24-bit value → 16 bits
        dv.setUint16(i * 2, Math.round((v / 0xffffff) * 0xffff), true);
        break;
      case 17: // Z32_UNORM
        dv.setUint32(i * 4, ((v << 8) | (v >>> 16)) >>> 0, true);
        break;
      case 18: // Z32_FLOAT: float bits
        dv.setUint32(i * 4, v, true);
        break;
      case 19: // Z24_UNORM_S8_UINT: Z low, S high
        dv.setUint32(i * 4, ((v & 0xffffff) | (st << 24)) >>> 0, true);
        break;
      case 21: // Z24X8_UNORM
        dv.setUint32(i * 4, v & 0xffffff, true);
        break;
      case 20: // S8_UINT_Z24_UNORM: Z high, S low
        dv.setUint32(i * 4, ((v << 8) | st) >>> 0, true);
        break;
      case 22: // X8Z24_UNORM
        dv.setUint32(i * 4, (v << 8) >>> 0, true);
        break;
      case 126: // Z32_FLOAT_S8X24_UINT
        dv.setUint32(i * 8, v, true);
        dv.setUint32(i * 8 + 4, st, true);
        break;
    }
  }
  return out;
}
