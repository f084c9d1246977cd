// Browser side of the bridge: connects to BridgePort's WebSocket and serves its requests with
// a RendererPort living in the page (the WebGL2 renderer once it exists; the RecordingPort
// until then). Requests of one context arrive strictly one after another.

import type { RendererContext, RendererPort } from "../renderer-port.ts";
import {
  BridgeOp,
  decodeBridgeRequest,
  decodeHello,
  decodeResource,
  decodeTransfer,
  encodeBridgeResponse,
  readU32s,
  u32Bytes,
  type BridgeRequest,
} from "./wire.ts";

export interface PageHostOptions {
  url: string;
  /** Builds the page's port; gets the capsets Node offered in HELLO. */
  createPort(capsets: { capset1: Uint8Array; capset2: Uint8Array }): RendererPort | Promise<RendererPort>;
  /** Text returned in the HELLO reply, e.g. the page's WebGL renderer. */
  describe(): string;
  onStatus?(text: string): void;
}

export interface PageHost {
  readonly closed: Promise<void>;
  close(): void;
}

export function hostBridge(opts: PageHostOptions): PageHost {
  const ws = new WebSocket(opts.url);
  ws.binaryType = "arraybuffer";
  const contexts = new Map<number, RendererContext>();
  let port: RendererPort | null = null;
  let served = 0;
  const status = (t: string): void => opts.onStatus?.(t);

  const handle = async (req: BridgeRequest): Promise<Uint8Array> => {
    if (req.op === BridgeOp.HELLO) {
      port = await opts.createPort(decodeHello(req.payload));
      return new TextEncoder().encode(opts.describe());
    }
    if (!port) throw new Error("request before HELLO");
    if (req.op === BridgeOp.CREATE_CONTEXT) {
      const info = JSON.parse(new TextDecoder().decode(req.payload)) as Parameters<RendererPort["createContext"]>[0];
      contexts.set(req.ctx, await port.createContext(info));
      status(`context ${req.ctx} (${info.name}) created; ${contexts.size} live`);
      return new Uint8Array(0);
    }
    const ctx = contexts.get(req.ctx);
    if (!ctx) throw new Error(`unknown context ${req.ctx}`);
    switch (req.op) {
      case BridgeOp.GET_CAPS:
        return ctx.getCaps(readU32s(req.payload, 1)[0] === 2 ? 2 : 1);
      case BridgeOp.CREATE_RESOURCE:
        await ctx.createResource(decodeResource(req.payload));
        return new Uint8Array(0);
      case BridgeOp.UNREF_RESOURCE:
        await ctx.unrefResource(readU32s(req.payload, 1)[0]!);
        return new Uint8Array(0);
      case BridgeOp.TRANSFER_PUT:
        await ctx.transferPut(decodeTransfer(req.payload), req.payload.subarray(44));
        return new Uint8Array(0);
      case BridgeOp.TRANSFER_GET:
        return ctx.transferGet(decodeTransfer(req.payload));
      case BridgeOp.SUBMIT: {
        const p = req.payload;
        const aligned = p.byteOffset % 4 === 0 ? p : p.slice();
        await ctx.submit(new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2));
        return new Uint8Array(0);
      }
      case BridgeOp.BUSY_WAIT: {
        const [handle, wait] = readU32s(req.payload, 2);
        return u32Bytes([(await ctx.busyWait(handle!, wait !== 0)) ? 1 : 0]);
      }
      case BridgeOp.DESTROY_CONTEXT:
        contexts.delete(req.ctx);
        await ctx.destroy();
        status(`context ${req.ctx} destroyed; ${contexts.size} live`);
        return new Uint8Array(0);
      default:
        throw new Error(`unknown bridge op ${req.op}`);
    }
  };

  ws.onmessage = (ev: MessageEvent<ArrayBuffer>) => {
    let req: BridgeRequest;
    try {
      req = decodeBridgeRequest(new Uint8Array(ev.data));
    } catch (err) {
      status(`bad request: ${(err as Error).message}`);
      return;
    }
    handle(req).then(
      (payload) => {
        served++;
        ws.send(encodeBridgeResponse(req.id, true, payload));
      },
      (err: unknown) => ws.send(encodeBridgeResponse(req.id, false, new TextEncoder().encode(err instanceof Error ? err.message : String(err)))),
    );
  };
  ws.onopen = () => status(`connected to ${opts.url}`);
  const closed = new Promise<void>((resolve) => {
    ws.onclose = () => {
      status(`disconnected after ${served} requests`);
      for (const c of contexts.values()) void c.destroy();
      contexts.clear();
      resolve();
    };
  });
  return { closed, close: () => ws.close() };
}
