// Stream transformations used to turn raw recordings into small test fixtures.

import { FrameParser } from "./framing.ts";
import { VCMD, type VtestMessage } from "./protocol.ts";
import { Direction, encodeStreamHeader, encodeStreamRecord, type ParsedStream, type StreamRecord } from "./stream-file.ts";

/** Serialises a parsed stream back to (uncompressed) file bytes. */
export function serializeStream(stream: ParsedStream): Uint8Array {
  const parts = [encodeStreamHeader(stream.meta), ...stream.records.map(encodeStreamRecord)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/**
 * Keeps the stream up to and including the reply that completes the `frames`-th presentation
 * (a TRANSFER_GET of a client's front/back buffer followed by its BUSY_WAIT reply, or any
 * TRANSFER_GET reply when `frames` counts readbacks). Cuts only at message boundaries.
 */
export function truncateAfterFrames(stream: ParsedStream, frames: number): ParsedStream {
  const parser = new FrameParser();
  const records: StreamRecord[] = [];
  let seen = 0;
  let presenting = false;
  for (const r of stream.records) {
    records.push(r);
    if (r.direction === Direction.ClientToServer) {
      const msgs: VtestMessage[] = parser.push(r.bytes);
      for (const m of msgs) if (m.cmd === VCMD.TRANSFER_GET) presenting = true;
    } else if (r.direction === Direction.ServerToClient && r.cmd === VCMD.TRANSFER_GET && presenting) {
      presenting = false;
      if (++seen >= frames) {
        return { meta: { ...stream.meta, truncatedAfterFrames: frames }, records };
      }
    }
  }
  return stream;
}

/**
 * Replaces the payload of every TRANSFER_GET reply by nothing: those bytes are what the port
 * answered, not client input, and dominate file size. `meta.replyDataStripped` records it.
 */
export function stripTransferGetReplies(stream: ParsedStream): ParsedStream {
  return {
    meta: { ...stream.meta, replyDataStripped: true },
    records: stream.records.map((r) =>
      r.direction === Direction.ServerToClient && r.cmd === VCMD.TRANSFER_GET ? { ...r, bytes: new Uint8Array(0) } : r,
    ),
  };
}
