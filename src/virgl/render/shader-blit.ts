// Colour BLITs blitFramebuffer cannot do: sources WebGL2 cannot attach to a framebuffer
// (RGB9_E5, RGB integer, compressed…) and sources whose storage needs a swizzle to become the
// format's channels (alpha/luminance/intensity formats stored as R/RG). Mesa blits these into a
// readable format for glGetTexImage and CPU mipmap generation. Gallium blit semantics: each
// destination pixel takes the source's logical RGBA at the box-mapped position (nearest or
// linear), written through the destination's storage layout. Drawn as one triangle covering the
// destination box, reading the source with texelFetch (nearest) or textureLod (linear, float).

import type { CommandOf } from "../decode/types.ts";
import type { FormatInfo } from "../conv/formats.ts";
import type { ExecEnv, ExecResult } from "./exec-env.ts";
import { FULL_TARGET_VS, freeProgram, linkBuiltinProgram } from "./builtin-program.ts";
import type { GlObjects } from "./gl-objects.ts";
import { type GpuResource, T } from "./resources.ts";
import { Caps, type GlStateCache } from "./state-cache.ts";

const DRAW_FRAMEBUFFER = 0x8ca9;
const COLOR_ATTACHMENT0 = 0x8ce0;
const FRAMEBUFFER_COMPLETE = 0x8cd5;
const TEXTURE0 = 0x84c0;
const TEXTURE_BASE_LEVEL = 0x813c;
const TEXTURE_MAX_LEVEL = 0x813d;

type Kind = "f" | "i" | "u";
const kindOf = (f: FormatInfo): Kind => (f.channel === "uint" ? "u" : f.channel === "sint" ? "i" : "f");
const identity = (f: FormatInfo): boolean => f.swizzle.every((s, i) => s === i);

/** Does this colour BLIT need the shader path (and can it take it)? */
export function needsShaderBlit(src: GpuResource, dst: GpuResource): boolean {
  const s = src.fmt;
  const d = dst.fmt;
  if (!s || !d || s.depth || d.depth || !src.texture || !dst.texture) return false;
  if (src.glTarget === T.TEXTURE_CUBE_MAP || src.msaa || !d.renderable || d.compressed) return false;
  if (kindOf(s) !== kindOf(d)) return false;
  // equal storage layouts copy correctly as raw channels (e.g. mipmap generation of L8)
  return !s.renderable || s.compressed || s.swizzle.some((x, i) => x !== d.swizzle[i]);
}

/** Fragment shader source for a source/destination format pair. */
export function blitShaderSource(glTarget: number, src: FormatInfo, dst: FormatInfo, linear: boolean): string {
  const k = kindOf(src);
  const p = k === "f" ? "" : k;
  const sampler = glTarget === T.TEXTURE_3D ? `${p}sampler3D` : glTarget === T.TEXTURE_2D_ARRAY ? `${p}sampler2DArray` : `${p}sampler2D`;
  const vec = k === "f" ? "vec4" : `${k}vec4`;
  const one = k === "f" ? "1.0" : k === "i" ? "1" : "1u";
  const zero = k === "f" ? "0.0" : k === "i" ? "0" : "0u";
  const three = glTarget !== T.TEXTURE_2D;
  const fetch = linear && k === "f"
    ? `textureLod(u_src, ${three ? "vec3(pos / vec2(textureSize(u_src, u_level).xy), u_layerCoord)" : "pos / vec2(textureSize(u_src, u_level))"}, float(u_level))`
    : `texelFetch(u_src, ${three ? "ivec3(ivec2(floor(pos)), u_layer)" : "ivec2(floor(pos))"}, u_level)`;
  // source storage → logical channels, logical → destination storage
  const logical = src.swizzle.map((s) => (s < 4 ? `t.${"xyzw"[s]}` : s === 5 ? one : zero));
  const out = [zero, zero, zero, zero];
  dst.swizzle.forEach((s, c) => {
    if (s < 4 && out[s] === zero) out[s] = `l.${"xyzw"[c]}`;
  });
  if (identity(dst)) for (let c = 0; c < 4; c++) out[c] = `l.${"xyzw"[c]}`;
  return `#version 300 es
precision highp float;
precision highp int;
uniform highp ${sampler} u_src;
uniform int u_level;
uniform int u_layer;
uniform float u_layerCoord;
uniform vec4 u_map; // src = u_map.xy + (frag - dst origin) * u_map.zw
uniform vec2 u_dstOrigin;
layout(location = 0) out ${vec} o;
void main() {
  vec2 pos = u_map.xy + (gl_FragCoord.xy - u_dstOrigin) * u_map.zw;
  ${vec} t = ${fetch};
  ${vec} l = ${vec}(${logical.join(", ")});
  o = ${vec}(${out.join(", ")});
}
`;
}


interface BlitProgram {
  program: WebGLProgram;
  loc: Map<string, WebGLUniformLocation | null>;
}
interface BlitObjects {
  /** By fragment shader source. */
  programs: Map<string, BlitProgram>;
  nearest: WebGLSampler;
  linear: WebGLSampler;
}
const perGl = new WeakMap<WebGL2RenderingContext, BlitObjects>();

function objectsFor(env: ExecEnv): BlitObjects {
  let o = perGl.get(env.gl);
  if (!o) {
    const { gl } = env;
    const nearest = env.objs.sampler();
    const linear = env.objs.sampler();
    for (const [s, min, mag] of [[nearest, 0x2600, 0x2600], [linear, 0x2701 /* LINEAR_MIPMAP_NEAREST */, 0x2601]] as const) {
      gl.samplerParameteri(s, 0x2801, min);
      gl.samplerParameteri(s, 0x2800, mag);
      for (const w of [0x2802, 0x2803, 0x8072]) gl.samplerParameteri(s, w, 0x812f);
    }
    o = { programs: new Map(), nearest, linear };
    perGl.set(gl, o);
  }
  return o;
}

/** Frees the blit programs and samplers made on this context (Renderer.dispose: live counts back to 0). */
export function disposeShaderBlit(gl: WebGL2RenderingContext, state: GlStateCache, objs: GlObjects): void {
  const o = perGl.get(gl);
  if (!o) return;
  for (const p of o.programs.values()) freeProgram(state, objs, p.program);
  objs.deleteSampler(o.nearest);
  objs.deleteSampler(o.linear);
  perGl.delete(gl);
}

function programFor(env: ExecEnv, o: BlitObjects, fsSrc: string): BlitProgram | string {
  const hit = o.programs.get(fsSrc);
  if (hit) return hit;
  const program = linkBuiltinProgram(env.gl, env.objs, "blit", FULL_TARGET_VS, fsSrc);
  if (typeof program === "string") return program;
  const loc = new Map<string, WebGLUniformLocation | null>();
  for (const n of ["u_src", "u_level", "u_layer", "u_layerCoord", "u_map", "u_dstOrigin"]) loc.set(n, env.gl.getUniformLocation(program, n));
  const entry = { program, loc };
  o.programs.set(fsSrc, entry);
  return entry;
}

/** Executes a colour BLIT for which needsShaderBlit() is true. */
export function shaderBlit(env: ExecEnv, c: CommandOf<"BLIT">, src: GpuResource, dst: GpuResource): ExecResult {
  const { gl, state } = env;
  const linear = c.filter === 1 && kindOf(src.fmt!) === "f";
  const o = objectsFor(env);
  const p = programFor(env, o, blitShaderSource(src.glTarget, src.fmt!, dst.fmt!, linear));
  if (typeof p === "string") return p;
  const s = c.src.box;
  const d = c.dst.box;
  if (d.w === 0 || d.h === 0 || s.w === 0 || s.h === 0) return null;
  const fb = env.objs.framebuffer();
  try {
    state.drawFramebuffer(fb);
    state.program(p.program);
    state.vertexArray(null); // FULL_TARGET_VS has no attributes
    for (const cap of [Caps.BLEND, Caps.DEPTH_TEST, Caps.STENCIL_TEST, Caps.CULL_FACE, Caps.RASTERIZER_DISCARD, Caps.POLYGON_OFFSET_FILL, Caps.SAMPLE_ALPHA_TO_COVERAGE]) state.setEnabled(cap, false);
    state.colorMask((c.mask & 1) !== 0, (c.mask & 2) !== 0, (c.mask & 4) !== 0, (c.mask & 8) !== 0);
    state.viewport(Math.min(d.x, d.x + d.w), Math.min(d.y, d.y + d.h), Math.abs(d.w), Math.abs(d.h));
    if (c.scissorEnable) {
      state.setEnabled(Caps.SCISSOR_TEST, true);
      state.scissor(c.scissor.minx, c.scissor.miny, Math.max(0, c.scissor.maxx - c.scissor.minx), Math.max(0, c.scissor.maxy - c.scissor.miny));
    } else state.setEnabled(Caps.SCISSOR_TEST, false);
    gl.activeTexture(TEXTURE0);
    gl.bindTexture(src.glTarget, src.texture);
    gl.bindSampler(0, linear ? o.linear : o.nearest);
    // only the source level is sampled: no feedback loop when the destination is another level
    // of the same texture (levels in the shader are relative to the base level)
    gl.texParameteri(src.glTarget, TEXTURE_BASE_LEVEL, c.src.level);
    gl.texParameteri(src.glTarget, TEXTURE_MAX_LEVEL, c.src.level);
    const layers = Math.max(1, Math.abs(d.d));
    for (let z = 0; z < layers; z++) {
      const dstLayer = d.z + z;
      const srcLayer = s.z + Math.floor(((z + 0.5) * s.d) / layers);
      if (dst.glTarget === T.TEXTURE_3D || dst.glTarget === T.TEXTURE_2D_ARRAY) gl.framebufferTextureLayer(DRAW_FRAMEBUFFER, COLOR_ATTACHMENT0, dst.texture, c.dst.level, dstLayer);
      else gl.framebufferTexture2D(DRAW_FRAMEBUFFER, COLOR_ATTACHMENT0, dst.glTarget === T.TEXTURE_CUBE_MAP ? T.TEXTURE_CUBE_MAP_POSITIVE_X + dstLayer : dst.glTarget, dst.texture, c.dst.level);
      if (gl.checkFramebufferStatus(DRAW_FRAMEBUFFER) !== FRAMEBUFFER_COMPLETE) return `BLIT: ${dst.fmt!.name} level ${c.dst.level} is not renderable`;
      gl.drawBuffers([COLOR_ATTACHMENT0]);
      const depth = src.glTarget === T.TEXTURE_3D ? Math.max(1, src.desc.depth >>> c.src.level) : 1;
      gl.uniform1i(p.loc.get("u_src")!, 0);
      gl.uniform1i(p.loc.get("u_level")!, 0);
      gl.uniform1i(p.loc.get("u_layer")!, srcLayer);
      gl.uniform1f(p.loc.get("u_layerCoord")!, src.glTarget === T.TEXTURE_3D ? (srcLayer + 0.5) / depth : srcLayer);
      gl.uniform4f(p.loc.get("u_map")!, s.x, s.y, s.w / d.w, s.h / d.h);
      gl.uniform2f(p.loc.get("u_dstOrigin")!, d.x, d.y);
      gl.drawArrays(0x0004, 0, 3);
    }
    return null;
  } finally {
    gl.bindTexture(src.glTarget, src.texture);
    gl.texParameteri(src.glTarget, TEXTURE_BASE_LEVEL, 0);
    gl.texParameteri(src.glTarget, TEXTURE_MAX_LEVEL, 1000);
    gl.bindSampler(0, null);
    state.drawFramebuffer(null);
    state.dropObject(fb);
    env.objs.deleteFramebuffer(fb);
    env.framebuffer.invalidate();
  }
}
