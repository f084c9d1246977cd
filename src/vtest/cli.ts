// Command line of bin/webvirgl-vtest.mjs. Prints exactly one line "listening on PATH" on stdout
// when ready; logs go to stderr. SIGINT/SIGTERM close the server cleanly.

import { parseArgs } from "node:util";
import { DEFAULT_SOCKET_PATH, startServer, stderrLogger } from "./server.ts";
import { DEFAULT_CAPSET_FILES, loadCapsets, type Capsets } from "./capsets.ts";
import type { RendererPort } from "./renderer-port.ts";
import { RecordingPort } from "./recording-port.ts";
import { PatternPort } from "./pattern-port.ts";
import type { Logger } from "./session.ts";

const USAGE = `usage: webvirgl-vtest [options]
  --socket PATH        UNIX socket to listen on (default ${DEFAULT_SOCKET_PATH})
  --record DIR         record every connection to DIR/NNN-<client>.vtstream
  --gzip               gzip the recordings (.vtstream.gz)
  --capset1 FILE       capset 1 reply (default ${DEFAULT_CAPSET_FILES[1]})
  --capset2 FILE       capset 2 reply (default ${DEFAULT_CAPSET_FILES[2]})
  --renderer KIND      chromium (default: our WebGL2 renderer in the bridge page, headless
                       Chromium), page (same page, but print its URL and wait for any browser),
                       recording (in-memory, renders nothing, reference caps), pattern
                       (recording, but window readbacks return a known gradient)
  --page-port KIND     port of the bridge page: webgl (default) or recording
  --protocol N         highest protocol version to offer (default 0; see README)
  --no-ping            do not answer PING_PROTOCOL_VERSION (act as a pre-versioning server)
  --max-message BYTES  largest accepted message (default 268435456: the largest resource the
                       WebGL port accepts; piglit's max-texture-size uploads 128 MiB at once)
  --quiet              log errors only
  --help`;

function main(): Promise<void> | void {
  const { values } = parseArgs({
    options: {
      socket: { type: "string", default: DEFAULT_SOCKET_PATH },
      record: { type: "string" },
      gzip: { type: "boolean", default: false },
      capset1: { type: "string", default: DEFAULT_CAPSET_FILES[1] },
      capset2: { type: "string", default: DEFAULT_CAPSET_FILES[2] },
      protocol: { type: "string", default: "0" },
      renderer: { type: "string", default: "chromium" },
      "page-port": { type: "string", default: "webgl" },
      "no-ping": { type: "boolean", default: false },
      "max-message": { type: "string", default: String(256 * 1024 * 1024) },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const servedVersion = Number(values.protocol);
  const maxMessageBytes = Number(values["max-message"]);
  if (!Number.isInteger(servedVersion) || servedVersion < 0) throw new Error(`--protocol: bad version ${values.protocol}`);
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 64) throw new Error(`--max-message: bad size ${values["max-message"]}`);
  const log: Logger = values.quiet ? { info: () => {}, error: stderrLogger.error } : stderrLogger;
  const capsets = loadCapsets({ 1: values.capset1, 2: values.capset2 });
  const pagePort = values["page-port"];
  if (pagePort !== "webgl" && pagePort !== "recording") throw new Error(`--page-port: unknown kind ${pagePort} (webgl, recording)`);
  return makePort(values.renderer, pagePort, capsets, log).then((port) => startServer({
    socketPath: values.socket,
    port,
    servedVersion,
    answerPing: !values["no-ping"],
    limits: { maxMessageBytes },
    log,
    recordDir: values.record,
    recordGzip: values.gzip,
  }).then((server) => {
    process.stdout.write(`listening on ${server.socketPath}\n`);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: shutting down`);
      server.close().then(
        () => process.exit(0),
        (err: Error) => {
          stderrLogger.error(`shutdown: ${err.message}`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  }));
}

async function makePort(kind: string, pagePort: "webgl" | "recording", capsets: Capsets, log: Logger): Promise<RendererPort> {
  if (kind === "recording") return new RecordingPort(capsets);
  if (kind === "pattern") return new PatternPort(new RecordingPort(capsets));
  if (kind !== "chromium" && kind !== "page") throw new Error(`--renderer: unknown kind ${kind} (recording, pattern, chromium, page)`);
  const { startChromiumBridge } = await import("./bridge/chromium.ts");
  const bridge = await startChromiumBridge({ ...capsets, external: kind === "page", pagePort, log: (l) => log.info(l) });
  return { createContext: (info) => bridge.port.createContext(info), close: () => bridge.close() };
}

try {
  await main();
} catch (err) {
  stderrLogger.error((err as Error).message);
  process.exit(2);
}
