/** Structured control flow, KILL/KILL_IF, RET/NOP. (Balance was checked by validate-control-flow.) */
import type { Instruction } from "../ir.ts";
import { fail } from "../passes/fail.ts";
import type { EmitContext } from "./context.ts";

/** Default cap on iterations of one TGSI loop (ShaderKey.loopIterationLimit; 0 = unbounded). */
export const DEFAULT_LOOP_LIMIT = 65536;

export function emitControlFlow(ctx: EmitContext, inst: Instruction): boolean {
  switch (inst.opcode) {
    case "IF": {
      const c = ctx.src(inst, 0, "f", [0]);
      ctx.open(`if (${c.code} != 0.0) {`);
      return true;
    }
    case "UIF": {
      const c = ctx.src(inst, 0, "u", [0]);
      ctx.open(`if (${c.code} != 0u) {`);
      return true;
    }
    case "ELSE":
      ctx.mid("} else {");
      return true;
    case "ENDIF":
      ctx.close();
      return true;
    case "ENDLOOP":
      ctx.loopDepth--;
      ctx.close();
      return true;
    case "BGNLOOP": {
      // Bounded: a guest loop that never exits must not hang the browser's GPU process.
      const limit = ctx.key.loopIterationLimit ?? DEFAULT_LOOP_LIMIT;
      if (limit > 0) {
        const v = `li${ctx.loopDepth}_`;
        ctx.open(`for (int ${v} = 0; ${v} < ${Math.min(Math.floor(limit), 0x7fffffff)}; ${v}++) {`);
      } else ctx.open("for (;;) {");
      ctx.loopDepth++;
      return true;
    }
    case "BRK":
      ctx.line("break;");
      return true;
    case "CONT":
      ctx.line("continue;");
      return true;
    case "SWITCH": {
      const c = ctx.src(inst, 0, "i", [0]);
      ctx.open(`switch (${c.code}) {`);
      return true;
    }
    case "CASE": {
      const s = inst.src[0];
      if (!s || s.file !== "IMM" || s.indirect) fail(inst.loc, "CASE needs an immediate operand");
      const c = ctx.src(inst, 0, "i", [0]);
      ctx.mid(`case ${c.code}:`);
      return true;
    }
    case "DEFAULT":
      ctx.mid("default:");
      return true;
    case "ENDSWITCH":
      ctx.line("break;");
      ctx.close("}");
      return true;
    case "KILL":
      if (!ctx.isFragment) fail(inst.loc, "KILL outside a fragment shader");
      ctx.usesDiscard = true;
      ctx.line("discard;");
      return true;
    case "KILL_IF": {
      if (!ctx.isFragment) fail(inst.loc, "KILL_IF outside a fragment shader");
      ctx.usesDiscard = true;
      const c = ctx.src(inst, 0, "f", [0, 1, 2, 3]);
      ctx.line(`if (any(lessThan(${c.code}, vec4(0.0)))) discard;`);
      return true;
    }
    case "RET":
      ctx.line("return;");
      return true;
    case "NOP":
      return true;
    default:
      return false;
  }
}
