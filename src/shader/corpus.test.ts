/**
 * Acceptance: every corpus shader translates and compiles as GLSL ES 3.00 (glslangValidator), with the default
 * key and with a key that switches on every per-draw feature; VS/FS pairs link by the naming scheme.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { translateTgsi } from "./index.ts";
import type { ShaderKey, TranslationInfo } from "./index.ts";
import { loadCorpus, type CorpusShader } from "./test-util/corpus.ts";
import { compileAll, hasGlslang, linkPair, type CompileInput } from "./test-util/glslang.ts";

const RICH_VS: ShaderKey = {
  clipPlaneEnable: 0x3f, clampVertexColor: true, constBuffer0InBlock: true, loopIterationLimit: 0,
  streamOutput: [{ registerIndex: 0, startComponent: 0, numComponents: 4, outputBuffer: 0, dstOffset: 0 }, { registerIndex: 0, startComponent: 1, numComponents: 2, outputBuffer: 1, dstOffset: 0 }],
};
const RICH_FS: ShaderKey = {
  twoSide: true, flatshade: true, nrCbufs: 4, alphaFunc: 3, clampFragmentColor: true, spriteCoordEnable: 0xff,
  clipPlaneEnable: 0x3f, constBuffer0InBlock: true, samplers: Array.from({ length: 16 }, () => ({ swizzle: [2, 1, 0, 5] as const })),
};

let corpus: CorpusShader[] = [];
beforeAll(() => {
  corpus = loadCorpus();
});

function stageOf(name: string): "vert" | "frag" {
  return name.startsWith("vertex") ? "vert" : "frag";
}

describe("TGSI corpus", () => {
  it("has the corpus", () => {
    expect(corpus.length).toBeGreaterThan(1000);
  });

  it("translates 100% of the corpus and every result compiles with glslangValidator", async () => {
    const inputs: CompileInput[] = [];
    const failures: string[] = [];
    for (const s of corpus) {
      const stage = stageOf(s.name);
      const rich: ShaderKey = stage === "frag" ? RICH_FS : /DCL OUT\[0\]/.test(s.text) ? RICH_VS : { ...RICH_VS, streamOutput: [] };
      for (const [variant, key] of [["default", {}], ["rich", rich]] as const) {
        const r = translateTgsi(s.text, key);
        if (!r.ok) failures.push(`${s.name} (${variant}): ${r.error.line}:${r.error.column} ${r.error.message}`);
        else inputs.push({ name: `${s.name} (${variant})`, stage, glsl: r.glsl });
      }
    }
    expect(failures).toEqual([]);
    expect(hasGlslang(), "glslangValidator missing: apt-get install -y glslang-tools").toBe(true);
    const errors = await compileAll(inputs, 2);
    const report = [...errors].slice(0, 10).map(([n, e]) => `${n}:\n${e}`);
    expect(report).toEqual([]);
    expect(inputs.length).toBe(corpus.length * 2);
  }, 120_000);

  it("links VS/FS pairs: every FS input is produced by the VS with the same name, type and qualifiers", async () => {
    const vs = corpus.filter((s) => stageOf(s.name) === "vert").map((s) => ({ s, r: translateTgsi(s.text) }));
    const fs = corpus.filter((s) => stageOf(s.name) === "frag");
    let pairs = 0;
    const linkJobs: { name: string; vs: string; fs: string }[] = [];
    for (const f of fs) {
      for (const fsKey of [{}, { twoSide: true, flatshade: true }] as ShaderKey[]) {
        const fr = translateTgsi(f.text, fsKey);
        expect(fr.ok).toBe(true);
        if (!fr.ok) continue;
        const wanted = fr.info.inputs.filter((v) => v.semantic !== "BCOLOR");
        // A VS "goes with" this FS when it writes every semantic the FS reads.
        const partner = vs.find(({ r }) => r.ok && wanted.every((w) => r.info.outputs.some((o) => o.name === w.name)));
        if (!partner) continue;
        const vr = translateTgsi(partner.s.text, { fsInputs: fr.info.inputs });
        expect(vr.ok).toBe(true);
        if (!vr.ok) continue;
        checkInterface(vr.info, fr.info);
        pairs++;
        if (linkJobs.length < 24 && (fr.info.inputs.length > 0)) linkJobs.push({ name: `${partner.s.name}+${f.name}`, vs: vr.glsl, fs: fr.glsl });
      }
    }
    expect(pairs).toBeGreaterThan(200);
    const results = await Promise.all(linkJobs.map(async (j) => [j.name, await linkPair(j.vs, j.fs)] as const));
    expect(results.filter(([, e]) => e !== null)).toEqual([]);
  }, 120_000);
});

function checkInterface(vs: TranslationInfo, fs: TranslationInfo): void {
  for (const input of fs.inputs) {
    const out = vs.varyingsOut.find((o) => o.name === input.name);
    expect(out, `VS declares ${input.name}`).toBeDefined();
    expect(out?.glslType).toBe(input.glslType);
    expect(out?.flat).toBe(input.flat);
    expect(out?.centroid).toBe(input.centroid);
  }
}
