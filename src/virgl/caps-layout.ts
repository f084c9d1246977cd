// Byte offsets inside `struct virgl_caps_v1` (308 bytes) and `struct virgl_caps_v2` (1376 bytes,
// Mesa 22.3 layout), from virgl_hw.h and virgl-protocol.md §5. Format masks are 16 u32 words, bit
// `fmt % 32` of word `fmt / 32` for `enum virgl_formats` value `fmt`.

export const CapsOffset = {
  max_version: 0,
  sampler: 4,
  render: 68,
  depthstencil: 132,
  vertexbuffer: 196,
  bset: 260,
  glsl_level: 264,
  max_texture_array_layers: 268,
  max_streamout_buffers: 272,
  max_dual_source_render_targets: 276,
  max_render_targets: 280,
  max_samples: 284,
  prim_mask: 288,
  max_tbo_size: 292,
  max_uniform_blocks: 296,
  max_viewports: 300,
  max_texture_gather_components: 304,
  // ---- end of v1 (308) ----
  min_aliased_point_size: 308,
  max_aliased_point_size: 312,
  min_smooth_point_size: 316,
  max_smooth_point_size: 320,
  min_aliased_line_width: 324,
  max_aliased_line_width: 328,
  min_smooth_line_width: 332,
  max_smooth_line_width: 336,
  max_texture_lod_bias: 340,
  max_geom_output_vertices: 344,
  max_geom_total_output_components: 348,
  max_vertex_outputs: 352,
  max_vertex_attribs: 356,
  max_shader_patch_varyings: 360,
  min_texel_offset: 364,
  max_texel_offset: 368,
  min_texture_gather_offset: 372,
  max_texture_gather_offset: 376,
  texture_buffer_offset_alignment: 380,
  uniform_buffer_offset_alignment: 384,
  shader_buffer_offset_alignment: 388,
  capability_bits: 392,
  sample_locations: 396, // 8 × u32
  max_vertex_attrib_stride: 428,
  max_shader_buffer_frag_compute: 432,
  max_shader_buffer_other_stages: 436,
  max_shader_image_frag_compute: 440,
  max_shader_image_other_stages: 444,
  max_image_samples: 448,
  max_compute_work_group_invocations: 452,
  max_compute_shared_memory_size: 456,
  max_compute_grid_size: 460, // 3 × u32
  max_compute_block_size: 472, // 3 × u32
  max_texture_2d_size: 484,
  max_texture_3d_size: 488,
  max_texture_cube_size: 492,
  max_combined_shader_buffers: 496,
  max_atomic_counters: 500, // 6 × u32
  max_atomic_counter_buffers: 524, // 6 × u32
  max_combined_atomic_counters: 548,
  max_combined_atomic_counter_buffers: 552,
  host_feature_check_version: 556,
  supported_readback_formats: 560,
  scanout: 624,
  capability_bits_v2: 688,
  max_video_memory: 692,
  renderer: 696, // char[64]
  max_anisotropy: 760,
  max_shader_sampler_views: 764,
  supported_multisample_formats: 768,
  max_const_buffer_size: 832, // 6 × u32
  num_video_caps: 856,
  video_caps: 860, // 32 × 16 bytes
  max_uniform_block_size: 1372,
} as const;

export const FORMAT_MASK_WORDS = 16;
export const RENDERER_BYTES = 64;

/** Little-endian writer over a caps buffer. */
export class CapsWriter {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u32(off: number, v: number): void {
    if (off + 4 <= this.bytes.length) this.dv.setUint32(off, v >>> 0, true);
  }
  i32(off: number, v: number): void {
    if (off + 4 <= this.bytes.length) this.dv.setInt32(off, v | 0, true);
  }
  f32(off: number, v: number): void {
    if (off + 4 <= this.bytes.length) this.dv.setFloat32(off, v, true);
  }
  mask(off: number, formats: Iterable<number>): void {
    for (const f of formats) {
      if (f < 0 || f >= FORMAT_MASK_WORDS * 32) continue;
      const w = off + 4 * (f >>> 5);
      this.u32(w, this.dv.getUint32(w, true) | (1 << (f & 31)));
    }
  }
  /** NUL-terminated, truncated to 63 bytes, non-ASCII replaced by '?'. */
  cstr(off: number, s: string, max: number): void {
    const n = Math.min(s.length, max - 1);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      this.bytes[off + i] = c >= 0x20 && c < 0x7f ? c : 0x3f;
    }
    this.bytes[off + n] = 0;
  }
}

/** Reader used by tests and tools. */
export class CapsReader {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  i32(off: number): number {
    return this.dv.getInt32(off, true);
  }
  f32(off: number): number {
    return this.dv.getFloat32(off, true);
  }
  mask(off: number): number[] {
    const out: number[] = [];
    for (let w = 0; w < FORMAT_MASK_WORDS; w++) {
      const v = this.u32(off + 4 * w);
      for (let b = 0; b < 32; b++) if (v & (1 << b)) out.push(w * 32 + b);
    }
    return out;
  }
  cstr(off: number, max: number): string {
    let s = "";
    for (let i = 0; i < max && this.bytes[off + i] !== 0; i++) s += String.fromCharCode(this.bytes[off + i]);
    return s;
  }
}
