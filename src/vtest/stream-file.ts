// The vtest stream file format (".vtstream", optionally gzip-compressed ".vtstream.gz").
// Pure encode/decode with no Node APIs, so the renderer's browser tests can read fixtures too.
//
//   header:  "WVVTSTRM" (8 ASCII bytes) | u32 format version (1) | u32 N | N bytes UTF-8 JSON
//            metadata (StreamMeta) | zero padding to a multiple of 4
//   records: u8 direction | u8 0 | u16 0 | u32 cmd | u32 time_ms | u32 byte_length
//            | byte_length bytes | zero padding to a multiple of 4
//
// direction 0 = client -> server: the vtest frame exactly as received (its 8-byte header
// included, TRANSFER_PUT data included), so the bytes can be fed back to a FrameParser.
// direction 1 = server -> client: the reply bytes exactly as sent; `cmd` = the request answered.
// direction 2 = note: UTF-8 text from the server (negotiated version, errors); `cmd` = 0.
// time_ms = milliseconds since the connection was accepted. All integers little-endian.

export const STREAM_MAGIC = "WVVTSTRM";
export const STREAM_FORMAT_VERSION = 1;
const RECORD_HDR_BYTES = 16;

export const Direction = { ClientToServer: 0, ServerToClient: 1, Note: 2 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export interface StreamMeta {
  /** Producer, e.g. "webvirgl-vtest 0.1.0". */
  tool: string;
  /** ISO time the connection was accepted. */
  createdAt: string;
  /** Free-form extra information (client command line, capset file...). */
  [key: string]: string | number | boolean | null;
}

export interface StreamRecord {
  direction: Direction;
  cmd: number;
  timeMs: number;
  bytes: Uint8Array;
}

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

export function encodeStreamHeader(meta: StreamMeta): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(16 + json.byteLength + pad4(json.byteLength));
  out.set(new TextEncoder().encode(STREAM_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, STREAM_FORMAT_VERSION, true);
  view.setUint32(12, json.byteLength, true);
  out.set(json, 16);
  return out;
}

export function encodeStreamRecord(rec: StreamRecord): Uint8Array {
  const n = rec.bytes.byteLength;
  const out = new Uint8Array(RECORD_HDR_BYTES + n + pad4(n));
  const view = new DataView(out.buffer);
  view.setUint8(0, rec.direction);
  view.setUint32(4, rec.cmd >>> 0, true);
  view.setUint32(8, Math.max(0, Math.min(0xffffffff, Math.round(rec.timeMs))), true);
  view.setUint32(12, n, true);
  out.set(rec.bytes, RECORD_HDR_BYTES);
  return out;
}

export class StreamFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamFormatError";
  }
}

export interface ParsedStream {
  meta: StreamMeta;
  records: StreamRecord[];
}

/** Parses an uncompressed stream file. Record bytes are views into `data`. */
export function parseStream(data: Uint8Array): ParsedStream {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 16 || new TextDecoder().decode(data.subarray(0, 8)) !== STREAM_MAGIC) {
    throw new StreamFormatError(`not a vtest stream file (magic ${STREAM_MAGIC} missing)`);
  }
  const version = view.getUint32(8, true);
  if (version !== STREAM_FORMAT_VERSION) {
    throw new StreamFormatError(`stream format version ${version}, this reader knows ${STREAM_FORMAT_VERSION}`);
  }
  const metaLen = view.getUint32(12, true);
  if (16 + metaLen > data.byteLength) throw new StreamFormatError(`metadata of ${metaLen} bytes runs past the end`);
  let meta: StreamMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(data.subarray(16, 16 + metaLen))) as StreamMeta;
  } catch (err) {
    throw new StreamFormatError(`bad metadata JSON: ${(err as Error).message}`);
  }
  const records: StreamRecord[] = [];
  let off = 16 + metaLen + pad4(metaLen);
  while (off < data.byteLength) {
    if (off + RECORD_HDR_BYTES > data.byteLength) {
      throw new StreamFormatError(`truncated record header at byte ${off}`);
    }
    const direction = view.getUint8(off);
    if (direction > 2) throw new StreamFormatError(`bad record direction ${direction} at byte ${off}`);
    const cmd = view.getUint32(off + 4, true);
    const timeMs = view.getUint32(off + 8, true);
    const n = view.getUint32(off + 12, true);
    const start = off + RECORD_HDR_BYTES;
    if (start + n > data.byteLength) throw new StreamFormatError(`record at byte ${off} (${n} bytes) runs past the end`);
    records.push({ direction: direction as Direction, cmd, timeMs, bytes: data.subarray(start, start + n) });
    off = start + n + pad4(n);
  }
  return { meta, records };
}

/** Concatenates the client->server frames of a stream: the exact bytes the client sent. */
export function clientBytes(records: readonly StreamRecord[]): Uint8Array {
  const frames = records.filter((r) => r.direction === Direction.ClientToServer);
  const out = new Uint8Array(frames.reduce((n, r) => n + r.bytes.byteLength, 0));
  let off = 0;
  for (const r of frames) {
    out.set(r.bytes, off);
    off += r.bytes.byteLength;
  }
  return out;
}
