// Turns a raw recording into a fixture: `npx tsx src/vtest/make-fixture.ts IN OUT.vtstream.gz [--frames N]`.
// Strips TRANSFER_GET reply payloads, optionally cuts after N presented frames, gzips.

import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { readStreamFile } from "./stream-io.ts";
import { serializeStream, stripTransferGetReplies, truncateAfterFrames } from "./stream-tools.ts";

const { values, positionals } = parseArgs({ options: { frames: { type: "string" } }, allowPositionals: true });
const [input, output] = positionals;
if (!input || !output) {
  process.stderr.write("usage: make-fixture IN OUT.vtstream.gz [--frames N]\n");
  process.exit(2);
}
let stream = readStreamFile(input);
if (values.frames) stream = truncateAfterFrames(stream, Number(values.frames));
stream = stripTransferGetReplies(stream);
const bytes = serializeStream(stream);
writeFileSync(output, output.endsWith(".gz") ? gzipSync(bytes, { level: 9 }) : bytes);
process.stdout.write(`${output}: ${stream.records.length} records, ${bytes.byteLength} bytes uncompressed\n`);
