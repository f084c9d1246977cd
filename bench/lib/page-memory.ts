/**
 * Page memory: performance.measureUserAgentSpecificMemory() (the page is cross-origin isolated;
 * it counts the window, its dedicated workers — the GPU worker — and WebAssembly/SharedArrayBuffer
 * memory such as v86's guest RAM), plus the main thread's JS heap from CDP Performance.getMetrics
 * as a second opinion. Chromium answers measureUserAgentSpecificMemory only at its next GC unless
 * started with MEASURE_MEMORY_ARGS. And the operating system's view: the proportional set size
 * (PSS, shared pages split between sharers) of each Chromium process, which also holds what the
 * JS heaps do not show (WebAssembly memory pages actually touched, SwiftShader's GL objects in the
 * GPU process).
 */
import { readFileSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import { round } from "./harness.ts";

export const MEASURE_MEMORY_ARGS = ["--enable-blink-features=ForceEagerMeasureMemory"];

const MB = 1e6;

export interface PageMemory {
  crossOriginIsolated: boolean;
  /** measureUserAgentSpecificMemory total, MB (null: unavailable, see `uasmError`). */
  totalMB: number | null;
  /** Its breakdown by scope ("Window", "DedicatedWorkerGlobalScope", "" for shared/unattributed). */
  byScopeMB: Record<string, number>;
  /** Its breakdown by type (JavaScript, DOM, Shared, …). */
  byTypeMB: Record<string, number>;
  uasmError: string | null;
  /** CDP Performance.getMetrics of the page's main thread, MB. */
  mainJsHeapUsedMB: number | null;
  mainJsHeapTotalMB: number | null;
  /** Workers the page had when measured (URLs). */
  workers: string[];
}

interface UasmResult {
  bytes: number;
  breakdown: { bytes: number; attribution: { url?: string; scope?: string }[]; types: string[] }[];
}

export async function measurePageMemory(page: Page): Promise<PageMemory> {
  const fromPage = await page.evaluate(async () => {
    const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<unknown> };
    if (!crossOriginIsolated) return { isolated: false, result: null, error: "the page is not cross-origin isolated" };
    if (!perf.measureUserAgentSpecificMemory) return { isolated: true, result: null, error: "measureUserAgentSpecificMemory is not available" };
    try {
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer in 60 s")), 60_000));
      return { isolated: true, result: await Promise.race([perf.measureUserAgentSpecificMemory(), timeout]), error: null };
    } catch (error) {
      return { isolated: true, result: null, error: error instanceof Error ? error.message : String(error) };
    }
  });
  const memory: PageMemory = {
    crossOriginIsolated: fromPage.isolated,
    totalMB: null,
    byScopeMB: {},
    byTypeMB: {},
    uasmError: fromPage.error,
    mainJsHeapUsedMB: null,
    mainJsHeapTotalMB: null,
    workers: page.workers().map((w) => w.url()),
  };
  const result = fromPage.result as UasmResult | null;
  if (result) {
    memory.totalMB = round(result.bytes / MB, 1);
    for (const entry of result.breakdown) {
      if (entry.bytes === 0) continue;
      const scopes = entry.attribution.length ? entry.attribution.map((a) => a.scope ?? "") : [""];
      // An entry attributed to several scopes (shared memory) is counted under their joined name once.
      const scope = [...new Set(scopes)].join("+") || "unattributed";
      memory.byScopeMB[scope] = round((memory.byScopeMB[scope] ?? 0) + entry.bytes / MB, 1);
      const type = entry.types.join("+") || "untyped";
      memory.byTypeMB[type] = round((memory.byTypeMB[type] ?? 0) + entry.bytes / MB, 1);
    }
  }
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? null;
    const used = metric("JSHeapUsedSize");
    const total = metric("JSHeapTotalSize");
    memory.mainJsHeapUsedMB = used === null ? null : round(used / MB, 1);
    memory.mainJsHeapTotalMB = total === null ? null : round(total / MB, 1);
  } finally {
    await cdp.detach();
  }
  return memory;
}

export interface ProcessMemory {
  /** PSS by Chromium process type (browser, renderer, gpu-process, utility…), MB. */
  byTypeMB: Record<string, number>;
  totalMB: number;
  processes: number;
}

/** Linux /proc/PID/smaps_rollup "Pss:" in bytes, or null when unreadable. */
function pssBytes(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** PSS of the browser's processes (CDP SystemInfo.getProcessInfo lists them with their pids). */
export async function measureProcessMemory(browser: Browser): Promise<ProcessMemory | { error: string }> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send("SystemInfo.getProcessInfo")) as { processInfo: { type: string; id: number }[] };
    const byTypeMB: Record<string, number> = {};
    let total = 0;
    let counted = 0;
    for (const p of processInfo) {
      const bytes = pssBytes(p.id);
      if (bytes === null) continue;
      byTypeMB[p.type] = round((byTypeMB[p.type] ?? 0) + bytes / MB, 1);
      total += bytes;
      counted++;
    }
    if (counted === 0) return { error: "no /proc/PID/smaps_rollup readable for the browser's processes" };
    return { byTypeMB, totalMB: round(total / MB, 1), processes: counted };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await cdp.detach();
  }
}
