// Program linking for draws: the bound VS/FS TGSI texts are translated with per-draw keys (colour
// buffer kinds, sampler swizzles, attribute kinds, rasterizer/DSA bits), compiled, linked and
// cached per context by (shader objects, key). Cache entries hold the shader objects they were
// built from, so a handle re-created with new text never hits a stale program.

import type { GlObjects } from "./gl-objects.ts";
import type { ShaderKey, ShaderTranslator, TranslatedShader } from "./shader-port.ts";

const VERTEX_SHADER = 0x8b31;
const FRAGMENT_SHADER = 0x8b30;
const COMPILE_STATUS = 0x8b81;
const LINK_STATUS = 0x8b82;

export interface LinkedProgram {
  program: WebGLProgram;
  vs: TranslatedShader;
  fs: TranslatedShader;
  uniforms: Map<string, WebGLUniformLocation>;
  /** Identity of the shader objects it came from. */
  vsSource: object;
  fsSource: object;
}

export class ProgramCache {
  private readonly cache = new Map<string, LinkedProgram>();
  constructor(
    private readonly gl: WebGL2RenderingContext,
    private readonly objs: GlObjects,
    private readonly translator: ShaderTranslator,
  ) {}

  get size(): number {
    return this.cache.size;
  }

  get(
    vsHandle: number,
    vsObj: { text: string },
    fsHandle: number,
    fsObj: { text: string },
    vsKey: Omit<ShaderKey, "fsInputs">,
    fsKey: ShaderKey,
    tfBufferMode = 0,
  ): LinkedProgram | string {
    const id = `${vsHandle}/${fsHandle}/${JSON.stringify(vsKey)}/${JSON.stringify(fsKey)}/${tfBufferMode}`;
    const hit = this.cache.get(id);
    if (hit && hit.vsSource === vsObj && hit.fsSource === fsObj) return hit;
    if (hit) this.drop(id, hit);
    const fs = this.translator.translate(fsObj.text, fsKey);
    if (!fs.ok) return `fragment shader ${fsHandle}: ${fs.message}`;
    const vs = this.translator.translate(vsObj.text, { ...vsKey, fsInputs: fs.shader.inputs });
    if (!vs.ok) return `vertex shader ${vsHandle}: ${vs.message}`;
    const linked = this.link(vs.shader, fs.shader, tfBufferMode);
    if (typeof linked === "string") return linked;
    const entry: LinkedProgram = { ...linked, vs: vs.shader, fs: fs.shader, vsSource: vsObj, fsSource: fsObj };
    this.cache.set(id, entry);
    return entry;
  }

  private link(vs: TranslatedShader, fs: TranslatedShader, tfBufferMode: number): Pick<LinkedProgram, "program" | "uniforms"> | string {
    const { gl, objs } = this;
    const compile = (type: number, src: string): WebGLShader | string => {
      const s = objs.shader(type);
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, COMPILE_STATUS)) {
        const log = gl.getShaderInfoLog(s) ?? "";
        objs.deleteShader(s);
        return `${type === VERTEX_SHADER ? "vertex" : "fragment"} GLSL compile failed: ${log.trim()}`;
      }
      return s;
    };
    const v = compile(VERTEX_SHADER, vs.glsl);
    if (typeof v === "string") return v;
    const f = compile(FRAGMENT_SHADER, fs.glsl);
    if (typeof f === "string") {
      objs.deleteShader(v);
      return f;
    }
    const program = objs.program();
    gl.attachShader(program, v);
    gl.attachShader(program, f);
    if (tfBufferMode !== 0 && vs.streamOutputVaryings.length > 0) gl.transformFeedbackVaryings(program, vs.streamOutputVaryings, tfBufferMode);
    gl.linkProgram(program);
    gl.detachShader(program, v);
    gl.detachShader(program, f);
    objs.deleteShader(v);
    objs.deleteShader(f);
    if (!gl.getProgramParameter(program, LINK_STATUS)) {
      const log = gl.getProgramInfoLog(program) ?? "";
      objs.deleteProgram(program);
      return `program link failed: ${log.trim()}`;
    }
    const uniforms = new Map<string, WebGLUniformLocation>();
    const n = gl.getProgramParameter(program, 0x8b86 /* ACTIVE_UNIFORMS */) as number;
    for (let i = 0; i < n; i++) {
      const info = gl.getActiveUniform(program, i);
      if (!info) continue;
      const name = info.name.replace(/\[0\]$/, "");
      const loc = gl.getUniformLocation(program, info.name);
      if (loc) uniforms.set(name, loc);
    }
    // UBO bindings: VS blocks at binding bufferIndex-1, FS blocks at 12 + bufferIndex-1.
    for (const [shader, base] of [
      [vs, 0],
      [fs, 12],
    ] as const) {
      for (const b of shader.uniformBlocks) {
        const idx = gl.getUniformBlockIndex(program, b.name);
        if (idx !== 0xffffffff) gl.uniformBlockBinding(program, idx, base + b.bufferIndex - 1);
      }
    }
    return { program, uniforms };
  }

  private drop(id: string, p: LinkedProgram): void {
    this.objs.deleteProgram(p.program);
    this.cache.delete(id);
  }

  /** Drops every program built from a shader object that was destroyed or replaced. */
  dropShader(obj: object): void {
    for (const [id, p] of [...this.cache]) if (p.vsSource === obj || p.fsSource === obj) this.drop(id, p);
  }

  clear(): void {
    for (const [id, p] of [...this.cache]) this.drop(id, p);
  }
}

export const UBO_BINDING_BASE = { vertex: 0, fragment: 12 } as const;
