// First-vertex provoking convention (rasterizer flatshade_first; glProvokingVertex) for triangle
// draws (pure). WebGL2 always takes flat values from the last vertex of a triangle and this
// Chromium offers no WEBGL_provoking_vertex, so when flat values matter the draw is turned into
// an index list of the original vertex numbers in which every triangle is rotated (b, c, a) so
// that GL's first-convention provoking vertex comes last. A rotation keeps the winding and the
// covered pixels; gl_VertexID and the attributes stay those of the original vertices.

import { Prim } from "../protocol.ts";
import { captureList } from "./prim-decompose.ts";

/** Rasterizer S0: flatshade (bit 0), flatshade_first (bit 4). */
const FLATSHADE = 1 << 0;
const FLATSHADE_FIRST = 1 << 4;

/**
 * Whether a draw needs the rotation: first-vertex convention, a triangle mode, and flat values in
 * play (flat shading of colours, or a fragment-shader input with CONSTANT interpolation).
 */
export function needsFirstVertexRotation(s0: number, mode: number, fs: { readonly text: string }): boolean {
  if ((s0 & FLATSHADE_FIRST) === 0) return false;
  if (mode !== Prim.TRIANGLES && mode !== Prim.TRIANGLE_STRIP && mode !== Prim.TRIANGLE_FAN) return false;
  return (s0 & FLATSHADE) !== 0 || hasConstantInputs(fs);
}

/** Per shader object: whether its TGSI declares a CONSTANT-interpolated input (scanned once, not per draw). */
const constantInputs = new WeakMap<object, boolean>();

function hasConstantInputs(fs: { readonly text: string }): boolean {
  let known = constantInputs.get(fs);
  if (known === undefined) constantInputs.set(fs, (known = /DCL IN\[[^\]]+\][^\n]*CONSTANT/.test(fs.text)));
  return known;
}

/** Index list drawing `seq`'s triangles with each triangle's first-convention provoking vertex last. */
export function firstVertexList(mode: number, seq: Uint32Array, restart: number | undefined): Uint32Array {
  // captureList with flatshadeFirst puts GL's provoking vertex first in every triangle
  const l = captureList(mode, seq, restart, true);
  if (typeof l === "string") return new Uint32Array(0);
  const t = l.vertices;
  const out = new Uint32Array(t.length);
  for (let i = 0; i + 2 < t.length; i += 3) {
    out[i] = t[i + 1];
    out[i + 1] = t[i + 2];
    out[i + 2] = t[i];
  }
  return out;
}
