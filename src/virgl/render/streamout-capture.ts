// Transform-feedback capture around one draw (see streamout.ts for the layout rules): binds the
// targets at their append offsets, clamps the draw so nothing overflows (ES 3.0 makes overflowing
// draws an error), ends capture, advances the offsets and refreshes the targets' CPU shadows.
// Draws WebGL cannot capture as they are (indexed, strips, fans, loops) are captured from a
// decomposed vertex list (prim-decompose.ts) whose attributes gatherVertices() copies on the CPU.

import { Obj } from "../protocol.ts";
import type { ExecEnv } from "./exec-env.ts";
import type { StreamoutTargetObj, SubContext } from "./sub-context.ts";
import { capturedVertices, type SoLayout, tfPrimitive } from "./streamout.ts";

const TRANSFORM_FEEDBACK = 0x8e22;
const TRANSFORM_FEEDBACK_BUFFER = 0x8c8e;
const COPY_READ_BUFFER = 0x8f36;
const UNIFORM_BUFFER = 0x8a11;
const UNIFORM_BUFFER_BINDING = 0x8a28;
const MAX_UNIFORM_BUFFER_BINDINGS = 0x8a2f;

/**
 * WebGL refuses to draw while a buffer being captured into is bound to another target; uniform
 * buffer bindings linger from earlier draws (a TF output read as a UBO), so they are cleared.
 */
export function unbindFromUniformBuffers(gl: WebGL2RenderingContext, buffers: WebGLBuffer[]): void {
  gl.bindBuffer(UNIFORM_BUFFER, null);
  const n = gl.getParameter(MAX_UNIFORM_BUFFER_BINDINGS) as number;
  for (let i = 0; i < n; i++) {
    const b = gl.getIndexedParameter(UNIFORM_BUFFER_BINDING, i) as WebGLBuffer | null;
    if (b && buffers.includes(b)) gl.bindBufferBase(UNIFORM_BUFFER, i, null);
  }
}

export interface Capture {
  /** Vertices to draw with capture on. */
  count: number;
  /**
   * Vertices after those that no longer fit the targets: GL still rasterizes those primitives
   * (only the writes stop), so the draw path draws them after endCapture().
   */
  uncaptured: number;
  targets: { t: StreamoutTargetObj; buffer: WebGLBuffer; shadow: Uint8Array; offset: number; bytes: number }[];
}

/** Binds the TF buffers at their append offsets, clamps the draw so nothing overflows, begins TF. */
export function beginCapture(env: ExecEnv, tfHolder: { tf: WebGLTransformFeedback | null }, sub: SubContext, layout: SoLayout, mode: number, count: number, instances: number): Capture | string {
  const prim = tfPrimitive(mode);
  if (prim === undefined) return `stream output needs POINTS, LINES or TRIANGLES draws (WebGL), got mode ${mode}`;
  const { gl } = env;
  const per = prim === 4 ? 3 : prim === 1 ? 2 : 1;
  const targets: Capture["targets"] = [];
  let maxVerts = Infinity;
  for (const b of layout.bindings) {
    const t = sub.get(sub.streamoutTargets[b.buffer] ?? 0, Obj.STREAMOUT_TARGET);
    if (!t) return `stream output buffer ${b.buffer} has no target bound`;
    const r = env.ctx.resource(env.resources, t.res);
    if (typeof r === "string") return `streamout target: ${r}`;
    if (!r.buffer || !r.shadow) return "streamout target is not a GL buffer";
    const room = Math.max(0, t.bufferSize - t.filled);
    maxVerts = Math.min(maxVerts, Math.floor(room / b.strideBytes));
    targets.push({ t, buffer: r.buffer, shadow: r.shadow, offset: t.bufferOffset + t.filled, bytes: 0 });
  }
  let verts = capturedVertices(mode, count, instances);
  let uncaptured = 0;
  if (verts > maxVerts) {
    if (instances > 1) return "instanced draw would overflow the stream output buffers";
    verts = Math.floor(maxVerts / per) * per;
    uncaptured = count - verts;
    count = verts;
  }
  if (verts === 0) return { count, uncaptured, targets: [] };
  unbindFromUniformBuffers(gl, targets.map((t) => t.buffer));
  if (!tfHolder.tf) tfHolder.tf = env.objs.transformFeedback();
  gl.bindTransformFeedback(TRANSFORM_FEEDBACK, tfHolder.tf);
  layout.bindings.forEach((b, i) => {
    const tg = targets[i];
    tg.bytes = verts * b.strideBytes;
    gl.bindBufferRange(TRANSFORM_FEEDBACK_BUFFER, i, tg.buffer, tg.offset, tg.bytes);
  });
  gl.beginTransformFeedback(prim);
  return { count, uncaptured, targets };
}

/** Ends TF, advances append offsets and refreshes the targets' CPU shadows from the GPU. */
export function endCapture(env: ExecEnv, c: Capture): void {
  if (c.targets.length === 0 || c.targets[0].bytes === 0) return;
  const { gl } = env;
  gl.endTransformFeedback();
  c.targets.forEach((_, i) => gl.bindBufferBase(TRANSFORM_FEEDBACK_BUFFER, i, null));
  gl.bindTransformFeedback(TRANSFORM_FEEDBACK, null);
  for (const tg of c.targets) {
    tg.t.filled += tg.bytes;
    gl.bindBuffer(COPY_READ_BUFFER, tg.buffer);
    gl.getBufferSubData(COPY_READ_BUFFER, tg.offset, tg.shadow, tg.offset, tg.bytes);
  }
  gl.bindBuffer(COPY_READ_BUFFER, null);
}

/**
 * One attribute's elements for a decomposed capture list: element `list[k]` (`bytes` bytes at
 * `offset + list[k] * stride` of `src`) becomes packed element k. Elements beyond `src` read as 0.
 */
export function gatherVertices(src: Uint8Array, offset: number, stride: number, bytes: number, list: Uint32Array): Uint8Array {
  const out = new Uint8Array(list.length * bytes);
  for (let k = 0; k < list.length; k++) {
    const at = offset + list[k] * stride;
    if (at >= 0 && at + bytes <= src.length) out.set(src.subarray(at, at + bytes), k * bytes);
  }
  return out;
}
