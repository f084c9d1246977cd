/**
 * Benchmark: TGSI → GLSL ES translation throughput over the corpus (parse + all passes + emit).
 * Run: npx tsx bench/shader-translate.ts   (prints shaders/s and the time for the whole corpus)
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { translateTgsi } from "../src/shader/index.ts";
import { corpusDir } from "../src/shader/test-util/corpus.ts";

const dir = corpusDir();
const texts = readdirSync(dir).filter((f) => f.endsWith(".tgsi")).sort().map((f) => readFileSync(path.join(dir, f), "utf8"));
if (texts.length === 0) throw new Error(`no .tgsi files in ${dir}`);

function pass(): { ms: number; failed: number } {
  const t0 = performance.now();
  let failed = 0;
  for (const t of texts) if (!translateTgsi(t).ok) failed++;
  return { ms: performance.now() - t0, failed };
}

const cold = pass();
const runs: number[] = [];
for (let i = 0; i < 5; i++) runs.push(pass().ms);
runs.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)]!;
console.log(`corpus: ${texts.length} shaders, ${cold.failed} failed`);
console.log(`cold pass (incl. JIT warm-up): ${cold.ms.toFixed(1)} ms`);
console.log(`warm passes: median ${median.toFixed(1)} ms, best ${runs[0]!.toFixed(1)} ms`);
console.log(`shaders/s: ${Math.round(texts.length / (median / 1000))}`);
