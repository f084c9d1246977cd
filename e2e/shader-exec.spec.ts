/**
 * Shader execution e2e: TGSI programs are translated in the page by our translator, run on WebGL2
 * (headless Chromium / SwiftShader) with known per-pixel inputs, and the raw 32-bit results are compared:
 * integer and bit ops bit-exact, float ops within the stated ULP / absolute tolerance.
 */
import { expect, test, type Page } from "@playwright/test";
import { loadShaderHarness as loadHarness } from "./shader-harness.ts";
import type { ExecCase, ExecResult } from "../test/pages/shader-exec.ts";

// ---- float helpers
const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
const fb = (x: number): number => {
  F[0] = x;
  return U[0]!;
};
const bf = (w: number): number => {
  U[0] = w >>> 0;
  return F[0]!;
};
const f32 = Math.fround;
const i32 = (w: number): number => w | 0;
const u32 = (x: number): number => x >>> 0;

/** Tolerance: exact by default; `ulp` in float ULPs; `abs` absolute; `rel` relative. */
interface Tol {
  ulp?: number;
  abs?: number;
  rel?: number;
}

interface OpCase {
  name: string;
  /** TGSI body; reads IN[0..2] (GENERIC[0..2], flat bits), writes TEMP[0]. */
  body: string;
  imms?: string;
  /** Per pixel: up to three 4-word vectors. */
  inputs: number[][][];
  /** Expected 4 words for one pixel's inputs (null = don't care). */
  expect: (a: number[], b: number[], c: number[]) => (number | null)[];
  tol?: Tol;
  /** Which result words are floats (for tolerance); default: all when tol is set. */
  target?: "u32" | "f32" | "i32";
  consts?: number[];
}

function fsFor(c: OpCase): string {
  return `FRAG
DCL IN[0], GENERIC[0], CONSTANT
DCL IN[1], GENERIC[1], CONSTANT
DCL IN[2], GENERIC[2], CONSTANT
DCL OUT[0], COLOR
DCL CONST[0..7]
DCL TEMP[0..7]
DCL ADDR[0]
${c.imms ?? ""}
${c.body.trim().split("\n").map((l) => `  ${l.trim()}`).join("\n")}
  MOV OUT[0], TEMP[0]
  END
`;
}

function ulpDiff(a: number, b: number): number {
  const ia = a & 0x80000000 ? 0x80000000 - (a & 0x7fffffff) : a + 0;
  const ib = b & 0x80000000 ? 0x80000000 - (b & 0x7fffffff) : b + 0;
  return Math.abs((ia | 0) - (ib | 0));
}

function matches(got: number, want: number, tol: Tol | undefined): boolean {
  if (got >>> 0 === want >>> 0) return true;
  if (!tol) return false;
  const g = bf(got), w = bf(want);
  if (Number.isNaN(g) || Number.isNaN(w)) return false;
  if (tol.ulp !== undefined && ulpDiff(got >>> 0, want >>> 0) <= tol.ulp) return true;
  if (tol.abs !== undefined && Math.abs(g - w) <= tol.abs) return true;
  if (tol.rel !== undefined && Math.abs(g - w) <= tol.rel * Math.abs(w)) return true;
  return false;
}

const hex = (w: number | null): string => (w === null ? "----------" : `0x${(w >>> 0).toString(16).padStart(8, "0")}`);

/**
 * Open the harness page. Vite's dependency optimiser can reload a page once on first use (navigation
 * interrupted / context destroyed): retry a few times until the harness is up and stable.
 */

async function open(page: Page): Promise<void> {
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  await loadHarness(page);
  const ready = await page.evaluate(() => window.shaderExec.ready);
  expect(ready, "WebGL2 available").toBe(true);
}

async function runAll(page: Page, cases: ExecCase[]): Promise<ExecResult[]> {
  return page.evaluate((cs) => cs.map((c) => window.shaderExec.run(c)), cases);
}

/** Run op cases in one page round trip; report every mismatch. */
async function checkOps(page: Page, cases: OpCase[]): Promise<void> {
  const exec: ExecCase[] = cases.map((c) => ({
    fs: fsFor(c), mode: "points", target: c.target ?? "u32", width: c.inputs.length, height: 1,
    inputs: c.inputs, consts: c.consts,
  }));
  const results = await runAll(page, exec);
  const problems: string[] = [];
  results.forEach((r, i) => {
    const c = cases[i]!;
    if (!r.ok) {
      problems.push(`${c.name}: ${r.error}`);
      return;
    }
    c.inputs.forEach((inp, p) => {
      const want = c.expect(inp[0] ?? [0, 0, 0, 0], inp[1] ?? [0, 0, 0, 0], inp[2] ?? [0, 0, 0, 0]);
      const got = r.words.slice(p * 4, p * 4 + 4);
      want.forEach((w, k) => {
        if (w === null) return;
        if (!matches(got[k]!, w, c.tol)) {
          problems.push(`${c.name} pixel ${p} .${"xyzw"[k]}: got ${hex(got[k]!)} (${bf(got[k]!)}/${got[k]! | 0}) want ${hex(w)} (${bf(w)}/${w | 0})`);
        }
      });
    });
  });
  expect(problems).toEqual([]);
}

// ---- componentwise expectation helpers
const cw1 = (f: (a: number) => number) => (a: number[]) => a.map((x) => f(x) >>> 0);
const cw2 = (f: (a: number, b: number) => number) => (a: number[], b: number[]) => a.map((x, k) => f(x, b[k]!) >>> 0);
const cw3 = (f: (a: number, b: number, c: number) => number) => (a: number[], b: number[], c: number[]) =>
  a.map((x, k) => f(x, b[k]!, c[k]!) >>> 0);
const ff1 = (f: (a: number) => number) => cw1((a) => fb(f32(f(bf(a)))));
const ff2 = (f: (a: number, b: number) => number) => cw2((a, b) => fb(f32(f(bf(a), bf(b)))));
const ff3 = (f: (a: number, b: number, c: number) => number) => cw3((a, b, c) => fb(f32(f(bf(a), bf(b), bf(c)))));
const fv = (...xs: number[]): number[] => xs.map(fb);
const scalarRep = (f: (a: number[], b: number[]) => number) => (a: number[], b: number[]) => {
  const v = fb(f32(f(a.map(bf), b.map(bf))));
  return [v, v, v, v];
};

const A1 = fv(1.5, -2.25, 0.375, 1e10), B1 = fv(0.5, 4, -7, 3), C1 = fv(0.25, -1, 100, 0.5);
const A2 = fv(-0.0, 123.456, -1e-3, 65504), B2 = fv(2, -0.125, 8, -1.5), C2 = fv(-3, 0.5, 1, 2);
const FLOAT_IN = [[A1, B1, C1], [A2, B2, C2]];

const TRUE = 0xffffffff;
const INT_MIN = 0x80000000;

function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}


test("float ALU opcodes", async ({ page }) => {
  await open(page);
  const cases: OpCase[] = [
    { name: "ADD", body: "ADD TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => a + b) },
    { name: "MUL", body: "MUL TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => a * b) },
    { name: "MAD (≤1 ulp: fused or not)", body: "MAD TEMP[0], IN[0], IN[1], IN[2]", inputs: FLOAT_IN, expect: ff3((a, b, c) => f32(a * b) + c), tol: { ulp: 1 } },
    { name: "DIV (≤3 ulp)", body: "DIV TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => a / b), tol: { ulp: 3 } },
    { name: "MIN", body: "MIN TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2(Math.min) },
    { name: "MAX", body: "MAX TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2(Math.max) },
    { name: "neg/abs modifiers", body: "ADD TEMP[0], -|IN[0]|, -IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => -Math.abs(a) - b) },
    { name: "ADD_SAT", body: "ADD_SAT TEMP[0], IN[0], IN[2]", inputs: FLOAT_IN, expect: ff3((a, _b, c) => Math.min(1, Math.max(0, a + c))) },
    { name: "FRC", body: "FRC TEMP[0], IN[0]", inputs: FLOAT_IN, expect: ff1((a) => a - Math.floor(a)), tol: { ulp: 1 } },
    { name: "FLR", body: "FLR TEMP[0], IN[0]", inputs: FLOAT_IN.map((v) => [v[1]!]), expect: ff1(Math.floor) },
    { name: "CEIL", body: "CEIL TEMP[0], IN[0]", inputs: FLOAT_IN, expect: ff1(Math.ceil) },
    { name: "TRUNC", body: "TRUNC TEMP[0], IN[0]", inputs: FLOAT_IN, expect: ff1(Math.trunc) },
    { name: "ROUND (to even)", body: "ROUND TEMP[0], IN[0]", inputs: [[fv(2.5, -2.5, 3.5, 0.5)], [fv(1.25, -1.75, 1e10, -0.4)]], expect: ff1(roundEven) },
    { name: "SSG", body: "SSG TEMP[0], IN[0]", inputs: [[fv(-3, 0, 7, -1e-20)]], expect: ff1((a) => Math.sign(a)) },
    { name: "RCP (≤3 ulp)", body: "RCP TEMP[0], IN[0].yyyy", inputs: FLOAT_IN, expect: (a) => { const v = fb(f32(1 / bf(a[1]!))); return [v, v, v, v]; }, tol: { ulp: 3 } },
    { name: "RSQ (≤3 ulp)", body: "RSQ TEMP[0], IN[1].xxxx", inputs: FLOAT_IN, expect: (_a, b) => { const v = fb(f32(1 / Math.sqrt(bf(b[0]!)))); return [v, v, v, v]; }, tol: { ulp: 3 } },
    { name: "SQRT (≤3 ulp)", body: "SQRT TEMP[0], IN[2]", inputs: [[[], [], fv(4, 2, 100, 0.25)]], expect: (_a, _b, c) => c.map((x) => fb(f32(Math.sqrt(bf(x))))), tol: { ulp: 3 } },
    { name: "EX2 (rel 1e-6)", body: "EX2 TEMP[0], IN[1].wwww", inputs: FLOAT_IN, expect: (_a, b) => { const v = fb(f32(2 ** bf(b[3]!))); return [v, v, v, v]; }, tol: { rel: 1e-6 } },
    { name: "LG2 (abs 1e-6)", body: "LG2 TEMP[0], IN[2].zzzz", inputs: FLOAT_IN, expect: (_a, _b, c) => { const v = fb(f32(Math.log2(bf(c[2]!)))); return [v, v, v, v]; }, tol: { abs: 1e-6 } },
    { name: "POW (rel 1e-5)", body: "POW TEMP[0], IN[2].zzzz, IN[1].xxxx", inputs: FLOAT_IN, expect: (_a, b, c) => { const v = fb(f32(bf(c[2]!) ** bf(b[0]!))); return [v, v, v, v]; }, tol: { rel: 1e-5 } },
    // GLSL ES leaves sin/cos precision unspecified; SwiftShader is within ~5e-5 here.
    { name: "SIN (abs 5e-4)", body: "SIN TEMP[0], IN[1].xxxx", inputs: FLOAT_IN, expect: (_a, b) => { const v = fb(f32(Math.sin(bf(b[0]!)))); return [v, v, v, v]; }, tol: { abs: 5e-4 } },
    { name: "COS (abs 5e-4)", body: "COS TEMP[0], IN[1].yyyy", inputs: FLOAT_IN, expect: (_a, b) => { const v = fb(f32(Math.cos(bf(b[1]!)))); return [v, v, v, v]; }, tol: { abs: 5e-4 } },
    { name: "DP2 (rel 1e-6)", body: "DP2 TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: scalarRep((a, b) => a[0]! * b[0]! + a[1]! * b[1]!), tol: { rel: 1e-6 } },
    { name: "DP3 (rel 1e-6)", body: "DP3 TEMP[0], IN[1], IN[2]", inputs: FLOAT_IN, expect: (_a, b, c) => scalarRep((x, y) => x[0]! * y[0]! + x[1]! * y[1]! + x[2]! * y[2]!)(b, c), tol: { rel: 1e-6 } },
    { name: "DP4 (rel 1e-6)", body: "DP4 TEMP[0], IN[1], IN[2]", inputs: FLOAT_IN, expect: (_a, b, c) => scalarRep((x, y) => x.reduce((s, v, k) => s + v * y[k]!, 0))(b, c), tol: { rel: 1e-6 } },
    { name: "LRP (≤2 ulp)", body: "LRP TEMP[0], IN[2].wwww, IN[0], IN[1]", inputs: FLOAT_IN, expect: (a, b, c) => a.map((x, k) => fb(f32(bf(c[3]!) * bf(x) + (1 - bf(c[3]!)) * bf(b[k]!)))), tol: { ulp: 2 } },
    { name: "CMP", body: "CMP TEMP[0], IN[0], IN[1], IN[2]", inputs: FLOAT_IN, expect: (a, b, c) => a.map((x, k) => (bf(x) < 0 ? b[k]! : c[k]!)) },
    { name: "SLT", body: "SLT TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => (a < b ? 1 : 0)) },
    { name: "SGE", body: "SGE TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => (a >= b ? 1 : 0)) },
    { name: "SEQ/SNE", body: "SEQ TEMP[0].xy, IN[0].xyxy, IN[0].xzxz\nSNE TEMP[0].zw, IN[0].xxxy, IN[0].xxxz", inputs: FLOAT_IN, expect: (a) => fv(1, a[1] === a[2] ? 1 : 0, 0, a[1] !== a[2] ? 1 : 0) },
    { name: "MOV keeps NaN/denormal/-0 bit patterns", body: "MOV TEMP[0], IN[0]", inputs: [[[0x7fc00001, 0x7f800001, INT_MIN, 1]], [[TRUE, 0xff800000, 0x00400000, 0x7fffffff]]], expect: (a) => a },
    { name: "swizzle + write mask", body: "MOV TEMP[0], IN[1]\nMOV TEMP[0].yw, IN[0].wzyx", inputs: FLOAT_IN, expect: (a, b) => [b[0]!, a[2]!, b[2]!, a[0]!] },
    { name: "float target (RGBA32F)", body: "MUL TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: ff2((a, b) => a * b), target: "f32" },
  ];
  await checkOps(page, cases);
});

const IA = [[7, 0xfffffff9, INT_MIN, 5], [0xffffffff, 1, 0x7fffffff, 0]];
const IB = [[0xfffffffe, 2, 0xffffffff, 0], [3, 33, 0x7fffffff, 0]];
const INT_IN = [[IA[0]!, IB[0]!, [1, 2, 3, 4]], [IA[1]!, IB[1]!, [0x80000000, 0xffff, 31, 0]]];

function idiv(a: number, b: number): number {
  a |= 0; b |= 0;
  if (b === 0) return 0;
  if (b === -1) return -a | 0;
  return (a / b) | 0;
}
function umulHi(a: number, b: number): number {
  return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n) >>> 0;
}
function imulHi(a: number, b: number): number {
  return Number(BigInt.asUintN(32, (BigInt(a | 0) * BigInt(b | 0)) >> 32n));
}
function ubfe(v: number, off: number, bits: number): number {
  off &= 31; bits &= 31;
  if (bits === 0) return 0;
  if (off + bits < 32) return ((v << (32 - bits - off)) >>> (32 - bits)) >>> 0;
  return v >>> off;
}
function ibfe(v: number, off: number, bits: number): number {
  off &= 31; bits &= 31;
  if (bits === 0) return 0;
  if (off + bits < 32) return (v << (32 - bits - off)) >> (32 - bits);
  return (v | 0) >> off;
}
function bfi(base: number, ins: number, off: number, bits: number): number {
  off &= 31; bits &= 31;
  if (bits === 0) return base >>> 0;
  const mask = (((2 ** bits - 1) >>> 0) << off) >>> 0;
  return ((base & ~mask) | ((ins << off) & mask)) >>> 0;
}
const popc = (v: number): number => (v >>> 0).toString(2).replace(/0/g, "").length;
const brev = (v: number): number => parseInt((v >>> 0).toString(2).padStart(32, "0").split("").reverse().join(""), 2) >>> 0;
const lsb = (v: number): number => (v === 0 ? TRUE : 31 - Math.clz32((v & -v) >>> 0));
const umsb = (v: number): number => (v >>> 0 === 0 ? TRUE : 31 - Math.clz32(v));
const imsb = (v: number): number => umsb((v | 0) < 0 ? ~v >>> 0 : v >>> 0);

test("integer and bit opcodes (bit-exact, incl. overflow, shifts ≥ 32, division by zero)", async ({ page }) => {
  await open(page);
  const cases: OpCase[] = [
    { name: "UADD wraps", body: "UADD TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => a + b) },
    { name: "UMUL wraps", body: "UMUL TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => Math.imul(a, b)) },
    { name: "UMAD", body: "UMAD TEMP[0], IN[0], IN[1], IN[2]", inputs: INT_IN, expect: cw3((a, b, c) => Math.imul(a, b) + c) },
    { name: "IDIV (÷0 → 0, INT_MIN/-1 → INT_MIN)", body: "IDIV TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2(idiv) },
    { name: "UDIV (÷0 → 0)", body: "UDIV TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => (b >>> 0 === 0 ? 0 : Math.floor((a >>> 0) / (b >>> 0)))) },
    { name: "UMOD (÷0 → 0)", body: "UMOD TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => (b >>> 0 === 0 ? 0 : (a >>> 0) % (b >>> 0))) },
    { name: "SHL (count & 31)", body: "SHL TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => a << (b & 31)) },
    { name: "USHR (count & 31)", body: "USHR TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => a >>> (b & 31)) },
    { name: "ISHR (arithmetic)", body: "ISHR TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => a >> (b & 31)) },
    { name: "INEG (INT_MIN stays)", body: "INEG TEMP[0], IN[0]", inputs: INT_IN, expect: cw1((a) => -a | 0) },
    { name: "IABS", body: "IABS TEMP[0], IN[1]", inputs: [[[], [5, 0xfffffffb, 0, 0x7fffffff]]], expect: (_a, b) => b.map((x) => Math.abs(x | 0) >>> 0) },
    { name: "ISSG", body: "ISSG TEMP[0], IN[0]", inputs: INT_IN, expect: cw1((a) => Math.sign(a | 0)) },
    { name: "NOT/AND/OR/XOR", body: "NOT TEMP[1], IN[0]\nAND TEMP[2], TEMP[1], IN[1]\nOR TEMP[3], TEMP[2], IN[2]\nXOR TEMP[0], TEMP[3], IN[0]", inputs: INT_IN, expect: cw3((a, b, c) => ((~a & b) | c) ^ a) },
    { name: "IMAX/IMIN", body: "IMAX TEMP[0].xy, IN[0].xyxy, IN[1].xyxy\nIMIN TEMP[0].zw, IN[0].xxxy, IN[1].xxxy", inputs: INT_IN, expect: (a, b) => [Math.max(i32(a[0]!), i32(b[0]!)), Math.max(i32(a[1]!), i32(b[1]!)), Math.min(i32(a[0]!), i32(b[0]!)), Math.min(i32(a[1]!), i32(b[1]!))].map(u32) },
    { name: "UMAX/UMIN", body: "UMAX TEMP[0].xy, IN[0].xyxy, IN[1].xyxy\nUMIN TEMP[0].zw, IN[0].xxxy, IN[1].xxxy", inputs: INT_IN, expect: (a, b) => [Math.max(a[0]!, b[0]!), Math.max(a[1]!, b[1]!), Math.min(a[0]!, b[0]!), Math.min(a[1]!, b[1]!)].map(u32) },
    { name: "I2F", body: "I2F TEMP[0], IN[0]", inputs: INT_IN, expect: cw1((a) => fb(f32(a | 0))) },
    { name: "U2F", body: "U2F TEMP[0], IN[0]", inputs: INT_IN, expect: cw1((a) => fb(f32(a >>> 0))) },
    { name: "F2I (truncates)", body: "F2I TEMP[0], IN[0]", inputs: [[fv(-1.5, 2.99, 1e9, -0.5)]], expect: cw1((a) => Math.trunc(bf(a))) },
    { name: "F2U (truncates)", body: "F2U TEMP[0], IN[0]", inputs: [[fv(1.5, 4e9, 0, 255.9)]], expect: cw1((a) => Math.trunc(bf(a))) },
    { name: "UBFE", body: "UBFE TEMP[0], IN[0], IN[2].xxzz, IN[2].yyww", inputs: [[[0xdeadbeef, 0x12345678, 0xffffffff, 0x80000000], [], [4, 8, 28, 8]], [[0xdeadbeef, 0xf0f0f0f0, 1, 7], [], [0, 32, 31, 1]]], expect: (a, _b, c) => [ubfe(a[0]!, c[0]!, c[1]!), ubfe(a[1]!, c[0]!, c[1]!), ubfe(a[2]!, c[2]!, c[3]!), ubfe(a[3]!, c[2]!, c[3]!)] },
    { name: "IBFE", body: "IBFE TEMP[0], IN[0], IN[2].xxzz, IN[2].yyww", inputs: [[[0xdeadbeef, 0x12345678, 0xffffffff, 0x80000000], [], [4, 8, 28, 8]], [[0xdeadbeef, 0xf0f0f0f0, 1, 7], [], [0, 32, 31, 1]]], expect: (a, _b, c) => [ibfe(a[0]!, c[0]!, c[1]!), ibfe(a[1]!, c[0]!, c[1]!), ibfe(a[2]!, c[2]!, c[3]!), ibfe(a[3]!, c[2]!, c[3]!)].map(u32) },
    { name: "BFI", body: "BFI TEMP[0], IN[0], IN[1], IN[2].xxzz, IN[2].yyww", inputs: [[[0xffffffff, 0, 0x12345678, 0xaaaaaaaa], [0, 0xffffffff, 0xabcd, 0x5], [4, 8, 28, 4]]], expect: (a, b, c) => [bfi(a[0]!, b[0]!, c[0]!, c[1]!), bfi(a[1]!, b[1]!, c[0]!, c[1]!), bfi(a[2]!, b[2]!, c[2]!, c[3]!), bfi(a[3]!, b[3]!, c[2]!, c[3]!)] },
    { name: "POPC", body: "POPC TEMP[0], IN[0]", inputs: INT_IN, expect: cw1(popc) },
    { name: "BREV", body: "BREV TEMP[0], IN[0]", inputs: INT_IN, expect: cw1(brev) },
    { name: "LSB", body: "LSB TEMP[0], IN[0]", inputs: INT_IN, expect: cw1(lsb) },
    { name: "UMSB", body: "UMSB TEMP[0], IN[0]", inputs: INT_IN, expect: cw1(umsb) },
    { name: "IMSB", body: "IMSB TEMP[0], IN[0]", inputs: INT_IN, expect: cw1(imsb) },
    { name: "UMUL_HI", body: "UMUL_HI TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2(umulHi) },
    { name: "IMUL_HI", body: "IMUL_HI TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2(imulHi) },
    { name: "int target (RGBA32I)", body: "UADD TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => a + b), target: "i32" },
  ];
  await checkOps(page, cases);
});

test("comparisons produce integer booleans ~0/0; UCMP selects bits", async ({ page }) => {
  await open(page);
  const B = (x: boolean): number => (x ? TRUE : 0);
  const cases: OpCase[] = [
    { name: "FSLT", body: "FSLT TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: cw2((a, b) => B(bf(a) < bf(b))) },
    { name: "FSGE", body: "FSGE TEMP[0], IN[0], IN[1]", inputs: FLOAT_IN, expect: cw2((a, b) => B(bf(a) >= bf(b))) },
    { name: "FSEQ (-0 == 0)", body: "FSEQ TEMP[0], IN[0], IN[1]", inputs: [[fv(-0, 1, 2, 3), fv(0, 1, -2, 4)]], expect: cw2((a, b) => B(bf(a) === bf(b))) },
    { name: "FSNE", body: "FSNE TEMP[0], IN[0], IN[1]", inputs: [[fv(-0, 1, 2, 3), fv(0, 1, -2, 4)]], expect: cw2((a, b) => B(bf(a) !== bf(b))) },
    { name: "ISLT (signed)", body: "ISLT TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => B((a | 0) < (b | 0))) },
    { name: "ISGE (signed)", body: "ISGE TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => B((a | 0) >= (b | 0))) },
    { name: "USLT (unsigned)", body: "USLT TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => B(a >>> 0 < b >>> 0)) },
    { name: "USGE (unsigned)", body: "USGE TEMP[0], IN[0], IN[1]", inputs: INT_IN, expect: cw2((a, b) => B(a >>> 0 >= b >>> 0)) },
    { name: "USEQ/USNE", body: "USEQ TEMP[0].xy, IN[0].xyyy, IN[1].xyyy\nUSNE TEMP[0].zw, IN[0].zzzw, IN[1].zzzw", inputs: INT_IN, expect: (a, b) => [B(a[0] === b[0]), B(a[1] === b[1]), B(a[2] !== b[2]), B(a[3] !== b[3])] },
    { name: "UCMP", body: "UCMP TEMP[0], IN[0], IN[1], IN[2]", inputs: [[[TRUE, 0, 1, 0x80000000], [0x7fc00001, 2, 3, 4], [5, 0xffffffff, 7, 8]]], expect: (a, b, c) => a.map((x, k) => (x !== 0 ? b[k]! : c[k]!)) },
    { name: "scalar compare replicated by mask", body: "FSGE TEMP[0].xz, IN[0].xxxx, IN[1].yyyy\nMOV TEMP[0].yw, IN[2]", inputs: FLOAT_IN, expect: (a, b, c) => [B(bf(a[0]!) >= bf(b[1]!)), c[1]!, B(bf(a[0]!) >= bf(b[1]!)), c[3]!] },
  ];
  await checkOps(page, cases);
});

test("control flow: loops, BRK/CONT, IF/ELSE, SWITCH, temp arrays and constants with indirect addressing", async ({ page }) => {
  await open(page);
  const N = [[[0, 0, 0, 0]], [[1, 0, 0, 0]], [[5, 0, 0, 0]], [[10, 0, 0, 0]]];
  const cases: OpCase[] = [
    {
      name: "loop sum 0..n-1 with BRK",
      imms: "IMM[0] UINT32 {0, 1, 0, 0}",
      body: `MOV TEMP[0], IMM[0].xxxx
MOV TEMP[1].x, IMM[0].xxxx
BGNLOOP
USGE TEMP[2].x, TEMP[1].xxxx, IN[0].xxxx
UIF TEMP[2].xxxx
BRK
ENDIF
UADD TEMP[0].x, TEMP[0].xxxx, TEMP[1].xxxx
UADD TEMP[1].x, TEMP[1].xxxx, IMM[0].yyyy
ENDLOOP`,
      inputs: N, expect: (a) => [(a[0]! * (a[0]! - 1)) / 2, 0, 0, 0],
    },
    {
      name: "CONT skips odd i",
      imms: "IMM[0] UINT32 {0, 1, 0, 0}",
      body: `MOV TEMP[0], IMM[0].xxxx
MOV TEMP[1].x, IMM[0].xxxx
BGNLOOP
USGE TEMP[2].x, TEMP[1].xxxx, IN[0].xxxx
UIF TEMP[2].xxxx
BRK
ENDIF
AND TEMP[3].x, TEMP[1].xxxx, IMM[0].yyyy
UADD TEMP[1].x, TEMP[1].xxxx, IMM[0].yyyy
UIF TEMP[3].xxxx
CONT
ENDIF
UADD TEMP[0].x, TEMP[0].xxxx, IMM[0].yyyy
ENDLOOP`,
      inputs: N, expect: (a) => [Math.ceil(a[0]! / 2), 0, 0, 0],
    },
    {
      name: "nested IF/ELSE on floats",
      imms: "IMM[0] UINT32 {10, 20, 30, 0}",
      body: `MOV TEMP[0], IMM[0].wwww
IF IN[0].xxxx
IF IN[0].yyyy
MOV TEMP[0].x, IMM[0].xxxx
ELSE
MOV TEMP[0].x, IMM[0].yyyy
ENDIF
ELSE
MOV TEMP[0].x, IMM[0].zzzz
ENDIF`,
      inputs: [[fv(1, 1, 0, 0)], [fv(1, 0, 0, 0)], [fv(0, 1, 0, 0)], [fv(-0, 0, 0, 0)]],
      expect: (a) => [bf(a[0]!) !== 0 ? (bf(a[1]!) !== 0 ? 10 : 20) : 30, 0, 0, 0],
    },
    {
      name: "SWITCH/CASE/DEFAULT",
      imms: "IMM[0] INT32 {1, 2, 10, 20}\nIMM[1] INT32 {99, 0, 0, 0}",
      body: `MOV TEMP[0], IMM[1].yyyy
SWITCH IN[0].xxxx
CASE IMM[0].xxxx
MOV TEMP[0].x, IMM[0].zzzz
BRK
CASE IMM[0].yyyy
MOV TEMP[0].x, IMM[0].wwww
BRK
DEFAULT
MOV TEMP[0].x, IMM[1].xxxx
BRK
ENDSWITCH`,
      inputs: [[[1, 0, 0, 0]], [[2, 0, 0, 0]], [[3, 0, 0, 0]], [[0xffffffff, 0, 0, 0]]],
      expect: (a) => [a[0] === 1 ? 10 : a[0] === 2 ? 20 : 99, 0, 0, 0],
    },
    {
      name: "temp array write/read through ADDR (ARRAY(1))",
      imms: "IMM[0] UINT32 {3, 1, 0, 0}",
      body: `MOV TEMP[0], IMM[0].zzzz
UARL ADDR[0].x, IN[0].xxxx
MOV TEMP[ADDR[0].x+4](1), IN[1]
UARL ADDR[0].x, IN[0].yyyy
MOV TEMP[0], TEMP[ADDR[0].x+4](1)`,
      inputs: [[[0, 0, 0, 0], [11, 12, 13, 14]], [[2, 2, 0, 0], [21, 22, 23, 24]], [[1, 3, 0, 0], [31, 32, 33, 34]]],
      expect: (a, b) => (a[0] === a[1] ? b : [0, 0, 0, 0]),
    },
    {
      name: "a loop without BRK stops at the iteration cap (65536) instead of hanging",
      imms: "IMM[0] UINT32 {0, 1, 0, 0}",
      body: "MOV TEMP[0], IMM[0].xxxx\nBGNLOOP\nUADD TEMP[0].x, TEMP[0].xxxx, IMM[0].yyyy\nENDLOOP",
      inputs: [[[0, 0, 0, 0]]],
      expect: () => [65536, 0, 0, 0],
    },
    {
      name: "constants with indirect addressing",
      body: "UARL ADDR[0].x, IN[0].xxxx\nMOV TEMP[0], CONST[ADDR[0].x+1]",
      consts: Array.from({ length: 32 }, (_, i) => 1000 + i),
      inputs: [[[0, 0, 0, 0]], [[3, 0, 0, 0]], [[6, 0, 0, 0]]],
      expect: (a) => [0, 1, 2, 3].map((k) => 1000 + (a[0]! + 1) * 4 + k),
    },
  ];
  // Temp array declaration for the ARRAY case.
  const withArray = cases.map((c) => (c.body.includes("(1)") ? { ...c, imms: `DCL TEMP[8..15], ARRAY(1)\n${c.imms ?? ""}`, body: c.body.replace(/\+4\]\(1\)/g, "+8](1)") } : c));
  await checkOps(page, withArray);
});

test("KILL and KILL_IF leave killed pixels untouched", async ({ page }) => {
  await open(page);
  const clear = 0xdeadbeef;
  const cases: OpCase[] = [
    { name: "KILL_IF", body: "MOV TEMP[0], IN[1]\nKILL_IF IN[0]", inputs: [[fv(1, 1, 1, 1), [1, 2, 3, 4]], [fv(1, -1, 1, 1), [5, 6, 7, 8]], [fv(0, 0, 0, 0), [9, 9, 9, 9]]], expect: (a, b) => (a.some((x) => bf(x) < 0) ? [clear, clear, clear, clear] : b) },
    { name: "KILL in UIF", body: "MOV TEMP[0], IN[1]\nUIF IN[0].xxxx\nKILL\nENDIF", inputs: [[[1, 0, 0, 0], [1, 2, 3, 4]], [[0, 0, 0, 0], [5, 6, 7, 8]]], expect: (a, b) => (a[0] !== 0 ? [clear, clear, clear, clear] : b) },
  ];
  await checkOps(page, cases);
});

// ---- textures: 4x4 RGBA32F texel (i, j) = (i, j, 10i + j, 0.5)
const TEX_W = 4;
const texData: number[] = [];
for (let j = 0; j < TEX_W; j++) for (let i = 0; i < TEX_W; i++) texData.push(i, j, 10 * i + j, 0.5);
const texel = (i: number, j: number): number[] => fv(i, j, 10 * i + j, 0.5);
const centre = (i: number, j: number): number[] => fv((i + 0.5) / TEX_W, (j + 0.5) / TEX_W, 0, 1);
/** Units 0 (rgba32f, texel values above) and 1 (rgba32ui, 3v + 1, alpha all ones) of the texture tests. */
const FLOAT_AND_UINT_TEXTURES = [
  { unit: 0, width: TEX_W, height: TEX_W, format: "rgba32f" as const, data: texData },
  { unit: 1, width: TEX_W, height: TEX_W, format: "rgba32ui" as const, data: texData.map((v, k) => (k % 4 === 3 ? 0xffffffff : v * 3 + 1)) },
];

/** One line per failed case and per point whose four result words differ from `want` (u32 targets). */
function pointMismatches<P>(results: ExecResult[], names: string[], pts: P[], want: (n: number, p: P) => number[], where: (p: P) => string): string[] {
  const problems: string[] = [];
  results.forEach((r, n) => {
    if (!r.ok) return void problems.push(`${names[n]}: ${r.error}`);
    pts.forEach((p, k) => {
      const w = want(n, p).map((v) => v >>> 0);
      const got = r.words.slice(k * 4, k * 4 + 4);
      if (w.join() !== got.join()) problems.push(`${names[n]} ${where(p)}: got ${got.map(hex)} want ${w.map(hex)}`);
    });
  });
  return problems;
}

test("texture sampling: TEX/TXB/TXL/TXP/TXF/TXQ, offsets, swizzle key, integer and shadow samplers", async ({ page }) => {
  await open(page);
  const head = `FRAG
DCL IN[0], GENERIC[0], CONSTANT
DCL OUT[0], COLOR
DCL SAMP[0..2]
DCL SVIEW[0], 2D, FLOAT
DCL SVIEW[1], 2D, UINT
DCL SVIEW[2], SHADOW2D, FLOAT
DCL TEMP[0..3]
IMM[0] INT32 {1, 0, 0, 0}
IMM[1] FLT32 {0x40000000, 0x00000000, 0x3f800000, 0x00000000}
`;
  const pts: [number, number][] = [[0, 0], [1, 2], [3, 3], [2, 1]];
  const tex = [
    ...FLOAT_AND_UINT_TEXTURES,
    { unit: 2, width: TEX_W, height: TEX_W, format: "depth32f" as const, data: Array.from({ length: 16 }, (_, k) => ((k % 4) + Math.floor(k / 4)) / 8), compare: true },
  ];
  interface TexCase { name: string; body: string; inputs: number[][]; expect: (p: [number, number]) => number[]; fsKey?: ExecCase["fsKey"]; target?: "u32" | "f32" }
  const cases: TexCase[] = [
    { name: "TEX", body: "TEX TEMP[0], IN[0], SAMP[0], 2D", inputs: pts.map(([i, j]) => centre(i, j)), expect: ([i, j]) => texel(i, j) },
    { name: "TXB (bias 0)", body: "MOV TEMP[1], IN[0]\nMOV TEMP[1].w, IMM[1].yyyy\nTXB TEMP[0], TEMP[1], SAMP[0], 2D", inputs: pts.map(([i, j]) => centre(i, j)), expect: ([i, j]) => texel(i, j) },
    { name: "TXL (lod 0)", body: "MOV TEMP[1], IN[0]\nMOV TEMP[1].w, IMM[1].yyyy\nTXL TEMP[0], TEMP[1], SAMP[0], 2D", inputs: pts.map(([i, j]) => centre(i, j)), expect: ([i, j]) => texel(i, j) },
    { name: "TXP (w = 2)", body: "MUL TEMP[1], IN[0], IMM[1].xxxx\nMOV TEMP[1].w, IMM[1].xxxx\nTXP TEMP[0], TEMP[1], SAMP[0], 2D", inputs: pts.map(([i, j]) => centre(i, j)), expect: ([i, j]) => texel(i, j) },
    { name: "TEX with offset (+1, 0)", body: "TEX TEMP[0], IN[0], SAMP[0], 2D, IMM[0].xyyy", inputs: pts.map(([i, j]) => centre(i, j)), expect: ([i, j]) => texel(Math.min(i + 1, 3), j) },
    { name: "TXF (integer coords)", body: "TXF TEMP[0], IN[0], SAMP[0], 2D", inputs: pts.map(([i, j]) => [i, j, 0, 0]), expect: ([i, j]) => texel(i, j) },
    { name: "TXQ", body: "TXQ TEMP[0], IMM[0].yyyy, SAMP[0], 2D", inputs: pts.map(() => [0, 0, 0, 0]), expect: () => [4, 4, 0, 1] },
    { name: "swizzle key BGR1", body: "TEX TEMP[0], IN[0], SAMP[0], 2D", inputs: pts.map(([i, j]) => centre(i, j)), expect: ([i, j]) => { const t = texel(i, j); return [t[2]!, t[1]!, t[0]!, fb(1)]; }, fsKey: { samplers: [{ swizzle: [2, 1, 0, 5] }] } },
    { name: "usampler TXF", body: "TXF TEMP[0], IN[0], SAMP[1], 2D", inputs: pts.map(([i, j]) => [i, j, 0, 0]), expect: ([i, j]) => [i * 3 + 1, j * 3 + 1, (10 * i + j) * 3 + 1, 0xffffffff] },
    { name: "shadow compare (LEQUAL)", body: "MOV TEMP[1], IN[0]\nMOV TEMP[1].z, IMM[1].wwww\nADD TEMP[1].z, TEMP[1].zzzz, IN[0].wwww\nTEX TEMP[0], TEMP[1], SAMP[2], SHADOW2D", inputs: pts.map(([i, j], k) => [...centre(i, j).slice(0, 3), fb(k % 2 ? 0.2 : 0.3)]), expect: ([i, j]) => { const k = pts.findIndex((p) => p[0] === i && p[1] === j); const r = (k % 2 ? 0.2 : 0.3) <= (i + j) / 8 ? 1 : 0; return fv(r, r, r, r); } },
  ];
  const exec: ExecCase[] = cases.map((c) => ({
    fs: `${head}${c.body.split("\n").map((l) => `  ${l}`).join("\n")}\n  MOV OUT[0], TEMP[0]\n  END\n`,
    mode: "points", target: "u32", width: pts.length, height: 1, inputs: c.inputs.map((v) => [v]), textures: tex, fsKey: c.fsKey,
  }));
  const results = await runAll(page, exec);
  const names = cases.map((c) => c.name);
  expect(pointMismatches(results, names, pts, (n, p) => cases[n]!.expect(p), (p) => `texel ${p}`)).toEqual([]);
});

test("texture gather (TG4 lowering): footprint order, component, offset, swizzle key, clamp-to-edge, uint view", async ({ page }) => {
  await open(page);
  const head = `FRAG
DCL IN[0], GENERIC[0], CONSTANT
DCL OUT[0], COLOR
DCL SAMP[0..1]
DCL SVIEW[0], 2D, FLOAT
DCL SVIEW[1], 2D, UINT
DCL TEMP[0..3]
IMM[0] UINT32 {0, 1, 2, 3}
IMM[1] INT32 {-1, 1, 0, 0}
`;
  // P at the corner shared by texels (i, j) and (i+1, j+1): footprint origin (i0, j0) = (i, j)
  const pts: [number, number][] = [[0, 0], [1, 2], [3, 3], [2, 1], [-1, 0]];
  const corner = (i: number, j: number): number[] => fv((i + 1) / TEX_W, (j + 1) / TEX_W, 0, 1);
  const cl = (v: number): number => Math.max(0, Math.min(TEX_W - 1, v)); // the harness samples clamp-to-edge
  const foot = (i: number, j: number, ch: (i: number, j: number) => number): number[] =>
    [ch(cl(i), cl(j + 1)), ch(cl(i + 1), cl(j + 1)), ch(cl(i + 1), cl(j)), ch(cl(i), cl(j))];
  const tex = FLOAT_AND_UINT_TEXTURES;
  interface GatherCase { name: string; body: string; expect: (i: number, j: number) => number[]; fsKey?: ExecCase["fsKey"] }
  const cases: GatherCase[] = [
    { name: "component 0", body: "TG4 TEMP[0], IN[0], IMM[0].xxxx, SAMP[0], 2D", expect: (i, j) => foot(i, j, (x) => fb(x)) },
    { name: "component 2", body: "TG4 TEMP[0], IN[0], IMM[0].zzzz, SAMP[0], 2D", expect: (i, j) => foot(i, j, (x, y) => fb(10 * x + y)) },
    { name: "component 1 + offset (-1, 1)", body: "TG4 TEMP[0], IN[0], IMM[0].yyyy, SAMP[0], 2D, IMM[1].xyyy", expect: (i, j) => foot(i - 1, j + 1, (_, y) => fb(y)) },
    { name: "swizzle key BGR1: component 0 reads b", body: "TG4 TEMP[0], IN[0], IMM[0].xxxx, SAMP[0], 2D", expect: (i, j) => foot(i, j, (x, y) => fb(10 * x + y)), fsKey: { samplers: [{ swizzle: [2, 1, 0, 5] }] } },
    { name: "swizzle key BGR1: component 3 is one", body: "TG4 TEMP[0], IN[0], IMM[0].wwww, SAMP[0], 2D", expect: () => fv(1, 1, 1, 1), fsKey: { samplers: [{ swizzle: [2, 1, 0, 5] }] } },
    { name: "uint view component 2", body: "TG4 TEMP[0], IN[0], IMM[0].zzzz, SAMP[1], 2D", expect: (i, j) => foot(i, j, (x, y) => (10 * x + y) * 3 + 1) },
  ];
  const exec: ExecCase[] = cases.map((c) => ({
    fs: `${head}  ${c.body}\n  MOV OUT[0], TEMP[0]\n  END\n`,
    mode: "points", target: "u32", width: pts.length, height: 1, inputs: pts.map(([i, j]) => [corner(i, j)]), textures: tex, fsKey: c.fsKey,
  }));
  const results = await runAll(page, exec);
  const names = cases.map((c) => c.name);
  expect(pointMismatches(results, names, pts, (n, [i, j]) => cases[n]!.expect(i, j), ([i, j]) => `at corner (${i}, ${j})`)).toEqual([]);
});

test("texture gather on a cube map: face selection and footprint texels past a face edge (seamless)", async ({ page }) => {
  await open(page);
  // 4x4 faces; texel (i, j) of face f reads id = 16f + 4j + i in every channel
  const id = (f: number, i: number, j: number): number => 16 * f + 4 * j + i;
  const data: number[] = [];
  for (let f = 0; f < 6; f++) for (let j = 0; j < TEX_W; j++) for (let i = 0; i < TEX_W; i++) data.push(...Array(4).fill(id(f, i, j)));
  const [PX, NX, NY, PZ] = [0, 1, 3, 4];
  // direction → expected ids (i0,j1), (i1,j1), (i1,j0), (i0,j0), worked out from the GL major-axis table:
  // +Z: s = (rx + 1)/2, t = (-ry + 1)/2; -X: s = (rz + 1)/2, t = (-ry + 1)/2; +X: s = (-rz + 1)/2.
  const cases: { name: string; dir: number[]; want: number[] }[] = [
    { name: "+Z inside", dir: [0, 0, 1], want: [id(PZ, 1, 2), id(PZ, 2, 2), id(PZ, 2, 1), id(PZ, 1, 1)] },
    { name: "-X inside", dir: [-1, 0, 0], want: [id(NX, 1, 2), id(NX, 2, 2), id(NX, 2, 1), id(NX, 1, 1)] },
    { name: "+X inside", dir: [1, -0.5, -0.5], want: [id(PX, 2, 3), id(PX, 3, 3), id(PX, 3, 2), id(PX, 2, 2)] },
    // s = 1/16 on +Z: i0 = -1 lies past the rx = -1 edge, i.e. the last column of -X
    { name: "+Z left edge → -X", dir: [-0.875, 0, 1], want: [id(NX, 3, 2), id(PZ, 0, 2), id(PZ, 0, 1), id(NX, 3, 1)] },
    // t = 15/16 on +Z: j1 = 4 lies past the ry = -1 edge, i.e. the first row of -Y
    { name: "+Z bottom edge → -Y", dir: [0, -0.875, 1], want: [id(NY, 1, 0), id(NY, 2, 0), id(PZ, 2, 3), id(PZ, 1, 3)] },
  ];
  const fsSrc = `FRAG
DCL IN[0], GENERIC[0], CONSTANT
DCL OUT[0], COLOR
DCL SAMP[0]
DCL SVIEW[0], CUBE, FLOAT
DCL TEMP[0]
IMM[0] UINT32 {3, 0, 0, 0}
  TG4 TEMP[0], IN[0], IMM[0].xxxx, SAMP[0], CUBE
  MOV OUT[0], TEMP[0]
  END
`;
  const [r] = await runAll(page, [{
    fs: fsSrc, mode: "points", target: "u32", width: cases.length, height: 1,
    inputs: cases.map((c) => [fv(c.dir[0]!, c.dir[1]!, c.dir[2]!, 0)]),
    textures: [{ unit: 0, width: TEX_W, height: TEX_W, format: "rgba32f", data, cube: true }],
  }]);
  expect(r!.ok, r!.error).toBe(true);
  const problems: string[] = [];
  cases.forEach((c, k) => {
    const got = r!.words.slice(k * 4, k * 4 + 4).map(bf);
    if (got.join() !== c.want.join()) problems.push(`${c.name}: got ${got} want ${c.want}`);
  });
  expect(problems).toEqual([]);
});

test("derivatives on a known ramp and gl_FragCoord conventions", async ({ page }) => {
  await open(page);
  const W = 4, H = 4;
  const fs = (body: string, props = ""): string => `FRAG
${props}DCL IN[0], GENERIC[0], PERSPECTIVE
DCL IN[1], POSITION, LINEAR
DCL OUT[0], COLOR
DCL TEMP[0..3]
${body.split("\n").map((l) => `  ${l}`).join("\n")}
  MOV OUT[0], TEMP[0]
  END
`;
  const exec: ExecCase[] = [
    { fs: fs("DDX TEMP[0].x, IN[0].xxxx\nDDY TEMP[0].y, IN[0].yyyy\nDDX TEMP[0].z, IN[0].zzzz\nDDY TEMP[0].w, IN[0].zzzz"), mode: "quad", target: "f32", width: W, height: H },
    { fs: fs("MOV TEMP[0], IN[1]"), mode: "quad", target: "f32", width: W, height: H },
    { fs: fs("MOV TEMP[0], IN[1]", "PROPERTY FS_COORD_PIXEL_CENTER INTEGER\n"), mode: "quad", target: "f32", width: W, height: H },
    { fs: fs("MOV TEMP[0], IN[0]"), mode: "quad", target: "f32", width: W, height: H },
  ];
  const [ddx, pos, posInt, ramp] = await runAll(page, exec);
  for (const r of [ddx, pos, posInt, ramp]) expect(r!.error ?? "").toBe("");
  const near = (w: number, v: number, tol = 1e-4): boolean => Math.abs(bf(w) - v) <= tol;
  const problems: string[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      const d = ddx!.words.slice(p, p + 4);
      [2, 3, 1, 1].forEach((v, k) => { if (!near(d[k]!, v)) problems.push(`deriv (${x},${y}).${"xyzw"[k]} = ${bf(d[k]!)} want ${v}`); });
      const f = pos!.words.slice(p, p + 2);
      if (!near(f[0]!, x + 0.5, 0) || !near(f[1]!, y + 0.5, 0)) problems.push(`fragcoord (${x},${y}) = ${f.map(bf)}`);
      const fi = posInt!.words.slice(p, p + 2);
      if (!near(fi[0]!, x, 0) || !near(fi[1]!, y, 0)) problems.push(`integer-centre fragcoord (${x},${y}) = ${fi.map(bf)}`);
      const g = ramp!.words.slice(p, p + 3);
      if (!near(g[0]!, 2 * (x + 0.5), 1e-4) || !near(g[1]!, 3 * (y + 0.5), 1e-4)) problems.push(`ramp (${x},${y}) = ${g.map(bf)}`);
    }
  }
  expect(problems).toEqual([]);
});

test("pipeline: VS computation, flat COLOR linkage (flatshade), user clip planes, stream output capture", async ({ page }) => {
  await open(page);
  const vs = `VERT
DCL IN[0]
DCL IN[1]
DCL IN[2]
DCL OUT[0], POSITION
DCL OUT[1], GENERIC[0]
DCL OUT[2], COLOR
DCL TEMP[0]
  0: MOV OUT[0], IN[0]
  1: UADD TEMP[0], IN[1], IN[2]
  2: MOV OUT[1], TEMP[0]
  3: XOR OUT[2], IN[1], IN[2]
  4: END
`;
  const fsGeneric = `FRAG
DCL IN[0], GENERIC[0], CONSTANT
DCL OUT[0], COLOR
  0: MOV OUT[0], IN[0]
  1: END
`;
  const fsColor = `FRAG
DCL IN[0], COLOR, COLOR
DCL OUT[0], COLOR
  0: MOV OUT[0], IN[0]
  1: END
`;
  const W = 4;
  const inputs = Array.from({ length: W }, (_, p) => [[0xfffffff0 + p, p * 1000, 0x80000000, 7], [0x20, 0xdeadbeef, 0x80000000, p]]);
  const sum = (v: number[][]) => v[0]!.map((a, k) => (a + v[1]![k]!) >>> 0);
  const xor = (v: number[][]) => v[0]!.map((a, k) => (a ^ v[1]![k]!) >>> 0);
  const clear = 0xdeadbeef;
  const [vsAlu, flatColor, clipped, so] = await runAll(page, [
    { vs, fs: fsGeneric, mode: "points", target: "u32", width: W, height: 1, inputs },
    { vs, fs: fsColor, fsKey: { flatshade: true }, mode: "points", target: "u32", width: W, height: 1, inputs },
    { vs, fs: fsGeneric, vsKey: { clipPlaneEnable: 1 }, fsKey: { clipPlaneEnable: 1 }, clipPlanes: [1, 0, 0, 0, ...Array(28).fill(0)], mode: "points", target: "u32", width: W, height: 1, inputs },
    { vs, fs: fsGeneric, vsKey: { streamOutput: [{ registerIndex: 1, startComponent: 1, numComponents: 2, outputBuffer: 0, dstOffset: 0 }, { registerIndex: 2, startComponent: 0, numComponents: 1, outputBuffer: 0, dstOffset: 2 }] }, captureStreamOutput: true, mode: "points", target: "u32", width: W, height: 1, inputs },
  ]);
  for (const r of [vsAlu, flatColor, clipped, so]) expect(r!.error ?? "").toBe("");
  for (let p = 0; p < W; p++) {
    const px = (r: ExecResult) => r.words.slice(p * 4, p * 4 + 4);
    expect(px(vsAlu!), `VS UADD pixel ${p}`).toEqual(sum(inputs[p]!));
    expect(px(flatColor!), `flat COLOR pixel ${p}`).toEqual(xor(inputs[p]!));
    // Plane (1,0,0,0): points left of the centre (clip x < 0) are clipped.
    expect(px(clipped!), `clip plane pixel ${p}`).toEqual(p < W / 2 ? [clear, clear, clear, clear] : sum(inputs[p]!));
    const s = sum(inputs[p]!);
    expect(so!.tfWords?.slice(p * 3, p * 3 + 3), `stream output vertex ${p}`).toEqual([s[1], s[2], xor(inputs[p]!)[0]]);
  }
});

test("two-sided colour (key.twoSide) and FACE on front- and back-facing quads", async ({ page }) => {
  await open(page);
  const vs = `VERT
DCL IN[0]
DCL IN[1]
DCL OUT[0], POSITION
DCL OUT[1], COLOR
DCL OUT[2], BCOLOR
IMM[0] FLT32 {0x3f800000, 0x00000000, 0x3f000000, 0x40000000}
  0: MOV OUT[0], IN[0]
  1: MOV OUT[1], IMM[0].xyyx
  2: MOV OUT[2], IMM[0].yyxz
  3: END
`;
  const fs = `FRAG
DCL IN[0], COLOR, COLOR
DCL IN[1].x, FACE, CONSTANT
DCL OUT[0], COLOR
DCL TEMP[0]
  0: MOV TEMP[0], IN[0]
  1: MOV TEMP[0].w, IN[1].xxxx
  2: MOV OUT[0], TEMP[0]
  3: END
`;
  const [front, back] = await runAll(page, [
    { vs, fs, fsKey: { twoSide: true }, mode: "quad", target: "f32", width: 2, height: 2 },
    { vs, fs, fsKey: { twoSide: true }, mode: "quad", target: "f32", width: 2, height: 2, backFacing: true },
  ]);
  expect(front!.error ?? "").toBe("");
  expect(back!.error ?? "").toBe("");
  for (let p = 0; p < 4; p++) {
    expect(front!.words.slice(p * 4, p * 4 + 4).map(bf), `front pixel ${p}`).toEqual([1, 0, 0, 1]);
    expect(back!.words.slice(p * 4, p * 4 + 4).map(bf), `back pixel ${p}`).toEqual([0, 0, 1, -1]);
  }
});
