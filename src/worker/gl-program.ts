/**
 * The one shader program the presenter needs. Every draw is "fetch a texel, swizzle it":
 *  - blit:      resource texture (guest format) → screen texture, scissored to the damage
 *  - composite: screen texture → canvas, full frame, flipped (GL's y axis points up)
 *  - cursor:    cursor texture (guest format) → canvas, a small alpha-blended quad
 * texelFetch with integer coordinates keeps every copy exact (no filtering, no rounding),
 * which is what lets the e2e tests assert exact colours.
 */

const VS = `#version 300 es
// Attribute-less quad: gl_VertexID 0..3 as a triangle strip over uQuad (clip-space x0,y0,x1,y1).
uniform vec4 uQuad;
void main() {
  vec2 c = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
  gl_Position = vec4(mix(uQuad.xy, uQuad.zw, c), 0.0, 1.0);
}`;

const FS = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D uTex;
// Target pixel (top-down) → texel: texel = pixel + uOffset.
uniform ivec2 uOffset;
// > 0: the target is the canvas, whose rows count upwards; flip with this height.
uniform int uFlipHeight;
// colour = uSwizzle * texel + uBias (per-format table from conv-2d.ts).
uniform mat4 uSwizzle;
uniform vec4 uBias;
out vec4 outColor;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  if (uFlipHeight > 0) p.y = uFlipHeight - 1 - p.y;
  outColor = uSwizzle * texelFetch(uTex, p + uOffset, 0) + uBias;
}`;

export interface TexelProgram {
  program: WebGLProgram;
  uQuad: WebGLUniformLocation;
  uTex: WebGLUniformLocation;
  uOffset: WebGLUniformLocation;
  uFlipHeight: WebGLUniformLocation;
  uSwizzle: WebGLUniformLocation;
  uBias: WebGLUniformLocation;
}

function compile(gl: WebGL2RenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type);
  if (!s) throw new Error("createShader failed");
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) {
    const log = gl.getShaderInfoLog(s);
    gl.deleteShader(s);
    throw new Error(`shader compile failed: ${log ?? "?"}`);
  }
  return s;
}

export function createTexelProgram(gl: WebGL2RenderingContext): TexelProgram {
  const vs = compile(gl, gl.VERTEX_SHADER, VS);
  const fs = compile(gl, gl.FRAGMENT_SHADER, FS);
  const program = gl.createProgram();
  if (!program) throw new Error("createProgram failed");
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  gl.linkProgram(program);
  gl.deleteShader(vs);
  gl.deleteShader(fs);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`program link failed: ${gl.getProgramInfoLog(program) ?? "?"}`);
  }
  const loc = (name: string): WebGLUniformLocation => {
    const l = gl.getUniformLocation(program, name);
    if (!l) throw new Error(`uniform ${name} missing`);
    return l;
  };
  return {
    program,
    uQuad: loc("uQuad"),
    uTex: loc("uTex"),
    uOffset: loc("uOffset"),
    uFlipHeight: loc("uFlipHeight"),
    uSwizzle: loc("uSwizzle"),
    uBias: loc("uBias"),
  };
}

export const IDENTITY_SWIZZLE = new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
export const ZERO_BIAS = new Float32Array(4);

/** Clip-space quad covering pixel rect (x, y, w, h) of a `vw` x `vh` viewport, y top-down. */
export function pixelQuad(x: number, y: number, w: number, h: number, vw: number, vh: number, flipY: boolean): Float32Array {
  const x0 = (x / vw) * 2 - 1;
  const x1 = ((x + w) / vw) * 2 - 1;
  let y0 = (y / vh) * 2 - 1;
  let y1 = ((y + h) / vh) * 2 - 1;
  if (flipY) {
    y0 = -y0;
    y1 = -y1;
  }
  return new Float32Array([x0, y0, x1, y1]);
}
