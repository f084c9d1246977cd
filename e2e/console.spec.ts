/**
 * The virtio-gpu screen with the real guest, on one boot (boots are slow on the shared machine):
 *
 *  1. Console: the Linux framebuffer console (fbcon on virtio-gpu's DRM fbdev) shows on the
 *     worker-rendered canvas. With `webvirgl.run=shell` the shell is on ttyS0, but fbcon still
 *     draws tty1: /init writes its markers to /dev/tty0, so the screen is not blank; text sent to
 *     /dev/tty0 from the serial shell changes the presented pixels, `clear` blanks them again.
 *  2. Input (web/ui/screen-input.ts): keys typed on the focused screen reach the guest's PS/2
 *     keyboard (`cat /dev/tty1 > /tmp/typed` in the background reads them: the VT is tty1), mouse
 *     motion its PS/2 mouse (`cat /dev/input/mice`, mousedev is built into our kernel), and the
 *     i8042 interrupt counts (IRQ 1, 12) rise. Keys typed before the screen is clicked, or after
 *     Escape released it, do not reach the guest.
 *  3. Display size (web/ui/display-size.ts): choosing 800x600 in the toolbar makes it the guest
 *     connector's preferred mode (virtio-gpu display-change event → Linux re-reads display info)
 *     and fbcon switches the scanout to it; Auto makes the pane's size the preferred mode.
 *
 * What the guest has (our 6.1 kernel, guest/kernel/webvirgl.config; busybox): /sys/class/drm/card0-Virtual-1, fb0 from the
 * DRM fbdev helper; /dev/input/mice, mouse0/1, event0-2 (AT keyboard, psmouse detects v86's
 * VMware VMMouse); i8042 on IRQ 1 and 12.
 *
 * Needs public/guest/ (`bash guest/build.sh`) or WEBVIRGL_E2E_GUEST_URL.
 */
import { existsSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { BOOT_TIMEOUT_MS, bootGuest, consoleInk, runSerial, screenInk, serialText, waitForShellPrompt } from "./guest-screen.ts";

const guestMissing = !process.env.WEBVIRGL_E2E_GUEST_URL && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));

test.describe.configure({ mode: "serial" });

let page: Page;
let logs: string[] = [];

test.beforeAll(async ({ browser }) => {
  if (guestMissing) return;
  test.setTimeout(BOOT_TIMEOUT_MS + 60_000);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // The 2D device alone (no VIRGL feature): this spec is about the 2D scanout path, console and input.
  logs = await bootGuest(page, { run: "shell", params: { virgl: "0" } });
  await waitForShellPrompt(page);
});

test.afterAll(async () => {
  await page?.close();
});

test.afterEach(async ({}, testInfo) => {
  if (!page) return;
  await testInfo.attach("serial", { body: await serialText(page), contentType: "text/plain" });
  await testInfo.attach("page-log", { body: logs.join("\n"), contentType: "text/plain" });
});

test.beforeEach(() => {
  test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh`");
  test.setTimeout(300_000);
});

async function i8042Interrupts(): Promise<{ keyboard: number; mouse: number }> {
  const text = await runSerial(page, "grep -E '^ *(1|12):' /proc/interrupts");
  const count = (irq: number) => Number(new RegExp(`^\\s*${irq}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { keyboard: count(1), mouse: count(12) };
}

/** First line of every connector's `modes` (the preferred mode first) and its status. */
const MODES = "for c in /sys/class/drm/card0-*/; do echo \"$(basename $c) $(head -n1 $c/modes) $(cat $c/status)\"; done";

test("console: fbcon text shows on the worker canvas and follows writes to /dev/tty0", async ({}, testInfo) => {
  await expect(page.locator("canvas.gpu-display")).toBeVisible({ timeout: 60_000 });

  // The markers /init wrote to /dev/tty0 (and fbcon's cursor) are on screen.
  await expect.poll(async () => (await consoleInk(page)).ink, { timeout: 60_000, intervals: [1000] }).toBeGreaterThan(200);
  const before = await consoleInk(page);
  await testInfo.attach("console-before", { body: await page.locator("canvas.gpu-display").screenshot(), contentType: "image/png" });

  // A screenful of text through the VT: the pixels in the console region must change.
  await runSerial(page, "for i in 1 2 3 4 5 6 7 8; do echo WEBVIRGL-CONSOLE-TEXT-$i-ABCDEFGHIJKLMNOPQRSTUVWXYZ > /dev/tty0; done; echo done-tty0");
  await expect.poll(async () => (await consoleInk(page)).checksum, { timeout: 60_000, intervals: [1000] }).not.toBe(before.checksum);
  const after = await consoleInk(page);
  await testInfo.attach("console-after-echo", { body: await page.locator("canvas.gpu-display").screenshot(), contentType: "image/png" });
  console.log(JSON.stringify({ before, after }));
  expect(after.ink).toBeGreaterThan(before.ink);
  expect(after.width).toBeGreaterThan(0);

  // `clear` on tty0 blanks the console again (only the cursor stays).
  await runSerial(page, "clear > /dev/tty0; echo done-clear");
  await expect.poll(async () => (await consoleInk(page)).ink, { timeout: 60_000, intervals: [1000] }).toBeLessThan(after.ink / 4);
  await testInfo.attach("console-after-clear", { body: await page.locator("canvas.gpu-display").screenshot(), contentType: "image/png" });
});

test("input: typing and mouse motion on the focused screen reach the guest's PS/2; Escape releases", async ({}, testInfo) => {
  const canvas = page.locator("canvas.gpu-display");
  await expect(canvas).toBeVisible({ timeout: 60_000 });
  const irqBefore = await i8042Interrupts();
  await runSerial(page, "cat /dev/tty1 > /tmp/typed & cat /dev/input/mice > /tmp/mice & sleep 1");

  // Not captured yet: keys typed while the page has focus must not reach the guest.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.type("notcaptured\n", { delay: 30 });

  // Click to capture, then type and move the mouse.
  await canvas.click();
  await expect(page.locator(".screen-input-captured")).toHaveCount(1);
  await expect(page.locator(".input-capture-button")).toHaveText(/Release/);
  await page.keyboard.type("echo hello-from-ps2\n", { delay: 50 });
  await expect.poll(() => runSerial(page, "cat /tmp/typed"), { timeout: 60_000, intervals: [1000] }).toContain("echo hello-from-ps2");

  // Motion alone (no buttons) reaches the guest's mouse, then a click does.
  const miceBytes = async () => Number(/(\d+)/.exec(await runSerial(page, "wc -c < /tmp/mice"))?.[1] ?? 0);
  const beforeMotion = await miceBytes();
  const box = (await canvas.boundingBox())!;
  for (let i = 0; i < 10; i++) await page.mouse.move(box.x + box.width / 2 + i * 8, box.y + box.height / 2 + i * 5);
  await expect.poll(miceBytes, { timeout: 30_000, intervals: [1000] }).toBeGreaterThan(beforeMotion);
  const beforeClick = await miceBytes();
  await page.mouse.down();
  await page.mouse.up();
  await expect.poll(miceBytes, { timeout: 30_000, intervals: [1000] }).toBeGreaterThan(beforeClick);
  const irqAfter = await i8042Interrupts();
  console.log(JSON.stringify({ irqBefore, irqAfter }));
  expect(irqAfter.keyboard).toBeGreaterThan(irqBefore.keyboard);
  expect(irqAfter.mouse).toBeGreaterThan(irqBefore.mouse);
  await testInfo.attach("screen-after-typing", { body: await canvas.screenshot(), contentType: "image/png" });

  // Escape releases: the ring goes, and further typing stays on the page.
  await page.keyboard.press("Escape");
  await expect(page.locator(".screen-input-captured")).toHaveCount(0);
  await page.keyboard.type("afterescape\n", { delay: 30 });
  const typed = await runSerial(page, "sleep 2; cat /tmp/typed");
  expect(typed).not.toContain("notcaptured");
  expect(typed).not.toContain("afterescape");
  console.log(`typed on tty1: ${JSON.stringify(typed)}`);
});

test("display: choosing 800x600 in the toolbar makes it the guest's preferred mode; Auto follows the pane", async ({}, testInfo) => {
  const before = await runSerial(page, MODES);
  console.log(`connectors before: ${before.trim()}`);
  expect(before).toMatch(/card0-\S+ 1024x768 connected/);
  const screenBefore = await screenInk(page);

  await page.getByLabel("Guest display size").selectOption("800x600");
  await expect.poll(() => runSerial(page, MODES), { timeout: 60_000, intervals: [1000] }).toMatch(/card0-\S+ 800x600 connected/);
  // fbcon follows the hotplug (DRM fbdev helper): it sets the 800x600 mode on its 1024x768
  // framebuffer, so the scanout the worker presents becomes 800x600.
  await expect.poll(async () => { const i = await screenInk(page); return `${i.width}x${i.height}`; }, { timeout: 60_000, intervals: [1000] }).toBe("800x600");
  const fb = await runSerial(page, "cat /sys/class/graphics/fb0/virtual_size /sys/class/graphics/fb0/modes 2>&1");
  console.log(JSON.stringify({ fb: fb.trim(), scanoutBefore: [screenBefore.width, screenBefore.height] }));
  await testInfo.attach("screen-800x600", { body: await page.locator("canvas.gpu-display").screenshot(), contentType: "image/png" });

  // Auto follows the screen pane (CSS pixels, width a multiple of 8), debounced. A wide window
  // gives a landscape pane (portrait sizes such as 616x792 did not become the guest's preferred mode).
  await page.setViewportSize({ width: 1900, height: 800 });
  await page.getByLabel("Guest display size").selectOption("auto");
  const pane = await page.evaluate(() => {
    const el = document.getElementById("screen")!;
    return `${Math.floor(el.clientWidth / 8) * 8}x${el.clientHeight}`;
  });
  await expect.poll(() => runSerial(page, MODES), { timeout: 60_000, intervals: [1000] }).toContain(`${pane} connected`).catch(async (error: unknown) => {
    console.log(`auto: pane ${pane}; modes: ${await runSerial(page, "head -n4 /sys/class/drm/card0-*/modes; dmesg | tail -n 8")}`);
    throw error;
  });
  console.log(`auto: pane ${pane}`);
});
