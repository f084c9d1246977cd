/**
 * Boot e2e: the page downloads the guest, boots it in v86 in headless Chromium, and its serial
 * console (an xterm.js widget) shows the guest's output and takes keyboard input.
 *
 * Needs public/guest/ (`bash guest/build.sh`); WEBVIRGL_E2E_GUEST_URL points the page at another
 * guest directory (it must send CORS and Cross-Origin-Resource-Policy headers).
 */
import { existsSync } from "node:fs";
import { expect, test, type Page, type TestInfo } from "@playwright/test";

const guestUrl = process.env.WEBVIRGL_E2E_GUEST_URL;
const guestMissing = !guestUrl && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));
// Generous: on a shared 2-core machine under load a boot has taken 90 s (idle: ~10 s).
const BOOT_TIMEOUT_MS = 240_000;

function bootUrl(run: string): string {
  const params = new URLSearchParams({ run });
  if (guestUrl) params.set("guest", guestUrl);
  return `/?${params}`;
}

function forwardPageErrors(page: Page): void {
  page.on("console", (m) => {
    if (m.type() === "error") console.log(`[page error] ${m.text()}`);
  });
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
}

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await testInfo.attach(name, { body: await page.screenshot(), contentType: "image/png" });
}

/** The terminal's visible text (xterm's DOM renderer keeps one div per row). */
function terminalRows(page: Page) {
  return page.locator("#terminal .xterm-rows");
}

test.describe.configure({ mode: "serial" });

test("a missing guest image shows a visible error naming the file and HTTP status", async ({ page }, testInfo) => {
  forwardPageErrors(page);
  await page.goto("/?guest=/nonexistent/");
  const error = page.locator("#error");
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText("/nonexistent/manifest.json");
  // Vite answers a missing file with its index.html fallback (HTTP 200); a static host says 404.
  await expect(error).toContainText(/HTTP (404|200)/);
  await expect(error).toContainText(/not found|404/i);
  expect(await page.evaluate(() => window.webvirgl?.phase)).toBe("failed");
  await attachScreenshot(page, testInfo, "missing-image");
});

test("a page without cross-origin isolation says what is missing", async ({ page }, testInfo) => {
  // Serve the document without COOP/COEP, as a misconfigured host would.
  await page.route((url) => url.pathname === "/", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers["cross-origin-opener-policy"];
    delete headers["cross-origin-embedder-policy"];
    await route.fulfill({ response, headers });
  });
  await page.goto("/?guest=/nonexistent/");
  const error = page.locator("#error");
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText("cross-origin isolation");
  await expect(error).toContainText("Cross-Origin-Embedder-Policy");
  await attachScreenshot(page, testInfo, "not-isolated");
});

test("a v86 WebAssembly module that fails to load is reported", async ({ page }) => {
  // Tiny stand-in images: the page must get as far as loading v86 without a real guest.
  const manifest = { version: "fake", initrd: "initrd.img", files: ["bzImage", "initrd.img", "bios.bin", "vgabios-stdvga.bin"] };
  await page.route((url) => url.pathname.startsWith("/fake-guest/"), (route) => {
    const url = route.request().url();
    if (url.endsWith("manifest.json")) return route.fulfill({ json: manifest });
    return route.fulfill({ body: Buffer.alloc(4096, 1), contentType: "application/octet-stream" });
  });
  // Only the binary fetch, not Vite's `v86.wasm?import&url` JS module that names its URL.
  await page.route((url) => url.pathname.endsWith("/v86.wasm") && !url.search.includes("import"), (route) => route.fulfill({ status: 404, body: "missing" }));
  await page.goto("/?guest=/fake-guest/");
  const error = page.locator("#error");
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText("could not load the v86 WebAssembly module");
  await expect(error).toContainText("HTTP 404");
});

test("boots the guest; the serial terminal shows /init and runs typed commands", async ({ page }, testInfo) => {
  test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh` (or set WEBVIRGL_E2E_GUEST_URL)");
  test.setTimeout(BOOT_TIMEOUT_MS + 60_000);
  forwardPageErrors(page);
  await page.goto(bootUrl("shell"));

  await test.step("downloads the images and starts v86", async () => {
    await page.waitForFunction(() => window.webvirgl?.emulator != null || window.webvirgl?.phase === "failed", null, {
      timeout: 60_000,
    });
    expect(await page.evaluate(() => window.webvirgl?.error ?? null)).toBeNull();
  });

  await test.step("the guest's /init marker appears in the terminal", async () => {
    await expect(terminalRows(page)).toContainText("WEBVIRGL-INIT-START", { timeout: BOOT_TIMEOUT_MS });
    await expect(terminalRows(page)).toContainText("WEBVIRGL-RUN-BEGIN shell", { timeout: 30_000 });
    const timings = await page.evaluate(() => window.webvirgl!.timings);
    testInfo.annotations.push({
      type: "boot",
      description: `init marker ${((timings.initMarker! - timings.emulatorStarted!) / 1000).toFixed(1)} s after v86 started`,
    });
  });

  await test.step("keyboard input in the terminal reaches the guest shell", async () => {
    // Wait for the shell to settle (it prints a prompt), then type as a user would.
    await page.waitForTimeout(1000);
    await page.locator("#terminal .xterm").click();
    await page.keyboard.type("echo webvirgl-$((6*7))-ok");
    await page.keyboard.press("Enter");
    // The typed line echoes "$((6*7))"; only the shell's output contains "webvirgl-42-ok".
    await expect(terminalRows(page)).toContainText("webvirgl-42-ok", { timeout: 30_000 });
    expect(await page.evaluate(() => window.webvirgl!.serialText())).toContain("webvirgl-42-ok");
  });

  await test.step("a dropped IRQ 4 edge does not silence ttyS0 (serial IRQ watchdog)", async () => {
    // Leave the ISA line high as if v86 had swallowed an edge: from now on the UART's own raises
    // are no edges at all, so neither typed input nor output would reach the guest by interrupt.
    const before = await page.evaluate(() => {
      const v86 = window.webvirgl!.emulator!.v86 as unknown as { v86: { cpu: { device_raise_irq(irq: number): void } } };
      v86.v86.cpu.device_raise_irq(4);
      return window.webvirgl!.emulator!.serialIrqWatchdog!.stats.kicks;
    });
    await page.evaluate(() => window.webvirgl!.sendSerial("echo webvirgl-$((7*8))-after-lost-edge\n"));
    await expect.poll(() => page.evaluate(() => window.webvirgl!.serialText()), { timeout: 60_000 }).toContain("webvirgl-56-after-lost-edge");
    const after = await page.evaluate(() => window.webvirgl!.emulator!.serialIrqWatchdog!.stats.kicks);
    expect(after).toBeGreaterThan(before);
  });

  await attachScreenshot(page, testInfo, "booted");
});
