// Runs the bridge page in headless Chromium: a WebSocket server for BridgePort, the Vite dev
// server (serving src/vtest/bridge/bridge.html from the repository), and Debian's chromium
// driven by Playwright. Returns a ready RendererPort.

import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { createServer as createViteServer, type ViteDevServer } from "vite";
import { BridgePort } from "./bridge-port.ts";
import { startWsServer, type WsServer } from "./ws-server.ts";

export const CHROMIUM_PATH = process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--enable-unsafe-swiftshader",
  "--ignore-gpu-blocklist",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
];

export interface ChromiumBridge {
  port: BridgePort;
  /** URL the page was opened with. */
  pageUrl: string;
  /** What the page reported (WebGL renderer...). */
  description: string;
  close(): Promise<void>;
}

export interface ChromiumBridgeOptions {
  capset1: Uint8Array;
  capset2: Uint8Array;
  /** Open no browser: print the URL and wait for any browser to connect. */
  external?: boolean;
  /** The page's port: the WebGL2 renderer (default) or the in-memory recording port. */
  pagePort?: "webgl" | "recording";
  log?: (line: string) => void;
}

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export async function startChromiumBridge(opts: ChromiumBridgeOptions): Promise<ChromiumBridge> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`webvirgl-vtest: ${l}\n`));
  let ws: WsServer | null = null;
  let vite: ViteDevServer | null = null;
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => {});
    await vite?.close().catch(() => {});
    await ws?.close().catch(() => {});
  };
  try {
    ws = await startWsServer();
    const port = new BridgePort(ws, { capset1: opts.capset1, capset2: opts.capset2 });
    // Vite's dev server installs a SIGTERM (and stdin "end") handler that exits the process
    // with 143 as soon as Vite is closed; the vtest CLI shuts down in its own order, so drop it.
    const sigtermBefore = new Set(process.listeners("SIGTERM"));
    const stdinEndBefore = new Set(process.stdin.listeners("end"));
    vite = await createViteServer({
      root: REPO_ROOT,
      logLevel: "error",
      clearScreen: false,
      server: { host: "127.0.0.1", port: 5290, strictPort: false, hmr: false },
    });
    for (const l of process.listeners("SIGTERM")) if (!sigtermBefore.has(l)) process.off("SIGTERM", l);
    for (const l of process.stdin.listeners("end")) if (!stdinEndBefore.has(l)) process.stdin.off("end", l as () => void);
    await vite.listen();
    const base = vite.resolvedUrls?.local[0] ?? "http://127.0.0.1:5290/";
    const pageUrl = `${base}src/vtest/bridge/bridge.html?ws=${encodeURIComponent(ws.url)}&port=${opts.pagePort ?? "webgl"}`;
    if (opts.external) {
      log(`bridge: open ${pageUrl} in a browser`);
    } else {
      // Our CLI shuts down on SIGINT/SIGTERM itself (server, then this bridge); Playwright's own
      // handlers would kill the browser first and exit with 143 under the server's feet.
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        headless: true,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      const page = await browser.newPage();
      page.on("console", (m) => {
        // ANGLE's performance notes ("GPU stall due to ReadPixels") are noise for every readback, and
        // the port's loseContext() on client teardown makes Chromium warn each time.
        const noise = m.text().includes("GL Driver Message") || m.text().includes("loseContext: context lost");
        if ((m.type() === "error" || m.type() === "warning") && !noise) log(`bridge page: ${m.text()}`);
      });
      page.on("pageerror", (e) => log(`bridge page error: ${e.message}`));
      await page.goto(pageUrl);
    }
    await port.ready();
    log(`bridge: ${port.pageDescription}`);
    return { port, pageUrl, description: port.pageDescription, close };
  } catch (err) {
    await close();
    throw new Error(`chromium bridge: ${(err as Error).message}`);
  }
}
