/**
 * Generated programs: random but valid TGSI (every supported opcode, random write masks, swizzles,
 * modifiers, saturate, register files incl. indirect addressing, nested control flow) must translate and
 * compile with glslangValidator. Catches typing bugs in operand combinations the corpus does not contain.
 */
import { describe, expect, it } from "vitest";
import { translateTgsi } from "../translate.ts";
import { compileAll, type CompileInput } from "../test-util/glslang.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const ALU: [string, number][] = [
  ["MOV", 1], ["ADD", 2], ["MUL", 2], ["MAD", 3], ["DIV", 2], ["MIN", 2], ["MAX", 2], ["LRP", 3], ["CMP", 3],
  ["FRC", 1], ["FLR", 1], ["CEIL", 1], ["TRUNC", 1], ["ROUND", 1], ["SSG", 1], ["RCP", 1], ["RSQ", 1], ["SQRT", 1],
  ["EX2", 1], ["LG2", 1], ["POW", 2], ["SIN", 1], ["COS", 1], ["DP2", 2], ["DP3", 2], ["DP4", 2], ["SLT", 2],
  ["SGE", 2], ["SEQ", 2], ["SNE", 2], ["DDX", 1], ["DDY", 1], ["LDEXP", 2],
  ["UADD", 2], ["UMUL", 2], ["UMAD", 3], ["AND", 2], ["OR", 2], ["XOR", 2], ["NOT", 1], ["SHL", 2], ["USHR", 2],
  ["ISHR", 2], ["INEG", 1], ["IABS", 1], ["ISSG", 1], ["IMAX", 2], ["IMIN", 2], ["UMAX", 2], ["UMIN", 2],
  ["IDIV", 2], ["UDIV", 2], ["UMOD", 2], ["MOD", 2], ["I2F", 1], ["U2F", 1], ["F2I", 1], ["F2U", 1],
  ["IBFE", 3], ["UBFE", 3], ["BFI", 4], ["POPC", 1], ["BREV", 1], ["LSB", 1], ["IMSB", 1], ["UMSB", 1],
  ["UMUL_HI", 2], ["IMUL_HI", 2], ["FSEQ", 2], ["FSNE", 2], ["FSLT", 2], ["FSGE", 2], ["ISLT", 2], ["ISGE", 2],
  ["USEQ", 2], ["USNE", 2], ["USLT", 2], ["USGE", 2], ["UCMP", 3],
];
const TEX = [
  "TEX TEMP[{d}], TEMP[{s}], SAMP[0], 2D", "TXB TEMP[{d}], TEMP[{s}], SAMP[1], SHADOW2D", "TXL TEMP[{d}], TEMP[{s}], SAMP[2], 3D",
  "TXP TEMP[{d}], TEMP[{s}], SAMP[0], 2D", "TXF TEMP[{d}], TEMP[{s}], SAMP[3], 2D_ARRAY", "TXQ TEMP[{d}], TEMP[{s}], SAMP[4], CUBE",
  "TXD TEMP[{d}], TEMP[{s}], TEMP[0], TEMP[1], SAMP[0], 2D", "TEX TEMP[{d}], TEMP[{s}], SAMP[0], 2D, IMM[1].xyz",
  "TEX TEMP[{d}], TEMP[{s}], SAMP[4], CUBE",
];

function program(r: () => number, stage: "VERT" | "FRAG"): string {
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const sw = (): string => (r() < 0.3 ? "" : `.${Array.from({ length: 4 }, () => pick(["x", "y", "z", "w"])).join("")}`);
  const mask = (): string => {
    if (r() < 0.4) return "";
    const m = ["x", "y", "z", "w"].filter(() => r() < 0.5);
    return m.length ? `.${m.join("")}` : ".x";
  };
  const src = (): string => {
    const mod = r() < 0.15 ? "-" : "";
    const abs = r() < 0.1;
    const reg = pick([
      () => `TEMP[${Math.floor(r() * 8)}]`, () => `IN[${Math.floor(r() * 2)}]`, () => `CONST[${Math.floor(r() * 4)}]`,
      () => `IMM[${Math.floor(r() * 2)}]`, () => "CONST[ADDR[0].x+1]", () => "TEMP[ADDR[0].x+2](1)", () => `CONST[1][${Math.floor(r() * 2)}]`,
    ])();
    return abs ? `${mod}|${reg}${sw()}|` : `${mod}${reg}${sw()}`;
  };
  const dst = (): string => pick([() => `TEMP[${Math.floor(r() * 8)}]`, () => "TEMP[ADDR[0].x+2](1)", () => "OUT[0]", () => "OUT[1]"])() + mask();
  const lines: string[] = [];
  const stack: string[] = [];
  for (let i = 0; i < 40; i++) {
    const k = r();
    if (k < 0.07 && stack.length < 4) {
      const b = pick(["UIF", "IF", "BGNLOOP"]);
      lines.push(b === "BGNLOOP" ? "BGNLOOP" : `${b} ${src()}`);
      stack.push(b);
    } else if (k < 0.12 && stack.length) {
      const b = stack.pop()!;
      if (b !== "BGNLOOP" && b !== "ELSE" && r() < 0.5) {
        lines.push("ELSE");
        stack.push("ELSE");
      } else lines.push(b === "BGNLOOP" ? "BRK\nENDLOOP" : "ENDIF");
    } else if (k < 0.14) lines.push(`UARL ADDR[0].x, ${src()}`);
    else if (k < 0.2) lines.push(pick(TEX).replace("{d}", String(Math.floor(r() * 8))).replace("{s}", String(Math.floor(r() * 8))));
    else if (k < 0.22 && stack.includes("BGNLOOP")) lines.push(pick(["BRK", "CONT"]));
    else if (k < 0.23 && stage === "FRAG") lines.push(pick(["KILL", `KILL_IF ${src()}`]));
    else {
      const [op, n] = pick(ALU);
      const sat = r() < 0.1 ? "_SAT" : "";
      lines.push(`${op}${sat} ${dst()}, ${Array.from({ length: n }, src).join(", ")}`);
    }
  }
  while (stack.length) {
    const b = stack.pop()!;
    lines.push(b === "BGNLOOP" ? "BRK\nENDLOOP" : "ENDIF");
  }
  const io = stage === "FRAG"
    ? "DCL IN[0], GENERIC[0], PERSPECTIVE\nDCL IN[1], GENERIC[1], CONSTANT\nDCL OUT[0], COLOR\nDCL OUT[1], COLOR[1]"
    : "DCL IN[0]\nDCL IN[1]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]";
  return `${stage}
${io}
DCL CONST[0..3]
DCL CONST[1][0..1]
DCL SAMP[0..4]
DCL SVIEW[0], 2D, FLOAT
DCL SVIEW[1], SHADOW2D, FLOAT
DCL SVIEW[2], 3D, FLOAT
DCL SVIEW[3], 2D_ARRAY, SINT
DCL SVIEW[4], CUBE, FLOAT
DCL TEMP[0..7]
DCL TEMP[8..11], ARRAY(1)
DCL ADDR[0]
IMM[0] FLT32 {0x3f800000, 0xbf000000, 0x7fc00000, 0x00000001}
IMM[1] INT32 {-1, 2, 0, 2147483647}
${lines.join("\n")}
END
`;
}

describe("random valid programs", () => {
  it("translate and compile", async () => {
    const r = rng(Number(process.env.WEBVIRGL_RANDOM_SEED ?? 1234));
    const inputs: CompileInput[] = [];
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const stage = i % 2 ? "VERT" : "FRAG";
      const text = program(r, stage);
      const res = translateTgsi(text, { nrCbufs: 2 });
      if (!res.ok) failures.push(`${res.error.line}:${res.error.column} ${res.error.message}\n${text}`);
      else inputs.push({ name: text, stage: stage === "VERT" ? "vert" : "frag", glsl: res.glsl });
    }
    expect(failures.slice(0, 2)).toEqual([]);
    const errors = await compileAll(inputs, 2);
    expect([...errors].slice(0, 2)).toEqual([]);
  }, 60_000);
});
