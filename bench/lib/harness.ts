/**
 * Plumbing for the in-browser benchmarks: a Vite dev server on a free port (vite.config.ts adds
 * COOP/COEP, so pages are cross-origin isolated), Debian's headless Chromium via Playwright, and
 * the result envelope every benchmark writes (date, host CPUs, load averages before and after).
 * Lives in bench/lib/ so scripts/bench.sh does not run it as a benchmark.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import { createServer, type ViteDevServer } from "vite";
import { chromiumArgs } from "../../playwright.config.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const resultsDir = join(repoRoot, "bench", "results");

/** Load averages (1, 5, 15 min) rounded to 0.01: the machine is shared, every number carries them. */
export type LoadAverages = [number, number, number];

export function loadAverages(): LoadAverages {
  const [a, b, c] = loadavg();
  return [a, b, c].map((x) => Number((x ?? 0).toFixed(2))) as LoadAverages;
}

export interface HostInfo {
  cpus: number;
  node: string;
  chromium: string | null;
  loadBefore: LoadAverages;
  loadAfter: LoadAverages;
}

export interface ResultEnvelope<T> {
  /** ISO date of the end of the run. */
  date: string;
  host: HostInfo;
  /** What was measured, how (one sentence). */
  method: string;
  results: T;
}

export interface BenchEnvironment {
  url: string;
  browser: Browser;
  loadBefore: LoadAverages;
  close(): Promise<void>;
}

/**
 * Starts Vite and Chromium. `extraArgs` are added to the e2e Chromium flags (e.g. to make
 * performance.measureUserAgentSpecificMemory() answer without waiting for a GC).
 */
export async function startBenchEnvironment(extraArgs: string[] = []): Promise<BenchEnvironment> {
  const loadBefore = loadAverages();
  const server: ViteDevServer = await createServer({
    root: repoRoot,
    configFile: join(repoRoot, "vite.config.ts"),
    // No HMR and no file watching: other engineers edit src/ while a run is going, and a hot
    // update would re-run (or reload) modules of the machine under measurement.
    server: { port: 0, strictPort: false, host: "127.0.0.1", hmr: false, watch: null },
    logLevel: "warn",
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) {
    await server.close();
    throw new Error("vite did not report a local URL");
  }
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium", args: [...chromiumArgs, ...extraArgs] });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    url: url.replace(/\/$/, ""),
    browser,
    loadBefore,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Writes bench/results/<name>.json with the envelope; returns the path. */
export function writeResults<T>(name: string, env: { loadBefore: LoadAverages; chromium: string | null }, method: string, results: T): string {
  const envelope: ResultEnvelope<T> = {
    date: new Date().toISOString(),
    host: { cpus: cpus().length, node: process.version, chromium: env.chromium, loadBefore: env.loadBefore, loadAfter: loadAverages() },
    method,
    results,
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(envelope, null, 2)}\n`);
  return file;
}

/** First line of an error, for tables and JSON. */
export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `--name VALUE` from the command line, or `fallback`. */
export function cliOption(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
