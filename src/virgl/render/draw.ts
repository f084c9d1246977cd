// DRAW_VBO on WebGL2: framebuffer → program (translated per key) → vertex input (one VAO per
// context; an attribute is respecified only when its buffer/format/stride/offset/divisor changed) → indices (CPU-prepared, see index-data.ts) → uniforms,
// textures and samplers → pipeline state → drawArrays/drawElements(Instanced).
//
// start_instance is emulated by advancing instanced attributes (offset += ⌊start/divisor⌋·stride);
// gl_InstanceID never includes it (GL semantics). Vertex strides above 255 bytes are rejected
// (WebGL's limit, advertised in caps). Double-precision and BGRA-ordered attributes are converted
// on the CPU from the buffer's shadow into a per-attribute scratch buffer.

import { formatInfo } from "../conv/formats.ts";
import { convertBgra, convertDoubles, doubleVertexComponents, vertexFormat } from "../conv/vertex-formats.ts";
import { fixedRestartIndex } from "../conv/state.ts";
import type { CommandOf } from "../decode/types.ts";
import { Obj, Prim, Stage } from "../protocol.ts";
import type { ExecEnv, ExecResult } from "./exec-env.ts";
import { resolveFramebuffer } from "./execute.ts";
import type { GlObjects } from "./gl-objects.ts";
import { prepareIndices } from "./index-data.ts";
import { resolveMsaa } from "./msaa.ts";
import { srgbOutputKey } from "./srgb-write.ts";
import { bindTextureBuffer } from "./texture-buffers.ts";
import { applyPipelineState, RS } from "./pipeline-state.ts";
import { ProgramCache, UBO_BINDING_BASE } from "./programs.ts";
import type { ShaderKey, ShaderTranslator } from "./shader-port.ts";
import { samplerFor, type SamplerVariants } from "./samplers.ts";
import { applyViewLevels, borderColorBits, forcedNearest, integerView, samplerEmulationKey } from "./sampler-emulation.ts";
import { beginCapture, endCapture, gatherVertices } from "./streamout-capture.ts";
import { edgeFlagInput, edgeFlagOf, emulatedPolygonMode, PolygonMode, polygonModeList } from "./polygon-mode.ts";
import { firstVertexList, needsFirstVertexRotation } from "./provoking-vertex.ts";
import { captureList, type CaptureList, flatshadeFirst, primitivesGenerated, vertexSequence } from "./prim-decompose.ts";
import type { ObjectEntry, SubContext } from "./sub-context.ts";
import { type SoLayout, soLayout, tfPrimitive } from "./streamout.ts";

const ARRAY_BUFFER = 0x8892;
const ELEMENT_ARRAY_BUFFER = 0x8893;
const UNIFORM_BUFFER = 0x8a11;
const STREAM_DRAW = 0x88e0;
const RASTERIZER_DISCARD = 0x8c89;
const TEXTURE0 = 0x84c0;
const VS_UNIT_BASE = 16;
const MAX_ATTRIBS = 16;
/** WebGL's rule: a vertex attribute's offset and stride must be multiples of its GL type's size. */
export function misalignedAttrib(glType: number, offset: number, stride: number): boolean {
  // BYTE/UNSIGNED_BYTE 1; SHORT/UNSIGNED_SHORT/HALF_FLOAT 2; 32-bit and packed 2_10_10_10 types 4
  const a = glType === 0x1400 || glType === 0x1401 ? 1 : glType === 0x1402 || glType === 0x1403 || glType === 0x140b ? 2 : 4;
  return offset % a !== 0 || stride % a !== 0;
}

/** Divisor of stride-0 vertex buffers (constant attributes): larger than any instance count. */
const CONSTANT_ATTRIB_DIVISOR = 0x40000000;
const GL_INDEX_TYPE: Record<number, number> = { 1: 0x1401, 2: 0x1403, 4: 0x1405 };


/** What one attribute of the context's VAO was last set to (GL keeps it in the VAO). */
interface AttribSpec {
  buffer: WebGLBuffer;
  size: number;
  type: number;
  normalized: boolean;
  integer: boolean;
  stride: number;
  offset: number;
  divisor: number;
}

const sameSpec = (a: AttribSpec | null, b: AttribSpec): boolean =>
  a !== null && a.buffer === b.buffer && a.size === b.size && a.type === b.type && a.normalized === b.normalized &&
  a.integer === b.integer && a.stride === b.stride && a.offset === b.offset && a.divisor === b.divisor;

interface ContextDrawObjects {
  vao: WebGLVertexArrayObject;
  /**
   * Shadow of the VAO's attribute state (null = disabled): a draw with the same vertex elements
   * and buffers as the last one issues no vertex-attribute calls at all.
   */
  attribs: (AttribSpec | null)[];
  tf: WebGLTransformFeedback | null;
  /** Per attribute: buffer for CPU-converted data (double-precision attributes). */
  scratch: (WebGLBuffer | undefined)[];
  elements: WebGLBuffer;
  programs: ProgramCache;
  /** Per SAMPLER_STATE object (freed with it or with the context). */
  samplers: SamplerVariants;
  /** Undo the sampler views' level ranges set for the last draw (sampler-emulation.ts). */
  levelRestores: (() => void)[];
}

export interface DrawPath {
  draw(env: ExecEnv, sub: SubContext, cmd: CommandOf<"DRAW_VBO">): ExecResult;
  /** Frees a context's draw objects (context destroy / renderer reset). */
  release(ctxId: number, objs: GlObjects): void;
  /** A sub-context object went away: drop programs built from a shader, samplers of a state. */
  objectDestroyed(ctxId: number, objs: GlObjects, entry: ObjectEntry): void;
}

export function createDrawPath(translator: ShaderTranslator): DrawPath {
  const perCtx = new Map<number, ContextDrawObjects>();

  const objectsFor = (env: ExecEnv): ContextDrawObjects => {
    let o = perCtx.get(env.ctx.id);
    if (!o) {
      o = { vao: env.objs.vertexArray(), attribs: new Array<AttribSpec | null>(MAX_ATTRIBS).fill(null), tf: null, scratch: [], elements: env.objs.buffer(), programs: new ProgramCache(env.gl, env.objs, translator), samplers: new Map(), levelRestores: [] };
      perCtx.set(env.ctx.id, o);
    }
    return o;
  };

  /** One draw; `draw` below restores the textures' level ranges on every exit. */
  function drawBody(env: ExecEnv, sub: SubContext, cmd: CommandOf<"DRAW_VBO">, o: ContextDrawObjects): ExecResult {
    const { gl, state } = env;

    // framebuffer
    const att = resolveFramebuffer(env, sub);
    if (typeof att === "string") return att;
    const fbErr = env.framebuffer.bind(att);
    if (fbErr) return fbErr;

    // program
    const vsH = sub.shaders[Stage.VERTEX];
    const fsH = sub.shaders[Stage.FRAGMENT];
    const vsObj = sub.get(vsH, Obj.SHADER);
    const fsObj = sub.get(fsH, Obj.SHADER);
    if (!vsObj || !fsObj) return `draw without ${vsObj ? "fragment" : "vertex"} shader`;
    const rs = sub.get(sub.rasterizer, Obj.RASTERIZER);
    const dsa = sub.get(sub.dsa, Obj.DSA);
    const ve = sub.get(sub.vertexElements, Obj.VERTEX_ELEMENTS) ?? [];
    const samplerKey = (stage: number): ShaderKey["samplers"] =>
      sub.samplerViews[stage].map((h, i) => {
        const v = sub.get(h, Obj.SAMPLER_VIEW);
        if (!v) return undefined;
        const f = formatInfo(v.format);
        const fs = f?.swizzle ?? [0, 1, 2, 3];
        // view swizzle applied on top of the format's storage swizzle
        const sw = v.swizzle.map((s) => (s < 4 ? fs[s] : s)) as [0 | 1 | 2 | 3 | 4 | 5, 0 | 1 | 2 | 3 | 4 | 5, 0 | 1 | 2 | 3 | 4 | 5, 0 | 1 | 2 | 3 | 4 | 5];
        const ss = sub.get(sub.samplerStates[stage][i] ?? 0, Obj.SAMPLER_STATE);
        const emu = samplerEmulationKey(ss, forcedNearest(f, ss));
        const identity = sw.every((s, c) => s === c);
        if (identity && !emu.border && !emu.lodBias) return undefined;
        return { ...(identity ? {} : { swizzle: sw }), ...emu };
      });
    const s0 = rs?.s0 ?? 0;
    const fsKey: ShaderKey = {
      nrCbufs: Math.max(1, att.color.length),
      colorOutputSrgb: srgbOutputKey(att.color),
      // 16-bit normalized buffers stored as float (formats.ts) clamp like normalized ones
      ...(att.color.some((a) => a?.res.fmt?.cpu.kind === "norm16-f32") ? { colorOutputClamp: att.color.map((a) => a?.res.fmt?.cpu.kind === "norm16-f32") } : {}),
      colorOutputTypes: att.color.map((a) => {
        const ch = a?.res.fmt?.channel;
        return ch === "uint" ? "uint" : ch === "sint" ? "int" : "float";
      }),
      samplers: samplerKey(Stage.FRAGMENT),
      alphaFunc: dsa?.alphaEnabled ? dsa.alphaFunc : undefined,
      flatshade: (s0 & RS.flatshade) !== 0,
      twoSide: (s0 & RS.lightTwoside) !== 0,
      clampFragmentColor: (s0 & RS.clampFragmentColor) !== 0,
      spriteCoordEnable: rs?.spriteCoordEnable ?? 0,
      spriteCoordLowerLeft: (s0 & RS.spriteCoordMode) !== 0,
      clipPlaneEnable: rs?.clipPlaneEnable ?? 0,
    };
    const vsKey: Omit<ShaderKey, "fsInputs"> = {
      samplers: samplerKey(Stage.VERTEX),
      attributeTypes: ve.map((e) => {
        const v = vertexFormat(e.srcFormat);
        const f = formatInfo(e.srcFormat);
        return v?.integer ? (f?.channel === "sint" ? "int" : "uint") : "float";
      }),
      clipPlaneEnable: rs?.clipPlaneEnable ?? 0,
      clampVertexColor: (s0 & RS.clampVertexColor) !== 0,
    };
    // stream output: capture when the VS has SO info and targets are bound
    let layout: SoLayout | undefined;
    const soBound = sub.streamoutTargets.some((h) => h !== 0);
    if (vsObj.streamOutput && vsObj.streamOutput.outputs.length > 0) {
      const l = soLayout(vsObj.streamOutput);
      if (typeof l === "string") {
        if (soBound) return `stream output: ${l}`;
      } else {
        layout = l;
        vsKey.streamOutput = vsObj.streamOutput.outputs.map((x) => ({
          registerIndex: x.registerIndex,
          startComponent: x.startComponent,
          numComponents: x.numComponents,
          outputBuffer: x.outputBuffer,
          dstOffset: x.dstOffset,
        }));
      }
    }
    const prog = o.programs.get(vsH, vsObj, fsH, fsObj, vsKey, fsKey, layout?.bufferMode ?? 0);
    if (typeof prog === "string") return prog;
    state.program(prog.program);

    // pipeline state + uniforms the translator asked for
    const applied = applyPipelineState(state, sub, att.color, env.indexedBlend ?? null);
    if (typeof applied === "string") return applied;
    const u = prog.uniforms;
    const set1f = (name: string, v: number): void => {
      const l = u.get(name);
      if (l) gl.uniform1f(l, v);
    };
    set1f("webvirgl_yflip", applied.yflip ? 1 : 0);
    set1f("webvirgl_point_size", applied.pointSize);
    set1f("webvirgl_alpha_ref", applied.alphaRef);
    const clipLoc = u.get("webvirgl_clip_planes");
    if (clipLoc) gl.uniform4fv(clipLoc, sub.clipPlanes);
    for (const [stage, prefix, shader] of [
      [Stage.VERTEX, "webvirgl_vs_", prog.vs],
      [Stage.FRAGMENT, "webvirgl_fs_", prog.fs],
    ] as const) {
      const loc = u.get(`${prefix}const0`);
      if (loc && shader.constantBuffer0Size > 0) {
        const data = new Uint32Array(shader.constantBuffer0Size * 4);
        const c = sub.constants[stage];
        data.set(c.subarray(0, Math.min(c.length, data.length)));
        gl.uniform4uiv(loc, data);
      }
      // UBOs
      for (const b of shader.uniformBlocks) {
        const ub = sub.uniformBuffers[stage][b.bufferIndex];
        const binding = (stage === Stage.VERTEX ? UBO_BINDING_BASE.vertex : UBO_BINDING_BASE.fragment) + b.bufferIndex - 1;
        if (!ub || ub.res === 0) continue;
        const r = env.ctx.resource(env.resources, ub.res);
        if (typeof r === "string") return `uniform buffer ${b.bufferIndex}: ${r}`;
        if (!r.buffer) return `uniform buffer ${b.bufferIndex} is not a GL buffer`;
        gl.bindBufferRange(UNIFORM_BUFFER, binding, r.buffer, ub.offset, Math.min(ub.length, r.desc.width - ub.offset));
      }
      // textures + samplers
      for (const s of shader.samplers) {
        const unit = (stage === Stage.VERTEX ? VS_UNIT_BASE : 0) + s.index;
        const loc2 = u.get(s.name);
        if (loc2) gl.uniform1i(loc2, unit);
        const view = sub.get(sub.samplerViews[stage][s.index] ?? 0, Obj.SAMPLER_VIEW);
        const r = view ? env.ctx.resource(env.resources, view.res) : "no sampler view";
        gl.activeTexture(TEXTURE0 + unit);
        if (view && typeof r !== "string" && r.kind === "buffer") {
          // texture buffer: a 2D mirror refreshed from the shadow (texture-buffers.ts); no sampler state
          const err = bindTextureBuffer(env, r, view.format, view.val0, view.val1);
          if (err) return `sampler view ${sub.samplerViews[stage][s.index]}: ${err}`;
          gl.bindSampler(unit, null);
          continue;
        }
        if (typeof r === "string" || !r.texture) {
          gl.bindTexture(0x0de1, null);
          continue;
        }
        if (r.msaa?.dirty) resolveMsaa({ gl, state: env.state, objs: env.objs, readFb: env.transfer.readFb }, r); // sample the resolved copy
        gl.bindTexture(r.glTarget, r.texture);
        const ssObj = sub.get(sub.samplerStates[stage][s.index] ?? 0, Obj.SAMPLER_STATE);
        gl.bindSampler(unit, ssObj ? samplerFor(env, o.samplers, ssObj, forcedNearest(r.fmt, ssObj)) : null);
        // sampler state WebGL2 lacks (sampler-emulation.ts): border colour, LOD bias, view levels
        const borderLoc = u.get(`${prefix}border${s.index}`);
        if (borderLoc && ssObj && view) {
          const vf = formatInfo(view.format);
          gl.uniform4uiv(borderLoc, borderColorBits(ssObj.borderColor, vf?.swizzle ?? [0, 1, 2, 3], view.swizzle, integerView(vf)));
        }
        const biasLoc = u.get(`${prefix}lod_bias${s.index}`);
        if (biasLoc && ssObj) gl.uniform1f(biasLoc, ssObj.lodBias);
        const undo = view ? applyViewLevels(gl, r.glTarget, r.texture, r.desc.lastLevel, view.val1) : null;
        if (undo) o.levelRestores.push(undo);
      }
    }
    gl.activeTexture(TEXTURE0);

    // indices (prepared first: double attributes need the vertex range)
    const instances = Math.max(1, cmd.instanceCount);
    let idx: Exclude<ReturnType<typeof prepareIndices>, string> | null = null;
    if (cmd.indexed) {
      const ib = sub.indexBuffer;
      const r = env.ctx.resource(env.resources, ib.res);
      if (typeof r === "string") return `index buffer: ${r}`;
      if (!r.shadow) return "index buffer is not a buffer";
      // Mesa folds `start` into the index buffer offset (virgl_draw_vbo: ib.offset = start *
      // index_size, or the upload position of user indices) and vrend reads at ib.offset only,
      // so DRAW_VBO.start is not applied again for indexed draws.
      const p = prepareIndices(r.shadow, ib.indexSize, ib.offset, 0, cmd.count, cmd.indexBias, cmd.primitiveRestart, cmd.restartIndex);
      if (typeof p === "string") return p;
      idx = p;
    }
    // Computed at most once per draw: every CPU-converted attribute needs it.
    let vertexEndValue: number | undefined;
    const vertexEnd = (): number => {
      if (vertexEndValue !== undefined) return vertexEndValue;
      if (!idx) return (vertexEndValue = cmd.start + cmd.count);
      const v = new DataView(idx.data.buffer, idx.data.byteOffset, idx.data.byteLength);
      const restart = fixedRestartIndex(idx.size);
      let max = 0;
      for (let k = 0; k < idx.count; k++) {
        const x = idx.size === 1 ? v.getUint8(k) : idx.size === 2 ? v.getUint16(k * 2, true) : v.getUint32(k * 4, true);
        if (x !== restart && x > max) max = x;
      }
      return (vertexEndValue = max + 1);
    };

    // Stream output of indexed draws, strips, fans and loops (WebGL cannot capture them): a
    // decomposed non-indexed vertex list whose attributes are gathered on the CPU below.
    const restart = idx && cmd.primitiveRestart ? fixedRestartIndex(idx.size) : undefined;
    let expand: CaptureList | null = null;
    if (layout && soBound && (idx || tfPrimitive(cmd.mode) === undefined)) {
      const l = captureList(cmd.mode, vertexSequence(cmd.start, cmd.count, idx ?? undefined), restart, flatshadeFirst(s0));
      if (typeof l === "string") return l;
      expand = l;
    }
    const gathered = (src: Uint8Array, offset: number, stride: number, bytes: number, divisor: number): Uint8Array =>
      expand && divisor === 0 ? gatherVertices(src, offset, stride, bytes, expand.vertices) : src;

    // vertex input
    state.vertexArray(o.vao);
    const setAttrib = (i: number, spec: AttribSpec): void => {
      const prev = o.attribs[i];
      if (sameSpec(prev, spec)) return;
      if (prev === null) gl.enableVertexAttribArray(i);
      gl.bindBuffer(ARRAY_BUFFER, spec.buffer);
      if (spec.integer) gl.vertexAttribIPointer(i, spec.size, spec.type, spec.stride, spec.offset);
      else gl.vertexAttribPointer(i, spec.size, spec.type, spec.normalized, spec.stride, spec.offset);
      if (prev?.divisor !== spec.divisor) gl.vertexAttribDivisor(i, spec.divisor);
      o.attribs[i] = spec;
    };
    for (let i = 0; i < MAX_ATTRIBS; i++) {
      const e = ve[i];
      if (!e) {
        if (o.attribs[i] !== null) {
          gl.disableVertexAttribArray(i);
          // A disabled array keeps its pointer in GL, but re-enabling it re-specifies anyway.
          o.attribs[i] = null;
        }
        continue;
      }
      const comps64 = doubleVertexComponents(e.srcFormat);
      const vf = comps64 ? { size: comps64, type: 0x1406, normalized: false, integer: false, bytes: comps64 * 4, bgra: false } : vertexFormat(e.srcFormat);
      if (!vf) return `vertex element ${i}: format ${e.srcFormat} unsupported`;
      const vb = sub.vertexBuffers[e.vertexBufferIndex];
      if (!vb || vb.res === 0) return `vertex element ${i}: vertex buffer ${e.vertexBufferIndex} not bound`;
      const r = env.ctx.resource(env.resources, vb.res);
      if (typeof r === "string") return `vertex buffer ${e.vertexBufferIndex}: ${r}`;
      if (!r.buffer) return `vertex buffer ${e.vertexBufferIndex} is not a GL buffer`;
      if (vb.stride > 255) return `vertex buffer ${e.vertexBufferIndex}: stride ${vb.stride} > 255 (WebGL limit)`;
      let offset = vb.offset + e.srcOffset;
      const skip = e.instanceDivisor > 0 && cmd.startInstance > 0 ? Math.floor(cmd.startInstance / e.instanceDivisor) : 0;
      offset += skip * vb.stride;
      if (comps64 || vf.bgra) {
        // WebGL has neither GL_DOUBLE nor GL_BGRA attributes: convert the elements this draw can
        // reach on the CPU into a scratch buffer
        const n = e.instanceDivisor > 0 ? Math.floor((instances - 1) / e.instanceDivisor) + 1 : vertexEnd();
        const sb = (o.scratch[i] ??= env.objs.buffer());
        gl.bindBuffer(ARRAY_BUFFER, sb);
        if (comps64) {
          const f = convertDoubles(r.shadow!, offset, vb.stride, comps64, n);
          gl.bufferData(ARRAY_BUFFER, gathered(new Uint8Array(f.buffer), 0, comps64 * 4, comps64 * 4, e.instanceDivisor), STREAM_DRAW);
          setAttrib(i, { buffer: sb, size: comps64, type: 0x1406, normalized: false, integer: false, stride: comps64 * 4, offset: 0, divisor: e.instanceDivisor });
        } else {
          gl.bufferData(ARRAY_BUFFER, gathered(convertBgra(e.srcFormat, r.shadow!, offset, vb.stride, n), 0, 4, 4, e.instanceDivisor), STREAM_DRAW);
          setAttrib(i, { buffer: sb, size: 4, type: vf.type, normalized: vf.normalized, integer: false, stride: 4, offset: 0, divisor: e.instanceDivisor });
        }
      } else if (expand && e.instanceDivisor === 0) {
        if (!r.shadow) return `vertex buffer ${e.vertexBufferIndex} has no CPU copy to gather captured vertices from`;
        const sb = (o.scratch[i] ??= env.objs.buffer());
        gl.bindBuffer(ARRAY_BUFFER, sb);
        gl.bufferData(ARRAY_BUFFER, gathered(r.shadow, offset, vb.stride, vf.bytes, 0), STREAM_DRAW);
        setAttrib(i, { buffer: sb, size: vf.size, type: vf.type, normalized: vf.normalized, integer: vf.integer, stride: vf.bytes, offset: 0, divisor: 0 });
      } else if (misalignedAttrib(vf.type, offset, vb.stride)) {
        // WebGL requires offset and stride to be multiples of the component size (GL does not):
        // the elements this draw reaches are packed on the CPU into a scratch buffer
        if (!r.shadow) return `vertex buffer ${e.vertexBufferIndex} has no CPU copy to repack`;
        const n = vb.stride === 0 ? 1 : e.instanceDivisor > 0 ? Math.floor((instances - 1) / e.instanceDivisor) + 1 : vertexEnd();
        const sb = (o.scratch[i] ??= env.objs.buffer());
        gl.bindBuffer(ARRAY_BUFFER, sb);
        gl.bufferData(ARRAY_BUFFER, gatherVertices(r.shadow, offset, vb.stride, vf.bytes, vertexSequence(0, n)), STREAM_DRAW);
        const divisor = vb.stride === 0 ? CONSTANT_ATTRIB_DIVISOR : e.instanceDivisor;
        setAttrib(i, { buffer: sb, size: vf.size, type: vf.type, normalized: vf.normalized, integer: vf.integer, stride: vf.bytes, offset: 0, divisor });
      } else {
        // gallium stride 0 = one element for every vertex (GL's 0 means "tightly packed"): an
        // instanced attribute whose divisor no instance count reaches never advances
        const divisor = vb.stride === 0 ? CONSTANT_ATTRIB_DIVISOR : e.instanceDivisor;
        setAttrib(i, { buffer: r.buffer, size: vf.size, type: vf.type, normalized: vf.normalized, integer: vf.integer, stride: vb.stride, offset, divisor });
      }
    }
    gl.bindBuffer(ARRAY_BUFFER, null);

    let count = expand ? expand.vertices.length : cmd.count;
    const drawMode = expand ? expand.prim : cmd.mode;
    if (cmd.countFromSo !== 0) return "DRAW_VBO count_from_stream_output is not supported";
    const capture = layout && soBound ? beginCapture(env, o, sub, layout, drawMode, count, instances) : null;
    if (typeof capture === "string") return capture;
    if (capture) count = capture.count;
    // glPolygonMode POINT/LINE (WebGL only fills) and the first-vertex provoking convention
    // (WebGL: always last) are drawn as index lists of the original vertices (polygon-mode.ts,
    // provoking-vertex.ts). A capturing draw keeps its TRIANGLES (TF needs them) with
    // rasterizer discard; the list draw rasterizes after it.
    const rasterizes = (s0 & RS.rasterizerDiscard) === 0;
    const polygonMode = rasterizes ? emulatedPolygonMode(s0, cmd.mode) : undefined;
    const rotateFirst = rasterizes && polygonMode === undefined && needsFirstVertexRotation(s0, cmd.mode, fsObj);
    const drawList = (): void => {
      let edge = (_v: number): boolean => true;
      const edgeIn = polygonMode === undefined ? undefined : edgeFlagInput(vsObj);
      const e = edgeIn === undefined ? undefined : ve[edgeIn];
      const vb = e ? sub.vertexBuffers[e.vertexBufferIndex] : undefined;
      const r = e && vb ? env.ctx.resource(env.resources, vb.res) : undefined;
      if (e && vb && r && typeof r !== "string" && r.shadow && e.instanceDivisor === 0) {
        edge = edgeFlagOf(r.shadow, vb.offset + e.srcOffset, vb.stride, vertexFormat(e.srcFormat)?.bytes ?? 1);
      }
      // after a decomposed capture the VAO holds the gathered list: index that (already triangles)
      const ex = expand;
      const mode = ex ? Prim.TRIANGLES : cmd.mode;
      const seq = ex ? vertexSequence(0, ex.vertices.length) : vertexSequence(cmd.start, cmd.count, idx ?? undefined);
      const rs = ex ? undefined : restart;
      const flag = ex ? (v: number): boolean => cmd.mode !== Prim.TRIANGLES || edge(ex.vertices[v]) : edge;
      const list = polygonMode !== undefined ? polygonModeList(mode, polygonMode, seq, rs, flag) : firstVertexList(mode, seq, rs);
      gl.bindBuffer(ELEMENT_ARRAY_BUFFER, o.elements);
      gl.bufferData(ELEMENT_ARRAY_BUFFER, list, STREAM_DRAW);
      const glMode = polygonMode === PolygonMode.POINT ? Prim.POINTS : polygonMode === PolygonMode.LINE ? Prim.LINES : Prim.TRIANGLES;
      gl.drawElementsInstanced(glMode, list.length, GL_INDEX_TYPE[4], 0, instances);
    };
    const listDraw = polygonMode !== undefined || rotateFirst;
    if (listDraw && !capture) {
      drawList();
    } else if (idx && !expand) {
      gl.bindBuffer(ELEMENT_ARRAY_BUFFER, o.elements);
      gl.bufferData(ELEMENT_ARRAY_BUFFER, idx.data, STREAM_DRAW);
      gl.drawElementsInstanced(cmd.mode, Math.min(idx.count, count), GL_INDEX_TYPE[idx.size], 0, instances);
    } else {
      if (listDraw) state.setEnabled(RASTERIZER_DISCARD, true);
      gl.drawArraysInstanced(drawMode, expand ? 0 : cmd.start, count, instances);
    }
    if (capture) {
      endCapture(env, capture);
      if (listDraw) {
        state.setEnabled(RASTERIZER_DISCARD, false);
        drawList();
      } else if (capture.uncaptured > 0) gl.drawArrays(drawMode, (expand ? 0 : cmd.start) + count, capture.uncaptured);
    }
    env.queries.countPrimitives(env, sub, () =>
      primitivesGenerated(cmd.mode, idx && restart !== undefined ? vertexSequence(0, idx.count, idx) : cmd.count, restart, instances),
    );
    return null;
  }

  return {
    objectDestroyed(ctxId, objs, entry) {
      const o = perCtx.get(ctxId);
      if (!o) return;
      if (entry.type === Obj.SHADER) o.programs.dropShader(entry.value);
      else if (entry.type === Obj.SAMPLER_STATE) {
        const v = o.samplers.get(entry.value);
        if (v) for (const smp of [v.normal, v.nearest]) if (smp) objs.deleteSampler(smp);
        o.samplers.delete(entry.value);
      }
    },

    release(ctxId, objs) {
      const o = perCtx.get(ctxId);
      if (!o) return;
      o.programs.clear();
      for (const v of o.samplers.values()) for (const smp of [v.normal, v.nearest]) if (smp) objs.deleteSampler(smp);
      objs.deleteVertexArray(o.vao);
      if (o.tf) objs.deleteTransformFeedback(o.tf);
      for (const b of o.scratch) if (b) objs.deleteBuffer(b);
      objs.deleteBuffer(o.elements);
      perCtx.delete(ctxId);
    },

    draw(env, sub, cmd) {
      if (cmd.count === 0 || cmd.instanceCount === 0) return null;
      const o = objectsFor(env);
      try {
        return drawBody(env, sub, cmd, o);
      } finally {
        // every exit, a failed draw included, puts the level ranges back before other work sees the textures
        if (o.levelRestores.length > 0) {
          for (const undo of o.levelRestores) undo();
          o.levelRestores.length = 0;
        }
      }
    },
  };
}
