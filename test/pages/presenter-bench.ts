/**
 * Page side of bench/presenter.ts (kept in the page: functions passed to page.evaluate from
 * tsx get esbuild's __name helpers, which do not exist in the page).
 */
import "./presenter.ts";

export interface Lat {
  rttMedianMs: number;
  rttP95Ms: number;
  workerMedianMs: number;
}
export interface Thr {
  seconds: number;
  flushesPerSecond: number;
  framesPerSecond: number;
  uploadMBps: number;
  writesCoalesced: number;
  frameCpuMs: number;
  /** Worker busy after each frame callback (the browser's commit), average ms. */
  commitMs: number;
}
export interface PresenterBenchResults {
  renderer: string;
  presentMode: string;
  latencyFull: Lat;
  latencyLine: Lat;
  throughputPooled: Thr;
  throughputFresh: Thr;
  /** 1024x16 "console line" writeRect + flush as fast as possible. */
  throughputLine: Thr;
  cursorFps: number;
  cursorFrameCpuMs: number;
  cursorCommitMs: number;
  pingUs: number;
}

async function run(W = 1024, H = 768): Promise<PresenterBenchResults> {
  const h = window.presenterHarness;
  const renderer = await h.start();
  const presentMode = new URLSearchParams(location.search).get("present") ?? "composite";
  const c = h.c;
  const FRAME = W * H * 4;
  // "Guest RAM": two alternating images so every frame really changes.
  const guest = [new Uint8Array(FRAME), new Uint8Array(FRAME)];
  for (let i = 0; i < FRAME; i += 4) {
    guest[0][i] = i & 255;
    guest[1][i + 1] = (i >> 8) & 255;
  }
  c.createResource2D(1, W, H, 2);
  c.setScanout(0, 1, { x: 0, y: 0, width: W, height: H });
  const full = { x: 0, y: 0, width: W, height: H };
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  let flip = 0;

  const write = (rect: typeof full, pooled: boolean) => {
    const n = rect.width * rect.height * 4;
    const px = pooled ? c.allocPixels(n) : new Uint8Array(n);
    px.set(guest[flip++ & 1].subarray(0, n)); // the device's copy out of guest RAM
    c.writeRect(1, rect, px);
    c.flush(1, rect);
  };

  async function latency(rect: typeof full, n: number) {
    const rtt: number[] = [];
    const wk: number[] = [];
    for (let i = 0; i < n + 5; i++) {
      const t0 = performance.now();
      write(rect, true);
      const p = await c.whenPresented();
      if (i >= 5) {
        rtt.push(performance.now() - t0);
        wk.push(p.latencyMs);
      }
    }
    return { rttMedianMs: q(rtt, 0.5), rttP95Ms: q(rtt, 0.95), workerMedianMs: q(wk, 0.5) };
  }

  async function throughput(seconds: number, pooled: boolean, rect = full) {
    const s0 = await c.requestStats();
    const t0 = performance.now();
    let flushes = 0;
    const inflight: Promise<unknown>[] = [];
    while (performance.now() - t0 < seconds * 1000) {
      write(rect, pooled);
      flushes++;
      inflight.push(c.whenPresented());
      if (inflight.length >= 8) await inflight.shift();
      // Yield to the event loop now and then so `presented`/`recycle` messages arrive.
      if ((flushes & 1) === 0) await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(inflight);
    const dt = (performance.now() - t0) / 1000;
    const s1 = await c.requestStats();
    const frames = s1.framesPresented - s0.framesPresented;
    return {
      seconds: dt,
      flushesPerSecond: flushes / dt,
      framesPerSecond: frames / dt,
      uploadMBps: (s1.bytesUploaded - s0.bytesUploaded) / 1e6 / dt,
      writesCoalesced: s1.writesCoalesced - s0.writesCoalesced,
      frameCpuMs: (s1.frameCpuMsTotal - s0.frameCpuMsTotal) / Math.max(1, frames),
      commitMs: (s1.commitMsTotal - s0.commitMsTotal) / Math.max(1, frames),
    };
  }

  async function cursor(seconds: number) {
    c.updateCursor(0, h.cursorImage(1, 64, 64, [255, 255, 255, 255], 0, 0, true), 0, 0);
    await h.settle(5);
    const s0 = await c.requestStats();
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < seconds * 1000) {
      c.moveCursor(0, (i * 7) % 900, (i * 5) % 700);
      i++;
      await new Promise((r) => setTimeout(r, 8)); // ~120 moves/s: more than one per frame
    }
    const dt = (performance.now() - t0) / 1000;
    const s1 = await c.requestStats();
    const frames = s1.framesPresented - s0.framesPresented;
    return { fps: frames / dt, cpu: (s1.frameCpuMsTotal - s0.frameCpuMsTotal) / Math.max(1, frames), commit: (s1.commitMsTotal - s0.commitMsTotal) / Math.max(1, frames) };
  }

  write(full, true);
  await c.whenPresented();
  const pings: number[] = [];
  for (let i = 0; i < 200; i++) pings.push(await c.ping());
  const latencyFull = await latency(full, 60);
  const latencyLine = await latency({ x: 0, y: H >> 1, width: W, height: 16 }, 60);
  const throughputPooled = await throughput(4, true);
  const throughputFresh = await throughput(4, false);
  const throughputLine = await throughput(4, true, { x: 0, y: H >> 1, width: W, height: 16 });
  const cur = await cursor(3);
  return {
    renderer,
    presentMode,
    latencyFull,
    latencyLine,
    throughputPooled,
    throughputFresh,
    throughputLine,
    cursorFps: cur.fps,
    cursorFrameCpuMs: cur.cpu,
    cursorCommitMs: cur.commit,
    pingUs: Math.round(q(pings, 0.5) * 1000),
  };
}

declare global {
  interface Window {
    presenterBench: { run: typeof run };
  }
}
window.presenterBench = { run };
