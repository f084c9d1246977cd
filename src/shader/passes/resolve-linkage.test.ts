import { describe, expect, it } from "vitest";
import { resolveLinkage, varyingName } from "./resolve-linkage.ts";
import { passError, prog } from "./test-helpers.ts";

const FS = `FRAG
PROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1
DCL IN[0], GENERIC[2], PERSPECTIVE, CENTROID
DCL IN[1], GENERIC[3], CONSTANT
DCL IN[2], COLOR, COLOR
DCL IN[3], POSITION, LINEAR
DCL OUT[0], COLOR
  0: END`;

describe("resolve-linkage", () => {
  it("names varyings deterministically", () => {
    expect(varyingName("GENERIC", 4)).toBe("webvirgl_v_generic4");
    expect(varyingName("TEXCOORD", 0)).toBe("webvirgl_v_texcoord0");
  });

  it("FS: gallium's UPPER_LEFT sprite origin (y-down window) is GL's gl_PointCoord flipped; LOWER_LEFT is it as is", () => {
    const src = `FRAG
DCL IN[0], PCOORD, PERSPECTIVE
DCL OUT[0], COLOR
  0: END`;
    expect(resolveLinkage(prog(src), {}, false).inputs.get(0)?.expr).toBe("vec4(gl_PointCoord.x, 1.0 - gl_PointCoord.y, 0.0, 1.0)");
    expect(resolveLinkage(prog(src), { spriteCoordLowerLeft: true }, false).inputs.get(0)?.expr).toBe("vec4(gl_PointCoord, 0.0, 1.0)");
  });

  it("FS: colorOutputClamp clamps only the buffers it names", () => {
    const plan = resolveLinkage(prog(FS), { nrCbufs: 3, colorOutputClamp: [false, true] }, false);
    expect(plan.epilogue.filter((l) => l.includes("clamp("))).toEqual(["webvirgl_fragcolor1 = clamp(uintBitsToFloat(o0), 0.0, 1.0);"]);
  });

  it("FS: flat varyings are uvec4, smooth vec4, COLOR follows flatshade, two-side adds BCOLOR", () => {
    const plan = resolveLinkage(prog(FS), { flatshade: true, twoSide: true, nrCbufs: 3 }, false);
    expect(plan.varyingsIn).toEqual([
      { name: "webvirgl_v_generic2", semantic: "GENERIC", semanticIndex: 2, flat: false, centroid: true, glslType: "vec4" },
      { name: "webvirgl_v_generic3", semantic: "GENERIC", semanticIndex: 3, flat: true, centroid: false, glslType: "uvec4" },
      { name: "webvirgl_v_color0", semantic: "COLOR", semanticIndex: 0, flat: true, centroid: false, glslType: "uvec4" },
      { name: "webvirgl_v_bcolor0", semantic: "BCOLOR", semanticIndex: 0, flat: true, centroid: false, glslType: "uvec4" },
    ]);
    expect(plan.inputs.get(3)?.expr).toBe("webvirgl_fragcoord");
    expect(plan.outputs.map((o) => o.location)).toEqual([0, 1, 2]);
  });

  it("VS: copies qualifiers requested by the FS and zero-fills what it does not write", () => {
    const fsPlan = resolveLinkage(prog(FS), {}, false);
    const vs = prog(`VERT
DCL IN[0]
DCL OUT[0], POSITION
DCL OUT[1], GENERIC[3]
  0: END`);
    const plan = resolveLinkage(vs, { fsInputs: fsPlan.varyingsIn }, false);
    const g3 = plan.varyingsOut.find((v) => v.name === "webvirgl_v_generic3");
    expect(g3).toMatchObject({ flat: true, glslType: "uvec4" });
    expect(plan.globals).toContain("flat out uvec4 webvirgl_v_generic3;");
    expect(plan.globals).toContain("centroid out vec4 webvirgl_v_generic2;");
    expect(plan.epilogue.join("\n")).toMatch(/webvirgl_v_generic2 = vec4\(0\.0, 0\.0, 0\.0, 1\.0\)/);
  });

  it("VS: clip planes use CLIPVERTEX", () => {
    const vs = prog("VERT\nDCL OUT[0], POSITION\nDCL OUT[1], CLIPVERTEX\n  0: END");
    const plan = resolveLinkage(vs, { clipPlaneEnable: 3 }, false);
    expect(plan.epilogue.join("\n")).toMatch(/vec4 cv = uintBitsToFloat\(o1\)/);
    expect(plan.uniforms.map((u) => u.name)).toContain("webvirgl_clip_planes");
  });

  it("VS: stream output entries become flat uint varyings with the selected components", () => {
    const vs = prog("VERT\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n  0: END");
    const plan = resolveLinkage(vs, { streamOutput: [
      { registerIndex: 1, startComponent: 1, numComponents: 2, outputBuffer: 0, dstOffset: 0 },
      { registerIndex: 0, startComponent: 3, numComponents: 1, outputBuffer: 1, dstOffset: 4 },
    ] }, false);
    expect(plan.streamOutputVaryings).toEqual(["webvirgl_so0", "webvirgl_so1"]);
    expect(plan.globals).toContain("flat out uvec2 webvirgl_so0;");
    expect(plan.epilogue).toContain("webvirgl_so1 = o0.w;");
    expect(passError(() => resolveLinkage(vs, { streamOutput: [{ registerIndex: 5, startComponent: 0, numComponents: 1, outputBuffer: 0, dstOffset: 0 }] }, false))).toMatch(/OUT\[5\]/);
  });

  it("rejects duplicate output semantics and unknown system values", () => {
    expect(passError(() => resolveLinkage(prog("VERT\nDCL OUT[0], GENERIC[0]\nDCL OUT[1], GENERIC[0]\n  0: END"), {}, false))).toMatch(/two outputs/);
    expect(passError(() => resolveLinkage(prog("VERT\nDCL SV[0], TESSCOORD\n  0: END"), {}, false))).toMatch(/not supported/);
  });
});
