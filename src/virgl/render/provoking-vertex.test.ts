// Unit tests: first-vertex provoking convention by rotating triangles (index lists).
import { describe, expect, it } from "vitest";
import { Prim } from "../protocol.ts";
import { vertexSequence } from "./prim-decompose.ts";
import { firstVertexList, needsFirstVertexRotation } from "./provoking-vertex.ts";

const FLAT_FS = "FRAG\nDCL IN[0], GENERIC[0], CONSTANT\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n";
const SMOOTH_FS = "FRAG\nDCL IN[0], GENERIC[0], PERSPECTIVE\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n";

describe("first-vertex provoking convention", () => {
  it("only with flatshade_first, triangle modes and flat values in play", () => {
    const first = 1 << 4;
    expect(needsFirstVertexRotation(first, Prim.TRIANGLES, { text: FLAT_FS })).toBe(true);
    expect(needsFirstVertexRotation(first | 1, Prim.TRIANGLE_STRIP, { text: SMOOTH_FS })).toBe(true); // flat-shaded colours
    expect(needsFirstVertexRotation(first, Prim.TRIANGLES, { text: SMOOTH_FS })).toBe(false);
    expect(needsFirstVertexRotation(0, Prim.TRIANGLES, { text: FLAT_FS })).toBe(false);
    expect(needsFirstVertexRotation(first, Prim.LINES, { text: FLAT_FS })).toBe(false);
  });
  it("every triangle ends with GL's first-convention provoking vertex, in a rotation (same winding)", () => {
    // triangles: provoking 0 and 3
    expect([...firstVertexList(Prim.TRIANGLES, vertexSequence(0, 6), undefined)]).toEqual([1, 2, 0, 4, 5, 3]);
    // strip: triangle t's first-convention provoking vertex is t; odd ones keep the strip's winding
    const strip = [...firstVertexList(Prim.TRIANGLE_STRIP, vertexSequence(0, 5), undefined)];
    expect([strip[2], strip[5], strip[8]]).toEqual([0, 1, 2]);
    expect(strip.slice(0, 3)).toEqual([1, 2, 0]); // rotation of (0, 1, 2)
    expect(strip.slice(3, 6)).toEqual([3, 2, 1]); // a rotation of GL's odd triangle (2, 1, 3)
    // fan: triangle t's first-convention provoking vertex is t+1
    const fan = [...firstVertexList(Prim.TRIANGLE_FAN, vertexSequence(0, 4), undefined)];
    expect([fan[2], fan[5]]).toEqual([1, 2]);
  });
});
