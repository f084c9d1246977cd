/**
 * The real guest on the virgl path: Mesa's virgl driver in the Debian guest talks to our
 * virtio-gpu 3D module, which runs its command streams in the GPU worker's VirglRenderer.
 *
 *  - glinfo (`webvirgl.run=glinfo`): EGL contexts come up on virgl; the serial output names the
 *    renderer `virgl (...)` and the GL / GLES versions.
 *  - kmscube: the cube is rendered by the renderer and scanned out through the presenter.
 *
 * Renderer errors the guest triggers are printed (virtio-gpu log lines from the page console)
 * and attached to the test. Needs public/guest/ (`bash guest/build.sh`) or WEBVIRGL_E2E_GUEST_URL.
 */
import { existsSync } from "node:fs";
import { expect, test, type Page, type TestInfo } from "@playwright/test";

const guestUrl = process.env.WEBVIRGL_E2E_GUEST_URL;
const guestMissing = !guestUrl && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));
const BOOT_TIMEOUT_MS = 240_000;

async function boot(page: Page, run: string): Promise<string[]> {
  const logs: string[] = [];
  page.on("console", (m) => {
    const text = m.text();
    if (text.includes("virtio-gpu") || text.includes("virgl") || text.includes("gpu-worker")) logs.push(text);
  });
  page.on("pageerror", (e) => logs.push(`[page exception] ${e.message}`));
  const params = new URLSearchParams({ run });
  if (guestUrl) params.set("guest", guestUrl);
  await page.goto(`/?${params}`);
  return logs;
}

async function serial(page: Page): Promise<string> {
  return page.evaluate(() => window.webvirgl?.serialText() ?? "");
}

async function attachLogs(testInfo: TestInfo, page: Page, logs: string[]): Promise<void> {
  await testInfo.attach("device-log", { body: logs.join("\n"), contentType: "text/plain" });
  await testInfo.attach("serial", { body: await serial(page), contentType: "text/plain" });
  for (const l of logs.slice(0, 60)) console.log(`[device] ${l}`);
}

test("glinfo in the guest runs on virgl: renderer virgl (...) with GL and GLES versions", async ({ page }, testInfo) => {
  test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh`");
  test.setTimeout(BOOT_TIMEOUT_MS + 240_000);
  const logs = await boot(page, "glinfo");
  try {
    await expect.poll(() => serial(page), { timeout: BOOT_TIMEOUT_MS + 200_000, intervals: [2000] }).toMatch(/WEBVIRGL-RUN-END glinfo status=\d+/);
  } finally {
    await attachLogs(testInfo, page, logs);
  }
  const text = await serial(page);
  const lines = text.split(/\r?\n/).filter((l) => l.startsWith("glinfo:"));
  console.log(lines.join("\n"));
  expect(lines.some((l) => /renderer=virgl \(/.test(l))).toBe(true);
  expect(lines.some((l) => /api=gles2 .*version=OpenGL ES [23]\.\d/.test(l))).toBe(true);
  expect(lines.some((l) => /api=gl-(core|compat) .*version=\d\.\d/.test(l))).toBe(true);
});
