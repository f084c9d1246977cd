/**
 * The webvirgl page (index.html, `window.webvirgl`) driven for a benchmark: open it with query
 * parameters, wait for serial output, fail early when the page reports an error.
 */
import type { Browser, BrowserContext, Page } from "@playwright/test";

export const BOOT_TIMEOUT_MS = 400_000;

/**
 * tsx compiles with esbuild's keepNames, which wraps named functions inside the callbacks we pass
 * to page.evaluate in `__name(...)`; the page has no such helper unless we give it one.
 */
export const KEEP_NAMES_SHIM = "globalThis.__name = (fn) => fn;";

export interface GuestPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far (for failure reports). */
  pageErrors: string[];
  close(): Promise<void>;
}

/** A browser context (its own storage: IndexedDB snapshots persist within it) for guest pages. */
export async function newGuestContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: KEEP_NAMES_SHIM });
  return context;
}

/** Opens the page in `shared` (closing the page only) or in a context of its own (closed with it). */
export async function openGuestPage(browser: Browser, url: string, params: Record<string, string>, shared?: BrowserContext): Promise<GuestPage> {
  const context = shared ?? (await newGuestContext(browser));
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  await page.goto(`${url}/?${new URLSearchParams(params)}`);
  return { context, page, pageErrors, close: () => (shared ? page.close() : context.close()) };
}

/** Waits until the serial log matches `pattern` (a RegExp source) or the page failed; throws on failure. */
export async function waitForSerial(gp: GuestPage, pattern: string, timeoutMs = BOOT_TIMEOUT_MS): Promise<void> {
  await gp.page.waitForFunction(
    (source) => new RegExp(source).test(window.webvirgl?.serialText() ?? "") || window.webvirgl?.phase === "failed",
    pattern,
    { timeout: timeoutMs, polling: 250 },
  );
  const error = await gp.page.evaluate(() => window.webvirgl?.error ?? null);
  if (error) throw new Error(`the page failed: ${error}`);
}

/** Waits for the GPU worker client (the machine exists); throws if the page failed first. */
export async function waitForGpuClient(gp: GuestPage, timeoutMs = BOOT_TIMEOUT_MS): Promise<void> {
  await gp.page.waitForFunction(() => window.webvirgl?.gpuClient != null || window.webvirgl?.phase === "failed", null, {
    timeout: timeoutMs,
    polling: 50,
  });
  const error = await gp.page.evaluate(() => window.webvirgl?.error ?? null);
  if (error) throw new Error(`the page failed: ${error}`);
}

export const serialText = (gp: GuestPage): Promise<string> => gp.page.evaluate(() => window.webvirgl?.serialText() ?? "");

/** An error message with the first page errors appended. */
export function withPageErrors(message: string, gp: GuestPage | null): string {
  const errors = gp?.pageErrors ?? [];
  return errors.length ? `${message} (page: ${errors.slice(0, 3).join(" | ")})` : message;
}
