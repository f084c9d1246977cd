// Replays recorded streams into a renderer port:
//   npx tsx src/vtest/replay-cli.ts [--renderer recording|pattern|chromium|page] FILE...
// Prints, per file, the messages replayed, the time taken and whether the replies match the
// recording (TRANSFER_GET payloads are not compared: they are the renderer's output).

import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { loadCapsets } from "./capsets.ts";
import { PatternPort } from "./pattern-port.ts";
import { VCMD } from "./protocol.ts";
import { RecordingPort } from "./recording-port.ts";
import type { RendererPort } from "./renderer-port.ts";
import { replayStream } from "./replay.ts";
import { Direction } from "./stream-file.ts";
import { readStreamFile } from "./stream-io.ts";

const { values, positionals } = parseArgs({
  options: { renderer: { type: "string", default: "recording" } },
  allowPositionals: true,
});
if (positionals.length === 0) {
  process.stderr.write("usage: replay-cli [--renderer recording|pattern|chromium|page] FILE...\n");
  process.exit(2);
}

const capsets = loadCapsets();
let port: RendererPort;
let close = async (): Promise<void> => {};
if (values.renderer === "recording") port = new RecordingPort(capsets);
else if (values.renderer === "pattern") port = new PatternPort(new RecordingPort(capsets));
else if (values.renderer === "chromium" || values.renderer === "page") {
  const { startChromiumBridge } = await import("./bridge/chromium.ts");
  const bridge = await startChromiumBridge({ ...capsets, external: values.renderer === "page" });
  port = bridge.port;
  close = bridge.close;
} else {
  process.stderr.write(`replay-cli: unknown renderer ${values.renderer}\n`);
  process.exit(2);
}

let failed = false;
try {
  for (const file of positionals) {
    const stream = readStreamFile(file);
    const t0 = performance.now();
    const r = await replayStream(stream, port);
    const ms = performance.now() - t0;
    const recorded = stream.records.filter((x) => x.direction === Direction.ServerToClient);
    let mismatches = recorded.length === r.replies.length ? 0 : Math.abs(recorded.length - r.replies.length);
    recorded.forEach((rec, i) => {
      const got = r.replies[i];
      if (!got || rec.cmd === VCMD.TRANSFER_GET) return;
      if (Buffer.compare(Buffer.from(got), Buffer.from(rec.bytes)) !== 0) mismatches++;
    });
    failed ||= mismatches > 0;
    process.stdout.write(`${file}: ${r.messages} messages in ${ms.toFixed(1)} ms, ${r.replies.length} replies, ${mismatches} mismatches\n`);
  }
} finally {
  await close();
}
process.exit(failed ? 1 : 0);
