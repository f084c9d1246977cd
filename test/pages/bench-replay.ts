/**
 * Renderer throughput on recorded Mesa traffic (bench/renderer-replay.ts): a VirglRenderer on an
 * OffscreenCanvas WebGL2 context (the same class and draw path the GPU worker uses, debug off)
 * replays a vtest stream from test/fixtures/streams:
 *   cold    the whole stream once on a fresh context: resource creation, shader translation and
 *           GL compile/link, every frame
 *   frames  the stream's frame records (everything after the second TRANSFER_GET readback: submits,
 *           readbacks, uploads; not RESOURCE_CREATE) replayed in a loop for a fixed time: draws/s
 *   upload  the stream's TRANSFER_PUT records replayed in a loop into its resources, created afresh:
 *           MB/s into GL buffers/textures
 * Each timed phase ends with gl.finish(), so GPU-side (SwiftShader) work is inside the time.
 * Exposed as `window.replayBench`.
 */
import { countCommands } from "../../src/machine/virgl-traffic.ts";
import { VirglRenderer } from "../../src/virgl/renderer.ts";
import { createDrawPath } from "../../src/virgl/render/draw.ts";
import { translatorFromShaderModule } from "../../src/virgl/render/shader-port.ts";
import { MemoryBacking } from "../../src/virgl/transfer-plan.ts";
import { VCMD, VTEST_HDR_BYTES } from "../../src/vtest/protocol.ts";
import { Direction, parseStream, type StreamRecord } from "../../src/vtest/stream-file.ts";

const { RESOURCE_CREATE, RESOURCE_UNREF, TRANSFER_GET, TRANSFER_PUT, SUBMIT_CMD } = VCMD;
const CTX = 1;

export interface PhaseResult {
  seconds: number;
  /** Whole passes over the phase's records. */
  loops: number;
  submits: number;
  draws: number;
  commands: number;
  /** TRANSFER_PUT bytes uploaded. */
  uploadBytes: number;
  /** TRANSFER_GET bytes read back. */
  readbackBytes: number;
  errors: string[];
}

export interface ReplayBenchResult {
  stream: string;
  glRenderer: string;
  records: number;
  frameRecords: number;
  framesPerLoop: number;
  cold: PhaseResult;
  /** Null for streams with fewer than 3 frames. */
  frames: (PhaseResult & { drawsPerSec: number; framesPerSec: number; commandsPerSec: number }) | null;
  upload: PhaseResult & { puts: number; MBps: number };
}

interface Replayer {
  r: VirglRenderer;
  gl: WebGL2RenderingContext;
}

let shared: Replayer | null = null;

function replayer(): Replayer {
  if (shared) return shared;
  const canvas = new OffscreenCanvas(16, 16);
  const gl = canvas.getContext("webgl2", { antialias: false, preserveDrawingBuffer: false });
  if (!gl) throw new Error("no WebGL2 context on an OffscreenCanvas");
  shared = { gl, r: new VirglRenderer(gl, { debug: false, draw: createDrawPath(translatorFromShaderModule) }) };
  return shared;
}

function emptyPhase(): PhaseResult {
  return { seconds: 0, loops: 0, submits: 0, draws: 0, commands: 0, uploadBytes: 0, readbackBytes: 0, errors: [] };
}

const words = (rec: StreamRecord): Uint32Array => {
  const body = rec.bytes.subarray(VTEST_HDR_BYTES);
  return new Uint32Array(body.buffer, body.byteOffset, body.byteLength >>> 2);
};

/** Executes one client record on the renderer, adding to `phase`. */
function execute(r: VirglRenderer, rec: StreamRecord, phase: PhaseResult): void {
  const dw = words(rec);
  const fail = (what: string) => {
    if (phase.errors.length < 20) phase.errors.push(what);
  };
  if (rec.cmd === RESOURCE_CREATE) {
    const [handle, target, format, bind, width, height, depth, arraySize, lastLevel, nrSamples] = dw;
    const c = r.createResource({ handle, target, format, bind, width, height, depth, arraySize, lastLevel, nrSamples, flags: 0 });
    if (!c.ok) fail(`RESOURCE_CREATE ${handle}: ${c.error.message}`);
    else r.attachResource(CTX, handle);
  } else if (rec.cmd === RESOURCE_UNREF) {
    r.unrefResource(dw[0]);
  } else if (rec.cmd === TRANSFER_PUT) {
    const [handle, level, stride, layerStride, x, y, z, w, h, d, size] = dw;
    const bytes = rec.bytes.subarray(VTEST_HDR_BYTES + 44, VTEST_HDR_BYTES + 44 + size); // after the 11-word transfer header
    const t = r.transferToHost(CTX, handle, level, { x, y, z, w, h, d }, 0, stride, layerStride, new MemoryBacking(new Map([[handle, bytes]])));
    if (!t.ok) fail(`TRANSFER_PUT ${handle}: ${t.error.message}`);
    phase.uploadBytes += size;
  } else if (rec.cmd === TRANSFER_GET) {
    const [handle, level, stride, layerStride, x, y, z, w, h, d] = dw;
    const t = r.transferFromHost(CTX, handle, level, { x, y, z, w, h, d }, 0, stride, layerStride);
    if (t.error) fail(`TRANSFER_GET ${handle}: ${t.error.message}`);
    for (const write of t.backingWrites) phase.readbackBytes += write.bytes.length;
  } else if (rec.cmd === SUBMIT_CMD) {
    const out = r.submit(CTX, dw, new MemoryBacking(new Map()));
    const counted = countCommands(dw);
    phase.submits++;
    phase.draws += counted.draws;
    phase.commands += counted.commands;
    if (out.error) fail(`SUBMIT_CMD ${phase.submits}: ${out.error.cmd}: ${out.error.message}`);
  }
}

/** Replays `records` in a loop until `seconds` passed (at least once), then waits for GL. */
function loop(rep: Replayer, records: StreamRecord[], seconds: number): PhaseResult {
  const phase = emptyPhase();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  do {
    for (const rec of records) execute(rep.r, rec, phase);
    phase.loops++;
  } while (performance.now() < until && records.length > 0);
  rep.gl.finish();
  phase.seconds = (performance.now() - t0) / 1000;
  return phase;
}

async function loadStream(name: string): Promise<StreamRecord[]> {
  const response = await fetch(`/test/fixtures/streams/${name}`);
  if (!response.ok) throw new Error(`GET /test/fixtures/streams/${name}: HTTP ${response.status}`);
  let data = new Uint8Array(await response.arrayBuffer());
  if (data[0] === 0x1f && data[1] === 0x8b) {
    const plain = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
    data = new Uint8Array(await new Response(plain).arrayBuffer());
  }
  return parseStream(data).records.filter((rec) => rec.direction === Direction.ClientToServer);
}

const bench = {
  async run(name: string, seconds: number): Promise<ReplayBenchResult> {
    const records = await loadStream(name);
    const rep = replayer();
    rep.r.reset();
    const created = rep.r.createContext(CTX, name);
    if (!created.ok) throw new Error(`createContext: ${created.error.message}`);

    const cold = loop(rep, records, 0);
    // Mesa sends state deltas: the first frame after setup leans on state the setup submit left,
    // so the loop starts after the second readback (frames 2..N leave the state they found).
    // Streams with fewer frames (piglit tests) give no frame loop.
    const gets = records.flatMap((rec, i) => (rec.cmd === TRANSFER_GET ? [i] : []));
    const frameRecords =
      gets.length < 3
        ? []
        : records.slice(gets[1]! + 1).filter((rec) => rec.cmd === SUBMIT_CMD || rec.cmd === TRANSFER_GET || rec.cmd === TRANSFER_PUT);
    const framesPerLoop = frameRecords.filter((rec) => rec.cmd === TRANSFER_GET).length;
    const frames = frameRecords.length ? loop(rep, frameRecords, seconds) : null;

    // Uploads into the stream's resources, created afresh (a stream may free them at its end).
    rep.r.reset();
    rep.r.createContext(CTX, name);
    const creates = loop(rep, records.filter((rec) => rec.cmd === RESOURCE_CREATE), 0);
    const puts = records.filter((rec) => rec.cmd === TRANSFER_PUT);
    const upload = loop(rep, puts, puts.length ? seconds : 0);
    upload.errors.unshift(...creates.errors);

    const debugInfo = rep.gl.getExtension("WEBGL_debug_renderer_info");
    const glRenderer = String(rep.gl.getParameter(debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : rep.gl.RENDERER));
    const perSec = (n: number, p: PhaseResult) => (p.seconds > 0 ? n / p.seconds : 0);
    return {
      stream: name,
      glRenderer,
      records: records.length,
      frameRecords: frameRecords.length,
      framesPerLoop,
      cold,
      frames: frames && {
        ...frames,
        drawsPerSec: perSec(frames.draws, frames),
        framesPerSec: perSec(frames.loops * framesPerLoop, frames),
        commandsPerSec: perSec(frames.commands, frames),
      },
      upload: { ...upload, puts: puts.length, MBps: perSec(upload.uploadBytes, upload) / 1e6 },
    };
  },
};

declare global {
  interface Window {
    replayBench: typeof bench;
  }
}

window.replayBench = bench;
