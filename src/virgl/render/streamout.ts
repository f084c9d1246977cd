// Stream output (gallium) as WebGL2 transform feedback.
//
// Layouts WebGL can express (no gl_SkipComponents, no multiple buffers per interleaved set):
// * INTERLEAVED: every output goes to buffer 0, packed back to back from dword 0, and buffer 0's
//   stride equals the packed size;
// * SEPARATE: output i goes alone to its own buffer at dword 0, with stride = its size.
// Anything else is rejected with a clear error. The translator emits one `webvirgl_so<i>` varying
// per output (raw bits); those names are passed to transformFeedbackVaryings before linking.
//
// WebGL requires the draw mode to equal the transform-feedback primitive mode (POINTS, LINES or
// TRIANGLES) and refuses indexed draws while capturing; other draws are captured from a
// CPU-decomposed vertex list (prim-decompose.ts, gathered attributes; gl_VertexID then counts
// the list, not the original vertices). Bytes written are computed on the CPU (vertices ×
// stride, clamped to the target) to keep gallium's append offsets without an async query, and the
// target buffers' CPU shadows are refreshed with getBufferSubData after the draw.

import type { StreamOutputInfo } from "../decode/types.ts";
import { Prim } from "../protocol.ts";

export const INTERLEAVED_ATTRIBS = 0x8c8c;
export const SEPARATE_ATTRIBS = 0x8c8d;

export interface SoLayout {
  bufferMode: number;
  /** Per TF binding point: the gallium buffer index it captures into, and its stride in bytes. */
  bindings: { buffer: number; strideBytes: number }[];
}

export function soLayout(so: StreamOutputInfo): SoLayout | string {
  const outs = so.outputs;
  if (outs.length === 0) return "no stream outputs";
  if (outs.some((o) => o.stream !== 0)) return "stream outputs on vertex streams other than 0";
  if (outs.every((o) => o.outputBuffer === 0)) {
    let at = 0;
    for (const o of outs) {
      if (o.dstOffset !== at) return `interleaved stream output at dword ${o.dstOffset}, expected ${at} (no gaps in WebGL)`;
      at += o.numComponents;
    }
    if (so.strides[0] !== at) return `buffer 0 stride ${so.strides[0]} dwords != packed ${at}`;
    return { bufferMode: INTERLEAVED_ATTRIBS, bindings: [{ buffer: 0, strideBytes: at * 4 }] };
  }
  const seen = new Set<number>();
  const bindings: SoLayout["bindings"] = [];
  for (const o of outs) {
    if (seen.has(o.outputBuffer)) return `several outputs share buffer ${o.outputBuffer} with others separate`;
    seen.add(o.outputBuffer);
    if (o.dstOffset !== 0) return `separate stream output at dword ${o.dstOffset}`;
    if (so.strides[o.outputBuffer] !== o.numComponents) return `buffer ${o.outputBuffer} stride ${so.strides[o.outputBuffer]} != ${o.numComponents}`;
    bindings.push({ buffer: o.outputBuffer, strideBytes: o.numComponents * 4 });
  }
  return { bufferMode: SEPARATE_ATTRIBS, bindings };
}

/** TF primitive mode for a draw mode, or undefined when WebGL cannot capture it. */
export function tfPrimitive(mode: number): number | undefined {
  return mode === Prim.POINTS ? 0 : mode === Prim.LINES ? 1 : mode === Prim.TRIANGLES ? 4 : undefined;
}

/** Vertices a draw emits into transform feedback (whole primitives only). */
export function capturedVertices(mode: number, count: number, instances: number): number {
  const per = mode === Prim.TRIANGLES ? 3 : mode === Prim.LINES ? 2 : 1;
  return Math.floor(count / per) * per * Math.max(1, instances);
}
