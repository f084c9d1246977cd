/**
 * GLSL value helpers: typed expression strings, bit-preserving conversions and exact literals.
 * Every TGSI register is 4×32 bits; the emitter keeps them as `uvec4` and bit-casts at typed operations.
 */

/** Scalar kind of a GLSL expression: float, uint, int, bool. */
export type Kind = "f" | "u" | "i" | "b";

export interface Val {
  code: string;
  kind: Kind;
  /** Component count 1..4. */
  n: number;
}

const SCALAR: Record<Kind, string> = { f: "float", u: "uint", i: "int", b: "bool" };
const VECTOR: Record<Kind, string> = { f: "vec", u: "uvec", i: "ivec", b: "bvec" };

export function typeName(kind: Kind, n: number): string {
  return n === 1 ? SCALAR[kind] : `${VECTOR[kind]}${n}`;
}

export const LETTERS = "xyzw";

/** Convert, preserving bits between f/u/i (int↔uint constructors preserve bits in GLSL ES 3.00). */
export function conv(v: Val, to: Kind): Val {
  if (v.kind === to) return v;
  const t = typeName(to, v.n);
  let code: string;
  if (v.kind === "b") {
    code =
      to === "f"
        ? `${t}(${v.code})`
        : to === "u"
          ? `(${typeName("u", v.n)}(${v.code}) * 0xffffffffu)`
          : `(-${typeName("i", v.n)}(${v.code}))`;
  } else if (to === "b") {
    const z = v.kind === "f" ? "0.0" : v.kind === "u" ? "0u" : "0";
    code = v.n === 1 ? `(${v.code} != ${z})` : `notEqual(${v.code}, ${typeName(v.kind, v.n)}(${z}))`;
  } else if (v.kind === "f") code = to === "u" ? `floatBitsToUint(${v.code})` : `floatBitsToInt(${v.code})`;
  else if (to === "f") code = v.kind === "u" ? `uintBitsToFloat(${v.code})` : `intBitsToFloat(${v.code})`;
  else code = `${t}(${v.code})`;
  return { code, kind: to, n: v.n };
}

/** Replicate a scalar to n components (no-op for n === 1 or already vector). */
export function splat(v: Val, n: number): Val {
  if (v.n === n) return v;
  if (v.n !== 1) return { code: `${v.code}.${LETTERS.slice(0, n)}`, kind: v.kind, n };
  return { code: `${typeName(v.kind, n)}(${v.code})`, kind: v.kind, n };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Exact GLSL literal for a 32-bit word read as `kind`. */
export function literal(word: number, kind: Kind): string {
  const w = word >>> 0;
  if (kind === "u") return `${w}u`;
  if (kind === "i") {
    const s = w | 0;
    if (s === -2147483648) return "int(0x80000000u)";
    return s < 0 ? `(${s})` : `${s}`;
  }
  if (kind === "b") return w !== 0 ? "true" : "false";
  u32[0] = w;
  const v = f32[0] ?? 0;
  const exp = (w >>> 23) & 0xff;
  // NaN/Inf, denormals and -0 go through the bit pattern so nothing is flushed or folded.
  if (exp === 0xff || (exp === 0 && (w & 0x7fffff) !== 0) || w === 0x80000000) return `uintBitsToFloat(0x${w.toString(16)}u)`;
  // JS prints the shortest decimal that round-trips as a double; the float value is exactly representable
  // as a double, so the decimal denotes exactly this float and any correctly rounding compiler reproduces it.
  let s = String(v);
  if (!/[.e]/.test(s)) s += ".0";
  else if (/e/.test(s) && !/\./.test(s)) s = s.replace("e", ".0e");
  return v < 0 ? `(${s})` : s;
}

export function zero(kind: Kind): string {
  return kind === "f" ? "0.0" : kind === "u" ? "0u" : kind === "i" ? "0" : "false";
}

export function one(kind: Kind): string {
  return kind === "f" ? "1.0" : kind === "u" ? "1u" : kind === "i" ? "1" : "true";
}

/** Component count of a write mask. */
export function maskChannels(mask: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < 4; c++) if (mask & (1 << c)) out.push(c);
  return out;
}
