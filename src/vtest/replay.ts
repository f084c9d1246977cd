// Replay of recorded streams: decode the client side of a stream file, or drive any
// RendererPort with it through the real Session logic (the renderer's tests use this to run
// command streams captured from real Mesa clients without a socket or a Mesa install).

import { FrameParser } from "./framing.ts";
import type { VtestMessage } from "./protocol.ts";
import type { RendererPort } from "./renderer-port.ts";
import { Session, type Logger } from "./session.ts";
import { Direction, type ParsedStream } from "./stream-file.ts";

/** The client's messages of a stream, decoded, in order. */
export function* clientMessages(stream: ParsedStream): Generator<VtestMessage> {
  const parser = new FrameParser();
  for (const r of stream.records) {
    if (r.direction !== Direction.ClientToServer) continue;
    yield* parser.push(r.bytes);
  }
  const rest = parser.truncation();
  if (rest) throw new Error(`replay: ${rest}`);
}

export interface ReplayResult {
  /** Messages handed to the session. */
  messages: number;
  /** Reply byte strings in the order the session sent them. */
  replies: Uint8Array[];
  /** Negotiated protocol version during replay. */
  protocolVersion: number;
}

export interface ReplayOptions {
  /** Protocol version to offer (default: the recording's `servedVersion`, else 0). */
  servedVersion?: number;
  log?: Logger;
  /** Called before each message; return false to stop early. */
  onMessage?: (msg: VtestMessage, index: number) => boolean | void;
}

const quiet: Logger = { info: () => {}, error: () => {} };

/** Feeds the stream's client messages into `port` as one session and collects the replies. */
export async function replayStream(stream: ParsedStream, port: RendererPort, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const replies: Uint8Array[] = [];
  const recorded = stream.meta["servedVersion"];
  const session = new Session(
    {
      port,
      sessionId: 1,
      servedVersion: opts.servedVersion ?? (typeof recorded === "number" ? recorded : 0),
      log: opts.log ?? quiet,
    },
    (bytes) => replies.push(bytes),
  );
  let messages = 0;
  try {
    for (const msg of clientMessages(stream)) {
      if (opts.onMessage?.(msg, messages) === false) break;
      await session.handle(msg);
      messages++;
    }
    session.flushDeferred();
  } finally {
    await session.destroy();
  }
  return { messages, replies, protocolVersion: session.protocolVersion };
}
