/**
 * Fuzz: mutate corpus shaders with a deterministic PRNG and run parser + translator; no exception may escape
 * and no single call may take long. Bounded by time (~15 s) and iterations.
 */
import { describe, expect, it } from "vitest";
import { parseTgsi, translateTgsi } from "./index.ts";
import type { ShaderKey } from "./index.ts";
import { loadCorpus } from "./test-util/corpus.ts";
import { compileAll, type CompileInput } from "./test-util/glslang.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const TOKENS = [
  "TEMP[", "IN[", "OUT[", "CONST[", "IMM[", "ADDR[0].x", "]", "[", ",", ".", ".xyzw", ".q", "-", "|", "(", ")", ":",
  "UIF", "ENDIF", "ELSE", "BGNLOOP", "ENDLOOP", "BRK", "CONT", "END", "TEX", "TXF", "2D", "SHADOW2D", "DCL", "IMM",
  "ARRAY(1)", "FLT32", "{", "}", "0x7fc00000", "4294967295", "99999999999", "-2147483648", "_SAT", "\n", " ", "\0",
  "SAMP[0]", "SVIEW[0], 2D, FLOAT", "SWITCH", "CASE", "GENERIC[7]", "COLOR", "CONSTANT", "SV[0]", "INSTANCEID",
];

const KEYS: ShaderKey[] = [{}, { twoSide: true, flatshade: true, nrCbufs: 3, clipPlaneEnable: 5, alphaFunc: 1 }];

function mutate(text: string, r: () => number): string {
  let t = text;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(r() * (t.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0: // delete a range
        t = t.slice(0, pos) + t.slice(pos + Math.floor(r() * 20));
        break;
      case 1: // insert a token
        t = t.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)] + t.slice(pos);
        break;
      case 2: // random byte
        t = t.slice(0, pos) + String.fromCharCode(Math.floor(r() * 256)) + t.slice(pos);
        break;
      case 3: { // duplicate or drop a line
        const lines = t.split("\n");
        const li = Math.floor(r() * lines.length);
        if (r() < 0.5) lines.splice(li, 0, lines[Math.floor(r() * lines.length)] ?? "");
        else lines.splice(li, 1);
        t = lines.join("\n");
        break;
      }
      case 4: // swap two lines
      {
        const lines = t.split("\n");
        const a = Math.floor(r() * lines.length);
        const b = Math.floor(r() * lines.length);
        [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
        t = lines.join("\n");
        break;
      }
      case 5: // change a number
        t = t.replace(/\d+/g, (m) => (r() < 0.05 ? String(Math.floor(r() * 70)) : m));
        break;
      default: // truncate
        t = t.slice(0, pos);
    }
  }
  return t;
}

describe("fuzz", () => {
  it("no exception escapes the parser or translator on mutated corpus shaders", async () => {
    const corpus = loadCorpus();
    const r = rng(0xc0ffee);
    const deadline = performance.now() + Number(process.env.WEBVIRGL_FUZZ_MS ?? 15_000);
    let iterations = 0;
    let translated = 0;
    let slowest = 0;
    const compiled: CompileInput[] = [];
    while (performance.now() < deadline && iterations < 200_000) {
      const base = corpus[Math.floor(r() * corpus.length)]!;
      const text = mutate(base.text, r);
      const t0 = performance.now();
      let result;
      try {
        parseTgsi(text);
        result = translateTgsi(text, KEYS[iterations % KEYS.length]);
      } catch (e) {
        throw new Error(`exception on iteration ${iterations} (from ${base.name}): ${String(e)}\n---\n${text}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      if (result.ok) {
        translated++;
        if (compiled.length < 400) compiled.push({ name: `${iterations}:${base.name}\n${text}`, stage: base.name.startsWith("vertex") ? "vert" : "frag", glsl: result.glsl });
      }
      else {
        expect(result.error.message).not.toMatch(/internal/);
      }
      iterations++;
    }
    expect(iterations).toBeGreaterThan(1000);
    // A pathological (super-linear) input, not speed: ~10 ms is typical, but a loaded 2-core CI
    // machine stalls single calls for hundreds of ms (GC, scheduling), so only a blow-up fails.
    expect(slowest).toBeLessThan(5000);
    // Whatever the translator accepts must be valid GLSL ES 3.00.
    const errors = await compileAll(compiled, 2);
    expect([...errors].slice(0, 3)).toEqual([]);
    console.log(`fuzz: ${iterations} iterations, ${translated} translated, slowest ${slowest.toFixed(1)} ms`);
  }, 60_000);
});
