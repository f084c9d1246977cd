/**
 * Shader execution harness: translates TGSI programs with our translator in the page, draws into a small
 * RGBA32F / RGBA32UI / RGBA32I target with known inputs and returns the raw 32-bit words read back.
 *
 * Input modes:
 *  - "points": one 1-pixel point per pixel; IN[1..3] of the pass-through VS are uint attributes, so the
 *    FS's GENERIC[0..2] CONSTANT inputs (flat uvec4 varyings) carry exact bit patterns per pixel.
 *  - "quad": a full-viewport quad; GENERIC[0] = (2·x, 3·y, x + y, 1) in window coordinates (smooth).
 */
import { translateTgsi } from "../../src/shader/index.ts";
import type { ShaderKey, TranslationInfo } from "../../src/shader/index.ts";

export interface ExecTexture {
  unit: number;
  width: number;
  height: number;
  /** "rgba32f": float texels; "rgba32ui": uint texels; "depth32f": one float per texel (shadow sampling). */
  format: "rgba32f" | "rgba32ui" | "depth32f";
  data: number[];
  compare?: boolean;
  /** rgba32f only: a cube map, `data` holds the 6 faces in GL order (+X, -X, +Y, -Y, +Z, -Z). */
  cube?: boolean;
}

export interface ExecCase {
  fs: string;
  vs?: string;
  mode: "points" | "quad";
  target: "f32" | "u32" | "i32";
  width: number;
  height: number;
  /** points mode: per pixel, up to 3 vectors of 4 uint32 words (GENERIC[0..2]). */
  inputs?: number[][][];
  /** Constant buffer 0 of the FS, uint32 words (4 per slot). */
  consts?: number[];
  /**
   * Several constant buffers: draw once per set, set k into pixel column k only (the target is
   * `constSets.length` × 1; vertex k drawn as one point at the centre of a 1-pixel viewport, so its
   * `inputs[k]` are the FS inputs of set k).
   */
  constSets?: number[][];
  textures?: ExecTexture[];
  fsKey?: ShaderKey;
  /** Extra VS key fields (merged over the harness defaults). */
  vsKey?: ShaderKey;
  /** `webvirgl_clip_planes` (8 × vec4) when the VS uses user clip planes. */
  clipPlanes?: number[];
  /** quad mode: wind the quad clockwise so it is back-facing. */
  backFacing?: boolean;
  /** Per vertex, per IN index: 4 float32 bit patterns fed as float attributes to a custom VS (points mode). */
  vsAttribs?: number[][][];
  /** Constant buffer 0 of the VS (uint32 words). */
  vsConsts?: number[];
  /** Capture gl_Position and every VS varying with transform feedback (rasterizer discard). */
  captureVsOutputs?: boolean;
  /** Capture the VS stream-output varyings (key.streamOutput) with transform feedback. */
  captureStreamOutput?: boolean;
  /** Clear value (uint32 words, reinterpreted for the target). */
  clear?: [number, number, number, number];
}

export interface ExecResult {
  ok: boolean;
  error?: string;
  /** Raw 32-bit words, 4 per pixel, row 0 = window y 0. */
  words: number[];
  /** Transform-feedback buffer words (interleaved, per vertex) when captureStreamOutput/captureVsOutputs. */
  tfWords?: number[];
  /** captureVsOutputs: captured names in order, with the OUT register each came from. */
  tfOutputs?: { name: string; index: number }[];
}

const PASS_VS_POINTS = `VERT
DCL IN[0]
DCL IN[1]
DCL IN[2]
DCL IN[3]
DCL OUT[0], POSITION
DCL OUT[1], GENERIC[0]
DCL OUT[2], GENERIC[1]
DCL OUT[3], GENERIC[2]
  0: MOV OUT[0], IN[0]
  1: MOV OUT[1], IN[1]
  2: MOV OUT[2], IN[2]
  3: MOV OUT[3], IN[3]
  4: END
`;

const PASS_VS_QUAD = `VERT
DCL IN[0]
DCL IN[1]
DCL OUT[0], POSITION
DCL OUT[1], GENERIC[0]
  0: MOV OUT[0], IN[0]
  1: MOV OUT[1], IN[1]
  2: END
`;

const canvas = document.getElementById("gl") as HTMLCanvasElement;
const gl = canvas.getContext("webgl2", { antialias: false, preserveDrawingBuffer: false }) as WebGL2RenderingContext;
const floatTargets = gl ? gl.getExtension("EXT_color_buffer_float") !== null : false;
if (gl) gl.getExtension("KHR_parallel_shader_compile");

function compile(type: number, src: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) {
    const log = gl.getShaderInfoLog(s) ?? "";
    gl.deleteShader(s);
    throw new Error(`compile failed: ${log}\n${src}`);
  }
  return s;
}

function translate(text: string, key: ShaderKey): { glsl: string; info: TranslationInfo } {
  const r = translateTgsi(text, key);
  if (!r.ok) throw new Error(`translate failed at ${r.error.line}:${r.error.column}: ${r.error.message}`);
  return { glsl: r.glsl, info: r.info };
}

function run(c: ExecCase): ExecResult {
  const cleanup: (() => void)[] = [];
  try {
    const kind = c.target === "f32" ? "float" : c.target === "u32" ? "uint" : "int";
    const fs = translate(c.fs, { colorOutputTypes: [kind], ...c.fsKey });
    const uintAttrs = c.mode === "points";
    const vsText = c.vs ?? (uintAttrs ? PASS_VS_POINTS : PASS_VS_QUAD);
    const vsKey: ShaderKey = {
      attributeTypes: c.vsAttribs ? [] : uintAttrs ? ["float", "uint", "uint", "uint"] : ["float", "float"],
      fsInputs: fs.info.inputs,
      ...c.vsKey,
    };
    if (c.captureVsOutputs) {
      // Capture raw bits: request every varying as flat uvec4.
      const probe = translate(vsText, vsKey);
      vsKey.fsInputs = probe.info.varyingsOut.map((v) => ({ ...v, flat: true, centroid: false, glslType: "uvec4" as const }));
    }
    const vs = translate(vsText, vsKey);
    const prog = gl.createProgram()!;
    cleanup.push(() => gl.deleteProgram(prog));
    const vsh = compile(gl.VERTEX_SHADER, vs.glsl);
    const fsh = compile(gl.FRAGMENT_SHADER, fs.glsl);
    gl.attachShader(prog, vsh);
    gl.attachShader(prog, fsh);
    const tfOutputs = c.captureVsOutputs
      ? vs.info.outputs.filter((o) => o.name === "gl_Position" || vs.info.varyingsOut.some((v) => v.name === o.name)).map((o) => ({ name: o.name, index: o.index }))
      : [];
    const soNames = c.captureVsOutputs ? tfOutputs.map((o) => o.name) : c.captureStreamOutput ? vs.info.streamOutputVaryings : [];
    if (soNames.length > 0) gl.transformFeedbackVaryings(prog, soNames, gl.INTERLEAVED_ATTRIBS);
    gl.linkProgram(prog);
    gl.deleteShader(vsh);
    gl.deleteShader(fsh);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(`link failed: ${gl.getProgramInfoLog(prog)}`);
    gl.useProgram(prog);

    // Render target.
    const W = c.width, H = c.height;
    const fmt = c.target === "f32" ? [gl.RGBA32F, gl.RGBA, gl.FLOAT] : c.target === "u32" ? [gl.RGBA32UI, gl.RGBA_INTEGER, gl.UNSIGNED_INT] : [gl.RGBA32I, gl.RGBA_INTEGER, gl.INT];
    if (c.target === "f32" && !floatTargets) throw new Error("EXT_color_buffer_float missing");
    const rt = gl.createTexture()!;
    cleanup.push(() => gl.deleteTexture(rt));
    gl.bindTexture(gl.TEXTURE_2D, rt);
    gl.texStorage2D(gl.TEXTURE_2D, 1, fmt[0]!, W, H);
    const fb = gl.createFramebuffer()!;
    cleanup.push(() => gl.deleteFramebuffer(fb));
    gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, rt, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) throw new Error("framebuffer incomplete");
    gl.viewport(0, 0, W, H);
    const clear = new Uint32Array(c.clear ?? [0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
    if (c.target === "f32") gl.clearBufferfv(gl.COLOR, 0, new Float32Array(clear.buffer));
    else if (c.target === "u32") gl.clearBufferuiv(gl.COLOR, 0, clear);
    else gl.clearBufferiv(gl.COLOR, 0, new Int32Array(clear.buffer));

    // Uniforms the renderer would set.
    const setU = (name: string, f: (loc: WebGLUniformLocation) => void): void => {
      const loc = gl.getUniformLocation(prog, name);
      if (loc) f(loc);
    };
    setU("webvirgl_point_size", (l) => gl.uniform1f(l, 1));
    setU("webvirgl_yflip", (l) => gl.uniform1f(l, 0));
    setU("webvirgl_fragcoord_yflip", (l) => gl.uniform2f(l, 0, H));
    if (c.clipPlanes) setU("webvirgl_clip_planes[0]", (l) => gl.uniform4fv(l, new Float32Array(c.clipPlanes!)));
    if (c.consts && fs.info.constantBuffer0Size > 0) {
      const words = new Uint32Array(fs.info.constantBuffer0Size * 4);
      words.set(c.consts.slice(0, words.length));
      setU("webvirgl_fs_const0[0]", (l) => gl.uniform4uiv(l, words));
    }
    for (const s of fs.info.samplers) setU(s.name, (l) => gl.uniform1i(l, s.index));
    // Every harness texture has one mip level.
    setU("webvirgl_fs_samp_levels[0]", (l) => gl.uniform1iv(l, new Int32Array(32).fill(1)));

    // Textures.
    for (const t of c.textures ?? []) {
      const tex = gl.createTexture()!;
      cleanup.push(() => gl.deleteTexture(tex));
      gl.activeTexture(gl.TEXTURE0 + t.unit);
      const bind = t.cube ? gl.TEXTURE_CUBE_MAP : gl.TEXTURE_2D;
      gl.bindTexture(bind, tex);
      const faceWords = t.width * t.height * 4;
      if (t.cube) {
        for (let f = 0; f < 6; f++) {
          const face = new Float32Array(t.data.slice(f * faceWords, (f + 1) * faceWords));
          gl.texImage2D(gl.TEXTURE_CUBE_MAP_POSITIVE_X + f, 0, gl.RGBA32F, t.width, t.height, 0, gl.RGBA, gl.FLOAT, face);
        }
      } else if (t.format === "rgba32f") gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, t.width, t.height, 0, gl.RGBA, gl.FLOAT, new Float32Array(t.data));
      else if (t.format === "rgba32ui") gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32UI, t.width, t.height, 0, gl.RGBA_INTEGER, gl.UNSIGNED_INT, new Uint32Array(t.data));
      else gl.texImage2D(gl.TEXTURE_2D, 0, gl.DEPTH_COMPONENT32F, t.width, t.height, 0, gl.DEPTH_COMPONENT, gl.FLOAT, new Float32Array(t.data));
      gl.texParameteri(bind, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(bind, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      gl.texParameteri(bind, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(bind, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      if (t.compare) {
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_COMPARE_MODE, gl.COMPARE_REF_TO_TEXTURE);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_COMPARE_FUNC, gl.LEQUAL);
      }
    }

    // Geometry.
    const vao = gl.createVertexArray()!;
    cleanup.push(() => gl.deleteVertexArray(vao));
    gl.bindVertexArray(vao);
    const pos: number[] = [];
    let count: number;
    if (c.mode === "points") {
      count = W * H;
      const attrs = new Uint32Array(count * 12);
      for (let p = 0; p < count; p++) {
        const x = p % W, y = Math.floor(p / W);
        pos.push(((x + 0.5) / W) * 2 - 1, ((y + 0.5) / H) * 2 - 1, 0, 1);
        const inp = c.inputs?.[p] ?? [];
        for (let g = 0; g < 3; g++) for (let k = 0; k < 4; k++) attrs[p * 12 + g * 4 + k] = (inp[g]?.[k] ?? 0) >>> 0;
      }
      const ab = gl.createBuffer()!;
      cleanup.push(() => gl.deleteBuffer(ab));
      gl.bindBuffer(gl.ARRAY_BUFFER, ab);
      gl.bufferData(gl.ARRAY_BUFFER, attrs, gl.STATIC_DRAW);
      for (let g = 0; g < 3; g++) {
        gl.enableVertexAttribArray(1 + g);
        gl.vertexAttribIPointer(1 + g, 4, gl.UNSIGNED_INT, 48, g * 16);
      }
    } else {
      count = 6;
      const ccw: [number, number][] = [[-1, -1], [1, -1], [-1, 1], [-1, 1], [1, -1], [1, 1]];
      const corners: [number, number][] = c.backFacing ? [[-1, -1], [-1, 1], [1, -1], [-1, 1], [1, 1], [1, -1]] : ccw;
      const ramp: number[] = [];
      for (const [nx, ny] of corners) {
        pos.push(nx, ny, 0, 1);
        const wx = ((nx + 1) / 2) * W, wy = ((ny + 1) / 2) * H;
        ramp.push(2 * wx, 3 * wy, wx + wy, 1);
      }
      const rb = gl.createBuffer()!;
      cleanup.push(() => gl.deleteBuffer(rb));
      gl.bindBuffer(gl.ARRAY_BUFFER, rb);
      gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(ramp), gl.STATIC_DRAW);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 4, gl.FLOAT, false, 0, 0);
    }
    const pb = gl.createBuffer()!;
    cleanup.push(() => gl.deleteBuffer(pb));
    gl.bindBuffer(gl.ARRAY_BUFFER, pb);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(pos), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 4, gl.FLOAT, false, 0, 0);
    if (c.vsAttribs) {
      const nin = Math.max(1, ...c.vsAttribs.map((v) => v.length));
      const words = new Uint32Array(count * nin * 4);
      c.vsAttribs.forEach((v, p) => v.forEach((a, i) => a.forEach((w, k) => (words[(p * nin + i) * 4 + k] = w >>> 0))));
      const vb = gl.createBuffer()!;
      cleanup.push(() => gl.deleteBuffer(vb));
      gl.bindBuffer(gl.ARRAY_BUFFER, vb);
      gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(words.buffer), gl.STATIC_DRAW);
      for (let i = 0; i < nin; i++) {
        gl.enableVertexAttribArray(i);
        gl.vertexAttribPointer(i, 4, gl.FLOAT, false, nin * 16, i * 16);
      }
    }
    if (c.vsConsts && vs.info.constantBuffer0Size > 0) {
      const words = new Uint32Array(vs.info.constantBuffer0Size * 4);
      words.set(c.vsConsts.slice(0, words.length));
      setU("webvirgl_vs_const0[0]", (l) => gl.uniform4uiv(l, words));
    }
    let tfBuf: WebGLBuffer | null = null;
    let tfSize = 0;
    if (soNames.length > 0) {
      const comps = c.captureVsOutputs
        ? soNames.length * 4
        : (vs.info.streamOutputVaryings.length > 0 ? c.vsKey?.streamOutput ?? [] : []).reduce((s, e) => s + Math.max(1, Math.min(4 - (e.startComponent & 3), e.numComponents)), 0);
      if (c.captureVsOutputs) {
        gl.enable(gl.RASTERIZER_DISCARD);
        cleanup.push(() => gl.disable(gl.RASTERIZER_DISCARD));
      }
      tfSize = comps * count * 4;
      tfBuf = gl.createBuffer()!;
      cleanup.push(() => gl.deleteBuffer(tfBuf));
      gl.bindBuffer(gl.TRANSFORM_FEEDBACK_BUFFER, tfBuf);
      gl.bufferData(gl.TRANSFORM_FEEDBACK_BUFFER, tfSize, gl.STREAM_READ);
      gl.bindBufferBase(gl.TRANSFORM_FEEDBACK_BUFFER, 0, tfBuf);
      gl.beginTransformFeedback(c.mode === "points" ? gl.POINTS : gl.TRIANGLES);
    }
    if (c.constSets && c.constSets.length > 0) {
      const loc = gl.getUniformLocation(prog, "webvirgl_fs_const0[0]");
      gl.disableVertexAttribArray(0);
      gl.vertexAttrib4f(0, 0, 0, 0, 1);
      c.constSets.forEach((set, k) => {
        if (loc) {
          const words = new Uint32Array(fs.info.constantBuffer0Size * 4);
          words.set(set.slice(0, words.length));
          gl.uniform4uiv(loc, words);
        }
        gl.viewport(k, 0, 1, 1);
        gl.drawArrays(gl.POINTS, k, 1);
      });
      gl.viewport(0, 0, W, H);
    } else gl.drawArrays(c.mode === "points" ? gl.POINTS : gl.TRIANGLES, 0, count);
    let tfWords: number[] | undefined;
    if (tfBuf) {
      gl.endTransformFeedback();
      gl.bindBufferBase(gl.TRANSFORM_FEEDBACK_BUFFER, 0, null);
      const data = new Uint32Array(tfSize / 4);
      gl.bindBuffer(gl.TRANSFORM_FEEDBACK_BUFFER, tfBuf);
      gl.getBufferSubData(gl.TRANSFORM_FEEDBACK_BUFFER, 0, data);
      gl.bindBuffer(gl.TRANSFORM_FEEDBACK_BUFFER, null);
      tfWords = Array.from(data);
    }

    const out = new Uint32Array(W * H * 4);
    if (c.target === "f32") gl.readPixels(0, 0, W, H, gl.RGBA, gl.FLOAT, new Float32Array(out.buffer));
    else if (c.target === "u32") gl.readPixels(0, 0, W, H, gl.RGBA_INTEGER, gl.UNSIGNED_INT, out);
    else gl.readPixels(0, 0, W, H, gl.RGBA_INTEGER, gl.INT, new Int32Array(out.buffer));
    const err = gl.getError();
    if (err !== gl.NO_ERROR) throw new Error(`GL error 0x${err.toString(16)}`);
    gl.bindVertexArray(null);
    return { ok: true, words: Array.from(out), tfWords, tfOutputs };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e), words: [] };
  } finally {
    for (const f of cleanup.reverse()) f();
  }
}

const TRIVIAL_VS = "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n";
const TRIVIAL_FS = "FRAG\nDCL OUT[0], COLOR\nIMM[0] FLT32 {0x3f800000, 0x00000000, 0x00000000, 0x3f800000}\n  0: MOV OUT[0], IMM[0]\n  1: END\n";

export interface LinkReport {
  name: string;
  error: string;
}

/**
 * Translate each shader, pair it with a minimal partner stage (a VS that provides every varying the FS
 * reads, or a constant-colour FS) and compile + link in WebGL2. Returns the failures.
 */
function linkAll(shaders: { name: string; text: string }[]): LinkReport[] {
  const failures: LinkReport[] = [];
  const pending: { name: string; prog: WebGLProgram; shaders: WebGLShader[] }[] = [];
  const flush = (): void => {
    for (const p of pending) {
      if (!gl.getProgramParameter(p.prog, gl.LINK_STATUS)) {
        const logs = p.shaders.map((s) => gl.getShaderInfoLog(s) ?? "").join(" ");
        failures.push({ name: p.name, error: `${gl.getProgramInfoLog(p.prog) ?? ""} ${logs}`.trim() });
      }
      for (const s of p.shaders) gl.deleteShader(s);
      gl.deleteProgram(p.prog);
    }
    pending.length = 0;
  };
  for (const s of shaders) {
    try {
      const isVs = s.text.trimStart().startsWith("VERT");
      let vsText: string, fsText: string, vsKey: ShaderKey = {};
      if (isVs) {
        vsText = s.text;
        fsText = TRIVIAL_FS;
      } else {
        const f = translate(s.text, {});
        vsText = TRIVIAL_VS;
        fsText = s.text;
        vsKey = { fsInputs: f.info.inputs };
      }
      const vs = translate(vsText, vsKey);
      const fs = translate(fsText, {});
      const prog = gl.createProgram()!;
      const shs = [gl.createShader(gl.VERTEX_SHADER)!, gl.createShader(gl.FRAGMENT_SHADER)!];
      gl.shaderSource(shs[0]!, vs.glsl);
      gl.shaderSource(shs[1]!, fs.glsl);
      for (const sh of shs) {
        gl.compileShader(sh);
        gl.attachShader(prog, sh);
      }
      gl.linkProgram(prog);
      pending.push({ name: s.name, prog, shaders: shs });
      if (pending.length >= 32) flush();
    } catch (e) {
      failures.push({ name: s.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  flush();
  return failures;
}

declare global {
  interface Window {
    shaderExec: {
      ready: boolean;
      renderer: string;
      run: (c: ExecCase) => ExecResult;
      linkAll: (shaders: { name: string; text: string }[]) => LinkReport[];
    };
  }
}

const dbg = gl?.getExtension("WEBGL_debug_renderer_info");
window.shaderExec = {
  ready: !!gl,
  renderer: gl ? String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : "no webgl2",
  run,
  linkAll,
};
