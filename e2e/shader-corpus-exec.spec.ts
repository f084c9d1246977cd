/**
 * Differential execution: corpus fragment shaders whose inputs are constants and GENERIC varyings are run in WebGL2
 * (translated in the page) with seeded random constant buffers and compared with our reference TGSI
 * interpreter (src/shader/test-util/interpreter.ts): integer results bit-exact, floats within 1e-4
 * relative (GPU transcendental/division ULPs).
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { loadShaderHarness as loadHarness } from "./shader-harness.ts";
import { parseTgsi } from "../src/shader/parse/parser.ts";
import { interpret, Unsupported } from "../src/shader/test-util/interpreter.ts";
import type { Program } from "../src/shader/ir.ts";
import type { ExecCase, ExecResult } from "../test/pages/shader-exec.ts";
import { corpusDir } from "../src/shader/test-util/corpus.ts";

const dir = corpusDir();

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


/** FS inputs must be GENERIC[0..2] (fed per point, exact: a point's varyings are its vertex's values). */
function eligible(p: Program): boolean {
  if (p.stage !== "FRAG") return false;
  if (p.declarations.some((d) => d.file === "SV" || d.file === "SAMP" || (d.file === "CONST" && (d.dim ?? 0) !== 0))) return false;
  if (p.declarations.some((d) => d.file === "IN" && (d.first !== d.last || d.semantic?.name !== "GENERIC" || d.semantic.index > 2))) return false;
  const outs = p.declarations.filter((d) => d.file === "OUT");
  return outs.length === 1 && outs[0]!.semantic?.name === "COLOR" && outs[0]!.first === 0 && outs[0]!.last === 0;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const FLOATS = [0, 1, -1, 0.5, -0.5, 2, 0.25, 3, -2, 10, 0.1, 0.75, 1.5, 4, -0.25, 0.3];

function same(got: number, want: number): boolean {
  if (got >>> 0 === want >>> 0) return true;
  const g = bf(got), w = bf(want);
  if (Number.isNaN(g) && Number.isNaN(w)) return true;
  if (!Number.isFinite(g) || !Number.isFinite(w)) return false;
  return Math.abs(g - w) <= 1e-5 + 1e-4 * Math.abs(w);
}

test("corpus fragment shaders compute what the reference interpreter computes", async ({ page }) => {
  test.setTimeout(170_000);
  expect(existsSync(dir), `TGSI corpus missing at ${dir}`).toBe(true);
  const r = rng(20261124);
  const SETS = 4;
  const MAX_SHADERS = Number(process.env.WEBVIRGL_DIFF_SHADERS ?? 2000);
  // null = killed; "fragile" = depends on implementation-defined float behaviour (not compared).
  const cases: { name: string; exec: ExecCase; want: (number[] | null | "fragile")[] }[] = [];
  let skipped = 0;
  const files = readdirSync(dir).filter((x) => x.startsWith("fragment_") && x.endsWith(".tgsi")).sort();
  for (const f of files) {
    if (cases.length >= MAX_SHADERS) break;
    const text = readFileSync(path.join(dir, f), "utf8");
    const parsed = parseTgsi(text);
    if (!parsed.ok || !eligible(parsed.value)) continue;
    const prog = parsed.value;
    const size = prog.declarations.filter((d) => d.file === "CONST").reduce((m, d) => Math.max(m, d.last + 1), 0);
    const sets = Array.from({ length: SETS }, () =>
      Array.from({ length: size * 4 }, () => (r() < 0.75 ? fb(FLOATS[Math.floor(r() * FLOATS.length)]!) : Math.floor(r() * 4))));
    // Varying inputs: float values (smooth varyings are floats; flat ones carry the same bits).
    const inputs = sets.map(() => Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => fb(FLOATS[Math.floor(r() * FLOATS.length)]!))));
    const inMap = (k: number): Map<number, number[]> =>
      new Map(prog.declarations.filter((d) => d.file === "IN").map((d) => [d.first, inputs[k]![d.semantic!.index]!]));
    try {
      const want = sets.map((consts, k) => {
        const res = interpret(prog, { consts: new Uint32Array(consts), inputs: inMap(k) });
        if (res.fragile) return "fragile" as const;
        return res.killed ? null : (res.outputs.get(0) ?? [0, 0, 0, 0]);
      });
      cases.push({
        name: f,
        exec: { fs: text, mode: "points", target: "u32", width: SETS, height: 1, constSets: sets, inputs, clear: [0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef] },
        want,
      });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      skipped++;
    }
  }
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  await loadHarness(page);
  const results: ExecResult[] = [];
  const t0 = Date.now();
  for (let i = 0; i < cases.length; i += 50) {
    results.push(...(await page.evaluate((cs) => cs.map((c) => window.shaderExec.run(c)), cases.slice(i, i + 50).map((c) => c.exec))));
  }
  const mismatches: string[] = [];
  let fragile = 0;
  let compared = 0;
  results.forEach((res, i) => {
    const c = cases[i]!;
    if (!res.ok) return void mismatches.push(`${c.name}: ${res.error}`);
    c.want.forEach((w, set) => {
      if (w === "fragile") {
        fragile++;
        return;
      }
      compared++;
      const want = w ?? [0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef];
      const got = res.words.slice(set * 4, set * 4 + 4);
      if (!got.every((g, k) => same(g, want[k]!))) {
        mismatches.push(`${c.name} set ${set}: got [${got.map((x) => `${bf(x)}|0x${(x >>> 0).toString(16)}`)}] want [${want.map((x) => `${bf(x)}|0x${(x >>> 0).toString(16)}`)}]`);
      }
    });
  });
  console.log(`differential: ${cases.length} shaders × ${SETS} constant sets in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${compared} compared, ${fragile} not compared (implementation-defined float behaviour), ${skipped} shaders unsupported by the interpreter; ${mismatches.length} mismatches`);
  expect(compared).toBeGreaterThan(cases.length);
  expect(mismatches.slice(0, 20)).toEqual([]);
});

function eligibleVs(p: Program): boolean {
  if (p.stage !== "VERT") return false;
  if (p.declarations.some((d) => d.file === "SV" || d.file === "SAMP" || (d.file === "CONST" && (d.dim ?? 0) !== 0))) return false;
  return p.declarations.filter((d) => d.file === "IN").every((d) => d.last < 8);
}

test("corpus vertex shaders compute what the reference interpreter computes (transform feedback)", async ({ page }) => {
  test.setTimeout(170_000);
  expect(existsSync(dir), `TGSI corpus missing at ${dir}`).toBe(true);
  const r = rng(11);
  const VERTS = 3;
  const MAX_SHADERS = Number(process.env.WEBVIRGL_DIFF_SHADERS ?? 2000);
  const cases: { name: string; exec: ExecCase; want: (Map<number, number[]> | "fragile")[] }[] = [];
  let skipped = 0;
  const rand = (): number => (r() < 0.8 ? fb(FLOATS[Math.floor(r() * FLOATS.length)]!) : Math.floor(r() * 4));
  for (const f of readdirSync(dir).filter((x) => x.startsWith("vertex_") && x.endsWith(".tgsi")).sort()) {
    if (cases.length >= MAX_SHADERS) break;
    const text = readFileSync(path.join(dir, f), "utf8");
    const parsed = parseTgsi(text);
    if (!parsed.ok || !eligibleVs(parsed.value)) continue;
    const prog = parsed.value;
    const size = prog.declarations.filter((d) => d.file === "CONST").reduce((m, d) => Math.max(m, d.last + 1), 0);
    const nin = prog.declarations.filter((d) => d.file === "IN").reduce((m, d) => Math.max(m, d.last + 1), 0);
    const consts = Array.from({ length: size * 4 }, rand);
    // Attributes are floats (the harness feeds them as FLOAT): use float values only.
    const attribs = Array.from({ length: VERTS }, () => Array.from({ length: Math.max(nin, 1) }, () => Array.from({ length: 4 }, () => fb(FLOATS[Math.floor(r() * FLOATS.length)]!))));
    try {
      const want = attribs.map((a) => {
        const res = interpret(prog, { consts: new Uint32Array(consts), inputs: new Map(a.map((v, i) => [i, v])) });
        return res.fragile ? ("fragile" as const) : res.outputs;
      });
      cases.push({
        name: f,
        exec: {
          vs: text, fs: "FRAG\nDCL OUT[0], COLOR\nIMM[0] FLT32 {0x3f800000, 0x00000000, 0x00000000, 0x3f800000}\n  0: MOV OUT[0], IMM[0]\n  1: END\n",
          mode: "points", target: "u32", width: VERTS, height: 1, vsAttribs: attribs, vsConsts: consts, captureVsOutputs: true,
        },
        want,
      });
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      skipped++;
    }
  }
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  await loadHarness(page);
  const results: ExecResult[] = [];
  const t0 = Date.now();
  for (let i = 0; i < cases.length; i += 50) {
    results.push(...(await page.evaluate((cs) => cs.map((c) => window.shaderExec.run(c)), cases.slice(i, i + 50).map((c) => c.exec))));
  }
  const mismatches: string[] = [];
  let compared = 0;
  let fragile = 0;
  results.forEach((res, i) => {
    const c = cases[i]!;
    if (!res.ok) return void mismatches.push(`${c.name}: ${res.error}`);
    const outs = res.tfOutputs ?? [];
    c.want.forEach((w, v) => {
      if (w === "fragile") {
        fragile++;
        return;
      }
      compared++;
      outs.forEach((o, k) => {
        const got = (res.tfWords ?? []).slice((v * outs.length + k) * 4, (v * outs.length + k) * 4 + 4);
        const want = w.get(o.index) ?? [0, 0, 0, 0];
        if (!got.every((g, q) => same(g, want[q]!))) {
          mismatches.push(`${c.name} vertex ${v} ${o.name}: got [${got.map((x) => bf(x))}] want [${want.map((x) => bf(x))}]`);
        }
      });
    });
  });
  console.log(`differential VS: ${cases.length} shaders × ${VERTS} vertices in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${compared} compared, ${fragile} not compared, ${skipped} unsupported by the interpreter; ${mismatches.length} mismatches`);
  expect(compared).toBeGreaterThan(cases.length);
  expect(mismatches.slice(0, 20)).toEqual([]);
});
