/**
 * Transport benchmark for the GPU worker (run: npx tsx bench/presenter-transport.ts).
 * Page → module worker, full-screen 1024x768x4 frames, three transports:
 *   (a) postMessage with the ArrayBuffer transferred, (b) comlink + Comlink.transfer,
 *   (c) a SharedArrayBuffer ring (4 frame slots, Atomics.waitAsync on both sides).
 * Prints a table and writes bench/results/presenter-transport.json.
 */
import { machineInfo, openBenchPage, writeResult } from "./presenter-common.ts";
import type { TransportResult } from "../test/pages/presenter-transport.ts";

const session = await openBenchPage("/test/pages/presenter-transport.html");
try {
  const { page } = session;
  await page.waitForFunction(() => window.transportBench !== undefined);
  const results: TransportResult[] = await page.evaluate(() => window.transportBench.run());
  console.log("\nPage → GPU worker transport, 1024x768x4 frames (3 MiB)");
  console.table(
    results.map((r) => ({
      transport: r.transport,
      "ping RTT (us)": r.pingUs,
      "frame RTT (us)": r.frameRoundTripUs,
      "frames/s": Math.round(r.framesPerSecond),
      "MB/s": Math.round(r.megabytesPerSecond),
    })),
  );
  const file = writeResult("presenter-transport.json", { ...machineInfo(), frameBytes: 1024 * 768 * 4, results });
  console.log(`wrote ${file}`);
} finally {
  await session.close();
}
