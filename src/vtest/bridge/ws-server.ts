// A minimal RFC 6455 WebSocket server (binary messages only) for the bridge page. Node 20 has
// a WebSocket client but no server, and the bridge needs nothing more than this.

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export interface WsConnection {
  send(bytes: Uint8Array): void;
  close(): void;
  onMessage(fn: (bytes: Uint8Array) => void): void;
  onClose(fn: () => void): void;
  readonly remote: string;
}

export interface WsServer {
  readonly port: number;
  readonly url: string;
  onConnection(fn: (c: WsConnection) => void): void;
  close(): Promise<void>;
}

export interface WsServerOptions {
  host?: string;
  port?: number;
  /** Largest message accepted from the page (default 256 MiB). */
  maxMessageBytes?: number;
}

function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.byteLength;
  const hdr = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(hdr + n);
  out[0] = 0x80 | opcode;
  const v = new DataView(out.buffer);
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    v.setUint16(2, n);
  } else {
    out[1] = 127;
    v.setBigUint64(2, BigInt(n));
  }
  out.set(payload, hdr);
  return out;
}

class Connection implements WsConnection {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private messageFns: ((b: Uint8Array) => void)[] = [];
  private closeFns: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly maxMessageBytes: number,
    readonly remote: string,
  ) {
    socket.on("data", (c: Buffer) => this.onData(c));
    socket.on("close", () => this.finish());
    socket.on("error", () => this.finish());
  }

  onMessage(fn: (bytes: Uint8Array) => void): void {
    this.messageFns.push(fn);
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeFns.push(fn);
  }

  send(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(frame(0x2, bytes));
  }

  close(): void {
    if (this.closed) return;
    this.socket.write(frame(0x8, new Uint8Array(0)));
    this.socket.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const fn of this.closeFns) fn();
  }

  private fail(why: string): void {
    console.error(`webvirgl-vtest bridge: websocket ${this.remote}: ${why}; closing`);
    this.finish();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        const big = this.buf.readBigUInt64BE(2);
        if (big > BigInt(this.maxMessageBytes)) return this.fail(`frame of ${big} bytes exceeds ${this.maxMessageBytes}`);
        len = Number(big);
        off = 10;
      }
      if (!masked) return this.fail("unmasked client frame");
      if (len > this.maxMessageBytes) return this.fail(`frame of ${len} bytes exceeds ${this.maxMessageBytes}`);
      if (this.buf.length < off + 4 + len) return;
      const mask = this.buf.subarray(off, off + 4);
      const payload = Buffer.from(this.buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < len; i++) payload[i]! ^= mask[i & 3]!;
      this.buf = this.buf.subarray(off + 4 + len);
      if (opcode === 0x8) return this.close();
      if (opcode === 0x9) {
        this.socket.write(frame(0xa, payload));
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode !== 0x0 && opcode !== 0x1 && opcode !== 0x2) return this.fail(`unknown opcode ${opcode}`);
      this.fragments.push(payload);
      const total = this.fragments.reduce((n, f) => n + f.length, 0);
      if (total > this.maxMessageBytes) return this.fail(`message of ${total} bytes exceeds ${this.maxMessageBytes}`);
      if (!fin) continue;
      const msg = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
      this.fragments = [];
      const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      for (const fn of this.messageFns) fn(bytes);
    }
  }
}

export async function startWsServer(opts: WsServerOptions = {}): Promise<WsServer> {
  const host = opts.host ?? "127.0.0.1";
  const maxMessageBytes = opts.maxMessageBytes ?? 256 * 1024 * 1024;
  const connFns: ((c: WsConnection) => void)[] = [];
  const live = new Set<Connection>();
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("webvirgl vtest bridge: WebSocket only\n");
  });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string" || (req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const c = new Connection(socket, maxMessageBytes, `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? "?"}`);
    live.add(c);
    c.onClose(() => live.delete(c));
    for (const fn of connFns) fn(c);
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = http.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    port,
    url: `ws://${host}:${port}/`,
    onConnection: (fn) => connFns.push(fn),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of live) c.close();
        http.close(() => resolve());
      }),
  };
}
