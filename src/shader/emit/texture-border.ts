/**
 * Sampler state WebGL2 lacks, emulated around the texture call (per-sampler ShaderKey fields):
 *
 * Border colour (CLAMP_TO_BORDER, and legacy CLAMP under linear filtering). The GL sampler clamps to
 * the edge; the result is blended with the border colour by the share of the filter footprint that
 * lies outside the texture. Per axis with n texels and coordinate c: nearest → 1 when 0 ≤ c < 1,
 * else 0; linear → x = c·n − ½, i0 = ⌊x⌋, a = x − i0: (1−a)·[i0 inside] + a·[i0+1 inside]. Bilinear
 * filtering is separable, and the clamp-to-edge sample at c equals the normalised blend of exactly
 * the inside texels, so result = w·sample + (1−w)·border with w the product over the wrapped axes.
 * Exact for one mip level; the texel grid used is level 0's (mipmapped minification near the
 * border is approximated). GL_CLAMP first clamps c to [0,1]. Not emulated: shadow samplers (the
 * border would have to be compared), cube maps (no wrapping), texel fetches.
 *
 * LOD bias (sampler lod_bias): added to the implicit/explicit LOD, or as a 2^bias scale of
 * explicit gradients (the LOD is log2 of their length).
 */
import type { SamplerInfo, UniformInfo } from "../types.ts";
import type { EmitContext } from "./context.ts";
import { typeName, type Kind } from "./values.ts";

/** Coordinate axes (of `c_`) that wrap, per texture target; null = no border emulation. */
function wrapAxes(target: string): string[] | null {
  switch (target) {
    case "1D":
    case "1D_ARRAY":
      return ["x"];
    case "2D":
    case "RECT":
    case "2D_ARRAY":
      return ["x", "y"];
    case "3D":
      return ["x", "y", "z"];
    default:
      return null;
  }
}

function addUniform(ctx: EmitContext, u: UniformInfo): string {
  if (!ctx.samplerUniforms.has(u.name)) ctx.samplerUniforms.set(u.name, u);
  return u.name;
}

/** Name of this sampler's border-colour uniform (declared once per shader; also used by TG4 gathers). */
export function borderUniform(ctx: EmitContext, info: SamplerInfo): string {
  return addUniform(ctx, {
    name: `${ctx.prefix}border${info.index}`, glslType: "uvec4", arraySize: 0,
    purpose: `sampler ${info.index} border colour as it reads after the view swizzle (raw bits: floats, or integers for integer views)`,
  });
}

/** Name of the LOD-bias uniform of this sampler, or null when its key has no bias. */
export function lodBiasUniform(ctx: EmitContext, info: SamplerInfo): string | null {
  if (!ctx.key.samplers?.[info.index]?.lodBias) return null;
  return addUniform(ctx, {
    name: `${ctx.prefix}lod_bias${info.index}`, glslType: "float", arraySize: 0,
    purpose: `sampler state ${info.index} lod_bias (added to the LOD; WebGL2 samplers have no bias)`,
  });
}

/**
 * Emits the border blend for the texture result `sample` (a vec4 of kind `kind`, after the view
 * swizzle) at coordinate `c_` with optional constant texel `offset`; returns the blended
 * expression, or `sample` when this sampler/target needs no emulation.
 */
export function applyBorder(ctx: EmitContext, info: SamplerInfo, target: string, sample: string, kind: Kind, offset: string | null): string {
  const b = ctx.key.samplers?.[info.index]?.border;
  const axes = wrapAxes(target);
  if (!b || !axes || info.shadow) return sample;
  const factors: string[] = [];
  axes.forEach((axis, i) => {
    const mode = b.wrap[i] ?? "none";
    if (mode === "none" || (mode === "clamp" && !b.linear)) return;
    const n = `float(textureSize(${info.name}, 0).${axis})`;
    let c = `c_.${axis}`;
    if (offset) c = `(${c} + float(${offset}.${axis}) / ${n})`;
    if (mode === "clamp") c = `clamp(${c}, 0.0, 1.0)`;
    factors.push(b.linear ? `${ctx.helper("webvirgl_border_linear")}(${c}, ${n})` : `${ctx.helper("webvirgl_border_nearest")}(${c})`);
  });
  if (factors.length === 0) return sample;
  const u = borderUniform(ctx, info);
  const border = kind === "f" ? `uintBitsToFloat(${u})` : kind === "i" ? `ivec4(${u})` : u;
  const t = typeName(kind, 4);
  ctx.line(`${t} bs_ = ${sample};`);
  ctx.line(`float bw_ = ${factors.join(" * ")};`);
  return kind === "f" ? `mix(${border}, bs_, bw_)` : `(bw_ > 0.5 ? bs_ : ${border})`;
}
