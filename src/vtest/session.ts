// One vtest client session: the handshake, protocol-version negotiation and the mapping of
// decoded messages onto a RendererContext. Transport-free: replies go to a `send` callback,
// so the same logic serves sockets, replays and tests.

import {
  VCMD,
  VCMD_BUSY_WAIT_FLAG_WAIT,
  encodeBusyWaitReply,
  encodeCapsReply,
  encodePingReply,
  encodeProtocolVersionReply,
  vcmdName,
  type VtestMessage,
} from "./protocol.ts";
import type { RendererContext, RendererPort } from "./renderer-port.ts";
import { Direction } from "./stream-file.ts";
import type { StreamRecorder } from "./stream-io.ts";

/** A request the session cannot serve. The connection must be closed. */
const VIRGL_BIND_DISPLAY_TARGET = 1 << 7;
const VIRGL_BIND_SCANOUT = 1 << 18;

export class VtestSessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VtestSessionError";
  }
}

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

export interface SessionOptions {
  port: RendererPort;
  sessionId: number;
  /**
   * Highest protocol version offered in reply to PROTOCOL_VERSION. Default 0: v2 needs memfds
   * over SCM_RIGHTS, which Node cannot send; Mesa 22.3 maps 0 and 1 to "v0" (inline transfers).
   */
  servedVersion?: number;
  /** Answer PING_PROTOCOL_VERSION (default true). When false we behave as a pre-versioning server. */
  answerPing?: boolean;
  recorder?: StreamRecorder;
  log: Logger;
  /** Largest TRANSFER_GET reply a client may ask for (default 64 MiB, like the message limit). */
  maxReplyBytes?: number;
}

export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;

export class Session {
  readonly id: number;
  name = "";
  protocolVersion = 0;
  private started = false;
  private context: RendererContext | null = null;
  private contextPromise: Promise<RendererContext> | null = null;
  private destroyed = false;
  /** Handles of resources bound as display target / scanout (front-buffer presentation). */
  private readonly displayTargets = new Set<number>();
  /** A v0 front-buffer TRANSFER_GET reply held back until we see whether a BUSY_WAIT follows. */
  private deferredGet: { handle: number; data: Uint8Array } | null = null;

  constructor(
    private readonly opts: SessionOptions,
    private readonly sendBytes: (bytes: Uint8Array) => void,
  ) {
    this.id = opts.sessionId;
  }

  get label(): string {
    return `session ${this.id}${this.name ? ` (${this.name})` : ""}`;
  }

  private send(cmd: number, bytes: Uint8Array): void {
    this.opts.recorder?.record(Direction.ServerToClient, cmd, bytes);
    this.sendBytes(bytes);
  }

  private async ctx(): Promise<RendererContext> {
    if (this.context) return this.context;
    this.contextPromise ??= Promise.resolve(
      this.opts.port.createContext({ name: this.name, sessionId: this.id, protocolVersion: this.protocolVersion }),
    );
    this.context = await this.contextPromise;
    return this.context;
  }

  /** True while a front-buffer TRANSFER_GET reply is held back (see handle()). */
  get hasDeferredReply(): boolean {
    return this.deferredGet !== null;
  }

  /** Sends a held-back TRANSFER_GET reply now (the transport calls this when the client goes quiet). */
  flushDeferred(): void {
    const d = this.deferredGet;
    if (!d) return;
    this.deferredGet = null;
    this.send(VCMD.TRANSFER_GET, d.data);
  }

  /**
   * Handles one message; throws VtestSessionError (or the port's error) when the session must end.
   *
   * Front-buffer quirk (Mesa 22.3 virgl_vtest_transfer_get_internal, protocol < 2): to present,
   * the client sends TRANSFER_GET of the display target, then BUSY_WAIT(WAIT) of the same
   * handle, and reads the busy-wait reply *before* the transfer data. A server that answers in
   * request order (as virglrenderer does) shifts the presented image by 12 bytes. We hold the
   * TRANSFER_GET reply of display targets back: if the next message is that BUSY_WAIT we answer
   * it first; anything else (or a quiet client, see flushDeferred) releases the data first.
   */
  async handle(msg: VtestMessage): Promise<void> {
    this.opts.recorder?.record(Direction.ClientToServer, msg.cmd, msg.raw);
    if (this.deferredGet) {
      const d = this.deferredGet;
      if (msg.cmd === VCMD.RESOURCE_BUSY_WAIT && msg.handle === d.handle && (msg.flags & VCMD_BUSY_WAIT_FLAG_WAIT) !== 0) {
        const busy = await (await this.ctx()).busyWait(msg.handle, true);
        this.send(msg.cmd, encodeBusyWaitReply(busy));
        this.flushDeferred();
        return;
      }
      this.flushDeferred();
    }
    if (!this.started) {
      if (msg.cmd !== VCMD.CREATE_RENDERER) {
        throw new VtestSessionError(`first message must be CREATE_RENDERER, got ${vcmdName(msg.cmd)}`);
      }
      this.started = true;
      this.name = msg.name;
      this.opts.log.info(`${this.label}: client connected`);
      return;
    }
    switch (msg.cmd) {
      case VCMD.CREATE_RENDERER:
        throw new VtestSessionError("CREATE_RENDERER sent twice");
      case VCMD.PING_PROTOCOL_VERSION:
        if (this.opts.answerPing ?? true) this.send(msg.cmd, encodePingReply());
        return;
      case VCMD.PROTOCOL_VERSION: {
        if (this.context) throw new VtestSessionError("PROTOCOL_VERSION after the context was created");
        const served = this.opts.servedVersion ?? 0;
        this.protocolVersion = Math.min(msg.version, served);
        this.send(msg.cmd, encodeProtocolVersionReply(this.protocolVersion));
        this.opts.recorder?.note(`client offered protocol ${msg.version}, negotiated ${this.protocolVersion}`);
        this.opts.log.info(`${this.label}: client offered protocol ${msg.version}, negotiated ${this.protocolVersion}`);
        return;
      }
      case VCMD.GET_CAPS:
      case VCMD.GET_CAPS2: {
        const caps = await (await this.ctx()).getCaps(msg.cmd === VCMD.GET_CAPS2 ? 2 : 1);
        this.send(msg.cmd, encodeCapsReply(msg.cmd, caps));
        return;
      }
      case VCMD.RESOURCE_CREATE:
        if (msg.resource.handle === 0) throw new VtestSessionError("RESOURCE_CREATE with handle 0");
        await (await this.ctx()).createResource(msg.resource);
        if (msg.resource.bind & (VIRGL_BIND_DISPLAY_TARGET | VIRGL_BIND_SCANOUT)) this.displayTargets.add(msg.resource.handle);
        else this.displayTargets.delete(msg.resource.handle);
        return;
      case VCMD.RESOURCE_CREATE2:
        if (msg.dataSize > 0) {
          throw new VtestSessionError(
            `RESOURCE_CREATE2 with ${msg.dataSize} bytes of backing needs an fd over SCM_RIGHTS (protocol v2), which this server does not offer`,
          );
        }
        if (msg.resource.handle === 0) throw new VtestSessionError("RESOURCE_CREATE2 with handle 0");
        await (await this.ctx()).createResource(msg.resource);
        return;
      case VCMD.RESOURCE_UNREF:
        this.displayTargets.delete(msg.handle);
        await (await this.ctx()).unrefResource(msg.handle);
        return;
      case VCMD.TRANSFER_PUT:
        await (await this.ctx()).transferPut(msg.transfer, msg.data);
        return;
      case VCMD.TRANSFER_GET: {
        const want = msg.transfer.dataSize;
        const max = this.opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
        if (want > max) throw new VtestSessionError(`TRANSFER_GET of ${want} bytes exceeds the ${max}-byte reply limit`);
        let data = await (await this.ctx()).transferGet(msg.transfer);
        if (data.byteLength !== want) {
          // The client reads exactly data_size bytes: anything else would desynchronise the stream.
          this.opts.log.error(`${this.label}: renderer returned ${data.byteLength} bytes for a ${want}-byte TRANSFER_GET; padding/truncating`);
          const fixed = new Uint8Array(want);
          fixed.set(data.subarray(0, want));
          data = fixed;
        }
        if (this.protocolVersion < 2 && this.displayTargets.has(msg.transfer.handle)) {
          this.deferredGet = { handle: msg.transfer.handle, data };
          return;
        }
        this.send(msg.cmd, data);
        return;
      }
      case VCMD.SUBMIT_CMD:
        await (await this.ctx()).submit(msg.commands);
        return;
      case VCMD.RESOURCE_BUSY_WAIT: {
        const wait = (msg.flags & VCMD_BUSY_WAIT_FLAG_WAIT) !== 0;
        // Handle 0 is the dummy wait of the version handshake: no context needed.
        const busy = msg.handle === 0 ? false : await (await this.ctx()).busyWait(msg.handle, wait);
        this.send(msg.cmd, encodeBusyWaitReply(busy));
        return;
      }
      case VCMD.TRANSFER_GET2:
      case VCMD.TRANSFER_PUT2:
        throw new VtestSessionError(`${vcmdName(msg.cmd)} needs shared resource memory (protocol v2); negotiated ${this.protocolVersion}`);
      default:
        throw new VtestSessionError(`${vcmdName(msg.cmd)} (protocol v3) is not supported`);
    }
  }

  /** Releases the renderer context. Safe to call more than once. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.deferredGet = null;
    const ctx = this.context ?? (this.contextPromise ? await this.contextPromise.catch(() => null) : null);
    if (ctx) await ctx.destroy();
  }
}
