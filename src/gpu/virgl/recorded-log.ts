/**
 * The virgl call log a snapshot carries instead of GL state (which lives in the GPU worker's WebGL
 * context and cannot be saved): every state-changing VirglPort call since the device reset, in
 * order, with the bytes it carried. Replaying it into a fresh renderer rebuilds the same contexts,
 * resources, GL objects and pixels. Readbacks (transferFromHost) and fences change no host state
 * (VirglRenderer.transferFromHost only reads a resource into backing writes) and are not logged.
 *
 * A stored log is untrusted (IndexedDB): checkRecordedLog validates every entry's shape and
 * simulates the id lifetimes (a context or resource is used only while it exists) before a replay.
 */
import type { Rect } from "../scanout-backend.ts";
import type { ResourceDesc } from "../../virgl/resource-desc.ts";
import { validateResourceDesc } from "../../virgl/resource-desc.ts";
import type { GatheredChunk, TransferArgs, VirglPort, VirglReply } from "./virgl-port.ts";

export type RecordedCall =
  | { op: "createContext"; ctxId: number; name: string }
  | { op: "destroyContext"; ctxId: number }
  | { op: "createResource"; desc: ResourceDesc }
  | { op: "unrefResource"; res: number }
  | { op: "attachResource" | "detachResource"; ctxId: number; res: number }
  | { op: "transferToHost"; args: TransferArgs; bytes: Uint8Array | null }
  | { op: "submit"; ctxId: number; words: Uint32Array; chunks: GatheredChunk[] }
  | { op: "setScanout"; scanoutId: number; res: number; rect: Rect }
  | { op: "flush"; res: number; rect: Rect };

/** Bytes an entry holds (what the recording cap counts): payloads plus a small per-call overhead. */
export function recordedCallBytes(call: RecordedCall): number {
  const OVERHEAD = 64;
  switch (call.op) {
    case "transferToHost":
      return OVERHEAD + (call.bytes?.byteLength ?? 0);
    case "submit":
      return OVERHEAD + call.words.byteLength + call.chunks.reduce((sum, c) => sum + 32 + c.bytes.byteLength, 0);
    default:
      return OVERHEAD;
  }
}

/** Ids and sizes a checked log may use. */
export interface LogLimits {
  /** Total recordedCallBytes (the recording cap). */
  maxBytes: number;
  /** Scanouts of the device. */
  scanouts: number;
}

/** What the log leaves behind: the contexts and resources that exist after its last call. */
export interface LogOutcome {
  contexts: Set<number>;
  resources: Set<number>;
  calls: number;
  bytes: number;
}

const isU32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
const isId = (v: unknown): v is number => isU32(v) && v !== 0;
const isRect = (r: unknown): r is Rect => {
  const o = r as Partial<Rect> | null;
  return typeof o === "object" && o !== null && isU32(o.x) && isU32(o.y) && isU32(o.width) && isU32(o.height);
};
const DESC_FIELDS = ["handle", "target", "format", "bind", "width", "height", "depth", "arraySize", "lastLevel", "nrSamples", "flags"] as const;
const BOX_FIELDS = ["x", "y", "z", "w", "h", "d"] as const;

export function checkDesc(desc: unknown): string | null {
  const d = desc as Record<string, unknown> | null;
  if (typeof d !== "object" || d === null) return "desc is not an object";
  for (const f of DESC_FIELDS) if (!isU32(d[f])) return `desc.${f} = ${String(d[f])} is not a u32`;
  return validateResourceDesc(d as unknown as ResourceDesc);
}

function checkTransferArgs(args: unknown): string | null {
  const a = args as Record<string, unknown> | null;
  if (typeof a !== "object" || a === null) return "args is not an object";
  for (const f of ["ctxId", "res", "level", "stride", "layerStride"] as const) if (!isU32(a[f])) return `args.${f} = ${String(a[f])} is not a u32`;
  if (!Number.isSafeInteger(a.offset) || (a.offset as number) < 0) return `args.offset = ${String(a.offset)} is not a byte offset`;
  const box = a.box as Record<string, unknown> | null;
  if (typeof box !== "object" || box === null) return "args.box is not an object";
  for (const f of BOX_FIELDS) if (!isU32(box[f])) return `args.box.${f} = ${String(box[f])} is not a u32`;
  return null;
}

/**
 * Validates a stored log entry by entry and returns what it leaves behind; throws an Error naming
 * the entry, field and value at the first problem.
 */
export function checkRecordedLog(value: unknown, limits: LogLimits): LogOutcome {
  if (!Array.isArray(value)) throw new Error(`virgl log: not an array (${typeof value})`);
  const contexts = new Set<number>();
  const resources = new Set<number>();
  let bytes = 0;
  value.forEach((entry: unknown, i) => {
    const problem = checkEntry(entry, contexts, resources, limits);
    if (problem) throw new Error(`virgl log: entry ${i} (${String((entry as { op?: unknown } | null)?.op)}): ${problem}`);
    bytes += recordedCallBytes(entry as RecordedCall);
    if (bytes > limits.maxBytes) throw new Error(`virgl log: entry ${i}: ${bytes} bytes so far, more than the ${limits.maxBytes}-byte cap`);
  });
  return { contexts, resources, calls: value.length, bytes };
}

function checkEntry(entry: unknown, contexts: Set<number>, resources: Set<number>, limits: LogLimits): string | null {
  if (typeof entry !== "object" || entry === null) return "not an object";
  const c = entry as Record<string, unknown>;
  const liveCtx = (): string | null => (isId(c.ctxId) ? (contexts.has(c.ctxId) ? null : `ctxId ${c.ctxId} does not exist here`) : `ctxId ${String(c.ctxId)} is not a context id`);
  const liveRes = (res: unknown): string | null => (isId(res) ? (resources.has(res) ? null : `resource ${res} does not exist here`) : `resource ${String(res)} is not a resource id`);
  switch (c.op) {
    case "createContext":
      if (!isId(c.ctxId) || contexts.has(c.ctxId)) return `ctxId ${String(c.ctxId)} is not a new context id`;
      if (typeof c.name !== "string" || c.name.length > 64) return "name is not a string of at most 64 characters";
      contexts.add(c.ctxId);
      return null;
    case "destroyContext":
      return liveCtx() ?? (contexts.delete(c.ctxId as number), null);
    case "createResource": {
      const bad = checkDesc(c.desc);
      if (bad) return bad;
      const id = (c.desc as ResourceDesc).handle;
      if (resources.has(id)) return `resource ${id} already exists`;
      resources.add(id);
      return null;
    }
    case "unrefResource":
      return liveRes(c.res) ?? (resources.delete(c.res as number), null);
    case "attachResource":
    case "detachResource":
      return liveCtx() ?? liveRes(c.res);
    case "transferToHost":
      return checkTransferArgs(c.args) ?? liveRes((c.args as TransferArgs).res) ?? (c.bytes === null || c.bytes instanceof Uint8Array ? null : "bytes is neither null nor a Uint8Array");
    case "submit": {
      const bad = liveCtx();
      if (bad) return bad;
      if (!(c.words instanceof Uint32Array)) return "words is not a Uint32Array";
      if (!Array.isArray(c.chunks)) return "chunks is not an array";
      for (const [j, chunk] of (c.chunks as unknown[]).entries()) {
        const k = chunk as Partial<GatheredChunk> | null;
        if (typeof k !== "object" || k === null || !isId(k.res) || !Number.isSafeInteger(k.offset) || (k.offset as number) < 0 || !(k.bytes instanceof Uint8Array)) {
          return `chunk ${j} is not { res, offset, bytes: Uint8Array }`;
        }
        const gone = liveRes(k.res);
        if (gone) return `chunk ${j}: ${gone}`;
      }
      return null;
    }
    case "setScanout":
      if (!isU32(c.scanoutId) || c.scanoutId >= limits.scanouts) return `scanoutId ${String(c.scanoutId)} is not one of ${limits.scanouts} scanouts`;
      if (!isRect(c.rect)) return "rect is not { x, y, width, height } of u32";
      // res 0 disables the scanout.
      return c.res === 0 ? null : liveRes(c.res);
    case "flush":
      return isRect(c.rect) ? liveRes(c.res) : "rect is not { x, y, width, height } of u32";
    default:
      return "unknown call kind";
  }
}

/**
 * Sends a (checked) log into a port; submits are unfenced, their replies resolve as they come.
 * setScanout and flush are skipped: they only choose and copy what the presenter shows (no
 * renderer state), and each would cost the worker a full-screen copy; the caller applies the
 * final scanouts once.
 */
export function replayLog(log: readonly RecordedCall[], port: VirglPort): Promise<VirglReply>[] {
  const replies: Promise<VirglReply>[] = [];
  for (const call of log) {
    switch (call.op) {
      case "createContext":
        port.createContext(call.ctxId, call.name);
        break;
      case "destroyContext":
        port.destroyContext(call.ctxId);
        break;
      case "createResource":
        port.createResource({ ...call.desc });
        break;
      case "unrefResource":
        port.unrefResource(call.res);
        break;
      case "attachResource":
        port.attachResource(call.ctxId, call.res);
        break;
      case "detachResource":
        port.detachResource(call.ctxId, call.res);
        break;
      case "transferToHost":
        // Copies: the port may transfer (detach) the buffers it is given, and the log may be replayed again.
        port.transferToHost(call.args, call.bytes ? call.bytes.slice() : null);
        break;
      case "submit":
        replies.push(port.submit(call.ctxId, call.words.slice(), call.chunks.map((c) => ({ res: c.res, offset: c.offset, bytes: c.bytes.slice() })), false));
        break;
      case "setScanout":
      case "flush":
        break;
    }
  }
  return replies;
}
