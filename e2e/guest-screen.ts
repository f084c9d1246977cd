/**
 * Helpers for e2e specs that boot the real guest and look at the virtio-gpu screen: boot the page,
 * run commands on the serial shell and wait for their output, measure what the worker presents.
 */
import { expect, type Page } from "@playwright/test";

/** Boots take 20-60 s on an idle machine, minutes when the shared machine is loaded. */
export const BOOT_TIMEOUT_MS = 600_000;

export interface BootOptions {
  run: string;
  /** More page query parameters (virgl, cmdline, display...). */
  params?: Record<string, string>;
}

/** Opens the page; returns the page's virtio-gpu / worker console lines (filled as they come). */
export async function bootGuest(page: Page, options: BootOptions): Promise<string[]> {
  const logs: string[] = [];
  page.on("console", (m) => {
    if (/virtio-gpu|virgl|gpu-worker|webvirgl/.test(m.text())) logs.push(m.text());
  });
  page.on("pageerror", (e) => logs.push(`[page exception] ${e.message}`));
  const params = new URLSearchParams({ run: options.run, ...options.params });
  if (process.env.WEBVIRGL_E2E_GUEST_URL) params.set("guest", process.env.WEBVIRGL_E2E_GUEST_URL);
  await page.goto(`/?${params}`);
  return logs;
}

/** The guest's ttyS0 output so far ("" while the page is (re)loading: vite reloads on public/ changes). */
export function serialText(page: Page): Promise<string> {
  return page.evaluate(() => window.webvirgl?.serialText() ?? "").catch(() => "");
}

/**
 * One line of device state for progress reports and failures: transport counters, requests in
 * flight, and the virgl port's unanswered / watchdog-answered requests. Tells a guest that is
 * merely slow (numbers move) from one waiting on the device (requests in flight, none completing).
 */
export async function deviceStateLine(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      const w = window.webvirgl;
      const t = w?.gpu?.transport;
      const port = w?.virgl?.port;
      // Guest instructions executed so far: growing = the guest runs (waiting on something), flat = the CPU is stopped.
      const ic = w?.emulator?.v86.get_instruction_counter();
      // v86's ttyS0 (internal fields): a transmit interrupt the guest never saw would stop all
      // serial output while the guest runs on; ier/iir/ints/lsr tell that apart.
      const uart = (w?.emulator?.v86 as unknown as { v86?: { cpu?: { devices?: { uart0?: Record<string, number> } } } } | undefined)?.v86?.cpu?.devices?.uart0;
      const kicks = w?.emulator?.serialIrqWatchdog?.stats.kicks;
      const serial = uart ? ` uart ier=${uart.ier} iir=${uart.iir} ints=${uart.ints} lsr=${uart.lsr} irqKicks=${kicks ?? "?"}` : "";
      if (!t) return `no device yet; instructions=${ic ?? "?"}`;
      const s = t.stats;
      const virgl = port ? ` virgl pending=${port.pending} timedOut=${port.timedOut}` : "";
      return `instructions=${ic ?? "?"}${serial} notify=${s.notifications} popped=${s.requestsPopped} completed=${s.requestsCompleted} irqs=${s.interruptsRaised} reasserted=${s.interruptsReasserted} inFlight=${t.requestsInFlight} faults=${s.ringFaults}${virgl}`;
    })
    .catch((e: unknown) => `device state unavailable: ${String(e)}`);
}

/** Waits for /init's shell (or the shell after a run) to print its prompt on ttyS0. */
export async function waitForShellPrompt(page: Page, timeout = BOOT_TIMEOUT_MS): Promise<void> {
  let lastReport = Date.now();
  await expect
    .poll(async () => {
      const text = await serialText(page);
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        const phase = await page.evaluate(() => window.webvirgl?.phase ?? "no handle").catch(() => "reloading");
        console.log(`[boot] ${phase}, ${text.length} serial chars, last: ${JSON.stringify(text.slice(-80))}; device: ${await deviceStateLine(page)}`);
      }
      const begin = text.lastIndexOf("WEBVIRGL-RUN-");
      // busybox ash follows its prompt with a cursor position query (ESC [ 6 n).
      return begin >= 0 && /# (\x1b\[6n)?$/.test(text.slice(begin));
    }, { timeout, intervals: [2000] })
    .toBe(true);
}

let sequence = 0;

/**
 * Runs `command` on the serial shell and returns what it printed. The end marker is computed by
 * the shell (`$((...))`), so the echoed command line itself never matches it.
 */
export async function runSerial(page: Page, command: string, timeout = 120_000): Promise<string> {
  const n = ++sequence * 1000;
  const marker = `WEBVIRGL-CMD-DONE-${n + 1}`;
  const start = (await serialText(page)).length;
  await page.evaluate((line) => window.webvirgl!.sendSerial(line), `${command}; echo WEBVIRGL-CMD-DONE-$((${n}+1))\n`);
  let output = "";
  await expect
    .poll(async () => {
      const text = (await serialText(page)).slice(start);
      const end = text.indexOf(`${marker}\r\n`) >= 0 ? text.indexOf(`${marker}\r\n`) : text.indexOf(`${marker}\n`);
      if (end < 0) return false;
      // Drop the echoed command line (the shell's line editor may have wrapped it).
      const echoed = text.indexOf(`$((${n}+1))`);
      output = text.slice(text.indexOf("\n", echoed) + 1, end);
      return true;
    }, { timeout, intervals: [500] })
    .toBe(true);
  return output;
}

export interface ScreenInk {
  width: number;
  height: number;
  /** The most common colour (the console background), as 0xRRGGBB. */
  background: number;
  /** Pixels that differ clearly from the background in the region. */
  ink: number;
  /** A hash of the region's pixels: changes when anything there changes. */
  checksum: number;
}

/**
 * Reads back what the GPU worker presents and counts "ink": pixels far from the dominant colour,
 * in `region` (fractions of the screen; default the whole screen).
 */
export function screenInk(page: Page, region = { x0: 0, y0: 0, x1: 1, y1: 1 }): Promise<ScreenInk> {
  return page.evaluate(async (r) => {
    const { pixels, width, height } = await window.webvirgl!.gpuClient!.readPixels();
    const counts = new Map<number, number>();
    for (let i = 0; i < pixels.length; i += 4 * 97) {
      const rgb = (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
      counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
    }
    let background = 0;
    let best = -1;
    for (const [rgb, n] of counts) if (n > best) [background, best] = [rgb, n];
    const br = background >> 16, bg = (background >> 8) & 0xff, bb = background & 0xff;
    let ink = 0;
    let checksum = 0;
    const xs = Math.floor(r.x0 * width), xe = Math.floor(r.x1 * width);
    const ys = Math.floor(r.y0 * height), ye = Math.floor(r.y1 * height);
    for (let y = ys; y < ye; y++) {
      for (let x = xs; x < xe; x++) {
        const i = 4 * (y * width + x);
        const pr = pixels[i]!, pg = pixels[i + 1]!, pb = pixels[i + 2]!;
        if (Math.abs(pr - br) + Math.abs(pg - bg) + Math.abs(pb - bb) > 96) ink++;
        checksum = (Math.imul(checksum, 31) + pr + 7 * pg + 13 * pb) | 0;
      }
    }
    return { width, height, background, ink, checksum };
  }, region);
}

/** The console region: the whole screen (fbcon draws from the top-left over all of it). */
export const consoleInk = (page: Page): Promise<ScreenInk> => screenInk(page);
