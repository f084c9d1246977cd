/**
 * GPU worker entry (module worker). Owns the OffscreenCanvas transferred from the page and
 * its WebGL2 context; applies ScanoutBackend messages to the Presenter and presents at most
 * once per animation frame.
 *
 * Pacing: messages only update the model and queue uploads; all GL work happens in a rAF
 * callback (frame-scheduler.ts; a watchdog timer stands in while rAF is paused), so whatever
 * the guest's update rate, the GL queue holds at most one frame of work (Chromium throttles
 * worker rAF when the GPU process falls behind). A frame is requested only when there is
 * something to do: an idle screen costs nothing.
 */
import { FrameScheduler } from "./frame-scheduler.ts";
import { Presenter, DISPLAY_SCANOUT, type PresentMode } from "./presenter.ts";
import { resolvePresentMode } from "./present-mode.ts";
import { describeMessage, validateToWorker, type FromWorker, type PresentModeRequest, type ToWorker } from "./protocol.ts";
import { ReadbackOutput } from "./readback-output.ts";
import { VirglHost } from "./virgl-host.ts";
import { isVirglMessageType, replyIdOf, type VirglCapsets, type VirglToWorker } from "./virgl-protocol.ts";

interface WorkerScope {
  onmessage: ((ev: MessageEvent<unknown>) => void) | null;
  postMessage(msg: FromWorker, transfer?: Transferable[]): void;
  requestAnimationFrame?: (cb: (t: number) => void) => number;
}

const scope = self as unknown as WorkerScope;

let presenter: Presenter | null = null;
/** The virgl renderer on the same context (null when the page asked for 2D only or it failed to start). */
let virgl: VirglHost | null = null;
let gl: WebGL2RenderingContext | null = null;
let frameNo = 0;
let lastStatsJson = "";

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function report(message: string, context: string): void {
  console.warn(`[gpu-worker] ${context}: ${message}`);
  if (presenter) presenter.stats.errors++;
  post({ type: "error", message, context });
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.message}${e.stack ? `\n${e.stack}` : ""}` : String(e);
}

const frames = new FrameScheduler(
  {
    raf: scope.requestAnimationFrame ? (cb) => scope.requestAnimationFrame?.(cb) : undefined,
    setTimeout: (cb, ms) => void setTimeout(cb, ms),
  },
  () => onFrame(),
);

function requestFrame(): void {
  if (!presenter?.wantsFrame || !presenter.attached) return;
  frames.request();
}

function onFrame(): void {
  if (!presenter) return;
  const p = presenter;
  try {
    virgl?.enterPresenter();
    const done = p.frame();
    if (done) {
      post({ type: "presented", frame: ++frameNo, seq: done.seq, latencyMs: done.latencyMs });
      // The browser commits the frame after this callback; a task queued now runs once the
      // thread is free again, which measures that commit.
      const end = performance.now();
      setTimeout(() => {
        p.stats.lastCommitMs = performance.now() - end;
        p.stats.commitMsTotal += p.stats.lastCommitMs;
      }, 0);
    }
  } catch (e) {
    report(errorText(e), "frame");
  }
  returnSpent();
  requestFrame();
}

/** Returns uploaded pixel buffers to the page (they were transferred to us). */
function returnSpent(): void {
  const buffers = presenter?.takeSpent() ?? [];
  if (buffers.length > 0) post({ type: "recycle", buffers }, buffers);
}

function pushStats(force: boolean): void {
  if (!presenter) return;
  const json = JSON.stringify(presenter.stats);
  if (!force && json === lastStatsJson) return;
  lastStatsJson = json;
  post({ type: "stats", stats: { ...presenter.stats } });
}

function postScanoutState(): void {
  const size = presenter?.displaySize ?? null;
  post({ type: "scanout", scanoutId: DISPLAY_SCANOUT, active: size !== null, width: size?.width ?? 0, height: size?.height ?? 0 });
}

/** Starts the virgl renderer on the presenter's context; its caps go to the page in `ready`. */
function startVirgl(ctx: WebGL2RenderingContext, p: Presenter): { caps: VirglCapsets | null; error?: string } {
  try {
    const host = new VirglHost({ gl: ctx, presenter: p, post, scanoutChanged: postScanoutState, report });
    const caps = host.capsets();
    virgl = host;
    return { caps };
  } catch (e) {
    const error = errorText(e);
    console.warn(`[gpu-worker] virgl renderer failed to start: ${error}`);
    return { caps: null, error };
  }
}

function webgl2(canvas: OffscreenCanvas, preserveDrawingBuffer: boolean): WebGL2RenderingContext {
  const ctx = canvas.getContext("webgl2", { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer, premultipliedAlpha: true });
  if (!ctx) throw new Error("WebGL2 is not available");
  return ctx;
}

function rendererName(ctx: WebGL2RenderingContext): string {
  const dbg = ctx.getExtension("WEBGL_debug_renderer_info");
  return String(ctx.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : ctx.RENDERER));
}

interface Display {
  gl: WebGL2RenderingContext;
  /** The canvas the context belongs to (context loss events come from it). */
  glCanvas: OffscreenCanvas;
  mode: PresentMode;
  renderer: string;
  output: ReadbackOutput | null;
}

/**
 * The WebGL2 context and where frames go, for the requested mode. "readback" puts the context
 * on a private canvas and gives the displayed one a 2D context. "auto" must know the renderer
 * before it can choose, so it starts the same way; when that says hardware, the private context
 * is dropped and the mode's context is made on the displayed canvas (a canvas keeps the first
 * kind of context it gets, so the 2D-or-WebGL choice cannot be made on it by trying).
 */
function openDisplay(canvas: OffscreenCanvas, requested: PresentModeRequest): Display {
  if (requested === "composite" || requested === "damage") {
    // "damage" mode paints only changed rects, so it needs the previous frame kept.
    const ctx = webgl2(canvas, requested === "damage");
    return { gl: ctx, glCanvas: canvas, mode: requested, renderer: rendererName(ctx), output: null };
  }
  const glCanvas = new OffscreenCanvas(1, 1); // never displayed: its drawing buffer is never drawn to
  const ctx = webgl2(glCanvas, false);
  const renderer = rendererName(ctx);
  const mode = resolvePresentMode(requested, renderer);
  if (mode !== "readback") {
    ctx.getExtension("WEBGL_lose_context")?.loseContext();
    return openDisplay(canvas, mode);
  }
  const ctx2d = canvas.getContext("2d", { alpha: false });
  if (!ctx2d) throw new Error("readback present mode: the displayed canvas has no 2D context");
  return { gl: ctx, glCanvas, mode, renderer, output: new ReadbackOutput(ctx2d) };
}

function init(canvas: OffscreenCanvas, statsIntervalMs: number, requested: PresentModeRequest, withVirgl: boolean): void {
  if (presenter) throw new Error("init twice");
  const display = openDisplay(canvas, requested);
  const ctx = display.gl;
  gl = ctx;
  const p = new Presenter(canvas, report, display.mode, display.output);
  presenter = p;
  display.glCanvas.addEventListener("webglcontextlost", (ev) => {
    // preventDefault asks the browser to restore the context later.
    ev.preventDefault();
    console.warn("[gpu-worker] WebGL context lost");
    p.detach();
    post({ type: "contextLost" });
  });
  display.glCanvas.addEventListener("webglcontextrestored", () => {
    console.warn("[gpu-worker] WebGL context restored; rebuilding GL objects");
    try {
      // The renderer's GL objects died with the old context; its 3D state is not rebuilt (the
      // guest would need a device reset), but its state cache must not hold stale bindings.
      virgl?.enterPresenter();
      p.attach(ctx);
      post({ type: "contextRestored" });
      requestFrame();
    } catch (e) {
      report(errorText(e), "context restore");
    }
  });
  p.attach(ctx);
  if (statsIntervalMs > 0) setInterval(() => pushStats(false), statsIntervalMs);
  const v = withVirgl ? startVirgl(ctx, p) : { caps: null };
  post({ type: "ready", renderer: display.renderer, presentMode: display.mode, virgl: v.caps, ...(v.error ? { virglError: v.error } : {}) });
}

function readback(id: number, cursor: boolean, png: boolean): void {
  virgl?.enterPresenter();
  const shot = presenter?.readback(cursor) ?? null;
  if (!shot) {
    const why = presenter?.attached === false ? "WebGL context lost" : "no active scanout";
    post({ type: "readback", id, width: 0, height: 0, pixels: null, png: null, error: why });
    return;
  }
  const { width, height, pixels } = shot;
  if (!png) {
    post({ type: "readback", id, width, height, pixels, png: null, error: null }, [pixels.buffer]);
    return;
  }
  const c2d = new OffscreenCanvas(width, height);
  const ctx2d = c2d.getContext("2d");
  if (!ctx2d) {
    post({ type: "readback", id, width, height, pixels: null, png: null, error: "no 2d context" });
    return;
  }
  ctx2d.putImageData(new ImageData(new Uint8ClampedArray(pixels.buffer as ArrayBuffer), width, height), 0, 0);
  c2d.convertToBlob({ type: "image/png" }).then(
    (blob) => post({ type: "readback", id, width, height, pixels: null, png: blob, error: null }),
    (e: unknown) => post({ type: "readback", id, width, height, pixels: null, png: null, error: errorText(e) }),
  );
}

function loseContext(restoreAfterMs: number): void {
  const ext = gl?.getExtension("WEBGL_lose_context");
  if (!ext) throw new Error("WEBGL_lose_context unavailable");
  ext.loseContext();
  setTimeout(() => ext.restoreContext(), restoreAfterMs);
}

function handle(msg: ToWorker): void {
  if (msg.type === "init") return init(msg.canvas, msg.statsIntervalMs, msg.presentMode, msg.virgl ?? false);
  if (msg.type === "ping") return post({ type: "pong", id: msg.id });
  const p = presenter;
  if (!p) throw new Error("message before init");
  if (isVirglMessageType(msg.type)) {
    if (!virgl) throw new Error("virgl message but the virgl renderer is not running");
    virgl.handle(msg as VirglToWorker);
    requestFrame();
    return;
  }
  virgl?.enterPresenter();
  switch (msg.type) {
    case "createResource2D":
      p.createResource2D(msg.resourceId, msg.width, msg.height, msg.format);
      break;
    case "destroyResource":
      p.destroyResource(msg.resourceId);
      returnSpent();
      break;
    case "writeRect":
      p.writeRect(msg.resourceId, msg.rect, msg.pixels);
      break;
    case "setScanout":
      if (p.setScanout(msg.scanoutId, msg.resourceId, msg.rect)) postScanoutState();
      break;
    case "flush":
      p.flush(msg.resourceId, msg.rect, msg.seq, msg.sentAt);
      break;
    case "updateCursor":
      p.updateCursor(msg.scanoutId, msg.image, msg.x, msg.y);
      break;
    case "moveCursor":
      p.moveCursor(msg.scanoutId, msg.x, msg.y);
      break;
    case "reset":
      p.reset();
      returnSpent();
      post({ type: "scanout", scanoutId: DISPLAY_SCANOUT, active: false, width: 0, height: 0 });
      break;
    case "readback":
      readback(msg.id, msg.cursor, msg.png);
      break;
    case "getStats":
      pushStats(true);
      break;
    case "debugLoseContext":
      loseContext(msg.restoreAfterMs);
      break;
  }
  requestFrame();
}

scope.onmessage = (ev: MessageEvent<unknown>): void => {
  // Never throw out of here: an exception would only reach the page as an opaque
  // ErrorEvent and the guest's screen would silently stop. Log with context and report.
  try {
    const v = validateToWorker(ev.data);
    if (!v.ok) {
      report(v.error, `invalid message (${describeMessage(ev.data)})`);
      answerUnhandled(ev.data, `invalid message: ${v.error}`);
      return;
    }
    handle(v.msg);
  } catch (e) {
    report(errorText(e), describeMessage(ev.data));
    answerUnhandled(ev.data, errorText(e));
  }
};

/** A virgl request that could not be handled still gets its reply (with the error), so the guest request behind it completes. */
function answerUnhandled(data: unknown, why: string): void {
  const id = replyIdOf(data);
  if (id === null) return;
  const type = (data as { type: string }).type;
  post({ type: "virglReply", id, backingWrites: [], error: { ctx: 0, cmd: type, offset: -1, message: `GPU worker could not handle it: ${why}` } });
}
