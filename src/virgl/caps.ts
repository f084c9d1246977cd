// Fills virgl_caps_v1 / virgl_caps_v2 (virgl-protocol.md §5) from a live WebGL2 context.
//
// Policy: start from what virglrenderer 0.10.4 reports for a GLES 3.0 host (capsets/gles30.*),
// then advertise only what this renderer implements or emulates on WebGL2. Every deviation from
// the reference is listed in `CAPS_DEVIATIONS` (and README.md) with its reason. Formats come from
// the pure table (conv/formats.ts) filtered by a probe that really creates tiny textures /
// framebuffers on the context (render/format-probe.ts), so a browser lacking e.g. float render
// targets never has them advertised.

import { type CapsReader, CapsOffset as O, CapsWriter, RENDERER_BYTES } from "./caps-layout.ts";
import { type FormatInfo, allFormats, isRenderable, storageFormat } from "./conv/formats.ts";
import { canReadBack } from "./conv/readback.ts";
import { TBO_ROW_ELEMENTS } from "./render/texture-buffers.ts";
import { Bset, type BsetName, CAPS_V1_BYTES, CAPS_V2_BYTES, Cap, CapV2 } from "./protocol.ts";

/** The slice of WebGL2RenderingContext the caps need (injectable for tests). */
export interface GlCapsSource {
  getParameter(pname: number): unknown;
  getSupportedExtensions(): string[] | null;
  getExtension(name: string): unknown;
}

/** Answers "can this format really be created / rendered to / read back here?". */
export interface FormatProbe {
  texture(f: FormatInfo): boolean;
  render(f: FormatInfo): boolean;
  readback(f: FormatInfo): boolean;
  /** Most samples a renderbuffer of this format may have here (0: no multisampling). */
  maxSamples(f: FormatInfo): number;
}

/** GL enums queried (WebGL2 + extensions). */
export const P = {
  RENDERER: 0x1f01,
  UNMASKED_RENDERER_WEBGL: 0x9246,
  MAX_TEXTURE_SIZE: 0x0d33,
  MAX_3D_TEXTURE_SIZE: 0x8073,
  MAX_CUBE_MAP_TEXTURE_SIZE: 0x851c,
  MAX_ARRAY_TEXTURE_LAYERS: 0x88ff,
  MAX_DRAW_BUFFERS: 0x8824,
  MAX_COLOR_ATTACHMENTS: 0x8cdf,
  MAX_SAMPLES: 0x8d57,
  MAX_VERTEX_ATTRIBS: 0x8869,
  MAX_VERTEX_OUTPUT_COMPONENTS: 0x9122,
  MAX_TRANSFORM_FEEDBACK_SEPARATE_ATTRIBS: 0x8c8b,
  MAX_VERTEX_UNIFORM_BLOCKS: 0x8a2b,
  MAX_FRAGMENT_UNIFORM_BLOCKS: 0x8a2d,
  MAX_UNIFORM_BLOCK_SIZE: 0x8a30,
  UNIFORM_BUFFER_OFFSET_ALIGNMENT: 0x8a34,
  MIN_PROGRAM_TEXEL_OFFSET: 0x8904,
  MAX_PROGRAM_TEXEL_OFFSET: 0x8905,
  MAX_TEXTURE_LOD_BIAS: 0x84fd,
  ALIASED_POINT_SIZE_RANGE: 0x846d,
  ALIASED_LINE_WIDTH_RANGE: 0x846e,
  MAX_TEXTURE_IMAGE_UNITS: 0x8872,
  MAX_VERTEX_TEXTURE_IMAGE_UNITS: 0x8b4c,
  MAX_VERTEX_UNIFORM_VECTORS: 0x8dfb,
  MAX_FRAGMENT_UNIFORM_VECTORS: 0x8dfd,
  MAX_TEXTURE_MAX_ANISOTROPY_EXT: 0x84ff,
  MAX_DUAL_SOURCE_DRAW_BUFFERS_WEBGL: 0x88fc,
} as const;

/** virgl formats a 3D resource can be scanned out from: the virtio-gpu 2D formats. */
export const SCANOUT_FORMATS: readonly number[] = [1, 2, 3, 4, 67, 68, 121, 134];

/** Uniform vectors kept back from the default constant buffer for the translator's own uniforms. */
export const RESERVED_UNIFORM_VECTORS = 16;
/** WebGL caps vertexAttribPointer strides at 255 bytes (WebGL 2.0 §5.14.10 / 1.0 §6.9). */
export const WEBGL_MAX_VERTEX_ATTRIB_STRIDE = 255;
/** GLSL level advertised: 1.40 (GL 3.1). */
export const GLSL_LEVEL = 140;
/** Behaviour level of virglrenderer 0.10.4, whose semantics this renderer follows. */
export const HOST_FEATURE_CHECK_VERSION = 15;

export const CAPABILITY_BITS =
  Cap.TGSI_INVARIANT |
  Cap.ROBUST_BUFFER_ACCESS |
  Cap.TRANSFER |
  Cap.FBO_MIXED_COLOR_FORMATS |
  Cap.HOST_IS_GLES |
  Cap.COPY_TRANSFER |
  Cap.SRGB_WRITE_CONTROL; // linear/sRGB surface vs storage made up in the FS and CLEAR (render/srgb-write.ts)
export const CAPABILITY_BITS_V2 = CapV2.STRING_MARKER | CapV2.COPY_TRANSFER_BOTH_DIRECTIONS;

/** What differs from the virglrenderer 0.10.4 GLES 3.0 capset, and why. */
export const CAPS_DEVIATIONS: Readonly<Record<string, string>> = {
  "bset.conditional_render": "on: emulated on the CPU from the query result once WebGL has it (render/queries.ts); WAIT modes with an unknown result suspend the context's stream until a later task (renderer.ts), NO_WAIT renders",
  "bset.depth_clip_disable": "only with EXT_depth_clamp and DRAW_PATH_SUPPORTS.depthClamp",
  "bset.mirror_clamp": "off: WebGL2 has no MIRROR_CLAMP wrap modes",
  "bset.polygon_offset_clamp": "only with EXT_polygon_offset_clamp and DRAW_PATH_SUPPORTS.polygonOffsetClamp",
  "bset.has_cull": "only with WEBGL_clip_cull_distance and DRAW_PATH_SUPPORTS.cullDistance",
  "bset.has_sample_shading": "off: no sample shading in WebGL2",
  "bset.texture_query_lod": "off: GLSL ES 3.00 has no textureQueryLod",
  "bset.timer_query": "only with EXT_disjoint_timer_query_webgl2 and DRAW_PATH_SUPPORTS.timerQuery",
  "bset.indep_blend_enable/func": "only with OES_draw_buffers_indexed (per-buffer overrides in render/indexed-blend.ts)",
  "bset.vertex_element_instance_divisor": "on (reference 0): WebGL2 has vertexAttribDivisor",
  max_dual_source_render_targets: "only with WEBGL_blend_func_extended",
  "bset.texture_multisample":
    "on (reference 0): multisample resources are WebGL2 multisample renderbuffers resolved into a texture before any read; a multisample sampler view reads the resolved texel for every sample index; SET_SAMPLE_MASK is not applied (WebGL2 has no sample mask)",
  supported_multisample_formats: "sampled + (colour-renderable or depth) formats whose renderbuffers take max_samples samples (no integer formats in WebGL2)",
  "max_samples/texel offsets/sizes/limits": "queried from the context instead of llvmpipe's values",
  max_vertex_attrib_stride: "255: WebGL's vertexAttribPointer limit (reference 2048)",
  glsl_level: "140 (reference 130): GLSL 1.40's texture buffers are emulated (below)",
  max_tbo_size: `${TBO_ROW_ELEMENTS} × MAX_TEXTURE_SIZE elements (reference 0): buffer sampler views are mirrored into 2D textures (render/texture-buffers.ts)`,
  max_const_buffer_size: `uniform vectors per stage minus ${RESERVED_UNIFORM_VECTORS} reserved, × 16 bytes`,
  capability_bits:
    "dropped SET_MIN_SAMPLES (no sample shading), COPY_IMAGE (no GPU copy for compressed formats), TGSI_PRECISE (Mesa strips PRECISE itself), TGSI_FBFETCH, TGSI_COMPONENTS, GUEST_MAY_INIT_LOG, 3D_ASTC, INDIRECT_INPUT_ADDR (Mesa lowers it), CLIP_HALFZ, APP_TWEAK_SUPPORT (SET_TWEAKS is still accepted)",
  capability_bits_v2: "dropped BLEND_EQUATION (no advanced blend; would also bring TEXTURE_BARRIER), UNTYPED_RESOURCE (no blobs), TEXTURE_SHADOW_LOD (Mesa lowers shadow LOD sampling)",
  sampler_formats: "table ∩ probe: no L8/R8/R8G8 sRGB, no X24S8; compressed only with their WEBGL_/EXT_ extension; norm16 only with EXT_texture_norm16",
  render_formats: "table ∩ probe: alpha-only targets need an output swizzle (not yet); float targets only with EXT_color_buffer_float",
  supported_readback_formats: "what readPixels can return after a framebuffer attach: no depth/stencil, no compressed",
  scanout: "only the virtio-gpu 2D formats (reference: all bits)",
  renderer: "the browser's WebGL renderer (UNMASKED_RENDERER_WEBGL if exposed, else RENDERER)",
};

/**
 * Optional features that need both a WebGL extension and draw-path support. Each flips to true
 * when render/draw.ts implements it; until then the cap stays off even if the browser has the
 * extension (the caps promise only what the renderer does).
 */
export const DRAW_PATH_SUPPORTS = {
  independentBlend: true, // OES_draw_buffers_indexed: per-RT blend state (render/indexed-blend.ts)
  depthClamp: false, // EXT_depth_clamp: rasterizer depth_clip = 0
  polygonOffsetClamp: false, // EXT_polygon_offset_clamp
  cullDistance: false, // WEBGL_clip_cull_distance + translator CULLDIST
  timerQuery: false, // EXT_disjoint_timer_query_webgl2
};

export interface CapsResult {
  v1: Uint8Array;
  v2: Uint8Array;
  /** Extensions the caps rely on; the renderer must have enabled them (getExtension). */
  extensions: string[];
  samplerFormats: number[];
  renderFormats: number[];
  readbackFormats: number[];
}

function num(gl: GlCapsSource, p: number, fallback: number): number {
  const v = gl.getParameter(p);
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}
function range(gl: GlCapsSource, p: number): [number, number] {
  const v = gl.getParameter(p);
  if (v && typeof v === "object" && "length" in v && (v as ArrayLike<number>).length >= 2) {
    const a = v as ArrayLike<number>;
    return [a[0], a[1]];
  }
  return [1, 1];
}

export function buildCaps(gl: GlCapsSource, probe: FormatProbe): CapsResult {
  const supported = new Set(gl.getSupportedExtensions() ?? []);
  const enabled = new Set<string>();
  const has = (ext: string): boolean => {
    if (!supported.has(ext)) return false;
    if (!enabled.has(ext)) {
      if (gl.getExtension(ext) === null) return false;
      enabled.add(ext);
    }
    return true;
  };

  // 32-bit float textures are sampled with the guest's filter; WebGL2 treats them as incomplete
  // (reads black) under LINEAR unless OES_texture_float_linear is enabled.
  has("OES_texture_float_linear");
  const formats = allFormats();
  // each format as this context stores it (16-bit normalized may be stored as float: formats.ts)
  const stored = (f: FormatInfo): FormatInfo | undefined => storageFormat(f, has);
  const samplerFormats = formats.filter((f) => { const s = stored(f); return s !== undefined && probe.texture(s); }).map((f) => f.id);
  const samplerSet = new Set(samplerFormats);
  const renderFormats = formats.filter((f) => { const s = stored(f); return samplerSet.has(f.id) && !f.depth && s !== undefined && isRenderable(s, has) && probe.render(s); }).map((f) => f.id);
  const renderSet = new Set(renderFormats);
  // Multisample resources are multisample renderbuffers + a resolved texture (render/msaa.ts): a
  // format qualifies when it can be sampled and a renderbuffer of it takes max_samples samples
  // (WebGL2 has none for integer formats). Depth/stencil formats are not in the render mask.
  const maxSamples = Math.min(4, num(gl, P.MAX_SAMPLES, 4));
  const multisampleFormats =
    maxSamples > 1
      ? formats.filter((f) => samplerSet.has(f.id) && (renderSet.has(f.id) || f.depth) && probe.maxSamples(stored(f)!) >= maxSamples).map((f) => f.id)
      : [];
  const readbackFormats = formats.filter((f) => renderSet.has(f.id) && canReadBack(stored(f)!) && probe.readback(stored(f)!)).map((f) => f.id);

  const w = new CapsWriter(CAPS_V2_BYTES);
  w.u32(O.max_version, 2);
  w.mask(O.sampler, samplerFormats);
  w.mask(O.render, renderFormats);
  // depthstencil / vertexbuffer masks stay empty like vrend's: Mesa then accepts any Z/S format.

  const bset: Partial<Record<BsetName, boolean>> = {
    indep_blend_enable: DRAW_PATH_SUPPORTS.independentBlend && has("OES_draw_buffers_indexed"),
    indep_blend_func: DRAW_PATH_SUPPORTS.independentBlend && has("OES_draw_buffers_indexed"),
    start_instance: true, // emulated: instanced attribute offsets advanced by start_instance / divisor
    primitive_restart: true, // WebGL2 restarts at the all-ones index; other indices rewritten on the CPU
    instanceid: true,
    vertex_element_instance_divisor: true,
    seamless_cube_map: true, // WebGL2 cube maps are always seamless
    occlusion_query: true, // ANY_SAMPLES_PASSED; counts reported as 0/1 like vrend on GLES
    conditional_render: true, // CPU-side: render/queries.ts renderAllowed()
    texture_multisample: multisampleFormats.length > 0, // renderbuffers + resolve (render/msaa.ts)
    timer_query: DRAW_PATH_SUPPORTS.timerQuery && has("EXT_disjoint_timer_query_webgl2"),
    streamout_pause_resume: true,
    depth_clip_disable: DRAW_PATH_SUPPORTS.depthClamp && has("EXT_depth_clamp"),
    has_cull: DRAW_PATH_SUPPORTS.cullDistance && has("WEBGL_clip_cull_distance"),
    polygon_offset_clamp: DRAW_PATH_SUPPORTS.polygonOffsetClamp && has("EXT_polygon_offset_clamp"),
  };
  let bits = 0;
  for (const [name, on] of Object.entries(bset) as [BsetName, boolean][]) if (on) bits |= 1 << Bset[name];
  w.u32(O.bset, bits);

  // GLSL 1.40 (GL 3.1): its additions over 1.30 that reach TGSI are texture buffers (mirrored,
  // render/texture-buffers.ts), uniform blocks and gl_InstanceID, all handled.
  w.u32(O.glsl_level, GLSL_LEVEL);
  w.u32(O.max_texture_array_layers, num(gl, P.MAX_ARRAY_TEXTURE_LAYERS, 256));
  w.u32(O.max_streamout_buffers, Math.min(4, num(gl, P.MAX_TRANSFORM_FEEDBACK_SEPARATE_ATTRIBS, 4)));
  w.u32(O.max_dual_source_render_targets, has("WEBGL_blend_func_extended") ? num(gl, P.MAX_DUAL_SOURCE_DRAW_BUFFERS_WEBGL, 1) : 0);
  w.u32(O.max_render_targets, Math.min(8, num(gl, P.MAX_DRAW_BUFFERS, 4), num(gl, P.MAX_COLOR_ATTACHMENTS, 4)));
  w.u32(O.max_samples, maxSamples);
  w.u32(O.prim_mask, 0x7f);
  w.u32(O.max_tbo_size, Math.min(2 ** 27, TBO_ROW_ELEMENTS * num(gl, P.MAX_TEXTURE_SIZE, 2048)));
  w.u32(O.max_uniform_blocks, Math.min(num(gl, P.MAX_VERTEX_UNIFORM_BLOCKS, 12), num(gl, P.MAX_FRAGMENT_UNIFORM_BLOCKS, 12)) + 1);
  w.u32(O.max_viewports, 1);
  // ARB_texture_gather: TG4 is lowered to four level-0 texel reads (shader/emit/texture-gather.ts),
  // any component; the offset only shifts integer texel coordinates, so the GL 4.5 host's range holds.
  w.u32(O.max_texture_gather_components, 4);

  const [pmin, pmax] = range(gl, P.ALIASED_POINT_SIZE_RANGE);
  const [lmin, lmax] = range(gl, P.ALIASED_LINE_WIDTH_RANGE);
  w.f32(O.min_aliased_point_size, pmin);
  w.f32(O.max_aliased_point_size, pmax);
  w.f32(O.min_aliased_line_width, lmin);
  w.f32(O.max_aliased_line_width, lmax);
  w.f32(O.max_texture_lod_bias, num(gl, P.MAX_TEXTURE_LOD_BIAS, 2));
  w.u32(O.max_vertex_outputs, Math.floor(num(gl, P.MAX_VERTEX_OUTPUT_COMPONENTS, 64) / 4));
  w.u32(O.max_vertex_attribs, Math.min(32, num(gl, P.MAX_VERTEX_ATTRIBS, 16)));
  w.i32(O.min_texture_gather_offset, -32);
  w.i32(O.max_texture_gather_offset, 31);
  w.i32(O.min_texel_offset, num(gl, P.MIN_PROGRAM_TEXEL_OFFSET, -8));
  w.i32(O.max_texel_offset, num(gl, P.MAX_PROGRAM_TEXEL_OFFSET, 7));
  w.u32(O.uniform_buffer_offset_alignment, num(gl, P.UNIFORM_BUFFER_OFFSET_ALIGNMENT, 256));
  w.u32(O.texture_buffer_offset_alignment, 16); // mirrors copy from any element: the reference's value
  w.u32(O.capability_bits, CAPABILITY_BITS);
  w.u32(O.max_vertex_attrib_stride, WEBGL_MAX_VERTEX_ATTRIB_STRIDE);
  w.u32(O.max_texture_2d_size, num(gl, P.MAX_TEXTURE_SIZE, 2048));
  w.u32(O.max_texture_3d_size, num(gl, P.MAX_3D_TEXTURE_SIZE, 256));
  w.u32(O.max_texture_cube_size, num(gl, P.MAX_CUBE_MAP_TEXTURE_SIZE, 2048));
  w.u32(O.host_feature_check_version, HOST_FEATURE_CHECK_VERSION);
  w.mask(O.supported_readback_formats, readbackFormats);
  w.mask(O.scanout, SCANOUT_FORMATS.filter((f) => renderSet.has(f)));
  w.u32(O.capability_bits_v2, CAPABILITY_BITS_V2);
  w.u32(O.max_video_memory, 0);
  w.cstr(O.renderer, rendererString(gl, has), RENDERER_BYTES);
  w.f32(O.max_anisotropy, has("EXT_texture_filter_anisotropic") ? num(gl, P.MAX_TEXTURE_MAX_ANISOTROPY_EXT, 1) : 1);
  w.u32(O.max_shader_sampler_views, Math.min(32, num(gl, P.MAX_TEXTURE_IMAGE_UNITS, 16), num(gl, P.MAX_VERTEX_TEXTURE_IMAGE_UNITS, 16)));
  const vsVec = num(gl, P.MAX_VERTEX_UNIFORM_VECTORS, 256) - RESERVED_UNIFORM_VECTORS;
  const fsVec = num(gl, P.MAX_FRAGMENT_UNIFORM_VECTORS, 224) - RESERVED_UNIFORM_VECTORS;
  w.u32(O.max_const_buffer_size + 0, Math.max(0, vsVec) * 16);
  w.u32(O.max_const_buffer_size + 4, Math.max(0, fsVec) * 16);
  w.mask(O.supported_multisample_formats, multisampleFormats);
  w.u32(O.num_video_caps, 0);
  w.u32(O.max_uniform_block_size, num(gl, P.MAX_UNIFORM_BLOCK_SIZE, 16384));

  const v2 = w.bytes;
  const v1 = v2.slice(0, CAPS_V1_BYTES);
  new DataView(v1.buffer).setUint32(O.max_version, 1, true);
  return { v1, v2, extensions: [...enabled].sort(), samplerFormats, renderFormats, readbackFormats };
}

function rendererString(gl: GlCapsSource, has: (ext: string) => boolean): string {
  const unmasked = has("WEBGL_debug_renderer_info") ? gl.getParameter(P.UNMASKED_RENDERER_WEBGL) : null;
  const r = typeof unmasked === "string" && unmasked.length > 0 ? unmasked : gl.getParameter(P.RENDERER);
  return typeof r === "string" && r.length > 0 ? r : "WebGL2";
}

/** Decoded view of the bset word (tests, tools). */
export function readBset(r: CapsReader): Record<BsetName, boolean> {
  const v = r.u32(260);
  const out = {} as Record<BsetName, boolean>;
  for (const [name, bit] of Object.entries(Bset) as [BsetName, number][]) out[name] = ((v >>> bit) & 1) === 1;
  return out;
}
