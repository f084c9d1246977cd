// Streaming vtest frame parser: bytes in, decoded VtestMessages out.
//
// Every quirk of Mesa 22.3's vtest client is handled here (see README.md):
//  * CREATE_RENDERER: the length field counts bytes, not dwords.
//  * TRANSFER_PUT (v0): 11 header dwords + `data_size` raw bytes, unpadded; the length field is
//    ignored (old Mesa computed it as `data_size + 3 / 4`).
//  * TRANSFER_PUT2: always exactly 10 dwords whatever the length field says (Mesa adds the data
//    size although the data lives in shared memory).
// Sizes are checked from the header before any body is buffered, so a hostile client cannot make
// us allocate more than `maxMessageBytes` per message.

import {
  VCMD,
  VCMD_SIZE,
  VTEST_HDR_BYTES,
  isKnownVcmd,
  vcmdName,
  type Box,
  type ResourceDesc,
  type TransferDesc,
  type Transfer2Desc,
  type UnsupportedVcmd,
  type VtestMessage,
} from "./protocol.ts";

export interface FrameLimits {
  /** Largest message (header + body) accepted; default 64 MiB. */
  maxMessageBytes: number;
  /** Largest CREATE_RENDERER name in bytes; default 4096 (Mesa sends at most 64). */
  maxNameBytes: number;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxNameBytes: 4096,
};

/** A framing violation. The connection must be closed; `offset` is the stream position of the bad frame. */
export class VtestProtocolError extends Error {
  constructor(
    message: string,
    readonly cmd: number | undefined,
    readonly offset: number,
  ) {
    super(message);
    this.name = "VtestProtocolError";
  }
}

/** Fixed body sizes (dwords) of requests whose length field must match exactly. */
const FIXED_DWORDS: ReadonlyMap<number, number> = new Map([
  [VCMD.GET_CAPS, 0],
  [VCMD.GET_CAPS2, 0],
  [VCMD.PING_PROTOCOL_VERSION, VCMD_SIZE.PING_PROTOCOL_VERSION],
  [VCMD.PROTOCOL_VERSION, VCMD_SIZE.PROTOCOL_VERSION],
  [VCMD.RESOURCE_CREATE, VCMD_SIZE.RES_CREATE],
  [VCMD.RESOURCE_CREATE2, VCMD_SIZE.RES_CREATE2],
  [VCMD.RESOURCE_UNREF, VCMD_SIZE.RES_UNREF],
  [VCMD.TRANSFER_GET, VCMD_SIZE.TRANSFER_HDR],
  [VCMD.TRANSFER_GET2, VCMD_SIZE.TRANSFER2_HDR],
  [VCMD.RESOURCE_BUSY_WAIT, VCMD_SIZE.BUSY_WAIT],
]);

/** A FIFO of received chunks that can be peeked and consumed without re-copying everything. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // consumed bytes of chunks[0]
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  /** Little-endian u32 at `offset` from the front (caller guarantees offset + 4 <= length). */
  peekU32(offset: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) v |= this.peekByte(offset + i) << (8 * i);
    return v >>> 0;
  }

  private peekByte(offset: number): number {
    let pos = this.head + offset;
    for (const c of this.chunks) {
      if (pos < c.byteLength) return c[pos]!;
      pos -= c.byteLength;
    }
    throw new RangeError(`ByteQueue: peek at ${offset} beyond ${this.length} buffered bytes`);
  }

  /** Removes and returns the first `n` bytes as a fresh, 4-byte aligned copy. */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const avail = c.byteLength - this.head;
      const k = Math.min(avail, n - filled);
      out.set(c.subarray(this.head, this.head + k), filled);
      filled += k;
      this.head += k;
      if (this.head === c.byteLength) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.length -= n;
    return out;
  }
}

/** What the parser knows about the message at the front of the queue. */
interface PendingFrame {
  cmd: number;
  lengthField: number;
  totalBytes: number; // header + body; may be provisional for TRANSFER_PUT until its header is in
}

export class FrameParser {
  private readonly queue = new ByteQueue();
  private readonly limits: FrameLimits;
  private consumed = 0;
  private failed: VtestProtocolError | null = null;

  constructor(limits: Partial<FrameLimits> = {}) {
    this.limits = { ...DEFAULT_FRAME_LIMITS, ...limits };
  }

  /** Bytes received but not yet part of a complete message. */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /** Bytes consumed by complete messages so far (stream offset of the next message). */
  get offset(): number {
    return this.consumed;
  }

  /**
   * Feeds bytes and returns every message completed by them, in order. On a framing violation
   * the parser fails for good: push() throws VtestProtocolError, unless complete messages
   * preceded the bad frame in this call, which are returned first (check `failure`).
   */
  push(chunk: Uint8Array): VtestMessage[] {
    if (this.failed) throw this.failed;
    this.queue.push(chunk);
    const out: VtestMessage[] = [];
    try {
      for (;;) {
        const frame = this.pending();
        if (!frame || this.queue.length < frame.totalBytes) break;
        const raw = this.queue.take(frame.totalBytes);
        out.push(decode(frame.cmd, raw));
        this.consumed += frame.totalBytes;
      }
    } catch (err) {
      if (!(err instanceof VtestProtocolError)) throw err;
      this.failed = err;
      // Messages completed before the bad frame are valid: hand them out first; the error is
      // available as `failure` now and thrown by the next push().
      if (out.length === 0) throw err;
    }
    return out;
  }

  /** The framing error that stopped this parser, if any. */
  get failure(): VtestProtocolError | null {
    return this.failed;
  }

  /**
   * Describes an incomplete trailing message, or null when the stream ended on a message
   * boundary. Call when the peer closes the connection.
   */
  truncation(): string | null {
    if (this.queue.length === 0) return null;
    if (this.queue.length < VTEST_HDR_BYTES) {
      return `stream ended inside a message header (${this.queue.length} of 8 bytes) at offset ${this.consumed}`;
    }
    const cmd = this.queue.peekU32(4);
    let need = "?";
    try {
      const f = this.pending();
      if (f) need = String(f.totalBytes);
    } catch {
      /* already reported through push() */
    }
    return `stream ended inside ${vcmdName(cmd)} at offset ${this.consumed}: have ${this.queue.length} of ${need} bytes`;
  }

  private fail(message: string, cmd: number | undefined): never {
    throw new VtestProtocolError(`${message} (at stream offset ${this.consumed})`, cmd, this.consumed);
  }

  private pending(): PendingFrame | null {
    const q = this.queue;
    if (q.length < VTEST_HDR_BYTES) return null;
    const lengthField = q.peekU32(0);
    const cmd = q.peekU32(4);
    const max = this.limits.maxMessageBytes;
    const name = vcmdName(cmd);
    if (!isKnownVcmd(cmd)) this.fail(`unknown vtest command ${cmd} (length field ${lengthField})`, cmd);

    if (cmd === VCMD.CREATE_RENDERER) {
      // Quirk: length in bytes.
      if (lengthField > this.limits.maxNameBytes) {
        this.fail(`CREATE_RENDERER name of ${lengthField} bytes exceeds ${this.limits.maxNameBytes}`, cmd);
      }
      return { cmd, lengthField, totalBytes: VTEST_HDR_BYTES + lengthField };
    }
    if (cmd === VCMD.TRANSFER_PUT2) {
      // Quirk: the length field includes the (shared-memory) data; the wire carries 10 dwords.
      return { cmd, lengthField, totalBytes: VTEST_HDR_BYTES + VCMD_SIZE.TRANSFER2_HDR * 4 };
    }
    if (cmd === VCMD.TRANSFER_PUT) {
      // Quirk: 11 dwords, then data_size raw bytes; the length field is not trusted.
      const hdrBytes = VTEST_HDR_BYTES + VCMD_SIZE.TRANSFER_HDR * 4;
      if (q.length < hdrBytes) return { cmd, lengthField, totalBytes: hdrBytes };
      const dataSize = q.peekU32(VTEST_HDR_BYTES + 10 * 4);
      if (dataSize > max - hdrBytes) this.fail(`TRANSFER_PUT data_size ${dataSize} exceeds the ${max}-byte message limit`, cmd);
      return { cmd, lengthField, totalBytes: hdrBytes + dataSize };
    }
    const fixed = FIXED_DWORDS.get(cmd);
    if (fixed !== undefined && lengthField !== fixed) {
      this.fail(`${name} length ${lengthField} dwords, expected ${fixed}`, cmd);
    }
    if (lengthField > (max - VTEST_HDR_BYTES) / 4) {
      this.fail(`${name} length ${lengthField} dwords exceeds the ${max}-byte message limit`, cmd);
    }
    return { cmd, lengthField, totalBytes: VTEST_HDR_BYTES + lengthField * 4 };
  }
}

function u32s(raw: Uint8Array, fromByte: number, count: number): Uint32Array {
  // raw comes from ByteQueue.take(): a fresh buffer, so 4-byte offsets are aligned.
  return new Uint32Array(raw.buffer, raw.byteOffset + fromByte, count);
}

function boxAt(d: Uint32Array, i: number): Box {
  return { x: d[i]!, y: d[i + 1]!, z: d[i + 2]!, width: d[i + 3]!, height: d[i + 4]!, depth: d[i + 5]! };
}

function resourceAt(d: Uint32Array): ResourceDesc {
  return {
    handle: d[0]!,
    target: d[1]!,
    format: d[2]!,
    bind: d[3]!,
    width: d[4]!,
    height: d[5]!,
    depth: d[6]!,
    arraySize: d[7]!,
    lastLevel: d[8]!,
    nrSamples: d[9]!,
  };
}

function transferAt(d: Uint32Array): TransferDesc {
  return { handle: d[0]!, level: d[1]!, stride: d[2]!, layerStride: d[3]!, box: boxAt(d, 4), dataSize: d[10]! };
}

function transfer2At(d: Uint32Array): Transfer2Desc {
  return { handle: d[0]!, level: d[1]!, box: boxAt(d, 2), dataSize: d[8]!, offset: d[9]! };
}

/** Decodes one complete frame (header included). Assumes a little-endian host, as Node on x86/ARM is. */
export function decode(cmd: number, raw: Uint8Array): VtestMessage {
  const bodyBytes = raw.byteLength - VTEST_HDR_BYTES;
  const body = (dw: number): Uint32Array => u32s(raw, VTEST_HDR_BYTES, dw);
  switch (cmd) {
    case VCMD.CREATE_RENDERER: {
      const bytes = raw.subarray(VTEST_HDR_BYTES);
      const nul = bytes.indexOf(0);
      return { cmd, name: new TextDecoder().decode(nul >= 0 ? bytes.subarray(0, nul) : bytes), raw };
    }
    case VCMD.PING_PROTOCOL_VERSION:
    case VCMD.GET_CAPS:
    case VCMD.GET_CAPS2:
      return { cmd, raw };
    case VCMD.PROTOCOL_VERSION:
      return { cmd, version: body(1)[0]!, raw };
    case VCMD.RESOURCE_CREATE:
      return { cmd, resource: resourceAt(body(10)), raw };
    case VCMD.RESOURCE_CREATE2: {
      const d = body(11);
      return { cmd, resource: resourceAt(d), dataSize: d[10]!, raw };
    }
    case VCMD.RESOURCE_UNREF:
      return { cmd, handle: body(1)[0]!, raw };
    case VCMD.TRANSFER_GET:
      return { cmd, transfer: transferAt(body(11)), raw };
    case VCMD.TRANSFER_PUT:
      return { cmd, transfer: transferAt(body(11)), data: raw.subarray(VTEST_HDR_BYTES + 44), raw };
    case VCMD.TRANSFER_GET2:
      return { cmd, transfer: transfer2At(body(10)), raw };
    case VCMD.TRANSFER_PUT2:
      return { cmd, transfer: transfer2At(body(10)), raw };
    case VCMD.SUBMIT_CMD:
      return { cmd, commands: body(bodyBytes / 4), raw };
    case VCMD.RESOURCE_BUSY_WAIT: {
      const d = body(2);
      return { cmd, handle: d[0]!, flags: d[1]!, raw };
    }
    default:
      return { cmd: cmd as UnsupportedVcmd, body: body(bodyBytes >>> 2), raw };
  }
}
