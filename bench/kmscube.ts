/**
 * kmscube frame rate in the real guest at 1024x768, on the 2D path (`?virgl=0`: the guest renders
 * with softpipe into dumb buffers, the device copies them to the worker) and through virgl (Mesa's
 * virgl driver, the worker's WebGL2 renderer), in one run, plus their ratio. Headless Chromium
 * (Debian's, SwiftShader WebGL2) against a vite server started here.
 *
 *   npx tsx bench/kmscube.ts [--warmup S] [--window S] [--only 2d|virgl]
 *
 * The frame rate is measured on the page: frames the GPU worker presented (`gpuClient.onPresented`,
 * one per guest flush that changed the screen) over a fixed window after a warm-up. The same events
 * carry the flush-to-screen latency (page sends the flush → worker submits the frame). kmscube's
 * own "Rendered N frames in T sec (F fps)" lines, if it prints any in the window, are reported too.
 * Prints a table and writes bench/results/kmscube.json. A path that does not render is reported with
 * its error, not a number.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "@playwright/test";
import { hasGuestImages, guestManifestPath } from "../src/emulator/node-images.ts";
import { cliOption as option, startBenchEnvironment } from "./lib/harness.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsPath = join(repoRoot, "bench", "results", "kmscube.json");
const BOOT_TIMEOUT_MS = 400_000;

const warmupS = Number(option("warmup", "10"));
const windowS = Number(option("window", "20"));
const only = option("only", "");

interface PathSpec {
  name: "2d" | "virgl";
  what: string;
  params: Record<string, string>;
}

const PATHS: PathSpec[] = [
  { name: "2d", what: "softpipe in the guest, dumb buffers (?virgl=0)", params: { virgl: "0" } },
  { name: "virgl", what: "Mesa virgl → WebGL2 renderer in the GPU worker", params: {} },
];

interface PathResult {
  path: string;
  what: string;
  ok: boolean;
  error: string | null;
  /** Navigation → kmscube's first "Rendered N frames" report, s. */
  firstFrameS: number | null;
  width: number | null;
  height: number | null;
  windowS: number;
  framesPresented: number | null;
  fps: number | null;
  latencyMs: { median: number; p95: number; max: number; samples: number } | null;
  /** kmscube's own reports seen during the window. */
  kmscubeReports: string[];
  /** virgl only: renderer errors (worker stats) at the end of the window. */
  virglErrors: number | null;
  gpuCommandErrors: number | null;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function measure(browser: Browser, url: string, spec: PathSpec): Promise<PathResult> {
  const result: PathResult = {
    path: spec.name, what: spec.what, ok: false, error: null, firstFrameS: null, width: null, height: null,
    windowS, framesPresented: null, fps: null, latencyMs: null, kmscubeReports: [], virglErrors: null, gpuCommandErrors: null,
  };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" || /virgl.*error|renderer error/i.test(m.text())) pageErrors.push(m.text());
  });
  try {
    const params = new URLSearchParams({ run: "kmscube", display: "1024x768", ...spec.params });
    const t0 = Date.now();
    await page.goto(`${url}?${params}`);
    // Count presents from the moment the GPU client exists.
    await page.waitForFunction(() => window.webvirgl?.gpuClient != null || window.webvirgl?.phase === "failed", null, { timeout: BOOT_TIMEOUT_MS, polling: 200 });
    await page.evaluate(() => {
      const w = window as unknown as { benchPresents: { t: number; latencyMs: number }[] };
      w.benchPresents = [];
      window.webvirgl!.gpuClient!.onPresented((p) => w.benchPresents.push({ t: performance.now(), latencyMs: p.latencyMs }));
    });
    await page.waitForFunction(
      () => (window.webvirgl?.serialText() ?? "").includes("WEBVIRGL-RUN-BEGIN kmscube") || window.webvirgl?.phase === "failed",
      null,
      { timeout: BOOT_TIMEOUT_MS, polling: 500 },
    );
    const failed = await page.evaluate(() => window.webvirgl!.error);
    if (failed) throw new Error(`the page failed: ${failed}`);
    // kmscube is running: it prints "Rendered N frames" every few seconds (fbcon's markers also
    // flush the screen after RUN-BEGIN, so a present alone does not prove kmscube drew).
    await page.waitForFunction(
      () => /Rendered [1-9]\d* frames|WEBVIRGL-RUN-END kmscube/.test(window.webvirgl!.serialText()),
      null,
      { timeout: 300_000, polling: 500 },
    );
    const ended = await page.evaluate(() => /WEBVIRGL-RUN-END kmscube status=\d+/.exec(window.webvirgl!.serialText())?.[0] ?? null);
    if (ended) throw new Error(`kmscube exited: ${ended}`);
    result.firstFrameS = (Date.now() - t0) / 1000;
    await page.waitForTimeout(warmupS * 1000);

    const serialStart = await page.evaluate(() => window.webvirgl!.serialText().length);
    const start = await page.evaluate(() => performance.now());
    await page.waitForTimeout(windowS * 1000);
    const end = await page.evaluate(() => performance.now());
    const sample = await page.evaluate(
      async ([from, to, serialFrom]) => {
        const w = window as unknown as { benchPresents: { t: number; latencyMs: number }[] };
        const inWindow = w.benchPresents.filter((p) => p.t >= from && p.t < to);
        const readback = await window.webvirgl!.gpuClient!.readPixels();
        let virglErrors: number | null = null;
        const virgl = window.webvirgl!.virgl;
        if (virgl) {
          const client = window.webvirgl!.gpuClient!;
          const id = 0x7ffe0000 + Math.floor(Math.random() * 0xffff);
          virglErrors = await new Promise<number>((done) => {
            const off = client.onVirglMessage((m) => {
              if (m.type === "virglStats" && m.id === id) {
                off();
                done((m.stats as unknown as { errors: number }).errors);
              }
            });
            client.sendVirgl({ type: "virglStats", id });
            setTimeout(() => done(NaN), 10_000);
          });
        }
        return {
          frames: inWindow.length,
          latencies: inWindow.map((p) => p.latencyMs),
          width: readback.width,
          height: readback.height,
          serial: window.webvirgl!.serialText().slice(serialFrom),
          virglErrors,
          commandErrors: window.webvirgl!.gpu!.stats.commands.errors,
        };
      },
      [start, end, serialStart] as const,
    );
    const seconds = (end - start) / 1000;
    const latencies = [...sample.latencies].sort((a, b) => a - b);
    result.width = sample.width;
    result.height = sample.height;
    result.windowS = Number(seconds.toFixed(2));
    result.framesPresented = sample.frames;
    result.fps = Number((sample.frames / seconds).toFixed(2));
    result.latencyMs = latencies.length
      ? { median: Number(percentile(latencies, 0.5).toFixed(2)), p95: Number(percentile(latencies, 0.95).toFixed(2)), max: Number(latencies.at(-1)!.toFixed(2)), samples: latencies.length }
      : null;
    result.kmscubeReports = sample.serial.split(/\r?\n/).filter((l) => /Rendered \d+ frames/.test(l));
    result.virglErrors = sample.virglErrors;
    result.gpuCommandErrors = sample.commandErrors;
    result.ok = sample.frames > 0;
    if (!result.ok) result.error = "no frames presented during the window";
  } catch (error) {
    result.error = `${error instanceof Error ? error.message.split("\n")[0] : String(error)}${pageErrors.length ? ` (page: ${pageErrors.slice(0, 3).join(" | ")})` : ""}`;
  } finally {
    await context.close();
  }
  return result;
}

async function main(): Promise<void> {
  mkdirSync(dirname(resultsPath), { recursive: true });
  if (!hasGuestImages()) {
    const reason = `${guestManifestPath()} is missing: run \`bash guest/build.sh\``;
    console.log(`kmscube benchmark skipped: ${reason}`);
    writeFileSync(resultsPath, JSON.stringify({ skipped: reason, date: new Date().toISOString() }, null, 2));
    return;
  }
  const env = await startBenchEnvironment();
  const loadBefore = env.loadBefore[0];
  const results: PathResult[] = [];
  try {
    // One machine at a time: the two cores are shared and both paths are CPU-bound.
    for (const spec of PATHS.filter((p) => !only || p.name === only)) {
      console.log(`kmscube on the ${spec.name} path: booting…`);
      const r = await measure(env.browser, `${env.url}/`, spec);
      console.log(r.ok ? `  ${r.fps} fps over ${r.windowS} s` : `  failed: ${r.error}`);
      results.push(r);
    }
  } finally {
    await env.close();
  }
  const loadAfter = loadavg()[0]!;
  const byName = new Map(results.map((r) => [r.path, r]));
  const fps2d = byName.get("2d")?.fps ?? null;
  const fpsVirgl = byName.get("virgl")?.fps ?? null;
  const ratio = fps2d && fpsVirgl ? Number((fpsVirgl / fps2d).toFixed(2)) : null;

  console.log(`\nkmscube at 1024x768, warm-up ${warmupS} s, window ${windowS} s; host ${cpus().length} CPUs, load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`);
  console.table(results.map((r) => ({
    path: r.path,
    size: r.width ? `${r.width}x${r.height}` : "",
    "first frame s": r.firstFrameS?.toFixed(1) ?? "",
    frames: r.framesPresented ?? "",
    fps: r.fps ?? "",
    "latency median ms": r.latencyMs?.median ?? "",
    "latency p95 ms": r.latencyMs?.p95 ?? "",
    "kmscube says": r.kmscubeReports.at(-1)?.trim() ?? "",
    error: r.error ?? "",
  })));
  console.log(`virgl / 2d fps ratio: ${ratio ?? "n/a"}`);
  writeFileSync(
    resultsPath,
    JSON.stringify({ date: new Date().toISOString(), host: { cpus: cpus().length, loadAverage1mBefore: loadBefore, loadAverage1mAfter: loadAfter }, warmupS, windowS, results, ratioVirglOver2d: ratio }, null, 2),
  );
  console.log(`wrote ${resultsPath}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
