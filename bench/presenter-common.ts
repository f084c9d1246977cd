/**
 * Shared plumbing for the presenter benchmarks: a Vite dev server on a free port (the repo's
 * vite.config.ts supplies COOP/COEP) and Debian's headless Chromium driven by Playwright.
 */
import { createServer as createNetServer } from "node:net";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "@playwright/test";
import { createServer, type ViteDevServer } from "vite";
import { chromiumArgs } from "../playwright.config.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface BenchSession {
  page: Page;
  close(): Promise<void>;
}

export async function openBenchPage(path: string): Promise<BenchSession> {
  const port = await freePort();
  const server: ViteDevServer = await createServer({
    root: repoRoot,
    logLevel: "warn",
    server: { port, strictPort: true, host: "127.0.0.1" },
  });
  await server.listen();
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium",
      args: chromiumArgs,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (m) => {
      if (m.type() === "error") console.error(`[page] ${m.text()}`);
    });
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}${path}`);
    const b = browser;
    return {
      page,
      async close() {
        await b.close();
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}

export function writeResult(name: string, data: unknown): string {
  const file = resolve(repoRoot, "bench", "results", name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

export function machineInfo(): Record<string, string | number> {
  // The machine is shared (Mesa builds, other engineers): record how loaded it was.
  return { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg1m: Number(loadavg()[0].toFixed(2)) };
}
