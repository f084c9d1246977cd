/**
 * The whole machine in the page: the guest boots with `webvirgl.run=kmscube`, Mesa in the guest
 * draws the cube, the virtio-gpu device hands the frames to the GPU worker, and the page's
 * screen pane switches to the virtio-gpu display and shows a coloured cube.
 *
 * Needs public/guest/ (`bash guest/build.sh`) or WEBVIRGL_E2E_GUEST_URL.
 */
import { existsSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { deviceStateLine } from "./guest-screen.ts";

const guestUrl = process.env.WEBVIRGL_E2E_GUEST_URL;
const guestMissing = !guestUrl && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));
// Generous: on a shared 2-core machine under load a boot has taken 90 s (idle: ~10 s).
const BOOT_TIMEOUT_MS = 240_000;

test("kmscube in the guest shows a coloured cube on the page's virtio-gpu display", async ({ page }, testInfo) => {
  test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh` (or set WEBVIRGL_E2E_GUEST_URL)");
  test.setTimeout(BOOT_TIMEOUT_MS + 180_000);
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  const params = new URLSearchParams({ run: "kmscube" });
  if (guestUrl) params.set("guest", guestUrl);
  await page.goto(`/?${params}`);

  try {
    await expect(page.locator("#terminal .xterm-rows")).toContainText("WEBVIRGL-RUN-BEGIN kmscube", {
      timeout: BOOT_TIMEOUT_MS,
    });
  } catch (error) {
    // A boot that stopped: say whether the guest CPU still runs and what the device has in flight.
    console.log(`[device state] ${await deviceStateLine(page)}`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    console.log(`[device state +5 s] ${await deviceStateLine(page)}`);
    throw error;
  }
  // The guest sets a scanout: the pane follows it from VGA to the virtio-gpu canvas.
  await expect(page.locator("canvas.gpu-display")).toBeVisible({ timeout: 120_000 });
  // kmscube prints a line every couple of frames; wait for the first few frames.
  await expect(page.locator("#terminal .xterm-rows")).toContainText(/Rendered [1-9]\d* frames/, { timeout: 120_000 });

  const coloured = await page.evaluate(async () => {
    const { pixels, width, height } = await window.webvirgl!.gpuClient!.readPixels();
    let saturated = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const r = pixels[i]!, g = pixels[i + 1]!, b = pixels[i + 2]!;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 64) saturated++;
    }
    return { fraction: saturated / (width * height), width, height };
  });
  testInfo.annotations.push({ type: "display", description: JSON.stringify(coloured) });
  // kmscube's background is grey; the cube's faces are saturated colour gradients.
  expect(coloured.width).toBeGreaterThan(0);
  expect(coloured.fraction).toBeGreaterThan(0.01);

  const stats = await page.evaluate(() => window.webvirgl!.gpu!.stats);
  expect(stats.commands.errors).toBe(0);
  expect(stats.transport.ringFaults).toBe(0);
  await testInfo.attach("kmscube", { body: await page.screenshot(), contentType: "image/png" });
});
