// BridgePort: a RendererPort whose contexts live in a browser page (see page-host.ts),
// reached over a WebSocket. One page serves all sessions; calls carry a context id and are
// matched to replies by request id.

import type { ResourceDesc, TransferDesc } from "../protocol.ts";
import type { CapsetId, ContextInfo, RendererContext, RendererPort } from "../renderer-port.ts";
import {
  BridgeOp,
  concatBytes,
  decodeBridgeResponse,
  encodeBridgeRequest,
  encodeHello,
  encodeResource,
  encodeTransfer,
  readU32s,
  u32Bytes,
} from "./wire.ts";
import type { WsConnection, WsServer } from "./ws-server.ts";

export interface BridgePortOptions {
  capset1: Uint8Array;
  capset2: Uint8Array;
  /** How long to wait for a page to connect (default 60 s). */
  connectTimeoutMs?: number;
}

interface Pending {
  resolve: (payload: Uint8Array) => void;
  reject: (err: Error) => void;
  what: string;
}

export class BridgePort implements RendererPort {
  private conn: WsConnection | null = null;
  private connWaiters: ((c: WsConnection) => void)[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextCtx = 1;
  /** What the page said about itself in its HELLO reply (e.g. its WebGL renderer). */
  pageDescription = "";

  constructor(
    ws: WsServer,
    private readonly opts: BridgePortOptions,
  ) {
    ws.onConnection((c) => void this.adopt(c));
  }

  private async adopt(c: WsConnection): Promise<void> {
    if (this.conn) {
      console.error(`webvirgl-vtest bridge: a page is already connected; refusing ${c.remote}`);
      c.close();
      return;
    }
    this.conn = c;
    c.onMessage((bytes) => this.onResponse(bytes));
    c.onClose(() => {
      if (this.conn === c) this.conn = null;
      for (const p of this.pending.values()) p.reject(new Error(`bridge page disconnected during ${p.what}`));
      this.pending.clear();
    });
    try {
      const desc = await this.call(BridgeOp.HELLO, 0, encodeHello(this.opts.capset1, this.opts.capset2), "HELLO");
      this.pageDescription = new TextDecoder().decode(desc);
      const waiters = this.connWaiters;
      this.connWaiters = [];
      for (const w of waiters) w(c);
    } catch (err) {
      console.error(`webvirgl-vtest bridge: HELLO failed: ${(err as Error).message}`);
      c.close();
    }
  }

  /** Resolves once a page is connected and greeted. */
  ready(): Promise<void> {
    if (this.conn && this.pageDescription) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no bridge page connected within ${this.opts.connectTimeoutMs ?? 60_000} ms`)),
        this.opts.connectTimeoutMs ?? 60_000,
      );
      this.connWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private onResponse(bytes: Uint8Array): void {
    let r;
    try {
      r = decodeBridgeResponse(bytes);
    } catch (err) {
      console.error(`webvirgl-vtest bridge: ${(err as Error).message}`);
      return;
    }
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r.payload);
    else p.reject(new Error(`bridge page: ${p.what}: ${new TextDecoder().decode(r.payload)}`));
  }

  call(op: BridgeOp, ctx: number, payload: Uint8Array, what: string): Promise<Uint8Array> {
    const c = this.conn;
    if (!c) return Promise.reject(new Error(`bridge: no page connected (${what})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what });
      c.send(encodeBridgeRequest(op, id, ctx, payload));
    });
  }

  async createContext(info: ContextInfo): Promise<RendererContext> {
    await this.ready();
    const ctx = this.nextCtx++;
    await this.call(BridgeOp.CREATE_CONTEXT, ctx, new TextEncoder().encode(JSON.stringify(info)), "CREATE_CONTEXT");
    return new BridgeContext(this, ctx);
  }

  close(): void {
    this.conn?.close();
  }
}

class BridgeContext implements RendererContext {
  constructor(
    private readonly port: BridgePort,
    private readonly ctx: number,
  ) {}

  getCaps(capset: CapsetId): Promise<Uint8Array> {
    return this.port.call(BridgeOp.GET_CAPS, this.ctx, u32Bytes([capset]), `GET_CAPS ${capset}`);
  }

  async createResource(desc: ResourceDesc): Promise<void> {
    await this.port.call(BridgeOp.CREATE_RESOURCE, this.ctx, encodeResource(desc), `CREATE_RESOURCE ${desc.handle}`);
  }

  async unrefResource(handle: number): Promise<void> {
    await this.port.call(BridgeOp.UNREF_RESOURCE, this.ctx, u32Bytes([handle]), `UNREF ${handle}`);
  }

  async transferPut(t: TransferDesc, data: Uint8Array): Promise<void> {
    await this.port.call(BridgeOp.TRANSFER_PUT, this.ctx, concatBytes(encodeTransfer(t), data), `TRANSFER_PUT ${t.handle}`);
  }

  transferGet(t: TransferDesc): Promise<Uint8Array> {
    return this.port.call(BridgeOp.TRANSFER_GET, this.ctx, encodeTransfer(t), `TRANSFER_GET ${t.handle}`);
  }

  async submit(commands: Uint32Array): Promise<void> {
    await this.port.call(BridgeOp.SUBMIT, this.ctx, u32Bytes(commands), `SUBMIT ${commands.length} dwords`);
  }

  async busyWait(handle: number, wait: boolean): Promise<boolean> {
    const r = await this.port.call(BridgeOp.BUSY_WAIT, this.ctx, u32Bytes([handle, wait ? 1 : 0]), `BUSY_WAIT ${handle}`);
    return readU32s(r, 1)[0] !== 0;
  }

  async destroy(): Promise<void> {
    try {
      await this.port.call(BridgeOp.DESTROY_CONTEXT, this.ctx, new Uint8Array(0), "DESTROY_CONTEXT");
    } catch {
      /* the page may already be gone */
    }
  }
}
