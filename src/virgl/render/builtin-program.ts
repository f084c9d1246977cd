// The renderer's own small GLSL programs (readback helpers): a full-target triangle vertex
// shader and compile/link with errors that name the helper.

import type { GlObjects } from "./gl-objects.ts";
import type { GlStateCache } from "./state-cache.ts";

/** Vertex shader of one triangle covering the whole target (no attributes: gl_VertexID 0..2). */
export const FULL_TARGET_VS = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0);
  gl_Position = vec4(p, 0.0, 1.0);
}`;

const COMPILE_STATUS = 0x8b81;
const LINK_STATUS = 0x8b82;
const VERTEX_SHADER = 0x8b31;
const FRAGMENT_SHADER = 0x8b30;

/** Compiles and links `vs` + `fs`; the error names `what` and carries the info log. */
export function linkBuiltinProgram(gl: WebGL2RenderingContext, objs: GlObjects, what: string, vs: string, fs: string): WebGLProgram | string {
  const sh = (type: number, src: string): WebGLShader | string => {
    const s = objs.shader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, COMPILE_STATUS)) {
      const log = gl.getShaderInfoLog(s);
      objs.deleteShader(s);
      return `${what} shader: ${log}`;
    }
    return s;
  };
  const v = sh(VERTEX_SHADER, vs);
  if (typeof v === "string") return v;
  const f = sh(FRAGMENT_SHADER, fs);
  if (typeof f === "string") {
    objs.deleteShader(v);
    return f;
  }
  const p = objs.program();
  gl.attachShader(p, v);
  gl.attachShader(p, f);
  gl.linkProgram(p);
  objs.deleteShader(v);
  objs.deleteShader(f);
  if (!gl.getProgramParameter(p, LINK_STATUS)) {
    const log = gl.getProgramInfoLog(p);
    objs.deleteProgram(p);
    return `${what} program failed to link: ${log}`;
  }
  return p;
}

/** Unbinds and deletes a helper's scratch framebuffer and colour texture. */
export function freeScratchTarget(state: GlStateCache, objs: GlObjects, fb: WebGLFramebuffer, texture: WebGLTexture): void {
  state.drawFramebuffer(null);
  state.readFramebuffer(null);
  state.dropObject(fb);
  objs.deleteFramebuffer(fb);
  objs.deleteTexture(texture);
}

/** Deletes a helper program (forgotten by the state cache too); returns null for the field holding it. */
export function freeProgram(state: GlStateCache, objs: GlObjects, p: WebGLProgram | null): null {
  if (p) {
    state.dropObject(p);
    objs.deleteProgram(p);
  }
  return null;
}
