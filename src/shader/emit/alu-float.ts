/** Emitters for float ALU opcodes (and MOV, which moves raw bits). Returns false if the opcode is not ours. */
import type { Instruction } from "../ir.ts";
import type { EmitContext } from "./context.ts";
import { typeName, type Val } from "./values.ts";

const f = (code: string, n: number): Val => ({ code, kind: "f", n });

const UNARY: Readonly<Record<string, string>> = {
  FRC: "fract", FLR: "floor", CEIL: "ceil", TRUNC: "trunc", ROUND: "roundEven", SSG: "sign", SQRT: "sqrt",
};
const SCALAR_UNARY: Readonly<Record<string, (x: string) => string>> = {
  RCP: (x) => `(1.0 / ${x})`,
  RSQ: (x) => `inversesqrt(${x})`,
  EX2: (x) => `exp2(${x})`,
  LG2: (x) => `log2(${x})`,
  SIN: (x) => `sin(${x})`,
  COS: (x) => `cos(${x})`,
};
const SET: Readonly<Record<string, [string, string]>> = {
  SLT: ["lessThan", "<"], SGE: ["greaterThanEqual", ">="], SEQ: ["equal", "=="], SNE: ["notEqual", "!="],
  SGT: ["greaterThan", ">"], SLE: ["lessThanEqual", "<="],
};

export function emitFloatAlu(ctx: EmitContext, inst: Instruction): boolean {
  const op = inst.opcode;
  switch (op) {
    case "MOV":
      ctx.componentwise(inst, inst.saturate ? "f" : "x", ([a]) => a!);
      return true;
    case "ADD":
      ctx.componentwise(inst, "f", ([a, b], n) => f(`(${a!.code} + ${b!.code})`, n));
      return true;
    case "MUL":
      ctx.componentwise(inst, "f", ([a, b], n) => f(`(${a!.code} * ${b!.code})`, n));
      return true;
    case "MAD":
    case "FMA":
      ctx.componentwise(inst, "f", ([a, b, c], n) => f(`(${a!.code} * ${b!.code} + ${c!.code})`, n));
      return true;
    case "DIV":
      ctx.componentwise(inst, "f", ([a, b], n) => f(`(${a!.code} / ${b!.code})`, n));
      return true;
    case "MIN":
    case "MAX":
      ctx.componentwise(inst, "f", ([a, b], n) => f(`${op.toLowerCase()}(${a!.code}, ${b!.code})`, n));
      return true;
    case "LRP":
      ctx.componentwise(inst, "f", ([a, b, c], n) => f(`mix(${c!.code}, ${b!.code}, ${a!.code})`, n));
      return true;
    case "CMP":
      ctx.componentwise(inst, "f", ([a, b, c], n) =>
        n === 1
          ? f(`(${a!.code} < 0.0 ? ${b!.code} : ${c!.code})`, 1)
          : f(`mix(${c!.code}, ${b!.code}, lessThan(${a!.code}, ${typeName("f", n)}(0.0)))`, n),
      );
      return true;
    case "LDEXP": {
      const ch = ctx.channels(inst);
      if (ch.length === 0) return true;
      const a = ctx.src(inst, 0, "f", ch);
      const b = ctx.src(inst, 1, "i", ch);
      ctx.write(inst, f(`(${a.code} * exp2(${typeName("f", ch.length)}(${b.code})))`, ch.length));
      return true;
    }
    case "DDX":
    case "DDY":
    case "DDX_FINE":
    case "DDY_FINE": {
      const fn = op.startsWith("DDX") ? "dFdx" : "dFdy";
      ctx.usesDerivatives = true;
      ctx.componentwise(inst, "f", ([a], n) => (ctx.isFragment ? f(`${fn}(${a!.code})`, n) : f(`${typeName("f", n)}(0.0)`, n)));
      return true;
    }
    case "POW":
      ctx.scalar(inst, "f", ([a, b]) => f(`pow(${a!.code}, ${b!.code})`, 1));
      return true;
    case "DP2":
    case "DP3":
    case "DP4": {
      const n = op === "DP2" ? 2 : op === "DP3" ? 3 : 4;
      const chans = [0, 1, 2, 3].slice(0, n);
      if (ctx.channels(inst).length === 0) return true;
      const a = ctx.src(inst, 0, "f", chans);
      const b = ctx.src(inst, 1, "f", chans);
      ctx.write(inst, f(`dot(${a.code}, ${b.code})`, 1));
      return true;
    }
    default:
      break;
  }
  const u = UNARY[op];
  if (u) {
    ctx.componentwise(inst, "f", ([a], n) => f(`${u}(${a!.code})`, n));
    return true;
  }
  const s = SCALAR_UNARY[op];
  if (s) {
    ctx.scalar(inst, "f", ([a]) => f(s(a!.code), 1));
    return true;
  }
  const set = SET[op];
  if (set) {
    ctx.componentwise(inst, "f", ([a, b], n) =>
      n === 1 ? f(`float(${a!.code} ${set[1]} ${b!.code})`, 1) : f(`${typeName("f", n)}(${set[0]}(${a!.code}, ${b!.code}))`, n),
    );
    return true;
  }
  return false;
}
