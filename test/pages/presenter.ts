/**
 * Harness for e2e/presenter.spec.ts and bench/presenter.ts: starts the GPU worker on the
 * page's canvas and exposes small helpers on `window.presenterHarness` so the tests can
 * drive the ScanoutBackend and read pixels back from inside the page.
 */
import type { Format2D } from "../../src/gpu/scanout-backend.ts";
import { rgbaToPixel } from "../../src/worker/conv-2d.ts";
import { GpuClient, type ScanoutInfo } from "../../src/worker/gpu-client.ts";
import type { PresenterStats, PresentModeRequest } from "../../src/worker/protocol.ts";

type RGBA = [number, number, number, number];

const PRESENT_MODES: readonly PresentModeRequest[] = ["composite", "damage", "readback", "auto"];

/** Pixels of a w x h rect, each pixel `colour(x, y)` (straight RGBA) encoded in `format`. */
function image(format: Format2D, w: number, h: number, colour: (x: number, y: number) => RGBA): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out.set(rgbaToPixel(format, colour(x, y)), (y * w + x) * 4);
  }
  return out;
}

const harness = {
  client: null as GpuClient | null,
  events: { scanout: [] as ScanoutInfo[], errors: [] as string[], lost: 0, restored: 0 },
  stats: null as PresenterStats | null,

  /** `?present=damage|readback|auto` selects the present mode (default composite). */
  async start(): Promise<string> {
    const canvas = document.getElementById("screen") as HTMLCanvasElement;
    const asked = new URLSearchParams(location.search).get("present");
    const presentMode = PRESENT_MODES.find((m) => m === asked) ?? "composite";
    const c = await GpuClient.create(canvas, { statsIntervalMs: 250, presentMode });
    c.onScanoutChanged((_active, info) => {
      harness.events.scanout.push(info);
      // What the real page does: size the element to the scanout (letterboxing is CSS).
      canvas.style.width = `${info.width}px`;
      canvas.style.height = `${info.height}px`;
    });
    c.onError((e) => harness.events.errors.push(`${e.context}: ${e.message}`));
    c.onContextLost(() => harness.events.lost++);
    c.onContextRestored(() => harness.events.restored++);
    c.onStats((s) => (harness.stats = s));
    harness.client = c;
    return c.renderer;
  },

  get c(): GpuClient {
    if (!harness.client) throw new Error("harness not started");
    return harness.client;
  },

  /** Solid colour rect. */
  fill(id: number, format: Format2D, x: number, y: number, w: number, h: number, rgba: RGBA): void {
    harness.c.writeRect(id, { x, y, width: w, height: h }, image(format, w, h, () => rgba));
  },

  /** Four quadrants: top-left, top-right, bottom-left, bottom-right. */
  quadrants(id: number, format: Format2D, w: number, h: number, q: [RGBA, RGBA, RGBA, RGBA]): void {
    const hw = w >> 1;
    const hh = h >> 1;
    harness.c.writeRect(id, { x: 0, y: 0, width: w, height: h }, image(format, w, h, (x, y) => q[(y < hh ? 0 : 2) + (x < hw ? 0 : 1)]));
  },

  cursorImage(format: Format2D, w: number, h: number, rgba: RGBA, hotX: number, hotY: number, transparentOutsideDiagonal = false) {
    return {
      pixels: image(format, w, h, (x, y) => (transparentOutsideDiagonal && x !== y ? [0, 0, 0, 0] : rgba)),
      width: w,
      height: h,
      format,
      hotX,
      hotY,
    };
  },

  /** Flushes and waits until that flush was presented. */
  async flushAndWait(id: number, x: number, y: number, w: number, h: number): Promise<number> {
    harness.c.flush(id, { x, y, width: w, height: h });
    return (await harness.c.whenPresented()).latencyMs;
  },

  /** RGBA at each (x, y) of the scanout readback. */
  async probe(points: [number, number][], cursor = false): Promise<{ width: number; height: number; rgba: RGBA[] }> {
    const r = await harness.c.readPixels({ cursor });
    const rgba = points.map(([x, y]) => Array.from(r.pixels.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 4)) as RGBA);
    return { width: r.width, height: r.height, rgba };
  },

  /** screenshot() decoded through createImageBitmap + a 2D canvas: size and some pixels. */
  async probePng(points: [number, number][]): Promise<{ type: string; width: number; height: number; rgba: RGBA[] }> {
    const blob = await harness.c.screenshot();
    const bmp = await createImageBitmap(blob);
    const cv = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = cv.getContext("2d")!;
    ctx.drawImage(bmp, 0, 0);
    const rgba = points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data) as RGBA);
    return { type: blob.type, width: bmp.width, height: bmp.height, rgba };
  },

  /** Frames go to the page asynchronously: wait a few page frames so screenshots see them. */
  async settle(frames = 3): Promise<void> {
    for (let i = 0; i < frames; i++) await new Promise((r) => requestAnimationFrame(r));
  },

  image,
};

declare global {
  interface Window {
    presenterHarness: typeof harness;
  }
}
window.presenterHarness = harness;
