// Unit tests: polygon-mode POINT/LINE emulation lists, edge flags and the TGSI edge-flag input.
import { describe, expect, it } from "vitest";
import { Prim } from "../protocol.ts";
import { edgeFlagInput, edgeFlagOf, emulatedPolygonMode, PolygonMode, polygonModeList } from "./polygon-mode.ts";
import { vertexSequence } from "./prim-decompose.ts";

const s0 = (cull: number, front: number, back: number): number => (cull << 8) | (front << 10) | (back << 12);
const all = (): boolean => true;

describe("polygon mode emulation", () => {
  it("only for triangle draws with both faces in the same non-fill mode and no culling", () => {
    expect(emulatedPolygonMode(s0(0, 2, 2), Prim.TRIANGLES)).toBe(PolygonMode.POINT);
    expect(emulatedPolygonMode(s0(0, 1, 1), Prim.TRIANGLE_STRIP)).toBe(PolygonMode.LINE);
    expect(emulatedPolygonMode(s0(0, 0, 0), Prim.TRIANGLES)).toBeUndefined();
    expect(emulatedPolygonMode(s0(2, 2, 2), Prim.TRIANGLES)).toBeUndefined(); // culling: facing unknown on the CPU
    expect(emulatedPolygonMode(s0(0, 1, 2), Prim.TRIANGLES)).toBeUndefined();
    expect(emulatedPolygonMode(s0(0, 2, 2), Prim.LINES)).toBeUndefined();
  });
  it("POINT: every vertex of every triangle, minus vertices whose edge flag is false", () => {
    const seq = vertexSequence(0, 7); // 2 whole triangles, 1 stray vertex
    expect([...polygonModeList(Prim.TRIANGLES, PolygonMode.POINT, seq, undefined, all)]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...polygonModeList(Prim.TRIANGLES, PolygonMode.POINT, seq, undefined, (v) => v < 3)]).toEqual([0, 1, 2]);
  });
  it("LINE: the three edges of each triangle; an edge is dropped when its first vertex is flagged false", () => {
    const seq = vertexSequence(10, 3);
    expect([...polygonModeList(Prim.TRIANGLES, PolygonMode.LINE, seq, undefined, all)]).toEqual([10, 11, 11, 12, 12, 10]);
    expect([...polygonModeList(Prim.TRIANGLES, PolygonMode.LINE, seq, undefined, (v) => v !== 11)]).toEqual([10, 11, 12, 10]);
  });
  it("strips and fans: per-triangle, edge flags ignored (GL applies them to independent triangles)", () => {
    const seq = vertexSequence(0, 4);
    expect([...polygonModeList(Prim.TRIANGLE_STRIP, PolygonMode.POINT, seq, undefined, () => false)]).toEqual([0, 1, 2, 2, 1, 3]);
  });
  it("finds the input Mesa copies to EDGEFLAG and reads flags from the attribute bytes", () => {
    const tgsi = "VERT\nDCL IN[0]\nDCL IN[1]\nDCL OUT[0], POSITION\nDCL OUT[2], EDGEFLAG\n  0: MOV OUT[2], IN[1]\n  1: MOV OUT[0], IN[0]\n  2: END\n";
    expect(edgeFlagInput({ text: tgsi })).toBe(1);
    expect(edgeFlagInput({ text: "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n" })).toBeUndefined();
    const flags = edgeFlagOf(Uint8Array.from([9, 1, 9, 0, 9, 1]), 1, 2, 1); // byte per vertex at 1, 3, 5
    expect([0, 1, 2, 3].map(flags)).toEqual([true, false, true, true]); // beyond the buffer: GL's default true
  });
});
