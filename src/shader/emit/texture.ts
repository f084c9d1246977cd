/**
 * Texture opcodes → GLSL ES 3.00 texture functions. 1D targets are sampled as 2D textures of height 1
 * (t = 0.5), RECT coordinates are normalised with textureSize, shadow results are replicated to vec4,
 * the per-view swizzle of the ShaderKey is applied to the result (WebGL2 has no TEXTURE_SWIZZLE).
 */
import type { Instruction, SrcOperand } from "../ir.ts";
import { fail } from "../passes/fail.ts";
import type { EmitContext } from "./context.ts";
import { applyBorder, lodBiasUniform } from "./texture-border.ts";
import { emitGather } from "./texture-gather.ts";
import { literal, typeName, type Kind } from "./values.ts";

interface Layout {
  /** Coordinate expression from `c_` (incl. shadow reference for shadow targets). */
  coord: string;
  /** Component count of gradients / offsets. */
  gradDims: number;
  offsetDims: number;
  /** Integer texel coordinate from `ic_` for texelFetch. */
  icoord: string | null;
  rect: boolean;
  shadow: boolean;
  cube: boolean;
  array: boolean;
  /** Multisample target: the renderer binds the resolved single-sample texture (texelFetch at LOD 0). */
  msaa: boolean;
  /**
   * Texture buffer: WebGL2 has none, so the renderer mirrors the buffer range into a 2D texture, row
   * by row (element i at (i % width, i / width), width = textureSize().x); TXQ reports width × rows.
   */
  buffer: boolean;
}

function layout(target: string): Layout | null {
  const L = (coord: string, gradDims: number, offsetDims: number, icoord: string | null, extra: Partial<Layout> = {}): Layout => ({
    coord, gradDims, offsetDims, icoord, rect: false, shadow: false, cube: false, array: false, msaa: false, buffer: false, ...extra,
  });
  switch (target) {
    case "1D":
      return L("vec2(c_.x, 0.5)", 1, 1, "ivec2(ic_.x, 0)");
    case "2D":
      return L("c_.xy", 2, 2, "ic_.xy");
    case "RECT":
      return L("c_.xy", 2, 2, "ic_.xy", { rect: true });
    case "3D":
      return L("c_.xyz", 3, 3, "ic_.xyz");
    case "CUBE":
      return L("c_.xyz", 3, 0, null, { cube: true });
    case "1D_ARRAY":
      return L("vec3(c_.x, 0.5, c_.y)", 1, 1, "ivec3(ic_.x, 0, ic_.y)", { array: true });
    case "2D_ARRAY":
      return L("c_.xyz", 2, 2, "ic_.xyz", { array: true });
    // Multisample views: WebGL2 cannot sample a multisample renderbuffer, so the renderer binds the
    // resource's resolved copy; every sample index reads the resolved (averaged) texel.
    case "BUFFER":
      return L("c_.xy", 0, 0, "ivec2(ic_.x % tbw_, ic_.x / tbw_)", { buffer: true });
    case "2D_MSAA":
      return L("c_.xy", 2, 2, "ic_.xy", { msaa: true });
    case "2D_ARRAY_MSAA":
      return L("c_.xyz", 2, 2, "ic_.xyz", { array: true, msaa: true });
    case "SHADOW1D":
      return L("vec3(c_.x, 0.5, c_.z)", 1, 1, null, { shadow: true });
    case "SHADOW2D":
      return L("c_.xyz", 2, 2, null, { shadow: true });
    case "SHADOWRECT":
      return L("c_.xyz", 2, 2, null, { shadow: true, rect: true });
    case "SHADOW1D_ARRAY":
      return L("vec4(c_.x, 0.5, c_.y, c_.z)", 1, 1, null, { shadow: true, array: true });
    case "SHADOW2D_ARRAY":
      return L("c_", 2, 2, null, { shadow: true, array: true });
    case "SHADOWCUBE":
      return L("c_", 3, 0, null, { shadow: true, cube: true });
    default:
      return null;
  }
}

/** Pad/convert a gradient or offset vector of `src` dims to the GLSL dims (1D → 2D with a zero t). */
function dims(expr: string, srcDims: number, kind: Kind): string {
  const z = kind === "i" ? "0" : "0.0";
  if (srcDims === 1) return `${typeName(kind, 2)}(${expr}.x, ${z})`;
  return `${expr}.${"xyz".slice(0, srcDims)}`;
}

function offsetLiteral(ctx: EmitContext, inst: Instruction, off: SrcOperand, n: number): string {
  if (off.file !== "IMM" || off.indirect) fail(inst.loc, "texture offsets must be immediates (GLSL ES needs constant offsets)");
  const imm = ctx.prog.immediates[off.index];
  if (!imm) fail(inst.loc, `IMM[${off.index}] is not defined`);
  const comps = [0, 1, 2].slice(0, n).map((c) => literal(imm.words[off.swizzle[c] ?? 0] ?? 0, "i"));
  if (n === 1) comps.push("0");
  return `ivec${comps.length}(${comps.join(", ")})`;
}

const TEX_OPS: ReadonlySet<string> = new Set([
  "TEX", "TEX_LZ", "TXB", "TXL", "TXP", "TXD", "TXF", "TXF_LZ", "TXQ", "TXQS", "TG4", "LODQ", "TEX2", "TXB2", "TXL2",
]);

export function emitTexture(ctx: EmitContext, inst: Instruction): boolean {
  const op = inst.opcode;
  if (!TEX_OPS.has(op)) return false;
  const sampSrc = inst.src[inst.src.length - 1];
  const info = sampSrc ? ctx.samplers.samplers.get(sampSrc.index) : undefined;
  if (!sampSrc || !info) fail(inst.loc, `${op}: sampler not resolved`);
  const target = inst.texTarget && inst.texTarget !== "UNKNOWN" ? inst.texTarget : info.target;
  const lay = layout(target);
  if (!lay) fail(inst.loc, `texture target ${target} is not supported on a WebGL2 host`);
  const s = info.name;
  const rkind: Kind = info.returnType === "int" ? "i" : info.returnType === "uint" ? "u" : "f";
  const vec4T = typeName(rkind, 4);
  if (ctx.channels(inst).length === 0) return true;

  if (op === "TXQ") {
    const lod = lay.msaa || lay.buffer ? { code: "0" } : ctx.src(inst, 0, "i", [0]);
    const sz = `textureSize(${s}, ${lod.code})`;
    let code: string;
    // GLSL ES 3.00 cannot query the level count: it comes from a uniform the renderer fills per view.
    const levels = `${ctx.prefix}samp_levels[${info.index}]`;
    ctx.usesLevelsUniform = true;
    if (lay.buffer) code = `ivec4(${sz}.x * ${sz}.y, 0, 0, 0)`;
    else if (target === "1D" || target === "SHADOW1D") code = `ivec4(${sz}.x, 0, 0, ${levels})`;
    else if (target === "1D_ARRAY" || target === "SHADOW1D_ARRAY") code = `ivec4(${sz}.xz, 0, ${levels})`;
    else if (lay.array || target === "3D") code = `ivec4(${sz}, ${levels})`;
    else code = `ivec4(${sz}, 0, ${levels})`;
    ctx.write(inst, { code, kind: "i", n: 4 });
    return true;
  }
  if (op === "TXQS") {
    ctx.write(inst, { code: "1u", kind: "u", n: 1 });
    return true;
  }
  if (op === "LODQ") fail(inst.loc, `${op} is not supported on a WebGL2 host (no textureQueryLod in GLSL ES 3.00)`);

  if ((lay.msaa || lay.buffer) && op !== "TXF") fail(inst.loc, `${op} is not allowed with ${target} (only TXF/TXQ)`);
  const offsets = inst.texOffsets;
  if (offsets.length > 1) fail(inst.loc, "more than one texture offset");
  if (offsets.length === 1 && lay.offsetDims === 0) fail(inst.loc, `texture offsets are not allowed with ${target}`);
  const offset = offsets[0] ? offsetLiteral(ctx, inst, offsets[0], lay.offsetDims) : null;
  if (op === "TG4") return emitGather(ctx, inst, info, target, offset); // texture-gather.ts

  ctx.open("{");
  const swz = ctx.key.samplers?.[info.index]?.swizzle;
  if (op === "TXF" || op === "TXF_LZ") {
    if (!lay.icoord) fail(inst.loc, `${op} is not allowed with ${target}`);
    const ic = ctx.src(inst, 0, "i", [0, 1, 2, 3]);
    ctx.line(`ivec4 ic_ = ${ic.code};`);
    if (lay.buffer) ctx.line(`int tbw_ = textureSize(${s}, 0).x;`);
    const lod = op === "TXF_LZ" || target === "RECT" || lay.msaa || lay.buffer ? "0" : "ic_.w";
    const call = offset
      ? `texelFetchOffset(${s}, ${lay.icoord}, ${lod}, ${offset})`
      : `texelFetch(${s}, ${lay.icoord}, ${lod})`;
    ctx.line(`${vec4T} r_ = ${call};`);
  } else {
    const c = ctx.src(inst, 0, "f", [0, 1, 2, 3]);
    ctx.line(`vec4 c_ = ${c.code};`);
    if (op === "TXP") ctx.line("c_ = vec4(c_.xyz / c_.w, c_.w);");
    if (lay.rect) ctx.line(`c_.xy /= vec2(textureSize(${s}, 0));`);
    let extra: string | null = null;
    if (op === "TEX2" || op === "TXB2" || op === "TXL2") extra = ctx.src(inst, 1, "f", [0]).code;
    const sfx = offset ? "Offset" : "";
    const off = offset ? `, ${offset}` : "";
    let call: string;
    const noLodFn = lay.shadow && (lay.cube || lay.array);
    const lodBias = lodBiasUniform(ctx, info);
    const plusBias = (x: string): string => (lodBias ? `(${x} + ${lodBias})` : x);
    if (op === "TXL" || op === "TXL2" || op === "TEX_LZ") {
      const lod = plusBias(op === "TEX_LZ" ? "0.0" : op === "TXL2" ? extra! : "c_.w");
      if (lay.shadow && lay.cube) {
        ctx.warnings.push(`${op} on ${target}: explicit LOD approximated by level 0 (no textureLod for this sampler in GLSL ES 3.00)`);
        call = `texture${sfx === "" ? "Grad" : "GradOffset"}(${s}, ${lay.coord}, vec3(0.0), vec3(0.0)${off})`;
      } else if (noLodFn) {
        ctx.warnings.push(`${op} on ${target}: explicit LOD approximated by level 0`);
        call = `textureGrad${sfx}(${s}, ${lay.coord}, vec2(0.0), vec2(0.0)${off})`;
      } else call = `textureLod${sfx}(${s}, ${lay.coord}, ${lod}${off})`;
    } else if (op === "TXD") {
      let ddx = ctx.src(inst, 1, "f", [0, 1, 2, 3]).code;
      let ddy = ctx.src(inst, 2, "f", [0, 1, 2, 3]).code;
      ctx.line(`vec4 dx_ = ${ddx}; vec4 dy_ = ${ddy};`);
      if (lay.rect) ctx.line(`dx_.xy /= vec2(textureSize(${s}, 0)); dy_.xy /= vec2(textureSize(${s}, 0));`);
      if (lodBias) ctx.line(`dx_ *= exp2(${lodBias}); dy_ *= exp2(${lodBias});`);
      ddx = dims("dx_", lay.gradDims, "f");
      ddy = dims("dy_", lay.gradDims, "f");
      call = `textureGrad${sfx}(${s}, ${lay.coord}, ${ddx}, ${ddy}${off})`;
    } else if ((op === "TXB" || op === "TXB2") && ctx.isFragment && !(lay.shadow && lay.array)) {
      const bias = plusBias(op === "TXB2" ? extra! : "c_.w");
      call = `texture${sfx}(${s}, ${lay.coord}${off}, ${bias})`;
    } else if (lodBias && ctx.isFragment && !(lay.shadow && lay.array)) {
      call = `texture${sfx}(${s}, ${lay.coord}${off}, ${lodBias})`;
    } else if (lodBias && !ctx.isFragment && !noLodFn) {
      // outside the FS the implicit LOD is 0
      call = `textureLod${sfx}(${s}, ${lay.coord}, ${lodBias}${off})`;
    } else {
      if (op === "TXB" || op === "TXB2") ctx.warnings.push(`${op}: LOD bias dropped (${ctx.isFragment ? target : "vertex shader"})`);
      if (lodBias) ctx.warnings.push(`sampler ${info.index} LOD bias dropped (${target})`);
      call = `texture${sfx}(${s}, ${lay.coord}${off})`;
    }
    ctx.line(lay.shadow ? `vec4 r_ = vec4(${call});` : `${vec4T} r_ = ${call};`);
  }
  let result = "r_";
  if (swz && !(swz[0] === 0 && swz[1] === 1 && swz[2] === 2 && swz[3] === 3)) {
    const k: Kind = lay.shadow ? "f" : rkind;
    const parts = swz.map((x) => (x <= 3 ? `r_.${"xyzw"[x]}` : x === 4 ? literal(0, k) : k === "f" ? "1.0" : k === "i" ? "1" : "1u"));
    result = `${typeName(k, 4)}(${parts.join(", ")})`;
  }
  if (op !== "TXF" && op !== "TXF_LZ") result = applyBorder(ctx, info, target, result, lay.shadow ? "f" : rkind, offset);
  ctx.write(inst, { code: result, kind: lay.shadow ? "f" : rkind, n: 4 });
  ctx.close();
  return true;
}
