/**
 * Public types of the translator: the per-draw variant key and the translation result.
 */
import type { ShaderError } from "./ir.ts";

export type ScalarKind = "float" | "int" | "uint";

/** Swizzle selector as SAMPLER_VIEW encodes it: 0..3 = RGBA channel, 4 = zero, 5 = one. */
export type SwizzleSelector = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * Per-axis wrap emulation (WebGL2 has no border colour): "border" = CLAMP_TO_BORDER, "clamp" = legacy
 * GL_CLAMP (coordinate clamped to [0,1]; the border only shows under linear filtering), "none" = the
 * GL sampler's own wrap.
 */
export type BorderWrap = "none" | "border" | "clamp";

export interface SamplerKey {
  /** Applied to every texture result of this sampler view (WebGL2 has no TEXTURE_SWIZZLE). */
  swizzle?: readonly [SwizzleSelector, SwizzleSelector, SwizzleSelector, SwizzleSelector];
  /**
   * Border-colour wrap modes on s, t, r: the texture is sampled clamp-to-edge and blended with the
   * uniform `<prefix>border<n>` (uvec4 bits of the colour after the swizzle) by the weight of the
   * filter footprint outside the texture (emit/texture-border.ts). `linear`: the sampler filters linearly.
   */
  border?: { wrap: readonly [BorderWrap, BorderWrap, BorderWrap]; linear: boolean };
  /** The sampler state has a LOD bias (WebGL2 samplers have none): added from uniform `<prefix>lod_bias<n>`. */
  lodBias?: boolean;
}

/** One varying as the fragment shader declares it; pass `fsInfo.inputs` back as `ShaderKey.fsInputs` for the VS. */
export interface VaryingInfo {
  /** GLSL name, e.g. `webvirgl_v_generic0`. */
  name: string;
  semantic: string;
  semanticIndex: number;
  /** `flat` (uvec4 varying carrying raw bits) vs smooth vec4. */
  flat: boolean;
  centroid: boolean;
  glslType: "vec4" | "uvec4";
}

/**
 * Translate-time variant key. Every field is optional; the defaults describe the common case.
 * Fields marked VS/FS only matter for that stage.
 */
export interface ShaderKey {
  /** Per sampler-view index. */
  samplers?: readonly (SamplerKey | undefined)[];
  /** VS: scalar kind of each vertex attribute (IN index); default float. */
  attributeTypes?: readonly (ScalarKind | undefined)[];
  /** VS: the varyings the FS of the same program reads (its `info.inputs`); qualifiers are copied, missing ones are written as zero. */
  fsInputs?: readonly VaryingInfo[];
  /** VS+FS: rasterizer clip_plane_enable (bit i = plane/distance i). Must be equal for both stages of a program. */
  clipPlaneEnable?: number;
  /** VS: clamp COLOR/BCOLOR outputs to [0,1] (rasterizer clamp_vertex_color). */
  clampVertexColor?: boolean;
  /** FS: rasterizer flatshade (COLOR-interpolated inputs become flat). */
  flatshade?: boolean;
  /** FS: rasterizer light_twoside: COLOR[n] inputs select BCOLOR[n] on back faces. */
  twoSide?: boolean;
  /** FS: number of bound colour buffers (FS_COLOR0_WRITES_ALL_CBUFS replication); default 1. */
  nrCbufs?: number;
  /** FS: kind of each colour buffer format; integer formats need ivec4/uvec4 outputs. */
  colorOutputTypes?: readonly (ScalarKind | undefined)[];
  /**
   * FS: per colour buffer, an sRGB transfer applied to the output's RGB (surface and storage differ
   * in sRGB-ness; the renderer's srgb-write.ts): "encode" = linear→sRGB, "decode" = sRGB→linear.
   */
  colorOutputSrgb?: readonly ("encode" | "decode" | undefined | null)[];
  /** FS: per colour buffer, clamp the output to [0,1] (normalized buffers the renderer stores as float). */
  colorOutputClamp?: readonly (boolean | undefined)[];
  /** FS: DSA alpha test function (PIPE_FUNC_* 0..7); undefined or 7 (ALWAYS) = off. Uses uniform `webvirgl_alpha_ref`. */
  alphaFunc?: number;
  /** FS: clamp colour outputs to [0,1] (rasterizer clamp_fragment_color). */
  clampFragmentColor?: boolean;
  /** FS: rasterizer sprite_coord_enable: bit n replaces TEXCOORD[n] (and GENERIC[n]) by the point coordinate. */
  spriteCoordEnable?: number;
  /** FS: rasterizer sprite_coord_mode: true = gallium LOWER_LEFT (y-down window terms: GL's gl_PointCoord as is), false = UPPER_LEFT (t flipped). */
  spriteCoordLowerLeft?: boolean;
  /**
   * Declare constant buffer 0 as a std140 block `webvirgl_{vs,fs}_cb0` instead of a plain uniform array
   * (for hosts whose MAX_*_UNIFORM_VECTORS is smaller than the shader's CONST range; blocks give ≥ 1024 vec4).
   */
  constBuffer0InBlock?: boolean;
  /** VS: Gallium stream-output entries of the SHADER object; each becomes a capturable `flat out` varying. */
  streamOutput?: readonly StreamOutputEntry[];
  /** Cap on the iterations of each TGSI loop (a never-ending guest loop must not hang the GPU process); default 65536, 0 = unbounded. */
  loopIterationLimit?: number;
}

/** One stream-output entry (virgl SHADER object: reg_index, start_comp, num_comp, buffer, dst_offset). */
export interface StreamOutputEntry {
  registerIndex: number;
  startComponent: number;
  numComponents: number;
  outputBuffer: number;
  /** Destination offset in dwords. */
  dstOffset: number;
}

export interface AttributeInfo {
  index: number;
  location: number;
  name: string;
  kind: ScalarKind;
}

export interface OutputInfo {
  /** TGSI OUT register index. */
  index: number;
  semantic: string;
  semanticIndex: number;
  /** GLSL name it ends up in (varying name, gl_Position, gl_PointSize, fragment output…). */
  name: string;
  /** FS colour outputs: location. */
  location?: number;
}

export interface SamplerInfo {
  /** TGSI sampler (and sampler view) index = texture unit the renderer should bind. */
  index: number;
  name: string;
  glslType: string;
  target: string;
  returnType: ScalarKind;
  shadow: boolean;
}

export interface UniformBlockInfo {
  name: string;
  /** Gallium constant buffer index (SET_UNIFORM_BUFFER index). */
  bufferIndex: number;
  /** Size in vec4 (16-byte) slots the shader declares. */
  vec4Count: number;
}

export interface UniformInfo {
  name: string;
  glslType: string;
  arraySize: number;
  /** What the renderer has to put there. */
  purpose: string;
}

export interface ShaderResources {
  /** Vertex attributes (VS) — WebGL2 guarantees 16. */
  attributes: number;
  /** vec4 varyings declared as outputs (VS) or inputs (FS), incl. internal clip-distance varyings — WebGL2 guarantees 15. */
  varyingVectors: number;
  /** Default-block uniform vec4 slots (constant buffer 0 unless in a block, plus internal uniforms). */
  uniformVectors: number;
  uniformBlocks: number;
  samplers: number;
}

export interface TranslationInfo {
  stage: "vertex" | "fragment";
  attributes: AttributeInfo[];
  /** FS: varyings read (pass as VS `fsInputs`). VS: varyings written. */
  inputs: VaryingInfo[];
  varyingsOut: VaryingInfo[];
  outputs: OutputInfo[];
  samplers: SamplerInfo[];
  uniformBlocks: UniformBlockInfo[];
  uniforms: UniformInfo[];
  /** vec4 slots of constant buffer 0 the shader reads (`webvirgl_vs_const0` / `webvirgl_fs_const0`, uploaded as uvec4 bit patterns). */
  constantBuffer0Size: number;
  fragCoordOrigin: "upper_left" | "lower_left";
  fragCoordPixelCenter: "half_integer" | "integer";
  writesDepth: boolean;
  usesDiscard: boolean;
  color0WritesAllCbufs: boolean;
  /**
   * VS with `key.streamOutput`: varying names to pass to transformFeedbackVaryings, one per entry in order
   * (`flat out uint/uvecN webvirgl_so<i>` holding the raw bits of the selected components).
   */
  streamOutputVaryings: string[];
  /** What the program consumes, to compare against the host's GL limits (e.g. pick key.constBuffer0InBlock). */
  resources: ShaderResources;
  opcodes: string[];
  /** Things that were approximated or ignored. */
  warnings: string[];
}

export interface TranslationOutput {
  glsl: string;
  info: TranslationInfo;
}

export type TranslateResult = { ok: true; glsl: string; info: TranslationInfo } | { ok: false; error: ShaderError };
