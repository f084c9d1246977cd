/**
 * Guest boot time to the /init marker (WEBVIRGL-INIT-START), in Node and in headless Chromium,
 * plus the guest image sizes. Prints a table and writes bench/results/boot.json.
 *
 *   npx tsx bench/boot.ts [--runs N] [--baseline] [--no-browser]
 *
 * --baseline also boots Node with only `console=ttyS0` to show what the fast cmdline buys.
 * The guest comes from public/guest (or $WEBVIRGL_GUEST_DIR). Timings on a shared 2-core
 * machine are noisy: compare numbers taken in one run.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { createServer, type Plugin } from "vite";
import { buildKernelCmdline } from "../src/emulator/kernel-cmdline.ts";
import { NodeGuest } from "../src/emulator/node-harness.ts";
import { defaultGuestDir, guestManifestPath, hasGuestImages, readGuestImages } from "../src/emulator/node-images.ts";
import { chromiumArgs } from "../playwright.config.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsPath = join(repoRoot, "bench", "results", "boot.json");
const INIT = /WEBVIRGL-INIT-START/;
const TIMEOUT_MS = 180_000;

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 1) || 1;
const withBaseline = args.includes("--baseline");
const withBrowser = !args.includes("--no-browser");

interface BootSample {
  /** Where and how: "node", "node-baseline", "chromium". */
  target: string;
  cmdline: string;
  /** v86 started -> marker, ms. */
  bootMs: number;
  /** Chromium only: page navigation -> images downloaded, ms. */
  downloadMs?: number;
}

async function nodeBoot(target: string, rawCmdline: string): Promise<BootSample> {
  const images = await readGuestImages();
  const guest = await NodeGuest.boot({ images, rawCmdline });
  try {
    await guest.waitForSerial(INIT, TIMEOUT_MS);
    return { target, cmdline: rawCmdline, bootMs: guest.elapsedMs() };
  } finally {
    await guest.stop();
  }
}

/** Serves $WEBVIRGL_GUEST_DIR at /guest/ when the guest is not in public/guest. */
function guestDirPlugin(guestDir: string): Plugin {
  return {
    name: "webvirgl-bench-guest-dir",
    configureServer(server) {
      server.middlewares.use("/guest", (req, res, next) => {
        const name = decodeURIComponent((req.url ?? "/").split("?")[0]!).replace(/^\/+/, "");
        if (name.includes("..")) return next();
        try {
          const path = join(guestDir, name);
          const size = statSync(path).size;
          res.setHeader("Content-Length", size);
          res.setHeader("Content-Type", "application/octet-stream");
          import("node:fs").then(({ createReadStream }) => createReadStream(path).pipe(res), next);
        } catch {
          next();
        }
      });
    },
  };
}

async function chromiumBoot(): Promise<BootSample> {
  const guestDir = defaultGuestDir();
  const server = await createServer({
    root: repoRoot,
    configFile: join(repoRoot, "vite.config.ts"),
    server: { port: 0, strictPort: false, host: "127.0.0.1" },
    plugins: resolve(guestDir) === join(repoRoot, "public", "guest") ? [] : [guestDirPlugin(guestDir)],
    logLevel: "warn",
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  const browser = await chromium.launch({ executablePath: process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium", args: chromiumArgs });
  try {
    if (!url) throw new Error("vite did not report a local URL");
    const page = await browser.newPage();
    const cmdline = buildKernelCmdline("webvirgl.run=sysinfo");
    await page.goto(`${url}?run=sysinfo`);
    await page.waitForFunction(
      () => window.webvirgl?.timings.initMarker != null || window.webvirgl?.phase === "failed",
      null,
      { timeout: TIMEOUT_MS, polling: 100 },
    );
    const state = await page.evaluate(() => ({ error: window.webvirgl!.error, timings: window.webvirgl!.timings }));
    if (state.error) throw new Error(`the page failed: ${state.error}`);
    const { imagesLoaded, emulatorStarted, initMarker } = state.timings;
    return { target: "chromium", cmdline, bootMs: initMarker! - emulatorStarted!, downloadMs: imagesLoaded ?? undefined };
  } finally {
    await browser.close();
    await server.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  mkdirSync(dirname(resultsPath), { recursive: true });
  if (!hasGuestImages()) {
    const reason = `${guestManifestPath()} is missing: run \`bash guest/build.sh\``;
    console.log(`boot benchmark skipped: ${reason}`);
    writeFileSync(resultsPath, JSON.stringify({ skipped: reason, date: new Date().toISOString() }, null, 2));
    return;
  }
  const { manifest } = await readGuestImages();
  const images = [manifest.bzimage, manifest.initrd, manifest.bios, manifest.vgaBios].map((file) => {
    let onDisk: number | null = null;
    try {
      onDisk = statSync(join(defaultGuestDir(), file.name)).size;
    } catch {
      /* listed but absent: reported as null */
    }
    return { name: file.name, manifestBytes: file.size, bytes: onDisk };
  });

  // Boot time is CPU-bound: on a shared machine the load average explains most of the spread.
  const loadBefore = loadavg();
  const samples: BootSample[] = [];
  // Serial, one boot at a time: the machine is shared and boots compete for its two cores.
  for (let i = 0; i < runs; i++) {
    samples.push(await nodeBoot("node", buildKernelCmdline("webvirgl.run=sysinfo")));
    if (withBaseline) samples.push(await nodeBoot("node-baseline", "console=ttyS0 webvirgl.run=sysinfo"));
    if (withBrowser) samples.push(await chromiumBoot());
  }

  const targets = [...new Set(samples.map((s) => s.target))];
  const summary = targets.map((target) => {
    const mine = samples.filter((s) => s.target === target);
    const downloads = mine.flatMap((s) => (s.downloadMs === undefined ? [] : [s.downloadMs]));
    return {
      target,
      runs: mine.length,
      medianBootMs: Math.round(median(mine.map((s) => s.bootMs))),
      minBootMs: Math.round(Math.min(...mine.map((s) => s.bootMs))),
      medianDownloadMs: downloads.length ? Math.round(median(downloads)) : null,
    };
  });

  const loadAfter = loadavg();
  const host = { cpus: cpus().length, loadAverage1mBefore: loadBefore[0], loadAverage1mAfter: loadAfter[0] };
  console.log(`\nguest ${manifest.version ?? "(no version)"}: boot to ${INIT.source}`);
  console.log(`host: ${host.cpus} CPUs, 1-min load average ${loadBefore[0]!.toFixed(1)} before, ${loadAfter[0]!.toFixed(1)} after`);
  console.table(summary.map((s) => ({
    target: s.target,
    runs: s.runs,
    "median s": (s.medianBootMs / 1000).toFixed(2),
    "min s": (s.minBootMs / 1000).toFixed(2),
    "download s": s.medianDownloadMs === null ? "" : (s.medianDownloadMs / 1000).toFixed(2),
  })));
  console.table(images.map((f) => ({ file: f.name, "MB": f.bytes === null ? "missing" : (f.bytes / 1e6).toFixed(2) })));

  writeFileSync(
    resultsPath,
    JSON.stringify({ date: new Date().toISOString(), guestVersion: manifest.version, host, images, summary, samples }, null, 2),
  );
  console.log(`wrote ${resultsPath}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
