/**
 * Border-colour and LOD-bias emulation in the translated shader (emit/texture-border.ts): the GLSL
 * for every target/opcode combination compiles, declares the per-sampler uniforms, and leaves
 * samplers without the key fields untouched.
 */
import { describe, expect, it } from "vitest";
import { translateTgsi } from "../translate.ts";
import { compileAll, hasGlslang } from "../test-util/glslang.ts";
import type { SamplerKey, ShaderKey } from "../types.ts";

const fs = (target: string, ret: string, body: string): string => `FRAG
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL SAMP[0]
DCL SVIEW[0], ${target}, ${ret}
DCL TEMP[0..3]
IMM[0] INT32 {1, 1, 1, 0}
IMM[1] FLT32 {0x3f800000, 0x40000000, 0xbf000000, 0x00000000}
  ${body}
  MOV OUT[0], TEMP[0]
  END
`;
const vs = (target: string, body: string): string => `VERT
DCL IN[0]
DCL OUT[0], POSITION
DCL OUT[1], GENERIC[0]
DCL SAMP[0]
DCL SVIEW[0], ${target}, FLOAT
DCL TEMP[0]
  ${body}
  MOV OUT[0], IN[0]
  MOV OUT[1], TEMP[0]
  END
`;
const BORDER: SamplerKey = { border: { wrap: ["border", "clamp", "border"], linear: true } };
const keyOf = (s: SamplerKey): ShaderKey => ({ samplers: [s] });

const OPS = ["TEX TEMP[0], IN[0], SAMP[0], %T", "TXP TEMP[0], IN[0], SAMP[0], %T", "TXB TEMP[0], IN[0], SAMP[0], %T", "TXL TEMP[0], IN[0], SAMP[0], %T", "TXD TEMP[0], IN[0], IN[0], IN[0], SAMP[0], %T"];
const TARGETS = ["1D", "2D", "3D", "RECT", "1D_ARRAY", "2D_ARRAY"];

describe("border colour emulation", () => {
  it("blends with the border uniform by the footprint weight, per wrapped axis", () => {
    const r = translateTgsi(fs("2D", "FLOAT", "TEX TEMP[0], IN[0], SAMP[0], 2D"), keyOf(BORDER));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.glsl).toContain("uniform uvec4 webvirgl_fs_border0;");
    expect(r.glsl).toContain("webvirgl_border_linear(c_.x, float(textureSize(webvirgl_fs_samp0, 0).x))");
    // GL_CLAMP: the coordinate is clamped first; r is not an axis of a 2D texture
    expect(r.glsl).toContain("webvirgl_border_linear(clamp(c_.y, 0.0, 1.0)");
    expect(r.glsl).not.toContain("c_.z, float");
    expect(r.glsl).toContain("mix(uintBitsToFloat(webvirgl_fs_border0), bs_, bw_)");
    expect(r.info.uniforms.map((u) => u.name)).toContain("webvirgl_fs_border0");
  });

  it("nearest filtering tests 0 <= c < 1; legacy CLAMP without linear filtering needs no border", () => {
    const near = translateTgsi(fs("2D", "FLOAT", "TEX TEMP[0], IN[0], SAMP[0], 2D"), keyOf({ border: { wrap: ["border", "none", "none"], linear: false } }));
    expect(near.ok && near.glsl.includes("webvirgl_border_nearest(c_.x)")).toBe(true);
    const clampNearest = translateTgsi(fs("2D", "FLOAT", "TEX TEMP[0], IN[0], SAMP[0], 2D"), keyOf({ border: { wrap: ["clamp", "clamp", "none"], linear: false } }));
    expect(clampNearest.ok && !clampNearest.glsl.includes("webvirgl_fs_border0")).toBe(true);
  });

  it("integer views select instead of blending; shadow, cube and texel fetches are left alone", () => {
    const int = translateTgsi(fs("2D", "SINT", "TEX TEMP[0], IN[0], SAMP[0], 2D"), keyOf({ border: { wrap: ["border", "border", "none"], linear: false } }));
    expect(int.ok && int.glsl.includes("(bw_ > 0.5 ? bs_ : ivec4(webvirgl_fs_border0))")).toBe(true);
    for (const [target, body] of [["SHADOW2D", "TEX TEMP[0], IN[0], SAMP[0], SHADOW2D"], ["CUBE", "TEX TEMP[0], IN[0], SAMP[0], CUBE"], ["2D", "TXF TEMP[0], IMM[0], SAMP[0], 2D"]] as const) {
      const r = translateTgsi(fs(target, "FLOAT", body), keyOf(BORDER));
      expect(r.ok, `${target}: ${r.ok ? "" : r.error.message}`).toBe(true);
      if (r.ok) expect(r.glsl, target).not.toContain("border0");
    }
  });

  it("texel offsets shift the tested coordinate", () => {
    const r = translateTgsi(fs("2D", "FLOAT", "TEX TEMP[0], IN[0], SAMP[0], 2D, IMM[0].xyyy"), keyOf(BORDER));
    expect(r.ok && r.glsl.includes("(c_.x + float(ivec2(1, 1).x) / float(textureSize(webvirgl_fs_samp0, 0).x))")).toBe(true);
  });

  it("samplers without the key fields translate exactly as before", () => {
    const src = fs("2D", "FLOAT", "TXB TEMP[0], IN[0], SAMP[0], 2D");
    const a = translateTgsi(src, {});
    const b = translateTgsi(src, keyOf({}));
    expect(a.ok && b.ok && a.glsl === b.glsl).toBe(true);
    expect(a.ok && !/border|lod_bias/.test(a.glsl)).toBe(true);
  });
});

describe("sampler LOD bias", () => {
  const bias = keyOf({ lodBias: true });
  it("is added to implicit and explicit LODs and scales gradients", () => {
    const get = (body: string, target = "2D"): string => {
      const r = translateTgsi(fs(target, "FLOAT", body), bias);
      expect(r.ok, r.ok ? "" : r.error.message).toBe(true);
      return r.ok ? r.glsl : "";
    };
    expect(get("TEX TEMP[0], IN[0], SAMP[0], 2D")).toContain("texture(webvirgl_fs_samp0, c_.xy, webvirgl_fs_lod_bias0)");
    expect(get("TXB TEMP[0], IN[0], SAMP[0], 2D")).toContain("(c_.w + webvirgl_fs_lod_bias0)");
    expect(get("TXL TEMP[0], IN[0], SAMP[0], 2D")).toContain("textureLod(webvirgl_fs_samp0, c_.xy, (c_.w + webvirgl_fs_lod_bias0))");
    expect(get("TXD TEMP[0], IN[0], IN[0], IN[0], SAMP[0], 2D")).toContain("dx_ *= exp2(webvirgl_fs_lod_bias0); dy_ *= exp2(webvirgl_fs_lod_bias0);");
    expect(get("TEX TEMP[0], IN[0], SAMP[0], SHADOW1D", "SHADOW1D")).toContain("webvirgl_fs_lod_bias0)");
    const r = translateTgsi(fs("2D", "FLOAT", "TEX TEMP[0], IN[0], SAMP[0], 2D"), bias);
    expect(r.ok && r.info.uniforms.some((u) => u.name === "webvirgl_fs_lod_bias0" && u.glslType === "float")).toBe(true);
  });

  it("a vertex shader's implicit LOD is 0 + bias", () => {
    const r = translateTgsi(vs("2D", "TEX TEMP[0], IN[0], SAMP[0], 2D"), { ...bias, fsInputs: [] });
    expect(r.ok && r.glsl.includes("textureLod(webvirgl_vs_samp0, c_.xy, webvirgl_vs_lod_bias0)")).toBe(true);
  });
});

describe("every target × opcode with border + bias compiles", () => {
  it.skipIf(!hasGlslang())("glslangValidator accepts the GLSL", async () => {
    const inputs: { name: string; stage: "frag" | "vert"; glsl: string }[] = [];
    const errors: string[] = [];
    for (const t of TARGETS) {
      for (const op of OPS) {
        if (op.startsWith("TXD") && t === "1D_ARRAY") continue; // not a TGSI combination Mesa emits with 2 gradient dims
        for (const [ret, key] of [["FLOAT", keyOf({ ...BORDER, lodBias: true })], ["UINT", keyOf({ border: { wrap: ["border", "border", "border"], linear: false } })]] as const) {
          const body = op.replace("%T", t);
          const r = translateTgsi(fs(t, ret, body), key);
          if (!r.ok) errors.push(`${t} ${ret} ${body}: ${r.error.message}`);
          else inputs.push({ name: `${t} ${ret} ${body}`, stage: "frag", glsl: r.glsl });
        }
      }
    }
    const v = translateTgsi(vs("2D", "TEX TEMP[0], IN[0], SAMP[0], 2D"), { samplers: [{ ...BORDER, lodBias: true }], fsInputs: [] });
    if (v.ok) inputs.push({ name: "vs", stage: "vert", glsl: v.glsl });
    else errors.push(`vs: ${v.error.message}`);
    expect(errors).toEqual([]);
    const failed = await compileAll(inputs);
    expect([...failed]).toEqual([]);
  });
});
