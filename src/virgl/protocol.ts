// virgl command-stream constants (Mesa 22.3 `virgl_protocol.h` / `virgl_hw.h`, virglrenderer 0.10.4).
//
// Every number here is a wire fact; names follow Mesa's headers without the VIRGL_ prefix.
// References point at /work/shared/reference/virgl-protocol.md ("§3.1" = command table,
// "§3.2" = object bodies, "§3.3" = what a GLES 3.0-class host receives, "§5" = caps).

/** Command ids (`enum virgl_context_cmd`, §3.1). */
export const Cmd = {
  NOP: 0,
  CREATE_OBJECT: 1,
  BIND_OBJECT: 2,
  DESTROY_OBJECT: 3,
  SET_VIEWPORT_STATE: 4,
  SET_FRAMEBUFFER_STATE: 5,
  SET_VERTEX_BUFFERS: 6,
  CLEAR: 7,
  DRAW_VBO: 8,
  RESOURCE_INLINE_WRITE: 9,
  SET_SAMPLER_VIEWS: 10,
  SET_INDEX_BUFFER: 11,
  SET_CONSTANT_BUFFER: 12,
  SET_STENCIL_REF: 13,
  SET_BLEND_COLOR: 14,
  SET_SCISSOR_STATE: 15,
  BLIT: 16,
  RESOURCE_COPY_REGION: 17,
  BIND_SAMPLER_STATES: 18,
  BEGIN_QUERY: 19,
  END_QUERY: 20,
  GET_QUERY_RESULT: 21,
  SET_POLYGON_STIPPLE: 22,
  SET_CLIP_STATE: 23,
  SET_SAMPLE_MASK: 24,
  SET_STREAMOUT_TARGETS: 25,
  SET_RENDER_CONDITION: 26,
  SET_UNIFORM_BUFFER: 27,
  SET_SUB_CTX: 28,
  CREATE_SUB_CTX: 29,
  DESTROY_SUB_CTX: 30,
  BIND_SHADER: 31,
  SET_TESS_STATE: 32,
  SET_MIN_SAMPLES: 33,
  SET_SHADER_BUFFERS: 34,
  SET_SHADER_IMAGES: 35,
  MEMORY_BARRIER: 36,
  LAUNCH_GRID: 37,
  SET_FRAMEBUFFER_STATE_NO_ATTACH: 38,
  TEXTURE_BARRIER: 39,
  SET_ATOMIC_BUFFERS: 40,
  SET_DEBUG_FLAGS: 41,
  GET_QUERY_RESULT_QBO: 42,
  TRANSFER3D: 43,
  END_TRANSFERS: 44,
  COPY_TRANSFER3D: 45,
  SET_TWEAKS: 46,
  CLEAR_TEXTURE: 47,
  PIPE_RESOURCE_CREATE: 48,
  PIPE_RESOURCE_SET_TYPE: 49,
  GET_MEMORY_INFO: 50,
  EMIT_STRING_MARKER: 51,
  LINK_SHADER: 52,
  CREATE_VIDEO_CODEC: 53,
  DESTROY_VIDEO_CODEC: 54,
  CREATE_VIDEO_BUFFER: 55,
  DESTROY_VIDEO_BUFFER: 56,
  BEGIN_FRAME: 57,
  DECODE_MACROBLOCK: 58,
  DECODE_BITSTREAM: 59,
  ENCODE_BITSTREAM: 60,
  END_FRAME: 61,
} as const;
export type CmdId = (typeof Cmd)[keyof typeof Cmd];
/** One past the last command id Mesa 22.3 / vrend 0.10.4 know. */
export const MAX_COMMANDS = 62;

const cmdNames: string[] = [];
for (const [name, id] of Object.entries(Cmd)) cmdNames[id] = name;
/** "DRAW_VBO" for 8, "CMD_99" for unknown ids. */
export function cmdName(id: number): string {
  return cmdNames[id] ?? `CMD_${id}`;
}

/** Object types (`enum virgl_object_type`, §3.2). */
export const Obj = {
  NULL: 0,
  BLEND: 1,
  RASTERIZER: 2,
  DSA: 3,
  SHADER: 4,
  VERTEX_ELEMENTS: 5,
  SAMPLER_VIEW: 6,
  SAMPLER_STATE: 7,
  SURFACE: 8,
  QUERY: 9,
  STREAMOUT_TARGET: 10,
  MSAA_SURFACE: 11,
} as const;
export type ObjType = (typeof Obj)[keyof typeof Obj];
const objNames: string[] = [];
for (const [name, id] of Object.entries(Obj)) objNames[id] = name;
export function objName(id: number): string {
  return objNames[id] ?? `OBJ_${id}`;
}

/** Command header: `cmd | obj << 8 | len << 16` (§3). */
export function header(cmd: number, obj: number, len: number): number {
  return ((cmd & 0xff) | ((obj & 0xff) << 8) | ((len & 0xffff) << 16)) >>> 0;
}
export const headerCmd = (h: number): number => h & 0xff;
export const headerObj = (h: number): number => (h >>> 8) & 0xff;
export const headerLen = (h: number): number => h >>> 16;

/** Largest payload Mesa puts in one command (`VIRGL_ENCODE_MAX_DWORDS`, §3). */
export const CMD0_MAX_DWORDS = 16380;
/** Dwords Mesa reserves at the head of each submit for queued transfers (§3 layout quirks). */
export const TRANSFER_AREA_DWORDS = 1024;

/** Payload lengths (dwords after the header) fixed by the layouts in §3.1/§3.2. */
export const Len = {
  BLEND: 11, // handle + S0 + S1 + 8 × S2
  RASTERIZER: 9,
  DSA: 5,
  SAMPLER_VIEW: 6,
  SAMPLER_STATE: 9,
  SURFACE: 5,
  MSAA_SURFACE: 6,
  QUERY: 4,
  STREAMOUT_TARGET: 4,
  SHADER_HDR: 5, // handle, stage, offlen, num_tokens, so_num_outputs
  CLEAR: 8,
  DRAW_VBO: 12,
  DRAW_VBO_TESS: 14,
  DRAW_VBO_INDIRECT: 20,
  INLINE_WRITE_HDR: 11,
  BLIT: 21,
  RESOURCE_COPY_REGION: 13,
  POLYGON_STIPPLE: 32,
  CLIP_STATE: 32,
  UNIFORM_BUFFER: 5,
  BIND_SHADER: 2,
  LINK_SHADER: 6,
  TRANSFER3D: 13,
  COPY_TRANSFER3D: 14,
  SET_TWEAKS: 2,
  RENDER_CONDITION: 3,
  BLEND_COLOR: 4,
  TESS_STATE: 6,
} as const;

/** Gallium limits vrend enforces while decoding (p_state.h values vrend is built with). */
export const Limits = {
  MAX_VIEWPORTS: 16, // PIPE_MAX_VIEWPORTS
  MAX_COLOR_BUFS: 8, // PIPE_MAX_COLOR_BUFS
  MAX_ATTRIBS: 32, // PIPE_MAX_ATTRIBS (vertex buffers and elements)
  MAX_SHADER_SAMPLER_VIEWS: 128, // PIPE_MAX_SHADER_SAMPLER_VIEWS
  MAX_SAMPLERS: 32, // PIPE_MAX_SAMPLERS
  MAX_CONSTANT_BUFFERS: 32, // PIPE_MAX_CONSTANT_BUFFERS
  MAX_SO_OUTPUTS: 64, // PIPE_MAX_SO_OUTPUTS
  MAX_SO_BUFFERS: 4, // PIPE_MAX_SO_BUFFERS
  MAX_SO_TARGETS_DECODE: 16, // vrend's handle array for SET_STREAMOUT_TARGETS
  SHADER_TYPES: 6, // PIPE_SHADER_TYPES
} as const;

/** Shader stages (`enum pipe_shader_type`, §3.1 footnote). */
export const Stage = {
  VERTEX: 0,
  FRAGMENT: 1,
  GEOMETRY: 2,
  TESS_CTRL: 3,
  TESS_EVAL: 4,
  COMPUTE: 5,
} as const;
/** Stages a WebGL2 host can run; others are cap-gated and never advertised. */
export const SUPPORTED_STAGES: readonly number[] = [Stage.VERTEX, Stage.FRAGMENT];

/** `enum pipe_texture_target` (§3.1 footnote). */
export const Target = {
  BUFFER: 0,
  TEXTURE_1D: 1,
  TEXTURE_2D: 2,
  TEXTURE_3D: 3,
  TEXTURE_CUBE: 4,
  TEXTURE_RECT: 5,
  TEXTURE_1D_ARRAY: 6,
  TEXTURE_2D_ARRAY: 7,
  TEXTURE_CUBE_ARRAY: 8,
} as const;

/** `enum pipe_prim_type`. */
export const Prim = {
  POINTS: 0,
  LINES: 1,
  LINE_LOOP: 2,
  LINE_STRIP: 3,
  TRIANGLES: 4,
  TRIANGLE_STRIP: 5,
  TRIANGLE_FAN: 6,
  QUADS: 7,
  QUAD_STRIP: 8,
  POLYGON: 9,
  LINES_ADJACENCY: 10,
  LINE_STRIP_ADJACENCY: 11,
  TRIANGLES_ADJACENCY: 12,
  TRIANGLE_STRIP_ADJACENCY: 13,
  PATCHES: 14,
} as const;

/** CLEAR buffers bits (`PIPE_CLEAR_*`). */
export const Clear = {
  DEPTH: 1,
  STENCIL: 2,
  COLOR0: 4, // COLOR0 << i for render target i (up to 0x200)
  COLOR_ALL: 0x3fc,
} as const;

/** TRANSFER3D direction (§3.1 row 43). */
export const TransferDir = { TO_HOST: 1, FROM_HOST: 2 } as const;
/** COPY_TRANSFER3D flags. */
export const CopyTransferFlag = { SYNCHRONIZED: 1, READ_FROM_HOST: 2 } as const;

/**
 * Query types on the wire: Mesa's virgl driver maps gallium's `enum pipe_query_type` to
 * `VIRGL_QUERY_*` (virgl_query.c pquery_map), the numbering of virglrenderer's older p_defines.h —
 * not the current gallium enum (where PRIMITIVES_GENERATED is 6).
 */
export const Query = {
  OCCLUSION_COUNTER: 0,
  OCCLUSION_PREDICATE: 1,
  TIMESTAMP: 2,
  TIMESTAMP_DISJOINT: 3,
  TIME_ELAPSED: 4,
  PRIMITIVES_GENERATED: 5,
  PRIMITIVES_EMITTED: 6,
  SO_STATISTICS: 7,
  SO_OVERFLOW_PREDICATE: 8,
  GPU_FINISHED: 9,
  PIPELINE_STATISTICS: 10,
  OCCLUSION_PREDICATE_CONSERVATIVE: 11,
  SO_OVERFLOW_ANY_PREDICATE: 12,
} as const;
/** `struct virgl_host_query_state` written into a query's buffer: state u32, result_size u32, result u64. */
export const HOST_QUERY_STATE_BYTES = 16;
export const QueryState = { NEW: 0, DONE: 1, WAIT_HOST: 2 } as const;

/** SET_TWEAKS ids (§3.1 row 46). */
export const Tweak = { GLES_BGRA_EMULATE: 0, GLES_BGRA_APPLY_DEST_SWIZZLE: 1, GLES_TF3_SAMPLES_PASSES_MULTIPLIER: 2 } as const;

/** Resource bind flags (`VIRGL_BIND_*`). */
export const Bind = {
  DEPTH_STENCIL: 0x1,
  RENDER_TARGET: 0x2,
  SAMPLER_VIEW: 0x8,
  VERTEX_BUFFER: 0x10,
  INDEX_BUFFER: 0x20,
  CONSTANT_BUFFER: 0x40,
  DISPLAY_TARGET: 0x80,
  COMMAND_ARGS: 0x100,
  STREAM_OUTPUT: 0x800,
  SHADER_BUFFER: 0x4000,
  QUERY_BUFFER: 0x8000,
  CURSOR: 0x10000,
  CUSTOM: 0x20000,
  SCANOUT: 0x40000,
  STAGING: 0x80000,
  SHARED: 0x100000,
} as const;
/** Resource flags (RESOURCE_CREATE_3D). */
export const RESOURCE_Y_0_TOP = 1;

/** Swizzle selectors in SAMPLER_VIEW (`PIPE_SWIZZLE_*`). */
export const Swz = { X: 0, Y: 1, Z: 2, W: 3, ZERO: 4, ONE: 5 } as const;

/** capability_bits (`VIRGL_CAP_*`, virgl-enums.md). */
export const Cap = {
  TGSI_INVARIANT: 1 << 0,
  TEXTURE_VIEW: 1 << 1,
  SET_MIN_SAMPLES: 1 << 2,
  COPY_IMAGE: 1 << 3,
  TGSI_PRECISE: 1 << 4,
  TXQS: 1 << 5,
  MEMORY_BARRIER: 1 << 6,
  COMPUTE_SHADER: 1 << 7,
  FB_NO_ATTACH: 1 << 8,
  ROBUST_BUFFER_ACCESS: 1 << 9,
  TGSI_FBFETCH: 1 << 10,
  SHADER_CLOCK: 1 << 11,
  TEXTURE_BARRIER: 1 << 12,
  TGSI_COMPONENTS: 1 << 13,
  GUEST_MAY_INIT_LOG: 1 << 14,
  SRGB_WRITE_CONTROL: 1 << 15,
  QBO: 1 << 16,
  TRANSFER: 1 << 17,
  FBO_MIXED_COLOR_FORMATS: 1 << 18,
  HOST_IS_GLES: 1 << 19,
  BIND_COMMAND_ARGS: 1 << 20,
  MULTI_DRAW_INDIRECT: 1 << 21,
  INDIRECT_PARAMS: 1 << 22,
  TRANSFORM_FEEDBACK3: 1 << 23,
  ASTC_3D: 1 << 24,
  INDIRECT_INPUT_ADDR: 1 << 25,
  COPY_TRANSFER: 1 << 26,
  CLIP_HALFZ: 1 << 27,
  APP_TWEAK_SUPPORT: 1 << 28,
  BGRA_SRGB_IS_EMULATED: 1 << 29,
  CLEAR_TEXTURE: 1 << 30,
  ARB_BUFFER_STORAGE: 2 ** 31,
} as const;

/** capability_bits_v2 (`VIRGL_CAP_V2_*`). */
export const CapV2 = {
  BLEND_EQUATION: 1 << 0,
  UNTYPED_RESOURCE: 1 << 1,
  VIDEO_MEMORY: 1 << 2,
  MEMINFO: 1 << 3,
  STRING_MARKER: 1 << 4,
  IMPLICIT_MSAA: 1 << 6,
  COPY_TRANSFER_BOTH_DIRECTIONS: 1 << 7,
  SCANOUT_USES_GBM: 1 << 8,
  SSO: 1 << 9,
  TEXTURE_SHADOW_LOD: 1 << 10,
} as const;

/** Bit positions in `virgl_caps_bool_set1` (bset, §5). */
export const Bset = {
  indep_blend_enable: 0,
  indep_blend_func: 1,
  cube_map_array: 2,
  shader_stencil_export: 3,
  conditional_render: 4,
  start_instance: 5,
  primitive_restart: 6,
  blend_eq_sep: 7,
  instanceid: 8,
  vertex_element_instance_divisor: 9,
  seamless_cube_map: 10,
  occlusion_query: 11,
  timer_query: 12,
  streamout_pause_resume: 13,
  texture_multisample: 14,
  fragment_coord_conventions: 15,
  depth_clip_disable: 16,
  seamless_cube_map_per_texture: 17,
  ubo: 18,
  color_clamping: 19,
  poly_stipple: 20,
  mirror_clamp: 21,
  texture_query_lod: 22,
  has_fp64: 23,
  has_tessellation_shaders: 24,
  has_indirect_draw: 25,
  has_sample_shading: 26,
  has_cull: 27,
  conditional_render_inverted: 28,
  derivative_control: 29,
  polygon_offset_clamp: 30,
  transform_feedback_overflow_query: 31,
} as const;
export type BsetName = keyof typeof Bset;

/** Capset ids (§1). */
export const Capset = { VIRGL: 1, VIRGL2: 2 } as const;
export const CAPS_V1_BYTES = 308;
export const CAPS_V2_BYTES = 1376;
