/**
 * Presenter e2e: headless Chromium (SwiftShader), the GPU worker on an OffscreenCanvas.
 * Pixels are checked exactly, mostly through the client's readPixels() (the worker's
 * scanout readback); one test checks the canvas element as the page really shows it.
 */
import { expect, test, type Page } from "@playwright/test";

type RGBA = [number, number, number, number];
const RED: RGBA = [255, 0, 0, 255];
const GREEN: RGBA = [0, 255, 0, 255];
const BLUE: RGBA = [0, 0, 255, 255];
const WHITE: RGBA = [255, 255, 255, 255];

type Mode = "composite" | "damage" | "readback" | "auto";

async function open(page: Page, present: Mode = "composite"): Promise<void> {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.log(`[page ${m.type()}] ${m.text()}`);
  });
  await page.goto(`/test/pages/presenter.html?present=${present}`);
  await page.waitForFunction(() => window.presenterHarness !== undefined);
  const renderer = await page.evaluate(() => window.presenterHarness.start());
  expect(renderer).not.toBe("");
}

/** What the page really shows: a Playwright screenshot of the canvas element, decoded in the page. */
async function canvasPixels(page: Page, points: [number, number][]): Promise<{ w: number; h: number; px: number[][] }> {
  await page.evaluate(() => window.presenterHarness.settle(5));
  const png = await page.locator("#screen").screenshot();
  return page.evaluate(
    async ([b64, pts]) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const cv = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = cv.getContext("2d", { willReadFrequently: true })!;
      ctx.drawImage(bmp, 0, 0);
      return { w: bmp.width, h: bmp.height, px: pts.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data)) };
    },
    [png.toString("base64"), points] as const,
  );
}

/** Frames reach the page asynchronously (and a capture can race a compositor frame): poll. */
const POLL = { timeout: 20_000, intervals: [100, 250, 500, 1000] };

async function errors(page: Page): Promise<string[]> {
  return page.evaluate(() => window.presenterHarness.events.errors);
}

test.describe.configure({ mode: "serial" });

test("every 2D format shows the right colours; X formats are opaque", async ({ page }) => {
  await open(page);
  const result = await page.evaluate(async () => {
    const h = window.presenterHarness;
    const formats = [1, 2, 3, 4, 67, 68, 121, 134] as const;
    const out: Record<number, [number, number, number, number][]> = {};
    let id = 1;
    for (const f of formats) {
      h.c.createResource2D(id, 64, 48, f);
      // Alpha 0x80 in the bottom-right quadrant: kept by A formats, forced to 255 by X formats
      // (whose padding byte the helper leaves at 0).
      h.quadrants(id, f, 64, 48, [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [10, 200, 30, 128],
      ]);
      h.c.setScanout(0, id, { x: 0, y: 0, width: 64, height: 48 });
      await h.flushAndWait(id, 0, 0, 64, 48);
      out[f] = (await h.probe([[8, 8], [56, 8], [8, 40], [56, 40], [31, 23], [32, 24]])).rgba;
      id++;
    }
    return { out, scanout: h.events.scanout };
  });
  const alpha = new Set([1, 3, 67, 121]);
  for (const [f, px] of Object.entries(result.out)) {
    const a = alpha.has(Number(f)) ? 128 : 255;
    expect(px, `format ${f}`).toEqual([RED, GREEN, BLUE, [10, 200, 30, a], RED, [10, 200, 30, a]]);
  }
  expect(result.scanout[0]).toEqual({ active: true, width: 64, height: 48 });
  expect(await errors(page)).toEqual([]);
});

test("partial flush updates only the damaged rect; unflushed writes stay off screen", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const h = window.presenterHarness;
    h.c.createResource2D(7, 128, 96, 2);
    h.fill(7, 2, 0, 0, 128, 96, [255, 0, 0, 255]);
    h.c.setScanout(0, 7, { x: 0, y: 0, width: 128, height: 96 });
    await h.flushAndWait(7, 0, 0, 128, 96);
    const before = await h.c.requestStats();
    h.fill(7, 2, 0, 0, 128, 96, [0, 0, 255, 255]); // whole resource blue...
    await h.flushAndWait(7, 32, 16, 40, 24); // ...but only this rect flushed
    h.fill(7, 2, 100, 70, 10, 10, [0, 255, 0, 255]); // written, never flushed
    await h.settle();
    const probe = await h.probe([
      [32, 16], [71, 39], [50, 30], // inside the flushed rect
      [31, 16], [72, 39], [32, 15], [71, 40], // just outside
      [0, 0], [127, 95], [105, 75], // far outside; the unflushed write
    ]);
    const after = await h.c.requestStats();
    // A flush of a resource no scanout shows is acknowledged but draws nothing.
    h.c.createResource2D(8, 16, 16, 2);
    h.fill(8, 2, 0, 0, 16, 16, [0, 255, 0, 255]);
    await h.flushAndWait(8, 0, 0, 16, 16);
    const hidden = await h.c.requestStats();
    return { probe: probe.rgba, before, after, hiddenFrames: hidden.framesPresented - after.framesPresented };
  });
  expect(r.probe).toEqual([BLUE, BLUE, BLUE, RED, RED, RED, RED, RED, RED, RED]);
  // The full-screen write was uploaded once (128*96*4), then the 10x10 write.
  expect(r.after.bytesUploaded - r.before.bytesUploaded).toBe(128 * 96 * 4 + 10 * 10 * 4);
  expect(r.after.flushes - r.before.flushes).toBe(1);
  expect(r.hiddenFrames).toBe(0);
  expect(await errors(page)).toEqual([]);
});

// In the readback mode an R8G8B8A8 full flush is read straight from the resource: at the scanout offset.
for (const mode of ["composite", "readback"] as const) {
  test(`scanout sub-rect, resize and disable; the canvas follows the scanout size (${mode} mode)`, async ({ page }) => {
    await open(page, mode);
    const a = await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.createResource2D(1, 200, 100, 67);
      // Colour encodes the position: r = x, g = y.
      h.c.writeRect(1, { x: 0, y: 0, width: 200, height: 100 }, h.image(67, 200, 100, (x, y) => [x, y, 7, 255]));
      h.c.setScanout(0, 1, { x: 50, y: 20, width: 100, height: 60 });
      await h.flushAndWait(1, 0, 0, 200, 100);
      return h.probe([[0, 0], [99, 59]]);
    });
    expect(a).toEqual({ width: 100, height: 60, rgba: [[50, 20, 7, 255], [149, 79, 7, 255]] });
    await expect.poll(() => canvasPixels(page, [[0, 0], [99, 59]]), POLL).toEqual({ w: 100, h: 60, px: [[50, 20, 7, 255], [149, 79, 7, 255]] });

    const b = await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.setScanout(0, 1, { x: 0, y: 0, width: 200, height: 100 });
      await h.flushAndWait(1, 0, 0, 1, 1);
      return h.probe([[0, 0], [199, 99]]);
    });
    expect(b).toEqual({ width: 200, height: 100, rgba: [[0, 0, 7, 255], [199, 99, 7, 255]] });
    await expect.poll(() => canvasPixels(page, [[0, 0], [199, 99]]), POLL).toEqual({ w: 200, h: 100, px: [[0, 0, 7, 255], [199, 99, 7, 255]] });

    const events = await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.setScanout(0, 0, { x: 0, y: 0, width: 0, height: 0 });
      await h.settle();
      return h.events.scanout;
    });
    expect(events).toEqual([
      { active: true, width: 100, height: 60 },
      { active: true, width: 200, height: 100 },
      { active: false, width: 0, height: 0 },
    ]);
  });
}

test("cursor: drawn at x,y minus hotspot, blended, moved without re-upload", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const h = window.presenterHarness;
    h.c.createResource2D(3, 128, 96, 1);
    h.fill(3, 1, 0, 0, 128, 96, [0, 0, 255, 255]);
    h.c.setScanout(0, 3, { x: 0, y: 0, width: 128, height: 96 });
    await h.flushAndWait(3, 0, 0, 128, 96);
    // 8x8 white cursor, BGRA, opaque only on its diagonal; hotspot (3, 2); at (40, 30):
    // its top-left lands on (37, 28).
    h.c.updateCursor(0, h.cursorImage(1, 8, 8, [255, 255, 255, 255], 3, 2, true), 40, 30);
    await h.settle();
    const pts: [number, number][] = [[37, 28], [44, 35], [38, 28], [36, 27], [45, 36]];
    const at1 = await h.probe(pts, true);
    const noCursor = await h.probe(pts, false);
    const s0 = await h.c.requestStats();
    h.c.moveCursor(0, 100, 80); // top-left (97, 78)
    await h.settle();
    const at2 = await h.probe([[37, 28], [97, 78], [104, 85]], true);
    const s1 = await h.c.requestStats();
    return { at1: at1.rgba, noCursor: noCursor.rgba, at2: at2.rgba, uploaded: s1.bytesUploaded - s0.bytesUploaded };
  });
  expect(r.at1).toEqual([WHITE, WHITE, BLUE, BLUE, BLUE]);
  expect(r.noCursor).toEqual([BLUE, BLUE, BLUE, BLUE, BLUE]);
  expect(r.at2).toEqual([BLUE, WHITE, WHITE]);
  expect(r.uploaded).toBe(0);
});

test("the canvas element shows the frame (page screenshot) and screenshot() is a PNG", async ({ page }) => {
  await open(page);
  await page.evaluate(async () => {
    const h = window.presenterHarness;
    h.c.createResource2D(5, 160, 120, 2);
    h.quadrants(5, 2, 160, 120, [
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [255, 255, 255, 255],
    ]);
    h.c.setScanout(0, 5, { x: 0, y: 0, width: 160, height: 120 });
    await h.flushAndWait(5, 0, 0, 160, 120);
    h.c.updateCursor(0, h.cursorImage(2, 4, 4, [0, 0, 0, 255], 0, 0), 120, 20);
    await h.flushAndWait(5, 0, 0, 1, 1);
    await h.settle(5);
  });
  await expect
    .poll(() => canvasPixels(page, [[20, 20], [140, 20], [20, 100], [140, 100], [121, 21]]), POLL)
    .toEqual({ w: 160, h: 120, px: [RED, GREEN, BLUE, WHITE, [0, 0, 0, 255]] });

  const shot = await page.evaluate(() => window.presenterHarness.probePng([[20, 20], [140, 100], [121, 21]]));
  // screenshot() excludes the cursor (like a screendump of the scanout).
  expect(shot).toEqual({ type: "image/png", width: 160, height: 120, rgba: [RED, WHITE, GREEN] });
});

for (const mode of ["composite", "damage", "readback"] as const) {
  test(`context loss (${mode} mode): reported, rebuilt from nothing, keeps running`, async ({ page }) => {
    await open(page, mode);
    const r = await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.createResource2D(9, 64, 64, 4);
      h.fill(9, 4, 0, 0, 64, 64, [255, 0, 0, 255]);
      h.c.setScanout(0, 9, { x: 0, y: 0, width: 64, height: 64 });
      await h.flushAndWait(9, 0, 0, 64, 64);
      const restored = new Promise<void>((res) => h.c.onContextRestored(() => res()));
      h.c.debugLoseContext(50);
      await restored;
      // Contents are gone after a restore: the device re-sends them (here: green).
      h.fill(9, 4, 0, 0, 64, 64, [0, 255, 0, 255]);
      await h.flushAndWait(9, 0, 0, 64, 64);
      const px = await h.probe([[0, 0], [63, 63]]);
      return { px: px.rgba, lost: h.events.lost, restored: h.events.restored, stats: await h.c.requestStats() };
    });
    expect(r.lost).toBe(1);
    expect(r.restored).toBe(1);
    expect(r.px).toEqual([GREEN, GREEN]);
    expect(r.stats.contextLosses).toBe(1);
    await expect.poll(async () => (await canvasPixels(page, [[0, 0], [63, 63]])).px, POLL).toEqual([GREEN, GREEN]);
  });
}

test("the default present mode on SwiftShader is readback; every format shows on the canvas, X formats opaque", async ({ page }) => {
  await open(page, "auto");
  const mode = await page.evaluate(() => ({ mode: window.presenterHarness.c.presentMode, renderer: window.presenterHarness.c.renderer }));
  expect(mode.renderer).toMatch(/SwiftShader/);
  expect(mode.mode).toBe("readback");
  // Full-screen flushes: R8G8B8A8/X8 are read straight from the resource texture (alpha forced),
  // the other formats composed through the swizzle shader first.
  for (const f of [1, 2, 3, 4, 67, 68, 121, 134]) {
    await page.evaluate(async (fmt) => {
      const h = window.presenterHarness;
      h.c.createResource2D(fmt, 64, 48, fmt as 1);
      h.quadrants(fmt, fmt as 1, 64, 48, [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [10, 200, 30, 0], // alpha 0: the canvas is opaque whatever the format keeps
      ]);
      h.c.setScanout(0, fmt, { x: 0, y: 0, width: 64, height: 48 });
      await h.flushAndWait(fmt, 0, 0, 64, 48);
    }, f);
    await expect
      .poll(async () => (await canvasPixels(page, [[8, 8], [56, 8], [8, 40], [56, 40], [31, 23], [32, 24]])).px, POLL)
      .toEqual([RED, GREEN, BLUE, [10, 200, 30, 255], RED, [10, 200, 30, 255]]);
  }
  expect(await errors(page)).toEqual([]);
});

test("bad messages are reported, not thrown; the worker keeps going", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const h = window.presenterHarness;
    h.c.createResource2D(2, 32, 32, 67);
    h.c.writeRect(2, { x: 0, y: 0, width: 32, height: 32 }, new Uint8Array(10)); // wrong length
    h.c.writeRect(99, { x: 0, y: 0, width: 1, height: 1 }, new Uint8Array(4)); // unknown resource
    h.c.writeRect(2, { x: 30, y: 30, width: 4, height: 4 }, new Uint8Array(64)); // out of bounds
    h.fill(2, 67, 0, 0, 32, 32, [0, 255, 0, 255]);
    h.c.setScanout(0, 2, { x: 0, y: 0, width: 32, height: 32 });
    await h.flushAndWait(2, 0, 0, 32, 32);
    return { px: (await h.probe([[5, 5]])).rgba, errors: h.events.errors };
  });
  expect(r.px).toEqual([GREEN]);
  expect(r.errors.length).toBe(3);
  expect(r.errors[0]).toContain("pixels length");
  expect(r.errors[1]).toContain("unknown resource 99");
  expect(r.errors[2]).toContain("outside 32x32");
});

test("pixel buffers come back from the worker and are reused", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(async () => {
    const h = window.presenterHarness;
    h.c.createResource2D(4, 64, 64, 2);
    h.c.setScanout(0, 4, { x: 0, y: 0, width: 64, height: 64 });
    const before = h.c.pooledBytes;
    const px = h.c.allocPixels(64 * 64 * 4);
    px.fill(0x80);
    h.c.writeRect(4, { x: 0, y: 0, width: 64, height: 64 }, px);
    const detached = px.byteLength === 0; // transferred, not copied
    await h.flushAndWait(4, 0, 0, 64, 64);
    await h.c.ping(); // the recycle message follows the frame
    const returned = h.c.pooledBytes;
    h.c.allocPixels(64 * 64 * 4);
    return { before, detached, returned, after: h.c.pooledBytes, px: (await h.probe([[1, 1]])).rgba };
  });
  expect(r).toEqual({ before: 0, detached: true, returned: 16384, after: 0, px: [[0x80, 0x80, 0x80, 255]] });
});

for (const mode of ["composite", "damage", "readback"] as const) {
  test(`canvas (${mode} mode): partial flushes and cursor moves repaint the right pixels`, async ({ page }) => {
    await open(page, mode);
    await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.createResource2D(6, 96, 64, 1);
      h.fill(6, 1, 0, 0, 96, 64, [255, 0, 0, 255]);
      h.c.setScanout(0, 6, { x: 0, y: 0, width: 96, height: 64 });
      await h.flushAndWait(6, 0, 0, 96, 64);
      // Translucent white cursor (premultiplied 50%): blending it twice would show.
      h.c.updateCursor(0, h.cursorImage(121, 8, 8, [128, 128, 128, 128], 0, 0), 10, 10);
      await h.flushAndWait(6, 0, 0, 1, 1);
    });
    const half: RGBA = [255, 128, 128, 255]; // red under a 50% white premultiplied cursor
    await expect.poll(async () => (await canvasPixels(page, [[12, 12], [30, 30]])).px, POLL).toEqual([half, RED]);
    // Damage under the cursor (cursor must be redrawn once, not twice) and elsewhere.
    await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.fill(6, 1, 0, 0, 96, 64, [0, 0, 255, 255]);
      await h.flushAndWait(6, 8, 8, 12, 12);
    });
    await expect.poll(async () => (await canvasPixels(page, [[12, 12], [9, 9], [21, 21], [40, 40]])).px, POLL).toEqual([[128, 128, 255, 255], BLUE, RED, RED]);
    // Move the cursor: the old place is repainted from the screen, the new one drawn.
    await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.moveCursor(0, 60, 40);
      await h.settle(3);
    });
    await expect.poll(async () => (await canvasPixels(page, [[12, 12], [62, 42], [59, 39]])).px, POLL).toEqual([BLUE, half, RED]);
    // Hide it.
    await page.evaluate(async () => {
      window.presenterHarness.c.updateCursor(0, null, 0, 0);
      await window.presenterHarness.settle(3);
    });
    await expect.poll(async () => (await canvasPixels(page, [[62, 42]])).px, POLL).toEqual([RED]);
    expect(await errors(page)).toEqual([]);
  });
}

for (const mode of ["composite", "damage", "readback"] as const) {
  test(`canvas (${mode} mode): after a full-screen flush, later unflushed writes stay off screen`, async ({ page }) => {
    await open(page, mode);
    // A full-screen flush is drawn straight from the resource texture (no screen-texture
    // blit); the screen must still not change until the next flush.
    const r = await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.c.createResource2D(1, 80, 60, 1); // B8G8R8A8: the direct path must swizzle too
      h.c.setScanout(0, 1, { x: 0, y: 0, width: 80, height: 60 });
      h.quadrants(1, 1, 80, 60, [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [255, 255, 255, 255],
      ]);
      await h.flushAndWait(1, 0, 0, 80, 60);
      return (await h.probe([[10, 10], [70, 10], [10, 50], [70, 50]])).rgba;
    });
    expect(r).toEqual([RED, GREEN, BLUE, WHITE]);
    await expect.poll(async () => (await canvasPixels(page, [[10, 10], [70, 10], [10, 50], [70, 50]])).px, POLL).toEqual([RED, GREEN, BLUE, WHITE]);
    // Write everything green, flush nothing, move a cursor (forces a repaint in composite mode).
    await page.evaluate(async () => {
      const h = window.presenterHarness;
      h.fill(1, 1, 0, 0, 80, 60, [0, 255, 0, 255]);
      h.c.updateCursor(0, h.cursorImage(1, 2, 2, [0, 0, 0, 255], 0, 0), 0, 0);
      await h.settle(3);
      h.c.moveCursor(0, 78, 58);
      await h.settle(3);
    });
    await expect.poll(async () => (await canvasPixels(page, [[10, 10], [70, 10], [10, 50], [40, 30], [1, 1]])).px, POLL).toEqual([RED, GREEN, BLUE, WHITE, RED]);
    // Flush the top-left quadrant only.
    await page.evaluate(() => window.presenterHarness.flushAndWait(1, 0, 0, 40, 30));
    await expect.poll(async () => (await canvasPixels(page, [[10, 10], [70, 10], [10, 50], [70, 50], [79, 59]])).px, POLL).toEqual([
      GREEN,
      GREEN,
      BLUE,
      WHITE,
      [0, 0, 0, 255],
    ]);
    const back = await page.evaluate(() => window.presenterHarness.probe([[10, 10], [10, 50], [79, 59]]));
    expect(back.rgba).toEqual([GREEN, BLUE, WHITE]);
  });
}
