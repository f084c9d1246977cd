/**
 * Page-side client of the GPU worker: implements ScanoutBackend by posting messages.
 *
 * Transport choice, measured by bench/presenter-transport.ts (headless Chromium 156,
 * SwiftShader, 2 shared cores under load; 1024x768x4 = 3 MiB frames; medians, best of 2):
 *
 *   transport                                ping RTT   frame RTT   frames/s (window 4)
 *   postMessage + transfer (fresh buffers)     30 us     1.6-1.8 ms     390-410
 *   postMessage + transfer (recycled buffers)  30 us     120-130 us    3800-5000
 *   comlink + Comlink.transfer                 50-55 us  1.7-1.8 ms     300-460
 *   SharedArrayBuffer ring (4 slots, waitAsync) 40 us     140-150 us    6500-7400
 *
 * Every variant pays one copy out of guest RAM on the page. What separates them is not the
 * transfer but allocating a fresh 3 MiB ArrayBuffer per frame (~1.5 ms: page faults and
 * zeroing). With buffers recycled, postMessage is within 1.5x of the SAB ring and 20x
 * faster than the presenter can upload and show a frame anyway (SwiftShader: ~60 ms/frame).
 * => postMessage with transfer + a recycling pool (the worker transfers uploaded buffers
 *    back; allocPixels() hands them out again). It keeps every message in one ordered
 *    stream with the flushes and scanout changes, needs no ring sizing, polling or wake-up
 *    protocol, and stays fire-and-forget like the ScanoutBackend calls. comlink adds a proxy
 *    layer and a reply per call we do not need: no gain. The SAB ring remains the option if
 *    a future caller needs sub-30 us wake-ups (not the presenter: it is paced by rAF).
 */
import type { CursorImage, Format2D, Rect, ScanoutBackend } from "../gpu/scanout-backend.ts";
import type { FromWorker, PresentMode, PresentModeRequest, PresenterStats, ToWorker } from "./protocol.ts";
import type { VirglCapsets, VirglFromWorker, VirglToWorker } from "./virgl-protocol.ts";

export interface PresentInfo {
  frame: number;
  /** Last flush seq on screen. */
  seq: number;
  /** Flush sent → frame submitted (page send time to worker frame time), ms. */
  latencyMs: number;
}

export interface ScanoutInfo {
  active: boolean;
  width: number;
  height: number;
}

export interface Readback {
  width: number;
  height: number;
  /** RGBA, top row first, as the scanout holds it (alpha included; the canvas ignores it). */
  pixels: Uint8Array;
}

export interface GpuClientOptions {
  /** How often the worker pushes changed stats (ms); 0 = only on requestStats(). */
  statsIntervalMs?: number;
  /**
   * "composite" (preserveDrawingBuffer false, full-screen quad per frame), "damage"
   * (preserveDrawingBuffer true, repaint only damaged rects), "readback" (damaged rects read
   * back into a 2D canvas) or "auto" (default: "readback" on a software renderer, where the
   * browser composites in software, else "damage"); see src/worker/README.md "Present modes".
   * `presentMode` on the client says which one the worker uses.
   */
  presentMode?: PresentModeRequest;
  /** For tests and benchmarks: a worker created elsewhere. */
  worker?: Worker;
  /**
   * Start the virgl (3D) renderer on the worker's context too (default false: 2D users and the
   * presenter tests/benchmarks keep a worker without it). Its capsets are in
   * `virglCapsets` once create() resolves; the device's 3D module talks to it through
   * `WorkerVirglPort` (virgl-port-client.ts).
   */
  virgl?: boolean;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(fn: Listener<T>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(v: T): void {
    for (const fn of this.listeners) {
      try {
        fn(v);
      } catch (e) {
        console.error("[gpu-client] listener threw", e);
      }
    }
  }
}

/** Smallest pooled buffer; below this allocation is cheap and pooling not worth it. */
const POOL_MIN = 4096;
/** Buffers kept per size class, and overall bytes kept, by the recycling pool. */
const POOL_PER_CLASS = 4;
const POOL_MAX_BYTES = 64 << 20;

/** Powers of two up to 1 MiB, then whole MiB (a 1024x768 frame is exactly 3 MiB). */
function sizeClass(n: number): number {
  const MiB = 1 << 20;
  if (n > MiB) return Math.ceil(n / MiB) * MiB;
  return Math.max(POOL_MIN, 2 ** Math.ceil(Math.log2(Math.max(1, n))));
}

/**
 * Pixel buffers round-trip: page → worker (transferred with writeRect) → page (transferred
 * back once uploaded). Reusing them is what makes full-screen writes cheap: allocating a fresh
 * 3 MiB ArrayBuffer per write costs ~1.5 ms (page faults + zeroing), 10x the transfer itself.
 */
class PixelPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Buffers we handed out (or took back): only these may be transferred whole when the view is smaller. */
  private readonly ours = new WeakSet<ArrayBuffer>();
  private bytes = 0;

  alloc(n: number): Uint8Array<ArrayBuffer> {
    const cls = sizeClass(n);
    const reused = this.free.get(cls)?.pop();
    if (reused) this.bytes -= cls;
    const buf = reused ?? new ArrayBuffer(cls);
    this.ours.add(buf);
    return new Uint8Array(buf, 0, n);
  }

  get pooledBytes(): number {
    return this.bytes;
  }

  give(buf: ArrayBuffer): void {
    const cls = buf.byteLength;
    if (cls !== sizeClass(cls) || this.bytes + cls > POOL_MAX_BYTES) return;
    const list = this.free.get(cls) ?? [];
    if (list.length >= POOL_PER_CLASS) return;
    list.push(buf);
    this.free.set(cls, list);
    this.ours.add(buf);
    this.bytes += cls;
  }

  /**
   * Ownership of pixels passes to us (ScanoutBackend contract), so a buffer that is exactly
   * the view, or one of our pool buffers, is transferred. A view into someone else's larger
   * buffer (say, guest RAM) or a shared buffer must not be detached or shared: copy those.
   */
  transferable(pixels: Uint8Array): Uint8Array<ArrayBuffer> {
    const buf = pixels.buffer;
    if (buf instanceof ArrayBuffer && (this.ours.has(buf) || (pixels.byteOffset === 0 && pixels.byteLength === buf.byteLength))) {
      return pixels as Uint8Array<ArrayBuffer>;
    }
    const copy = this.alloc(pixels.byteLength);
    copy.set(pixels);
    return copy;
  }
}

export class GpuClient implements ScanoutBackend {
  private readonly worker: Worker;
  private readonly pool = new PixelPool();
  private seq = 0;
  private presentedSeq = 0;
  private nextId = 1;
  private disposed = false;
  private readonly waiters: { seq: number; resolve: (p: PresentInfo) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private readonly scanoutChanged = new Emitter<ScanoutInfo>();
  private readonly statsEvt = new Emitter<PresenterStats>();
  private readonly errorEvt = new Emitter<{ message: string; context: string }>();
  private readonly lostEvt = new Emitter<void>();
  private readonly restoredEvt = new Emitter<void>();
  private readonly presentedEvt = new Emitter<PresentInfo>();
  private lastStats: PresenterStats | null = null;
  private statsWaiters: ((s: PresenterStats) => void)[] = [];
  /** GL renderer string reported by the worker (e.g. SwiftShader). */
  renderer = "";
  /** The present mode the worker uses (what "auto" resolved to). */
  presentMode: PresentMode = "damage";
  /** The virgl renderer's capsets, read from the worker's real WebGL2 context (null: no 3D). */
  virglCaps: VirglCapsets | null = null;
  /** Why the virgl renderer did not start, when it was asked for. */
  virglError: string | null = null;
  private readonly virglEvt = new Emitter<VirglFromWorker>();

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
    worker.onerror = (ev: ErrorEvent) => this.errorEvt.emit({ message: ev.message, context: "worker error event" });
  }

  /** Creates the worker, hands it the canvas and resolves once WebGL2 is up. */
  static create(canvas: HTMLCanvasElement, options: GpuClientOptions = {}): Promise<GpuClient> {
    const worker = options.worker ?? new Worker(new URL("./gpu-worker.ts", import.meta.url), { type: "module" });
    const client = new GpuClient(worker);
    const offscreen = canvas.transferControlToOffscreen();
    return new Promise<GpuClient>((resolve, reject) => {
      const offErr = client.onError((e) => {
        offErr();
        reject(new Error(`GPU worker failed to start: ${e.context}: ${e.message}`));
      });
      client.readyResolve = (ready) => {
        offErr();
        client.renderer = ready.renderer;
        client.presentMode = ready.presentMode;
        client.virglCaps = ready.virgl ?? null;
        client.virglError = ready.virglError ?? null;
        resolve(client);
      };
      client.send(
        { type: "init", canvas: offscreen, statsIntervalMs: options.statsIntervalMs ?? 1000, presentMode: options.presentMode ?? "auto", virgl: options.virgl ?? false },
        [offscreen],
      );
    });
  }

  private readyResolve: ((ready: Extract<FromWorker, { type: "ready" }>) => void) | null = null;

  // ---- events --------------------------------------------------------------------------------

  /** The display scanout (0) was set, resized or disabled: show this canvas instead of VGA. */
  onScanoutChanged(fn: (active: boolean, info: ScanoutInfo) => void): () => void {
    return this.scanoutChanged.on((i) => fn(i.active, i));
  }
  onStats(fn: (s: PresenterStats) => void): () => void {
    return this.statsEvt.on(fn);
  }
  onError(fn: (e: { message: string; context: string }) => void): () => void {
    return this.errorEvt.on(fn);
  }
  /** GL context lost: the screen freezes until onContextRestored. */
  onContextLost(fn: () => void): () => void {
    return this.lostEvt.on(fn);
  }
  /**
   * GL objects were rebuilt from the model; resource *contents* are gone (textures come back
   * black), so the device should re-transfer its resources and flush.
   */
  onContextRestored(fn: () => void): () => void {
    return this.restoredEvt.on(fn);
  }
  onPresented(fn: (p: PresentInfo) => void): () => void {
    return this.presentedEvt.on(fn);
  }

  // ---- ScanoutBackend ------------------------------------------------------------------------

  createResource2D(resourceId: number, width: number, height: number, format: Format2D): void {
    this.send({ type: "createResource2D", resourceId, width, height, format });
  }
  destroyResource(resourceId: number): void {
    this.send({ type: "destroyResource", resourceId });
  }
  writeRect(resourceId: number, rect: Rect, pixels: Uint8Array): void {
    const p = this.pool.transferable(pixels);
    this.send({ type: "writeRect", resourceId, rect: { ...rect }, pixels: p }, [p.buffer]);
  }
  setScanout(scanoutId: number, resourceId: number, rect: Rect): void {
    this.send({ type: "setScanout", scanoutId, resourceId, rect: { ...rect } });
  }
  flush(resourceId: number, rect: Rect): void {
    this.send({ type: "flush", resourceId, rect: { ...rect }, seq: ++this.seq, sentAt: performance.timeOrigin + performance.now() });
  }
  updateCursor(scanoutId: number, image: CursorImage | null, x: number, y: number): void {
    if (!image) return this.send({ type: "updateCursor", scanoutId, image: null, x, y });
    const p = this.pool.transferable(image.pixels);
    this.send({ type: "updateCursor", scanoutId, image: { ...image, pixels: p }, x, y }, [p.buffer]);
  }
  moveCursor(scanoutId: number, x: number, y: number): void {
    this.send({ type: "moveCursor", scanoutId, x, y });
  }
  reset(): void {
    this.send({ type: "reset" });
  }

  // ---- virgl (3D) ----------------------------------------------------------------------------

  /** Posts a virgl message in the same ordered stream as the 2D messages (virgl-port-client.ts uses this). */
  sendVirgl(msg: VirglToWorker, transfer: Transferable[] = []): void {
    this.send(msg, transfer);
  }

  /** A 3D resource flush: stamped like flush() so whenPresented()/presented acks cover it. */
  flushVirgl(res: number, rect: Rect): void {
    this.send({ type: "virglFlush", res, rect: { ...rect }, seq: ++this.seq, sentAt: performance.timeOrigin + performance.now() });
  }

  /** Replies, errors and stats from the worker's virgl host. */
  onVirglMessage(fn: (m: VirglFromWorker) => void): () => void {
    return this.virglEvt.on(fn);
  }

  // ---- extras --------------------------------------------------------------------------------

  /**
   * A pixel buffer for writeRect, recycled from earlier writes when possible. Optional: any
   * Uint8Array works, but filling one of these avoids a fresh allocation per write.
   */
  allocPixels(byteLength: number): Uint8Array {
    return this.pool.alloc(byteLength);
  }

  /** Resolves once every flush sent so far has been presented (a frame was submitted). */
  whenPresented(): Promise<PresentInfo> {
    const seq = this.seq;
    return new Promise((resolve, reject) => {
      if (this.disposed) return reject(new Error("disposed"));
      if (seq <= this.presentedSeq) return resolve({ frame: -1, seq: this.presentedSeq, latencyMs: 0 });
      this.waiters.push({ seq, resolve, reject });
    });
  }

  /** PNG of the current scanout (cursor excluded unless asked for). */
  async screenshot(options: { cursor?: boolean } = {}): Promise<Blob> {
    const m = await this.request({ type: "readback", id: this.nextId++, cursor: options.cursor ?? false, png: true });
    if (m.type !== "readback" || !m.png) throw new Error(`screenshot failed: ${m.type === "readback" ? m.error : m.type}`);
    return m.png;
  }

  /** Exact RGBA pixels of the current scanout (what screenshot() encodes). */
  async readPixels(options: { cursor?: boolean } = {}): Promise<Readback> {
    const m = await this.request({ type: "readback", id: this.nextId++, cursor: options.cursor ?? false, png: false });
    if (m.type !== "readback" || !m.pixels) throw new Error(`readPixels failed: ${m.type === "readback" ? m.error : m.type}`);
    return { width: m.width, height: m.height, pixels: m.pixels };
  }

  /** Bytes of returned pixel buffers waiting for reuse. */
  get pooledBytes(): number {
    return this.pool.pooledBytes;
  }

  /** Round trip to the worker, ms. */
  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.request({ type: "ping", id: this.nextId++ });
    return performance.now() - t0;
  }

  requestStats(): Promise<PresenterStats> {
    return new Promise((resolve) => {
      this.statsWaiters.push(resolve);
      this.send({ type: "getStats" });
    });
  }

  get stats(): PresenterStats | null {
    return this.lastStats;
  }

  /** Test hook: lose the WebGL context, restore it after `restoreAfterMs`. */
  debugLoseContext(restoreAfterMs: number): void {
    this.send({ type: "debugLoseContext", restoreAfterMs });
  }

  /**
   * Terminates the worker (its GL context goes with it) and rejects pending promises. The
   * canvas element stays transferred: a new client needs a new canvas element.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.worker.terminate();
    const err = new Error("GpuClient disposed");
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    if (this.disposed) return;
    this.worker.postMessage(msg, transfer);
  }

  private request(msg: Extract<ToWorker, { id: number }>): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.disposed) return reject(new Error("disposed"));
      this.pending.set(msg.id, { resolve, reject });
      this.send(msg);
    });
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case "ready":
        this.readyResolve?.(m);
        this.readyResolve = null;
        break;
      case "scanout":
        if (m.scanoutId === 0) this.scanoutChanged.emit({ active: m.active, width: m.width, height: m.height });
        break;
      case "presented": {
        this.presentedSeq = Math.max(this.presentedSeq, m.seq);
        const info: PresentInfo = { frame: m.frame, seq: m.seq, latencyMs: m.latencyMs };
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const w = this.waiters[i];
          if (w.seq <= m.seq) {
            this.waiters.splice(i, 1);
            w.resolve(info);
          }
        }
        this.presentedEvt.emit(info);
        break;
      }
      case "stats":
        this.lastStats = m.stats;
        for (const w of this.statsWaiters.splice(0)) w(m.stats);
        this.statsEvt.emit(m.stats);
        break;
      case "readback":
      case "pong": {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m);
        break;
      }
      case "recycle":
        for (const b of m.buffers) this.pool.give(b);
        break;
      case "error":
        this.errorEvt.emit({ message: m.message, context: m.context });
        break;
      case "contextLost":
        this.lostEvt.emit();
        break;
      case "contextRestored":
        this.restoredEvt.emit();
        break;
      case "virglReply":
      case "virglError":
      case "virglStats":
        this.virglEvt.emit(m);
        break;
    }
  }
}
