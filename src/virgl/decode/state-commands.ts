// Pipeline-state and binding commands (virgl-protocol.md §3.1): viewports, framebuffer, vertex and
// index buffers, sampler views/states, constants, UBOs, small fixed-size state, sub-contexts,
// shaders, queries and streamout bindings. Length rules and limits mirror vrend_decode.c.

import { Len, Limits, Obj, Prim, objName } from "../protocol.ts";
import { fail } from "./errors.ts";
import type { Payload } from "./payload.ts";
import type { Command, Scissor, VertexBufferBinding, Viewport } from "./types.ts";

function stageAny(p: Payload, i: number): number {
  const s = p.at(i);
  if (s >= Limits.SHADER_TYPES) fail("shader_type", s, `must be < ${Limits.SHADER_TYPES}`);
  return s;
}

export function bindObject(objType: number, p: Payload): Command {
  p.exact(1);
  if (objType !== Obj.BLEND && objType !== Obj.DSA && objType !== Obj.RASTERIZER && objType !== Obj.VERTEX_ELEMENTS) {
    fail("object_type", objType, `${objName(objType)} cannot be bound with BIND_OBJECT`);
  }
  return { kind: "BIND_OBJECT", objType, handle: p.at(0) };
}

export function destroyObject(objType: number, p: Payload): Command {
  p.exact(1);
  if (objType === Obj.NULL || objType > Obj.MSAA_SURFACE) fail("object_type", objType, "unknown object type");
  return { kind: "DESTROY_OBJECT", objType, handle: p.at(0) };
}

export function setViewportState(p: Payload): Command {
  p.atLeast(1);
  if ((p.length - 1) % 6 !== 0) fail("length", p.length, "must be 1 + 6 × viewports");
  const n = (p.length - 1) / 6;
  const startSlot = p.at(0);
  if (n > Limits.MAX_VIEWPORTS || startSlot > Limits.MAX_VIEWPORTS - n) {
    fail("start_slot", startSlot, `${n} viewports from this slot exceed ${Limits.MAX_VIEWPORTS}`);
  }
  const viewports: Viewport[] = [];
  for (let v = 0; v < n; v++) {
    const b = 1 + 6 * v;
    viewports.push({ scale: [p.f32(b), p.f32(b + 1), p.f32(b + 2)], translate: [p.f32(b + 3), p.f32(b + 4), p.f32(b + 5)] });
  }
  return { kind: "SET_VIEWPORT_STATE", startSlot, viewports };
}

export function setFramebufferState(p: Payload): Command {
  p.atLeast(2);
  const nr = p.at(0);
  if (nr > Limits.MAX_COLOR_BUFS) fail("nr_cbufs", nr, `must be <= ${Limits.MAX_COLOR_BUFS}`);
  if (p.length !== 2 + nr) fail("length", p.length, `must be 2 + nr_cbufs (${2 + nr})`);
  const cbufs: number[] = [];
  for (let i = 0; i < nr; i++) cbufs.push(p.at(2 + i));
  return { kind: "SET_FRAMEBUFFER_STATE", zsurf: p.at(1), cbufs };
}

export function setVertexBuffers(p: Payload): Command {
  if (p.length % 3 !== 0) fail("length", p.length, "must be 3 × buffers");
  const n = p.length / 3;
  if (n > Limits.MAX_ATTRIBS) fail("num_buffers", n, `exceeds ${Limits.MAX_ATTRIBS}`);
  const buffers: VertexBufferBinding[] = [];
  for (let i = 0; i < n; i++) buffers.push({ stride: p.at(3 * i), offset: p.at(3 * i + 1), res: p.at(3 * i + 2) });
  return { kind: "SET_VERTEX_BUFFERS", buffers };
}

export function clear(p: Payload): Command {
  p.exact(Len.CLEAR);
  return { kind: "CLEAR", buffers: p.at(0), color: [p.at(1), p.at(2), p.at(3), p.at(4)], depth: p.f64(5), stencil: p.at(7) };
}

/** Host-native primitive modes we advertise in prim_mask 0x7f (POINTS … TRIANGLE_FAN). */
export const MAX_NATIVE_PRIM = Prim.TRIANGLE_FAN;

export function drawVbo(p: Payload): Command {
  if (p.length === Len.DRAW_VBO_TESS) fail("length", p.length, "tessellation draws need has_tessellation_shaders, not advertised");
  if (p.length === Len.DRAW_VBO_INDIRECT) fail("length", p.length, "indirect draws need has_indirect_draw, not advertised");
  p.exact(Len.DRAW_VBO);
  const mode = p.at(2);
  if (mode > MAX_NATIVE_PRIM) fail("mode", mode, "primitive not in the advertised prim_mask 0x7f");
  return {
    kind: "DRAW_VBO",
    start: p.at(0),
    count: p.at(1),
    mode,
    indexed: p.at(3) !== 0,
    instanceCount: p.at(4),
    indexBias: p.i32(5),
    startInstance: p.at(6),
    primitiveRestart: p.at(7) !== 0,
    restartIndex: p.at(8),
    minIndex: p.at(9),
    maxIndex: p.at(10),
    countFromSo: p.at(11),
  };
}

export function setSamplerViews(p: Payload): Command {
  p.atLeast(2);
  const stage = stageAny(p, 0);
  const startSlot = p.at(1);
  const n = p.length - 2;
  if (n > Limits.MAX_SHADER_SAMPLER_VIEWS || startSlot > Limits.MAX_SHADER_SAMPLER_VIEWS - n) {
    fail("start_slot", startSlot, `${n} views from this slot exceed ${Limits.MAX_SHADER_SAMPLER_VIEWS}`);
  }
  const handles: number[] = [];
  for (let i = 0; i < n; i++) handles.push(p.at(2 + i));
  return { kind: "SET_SAMPLER_VIEWS", stage, startSlot, handles };
}

export function bindSamplerStates(p: Payload): Command {
  p.atLeast(2);
  const stage = stageAny(p, 0);
  const startSlot = p.at(1);
  const n = p.length - 2;
  if (n > Limits.MAX_SAMPLERS || startSlot > Limits.MAX_SAMPLERS - n) {
    fail("start_slot", startSlot, `${n} samplers from this slot exceed ${Limits.MAX_SAMPLERS}`);
  }
  const handles: number[] = [];
  for (let i = 0; i < n; i++) handles.push(p.at(2 + i));
  return { kind: "BIND_SAMPLER_STATES", stage, startSlot, handles };
}

export function setIndexBuffer(p: Payload): Command {
  if (p.length !== 1 && p.length !== 3) fail("length", p.length, "must be 1 (unbind) or 3");
  if (p.length === 1) return { kind: "SET_INDEX_BUFFER", res: p.at(0), indexSize: 0, offset: 0 };
  const indexSize = p.at(1);
  const res = p.at(0);
  if (res !== 0 && indexSize !== 1 && indexSize !== 2 && indexSize !== 4) fail("index_size", indexSize, "must be 1, 2 or 4");
  return { kind: "SET_INDEX_BUFFER", res, indexSize, offset: p.at(2) };
}

export function setConstantBuffer(p: Payload): Command {
  p.atLeast(2);
  return { kind: "SET_CONSTANT_BUFFER", stage: stageAny(p, 0), index: p.at(1), data: p.slice(2, p.length - 2) };
}

export function setUniformBuffer(p: Payload): Command {
  p.exact(Len.UNIFORM_BUFFER);
  const index = p.at(1);
  if (index >= Limits.MAX_CONSTANT_BUFFERS) fail("index", index, `must be < ${Limits.MAX_CONSTANT_BUFFERS}`);
  return { kind: "SET_UNIFORM_BUFFER", stage: stageAny(p, 0), index, offset: p.at(2), length: p.at(3), res: p.at(4) };
}

export function setStencilRef(p: Payload): Command {
  p.exact(1);
  const v = p.at(0);
  return { kind: "SET_STENCIL_REF", front: v & 0xff, back: (v >>> 8) & 0xff };
}

export function setBlendColor(p: Payload): Command {
  p.exact(Len.BLEND_COLOR);
  return { kind: "SET_BLEND_COLOR", color: [p.f32(0), p.f32(1), p.f32(2), p.f32(3)] };
}

export function setScissorState(p: Payload): Command {
  p.atLeast(1);
  if ((p.length - 1) % 2 !== 0) fail("length", p.length, "must be 1 + 2 × scissors");
  const n = (p.length - 1) / 2;
  const startSlot = p.at(0);
  if (n > Limits.MAX_VIEWPORTS || startSlot > Limits.MAX_VIEWPORTS - n) {
    fail("start_slot", startSlot, `${n} scissors from this slot exceed ${Limits.MAX_VIEWPORTS}`);
  }
  const scissors: Scissor[] = [];
  for (let s = 0; s < n; s++) scissors.push(unpackScissor(p.at(1 + 2 * s), p.at(2 + 2 * s)));
  return { kind: "SET_SCISSOR_STATE", startSlot, scissors };
}

export function unpackScissor(minxy: number, maxxy: number): Scissor {
  return { minx: minxy & 0xffff, miny: minxy >>> 16, maxx: maxxy & 0xffff, maxy: maxxy >>> 16 };
}

export function single<K extends "BEGIN_QUERY" | "END_QUERY">(kind: K, p: Payload): Command {
  p.exact(1);
  return { kind, handle: p.at(0) } as Command;
}

export function getQueryResult(p: Payload): Command {
  p.exact(2);
  return { kind: "GET_QUERY_RESULT", handle: p.at(0), wait: p.at(1) !== 0 };
}

export function setPolygonStipple(p: Payload): Command {
  p.exact(Len.POLYGON_STIPPLE);
  return { kind: "SET_POLYGON_STIPPLE", pattern: p.slice(0, 32) };
}

export function setClipState(p: Payload): Command {
  p.exact(Len.CLIP_STATE);
  const raw = p.slice(0, 32);
  return { kind: "SET_CLIP_STATE", planes: new Float32Array(raw.buffer, raw.byteOffset, 32) };
}

export function setSampleMask(p: Payload): Command {
  p.exact(1);
  return { kind: "SET_SAMPLE_MASK", mask: p.at(0) };
}

export function setMinSamples(p: Payload): Command {
  p.exact(1);
  return { kind: "SET_MIN_SAMPLES", minSamples: p.at(0) };
}

export function setStreamoutTargets(p: Payload): Command {
  p.atLeast(1);
  const n = p.length - 1;
  if (n > Limits.MAX_SO_BUFFERS) fail("num_targets", n, `exceeds ${Limits.MAX_SO_BUFFERS} (max_streamout_buffers)`);
  const handles: number[] = [];
  for (let i = 0; i < n; i++) handles.push(p.at(1 + i));
  return { kind: "SET_STREAMOUT_TARGETS", appendBitmask: p.at(0), handles };
}

export function setRenderCondition(p: Payload): Command {
  p.exact(Len.RENDER_CONDITION);
  return { kind: "SET_RENDER_CONDITION", handle: p.at(0), condition: (p.at(1) & 1) !== 0, mode: p.at(2) };
}

export function subCtx<K extends "SET_SUB_CTX" | "CREATE_SUB_CTX" | "DESTROY_SUB_CTX">(kind: K, p: Payload): Command {
  p.exact(1);
  return { kind, subCtx: p.at(0) } as Command;
}

export function bindShader(p: Payload): Command {
  p.exact(Len.BIND_SHADER);
  return { kind: "BIND_SHADER", handle: p.at(0), stage: stageAny(p, 1) };
}

export function linkShader(p: Payload): Command {
  p.exact(Len.LINK_SHADER);
  return { kind: "LINK_SHADER", handles: [p.at(0), p.at(1), p.at(2), p.at(3), p.at(4), p.at(5)] };
}

export function setTweaks(p: Payload): Command {
  p.atLeast(Len.SET_TWEAKS);
  return { kind: "SET_TWEAKS", id: p.at(0), value: p.at(1) };
}

export function emitStringMarker(p: Payload): Command {
  p.atLeast(1);
  const len = p.at(0);
  if (len > (p.length - 1) * 4) fail("string_length", len, `longer than the ${(p.length - 1) * 4} payload bytes`);
  const bytes = p.bytes(1, p.length - 1).subarray(0, len);
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return { kind: "EMIT_STRING_MARKER", text };
}
