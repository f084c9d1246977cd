/**
 * embed.html: bad query parameters show a visible error; a host page on another origin (a tiny
 * Node server with COOP/COEP, examples/serve.mjs) embeds it and drives it through the postMessage
 * API: `ready` event, `stats` events, and a `screenshot` command answered with PNG bytes whose
 * centre shows kmscube's cube (not the grey background).
 */
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { expect, test } from "@playwright/test";
// @ts-expect-error plain ESM module without types (also run by hand: node examples/serve.mjs)
import { startExampleServer } from "../examples/serve.mjs";

const guestUrl = process.env.WEBVIRGL_E2E_GUEST_URL;
const guestMissing = !guestUrl && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));
const BOOT_TIMEOUT_MS = 240_000;

test("bad embed parameters show a visible error, not a blank page", async ({ page }) => {
  for (const [query, text] of [["demo=nope", "?demo=nope is not a demo"], ["memory=abc", "?memory=abc is not a whole number"], ["autostart=maybe", "?autostart=maybe must be 1 or 0"]] as const) {
    await page.goto(`/embed.html?${query}`);
    const error = page.locator("#error");
    await expect(error).toBeVisible({ timeout: 30_000 });
    await expect(error).toContainText("Bad embed parameter");
    await expect(error).toContainText(text);
  }
});

test.describe("cross-origin host page", () => {
  let server: Server;
  let hostOrigin: string;
  test.beforeAll(async () => {
    // localhost vs the e2e server's 127.0.0.1, and another port: a different origin twice over.
    server = (await startExampleServer(0, "localhost")) as Server;
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("example server has no port");
    hostOrigin = `http://localhost:${address.port}`;
  });
  test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("embeds kmscube; ready and stats events arrive; screenshot returns a PNG of the cube", async ({ page, baseURL }, testInfo) => {
    test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh`");
    test.setTimeout(BOOT_TIMEOUT_MS + 240_000);
    page.on("console", (m) => {
      if (m.type() === "error" || /webvirgl embed/.test(m.text())) console.log(`[console] ${m.text()}`);
    });
    const embed = new URL("/embed.html", baseURL);
    embed.searchParams.set("demo", "kmscube");
    embed.searchParams.set("autostart", "1");
    if (guestUrl) embed.searchParams.set("guest", guestUrl);
    await page.goto(`${hostOrigin}/embed-host.html?embed=${encodeURIComponent(embed.href)}`);
    expect(new URL(page.url()).origin).not.toBe(new URL(baseURL!).origin);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);

    type HostEvent = { event: string; data: Record<string, unknown> };
    const events = () => page.evaluate(() => (window as unknown as { embedHost: { events: HostEvent[] } }).embedHost.events);
    await expect.poll(async () => (await events()).map((e) => e.event), { timeout: 60_000 }).toContain("ready");
    const ready = (await events()).find((e) => e.event === "ready")!;
    expect(ready.data.demo).toBe("kmscube");
    expect((await events()).filter((e) => e.event === "error")).toEqual([]);

    // The guest renders: stats events report presented frames and virgl draws.
    await expect
      .poll(async () => {
        const stats = (await events()).filter((e) => e.event === "stats").map((e) => e.data as { totals: { frames: number; draws: number } });
        const last = stats.at(-1);
        return last ? last.totals.frames > 10 && last.totals.draws > 10 : false;
      }, { timeout: BOOT_TIMEOUT_MS + 120_000, intervals: [3000] })
      .toBe(true);

    const shot = await page.evaluate(async () => {
      const host = (window as unknown as { embedHost: { send(c: string): Promise<{ mimeType: string; png: ArrayBuffer }> } }).embedHost;
      const { mimeType, png } = await host.send("screenshot");
      const bitmap = await createImageBitmap(new Blob([png], { type: mimeType }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(bitmap, 0, 0);
      const { width, height } = bitmap;
      const box = Math.floor(Math.min(width, height) / 10);
      const data = ctx.getImageData(Math.floor(width / 2) - box, Math.floor(height / 2) - box, 2 * box, 2 * box).data;
      let saturated = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 40) saturated++;
      const signature = Array.from(new Uint8Array(png, 0, 8));
      return { mimeType, bytes: png.byteLength, signature, width, height, centreSaturated: saturated / (data.length / 4) };
    });
    console.log(JSON.stringify(shot));
    testInfo.annotations.push({ type: "screenshot", description: JSON.stringify(shot) });
    await testInfo.attach("embed-host", { body: await page.screenshot(), contentType: "image/png" });
    expect(shot.mimeType).toBe("image/png");
    expect(shot.signature).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(shot.width).toBeGreaterThan(0);
    expect(shot.centreSaturated).toBeGreaterThan(0.3);

    // A bad command is answered with an error, not silence.
    const bad = await page.evaluate(() =>
      (window as unknown as { embedHost: { send(c: string, a?: unknown): Promise<unknown> } }).embedHost.send("setDemo", { demo: "nope" }).then(
        () => "resolved",
        (e: Error) => e.message,
      ),
    );
    expect(bad).toContain('unknown demo "nope"');
  });
});
