/**
 * The typed message protocol between the page (gpu-client.ts) and the GPU worker
 * (gpu-worker.ts). Both sides import these types; the worker runs every incoming message
 * through `validateToWorker` first, because a malformed message must be logged and reported,
 * never thrown out of the message handler (that would kill the presenter for the session).
 *
 * Transport: plain postMessage with the pixel ArrayBuffers transferred (zero copy); see
 * README.md for the measurements behind that choice.
 */
import type { CursorImage, Format2D, Rect } from "../gpu/scanout-backend.ts";
import { isFormat2D } from "./conv-2d.ts";
import { isVirglMessageType, virglMessageError, type VirglCapsets, type VirglFromWorker, type VirglToWorker } from "./virgl-protocol.ts";

/** Largest texture side we accept; SwiftShader and every WebGL2 GPU we target allow 8192. */
export const MAX_SIDE = 8192;
/** Scanouts the device may address (virtio-gpu allows 16); only scanout 0 drives the canvas. */
export const MAX_SCANOUTS = 16;

/** How frames reach the canvas; see presenter.ts and README "Present modes". */
export type PresentMode = "composite" | "damage" | "readback";

/** What the page may ask for: a mode, or "auto" (the worker picks by renderer, present-mode.ts). */
export type PresentModeRequest = PresentMode | "auto";

const PRESENT_MODE_REQUESTS: readonly unknown[] = ["composite", "damage", "readback", "auto"] satisfies PresentModeRequest[];

// ---- page → worker -------------------------------------------------------------------------

export type ToWorker =
  /** `virgl`: also start the virgl renderer on the context (its caps come back in `ready`); absent = false. */
  | { type: "init"; canvas: OffscreenCanvas; statsIntervalMs: number; presentMode: PresentModeRequest; virgl?: boolean }
  | { type: "createResource2D"; resourceId: number; width: number; height: number; format: Format2D }
  | { type: "destroyResource"; resourceId: number }
  | { type: "writeRect"; resourceId: number; rect: Rect; pixels: Uint8Array }
  | { type: "setScanout"; scanoutId: number; resourceId: number; rect: Rect }
  /**
   * `seq` increases by one per flush; `presented` messages report the last seq on screen.
   * `sentAt` is the page's clock as epoch ms (timeOrigin + now), comparable across threads:
   * latency is measured from the send, not from when the worker got round to the message.
   */
  | { type: "flush"; resourceId: number; rect: Rect; seq: number; sentAt: number }
  | { type: "updateCursor"; scanoutId: number; image: CursorImage | null; x: number; y: number }
  | { type: "moveCursor"; scanoutId: number; x: number; y: number }
  | { type: "reset" }
  /** Reads the scanout back; `cursor` composites the cursor too. Answered by `readback`. */
  | { type: "readback"; id: number; cursor: boolean; png: boolean }
  | { type: "ping"; id: number }
  | { type: "getStats" }
  /** Test hook: WEBGL_lose_context.loseContext(), then restoreContext() after `restoreAfterMs`. */
  | { type: "debugLoseContext"; restoreAfterMs: number }
  /** The 3D (virgl) messages: virgl-protocol.ts. */
  | VirglToWorker;

export type ToWorkerType = ToWorker["type"];

// ---- worker → page -------------------------------------------------------------------------

export interface PresenterStats {
  framesPresented: number;
  flushes: number;
  writes: number;
  /** Writes dropped before upload because a later write in the same frame covered them. */
  writesCoalesced: number;
  bytesUploaded: number;
  /** Flush sent by the page → frame submitted by the worker (ms), oldest flush of that frame. */
  lastPresentLatencyMs: number;
  /**
   * How long the worker thread stayed busy after the last frame callback returned (ms): the
   * browser's frame commit. On SwiftShader this, not our GL work, bounds the frame rate.
   */
  lastCommitMs: number;
  /** Sum of the above over all frames, ms (average = commitMsTotal / framesPresented). */
  commitMsTotal: number;
  contextLosses: number;
  errors: number;
  /** CPU time spent in frame callbacks (uploads, blits, composite issue), summed, ms. */
  frameCpuMsTotal: number;
}

export type FromWorker =
  /** `virgl`: the renderer's capsets (null when virgl is off or failed to start: `virglError` says why). */
  /** `presentMode`: the mode in use (what "auto" resolved to). */
  | { type: "ready"; renderer: string; presentMode: PresentMode; virgl?: VirglCapsets | null; virglError?: string }
  | { type: "scanout"; scanoutId: number; active: boolean; width: number; height: number }
  | { type: "presented"; frame: number; seq: number; latencyMs: number }
  | { type: "stats"; stats: PresenterStats }
  | { type: "readback"; id: number; width: number; height: number; pixels: Uint8Array | null; png: Blob | null; error: string | null }
  | { type: "pong"; id: number }
  /** Pixel buffers the worker has uploaded, transferred back for reuse (allocPixels). */
  | { type: "recycle"; buffers: ArrayBuffer[] }
  | { type: "error"; message: string; context: string }
  | { type: "contextLost" }
  | { type: "contextRestored" }
  | VirglFromWorker;

// ---- validation (pure; unit tested) --------------------------------------------------------

export type Validated = { ok: true; msg: ToWorker } | { ok: false; error: string };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null;
}

function isU32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function isI32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}

function isRect(v: unknown): v is Rect {
  if (!isObj(v)) return false;
  return (
    isU32(v.x) && isU32(v.y) && isU32(v.width) && isU32(v.height) &&
    v.width <= MAX_SIDE && v.height <= MAX_SIDE && v.x <= MAX_SIDE && v.y <= MAX_SIDE
  );
}

function isSide(v: unknown): v is number {
  return isU32(v) && v >= 1 && v <= MAX_SIDE;
}

class Invalid extends Error {}

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Invalid(what);
}

function checkCursor(v: unknown): asserts v is CursorImage | null {
  if (v === null) return;
  need(isObj(v), "cursor image is not an object");
  need(isSide(v.width) && isSide(v.height) && v.width <= 256 && v.height <= 256, "bad cursor size");
  need(isFormat2D(v.format), "bad cursor format");
  need(isU32(v.hotX) && isU32(v.hotY), "bad cursor hotspot");
  need(v.pixels instanceof Uint8Array, "cursor pixels not a Uint8Array");
  need(v.pixels.byteLength === (v.width as number) * (v.height as number) * 4, "cursor pixels length");
}

/** Checks shape, ranges and sizes. Never throws. */
export function validateToWorker(m: unknown): Validated {
  try {
    need(isObj(m), "message is not an object");
    switch (m.type) {
      case "init":
        need(typeof OffscreenCanvas !== "undefined" && m.canvas instanceof OffscreenCanvas, "init without OffscreenCanvas");
        need(isU32(m.statsIntervalMs), "bad statsIntervalMs");
        need(PRESENT_MODE_REQUESTS.includes(m.presentMode), "bad presentMode");
        need(m.virgl === undefined || typeof m.virgl === "boolean", "bad virgl flag");
        break;
      case "createResource2D":
        need(isU32(m.resourceId) && m.resourceId !== 0, "bad resourceId");
        need(isSide(m.width) && isSide(m.height), "bad resource size");
        need(isFormat2D(m.format), "bad format");
        break;
      case "destroyResource":
        need(isU32(m.resourceId) && m.resourceId !== 0, "bad resourceId");
        break;
      case "writeRect": {
        need(isU32(m.resourceId) && m.resourceId !== 0, "bad resourceId");
        need(isRect(m.rect), "bad rect");
        need(m.pixels instanceof Uint8Array, "pixels not a Uint8Array");
        const r = m.rect as Rect;
        need(m.pixels.byteLength === r.width * r.height * 4, "pixels length != width*height*4");
        break;
      }
      case "setScanout":
        need(isU32(m.scanoutId) && m.scanoutId < MAX_SCANOUTS, "bad scanoutId");
        need(isU32(m.resourceId), "bad resourceId");
        need(isRect(m.rect), "bad rect");
        break;
      case "flush":
        need(isU32(m.resourceId) && m.resourceId !== 0, "bad resourceId");
        need(isRect(m.rect), "bad rect");
        need(typeof m.seq === "number" && Number.isSafeInteger(m.seq) && m.seq >= 0, "bad seq");
        need(typeof m.sentAt === "number" && Number.isFinite(m.sentAt), "bad sentAt");
        break;
      case "updateCursor":
        need(isU32(m.scanoutId) && m.scanoutId < MAX_SCANOUTS, "bad scanoutId");
        need(isI32(m.x) && isI32(m.y), "bad cursor position");
        checkCursor(m.image);
        break;
      case "moveCursor":
        need(isU32(m.scanoutId) && m.scanoutId < MAX_SCANOUTS, "bad scanoutId");
        need(isI32(m.x) && isI32(m.y), "bad cursor position");
        break;
      case "reset":
      case "getStats":
        break;
      case "readback":
        need(isU32(m.id), "bad id");
        need(typeof m.cursor === "boolean" && typeof m.png === "boolean", "bad readback flags");
        break;
      case "ping":
        need(isU32(m.id), "bad id");
        break;
      case "debugLoseContext":
        need(isU32(m.restoreAfterMs), "bad restoreAfterMs");
        break;
      default: {
        if (!isVirglMessageType(m.type)) return { ok: false, error: `unknown message type ${JSON.stringify(m.type)}` };
        const problem = virglMessageError(m);
        need(problem === null, problem ?? "");
      }
    }
    return { ok: true, msg: m as unknown as ToWorker };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: isObj(m) ? `${String(m.type)}: ${e.message}` : e.message };
    return { ok: false, error: `validation crashed: ${String(e)}` };
  }
}

/** What to say about a message in a log line, without dumping megabytes of pixels. */
export function describeMessage(m: unknown): string {
  if (!isObj(m)) return typeof m;
  const parts: string[] = [`type=${String(m.type)}`];
  for (const k of ["resourceId", "scanoutId", "seq", "id", "format", "width", "height", "x", "y", "ctxId", "res"]) {
    if (k in m) parts.push(`${k}=${String(m[k])}`);
  }
  if (isRect(m.rect)) parts.push(`rect=${m.rect.x},${m.rect.y} ${m.rect.width}x${m.rect.height}`);
  if (m.pixels instanceof Uint8Array) parts.push(`pixels=${m.pixels.byteLength}B`);
  return parts.join(" ");
}
