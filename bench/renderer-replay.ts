/**
 * Renderer throughput on recorded Mesa command streams (test/fixtures/streams, Mesa 22.3 virgl
 * driver traffic): the VirglRenderer the GPU worker uses, in headless Chromium (SwiftShader
 * WebGL2), replaying each stream cold once and then its frames and uploads in loops
 * (test/pages/bench-replay.ts). Reports draws/s, frames/s, virgl commands/s and upload MB/s.
 *
 *   npx tsx bench/renderer-replay.ts [--seconds S] [--streams a.vtstream.gz,b.vtstream.gz]
 *
 * Writes bench/results/renderer-replay.json.
 */
import { KEEP_NAMES_SHIM } from "./lib/guest-page.ts";
import { cliOption, errorText, round, startBenchEnvironment, writeResults } from "./lib/harness.ts";
import type { ReplayBenchResult } from "../test/pages/bench-replay.ts";

const seconds = Number(cliOption("seconds", "5"));
// The recorded streams with frames (a draw loop + a 300x300 readback per frame, 10 frames each),
// and piglit's textured triangle for texture uploads (a 64x64 RGBA texture + a 7-level mipmap).
const streams = cliOption("streams", "glxgears.vtstream.gz,es2gears.vtstream.gz,piglit-gl-1.0-textured-triangle.vtstream.gz").split(",");

type Row = ReplayBenchResult | { stream: string; error: string };

async function main(): Promise<void> {
  const env = await startBenchEnvironment();
  const chromium = env.browser.version();
  const rows: Row[] = [];
  try {
    const context = await env.browser.newContext();
    await context.addInitScript({ content: KEEP_NAMES_SHIM });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    await page.goto(`${env.url}/test/pages/bench-replay.html`);
    await page.waitForFunction(() => window.replayBench !== undefined);
    for (const stream of streams) {
      console.log(`replaying ${stream} (${seconds} s per loop)…`);
      try {
        rows.push(await page.evaluate(([name, s]) => window.replayBench.run(name, s), [stream, seconds] as const));
      } catch (error) {
        rows.push({ stream, error: errorText(error) });
      }
    }
  } finally {
    await env.close();
  }
  const ok = rows.filter((r): r is ReplayBenchResult => !("error" in r));
  console.log(`\nrenderer replay of recorded Mesa traffic, ${ok[0]?.glRenderer ?? "?"}; load ${env.loadBefore.join(" ")}`);
  console.table(rows.map((r) => ("error" in r
    ? { stream: r.stream, error: r.error }
    : {
        stream: r.stream.replace(".vtstream.gz", ""),
        "cold replay ms": round(r.cold.seconds * 1000, 1),
        "draws/s": r.frames ? Math.round(r.frames.drawsPerSec) : "",
        "frames/s": r.frames ? round(r.frames.framesPerSec, 1) : "",
        "commands/s": r.frames ? Math.round(r.frames.commandsPerSec) : "",
        "draws/frame": r.frames && r.framesPerLoop ? round(r.frames.draws / (r.frames.loops * r.framesPerLoop), 1) : "",
        "upload MB/s": r.upload.puts ? round(r.upload.MBps, 1) : "",
        "upload KB/pass": r.upload.puts ? round(r.upload.uploadBytes / r.upload.loops / 1024, 1) : "",
        errors: r.cold.errors.length + (r.frames?.errors.length ?? 0) + r.upload.errors.length,
      })));
  const file = writeResults(
    "renderer-replay",
    { loadBefore: env.loadBefore, chromium },
    `each stream once cold, then its frame records (after the second readback) and its TRANSFER_PUTs (into its resources created afresh) in loops of ${seconds} s, gl.finish() inside the time`,
    rows,
  );
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
