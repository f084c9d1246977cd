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
const session = await openBenchPage("/test/pages/presenter-bench.html");
try {
  const { page } = session;
  await page.waitForFunction(() => window.presenterBench !== undefined);
  const res: PresenterBenchResults = await page.evaluate(([w, h]) => window.presenterBench.run(w, h), [W, H] as const);

  const f = (x: number, d = 1) => x.toFixed(d);
  console.log(`\nPresenter, ${W}x${H} B8G8R8X8, renderer: ${res.renderer}`);
  console.log(`client ↔ worker ping: ${res.pingUs} us (median)`);
  console.table({
    "flush latency, full screen": {
      "page RTT median (ms)": f(res.latencyFull.rttMedianMs),
      "page RTT p95 (ms)": f(res.latencyFull.rttP95Ms),
      "flush sent→frame median (ms)": f(res.latencyFull.workerMedianMs),
    },
    "flush latency, 1024x16 line": {
      "page RTT median (ms)": f(res.latencyLine.rttMedianMs),
      "page RTT p95 (ms)": f(res.latencyLine.rttP95Ms),
      "flush sent→frame median (ms)": f(res.latencyLine.workerMedianMs),
    },
  });
  console.table({
    "full-screen writes, pooled buffers": {
      "writeRect+flush/s": f(res.throughputPooled.flushesPerSecond),
      "frames/s": f(res.throughputPooled.framesPerSecond),
      "upload MB/s": f(res.throughputPooled.uploadMBps),
      coalesced: res.throughputPooled.writesCoalesced,
      "worker CPU/frame (ms)": f(res.throughputPooled.frameCpuMs, 2),
      "commit (ms)": f(res.throughputPooled.commitMs),
    },
    "full-screen writes, fresh buffers": {
      "writeRect+flush/s": f(res.throughputFresh.flushesPerSecond),
      "frames/s": f(res.throughputFresh.framesPerSecond),
      "upload MB/s": f(res.throughputFresh.uploadMBps),
      coalesced: res.throughputFresh.writesCoalesced,
      "worker CPU/frame (ms)": f(res.throughputFresh.frameCpuMs, 2),
      "commit (ms)": f(res.throughputFresh.commitMs),
    },
    "cursor moves only": {
      "writeRect+flush/s": "-",
      "frames/s": f(res.cursorFps),
      "upload MB/s": "0",
      coalesced: 0,
      "worker CPU/frame (ms)": f(res.cursorFrameCpuMs, 2),
      "commit (ms)": f(res.cursorCommitMs),
    },
  });
  const file = writeResult("presenter.json", { ...machineInfo(), ...res });
  console.log(`wrote ${file}`);
} finally {
  await session.close();
}
