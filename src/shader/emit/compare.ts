/** Comparisons producing TGSI integer booleans (~0 / 0), and UCMP (bitwise select on a boolean). */
import type { Instruction } from "../ir.ts";
import type { EmitContext, ReadKind } from "./context.ts";
import { LETTERS, typeName, type Val } from "./values.ts";

const CMP: Readonly<Record<string, [ReadKind, string, string]>> = {
  FSEQ: ["f", "equal", "=="], FSNE: ["f", "notEqual", "!="], FSLT: ["f", "lessThan", "<"], FSGE: ["f", "greaterThanEqual", ">="],
  ISLT: ["i", "lessThan", "<"], ISGE: ["i", "greaterThanEqual", ">="],
  USEQ: ["u", "equal", "=="], USNE: ["u", "notEqual", "!="], USLT: ["u", "lessThan", "<"], USGE: ["u", "greaterThanEqual", ">="],
};

export function emitCompare(ctx: EmitContext, inst: Instruction): boolean {
  const c = CMP[inst.opcode];
  if (c) {
    const [kind, fn, opr] = c;
    ctx.componentwise(inst, kind, ([a, b], n): Val =>
      n === 1
        ? { code: `(${a!.code} ${opr} ${b!.code} ? 0xffffffffu : 0u)`, kind: "u", n }
        : { code: `(${typeName("u", n)}(${fn}(${a!.code}, ${b!.code})) * 0xffffffffu)`, kind: "u", n },
    );
    return true;
  }
  if (inst.opcode === "UCMP") {
    const ch = ctx.channels(inst);
    if (ch.length === 0) return true;
    // Read each operand once as a full vector, then select per channel on the swizzled copy.
    const a = ctx.src(inst, 0, "u", ch);
    const b = ctx.src(inst, 1, "x", ch);
    const c2 = ctx.src(inst, 2, "x", ch);
    const n = ch.length;
    if (n === 1) {
      ctx.write(inst, { code: `(${a.code} != 0u ? ${b.code} : ${c2.code})`, kind: "u", n });
    } else {
      const t = typeName("u", n);
      ctx.open("{");
      ctx.line(`${t} s_ = ${a.code}; ${t} b_ = ${b.code}; ${t} c_ = ${c2.code};`);
      const parts = Array.from({ length: n }, (_, i) => `s_.${LETTERS[i]} != 0u ? b_.${LETTERS[i]} : c_.${LETTERS[i]}`);
      ctx.write(inst, { code: `${t}(${parts.join(", ")})`, kind: "u", n });
      ctx.close();
    }
    return true;
  }
  return false;
}
