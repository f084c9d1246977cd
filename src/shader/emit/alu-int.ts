/** Emitters for integer/bit opcodes and conversions. Integer overflow wraps (GLSL ES 3.00 §5.9). */
import type { Instruction } from "../ir.ts";
import type { EmitContext } from "./context.ts";
import { typeName, type Kind, type Val } from "./values.ts";

const v = (code: string, kind: Kind, n: number): Val => ({ code, kind, n });

const BINARY_U: Readonly<Record<string, string>> = { UADD: "+", UMUL: "*", AND: "&", OR: "|", XOR: "^" };
const HELPER_BINARY: Readonly<Record<string, [string, Kind]>> = {
  UDIV: ["webvirgl_udiv", "u"], UMOD: ["webvirgl_umod", "u"], IDIV: ["webvirgl_idiv", "i"], MOD: ["webvirgl_imod", "i"],
  UMUL_HI: ["webvirgl_umul_hi", "u"], IMUL_HI: ["webvirgl_imul_hi", "i"],
};
const HELPER_UNARY: Readonly<Record<string, [string, Kind, Kind]>> = {
  POPC: ["webvirgl_popc", "u", "u"], BREV: ["webvirgl_brev", "u", "u"], LSB: ["webvirgl_lsb", "u", "u"],
  UMSB: ["webvirgl_umsb", "u", "u"], IMSB: ["webvirgl_imsb", "i", "u"],
};

export function emitIntAlu(ctx: EmitContext, inst: Instruction): boolean {
  const op = inst.opcode;
  const bin = BINARY_U[op];
  if (bin) {
    ctx.componentwise(inst, "u", ([a, b], n) => v(`(${a!.code} ${bin} ${b!.code})`, "u", n));
    return true;
  }
  const hb = HELPER_BINARY[op];
  if (hb) {
    const name = ctx.helper(hb[0]);
    if (hb[0] === "webvirgl_imul_hi") ctx.helper("webvirgl_umul_hi");
    ctx.perChannel(inst, [hb[1]], hb[1], ([a, b]) => `${name}(${a!.code}, ${b!.code})`);
    return true;
  }
  const hu = HELPER_UNARY[op];
  if (hu) {
    const name = ctx.helper(hu[0]);
    ctx.perChannel(inst, [hu[1]], hu[2], ([a]) => `${name}(${a!.code})`);
    return true;
  }
  switch (op) {
    case "UMAD":
      ctx.componentwise(inst, "u", ([a, b, c], n) => v(`(${a!.code} * ${b!.code} + ${c!.code})`, "u", n));
      return true;
    case "NOT":
      ctx.componentwise(inst, "u", ([a], n) => v(`(~${a!.code})`, "u", n));
      return true;
    case "SHL":
    case "USHR":
    case "ISHR": {
      const kind: Kind = op === "ISHR" ? "i" : "u";
      const ch = ctx.channels(inst);
      if (ch.length === 0) return true;
      const a = ctx.src(inst, 0, kind, ch);
      const b = ctx.src(inst, 1, "u", ch);
      const sh = op === "SHL" ? "<<" : ">>";
      ctx.write(inst, v(`(${a.code} ${sh} (${b.code} & 31u))`, kind, ch.length));
      return true;
    }
    case "INEG":
      ctx.componentwise(inst, "u", ([a], n) => v(`(0u - ${a!.code})`, "u", n));
      return true;
    case "IABS":
      ctx.componentwise(inst, "i", ([a], n) => v(`abs(${a!.code})`, "i", n));
      return true;
    case "ISSG":
      ctx.componentwise(inst, "i", ([a], n) => v(`sign(${a!.code})`, "i", n));
      return true;
    case "IMAX":
    case "IMIN":
      ctx.componentwise(inst, "i", ([a, b], n) => v(`${op === "IMAX" ? "max" : "min"}(${a!.code}, ${b!.code})`, "i", n));
      return true;
    case "UMAX":
    case "UMIN":
      ctx.componentwise(inst, "u", ([a, b], n) => v(`${op === "UMAX" ? "max" : "min"}(${a!.code}, ${b!.code})`, "u", n));
      return true;
    case "I2F":
      ctx.componentwise(inst, "i", ([a], n) => v(`${typeName("f", n)}(${a!.code})`, "f", n));
      return true;
    case "U2F":
      ctx.componentwise(inst, "u", ([a], n) => v(`${typeName("f", n)}(${a!.code})`, "f", n));
      return true;
    case "F2I":
      ctx.componentwise(inst, "f", ([a], n) => v(`${typeName("i", n)}(${a!.code})`, "i", n));
      return true;
    case "F2U":
      ctx.componentwise(inst, "f", ([a], n) => v(`${typeName("u", n)}(${a!.code})`, "u", n));
      return true;
    case "ARL":
      ctx.componentwise(inst, "f", ([a], n) => v(`${typeName("i", n)}(floor(${a!.code}))`, "i", n));
      return true;
    case "ARR":
      ctx.componentwise(inst, "f", ([a], n) => v(`${typeName("i", n)}(roundEven(${a!.code}))`, "i", n));
      return true;
    case "UARL":
      ctx.componentwise(inst, "u", ([a], n) => v(`${typeName("i", n)}(${a!.code})`, "i", n));
      return true;
    case "UBFE":
      ctx.perChannel(inst, ["u"], "u", ([a, b, c]) => `${ctx.helper("webvirgl_ubfe")}(${a!.code}, ${b!.code}, ${c!.code})`);
      return true;
    case "IBFE":
      ctx.perChannel(inst, ["i", "u", "u"], "i", ([a, b, c]) => `${ctx.helper("webvirgl_ibfe")}(${a!.code}, ${b!.code}, ${c!.code})`);
      return true;
    case "BFI":
      ctx.perChannel(inst, ["u"], "u", ([a, b, c, d]) => `${ctx.helper("webvirgl_bfi")}(${a!.code}, ${b!.code}, ${c!.code}, ${d!.code})`);
      return true;
    default:
      return false;
  }
}
