/**
 * Messages between the page's virgl port (virgl-port-client.ts, used by the device's 3D module)
 * and the GPU worker's VirglHost (virgl-host.ts). Part of the ToWorker / FromWorker unions in
 * protocol.ts; validated here on the worker side before anything reaches the renderer.
 */
import type { Rect } from "../gpu/scanout-backend.ts";
import type { GatheredChunk, TransferArgs, VirglCapsets } from "../gpu/virgl/virgl-port.ts";
import type { ResourceDesc } from "../virgl/resource-desc.ts";
import type { BackingWrite, RendererStats, VirglError } from "../virgl/renderer.ts";

export type { VirglCapsets };

/** Longest SUBMIT_3D stream (dwords) the worker accepts; the device caps submits at 16 MiB. */
export const MAX_SUBMIT_WORDS = (16 << 20) / 4;
const MAX_SIDE_3D = 16384;

export type VirglToWorker =
  | { type: "virglCreateContext"; ctxId: number; name: string }
  | { type: "virglDestroyContext"; ctxId: number }
  | { type: "virglCreateResource"; desc: ResourceDesc }
  | { type: "virglUnrefResource"; res: number }
  | { type: "virglAttachResource"; ctxId: number; res: number }
  | { type: "virglDetachResource"; ctxId: number; res: number }
  /** `bytes` = the transfer's whole backing span (null for staging buffers). No answer. */
  | { type: "virglTransferToHost"; args: TransferArgs; bytes: Uint8Array | null }
  /** Answered by virglReply {id} (after a GL fence when `fence`). */
  | { type: "virglTransferFromHost"; id: number; args: TransferArgs; fence: boolean }
  | { type: "virglSubmit"; id: number; ctxId: number; words: Uint32Array; chunks: GatheredChunk[]; fence: boolean }
  /** Answered by virglReply {id} once all GL work before it finished. */
  | { type: "virglFence"; id: number }
  | { type: "virglSetScanout"; scanoutId: number; res: number; rect: Rect }
  /** Like `flush` for 2D: seq/sentAt feed the `presented` acks. */
  | { type: "virglFlush"; res: number; rect: Rect; seq: number; sentAt: number }
  | { type: "virglReset" }
  | { type: "virglStats"; id: number };

export interface VirglHostStats {
  renderer: RendererStats;
  /** Fences (and replies waiting on them) not yet signalled. */
  pendingFences: number;
  /** 3D resources with a presenter resource for scanout (direct or copied). */
  scanoutMirrors: number;
  /** Of those, shown straight from the renderer's texture (no copy per flush). */
  scanoutDirect: number;
  submits: number;
  errors: number;
}

export type VirglFromWorker =
  | { type: "virglReply"; id: number; backingWrites: BackingWrite[]; error: VirglError | null }
  /** A fire-and-forget operation failed in the renderer. */
  | { type: "virglError"; error: VirglError }
  | { type: "virglStats"; id: number; stats: VirglHostStats };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const isU32 = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isId = (v: unknown): v is number => isU32(v) && v !== 0;
const isOffset = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function rectError(v: unknown): string | null {
  if (!isObj(v)) return "rect is not an object";
  for (const k of ["x", "y", "width", "height"]) if (!isU32(v[k]) || (v[k] as number) > MAX_SIDE_3D) return `rect.${k} = ${String(v[k])}`;
  return null;
}

function transferError(v: unknown): string | null {
  if (!isObj(v)) return "args is not an object";
  if (!isU32(v.ctxId)) return "args.ctxId";
  if (!isId(v.res)) return "args.res";
  for (const k of ["level", "stride", "layerStride"]) if (!isU32(v[k])) return `args.${k} = ${String(v[k])}`;
  if (!isOffset(v.offset)) return `args.offset = ${String(v.offset)}`;
  const box = v.box;
  if (!isObj(box)) return "args.box";
  for (const k of ["x", "y", "z", "w", "h", "d"]) if (!isU32(box[k])) return `args.box.${k} = ${String(box[k])}`;
  return null;
}

function descError(v: unknown): string | null {
  if (!isObj(v)) return "desc is not an object";
  if (!isId(v.handle)) return "desc.handle";
  for (const k of ["target", "format", "bind", "width", "height", "depth", "arraySize", "lastLevel", "nrSamples", "flags"]) {
    if (!isU32(v[k])) return `desc.${k} = ${String(v[k])}`;
  }
  return null;
}

function chunksError(v: unknown): string | null {
  if (!Array.isArray(v)) return "chunks is not an array";
  for (const [i, c] of v.entries()) {
    if (!isObj(c) || !isId(c.res) || !isOffset(c.offset) || !(c.bytes instanceof Uint8Array)) return `chunks[${i}] malformed`;
  }
  return null;
}

/** Why a virgl message is malformed, or null. Never throws. */
export function virglMessageError(m: Obj): string | null {
  switch (m.type) {
    case "virglCreateContext":
      return !isId(m.ctxId) ? "bad ctxId" : typeof m.name !== "string" || m.name.length > 64 ? "bad name" : null;
    case "virglDestroyContext":
      return isId(m.ctxId) ? null : "bad ctxId";
    case "virglCreateResource":
      return descError(m.desc);
    case "virglUnrefResource":
      return isId(m.res) ? null : "bad res";
    case "virglAttachResource":
    case "virglDetachResource":
      return !isId(m.ctxId) ? "bad ctxId" : isId(m.res) ? null : "bad res";
    case "virglTransferToHost":
      return transferError(m.args) ?? (m.bytes === null || m.bytes instanceof Uint8Array ? null : "bytes is not a Uint8Array or null");
    case "virglTransferFromHost":
      return !isU32(m.id) ? "bad id" : typeof m.fence !== "boolean" ? "bad fence" : transferError(m.args);
    case "virglSubmit":
      if (!isU32(m.id)) return "bad id";
      if (!isId(m.ctxId)) return "bad ctxId";
      if (!(m.words instanceof Uint32Array) || m.words.length > MAX_SUBMIT_WORDS) return "words is not a Uint32Array of at most 4 Mi dwords";
      if (typeof m.fence !== "boolean") return "bad fence";
      return chunksError(m.chunks);
    case "virglFence":
    case "virglStats":
      return isU32(m.id) ? null : "bad id";
    case "virglSetScanout":
      return !isU32(m.scanoutId) || m.scanoutId >= 16 ? "bad scanoutId" : !isId(m.res) ? "bad res" : rectError(m.rect);
    case "virglFlush":
      if (!isId(m.res)) return "bad res";
      if (!(typeof m.seq === "number" && Number.isSafeInteger(m.seq) && m.seq >= 0)) return "bad seq";
      if (!(typeof m.sentAt === "number" && Number.isFinite(m.sentAt))) return "bad sentAt";
      return rectError(m.rect);
    case "virglReset":
      return null;
    default:
      return `unknown message type ${JSON.stringify(m.type)}`;
  }
}

/** Message types the page waits on (a virglReply with the same id); everything else is fire-and-forget. */
const REPLY_EXPECTED: ReadonlySet<string> = new Set(["virglSubmit", "virglFence", "virglTransferFromHost"]);

/**
 * The id a message is waiting to be answered under, or null. Used when a message could not be
 * handled (malformed, or the handler threw): the page must still get an answer, or the guest
 * request behind it would never complete and the guest would wait forever.
 */
export function replyIdOf(m: unknown): number | null {
  if (!isObj(m) || typeof m.type !== "string" || !REPLY_EXPECTED.has(m.type)) return null;
  return isU32(m.id) ? m.id : null;
}

export function isVirglMessageType(type: unknown): boolean {
  return typeof type === "string" && type.startsWith("virgl");
}
