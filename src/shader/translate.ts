/**
 * The translation pipeline: parse → validate-declarations → validate-control-flow → analyze-indirect →
 * resolve-samplers → resolve-linkage → emit body → assemble. Never throws.
 */
import type { Program, Result } from "./ir.ts";
import { parseTgsi } from "./parse/parser.ts";
import { analyzeIndirect } from "./passes/analyze-indirect.ts";
import { TranslateFailure, fail } from "./passes/fail.ts";
import { resolveLinkage } from "./passes/resolve-linkage.ts";
import { resolveSamplers } from "./passes/resolve-samplers.ts";
import { validateControlFlow } from "./passes/validate-control-flow.ts";
import { validateDeclarations } from "./passes/validate-declarations.ts";
import { EmitContext } from "./emit/context.ts";
import { assemble, emitBody } from "./emit/glsl.ts";
import type { ShaderKey, TranslateResult, TranslationInfo, UniformBlockInfo } from "./types.ts";

export function translateProgram(prog: Program, key: ShaderKey = {}): TranslateResult {
  try {
    if (prog.stage !== "VERT" && prog.stage !== "FRAG") {
      fail({ line: 1, column: 1 }, `${prog.stage} shaders are not supported on a WebGL2 host (only VERT and FRAG)`);
    }
    const tables = validateDeclarations(prog);
    const mainEnd = validateControlFlow(prog);
    const arrayTemps = new Set<number>();
    for (const d of tables.tempArrays.values()) for (let r = d.first; r <= d.last; r++) arrayTemps.add(r);
    const indirect = analyzeIndirect(prog, new Set(tables.tempArrays.keys()), arrayTemps);
    const samplers = resolveSamplers(prog);
    const io = resolveLinkage(prog, key, indirect.outFile);
    const ctx = new EmitContext(prog, key, tables, io, samplers, indirect);
    emitBody(ctx, mainEnd);
    const glsl = assemble(ctx);
    const uniformBlocks: UniformBlockInfo[] = [];
    for (const [buf, size] of [...ctx.constSizes].sort((a, b) => a[0] - b[0])) {
      if (size <= 0) continue;
      if (buf !== 0) uniformBlocks.push({ name: `${ctx.prefix}ubo${buf}`, bufferIndex: buf, vec4Count: size });
      else if (key.constBuffer0InBlock) uniformBlocks.push({ name: `${ctx.prefix}cb0`, bufferIndex: 0, vec4Count: size });
    }
    const opcodes = [...new Set(prog.instructions.map((i) => i.opcode))].sort();
    const samplerUniforms = [...ctx.samplerUniforms.values()];
    const internalUniformVectors = [...io.uniforms, ...samplerUniforms].reduce((s, u) => s + Math.max(1, u.arraySize), 0) + (ctx.usesLevelsUniform ? 32 : 0);
    const clipVaryings = (key.clipPlaneEnable ?? 0) & 0xff ? 2 : 0;
    const resources = {
      attributes: io.attributes.length,
      varyingVectors: (prog.stage === "VERT" ? io.varyingsOut.length + io.streamOutputVaryings.length : io.varyingsIn.length) + clipVaryings,
      uniformVectors: (key.constBuffer0InBlock ? 0 : ctx.constSizes.get(0) ?? 0) + internalUniformVectors,
      uniformBlocks: uniformBlocks.length,
      samplers: samplers.samplers.size,
    };
    const info: TranslationInfo = {
      stage: prog.stage === "VERT" ? "vertex" : "fragment",
      attributes: io.attributes,
      inputs: io.varyingsIn,
      varyingsOut: io.varyingsOut,
      outputs: io.outputs,
      samplers: [...samplers.samplers.values()].sort((a, b) => a.index - b.index),
      uniformBlocks,
      uniforms: ctx.usesLevelsUniform
        ? [...io.uniforms, ...samplerUniforms, { name: `${ctx.prefix}samp_levels`, glslType: "int", arraySize: 32, purpose: "TXQ: number of mip levels of each sampler view (last_level - first_level + 1)" }]
        : [...io.uniforms, ...samplerUniforms],
      constantBuffer0Size: ctx.constSizes.get(0) ?? 0,
      fragCoordOrigin: io.fragCoordOrigin,
      fragCoordPixelCenter: io.fragCoordPixelCenter,
      writesDepth: io.writesDepth,
      usesDiscard: io.usesDiscard || ctx.usesDiscard,
      color0WritesAllCbufs: io.color0WritesAllCbufs,
      streamOutputVaryings: io.streamOutputVaryings,
      resources,
      opcodes,
      warnings: [...new Set([...io.warnings, ...ctx.warnings])],
    };
    return { ok: true, glsl, info };
  } catch (e) {
    if (e instanceof TranslateFailure) return { ok: false, error: e.error };
    return { ok: false, error: { line: 0, column: 0, message: `internal translator error: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

/** TGSI text → GLSL ES 3.00. */
export function translateTgsi(text: string, key: ShaderKey = {}): TranslateResult {
  const parsed: Result<Program> = parseTgsi(text);
  if (!parsed.ok) return parsed;
  return translateProgram(parsed.value, key);
}
