/**
 * Reference TGSI interpreter (tests only): executes a parsed program for one fragment/vertex with 32-bit
 * exact integer semantics and float32 rounding after every operation (denormals flushed), so translated GLSL can be checked
 * against it. Same undefined-behaviour choices as the translator (NIR's: x/0 = 0, shifts & 31, …).
 * Supports the ALU, comparison and control-flow opcodes; anything else throws `Unsupported`.
 */
import type { Program, SrcOperand } from "../ir.ts";
import { OPCODES } from "../parse/names.ts";

export class Unsupported extends Error {}

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
// Denormals are flushed to (signed) zero on float reads and results: GLSL ES allows it and GPUs
// (SwiftShader included) do it, so integer bit patterns read as floats (tiny denormals) compare equal.
const ftz = (w: number): number => ((w & 0x7f800000) === 0 ? w & 0x80000000 : w) >>> 0;
const fb = (x: number): number => {
  F[0] = x;
  return ftz(U[0]!);
};
const bf = (w: number): number => {
  U[0] = ftz(w >>> 0);
  return F[0]!;
};
const fr = Math.fround;

export interface InterpInput {
  /** Constant buffer 0 words (4 per slot). */
  consts: Uint32Array;
  /** IN index → 4 words. */
  inputs?: ReadonlyMap<number, readonly number[]>;
  maxSteps?: number;
}

export interface InterpResult {
  outputs: Map<number, number[]>;
  killed: boolean;
  /**
   * The result depends on float details GLSL leaves to the implementation: a NaN/Inf was produced or
   * compared, a float comparison was a near-tie, or a float→int conversion was out of range.
   */
  fragile: boolean;
}

/** Set by compute() when a result is implementation-sensitive (see InterpResult.fragile). */
let fragileFlag = false;
const nearTie = (x: number, y: number): boolean =>
  !Number.isFinite(x) || !Number.isFinite(y) || (x !== y && Math.abs(x - y) <= 1e-3 * Math.max(Math.abs(x), Math.abs(y)) + 1e-30);
const noteCmp = (x: number, y: number): void => {
  if (nearTie(x, y)) fragileFlag = true;
};

type Vec = [number, number, number, number];

export function interpret(prog: Program, input: InterpInput): InterpResult {
  const insts = prog.instructions;
  // Match structured control flow.
  const jump = new Map<number, number>();
  const loopOf = new Map<number, [number, number]>();
  const stack: number[] = [];
  const loops: number[] = [];
  for (let i = 0; i < insts.length; i++) {
    const op = insts[i]!.opcode;
    if (op === "IF" || op === "UIF") stack.push(i);
    else if (op === "ELSE") {
      const s = stack.pop()!;
      jump.set(s, i);
      stack.push(i);
    } else if (op === "ENDIF") jump.set(stack.pop()!, i);
    else if (op === "BGNLOOP") loops.push(i);
    else if (op === "ENDLOOP") {
      const b = loops.pop()!;
      jump.set(b, i);
      jump.set(i, b);
    }
  }
  // BRK/CONT → their loop.
  const open: number[] = [];
  for (let i = 0; i < insts.length; i++) {
    const op = insts[i]!.opcode;
    if (op === "BGNLOOP") open.push(i);
    else if (op === "ENDLOOP") open.pop();
    else if ((op === "BRK" || op === "CONT") && open.length) {
      const b = open[open.length - 1]!;
      loopOf.set(i, [b, jump.get(b)!]);
    }
  }
  const regs = new Map<string, Vec>();
  const reg = (file: string, index: number): Vec => {
    const k = `${file}${index}`;
    let v = regs.get(k);
    if (!v) regs.set(k, (v = [0, 0, 0, 0]));
    return v;
  };
  const addr = (s: { indirect: { file: string; index: number; component: number } | null; index: number }): number => {
    if (!s.indirect) return s.index;
    const a = reg(s.indirect.file, s.indirect.index)[s.indirect.component]! | 0;
    return a + s.index;
  };
  // Bounds of indirectly addressed storage (robust access: reads outside give 0, writes are dropped).
  const declEnd = (file: string): number => prog.declarations.filter((d) => d.file === file).reduce((m, d) => Math.max(m, d.last + 1), 0);
  const inBounds = (s: { file: string; indirect: unknown; index: number; arrayId: number | null; dim: number | null }, idx: number): boolean => {
    if (!s.indirect) return true;
    if (s.file === "TEMP") {
      const arr = prog.declarations.find((d) => d.file === "TEMP" && d.arrayId !== null && (s.arrayId === d.arrayId || (s.arrayId === null && s.index >= d.first && s.index <= d.last)));
      if (arr) return idx >= arr.first && idx <= arr.last;
      return idx >= 0 && idx < declEnd("TEMP");
    }
    if (s.file === "CONST") return idx >= 0 && idx < prog.declarations.filter((d) => d.file === "CONST" && (d.dim ?? 0) === (s.dim ?? 0)).reduce((m, d) => Math.max(m, d.last + 1), 0);
    if (s.file === "IMM") return idx >= 0 && idx < prog.immediates.length;
    return idx >= 0 && idx < declEnd(s.file);
  };
  const readRaw = (s: SrcOperand): Vec => {
    const idx = addr(s);
    if (!inBounds(s, idx)) return [0, 0, 0, 0];
    switch (s.file) {
      case "IMM": {
        const imm = prog.immediates[idx];
        return imm ? [imm.words[0]!, imm.words[1]!, imm.words[2]!, imm.words[3]!] : [0, 0, 0, 0];
      }
      case "CONST": {
        if ((s.dim ?? 0) !== 0) throw new Unsupported("UBO");
        const c = input.consts;
        return idx >= 0 && idx * 4 + 3 < c.length ? [c[idx * 4]!, c[idx * 4 + 1]!, c[idx * 4 + 2]!, c[idx * 4 + 3]!] : [0, 0, 0, 0];
      }
      case "IN": {
        const v = input.inputs?.get(idx);
        if (!v) throw new Unsupported(`IN[${idx}]`);
        return [v[0]! >>> 0, v[1]! >>> 0, v[2]! >>> 0, v[3]! >>> 0];
      }
      case "TEMP":
      case "OUT":
      case "ADDR":
        return [...reg(s.file, idx)] as Vec;
      default:
        throw new Unsupported(s.file);
    }
  };
  const read = (s: SrcOperand, kind: string): Vec => {
    const raw = readRaw(s);
    const v = s.swizzle.map((c) => raw[c]!) as Vec;
    if (!s.negate && !s.absolute) return v;
    const k = kind === "x" ? "f" : kind;
    return v.map((w) => {
      if (k === "f") {
        let x = bf(w);
        if (!Number.isFinite(x)) fragileFlag = true;
        if (s.absolute) x = Math.abs(x);
        if (s.negate) x = -x;
        return fb(x);
      }
      let x = w | 0;
      if (s.absolute) x = Math.abs(x) | 0;
      if (s.negate) x = -x | 0;
      return x >>> 0;
    }) as Vec;
  };
  const out = new Map<number, number[]>();
  let killed = false;
  fragileFlag = false;
  const maxSteps = input.maxSteps ?? 2_000_000;
  let steps = 0;
  const loopCount = new Map<number, number>();
  for (let pc = 0; pc < insts.length; pc++) {
    if (++steps > maxSteps) throw new Unsupported("too many steps");
    const inst = insts[pc]!;
    const info = OPCODES.get(inst.opcode)!;
    const op = inst.opcode;
    switch (op) {
      case "END":
      case "RET":
        pc = insts.length;
        continue;
      case "NOP":
        continue;
      case "IF":
      case "UIF": {
        const w = read(inst.src[0]!, op === "IF" ? "f" : "u")[0]!;
        if (op === "IF") noteCmp(bf(w), 0);
        const taken = op === "IF" ? bf(w) !== 0 : w !== 0;
        if (!taken) pc = jump.get(pc)!; // lands on ELSE (then continues after it) or ENDIF
        continue;
      }
      case "ELSE":
        pc = jump.get(pc)!;
        continue;
      case "ENDIF":
        continue;
      case "BGNLOOP":
        continue;
      case "ENDLOOP": {
        const b = jump.get(pc)!;
        const n = (loopCount.get(b) ?? 0) + 1;
        loopCount.set(b, n);
        if (n >= 65536) {
          loopCount.delete(b);
          continue; // iteration cap, as the translator emits
        }
        pc = b;
        continue;
      }
      case "BRK": {
        const [b, e] = loopOf.get(pc)!;
        loopCount.delete(b);
        pc = e;
        continue;
      }
      case "CONT": {
        const [b, e] = loopOf.get(pc)!;
        const n = (loopCount.get(b) ?? 0) + 1;
        loopCount.set(b, n);
        if (n >= 65536) {
          loopCount.delete(b);
          pc = e;
        } else pc = b;
        continue;
      }
      case "KILL":
        killed = true;
        pc = insts.length;
        continue;
      case "KILL_IF":
        read(inst.src[0]!, "f").forEach((w) => noteCmp(bf(w), 0));
        if (read(inst.src[0]!, "f").some((w) => bf(w) < 0)) {
          killed = true;
          pc = insts.length;
        }
        continue;
      default:
        break;
    }
    const d = inst.dst[0];
    if (!d) throw new Unsupported(op);
    const srcs = inst.src.map((s) => read(s, info.srcType));
    const r = compute(op, srcs);
    for (let c = 0; c < 4; c++) {
      if (info.dstType === "f" && d.writeMask & (1 << c) && !Number.isFinite(bf(r[c]!))) fragileFlag = true;
    }
    if (!inBounds(d, addr(d))) continue;
    const dreg = d.file === "OUT" ? (out.get(addr(d)) ?? (() => { const v = [0, 0, 0, 0]; out.set(addr(d), v); return v; })()) : reg(d.file, addr(d));
    for (let c = 0; c < 4; c++) {
      if (!(d.writeMask & (1 << c))) continue;
      let w = r[c]! >>> 0;
      if (inst.saturate && (info.dstType === "f" || op === "MOV")) w = fb(Math.min(1, Math.max(0, bf(w))));
      dreg[c] = w;
    }
    if (d.file === "OUT") reg("OUT", addr(d)).splice(0, 4, ...(dreg as Vec));
  }
  return { outputs: out, killed, fragile: fragileFlag };
}

const B = (x: boolean): number => (x ? 0xffffffff : 0);
const cwF = (s: Vec[], f: (...a: number[]) => number): Vec =>
  [0, 1, 2, 3].map((c) => fb(fr(f(...s.map((v) => bf(v[c]!)))))) as Vec;
const cwU = (s: Vec[], f: (...a: number[]) => number): Vec => [0, 1, 2, 3].map((c) => f(...s.map((v) => v[c]! >>> 0)) >>> 0) as Vec;
const cwI = (s: Vec[], f: (...a: number[]) => number): Vec => [0, 1, 2, 3].map((c) => f(...s.map((v) => v[c]! | 0)) >>> 0) as Vec;
const rep = (w: number): Vec => [w, w, w, w];

function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function f2i(x: number): number {
  if (!(x > -2147483649 && x < 2147483648)) fragileFlag = true;
  if (Number.isNaN(x)) return 0;
  return Math.max(-2147483648, Math.min(2147483647, Math.trunc(x)));
}
function f2u(x: number): number {
  if (!(x > -1 && x < 4294967296)) fragileFlag = true;
  if (Number.isNaN(x)) return 0;
  return Math.max(0, Math.min(4294967295, Math.trunc(x)));
}

function compute(op: string, s: Vec[]): Vec {
  const [a, b] = s;
  switch (op) {
    case "MOV": return [...a!] as Vec;
    case "ADD": return cwF(s, (x, y) => x + y);
    case "MUL": return cwF(s, (x, y) => x * y);
    case "MAD": return cwF(s, (x, y, z) => fr(x * y) + z);
    case "DIV": return cwF(s, (x, y) => x / y);
    case "MIN": return cwF(s, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? (fragileFlag = true) : 0, Number.isNaN(x) ? y : Number.isNaN(y) ? x : Math.min(x, y)));
    case "MAX": return cwF(s, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? (fragileFlag = true) : 0, Number.isNaN(x) ? y : Number.isNaN(y) ? x : Math.max(x, y)));
    case "LRP": return cwF(s, (t, x, y) => fr(t * x) + fr((1 - t) * y));
    case "CMP": return [0, 1, 2, 3].map((c) => (noteCmp(bf(a![c]!), 0), bf(a![c]!) < 0 ? b![c]! : s[2]![c]!)) as Vec;
    case "FRC": return cwF(s, (x) => x - Math.floor(x));
    case "FLR": return cwF(s, Math.floor);
    case "CEIL": return cwF(s, Math.ceil);
    case "TRUNC": return cwF(s, Math.trunc);
    case "ROUND": return cwF(s, roundEven);
    case "SSG": return cwF(s, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
    case "SQRT": return cwF(s, Math.sqrt);
    case "RCP": return rep(fb(fr(1 / bf(a![0]!))));
    case "RSQ": return rep(fb(fr(1 / Math.sqrt(bf(a![0]!)))));
    case "EX2": return rep(fb(fr(2 ** bf(a![0]!))));
    case "LG2": return rep(fb(fr(Math.log2(bf(a![0]!)))));
    case "SIN": return rep(fb(fr(Math.sin(bf(a![0]!)))));
    case "COS": return rep(fb(fr(Math.cos(bf(a![0]!)))));
    case "POW": return rep(fb(fr(bf(a![0]!) ** bf(b![0]!))));
    case "DP2": case "DP3": case "DP4": {
      const n = op === "DP2" ? 2 : op === "DP3" ? 3 : 4;
      let acc = 0;
      for (let c = 0; c < n; c++) acc = fr(acc + fr(bf(a![c]!) * bf(b![c]!)));
      return rep(fb(acc));
    }
    case "SLT": return cwF(s, (x, y) => (noteCmp(x, y), +(x < y)));
    case "SGE": return cwF(s, (x, y) => (noteCmp(x, y), +(x >= y)));
    case "SEQ": return cwF(s, (x, y) => (noteCmp(x, y), +(x === y)));
    case "SNE": return cwF(s, (x, y) => (noteCmp(x, y), +(x !== y)));
    case "FSEQ": return [0, 1, 2, 3].map((c) => (noteCmp(bf(a![c]!), bf(b![c]!)), B(bf(a![c]!) === bf(b![c]!)))) as Vec;
    case "FSNE": return [0, 1, 2, 3].map((c) => (noteCmp(bf(a![c]!), bf(b![c]!)), B(bf(a![c]!) !== bf(b![c]!)))) as Vec;
    case "FSLT": return [0, 1, 2, 3].map((c) => (noteCmp(bf(a![c]!), bf(b![c]!)), B(bf(a![c]!) < bf(b![c]!)))) as Vec;
    case "FSGE": return [0, 1, 2, 3].map((c) => (noteCmp(bf(a![c]!), bf(b![c]!)), B(bf(a![c]!) >= bf(b![c]!)))) as Vec;
    case "ISLT": return cwI(s, (x, y) => B(x < y));
    case "ISGE": return cwI(s, (x, y) => B(x >= y));
    case "USEQ": return cwU(s, (x, y) => B(x === y));
    case "USNE": return cwU(s, (x, y) => B(x !== y));
    case "USLT": return cwU(s, (x, y) => B(x < y));
    case "USGE": return cwU(s, (x, y) => B(x >= y));
    case "UCMP": return [0, 1, 2, 3].map((c) => (a![c]! !== 0 ? b![c]! : s[2]![c]!)) as Vec;
    case "UADD": return cwU(s, (x, y) => x + y);
    case "UMUL": return cwU(s, (x, y) => Math.imul(x, y));
    case "UMAD": return cwU(s, (x, y, z) => Math.imul(x, y) + z);
    case "AND": return cwU(s, (x, y) => x & y);
    case "OR": return cwU(s, (x, y) => x | y);
    case "XOR": return cwU(s, (x, y) => x ^ y);
    case "NOT": return cwU(s, (x) => ~x);
    case "SHL": return cwU(s, (x, y) => x << (y & 31));
    case "USHR": return cwU(s, (x, y) => x >>> (y & 31));
    case "ISHR": return cwI(s, (x, y) => x >> (y & 31));
    case "INEG": return cwI(s, (x) => -x | 0);
    case "IABS": return cwI(s, (x) => Math.abs(x) | 0);
    case "ISSG": return cwI(s, Math.sign);
    case "IMAX": return cwI(s, Math.max);
    case "IMIN": return cwI(s, Math.min);
    case "UMAX": return cwU(s, Math.max);
    case "UMIN": return cwU(s, Math.min);
    case "IDIV": return cwI(s, (x, y) => (y === 0 ? 0 : y === -1 ? -x | 0 : (x / y) | 0));
    case "MOD": return cwI(s, (x, y) => (y === 0 || y === -1 ? 0 : x % y));
    case "UDIV": return cwU(s, (x, y) => (y === 0 ? 0 : Math.floor(x / y)));
    case "UMOD": return cwU(s, (x, y) => (y === 0 ? 0 : x % y));
    case "I2F": return [0, 1, 2, 3].map((c) => fb(fr(a![c]! | 0))) as Vec;
    case "U2F": return [0, 1, 2, 3].map((c) => fb(fr(a![c]! >>> 0))) as Vec;
    case "F2I": return [0, 1, 2, 3].map((c) => f2i(bf(a![c]!)) >>> 0) as Vec;
    case "F2U": return [0, 1, 2, 3].map((c) => f2u(bf(a![c]!)) >>> 0) as Vec;
    case "UARL": return [0, 1, 2, 3].map((c) => a![c]! >>> 0) as Vec;
    case "ARL": return [0, 1, 2, 3].map((c) => f2i(Math.floor(bf(a![c]!))) >>> 0) as Vec;
    default:
      throw new Unsupported(op);
  }
}
