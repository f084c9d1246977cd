/**
 * Benchmark: virgl command-stream decoding (validation included) and the data-movement pre-pass,
 * over every submit of the recorded Mesa fixtures plus a synthetic draw-heavy stream.
 * Run: npx tsx bench/virgl-decode.ts   (prints a table, writes bench/results/virgl-decode.json)
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { decodeSubmit } from "../src/virgl/decode/decoder.ts";
import { encodeCommands } from "../src/virgl/encode/encoder.ts";
import { sampleCommands } from "../src/virgl/encode/samples.ts";
import { planSubmit } from "../src/virgl/transfer-plan.ts";
import { readStreamFile } from "../src/vtest/stream-io.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(repoRoot, "test", "fixtures", "streams");
const submits: Uint32Array[] = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith(".vtstream.gz"))) {
  for (const r of readStreamFile(path.join(dir, f)).records) {
    if (r.direction !== 0 || r.cmd !== 6) continue;
    const body = Uint8Array.from(r.bytes.subarray(8));
    submits.push(new Uint32Array(body.buffer, 0, body.byteLength >>> 2));
  }
}
// synthetic: the sample stream repeated to ~1 MiB (draw-heavy Mesa frames are mostly state + DRAW_VBO)
const one = encodeCommands(sampleCommands.filter((c) => c.kind !== "CREATE_SHADER"));
const reps = Math.ceil((1 << 18) / one.length);
const synthetic = new Uint32Array(one.length * reps);
for (let i = 0; i < reps; i++) synthetic.set(one, i * one.length);

function measure(name: string, streams: Uint32Array[], fn: (w: Uint32Array) => number): { name: string; mib: number; msMedian: number; mibPerS: number; cmdsPerS: number } {
  const bytes = streams.reduce((a, s) => a + s.byteLength, 0);
  let cmds = 0;
  for (const s of streams) cmds += fn(s); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    for (const s of streams) fn(s);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  const ms = runs[3]!;
  return { name, mib: bytes / 2 ** 20, msMedian: ms, mibPerS: bytes / 2 ** 20 / (ms / 1000), cmdsPerS: cmds / (ms / 1000) };
}

const rows = [
  measure("decode: recorded Mesa submits", submits, (w) => decodeSubmit(w).commands.length),
  measure("decode: synthetic 1 MiB stream", [synthetic], (w) => decodeSubmit(w).commands.length),
  measure("planSubmit: recorded Mesa submits", submits, (w) => {
    planSubmit(w, () => undefined);
    return 0;
  }),
];
console.log(`${submits.length} recorded submits`);
console.log("name".padEnd(36), "MiB".padStart(7), "ms".padStart(8), "MiB/s".padStart(8), "cmds/s".padStart(12));
for (const r of rows) {
  console.log(r.name.padEnd(36), r.mib.toFixed(2).padStart(7), r.msMedian.toFixed(2).padStart(8), r.mibPerS.toFixed(0).padStart(8), Math.round(r.cmdsPerS).toString().padStart(12));
}
const out = path.join(repoRoot, "bench", "results", "virgl-decode.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), submits: submits.length, rows }, null, 2));
