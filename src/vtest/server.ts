// The vtest UNIX-socket server: one Session per connection, any number of connections at once.
// Messages of a connection are processed strictly in order; the socket is paused while a message
// is being handled, so buffered input stays bounded by one message plus one socket chunk.

import { connect, createServer, type Server, type Socket } from "node:net";
import { lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { FrameParser, VtestProtocolError, type FrameLimits } from "./framing.ts";
import { VCMD, type VtestMessage } from "./protocol.ts";
import type { RendererPort } from "./renderer-port.ts";
import { Session, type Logger } from "./session.ts";
import { createStreamRecorder, type StreamRecorder } from "./stream-io.ts";

export const DEFAULT_SOCKET_PATH = "/tmp/.virgl_test";
/** How long a held-back front-buffer TRANSFER_GET reply waits for the client's BUSY_WAIT. */
export const DEFERRED_REPLY_FLUSH_MS = 20;
export const TOOL_NAME = "webvirgl-vtest 0.1.0";

export interface ServerOptions {
  socketPath?: string;
  port: RendererPort;
  /** See SessionOptions.servedVersion (default 0). */
  servedVersion?: number;
  answerPing?: boolean;
  limits?: Partial<FrameLimits>;
  log?: Logger;
  /** When set, each connection is recorded to `<dir>/<n>-<client>.vtstream[.gz]`. */
  recordDir?: string;
  recordGzip?: boolean;
}

export interface VtestServer {
  readonly socketPath: string;
  /** Live connections. */
  readonly connections: number;
  /** Resolves when every session that ever ran has been torn down (for tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`webvirgl-vtest: ${m}\n`),
  error: (m) => process.stderr.write(`webvirgl-vtest: error: ${m}\n`),
};

/** Fails if another server answers on `path`; removes a stale socket file. */
async function claimSocketPath(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // does not exist
  }
  if (!isSocket) throw new Error(`vtest: ${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
  if (alive) throw new Error(`vtest: another server is listening on ${path}`);
  unlinkSync(path);
}

/** Resolves when the socket's write buffer drained or the socket closed. */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

function safeName(name: string): string {
  const base = name.split("/").pop() ?? "";
  return base.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 48) || "client";
}

export async function startServer(opts: ServerOptions): Promise<VtestServer> {
  const socketPath = opts.socketPath ?? DEFAULT_SOCKET_PATH;
  const log = opts.log ?? stderrLogger;
  await claimSocketPath(socketPath);
  if (opts.recordDir) mkdirSync(opts.recordDir, { recursive: true });

  let nextId = 1;
  const live = new Set<Socket>();
  const teardowns = new Set<Promise<void>>();

  const server: Server = createServer({ allowHalfOpen: false }, (socket) => {
    const id = nextId++;
    live.add(socket);
    const parser = new FrameParser(opts.limits);
    const queue: VtestMessage[] = [];
    let recorder: StreamRecorder | undefined;
    let running = false;
    /** A framing error found behind still-queued valid messages: reported once they ran. */
    let framingError: unknown = null;
    let flushTimer: NodeJS.Timeout | null = null;
    let closing = false;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    teardowns.add(done);

    const session = new Session(
      {
        port: opts.port,
        sessionId: id,
        servedVersion: opts.servedVersion,
        answerPing: opts.answerPing,
        maxReplyBytes: opts.limits?.maxMessageBytes,
        log,
        get recorder() {
          return recorder;
        },
      },
      (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
    );

    const startRecorder = (name: string): void => {
      if (!opts.recordDir || recorder) return;
      const file = join(opts.recordDir, `${String(id).padStart(3, "0")}-${safeName(name)}.vtstream${opts.recordGzip ? ".gz" : ""}`);
      recorder = createStreamRecorder(file, {
        tool: TOOL_NAME,
        createdAt: new Date().toISOString(),
        client: name,
        servedVersion: opts.servedVersion ?? 0,
      });
      log.info(`session ${id}: recording to ${file}`);
    };

    const fail = (err: unknown): void => {
      const kind = err instanceof VtestProtocolError ? "protocol error" : "error";
      const text = `${session.label}: ${kind}: ${err instanceof Error ? err.message : String(err)}; closing connection`;
      log.error(text);
      recorder?.note(text);
      queue.length = 0;
      socket.destroy();
    };

    const pump = async (): Promise<void> => {
      if (running) return;
      running = true;
      socket.pause();
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const msg = queue.shift()!;
          if (msg.cmd === VCMD.CREATE_RENDERER && !session.name) startRecorder(msg.name);
          await session.handle(msg);
          // Backpressure: a client that does not read its replies stops being served.
          if (socket.writableNeedDrain) await drained(socket);
        }
        if (framingError !== null && !socket.destroyed) throw framingError;
      } catch (err) {
        fail(err);
      } finally {
        running = false;
        if (!socket.destroyed) socket.resume();
      }
      // A held-back front-buffer reply goes out if the client sends nothing more soon
      // (see Session.handle); Mesa sends the matching BUSY_WAIT right after the TRANSFER_GET.
      if (session.hasDeferredReply && !socket.destroyed && !flushTimer) {
        flushTimer = setTimeout(() => {
          flushTimer = null;
          if (!running && queue.length === 0) session.flushDeferred();
        }, DEFERRED_REPLY_FLUSH_MS);
      }
    };

    socket.on("data", (chunk: Buffer) => {
      if (closing) return;
      if (flushTimer) {
        clearTimeout(flushTimer);
        flushTimer = null;
      }
      try {
        queue.push(...parser.push(chunk));
      } catch (err) {
        if (running || queue.length > 0) framingError = err;
        else fail(err);
        return;
      }
      framingError ??= parser.failure;
      void pump();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (closing) return;
      if (err.code === "ECONNRESET" || err.code === "EPIPE") log.info(`${session.label}: connection reset by client`);
      else log.error(`${session.label}: socket error: ${err.message}`);
    });
    socket.on("close", () => {
      closing = true;
      if (flushTimer) clearTimeout(flushTimer);
      live.delete(socket);
      const truncated = parser.truncation();
      if (truncated) log.error(`${session.label}: client went away: ${truncated}`);
      void (async () => {
        // Let an in-flight message finish before tearing the context down.
        while (running) await new Promise((r) => setTimeout(r, 5));
        try {
          await session.destroy();
        } catch (err) {
          log.error(`${session.label}: destroy failed: ${(err as Error).message}`);
        }
        if (truncated) recorder?.note(`client went away: ${truncated}`);
        await recorder?.close().catch((err: Error) => log.error(err.message));
        log.info(`${session.label}: closed`);
        teardowns.delete(done);
        resolveDone();
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => log.error(`server: ${err.message}`));

  return {
    socketPath,
    get connections() {
      return live.size;
    },
    idle: async () => {
      while (teardowns.size > 0) await Promise.all([...teardowns]);
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of live) s.destroy();
      });
      while (teardowns.size > 0) await Promise.all([...teardowns]);
      await opts.port.close?.();
      try {
        unlinkSync(socketPath);
      } catch {
        /* already gone */
      }
    },
  };
}
