// Primitive decomposition and counting on the CPU (pure).
//
// * Stream output: WebGL2 captures only POINTS, LINES and TRIANGLES draws, and no indexed draws at
//   all while transform feedback is active (ES 3.0). GL captures strips, fans and loops as their
//   individual lines/triangles, so a capturing draw is turned into a list of source vertex numbers
//   (index buffer resolved, restarts applied, strips/fans/loops split) that the draw path feeds to
//   a non-indexed POINTS/LINES/TRIANGLES draw (streamout-capture.ts gathers the attributes).
//   Within each extracted primitive the provoking vertex keeps its position (last, or first with
//   flatshade_first) and the winding is preserved, so flat shading and face culling of the
//   captured output replayed as TRIANGLES/LINES match the original primitive.
// * PRIMITIVES_GENERATED: without geometry shaders it is a function of the draw's mode, vertex
//   count, restarts and instance count; queries.ts counts it from here.

import { Prim } from "../protocol.ts";

/** WebGL TF primitive modes (POINTS, LINES, TRIANGLES) = vertices per primitive 1, 2, 3. */
export const TF_POINTS = 0;
export const TF_LINES = 1;
export const TF_TRIANGLES = 4;

export interface CaptureList {
  /** WebGL draw / TF primitive mode: TF_POINTS, TF_LINES or TF_TRIANGLES. */
  prim: number;
  /** Source vertex numbers in capture order (whole primitives). */
  vertices: Uint32Array;
}

/** Splits a vertex sequence at restart markers (`restart` undefined = no restart). */
export function segments(seq: Uint32Array, restart: number | undefined): Uint32Array[] {
  if (restart === undefined) return [seq];
  const out: Uint32Array[] = [];
  let from = 0;
  for (let i = 0; i <= seq.length; i++) {
    if (i === seq.length || seq[i] === restart) {
      if (i > from) out.push(seq.subarray(from, i));
      from = i + 1;
    }
  }
  return out;
}

/** The vertex sequence of a draw: `start..start+count-1`, or the index values (little-endian, 1/2/4 bytes). */
export function vertexSequence(start: number, count: number, indices?: { data: Uint8Array; size: number }): Uint32Array {
  const seq = new Uint32Array(count);
  if (!indices) {
    for (let i = 0; i < count; i++) seq[i] = start + i;
    return seq;
  }
  const { data, size } = indices;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = Math.min(count, Math.floor(data.byteLength / size));
  for (let i = 0; i < n; i++) seq[i] = size === 1 ? data[i] : size === 2 ? dv.getUint16(i * 2, true) : dv.getUint32(i * 4, true);
  return seq.subarray(0, n);
}

/**
 * The vertices a draw emits into transform feedback, decomposed into POINTS/LINES/TRIANGLES.
 * Returns an error string for modes GL cannot capture without a geometry shader.
 */
export function captureList(mode: number, seq: Uint32Array, restart: number | undefined, flatshadeFirst: boolean): CaptureList | string {
  const out: number[] = [];
  let prim: number;
  switch (mode) {
    case Prim.POINTS:
      prim = TF_POINTS;
      break;
    case Prim.LINES:
    case Prim.LINE_STRIP:
    case Prim.LINE_LOOP:
      prim = TF_LINES;
      break;
    case Prim.TRIANGLES:
    case Prim.TRIANGLE_STRIP:
    case Prim.TRIANGLE_FAN:
      prim = TF_TRIANGLES;
      break;
    default:
      return `stream output of primitive mode ${mode} is not supported (no geometry shaders)`;
  }
  for (const s of segments(seq, restart)) {
    const n = s.length;
    switch (mode) {
      case Prim.POINTS:
        for (let i = 0; i < n; i++) out.push(s[i]);
        break;
      case Prim.LINES:
        for (let i = 0; i + 1 < n; i += 2) out.push(s[i], s[i + 1]);
        break;
      case Prim.LINE_STRIP:
      case Prim.LINE_LOOP:
        for (let i = 0; i + 1 < n; i++) out.push(s[i], s[i + 1]);
        if (mode === Prim.LINE_LOOP && n >= 2) out.push(s[n - 1], s[0]);
        break;
      case Prim.TRIANGLES:
        for (let i = 0; i + 2 < n; i += 3) out.push(s[i], s[i + 1], s[i + 2]);
        break;
      case Prim.TRIANGLE_STRIP:
        // odd triangles are swapped to keep the strip's winding; the provoking vertex (i+2 last,
        // i first) stays where the convention looks for it
        for (let i = 0; i + 2 < n; i++) {
          if (i % 2 === 0) out.push(s[i], s[i + 1], s[i + 2]);
          else if (flatshadeFirst) out.push(s[i], s[i + 2], s[i + 1]);
          else out.push(s[i + 1], s[i], s[i + 2]);
        }
        break;
      case Prim.TRIANGLE_FAN:
        // provoking vertex: i+2 (last convention) or i+1 (first); a rotation keeps the winding
        for (let i = 0; i + 2 < n; i++) {
          if (flatshadeFirst) out.push(s[i + 1], s[i + 2], s[0]);
          else out.push(s[0], s[i + 1], s[i + 2]);
        }
        break;
    }
  }
  return { prim, vertices: Uint32Array.from(out) };
}

/** Primitives one instance of a segment of `n` vertices generates (GL's counting, no GS). */
export function primitivesOf(mode: number, n: number): number {
  switch (mode) {
    case Prim.POINTS:
      return n;
    case Prim.LINES:
      return Math.floor(n / 2);
    case Prim.LINE_STRIP:
      return Math.max(0, n - 1);
    case Prim.LINE_LOOP:
      return n >= 2 ? n : 0;
    case Prim.TRIANGLES:
      return Math.floor(n / 3);
    case Prim.TRIANGLE_STRIP:
    case Prim.TRIANGLE_FAN:
      return Math.max(0, n - 2);
    case Prim.QUADS:
      return Math.floor(n / 4) * 2; // counted as the triangles they are drawn as
    case Prim.QUAD_STRIP:
      return n >= 4 ? Math.floor((n - 2) / 2) * 2 : 0;
    case Prim.POLYGON:
      return Math.max(0, n - 2);
    case Prim.LINES_ADJACENCY:
      return Math.floor(n / 4);
    case Prim.LINE_STRIP_ADJACENCY:
      return Math.max(0, n - 3);
    case Prim.TRIANGLES_ADJACENCY:
      return Math.floor(n / 6);
    case Prim.TRIANGLE_STRIP_ADJACENCY:
      return n >= 6 ? Math.floor((n - 4) / 2) : 0;
    default:
      return 0;
  }
}

/** PRIMITIVES_GENERATED for a whole draw (all segments between restarts, all instances). */
export function primitivesGenerated(mode: number, seq: Uint32Array | number, restart: number | undefined, instances: number): number {
  const segs = typeof seq === "number" ? [seq] : segments(seq, restart).map((s) => s.length);
  let n = 0;
  for (const len of segs) n += primitivesOf(mode, len);
  return n * Math.max(1, instances);
}


/** Rasterizer S0 flatshade_first (bit 4): the provoking vertex is the first of a primitive. */
export function flatshadeFirst(s0: number): boolean {
  return (s0 & (1 << 4)) !== 0;
}
