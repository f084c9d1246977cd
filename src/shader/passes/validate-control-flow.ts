/**
 * Pass: check structured control flow is balanced (IF/UIF/ELSE/ENDIF, BGNLOOP/ENDLOOP, SWITCH/CASE/
 * DEFAULT/ENDSWITCH, BGNSUB/ENDSUB), BRK/CONT sit inside a loop (BRK also inside a switch), and nesting is
 * bounded. Returns the index of the END that terminates the main program.
 */
import type { Program } from "../ir.ts";
import { LIMITS } from "../limits.ts";
import { fail } from "./fail.ts";

type Block = "if" | "else" | "loop" | "switch" | "sub";

export function validateControlFlow(prog: Program): number {
  const stack: Block[] = [];
  let mainEnd = -1;
  const insts = prog.instructions;
  for (let i = 0; i < insts.length; i++) {
    const inst = insts[i]!;
    const top = stack[stack.length - 1];
    const push = (b: Block): void => {
      if (stack.length >= LIMITS.maxNesting) fail(inst.loc, `control flow nested deeper than ${LIMITS.maxNesting}`);
      stack.push(b);
    };
    switch (inst.opcode) {
      case "IF":
      case "UIF":
        push("if");
        break;
      case "ELSE":
        if (top !== "if") fail(inst.loc, "ELSE without a matching IF");
        stack[stack.length - 1] = "else";
        break;
      case "ENDIF":
        if (top !== "if" && top !== "else") fail(inst.loc, "ENDIF without a matching IF");
        stack.pop();
        break;
      case "BGNLOOP":
        push("loop");
        break;
      case "ENDLOOP":
        if (top !== "loop") fail(inst.loc, "ENDLOOP without a matching BGNLOOP");
        stack.pop();
        break;
      case "SWITCH":
        push("switch");
        break;
      case "CASE":
      case "DEFAULT":
        if (top !== "switch") fail(inst.loc, `${inst.opcode} outside a SWITCH`);
        break;
      case "ENDSWITCH":
        if (top !== "switch") fail(inst.loc, "ENDSWITCH without a matching SWITCH");
        stack.pop();
        break;
      case "BRK":
        if (!stack.includes("loop") && !stack.includes("switch")) fail(inst.loc, "BRK outside a loop or switch");
        break;
      case "CONT":
        if (!stack.includes("loop")) fail(inst.loc, "CONT outside a loop");
        break;
      case "BGNSUB":
        if (stack.length !== 0 || mainEnd < 0) fail(inst.loc, "BGNSUB inside the main program");
        push("sub");
        break;
      case "ENDSUB":
        if (top !== "sub") fail(inst.loc, "ENDSUB without BGNSUB");
        stack.pop();
        break;
      case "END":
        if (mainEnd < 0) {
          if (stack.length !== 0) fail(inst.loc, `END inside an open ${stack[stack.length - 1]} block`);
          mainEnd = i;
        }
        break;
      default:
        if (mainEnd >= 0 && stack.length === 0) fail(inst.loc, `${inst.opcode} after END outside a subroutine`);
    }
  }
  if (stack.length !== 0) {
    const last = insts[insts.length - 1];
    fail(last?.loc ?? null, `unterminated ${stack[stack.length - 1]} block at end of shader`);
  }
  if (mainEnd < 0) fail(null, "no END instruction");
  return mainEnd;
}
