/**
 * TG4 lowering (emit/texture-gather.ts): footprint order, component/swizzle selection, offsets,
 * border wraps, cube faces, and clear errors for what is not emulated. Values are checked in
 * Chromium by e2e/shader-exec.spec.ts.
 */
import { describe, expect, it } from "vitest";
import { translateTgsi } from "../translate.ts";
import { compileAll, hasGlslang } from "../test-util/glslang.ts";
import type { SamplerKey, ShaderKey } from "../types.ts";

const fs = (target: string, ret: string, body: string, comp = "0"): string => `FRAG
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL SAMP[0]
DCL SVIEW[0], ${target}, ${ret}
DCL TEMP[0..1]
IMM[0] UINT32 {${comp}, 0, 0, 0}
IMM[1] INT32 {-32, 31, 0, 0}
IMM[2] FLT32 {0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000}
  ${body}
  MOV OUT[0], TEMP[0]
  END
`;
const tg4 = (target: string, extra = ""): string => `TG4 TEMP[0], IN[0], IMM[0].xxxx, SAMP[0], ${target}${extra}`;
const keyOf = (s: SamplerKey): ShaderKey => ({ samplers: [s] });

function glsl(src: string, key: ShaderKey = {}): string {
  const r = translateTgsi(src, key);
  expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
  return r.ok ? r.glsl : "";
}

function error(src: string, key: ShaderKey = {}): string {
  const r = translateTgsi(src, key);
  expect(r.ok).toBe(false);
  return r.ok ? "" : r.error.message;
}

describe("TG4 lowering", () => {
  it("reads the 2x2 footprint at level 0 in the order (i0,j1), (i1,j1), (i1,j0), (i0,j0)", () => {
    const g = glsl(fs("2D", "FLOAT", tg4("2D")));
    expect(g).toContain("ivec2 g0_ = ivec2(floor(vec2(c_.x, c_.y) * vec2(gs_) - 0.5));");
    expect(g).toContain("ivec2 p0_ = g0_ + ivec2(0, 1);");
    expect(g).toContain("ivec2 p1_ = g0_ + ivec2(1, 1);");
    expect(g).toContain("ivec2 p2_ = g0_ + ivec2(1, 0);");
    expect(g).toContain("ivec2 p3_ = g0_ + ivec2(0, 0);");
    expect(g).toContain("float q0_ = textureLod(webvirgl_fs_samp0, vec2((vec2(p0_) + 0.5) / vec2(gs_)), 0.0).x;");
    expect(g).toContain("vec4(q0_, q1_, q2_, q3_)");
  });

  it("src1.x selects the component; the view swizzle applies before it", () => {
    expect(glsl(fs("2D", "FLOAT", tg4("2D"), "2"))).toContain("0.0).z;");
    // swizzle (b, a, r, g): component 1 reads channel a
    expect(glsl(fs("2D", "FLOAT", tg4("2D"), "1"), keyOf({ swizzle: [2, 3, 0, 1] }))).toContain("0.0).w;");
    // swizzle ZERO / ONE: a constant, no texture read
    const zero = glsl(fs("2D", "UINT", tg4("2D")), keyOf({ swizzle: [4, 1, 2, 3] }));
    expect(zero).toContain("uvec4(0u)");
    expect(zero).not.toContain("textureLod");
    expect(glsl(fs("2D", "SINT", tg4("2D")), keyOf({ swizzle: [5, 1, 2, 3] }))).toContain("ivec4(1)");
  });

  it("integer views keep their kind; arrays pass the layer; RECT coordinates are texels", () => {
    expect(glsl(fs("2D", "SINT", tg4("2D")))).toContain("int q3_ = textureLod(");
    expect(glsl(fs("2D_ARRAY", "UINT", tg4("2D_ARRAY")))).toContain("vec3((vec2(p1_) + 0.5) / vec2(gs_), c_.z), 0.0).x;");
    expect(glsl(fs("RECT", "FLOAT", tg4("RECT")))).toContain("ivec2 g0_ = ivec2(floor(vec2(c_.x, c_.y) - 0.5));");
  });

  it("adds the constant offset to the footprint origin", () => {
    expect(glsl(fs("2D", "FLOAT", tg4("2D", ", IMM[1].xyyy")))).toContain("- 0.5)) + ivec2((-32), 31);");
  });

  it("border wraps replace texels outside the texture on that axis by the border component", () => {
    const g = glsl(fs("2D", "FLOAT", tg4("2D"), "3"), keyOf({ border: { wrap: ["border", "clamp", "none"], linear: false } }));
    expect(g).toContain("vec2(c_.x, clamp(c_.y, 0.0, 1.0))");
    expect(g).toContain("if (p0_.x < 0 || p0_.x >= gs_.x || p0_.y < 0 || p0_.y >= gs_.y) q0_ = uintBitsToFloat(webvirgl_fs_border0.w);");
  });

  it("cube maps pick the face by the major axis and step over edges onto the neighbouring face", () => {
    const g = glsl(fs("CUBE", "FLOAT", tg4("CUBE")));
    expect(g).toContain("vec2 fc_ = vec2(dot(d_, fs_), dot(d_, ft_)) / dot(d_, fm_);");
    expect(g).toContain("float q0_ = textureLod(webvirgl_fs_samp0, fm_ * (1.0 - fo0_) + fs_ * fq0_.x + ft_ * fq0_.y, 0.0).x;");
  });

  it("rejects what is not emulated with a clear error", () => {
    expect(error(fs("2D", "FLOAT", tg4("2D"), "4"))).toMatch(/component 4 is out of range/);
    expect(error(fs("2D", "FLOAT", "TG4 TEMP[0], IN[0], TEMP[1].xxxx, SAMP[0], 2D"))).toMatch(/component select must be an immediate/);
    expect(error(fs("SHADOW2D", "FLOAT", tg4("SHADOW2D")))).toMatch(/TG4 on SHADOW2D is not emulated/);
    expect(error(fs("3D", "FLOAT", tg4("3D")))).toMatch(/TG4 on 3D is not emulated/);
    expect(error(fs("CUBE_ARRAY", "FLOAT", tg4("CUBE_ARRAY")))).toMatch(/CUBE_ARRAY/);
    expect(error(fs("CUBE", "FLOAT", tg4("CUBE", ", IMM[1].xyyy")))).toMatch(/texture offsets are not allowed with CUBE/);
    expect(error(fs("2D", "FLOAT", tg4("2D", ", TEMP[1].xyyy")))).toMatch(/offsets must be immediates/);
  });

  it.skipIf(!hasGlslang())("every supported target × return type compiles (glslangValidator)", async () => {
    const inputs: { name: string; stage: "frag" | "vert"; glsl: string }[] = [];
    for (const t of ["2D", "2D_ARRAY", "RECT", "CUBE"]) {
      for (const ret of ["FLOAT", "SINT", "UINT"]) {
        const extra = t === "CUBE" ? "" : ", IMM[1].xyyy";
        const key = keyOf({ swizzle: [1, 2, 3, 0], border: t === "CUBE" ? undefined : { wrap: ["border", "clamp", "none"], linear: true } });
        inputs.push({ name: `${t} ${ret}`, stage: "frag", glsl: glsl(fs(t, ret, tg4(t, extra), "1"), key) });
      }
    }
    expect([...(await compileAll(inputs))]).toEqual([]);
  });
});
