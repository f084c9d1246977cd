/**
 * The product page with no query and no clicks: it boots kmscube through virgl and the cube is on
 * screen; the stats overlay reports frames and virgl draws and the guest's GL renderer; the
 * screenshot button downloads a PNG showing the cube; the demo picker switches to glinfo (its
 * output on the serial console); Reset boots the PC again. One page, three boots (slow on
 * SwiftShader: keep it one test).
 *
 * Needs public/guest/ (`bash guest/build.sh`) or WEBVIRGL_E2E_GUEST_URL.
 */
import { existsSync, readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";

const guestUrl = process.env.WEBVIRGL_E2E_GUEST_URL;
const guestMissing = !guestUrl && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));
const BOOT_TIMEOUT_MS = 240_000;

const serial = (page: Page) => page.evaluate(() => window.webvirgl?.serialText() ?? "");

/** Fraction of saturated (cube-coloured) pixels in a box at the centre of an RGBA image, and grey corners. */
function centreOf(pixels: ArrayLike<number>, width: number, height: number): { centreSaturated: number; cornerGrey: number } {
  const at = (x: number, y: number) => {
    const i = 4 * (y * width + x);
    return [pixels[i], pixels[i + 1], pixels[i + 2]];
  };
  const box = Math.floor(Math.min(width, height) / 10);
  let saturated = 0;
  let n = 0;
  for (let dy = -box; dy < box; dy += 2) {
    for (let dx = -box; dx < box; dx += 2) {
      const [r, g, b] = at(Math.floor(width / 2) + dx, Math.floor(height / 2) + dy);
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) saturated++;
      n++;
    }
  }
  let cornerGrey = 0;
  for (const [x, y] of [[4, 4], [width - 5, 4], [4, height - 5], [width - 5, height - 5]]) {
    const [r, g, b] = at(x, y);
    if (Math.max(r, g, b) - Math.min(r, g, b) < 16) cornerGrey++;
  }
  return { centreSaturated: saturated / n, cornerGrey };
}

test("the default page runs kmscube through virgl with no clicks; screenshot, demo switch and reset work", async ({ page }, testInfo) => {
  test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh`");
  test.setTimeout(3 * BOOT_TIMEOUT_MS + 240_000);
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || /virgl renderer unavailable/.test(m.text())) console.log(`[console] ${m.text()}`);
  });
  await page.goto(guestUrl ? `/?guest=${encodeURIComponent(guestUrl)}` : "/");

  await test.step("kmscube renders through virgl without interaction", async () => {
    await expect.poll(() => page.evaluate(() => window.webvirgl?.machine?.demo.name ?? null), { timeout: 30_000 }).toBe("kmscube");
    await expect.poll(() => serial(page), { timeout: BOOT_TIMEOUT_MS, intervals: [2000] }).toContain("WEBVIRGL-RUN-BEGIN kmscube");
    // virgl must be on: the device offers 3D and the guest's Mesa picked the virgl driver.
    const virgl = await page.evaluate(() => ({ module: window.webvirgl!.virgl != null, offered: window.webvirgl!.machine!.stats.virgl }));
    expect(virgl, "the page's device has no virgl module: the worker's renderer did not start (see [console] lines)").toEqual({ module: true, offered: true });
    await expect.poll(() => serial(page), { timeout: 180_000, intervals: [2000] }).toMatch(/Rendered [1-9]\d* frames/);
    await expect(page.locator("canvas.gpu-display")).toBeVisible();
    const screen = await page.evaluate(async () => {
      const { pixels, width, height } = await window.webvirgl!.gpuClient!.readPixels();
      return { pixels: Array.from(pixels), width, height };
    });
    const centre = centreOf(screen.pixels, screen.width, screen.height);
    testInfo.annotations.push({ type: "kmscube", description: JSON.stringify(centre) });
    expect(centre.centreSaturated, "the centre of the virtio-gpu screen should show the cube").toBeGreaterThan(0.3);
    expect(centre.cornerGrey).toBe(4);
  });

  await test.step("stats overlay: fps, virgl commands and draws, guest GL renderer", async () => {
    await expect.poll(() => page.evaluate(() => window.webvirgl!.machine!.stats.totals.draws), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(page.locator("#stats")).toContainText("fps");
    await expect(page.locator("#stats")).toContainText(/cmd\/s/);
    await expect(page.locator("#stats")).toContainText(/guest GL: virgl/, { timeout: 30_000 });
    const stats = await page.evaluate(() => window.webvirgl!.machine!.stats);
    console.log(JSON.stringify({ ...stats, frameTimesMs: stats.frameTimesMs.length }));
    expect(stats.totals.frames).toBeGreaterThan(0);
    expect(stats.totals.virglCommands).toBeGreaterThan(stats.totals.draws);
  });

  await test.step("the screenshot button downloads a PNG of the cube", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#screenshot").click()]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const png = readFileSync((await download.path())!);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const decoded = await page.evaluate(async (bytes) => {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: "image/png" }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(bitmap, 0, 0);
      return { pixels: Array.from(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data), width: bitmap.width, height: bitmap.height };
    }, [...png]);
    const centre = centreOf(decoded.pixels, decoded.width, decoded.height);
    expect(centre.centreSaturated, "the PNG's centre should show the cube, not the grey background").toBeGreaterThan(0.3);
    await testInfo.attach("page-kmscube", { body: await page.screenshot(), contentType: "image/png" });
  });

  await test.step("the demo picker switches to glinfo: its output appears on the serial console", async () => {
    await page.locator("#demo-select").selectOption("glinfo");
    await expect.poll(() => page.evaluate(() => window.webvirgl!.machine!.bootCount), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => serial(page), { timeout: BOOT_TIMEOUT_MS + 200_000, intervals: [2000] }).toMatch(/WEBVIRGL-RUN-END glinfo status=\d+/);
    const text = await serial(page);
    expect(text).not.toContain("WEBVIRGL-RUN-BEGIN kmscube");
    expect(text).toMatch(/glinfo: api=gles2 .*renderer=virgl/);
    await expect(page.locator("#terminal .xterm-rows")).toContainText("glinfo: summary");
  });

  await test.step("Reset boots the PC again", async () => {
    await page.locator("#machine-reset").click();
    await expect.poll(() => page.evaluate(() => window.webvirgl!.machine!.bootCount), { timeout: 60_000 }).toBe(3);
    await expect.poll(() => serial(page), { timeout: BOOT_TIMEOUT_MS, intervals: [2000] }).toContain("WEBVIRGL-INIT-START");
    await expect.poll(() => serial(page), { timeout: 60_000, intervals: [2000] }).toContain("WEBVIRGL-RUN-BEGIN glinfo");
    expect(await page.evaluate(() => window.webvirgl!.phase)).toBe("running");
    expect(await page.evaluate(() => window.webvirgl!.error)).toBeNull();
  });
});

test("bad page parameters show a visible error", async ({ page }) => {
  await page.goto("/?demo=nope");
  await expect(page.locator("#error")).toBeVisible({ timeout: 30_000 });
  await expect(page.locator("#error")).toContainText("?demo=nope is not one of");
  await page.goto("/?memory=abc");
  await expect(page.locator("#error")).toBeVisible({ timeout: 30_000 });
  await expect(page.locator("#error")).toContainText("?memory=abc");
});
