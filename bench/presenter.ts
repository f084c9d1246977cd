/**
 * Presenter benchmark (run: npx tsx bench/presenter.ts): headless Chromium on SwiftShader,
 * the real GPU worker and client, 1024x768 B8G8R8X8 scanout (what the Linux driver uses).
 *   latency     writeRect + flush → `presented` ack on the page (and the worker's own
 *               flush-received → frame-submitted time), full-screen and a 1024x16 text line
 *   throughput  full-screen writeRect + flush as fast as the page can (at most 8 flushes
 *               unpresented, like a device completing RESOURCE_FLUSH on present): flushes/s
 *               accepted, frames/s presented, MB/s uploaded, worker CPU per frame
 *   cursor      moveCursor every page frame: frames/s with no upload at all
 * Prints a table and writes bench/results/presenter.json.
 */
import { machineInfo, openBenchPage, writeResult } from "./presenter-common.ts";

import type { PresenterBenchResults } from "../test/pages/presenter-bench.ts";

// WEBVIRGL_BENCH_SIZE=640x480 to try another scanout size.
const [W, H] = (process.env.WEBVIRGL_BENCH_SIZE ?? "1024x768").split("x").map(Number);
const session = await openBenchPage("/test/pages/presenter.html");
try {
  const { page } = session;
  const runs: PresenterBenchResults[] = [];
  for (const mode of ["composite", "damage", "readback"]) {
    await page.goto(new URL(`/test/pages/presenter-bench.html?present=${mode}`, page.url()).href);
    await page.waitForFunction(() => window.presenterBench !== undefined);
    runs.push(await page.evaluate(([w, h]) => window.presenterBench.run(w, h), [W, H] as const));
  }
  const f = (x: number, d = 1) => x.toFixed(d);
  const col = (pick: (r: PresenterBenchResults) => string) => Object.fromEntries(runs.map((r) => [r.presentMode, pick(r)]));
  const thr = (name: string, t: (r: PresenterBenchResults) => PresenterBenchResults["throughputPooled"]) => ({
    [`${name}: writeRect+flush/s`]: col((r) => f(t(r).flushesPerSecond)),
    [`${name}: frames/s`]: col((r) => f(t(r).framesPerSecond)),
    [`${name}: upload MB/s`]: col((r) => f(t(r).uploadMBps)),
    [`${name}: writes coalesced`]: col((r) => String(t(r).writesCoalesced)),
    [`${name}: worker GL CPU/frame ms`]: col((r) => f(t(r).frameCpuMs, 2)),
    [`${name}: commit ms (avg)`]: col((r) => f(t(r).commitMs)),
  });
  console.log(`\nPresenter, ${W}x${H} B8G8R8X8, renderer: ${runs[0].renderer}`);
  console.table({
    "ping RTT us": col((r) => String(r.pingUs)),
    "full-screen flush latency, page RTT median ms": col((r) => f(r.latencyFull.rttMedianMs)),
    "full-screen flush latency, page RTT p95 ms": col((r) => f(r.latencyFull.rttP95Ms)),
    "full-screen flush sent→frame median ms": col((r) => f(r.latencyFull.workerMedianMs)),
    "1024x16 line flush latency, page RTT median ms": col((r) => f(r.latencyLine.rttMedianMs)),
    "1024x16 line flush latency, page RTT p95 ms": col((r) => f(r.latencyLine.rttP95Ms)),
    ...thr("full screen, pooled", (r) => r.throughputPooled),
    ...thr("full screen, fresh buffers", (r) => r.throughputFresh),
    ...thr("1024x16 line", (r) => r.throughputLine),
    "cursor moves only: frames/s": col((r) => f(r.cursorFps)),
    "cursor moves only: commit ms (avg)": col((r) => f(r.cursorCommitMs)),
  });
  const file = writeResult("presenter.json", { ...machineInfo(), width: W, height: H, runs });
  console.log(`wrote ${file}`);
} finally {
  await session.close();
}
