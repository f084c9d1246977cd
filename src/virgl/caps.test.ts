import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CapsOffset as O, CapsReader } from "./caps-layout.ts";
import { CAPABILITY_BITS, type FormatProbe, type GlCapsSource, P, SCANOUT_FORMATS, buildCaps, readBset } from "./caps.ts";
import { formatInfo } from "./conv/formats.ts";
import { CAPS_V1_BYTES, CAPS_V2_BYTES, Cap, CapV2 } from "./protocol.ts";
import { REFERENCE_CAPSET_DIR } from "../vtest/capsets.ts";

const ref2 = new CapsReader(new Uint8Array(readFileSync(`${REFERENCE_CAPSET_DIR}/virglrenderer-0.10.4-gles30_capset2.bin`)));
const ref1 = new CapsReader(new Uint8Array(readFileSync(`${REFERENCE_CAPSET_DIR}/virglrenderer-0.10.4-gles30_capset1.bin`)));

/** A fake WebGL2 context reporting llvmpipe-like limits (the reference host). */
function fakeGl(extensions: string[], overrides: Record<number, unknown> = {}): GlCapsSource & { enabled: string[] } {
  const params: Record<number, unknown> = {
    [P.RENDERER]: "WebKit WebGL",
    [P.UNMASKED_RENDERER_WEBGL]: "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
    [P.MAX_TEXTURE_SIZE]: 16384,
    [P.MAX_3D_TEXTURE_SIZE]: 2048,
    [P.MAX_CUBE_MAP_TEXTURE_SIZE]: 16384,
    [P.MAX_ARRAY_TEXTURE_LAYERS]: 2048,
    [P.MAX_DRAW_BUFFERS]: 8,
    [P.MAX_COLOR_ATTACHMENTS]: 8,
    [P.MAX_SAMPLES]: 4,
    [P.MAX_VERTEX_ATTRIBS]: 16,
    [P.MAX_VERTEX_OUTPUT_COMPONENTS]: 64,
    [P.MAX_TRANSFORM_FEEDBACK_SEPARATE_ATTRIBS]: 4,
    [P.MAX_VERTEX_UNIFORM_BLOCKS]: 14,
    [P.MAX_FRAGMENT_UNIFORM_BLOCKS]: 14,
    [P.MAX_UNIFORM_BLOCK_SIZE]: 65536,
    [P.UNIFORM_BUFFER_OFFSET_ALIGNMENT]: 16,
    [P.MIN_PROGRAM_TEXEL_OFFSET]: -32,
    [P.MAX_PROGRAM_TEXEL_OFFSET]: 31,
    [P.MAX_TEXTURE_LOD_BIAS]: 16,
    [P.ALIASED_POINT_SIZE_RANGE]: new Float32Array([1, 255]),
    [P.ALIASED_LINE_WIDTH_RANGE]: new Float32Array([1, 255]),
    [P.MAX_TEXTURE_IMAGE_UNITS]: 32,
    [P.MAX_VERTEX_TEXTURE_IMAGE_UNITS]: 32,
    [P.MAX_VERTEX_UNIFORM_VECTORS]: 4096 + 16,
    [P.MAX_FRAGMENT_UNIFORM_VECTORS]: 4096 + 16,
    [P.MAX_TEXTURE_MAX_ANISOTROPY_EXT]: 16,
    [P.MAX_DUAL_SOURCE_DRAW_BUFFERS_WEBGL]: 1,
    ...overrides,
  };
  const enabled: string[] = [];
  return {
    enabled,
    getParameter: (p) => params[p] ?? null,
    getSupportedExtensions: () => extensions,
    getExtension: (name) => {
      if (!extensions.includes(name)) return null;
      enabled.push(name);
      return {};
    },
  };
}
const yes: FormatProbe = { texture: () => true, render: () => true, readback: () => true, maxSamples: (f) => (f.channel === "uint" || f.channel === "sint" ? 0 : 4) };
const ALL_EXT = [
  "EXT_color_buffer_float",
  "OES_texture_float_linear",
  "EXT_texture_norm16",
  "WEBGL_compressed_texture_s3tc",
  "WEBGL_compressed_texture_s3tc_srgb",
  "EXT_texture_compression_rgtc",
  "EXT_texture_compression_bptc",
  "WEBGL_compressed_texture_etc",
  "WEBGL_compressed_texture_astc",
  "EXT_texture_filter_anisotropic",
  "WEBGL_debug_renderer_info",
  "WEBGL_blend_func_extended",
];

describe("caps layout", () => {
  const caps = buildCaps(fakeGl(ALL_EXT), yes);
  const r = new CapsReader(caps.v2);

  it("sizes and versions", () => {
    expect(caps.v1.length).toBe(CAPS_V1_BYTES);
    expect(caps.v2.length).toBe(CAPS_V2_BYTES);
    expect(new CapsReader(caps.v1).u32(0)).toBe(ref1.u32(0)); // 1
    expect(r.u32(0)).toBe(ref2.u32(0)); // 2
    expect(caps.v1.subarray(4)).toEqual(caps.v2.subarray(4, CAPS_V1_BYTES)); // v1 is v2's prefix
  });

  it("fields that match the reference GLES 3.0 host byte for byte", () => {
    const same = [
      O.max_texture_array_layers,
      O.max_streamout_buffers,
      O.max_dual_source_render_targets,
      O.max_render_targets,
      O.max_samples,
      O.prim_mask,
      O.max_uniform_blocks,
      O.max_viewports,
      O.min_aliased_point_size,
      O.max_aliased_point_size,
      O.min_aliased_line_width,
      O.max_aliased_line_width,
      O.max_texture_lod_bias,
      O.max_geom_output_vertices,
      O.max_vertex_outputs,
      O.max_vertex_attribs,
      O.min_texel_offset,
      O.max_texel_offset,
      O.uniform_buffer_offset_alignment,
      O.max_texture_2d_size,
      O.max_texture_3d_size,
      O.max_texture_cube_size,
      O.host_feature_check_version,
      O.max_video_memory,
      O.max_anisotropy,
      O.max_shader_sampler_views,
      O.max_const_buffer_size,
      O.max_const_buffer_size + 4,
      O.max_const_buffer_size + 8,
      O.num_video_caps,
      O.max_uniform_block_size,
    ];
    for (const off of same) expect([off, r.u32(off)]).toEqual([off, ref2.u32(off)]);
    expect(r.u32(O.glsl_level)).toBe(140); // reference 130: texture buffers are emulated (GL 3.1)
    expect(r.u32(O.prim_mask)).toBe(0x7f);
    expect(r.f32(O.max_aliased_point_size)).toBe(255);
  });

  it("capability bits are a documented subset of the reference", () => {
    const refBits = ref2.u32(O.capability_bits);
    expect(r.u32(O.capability_bits)).toBe(CAPABILITY_BITS >>> 0);
    expect((CAPABILITY_BITS & ~refBits) >>> 0).toBe(0);
    for (const c of [Cap.TRANSFER, Cap.COPY_TRANSFER, Cap.HOST_IS_GLES]) expect(r.u32(O.capability_bits) & c).toBe(c);
    for (const c of [Cap.COMPUTE_SHADER, Cap.FB_NO_ATTACH, Cap.TEXTURE_BARRIER, Cap.QBO, Cap.SET_MIN_SAMPLES]) expect(r.u32(O.capability_bits) & c).toBe(0);
    const v2 = r.u32(O.capability_bits_v2);
    expect(v2 & ~ref2.u32(O.capability_bits_v2)).toBe(0);
    expect(v2 & CapV2.COPY_TRANSFER_BOTH_DIRECTIONS).toBe(CapV2.COPY_TRANSFER_BOTH_DIRECTIONS);
    expect(v2 & CapV2.BLEND_EQUATION).toBe(0);
  });

  it("bset: reference bits minus what WebGL2 lacks, plus vertex_element_instance_divisor", () => {
    const ours = readBset(r);
    const ref = readBset(ref2);
    expect(ours.texture_multisample).toBe(true); // renderbuffers + resolve
    expect(ours.cube_map_array || ours.has_tessellation_shaders || ours.has_indirect_draw || ours.has_fp64).toBe(false);
    for (const n of ["start_instance", "primitive_restart", "instanceid", "seamless_cube_map", "occlusion_query", "streamout_pause_resume", "conditional_render"] as const) {
      expect([n, ours[n]]).toEqual([n, ref[n]]);
    }
    for (const n of ["mirror_clamp", "depth_clip_disable", "has_cull", "polygon_offset_clamp", "has_sample_shading", "texture_query_lod", "timer_query", "indep_blend_enable"] as const) {
      expect([n, ours[n]]).toEqual([n, false]);
    }
    expect(ours.vertex_element_instance_divisor).toBe(true);
  });

  it("independent blend only with OES_draw_buffers_indexed (which then gets enabled)", () => {
    const gl = fakeGl([...ALL_EXT, "OES_draw_buffers_indexed"]);
    const caps = buildCaps(gl, yes);
    const b = readBset(new CapsReader(caps.v2));
    expect([b.indep_blend_enable, b.indep_blend_func]).toEqual([true, true]);
    expect(caps.extensions).toContain("OES_draw_buffers_indexed");
  });

  it("format masks: sampler/render within our table; readback ⊂ render; scanout = 2D formats", () => {
    const sampler = r.mask(O.sampler);
    expect(sampler).toEqual(caps.samplerFormats);
    for (const f of sampler) expect(formatInfo(f)).toBeDefined();
    const refSampler = new Set(ref2.mask(O.sampler));
    // Every reference sampler format we support is advertised; we add a few the reference lacks.
    expect(sampler.filter((f) => refSampler.has(f)).length).toBe(refSampler.size - 4);
    const render = r.mask(O.render);
    expect(render).toContain(1);
    expect(render).toContain(67);
    expect(render).not.toContain(16); // depth formats go through the empty depthstencil mask
    const readback = new Set(r.mask(O.supported_readback_formats));
    for (const f of readback) expect(render).toContain(f);
    expect(r.mask(O.scanout)).toEqual([...SCANOUT_FORMATS].sort((a, b) => a - b));
    expect(r.mask(O.depthstencil)).toEqual([]);
    expect(r.mask(O.vertexbuffer)).toEqual([]);
    const ms = r.mask(O.supported_multisample_formats);
    for (const id of [1, 67, 104, 19, 18]) expect(ms).toContain(id); // BGRA8, RGBA8, sRGB, Z24S8, Z32F
    for (const id of ms) expect(formatInfo(id)!.channel === "uint" || formatInfo(id)!.channel === "sint").toBe(false);
  });

  it("renderer string names the browser's renderer", () => {
    const full = "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)";
    expect(r.cstr(O.renderer, 64)).toBe(full.slice(0, 63));
    expect(caps.v2[O.renderer + 63]).toBe(0);
  });
});

describe("caps follow the context", () => {
  it("a bare WebGL2 context: no float render, no compressed, RENDERER string, no dual source", () => {
    const gl = fakeGl([]);
    const caps = buildCaps(gl, yes);
    const r = new CapsReader(caps.v2);
    expect(caps.extensions).toEqual([]);
    expect(r.mask(O.render)).not.toContain(31);
    expect(r.mask(O.sampler)).not.toContain(105);
    expect(r.mask(O.sampler)).toContain(31); // float textures are core, only rendering needs the extension
    expect(r.cstr(O.renderer, 64)).toBe("WebKit WebGL");
    expect(r.u32(O.max_dual_source_render_targets)).toBe(0);
    expect(r.f32(O.max_anisotropy)).toBe(1);
  });
  it("extensions that are used get enabled", () => {
    const gl = fakeGl(ALL_EXT);
    const caps = buildCaps(gl, yes);
    expect(caps.extensions).toContain("EXT_color_buffer_float");
    expect(gl.enabled).toContain("WEBGL_compressed_texture_s3tc");
    // 32-bit float textures are sampled LINEAR by the guest: incomplete (black) without it
    expect(gl.enabled).toContain("OES_texture_float_linear");
  });
  it("the probe vetoes formats the browser cannot actually create or render", () => {
    const probe: FormatProbe = { texture: (f) => f.id !== 124, render: (f) => f.id !== 94, readback: (f) => f.id !== 1, maxSamples: () => 0 };
    const r = new CapsReader(buildCaps(fakeGl(ALL_EXT), probe).v2);
    expect(r.mask(O.sampler)).not.toContain(124);
    expect(r.mask(O.render)).not.toContain(94);
    expect(r.mask(O.supported_readback_formats)).not.toContain(1);
    expect(r.mask(O.render)).toContain(1);
  });
  it("a format's extension is enabled before the probe is asked about it (float render targets → guest GLES 3.0)", () => {
    const gl = fakeGl(ALL_EXT);
    // Like the real probe: rendering to a float texture only works once EXT_color_buffer_float is on.
    const probe: FormatProbe = { ...yes, render: (f) => f.renderExtension === null || gl.enabled.includes(f.renderExtension) };
    const r = new CapsReader(buildCaps(gl, probe).v2);
    for (const id of [28, 31, 91, 94, 124]) expect(r.mask(O.render)).toContain(id); // R32F, RGBA32F, R16F, RGBA16F, R11G11B10F
  });
  it("GL 3.1 level: GLSL 1.40 and texture buffers (2D mirrors of 2048-element rows)", () => {
    const r = new CapsReader(buildCaps(fakeGl(ALL_EXT, { [P.MAX_TEXTURE_SIZE]: 8192 }), yes).v2);
    expect(r.u32(O.glsl_level)).toBe(140);
    expect(r.u32(O.max_tbo_size)).toBe(2048 * 8192);
    expect(r.u32(O.max_tbo_size)).toBeGreaterThanOrEqual(65536); // ARB_texture_buffer_object minimum
    expect(r.u32(O.texture_buffer_offset_alignment)).toBe(16);
  });
  it("multisampling: off (no bit, no formats) when renderbuffers take fewer than max_samples samples", () => {
    const r = new CapsReader(buildCaps(fakeGl(ALL_EXT), { ...yes, maxSamples: () => 2 }).v2);
    expect(readBset(r).texture_multisample).toBe(false);
    expect(r.mask(O.supported_multisample_formats)).toEqual([]);
    expect(r.u32(O.max_samples)).toBe(4);
    const one = new CapsReader(buildCaps(fakeGl(ALL_EXT, { [P.MAX_SAMPLES]: 1 }), yes).v2);
    expect(readBset(one).texture_multisample).toBe(false);
  });
  it("limits come from the context", () => {
    const r = new CapsReader(
      buildCaps(fakeGl([], { [P.MAX_TEXTURE_SIZE]: 8192, [P.MAX_DRAW_BUFFERS]: 4, [P.MAX_VERTEX_UNIFORM_VECTORS]: 256, [P.MIN_PROGRAM_TEXEL_OFFSET]: -8 }), yes).v2,
    );
    expect(r.u32(O.max_texture_2d_size)).toBe(8192);
    expect(r.u32(O.max_render_targets)).toBe(4);
    expect(r.u32(O.max_const_buffer_size)).toBe((256 - 16) * 16);
    expect(r.i32(O.min_texel_offset)).toBe(-8);
    // ARB_texture_gather is emulated in the translator (TG4 → four texel reads), offsets on integer coordinates
    expect(r.u32(O.max_texture_gather_components)).toBe(4);
    expect([r.i32(O.min_texture_gather_offset), r.i32(O.max_texture_gather_offset)]).toEqual([-32, 31]);
    expect(r.u32(O.max_vertex_attrib_stride)).toBe(255);
  });
});
