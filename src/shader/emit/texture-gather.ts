/**
 * TG4 (ARB_texture_gather's textureGather / textureGatherOffset) lowered to four level-0 texel reads:
 * GLSL ES 3.00 has no textureGather.
 *
 * Semantics (ARB_texture_gather, Mesa's TGSI TG4): src0 = coordinate, src1.x = the component to gather
 * (Mesa's nir_to_tgsi passes it as a uint immediate), the constant texel offset rides on the
 * instruction. The result is that component of the 2×2 bilinear footprint at the base level, in the
 * order (i0,j1), (i1,j1), (i1,j0), (i0,j0) with (i0,j0) = ⌊P·size − ½⌋ + offset (RECT: ⌊P − ½⌋).
 *
 * Each texel is read with textureLod(…, 0.0) at its centre ((i + ½) / size), so the GL sampler's own
 * wrap mode (repeat / mirror / clamp-to-edge) maps the integer texel exactly and any filter returns
 * that texel unblended (integer views, which must use NEAREST, included). Emulated border wraps
 * (SamplerKey.border: CLAMP_TO_BORDER, legacy GL_CLAMP) replace texels outside [0, size) on that axis
 * by the border colour. The view swizzle applies to every texel before the component is picked, so
 * component c reads channel swizzle[c] (or the constant 0/1 it names).
 *
 * Cube maps: the face and face coordinates follow the GL major-axis table; a footprint texel past a
 * face edge is read from the adjacent face (seamless filtering, which WebGL2 always does) by sampling
 * the direction to that texel's centre on the neighbouring face; a corner texel (past two edges) reads
 * a texel next to the corner, which the spec allows ("implementations are free to construct this
 * fourth texel in another way" as long as equal neighbours give that value).
 *
 * Not emulated (clear translator errors): shadow targets (gather with a depth reference,
 * ARB_gpu_shader5), 1D/3D/cube-array/MSAA/buffer targets, non-immediate component selects.
 */
import type { Instruction } from "../ir.ts";
import { fail } from "../passes/fail.ts";
import type { SamplerInfo } from "../types.ts";
import type { EmitContext } from "./context.ts";
import { borderUniform } from "./texture-border.ts";
import { literal, typeName, type Kind } from "./values.ts";

const GATHER_TARGETS: ReadonlySet<string> = new Set(["2D", "2D_ARRAY", "RECT", "CUBE"]);

/** Footprint texel deltas in result order x, y, z, w. */
const FOOTPRINT: readonly (readonly [number, number])[] = [[0, 1], [1, 1], [1, 0], [0, 0]];

/** The gathered component (src1.x), which must be an immediate in 0..3. */
function gatherComponent(ctx: EmitContext, inst: Instruction): number {
  const s = inst.src[1];
  if (!s || inst.src.length < 3) fail(inst.loc, "TG4: expected coordinate, component and sampler operands");
  if (s.file !== "IMM" || s.indirect) fail(inst.loc, `TG4: the component select must be an immediate (got ${s.file}[${s.index}])`);
  const imm = ctx.prog.immediates[s.index];
  if (!imm) fail(inst.loc, `TG4: IMM[${s.index}] is not defined`);
  const comp = imm.words[s.swizzle[0] ?? 0] ?? 0;
  if (comp > 3) fail(inst.loc, `TG4: component ${comp} is out of range (0..3)`);
  return comp;
}

/** GLSL that computes the footprint origin `g0_` (ivec2) and `gs_` (level-0 size) from `c_`. */
function origin2d(ctx: EmitContext, info: SamplerInfo, target: string, offset: string | null): void {
  const s = info.name;
  const b = ctx.key.samplers?.[info.index]?.border;
  ctx.line(`ivec2 gs_ = textureSize(${s}, 0).xy;`);
  const rect = target === "RECT";
  const axes = ["x", "y"].map((a, i) => {
    const mode = b?.wrap[i] ?? "none";
    const hi = rect ? `float(gs_.${a})` : "1.0";
    // legacy GL_CLAMP clamps the coordinate to the texture's extent before the footprint is taken
    return mode === "clamp" ? `clamp(c_.${a}, 0.0, ${hi})` : `c_.${a}`;
  });
  const p = `vec2(${axes.join(", ")})`;
  ctx.line(`ivec2 g0_ = ivec2(floor(${rect ? p : `${p} * vec2(gs_)`} - 0.5))${offset ? ` + ${offset}` : ""};`);
}

/** GLSL that selects the cube face basis (`fm_` major, `fs_`/`ft_` s/t axes) and the footprint origin. */
function originCube(ctx: EmitContext, info: SamplerInfo): void {
  ctx.line("vec3 d_ = c_.xyz; vec3 ad_ = abs(d_);");
  ctx.line("vec3 fm_; vec3 fs_; vec3 ft_;");
  // GL major-axis table: +X sc=-rz tc=-ry, -X sc=rz tc=-ry, +Y sc=rx tc=rz, -Y sc=rx tc=-rz,
  // +Z sc=rx tc=-ry, -Z sc=-rx tc=-ry; a direction is fm_*ma + fs_*sc + ft_*tc.
  ctx.open("if (ad_.x >= ad_.y && ad_.x >= ad_.z) {");
  ctx.line("float sg_ = d_.x >= 0.0 ? 1.0 : -1.0;");
  ctx.line("fm_ = vec3(sg_, 0.0, 0.0); fs_ = vec3(0.0, 0.0, -sg_); ft_ = vec3(0.0, -1.0, 0.0);");
  ctx.mid("} else if (ad_.y >= ad_.z) {");
  ctx.line("float sg_ = d_.y >= 0.0 ? 1.0 : -1.0;");
  ctx.line("fm_ = vec3(0.0, sg_, 0.0); fs_ = vec3(1.0, 0.0, 0.0); ft_ = vec3(0.0, 0.0, sg_);");
  ctx.mid("} else {");
  ctx.line("float sg_ = d_.z >= 0.0 ? 1.0 : -1.0;");
  ctx.line("fm_ = vec3(0.0, 0.0, sg_); fs_ = vec3(sg_, 0.0, 0.0); ft_ = vec3(0.0, -1.0, 0.0);");
  ctx.close();
  ctx.line(`float gn_ = float(textureSize(${info.name}, 0).x);`);
  ctx.line("vec2 fc_ = vec2(dot(d_, fs_), dot(d_, ft_)) / dot(d_, fm_);");
  ctx.line("ivec2 g0_ = ivec2(floor((fc_ + 1.0) * 0.5 * gn_ - 0.5));");
}

/** Emits TG4 for `info` on `target` (offset: a constant ivec2 literal or null); writes the destination. */
export function emitGather(ctx: EmitContext, inst: Instruction, info: SamplerInfo, target: string, offset: string | null): true {
  if (!GATHER_TARGETS.has(target)) fail(inst.loc, `TG4 on ${target} is not emulated (textureGather is lowered for 2D, 2D_ARRAY, RECT and CUBE only)`);
  const comp = gatherComponent(ctx, inst);
  const kind: Kind = info.returnType === "int" ? "i" : info.returnType === "uint" ? "u" : "f";
  const sel = ctx.key.samplers?.[info.index]?.swizzle?.[comp] ?? comp;
  if (sel >= 4) {
    // the swizzle names a constant: every footprint texel reads it
    const v = sel === 4 ? literal(0, kind) : kind === "f" ? "1.0" : kind === "i" ? "1" : "1u";
    ctx.write(inst, { code: `${typeName(kind, 4)}(${v})`, kind, n: 4 });
    return true;
  }
  const ch = "xyzw"[sel];
  const s = info.name;
  const scalarT = typeName(kind, 1);
  ctx.open("{");
  ctx.line(`vec4 c_ = ${ctx.src(inst, 0, "f", [0, 1, 2, 3]).code};`);
  const texels: string[] = [];
  if (target === "CUBE") {
    originCube(ctx, info);
    FOOTPRINT.forEach(([dx, dy], k) => {
      // face coordinate of the texel centre; past an edge, step onto the neighbouring face instead
      ctx.line(`vec2 fp${k}_ = (vec2(g0_ + ivec2(${dx}, ${dy})) + 0.5) / gn_ * 2.0 - 1.0;`);
      ctx.line(`vec2 fq${k}_ = clamp(fp${k}_, -1.0, 1.0);`);
      ctx.line(`float fo${k}_ = max(abs(fp${k}_.x - fq${k}_.x), abs(fp${k}_.y - fq${k}_.y));`);
      ctx.line(`${scalarT} q${k}_ = textureLod(${s}, fm_ * (1.0 - fo${k}_) + fs_ * fq${k}_.x + ft_ * fq${k}_.y, 0.0).${ch};`);
      texels.push(`q${k}_`);
    });
  } else {
    origin2d(ctx, info, target, offset);
    const b = ctx.key.samplers?.[info.index]?.border;
    const bordered = ["x", "y"].filter((_, i) => (b?.wrap[i] ?? "none") !== "none");
    let border: string | null = null;
    if (bordered.length > 0) {
      const u = borderUniform(ctx, info);
      border = kind === "f" ? `uintBitsToFloat(${u}.${"xyzw"[comp]})` : kind === "i" ? `int(${u}.${"xyzw"[comp]})` : `${u}.${"xyzw"[comp]}`;
    }
    const layer = target === "2D_ARRAY" ? ", c_.z" : "";
    FOOTPRINT.forEach(([dx, dy], k) => {
      ctx.line(`ivec2 p${k}_ = g0_ + ivec2(${dx}, ${dy});`);
      const at = `vec${layer ? 3 : 2}((vec2(p${k}_) + 0.5) / vec2(gs_)${layer})`;
      ctx.line(`${scalarT} q${k}_ = textureLod(${s}, ${at}, 0.0).${ch};`);
      if (border) {
        const outside = bordered.map((a) => `p${k}_.${a} < 0 || p${k}_.${a} >= gs_.${a}`).join(" || ");
        ctx.line(`if (${outside}) q${k}_ = ${border};`);
      }
      texels.push(`q${k}_`);
    });
  }
  ctx.write(inst, { code: `${typeName(kind, 4)}(${texels.join(", ")})`, kind, n: 4 });
  ctx.close();
  return true;
}
