// A virgl command encoder modeled on what Mesa's virgl driver emits (virgl_encode.c), for tests,
// benchmarks and recorded-stream tools. `encodeCommand` is the exact inverse of the decoder for
// every record type; `CommandStream` adds Mesa's submit habits (reserved transfer area closed by
// END_TRANSFERS, SET_SUB_CTX first) and shader-text chunking.

import { CMD0_MAX_DWORDS, Cmd, Len, Obj, TRANSFER_AREA_DWORDS, header } from "../protocol.ts";
import type { BlendRt, Box, Command, StencilFace } from "../decode/types.ts";

const f32 = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32OfF64 = new Uint32Array(f64.buffer);

export function f32Bits(v: number): number {
  f32[0] = v;
  return u32OfF32[0];
}
function f64Bits(v: number): [number, number] {
  f64[0] = v;
  return [u32OfF64[0], u32OfF64[1]];
}
const b = (v: boolean, bit: number): number => (v ? 1 << bit : 0);

function emit(out: number[], cmd: number, obj: number, payload: number[]): void {
  out.push(header(cmd, obj, payload.length));
  for (const w of payload) out.push(w >>> 0);
}
function boxWords(x: Box): number[] {
  return [x.x, x.y, x.z, x.w, x.h, x.d];
}
function bytesToWords(bytes: Uint8Array): number[] {
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  return Array.from(new Uint32Array(padded.buffer));
}
function blendRt(r: BlendRt): number {
  return (
    b(r.blendEnable, 0) |
    (r.rgbFunc << 1) |
    (r.rgbSrcFactor << 4) |
    (r.rgbDstFactor << 9) |
    (r.alphaFunc << 14) |
    (r.alphaSrcFactor << 17) |
    (r.alphaDstFactor << 22) |
    (r.colormask << 27)
  );
}
function stencil(s: StencilFace): number {
  return b(s.enabled, 0) | (s.func << 1) | (s.failOp << 4) | (s.zpassOp << 7) | (s.zfailOp << 10) | (s.valuemask << 13) | (s.writemask << 21);
}
const scissorWords = (s: { minx: number; miny: number; maxx: number; maxy: number }): number[] => [
  s.minx | (s.miny << 16),
  s.maxx | (s.maxy << 16),
];

/** Appends the wire form of `cmd` to `out`. */
export function encodeCommand(cmd: Command, out: number[]): void {
  switch (cmd.kind) {
    case "NOP":
      return emit(out, Cmd.NOP, 0, []);
    case "CREATE_BLEND": {
      const s = cmd.state;
      const s0 = b(s.independentBlendEnable, 0) | b(s.logicopEnable, 1) | b(s.dither, 2) | b(s.alphaToCoverage, 3) | b(s.alphaToOne, 4);
      return emit(out, Cmd.CREATE_OBJECT, Obj.BLEND, [cmd.handle, s0, s.logicopFunc, ...s.rt.map(blendRt)]);
    }
    case "CREATE_RASTERIZER": {
      const s = cmd.state;
      const s3 = s.lineStipplePattern | (s.lineStippleFactor << 16) | (s.clipPlaneEnable << 24);
      return emit(out, Cmd.CREATE_OBJECT, Obj.RASTERIZER, [
        cmd.handle,
        s.s0,
        f32Bits(s.pointSize),
        s.spriteCoordEnable,
        s3,
        f32Bits(s.lineWidth),
        f32Bits(s.offsetUnits),
        f32Bits(s.offsetScale),
        f32Bits(s.offsetClamp),
      ]);
    }
    case "CREATE_DSA": {
      const s = cmd.state;
      const s0 = b(s.depthEnabled, 0) | b(s.depthWritemask, 1) | (s.depthFunc << 2) | b(s.alphaEnabled, 8) | (s.alphaFunc << 9);
      return emit(out, Cmd.CREATE_OBJECT, Obj.DSA, [cmd.handle, s0, stencil(s.stencil[0]), stencil(s.stencil[1]), f32Bits(s.alphaRef)]);
    }
    case "CREATE_SHADER": {
      const so = cmd.streamOutput;
      const words = [cmd.handle, cmd.stage, (cmd.offlen | (cmd.continuation ? 0x80000000 : 0)) >>> 0, cmd.numTokens, so ? so.outputs.length : 0];
      if (so && so.outputs.length > 0) {
        words.push(...so.strides);
        for (const o of so.outputs) {
          words.push(o.registerIndex | (o.startComponent << 8) | (o.numComponents << 10) | (o.outputBuffer << 13) | (o.dstOffset << 16), o.stream);
        }
      }
      words.push(...bytesToWords(cmd.text));
      return emit(out, Cmd.CREATE_OBJECT, Obj.SHADER, words);
    }
    case "CREATE_VERTEX_ELEMENTS":
      return emit(
        out,
        Cmd.CREATE_OBJECT,
        Obj.VERTEX_ELEMENTS,
        [cmd.handle, ...cmd.elements.flatMap((e) => [e.srcOffset, e.instanceDivisor, e.vertexBufferIndex, e.srcFormat])],
      );
    case "CREATE_SAMPLER_VIEW": {
      const [r, g, bl, a] = cmd.swizzle;
      return emit(out, Cmd.CREATE_OBJECT, Obj.SAMPLER_VIEW, [cmd.handle, cmd.res, cmd.format, cmd.val0, cmd.val1, r | (g << 3) | (bl << 6) | (a << 9)]);
    }
    case "CREATE_SAMPLER_STATE": {
      const s = cmd.state;
      const s0 =
        s.wrapS |
        (s.wrapT << 3) |
        (s.wrapR << 6) |
        (s.minImgFilter << 9) |
        (s.minMipFilter << 11) |
        (s.magImgFilter << 13) |
        (s.compareMode << 15) |
        (s.compareFunc << 16) |
        b(s.seamlessCubeMap, 19) |
        (s.maxAnisotropy << 20);
      return emit(out, Cmd.CREATE_OBJECT, Obj.SAMPLER_STATE, [
        cmd.handle,
        s0,
        f32Bits(s.lodBias),
        f32Bits(s.minLod),
        f32Bits(s.maxLod),
        ...s.borderColor,
      ]);
    }
    case "CREATE_SURFACE":
      return emit(out, Cmd.CREATE_OBJECT, Obj.SURFACE, [cmd.handle, cmd.res, cmd.format, cmd.val0, cmd.val1]);
    case "CREATE_QUERY":
      return emit(out, Cmd.CREATE_OBJECT, Obj.QUERY, [cmd.handle, cmd.queryType | (cmd.index << 16), cmd.offset, cmd.res]);
    case "CREATE_STREAMOUT_TARGET":
      return emit(out, Cmd.CREATE_OBJECT, Obj.STREAMOUT_TARGET, [cmd.handle, cmd.res, cmd.bufferOffset, cmd.bufferSize]);
    case "BIND_OBJECT":
      return emit(out, Cmd.BIND_OBJECT, cmd.objType, [cmd.handle]);
    case "DESTROY_OBJECT":
      return emit(out, Cmd.DESTROY_OBJECT, cmd.objType, [cmd.handle]);
    case "SET_VIEWPORT_STATE":
      return emit(out, Cmd.SET_VIEWPORT_STATE, 0, [cmd.startSlot, ...cmd.viewports.flatMap((v) => [...v.scale, ...v.translate].map(f32Bits))]);
    case "SET_FRAMEBUFFER_STATE":
      return emit(out, Cmd.SET_FRAMEBUFFER_STATE, 0, [cmd.cbufs.length, cmd.zsurf, ...cmd.cbufs]);
    case "SET_VERTEX_BUFFERS":
      return emit(out, Cmd.SET_VERTEX_BUFFERS, 0, cmd.buffers.flatMap((v) => [v.stride, v.offset, v.res]));
    case "CLEAR":
      return emit(out, Cmd.CLEAR, 0, [cmd.buffers, ...cmd.color, ...f64Bits(cmd.depth), cmd.stencil]);
    case "DRAW_VBO":
      return emit(out, Cmd.DRAW_VBO, 0, [
        cmd.start,
        cmd.count,
        cmd.mode,
        cmd.indexed ? 1 : 0,
        cmd.instanceCount,
        cmd.indexBias,
        cmd.startInstance,
        cmd.primitiveRestart ? 1 : 0,
        cmd.restartIndex,
        cmd.minIndex,
        cmd.maxIndex,
        cmd.countFromSo,
      ]);
    case "RESOURCE_INLINE_WRITE":
      return emit(out, Cmd.RESOURCE_INLINE_WRITE, 0, [
        cmd.res,
        cmd.level,
        cmd.usage,
        cmd.stride,
        cmd.layerStride,
        ...boxWords(cmd.box),
        ...bytesToWords(cmd.data),
      ]);
    case "SET_SAMPLER_VIEWS":
      return emit(out, Cmd.SET_SAMPLER_VIEWS, 0, [cmd.stage, cmd.startSlot, ...cmd.handles]);
    case "SET_INDEX_BUFFER":
      return emit(out, Cmd.SET_INDEX_BUFFER, 0, cmd.indexSize === 0 && cmd.offset === 0 ? [cmd.res] : [cmd.res, cmd.indexSize, cmd.offset]);
    case "SET_CONSTANT_BUFFER":
      return emit(out, Cmd.SET_CONSTANT_BUFFER, 0, [cmd.stage, cmd.index, ...cmd.data]);
    case "SET_STENCIL_REF":
      return emit(out, Cmd.SET_STENCIL_REF, 0, [cmd.front | (cmd.back << 8)]);
    case "SET_BLEND_COLOR":
      return emit(out, Cmd.SET_BLEND_COLOR, 0, cmd.color.map(f32Bits));
    case "SET_SCISSOR_STATE":
      return emit(out, Cmd.SET_SCISSOR_STATE, 0, [cmd.startSlot, ...cmd.scissors.flatMap(scissorWords)]);
    case "BLIT": {
      const s0 = cmd.mask | (cmd.filter << 8) | b(cmd.scissorEnable, 10) | b(cmd.renderConditionEnable, 11) | b(cmd.alphaBlend, 12);
      const side = (x: typeof cmd.dst): number[] => [x.res, x.level, x.format, ...boxWords(x.box)];
      return emit(out, Cmd.BLIT, 0, [s0, ...scissorWords(cmd.scissor), ...side(cmd.dst), ...side(cmd.src)]);
    }
    case "RESOURCE_COPY_REGION":
      return emit(out, Cmd.RESOURCE_COPY_REGION, 0, [
        cmd.dstRes,
        cmd.dstLevel,
        cmd.dstX,
        cmd.dstY,
        cmd.dstZ,
        cmd.srcRes,
        cmd.srcLevel,
        ...boxWords(cmd.srcBox),
      ]);
    case "BIND_SAMPLER_STATES":
      return emit(out, Cmd.BIND_SAMPLER_STATES, 0, [cmd.stage, cmd.startSlot, ...cmd.handles]);
    case "BEGIN_QUERY":
      return emit(out, Cmd.BEGIN_QUERY, 0, [cmd.handle]);
    case "END_QUERY":
      return emit(out, Cmd.END_QUERY, 0, [cmd.handle]);
    case "GET_QUERY_RESULT":
      return emit(out, Cmd.GET_QUERY_RESULT, 0, [cmd.handle, cmd.wait ? 1 : 0]);
    case "SET_POLYGON_STIPPLE":
      return emit(out, Cmd.SET_POLYGON_STIPPLE, 0, Array.from(cmd.pattern));
    case "SET_CLIP_STATE":
      return emit(out, Cmd.SET_CLIP_STATE, 0, Array.from(cmd.planes, f32Bits));
    case "SET_SAMPLE_MASK":
      return emit(out, Cmd.SET_SAMPLE_MASK, 0, [cmd.mask]);
    case "SET_STREAMOUT_TARGETS":
      return emit(out, Cmd.SET_STREAMOUT_TARGETS, 0, [cmd.appendBitmask, ...cmd.handles]);
    case "SET_RENDER_CONDITION":
      return emit(out, Cmd.SET_RENDER_CONDITION, 0, [cmd.handle, cmd.condition ? 1 : 0, cmd.mode]);
    case "SET_UNIFORM_BUFFER":
      return emit(out, Cmd.SET_UNIFORM_BUFFER, 0, [cmd.stage, cmd.index, cmd.offset, cmd.length, cmd.res]);
    case "SET_SUB_CTX":
      return emit(out, Cmd.SET_SUB_CTX, 0, [cmd.subCtx]);
    case "CREATE_SUB_CTX":
      return emit(out, Cmd.CREATE_SUB_CTX, 0, [cmd.subCtx]);
    case "DESTROY_SUB_CTX":
      return emit(out, Cmd.DESTROY_SUB_CTX, 0, [cmd.subCtx]);
    case "BIND_SHADER":
      return emit(out, Cmd.BIND_SHADER, 0, [cmd.handle, cmd.stage]);
    case "SET_MIN_SAMPLES":
      return emit(out, Cmd.SET_MIN_SAMPLES, 0, [cmd.minSamples]);
    case "TRANSFER3D":
      return emit(out, Cmd.TRANSFER3D, 0, [
        cmd.res,
        cmd.level,
        cmd.usage,
        cmd.stride,
        cmd.layerStride,
        ...boxWords(cmd.box),
        cmd.dataOffset,
        cmd.direction,
      ]);
    case "END_TRANSFERS":
      return emit(out, Cmd.END_TRANSFERS, 0, []);
    case "COPY_TRANSFER3D":
      return emit(out, Cmd.COPY_TRANSFER3D, 0, [
        cmd.res,
        cmd.level,
        cmd.usage,
        cmd.stride,
        cmd.layerStride,
        ...boxWords(cmd.box),
        cmd.srcRes,
        cmd.srcOffset,
        (cmd.synchronized ? 1 : 0) | (cmd.readFromHost ? 2 : 0),
      ]);
    case "SET_TWEAKS":
      return emit(out, Cmd.SET_TWEAKS, 0, [cmd.id, cmd.value]);
    case "EMIT_STRING_MARKER": {
      const bytes = Uint8Array.from(cmd.text, (c) => c.charCodeAt(0) & 0xff);
      return emit(out, Cmd.EMIT_STRING_MARKER, 0, [bytes.length, ...bytesToWords(bytes)]);
    }
    case "LINK_SHADER":
      return emit(out, Cmd.LINK_SHADER, 0, cmd.handles);
  }
}

export function encodeCommands(cmds: readonly Command[]): Uint32Array {
  const out: number[] = [];
  for (const c of cmds) encodeCommand(c, out);
  return Uint32Array.from(out);
}

/**
 * Splits TGSI text into CREATE_OBJECT/SHADER chunks the way Mesa does: the NUL-terminated text is
 * cut so each command fits `maxPayload` dwords; the first chunk carries the total length, the
 * following ones `offset | 0x80000000`.
 */
export function shaderChunks(
  handle: number,
  stage: number,
  text: string,
  numTokens = 1024,
  maxPayload: number = CMD0_MAX_DWORDS,
): Command[] {
  const bytes = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  const room = (maxPayload - Len.SHADER_HDR) * 4;
  if (room <= 0) throw new RangeError("maxPayload too small for a shader header");
  const out: Command[] = [];
  for (let off = 0; off < bytes.length || off === 0; off += room) {
    const first = off === 0;
    out.push({
      kind: "CREATE_SHADER",
      handle,
      stage,
      offlen: first ? bytes.length : off,
      continuation: !first,
      numTokens,
      streamOutput: null,
      text: bytes.subarray(off, Math.min(bytes.length, off + room)),
    });
    if (off + room >= bytes.length) break;
  }
  return out;
}

/**
 * Builds one submit like Mesa's virgl_flush_eq: optionally a 1024-dword transfer area (TRANSFER3D /
 * COPY_TRANSFER3D) closed by an END_TRANSFERS whose payload swallows the unused rest, then the body.
 */
export class CommandStream {
  private readonly transfers: number[] = [];
  private readonly body: number[] = [];

  constructor(private readonly reserveTransferArea = false) {}

  /** Queue a command into the transfer area (TRANSFER3D/COPY_TRANSFER3D) or the body. */
  push(cmd: Command): this {
    if (this.reserveTransferArea && (cmd.kind === "TRANSFER3D" || cmd.kind === "COPY_TRANSFER3D")) {
      encodeCommand(cmd, this.transfers);
      if (this.transfers.length >= TRANSFER_AREA_DWORDS) throw new RangeError("transfer area overflow");
    } else {
      encodeCommand(cmd, this.body);
    }
    return this;
  }
  pushAll(cmds: readonly Command[]): this {
    for (const c of cmds) this.push(c);
    return this;
  }

  finish(): Uint32Array {
    if (!this.reserveTransferArea) return Uint32Array.from(this.body);
    const out = new Uint32Array(TRANSFER_AREA_DWORDS + this.body.length);
    out.set(this.transfers);
    const rest = TRANSFER_AREA_DWORDS - this.transfers.length - 1;
    out[this.transfers.length] = header(Cmd.END_TRANSFERS, 0, rest);
    // Mesa leaves garbage in the swallowed area; fill it with a marker to prove it is skipped.
    out.fill(0xdeadbeef, this.transfers.length + 1, TRANSFER_AREA_DWORDS);
    out.set(this.body, TRANSFER_AREA_DWORDS);
    return out;
  }
}
