import { describe, expect, it } from "vitest";
import { resolveSamplers } from "./resolve-samplers.ts";
import { passError, prog } from "./test-helpers.ts";

describe("resolve-samplers", () => {
  it("types samplers from SVIEW return types and targets", () => {
    const p = prog(`FRAG
DCL TEMP[0]
DCL SAMP[0..3]
DCL SVIEW[0], 2D, FLOAT
DCL SVIEW[1], SHADOW2D, FLOAT
DCL SVIEW[2], 2D_ARRAY, SINT
DCL SVIEW[3], 3D, UINT
  0: TEX TEMP[0], TEMP[0], SAMP[0], 2D
  1: TEX TEMP[0], TEMP[0], SAMP[1], SHADOW2D
  2: TXF TEMP[0], TEMP[0], SAMP[2], 2D_ARRAY
  3: TXF TEMP[0], TEMP[0], SAMP[3], 3D
  4: END`);
    const s = resolveSamplers(p).samplers;
    expect(s.get(0)).toMatchObject({ glslType: "sampler2D", name: "webvirgl_fs_samp0", shadow: false });
    expect(s.get(1)).toMatchObject({ glslType: "sampler2DShadow", shadow: true });
    expect(s.get(2)).toMatchObject({ glslType: "isampler2DArray", returnType: "int" });
    expect(s.get(3)).toMatchObject({ glslType: "usampler3D", returnType: "uint" });
  });

  it("maps 1D to 2D and rejects targets WebGL2 lacks", () => {
    const p = prog("VERT\nDCL TEMP[0]\nDCL SAMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0], 1D\n  1: END");
    expect(resolveSamplers(p).samplers.get(0)).toMatchObject({ glslType: "sampler2D", name: "webvirgl_vs_samp0" });
    const ms = prog("FRAG\nDCL TEMP[0]\nDCL SAMP[0]\n  0: TXF TEMP[0], TEMP[0], SAMP[0], 2D_MSAA\n  1: END");
    expect(resolveSamplers(ms).samplers.get(0)).toMatchObject({ glslType: "sampler2D" }); // the resolved copy
    for (const t of ["CUBE_ARRAY"]) {
      const q = prog(`FRAG\nDCL TEMP[0]\nDCL SAMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0], ${t}\n  1: END`);
      expect(passError(() => resolveSamplers(q))).toMatch(/not supported/);
    }
  });

  it("rejects conflicting use of one sampler", () => {
    const p = prog("FRAG\nDCL TEMP[0]\nDCL SAMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0], 2D\n  1: TEX TEMP[0], TEMP[0], SAMP[0], 3D\n  2: END");
    expect(passError(() => resolveSamplers(p))).toMatch(/used as both/);
  });
});
