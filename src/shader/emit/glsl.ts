/**
 * Assembles the final GLSL ES 3.00 text: header, interface declarations, register storage, helpers,
 * the translated body (`webvirgl_tgsi_main`) and `main()` = prologue + body + epilogue.
 */
import type { Instruction } from "../ir.ts";
import { fail } from "../passes/fail.ts";
import { emitFloatAlu } from "./alu-float.ts";
import { emitIntAlu } from "./alu-int.ts";
import { emitCompare } from "./compare.ts";
import type { EmitContext } from "./context.ts";
import { emitControlFlow } from "./control-flow.ts";
import { helperSource } from "./helpers.ts";
import { emitTexture } from "./texture.ts";

const FAMILIES: readonly ((ctx: EmitContext, inst: Instruction) => boolean)[] = [
  emitFloatAlu, emitCompare, emitIntAlu, emitControlFlow, emitTexture,
];

/** Emit the instructions of the main program (up to its END). */
export function emitBody(ctx: EmitContext, mainEnd: number): void {
  for (let i = 0; i < mainEnd; i++) {
    const inst = ctx.prog.instructions[i]!;
    if (inst.precise) {
      // GLSL ES 3.00 has no `precise`; the computation is still emitted unchanged.
    }
    let done = false;
    for (const fam of FAMILIES) {
      if (fam(ctx, inst)) {
        done = true;
        break;
      }
    }
    if (!done) fail(inst.loc, `opcode ${inst.opcode} is not supported on a WebGL2 host`);
  }
}

export function assemble(ctx: EmitContext): string {
  const out: string[] = ["#version 300 es", "precision highp float;", "precision highp int;"];
  const io = ctx.io;
  out.push(...io.globals);
  // Constant buffers: buffer 0 = plain uniform array, others = std140 blocks.
  for (const [buf, size] of [...ctx.constSizes].sort((a, b) => a[0] - b[0])) {
    if (size <= 0) continue;
    const p = ctx.prefix;
    if (buf === 0 && ctx.key.constBuffer0InBlock) out.push(`layout(std140) uniform ${p}cb0 { uvec4 ${p}const0[${size}]; };`);
    else if (buf === 0) out.push(`uniform uvec4 ${p}const0[${size}];`);
    else out.push(`layout(std140) uniform ${p}ubo${buf} { uvec4 ${p}ubo${buf}_data[${size}]; };`);
  }
  for (const s of [...ctx.samplers.samplers.values()].sort((a, b) => a.index - b.index)) {
    out.push(`uniform highp ${s.glslType} ${s.name};`);
  }
  if (ctx.usesLevelsUniform) out.push(`uniform int ${ctx.prefix}samp_levels[32];`);
  for (const u of ctx.samplerUniforms.values()) out.push(`uniform ${u.glslType} ${u.name};`);
  if (ctx.indirect.immFile && ctx.prog.immediates.length > 0) {
    const n = ctx.prog.immediates.length;
    const items = ctx.prog.immediates.map((im) => `uvec4(${im.words.map((w) => `${w >>> 0}u`).join(", ")})`);
    out.push(`const uvec4 webvirgl_imm[${n}] = uvec4[${n}](${items.join(", ")});`);
  }
  const init: string[] = [];
  if (ctx.indirect.tempFile) {
    let n = 0;
    for (const d of ctx.prog.declarations) if (d.file === "TEMP") n = Math.max(n, d.last + 1);
    out.push(`uvec4 tf[${n}];`);
    init.push(`for (int i = 0; i < ${n}; i++) tf[i] = uvec4(0u);`);
  }
  for (const [id, d] of [...ctx.tables.tempArrays].sort((a, b) => a[0] - b[0])) {
    const n = d.last - d.first + 1;
    out.push(`uvec4 ta${id}[${n}];`);
    init.push(`for (int i = 0; i < ${n}; i++) ta${id}[i] = uvec4(0u);`);
  }
  for (const t of [...ctx.usedTemps].sort((a, b) => a - b)) out.push(`uvec4 t${t} = uvec4(0u);`);
  for (const a of [...ctx.usedAddr].sort((a, b) => a - b)) out.push(`ivec4 a${a} = ivec4(0);`);
  if (ctx.indirect.outFile) {
    const n = Math.max(0, ...io.outputRegs.map((r) => r + 1));
    out.push(`uvec4 oa[${n}];`);
    init.push(`for (int i = 0; i < ${n}; i++) oa[i] = uvec4(0u);`);
  } else {
    for (const r of io.outputRegs) out.push(`uvec4 o${r} = uvec4(0u);`);
  }
  if (ctx.indirect.inFile) {
    const n = Math.max(0, ...[...io.inputs.keys()].map((r) => r + 1));
    out.push(`uvec4 ia[${n}];`);
    for (let r = 0; r < n; r++) {
      const e = io.inputs.get(r);
      if (!e) init.push(`ia[${r}] = uvec4(0u);`);
      else init.push(`ia[${r}] = ${e.kind === "u" ? e.expr : e.kind === "f" ? `floatBitsToUint(${e.expr})` : `uvec4(${e.expr})`};`);
    }
  }
  out.push(...helperSource(ctx.helpers));
  out.push("void webvirgl_tgsi_main() {", ...ctx.lines, "}");
  out.push("void main() {");
  for (const l of [...io.prologue, ...init]) out.push(`  ${l}`);
  out.push("  webvirgl_tgsi_main();");
  for (const l of io.epilogue) out.push(`  ${l}`);
  out.push("}");
  return out.join("\n") + "\n";
}
