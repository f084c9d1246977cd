import { describe, expect, it } from "vitest";
import { analyzeIndirect } from "./analyze-indirect.ts";
import { passError, prog } from "./test-helpers.ts";

describe("analyze-indirect", () => {
  it("finds indirectly addressed files", () => {
    const p = prog(`FRAG
DCL IN[0..1], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL TEMP[0..3]
DCL ADDR[0]
IMM[0] UINT32 {1, 2, 3, 4}
  0: MOV TEMP[ADDR[0].x], IN[ADDR[0].x]
  1: MOV OUT[ADDR[0].x], IMM[ADDR[0].x]
  2: END`);
    expect(analyzeIndirect(p, new Set(), new Set())).toEqual({ tempFile: true, inFile: true, outFile: true, immFile: true });
  });

  it("temp arrays do not force the whole file into an array", () => {
    const p = prog(`FRAG
DCL TEMP[0..3], ARRAY(1)
DCL ADDR[0]
  0: MOV TEMP[ADDR[0].x](1), TEMP[0]
  1: END`);
    expect(analyzeIndirect(p, new Set([1]), new Set([0, 1, 2, 3])).tempFile).toBe(false);
  });

  it("rejects an undeclared array id and indirect samplers", () => {
    const p = prog("FRAG\nDCL TEMP[0]\nDCL ADDR[0]\n  0: MOV TEMP[ADDR[0].x](7), TEMP[0]\n  1: END");
    expect(passError(() => analyzeIndirect(p, new Set(), new Set()))).toMatch(/array 7/);
    const q = prog("FRAG\nDCL TEMP[0]\nDCL ADDR[0]\nDCL SAMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[ADDR[0].x], 2D\n  1: END");
    expect(passError(() => analyzeIndirect(q, new Set(), new Set()))).toMatch(/SAMP is not supported/);
  });
});
