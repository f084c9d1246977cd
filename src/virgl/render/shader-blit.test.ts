import { describe, expect, it } from "vitest";
import { compileAll, hasGlslang } from "../../shader/test-util/glslang.ts";
import { formatInfo } from "../conv/formats.ts";
import { blitShaderSource, needsShaderBlit } from "./shader-blit.ts";
import { type GpuResource, T } from "./resources.ts";

const res = (format: number, glTarget: number = T.TEXTURE_2D, over: Partial<GpuResource> = {}): GpuResource =>
  ({ fmt: formatInfo(format), kind: "texture", texture: {} as WebGLTexture, glTarget, msaa: null, desc: { depth: 1 }, ...over }) as unknown as GpuResource;
const RGBA8 = 67, RGBA32F = 31, RGB9E5 = 125, A8_UINT = 201, RGB8_UINT = 179, RGBA32_UINT = 196, RGBA32_SINT = 200, Z24S8 = 19, DXT1 = 106, L8 = 9;

describe("needsShaderBlit", () => {
  it("takes sources blitFramebuffer cannot read or would copy as raw storage", () => {
    expect(needsShaderBlit(res(RGB9E5, T.TEXTURE_3D), res(RGBA32F))).toBe(true); // not renderable
    expect(needsShaderBlit(res(A8_UINT), res(RGBA32_UINT))).toBe(true); // alpha stored in R
    expect(needsShaderBlit(res(RGB8_UINT), res(RGBA32_UINT))).toBe(true);
    expect(needsShaderBlit(res(L8), res(RGBA8))).toBe(true);
  });
  it("leaves plain, depth, cube, multisample and mixed-kind blits alone", () => {
    expect(needsShaderBlit(res(RGBA8), res(RGBA8))).toBe(false);
    expect(needsShaderBlit(res(Z24S8), res(Z24S8))).toBe(false);
    expect(needsShaderBlit(res(RGB9E5, T.TEXTURE_CUBE_MAP), res(RGBA32F))).toBe(false);
    expect(needsShaderBlit(res(RGB9E5, T.TEXTURE_2D, { msaa: {} as GpuResource["msaa"] }), res(RGBA32F))).toBe(false);
    expect(needsShaderBlit(res(A8_UINT), res(RGBA32_SINT))).toBe(false);
    expect(needsShaderBlit(res(RGB9E5), res(RGB9E5))).toBe(false); // destination not renderable
    expect(needsShaderBlit(res(L8), res(L8))).toBe(false); // same storage layout: raw copy is right
  });
});

describe("blitShaderSource", () => {
  it("maps source storage to logical channels (alpha-only: R → A) and fetches per texel", () => {
    const fs = blitShaderSource(T.TEXTURE_2D, formatInfo(A8_UINT)!, formatInfo(RGBA32_UINT)!, false);
    expect(fs).toContain("uniform highp usampler2D u_src;");
    expect(fs).toContain("uvec4 l = uvec4(0u, 0u, 0u, t.x);");
    expect(fs).toContain("texelFetch(u_src, ivec2(floor(pos)), u_level)");
  });
  it("linear float blits of 3D sources sample the layer's centre", () => {
    const fs = blitShaderSource(T.TEXTURE_3D, formatInfo(RGB9E5)!, formatInfo(RGBA32F)!, true);
    expect(fs).toContain("sampler3D");
    expect(fs).toContain("textureLod(u_src, vec3(pos / vec2(textureSize(u_src, u_level).xy), u_layerCoord), float(u_level))");
  });
  it("writes through the destination's storage layout (luminance stored in R)", () => {
    const fs = blitShaderSource(T.TEXTURE_2D, formatInfo(RGBA8)!, formatInfo(L8)!, false);
    expect(fs).toContain("o = vec4(l.x, 0.0, 0.0, 0.0);");
  });
  it.skipIf(!hasGlslang())("every variant compiles", async () => {
    const inputs = [];
    for (const target of [T.TEXTURE_2D, T.TEXTURE_3D, T.TEXTURE_2D_ARRAY]) {
      for (const [s, d] of [[RGB9E5, RGBA32F], [A8_UINT, RGBA32_UINT], [205, RGBA32_SINT], [DXT1, RGBA8], [RGBA8, L8]]) {
        for (const linear of [false, true]) inputs.push({ name: `${target}/${s}/${d}/${linear}`, stage: "frag" as const, glsl: blitShaderSource(target, formatInfo(s)!, formatInfo(d)!, linear) });
      }
    }
    expect([...(await compileAll(inputs))]).toEqual([]);
  });
});
