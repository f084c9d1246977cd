/**
 * Instant start (src/machine/snapshot-*.ts), in one browser context so IndexedDB persists:
 *  1. the first visit boots cold into the guest shell, saves a snapshot there, runs kmscube and, once
 *     it presented a few frames, saves a second snapshot with kmscube running (virgl call log inside);
 *  2. a reload restores the running-kmscube snapshot (no Linux boot, nothing typed, the GL state rebuilt
 *     by replaying the log): the cube is on screen (pixels are read) and frames advance;
 *  3. a demo switch restores the shell snapshot (glinfo is typed in and runs), switching back restores
 *     kmscube running again; Reset is a real reboot (Linux boots), the cube renders;
 *  4. a different guest image version (manifest.json rewritten in flight) ignores and deletes the
 *     stored snapshot and boots cold.
 * Times to the first 3D frame, cold and from the snapshot, are printed and attached.
 *
 * Needs public/guest/ (`bash guest/build.sh`) or WEBVIRGL_E2E_GUEST_URL.
 */
import { existsSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { BOOT_TIMEOUT_MS, serialText } from "./guest-screen.ts";

const guestUrl = process.env.WEBVIRGL_E2E_GUEST_URL;
const guestMissing = !guestUrl && !existsSync(new URL("../public/guest/manifest.json", import.meta.url));
const pageUrl = guestUrl ? `/?guest=${encodeURIComponent(guestUrl)}` : "/";

interface BootView {
  source: string | null;
  bootCount: number;
  bootStarted: number | null;
  restored: number | null;
  firstFrame: number | null;
}

const bootView = (page: Page): Promise<BootView | null> =>
  page
    .evaluate(() => {
      const m = window.webvirgl?.machine;
      if (!m) return null;
      const t = m.timings;
      return { source: m.bootSource, bootCount: m.bootCount, bootStarted: t.bootStarted, restored: t.restored, firstFrame: t.firstFrame };
    })
    .catch(() => null);

const storedKeys = (page: Page): Promise<string[]> =>
  page.evaluate(async () => {
    // Opening a database that does not exist would create it (empty): look first.
    if (!(await indexedDB.databases()).some((d) => d.name === "webvirgl")) return [];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open("webvirgl");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains("snapshots")) return [];
      const keys = db.transaction("snapshots").objectStore("snapshots").getAllKeys();
      return await new Promise<string[]>((resolve, reject) => {
        keys.onsuccess = () => resolve(keys.result.map(String));
        keys.onerror = () => reject(keys.error);
      });
    } finally {
      db.close();
    }
  });

/** Presents and virgl draws over `ms`, and whether the centre of the screen changed (the cube turns). */
const framesAdvance = (page: Page, ms: number) =>
  page.evaluate(async (ms) => {
    const handle = window.webvirgl!;
    const centre = async () => {
      const { pixels, width, height } = await handle.gpuClient!.readPixels();
      let sum = 0;
      for (let y = (height >> 1) - 40; y < (height >> 1) + 40; y += 3) for (let x = (width >> 1) - 40; x < (width >> 1) + 40; x += 3) sum = (sum * 31 + pixels[4 * (y * width + x)] + pixels[4 * (y * width + x) + 1]) >>> 0;
      return sum;
    };
    let presents = 0;
    const off = handle.gpuClient!.onPresented(() => presents++);
    const draws0 = handle.virgl!.counting.traffic.draws;
    const before = await centre();
    await new Promise((r) => setTimeout(r, ms));
    off();
    return { presents, draws: handle.virgl!.counting.traffic.draws - draws0, centreChanged: (await centre()) !== before };
  }, ms);

async function expectFramesAdvance(page: Page): Promise<void> {
  const advance = await framesAdvance(page, 5000);
  console.log(`frames over 5 s after the restore: ${JSON.stringify(advance)}`);
  expect(advance.presents).toBeGreaterThan(2);
  expect(advance.draws).toBeGreaterThan(2);
  expect(advance.centreChanged).toBe(true);
}

/** Share of saturated (cube) pixels in the centre tenth of the virtio-gpu screen, and grey corners (kmscube's background). */
const cubeOnScreen = (page: Page) =>
  page.evaluate(async () => {
    const { pixels, width, height } = await window.webvirgl!.gpuClient!.readPixels();
    const chroma = (x: number, y: number) => {
      const i = 4 * (y * width + x);
      return Math.max(pixels[i], pixels[i + 1], pixels[i + 2]) - Math.min(pixels[i], pixels[i + 1], pixels[i + 2]);
    };
    const r = Math.floor(Math.min(width, height) / 10);
    let cube = 0;
    let total = 0;
    for (let y = height / 2 - r; y < height / 2 + r; y += 2) for (let x = width / 2 - r; x < width / 2 + r; x += 2, total++) if (chroma(Math.floor(x), Math.floor(y)) > 40) cube++;
    const corners = [[4, 4], [width - 5, 4], [4, height - 5], [width - 5, height - 5]].filter(([x, y]) => chroma(x, y) < 16).length;
    return { width, height, centreSaturated: cube / total, greyCorners: corners };
  });

async function expectCube(page: Page): Promise<void> {
  // The first frame may be the clear before the cube: poll a few frames.
  await expect.poll(async () => (await cubeOnScreen(page)).centreSaturated, { timeout: 120_000, intervals: [1000] }).toBeGreaterThan(0.3);
  expect((await cubeOnScreen(page)).greyCorners).toBe(4);
}

test("instant start: boot + save, restore to the cube on reload, reset reboots, a new image version invalidates", async ({ page }, testInfo) => {
  test.skip(guestMissing, "public/guest/manifest.json is missing: run `bash guest/build.sh`");
  test.setTimeout(2 * BOOT_TIMEOUT_MS + 300_000);
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning" || /snapshot|^\[machine\]/.test(m.text())) console.log(`[console ${m.type()}] ${m.text().slice(0, 400)}`);
  });
  // Phase changes and boots on the console (with page time): where a failed run went.
  await page.addInitScript(() => {
    const hook = setInterval(() => {
      const m = window.webvirgl?.machine;
      if (!m) return;
      clearInterval(hook);
      const t = () => (performance.now() / 1000).toFixed(1);
      m.on("phase", ({ phase, detail }) => console.log(`[machine] ${t()} s phase ${phase}: ${detail}`));
      m.on("boot", ({ count, demo }) => console.log(`[machine] ${t()} s boot #${count} ${demo}`));
      m.on("snapshotSaved", ({ point, bytes, pauseMs }) => console.log(`[machine] ${t()} s saved ${point} ${bytes} bytes, paused ${Math.round(pauseMs)} ms`));
      m.on("restored", ({ point, ms, replay }) => console.log(`[machine] ${t()} s restored ${point} in ${Math.round(ms)} ms; replay ${JSON.stringify(replay)}`));
    }, 50);
  });
  const timings: Record<string, number> = {};

  await test.step("first visit: cold boot to the shell, snapshot saved, kmscube renders and is saved running", async () => {
    await page.goto(pageUrl);
    // Two records: at the shell prompt, and with kmscube running (saved after its first frames).
    await expect.poll(() => storedKeys(page).catch(() => []), { timeout: BOOT_TIMEOUT_MS + 240_000, intervals: [2000] }).toHaveLength(2);
    const keys = await storedKeys(page);
    expect(keys.some((k) => k.endsWith("/shell"))).toBe(true);
    expect(keys.some((k) => /\/demo:kmscube:[0-9a-f]{8}$/.test(k))).toBe(true);
    await expect.poll(async () => (await bootView(page))?.firstFrame ?? null, { timeout: 300_000, intervals: [1000] }).not.toBeNull();
    const cold = (await bootView(page))!;
    expect(cold.source).toBe("cold");
    timings.coldFirstFrameMs = cold.firstFrame! - cold.bootStarted!;
    timings.coldFirstFrameSinceNavigationMs = cold.firstFrame!;
    expect(await serialText(page)).toContain("WEBVIRGL-RUN-BEGIN kmscube");
    await expect(page.locator("#snapshot-state")).toContainText("snapshot saved");
    console.log(`cold boot (ms): ${JSON.stringify(timings)}; save: ${JSON.stringify(await page.evaluate(() => window.webvirgl!.instantStart.saved))}`);
  });

  await test.step("reload: restored from the snapshot, the cube is on screen", async () => {
    await page.reload();
    // When kmscube's start-up lines appear (page ms, ~250 ms resolution): where the time to the first frame goes.
    const milestones: Record<string, number> = {};
    await expect
      .poll(
        async () => {
          const now = await page.evaluate(() => ({ t: performance.now(), text: window.webvirgl?.serialText() ?? "" })).catch(() => ({ t: 0, text: "" }));
          for (const [name, re] of [["runBegin", /WEBVIRGL-RUN-BEGIN kmscube/], ["eglDisplay", /Using display/], ["glInfo", /GL_EXTENSIONS|GL_RENDERER/]] as const) {
            if (milestones[name] === undefined && re.test(now.text)) milestones[name] = Math.round(now.t);
          }
          return (await bootView(page))?.firstFrame ?? null;
        },
        { timeout: 300_000, intervals: [250] },
      )
      .not.toBeNull();
    console.log(`restored boot: serial milestones (page ms): ${JSON.stringify(milestones)}`);
    const warm = (await bootView(page))!;
    expect(warm.source).toBe("snapshot");
    expect(warm.bootCount).toBe(1);
    timings.restoreMs = warm.restored! - warm.bootStarted!;
    timings.snapshotFirstFrameMs = warm.firstFrame! - warm.bootStarted!;
    timings.snapshotFirstFrameSinceNavigationMs = warm.firstFrame!;
    const text = await serialText(page);
    expect(text, "a restore must not boot Linux").not.toContain("WEBVIRGL-INIT-START");
    // kmscube's output from before the save is shown again; nothing was typed in.
    expect(text).toContain("WEBVIRGL-RUN-BEGIN kmscube");
    const restored = await page.evaluate(() => window.webvirgl!.instantStart.restored);
    expect(restored?.point).toMatch(/^demo:kmscube:/);
    expect(restored?.replay?.calls ?? 0).toBeGreaterThan(10);
    expect(restored!.replay!.errors).toBeLessThanOrEqual(restored!.replay!.expectedErrors);
    console.log(`restore (ms): ${JSON.stringify(timings)}; ${JSON.stringify(await page.evaluate(() => ({ ...window.webvirgl!.instantStart.restored, imagesLoaded: window.webvirgl!.timings.imagesLoaded })))}`);
    await expect(page.locator("#snapshot-state")).toContainText("restored from snapshot");
    await expectCube(page);
    await expectFramesAdvance(page);
    const stats = await page.evaluate(() => window.webvirgl!.virgl!.module.stats);
    expect(stats.contexts).toBeGreaterThan(0);
    expect(stats.resources).toBeGreaterThan(0);
    await testInfo.attach("restored-kmscube", { body: await page.screenshot(), contentType: "image/png" });
  });

  await test.step("a demo switch restores the snapshot again and runs glinfo", async () => {
    await page.locator("#demo-select").selectOption("glinfo");
    await expect.poll(async () => (await bootView(page))?.bootCount, { timeout: 60_000 }).toBe(2);
    await expect.poll(() => serialText(page), { timeout: 300_000, intervals: [1000] }).toMatch(/WEBVIRGL-RUN-END glinfo status=\d+/);
    expect((await bootView(page))!.source).toBe("snapshot");
    const text = await serialText(page);
    expect(text).not.toContain("WEBVIRGL-INIT-START");
    expect(text).toMatch(/glinfo: api=gles2 .*renderer=virgl/);
    await page.locator("#demo-select").selectOption("kmscube");
    await expect.poll(async () => (await bootView(page))?.bootCount, { timeout: 60_000 }).toBe(3);
    await expect.poll(async () => (await bootView(page))?.firstFrame ?? null, { timeout: 120_000, intervals: [500] }).not.toBeNull();
    expect(await page.evaluate(() => window.webvirgl!.instantStart.restored?.point)).toMatch(/^demo:kmscube:/);
    await expectCube(page);
  });

  await test.step("Reset after a restore is a real reboot: Linux boots and the cube renders again", async () => {
    await page.locator("#machine-reset").click();
    await expect.poll(async () => (await bootView(page))?.bootCount, { timeout: 60_000 }).toBe(4);
    await expect.poll(() => serialText(page), { timeout: BOOT_TIMEOUT_MS, intervals: [2000] }).toContain("WEBVIRGL-INIT-START");
    await expect.poll(async () => (await bootView(page))?.firstFrame ?? null, { timeout: 300_000, intervals: [1000] }).not.toBeNull();
    expect((await bootView(page))!.source).toBe("cold");
    await expectCube(page);
    expect(await page.evaluate(() => window.webvirgl!.error)).toBeNull();
    // The stored snapshots are still the ones from the first visit.
    expect(await storedKeys(page)).toHaveLength(2);
  });

  await test.step("another guest image version: the stored snapshot is dropped and the PC boots cold", async () => {
    const before = await storedKeys(page);
    expect(before).toHaveLength(2);
    await page.route("**/manifest.json", async (route) => {
      const response = await route.fetch();
      const manifest = (await response.json()) as { version: string };
      const body = JSON.stringify({ ...manifest, version: `${manifest.version}-changed` });
      await route.fulfill({ response, body, headers: { ...response.headers(), "content-length": String(Buffer.byteLength(body)) } });
    });
    await page.reload();
    await expect.poll(async () => (await bootView(page))?.source ?? null, { timeout: 120_000 }).toBe("cold");
    await expect.poll(async () => (await storedKeys(page)).filter((k) => before.includes(k)), { timeout: 30_000 }).toEqual([]);
    await page.unroute("**/manifest.json");
  });

  console.log(`instant start timings (ms): ${JSON.stringify(timings)}`);
  testInfo.annotations.push({ type: "snapshot-timings", description: JSON.stringify(timings) });
});
