/**
 * Pass: give each sampler a GLSL type from its SVIEW declaration (return type) and the texture target its
 * instructions use (or the declared target). WebGL2 has no 1D, buffer, MSAA or cube-array samplers:
 * 1D targets are 2D textures of height 1 (sampled at t = 0.5); the others are rejected when used.
 */
import type { Program } from "../ir.ts";
import type { SamplerInfo, ScalarKind } from "../types.ts";
import { fail } from "./fail.ts";

export interface SamplerPlan {
  samplers: Map<number, SamplerInfo>;
}

const TEXTURE_OPS: ReadonlySet<string> = new Set([
  "TEX", "TEX_LZ", "TXB", "TXL", "TXP", "TXD", "TXF", "TXF_LZ", "TXQ", "TG4", "LODQ", "TEX2", "TXB2", "TXL2", "TXQS",
]);

/** `webvirgl_vs_` / `webvirgl_fs_`: prefix of per-stage uniform names. */
export function stagePrefix(stage: string): string {
  return stage === "VERT" ? "webvirgl_vs_" : "webvirgl_fs_";
}

export function isTextureOp(op: string): boolean {
  return TEXTURE_OPS.has(op);
}

/** GLSL sampler base name for a target ("" prefix added for int/uint). */
function samplerBase(target: string): string | null {
  switch (target) {
    case "1D":
    case "2D":
    case "RECT":
    case "2D_MSAA":
    case "BUFFER": // mirrored into a 2D texture by the renderer (see emit/texture.ts)
      return "sampler2D";
    case "3D":
      return "sampler3D";
    case "CUBE":
      return "samplerCube";
    case "1D_ARRAY":
    case "2D_ARRAY":
    case "2D_ARRAY_MSAA": // the resolved copy of a multisample resource (see emit/texture.ts)
      return "sampler2DArray";
    case "SHADOW1D":
    case "SHADOW2D":
    case "SHADOWRECT":
      return "sampler2DShadow";
    case "SHADOWCUBE":
      return "samplerCubeShadow";
    case "SHADOW1D_ARRAY":
    case "SHADOW2D_ARRAY":
      return "sampler2DArrayShadow";
    default:
      return null;
  }
}

export function resolveSamplers(prog: Program): SamplerPlan {
  const declTarget = new Map<number, { target: string | null; ret: ScalarKind }>();
  for (const d of prog.declarations) {
    if (d.file === "SVIEW") {
      for (let r = d.first; r <= d.last; r++) {
        const rt = d.returnTypes?.[0] ?? "FLOAT";
        declTarget.set(r, { target: d.target, ret: rt === "SINT" ? "int" : rt === "UINT" ? "uint" : "float" });
      }
    }
  }
  const samplers = new Map<number, SamplerInfo>();
  for (const inst of prog.instructions) {
    if (!isTextureOp(inst.opcode)) continue;
    const samp = inst.src[inst.src.length - 1];
    if (!samp || samp.file !== "SAMP") fail(inst.loc, `${inst.opcode}: last source must be a SAMP register`);
    if (samp.indirect) fail(inst.loc, "indirect sampler indexing is not supported on a WebGL2 host");
    const decl = declTarget.get(samp.index);
    const target = inst.texTarget && inst.texTarget !== "UNKNOWN" ? inst.texTarget : (decl?.target ?? "2D");
    const base = samplerBase(target);
    if (!base) fail(inst.loc, `texture target ${target} is not supported on a WebGL2 host`);
    const ret = decl?.ret ?? "float";
    const shadow = base.includes("Shadow");
    if (shadow && ret !== "float") fail(inst.loc, "shadow sampler with an integer return type");
    const glslType = (ret === "int" ? "i" : ret === "uint" ? "u" : "") + base;
    const prev = samplers.get(samp.index);
    if (prev) {
      if (prev.glslType !== glslType) fail(inst.loc, `SAMP[${samp.index}] used as both ${prev.glslType} and ${glslType}`);
      continue;
    }
    samplers.set(samp.index, { index: samp.index, name: `${stagePrefix(prog.stage)}samp${samp.index}`, glslType, target, returnType: ret, shadow });
  }
  return { samplers };
}
