// Node-side stream file I/O: a recorder that appends records to a (.vtstream[.gz]) file and a
// reader that loads one, gunzipping when the file starts with the gzip magic.

import { createWriteStream, readFileSync } from "node:fs";
import { createGzip, gunzipSync } from "node:zlib";
import type { Writable } from "node:stream";
import { performance } from "node:perf_hooks";
import {
  Direction,
  encodeStreamHeader,
  encodeStreamRecord,
  parseStream,
  type ParsedStream,
  type StreamMeta,
} from "./stream-file.ts";

export interface StreamRecorder {
  record(direction: Direction, cmd: number, bytes: Uint8Array): void;
  note(text: string): void;
  close(): Promise<void>;
}

/** Records to `path`; gzip-compressed when the path ends in ".gz". */
export function createStreamRecorder(path: string, meta: StreamMeta): StreamRecorder {
  const file = createWriteStream(path);
  const out: Writable = path.endsWith(".gz") ? createGzip({ level: 9 }) : file;
  if (out !== file) out.pipe(file);
  const t0 = performance.now();
  let failed: Error | null = null;
  const onError = (err: Error): void => {
    failed ??= new Error(`stream recorder ${path}: ${err.message}`);
  };
  file.on("error", onError);
  out.on("error", onError);
  out.write(encodeStreamHeader(meta));
  const put = (direction: Direction, cmd: number, bytes: Uint8Array): void => {
    if (failed) return;
    out.write(encodeStreamRecord({ direction, cmd, timeMs: performance.now() - t0, bytes }));
  };
  return {
    record: put,
    note: (text) => put(Direction.Note, 0, new TextEncoder().encode(text)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        file.once("close", () => (failed ? reject(failed) : resolve()));
        out.end();
      }),
  };
}

/** Reads a stream file, transparently gunzipping. */
export function readStreamFile(path: string): ParsedStream {
  let data: Uint8Array = readFileSync(path);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  return parseStream(data);
}
