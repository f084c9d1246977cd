import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  VCMD,
  encodeCreateRenderer,
  encodeRequest,
  encodeTransferGet,
  encodeTransferPut,
  resourceCreateBody,
  type TransferDesc,
} from "../../src/vtest/protocol.ts";
import { referenceRecordingPort } from "../../src/vtest/capsets.ts";
import type { ContextInfo, RendererContext, RendererPort } from "../../src/vtest/renderer-port.ts";
import { startServer, type VtestServer } from "../../src/vtest/server.ts";
import { readStreamFile } from "../../src/vtest/stream-io.ts";
import { describeStream } from "../../src/vtest/stream-dump.ts";
import { FakeClient, memoryLogger, tempDir } from "./helpers.ts";

/** A RecordingPort that also counts destroyed contexts. */
class CountingPort implements RendererPort {
  readonly inner = referenceRecordingPort();
  destroyed = 0;
  createContext(info: ContextInfo): RendererContext {
    const ctx = this.inner.createContext(info);
    return Object.assign(Object.create(ctx) as RendererContext, {
      destroy: () => {
        this.destroyed++;
        return ctx.destroy();
      },
    });
  }
}

/** Mesa 22.3's connect + negotiate + get_caps sequence; returns the negotiated version. */
async function mesaHandshake(c: FakeClient, name: string): Promise<number> {
  c.send(encodeCreateRenderer(name), encodeRequest(VCMD.PING_PROTOCOL_VERSION, []), encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [0, 0]));
  expect(await c.readU32s(2)).toEqual([0, VCMD.PING_PROTOCOL_VERSION]);
  expect(await c.readU32s(3)).toEqual([1, VCMD.RESOURCE_BUSY_WAIT, 0]);
  c.send(encodeRequest(VCMD.PROTOCOL_VERSION, [2]));
  const [len, id, version] = await c.readU32s(3);
  expect([len, id]).toEqual([1, VCMD.PROTOCOL_VERSION]);
  c.send(encodeRequest(VCMD.GET_CAPS2, []), encodeRequest(VCMD.GET_CAPS, []));
  expect(await c.readU32s(2)).toEqual([1377, 2]);
  await c.read(1376);
  expect(await c.readU32s(2)).toEqual([309, 1]);
  await c.read(308);
  return version!;
}

const box = (x: number, y: number, w: number, h: number): TransferDesc["box"] => ({ x, y, z: 0, width: w, height: h, depth: 1 });

let server: VtestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(extra: { recordDir?: string; maxMessageBytes?: number } = {}) {
  const dir = tempDir();
  const port = new CountingPort();
  const log = memoryLogger();
  server = await startServer({
    socketPath: join(dir, "vtest.sock"),
    port,
    log,
    recordDir: extra.recordDir,
    limits: extra.maxMessageBytes ? { maxMessageBytes: extra.maxMessageBytes } : undefined,
  });
  return { server, port, log, dir };
}

describe("vtest server over a UNIX socket", () => {
  it("does Mesa's handshake, negotiates protocol 0, round-trips a transfer", async () => {
    const { server, log } = await start();
    const c = await FakeClient.connect(server.socketPath);
    expect(await mesaHandshake(c, "fake-glxinfo")).toBe(0);
    const r = { handle: 1, target: 2, format: 1, bind: 2, width: 8, height: 8, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
    c.send(encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(r)));
    const data = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
    c.send(encodeTransferPut({ handle: 1, level: 0, stride: 16, layerStride: 0, box: box(2, 3, 4, 2), dataSize: 32 }, data));
    c.send(encodeRequest(VCMD.SUBMIT_CMD, [0x00000000]));
    c.send(encodeTransferGet({ handle: 1, level: 0, stride: 16, layerStride: 0, box: box(2, 3, 4, 2), dataSize: 32 }));
    // Display-target rule does not apply (bind = RENDER_TARGET): data comes straight back.
    expect(Array.from(await c.read(32))).toEqual(Array.from(data));
    c.send(encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [1, 1]));
    expect(await c.readU32s(3)).toEqual([1, VCMD.RESOURCE_BUSY_WAIT, 0]);
    c.destroy();
    await c.done;
    await server.idle();
    expect(log.errors).toEqual([]);
    expect(log.lines.some((l) => l.includes("client offered protocol 2, negotiated 0"))).toBe(true);
  });

  it("answers a front-buffer BUSY_WAIT before the TRANSFER_GET data, as Mesa reads them", async () => {
    const { server } = await start();
    const c = await FakeClient.connect(server.socketPath);
    await mesaHandshake(c, "fake-glxgears");
    const dt = { handle: 1, target: 2, format: 2, bind: 0x8a, width: 4, height: 2, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
    c.send(encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(dt)));
    const img = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const t = { handle: 1, level: 0, stride: 16, layerStride: 0, box: box(0, 0, 4, 2), dataSize: 32 };
    c.send(encodeTransferPut(t, img));
    c.send(encodeTransferGet(t), encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [1, 1]));
    expect(await c.readU32s(3)).toEqual([1, VCMD.RESOURCE_BUSY_WAIT, 0]);
    expect(Array.from(await c.read(32))).toEqual(Array.from(img));
    // A lone TRANSFER_GET of a display target (glReadPixels on a window) still gets its data.
    c.send(encodeTransferGet(t));
    expect(Array.from(await c.read(32))).toEqual(Array.from(img));
    c.destroy();
  });

  it("serves two clients at once with separate contexts", async () => {
    const { server, port } = await start();
    const [a, b] = await Promise.all([FakeClient.connect(server.socketPath), FakeClient.connect(server.socketPath)]);
    await Promise.all([mesaHandshake(a, "a"), mesaHandshake(b, "b")]);
    expect(server.connections).toBe(2);
    const r = { handle: 1, target: 0, format: 64, bind: 0x10, width: 16, height: 1, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
    const t = { handle: 1, level: 0, stride: 0, layerStride: 0, box: box(0, 0, 4, 1), dataSize: 4 };
    for (const [c, v] of [[a, 7], [b, 9]] as const) {
      c.send(encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(r)), encodeTransferPut(t, Uint8Array.of(v, v, v, v)));
    }
    b.send(encodeTransferGet(t));
    a.send(encodeTransferGet(t));
    expect(Array.from(await a.read(4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(await b.read(4))).toEqual([9, 9, 9, 9]);
    a.destroy();
    await a.done;
    // b is unaffected by a's departure.
    b.send(encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [1, 1]));
    expect(await b.readU32s(3)).toEqual([1, VCMD.RESOURCE_BUSY_WAIT, 0]);
    b.destroy();
    await server.idle();
    expect(port.inner.stats.contexts).toBe(2);
    expect(port.destroyed).toBe(2);
  });

  it("tears down cleanly when a client dies mid-message", async () => {
    const { server, port, log } = await start();
    const c = await FakeClient.connect(server.socketPath);
    await mesaHandshake(c, "dies");
    const submit = encodeRequest(VCMD.SUBMIT_CMD, new Uint32Array(1000));
    c.send(submit.subarray(0, 1234));
    await new Promise((r) => setTimeout(r, 50));
    c.destroy();
    await server.idle();
    expect(server.connections).toBe(0);
    expect(port.destroyed).toBe(1);
    expect(log.errors.join("\n")).toMatch(/session 1 \(dies\): client went away: stream ended inside SUBMIT_CMD at offset \d+: have 1234 of 4008 bytes/);
  });

  it("closes the connection with a logged error on hostile input", async () => {
    const { server, log } = await start({ maxMessageBytes: 1 << 20 });
    const huge = await FakeClient.connect(server.socketPath);
    huge.send(encodeCreateRenderer("hostile"), encodeRequest(VCMD.SUBMIT_CMD, [], 0x40000000));
    await huge.done;
    const unknown = await FakeClient.connect(server.socketPath);
    unknown.send(encodeCreateRenderer("unknown"), encodeRequest(77, [1, 2, 3]));
    await unknown.done;
    const early = await FakeClient.connect(server.socketPath);
    early.send(encodeRequest(VCMD.GET_CAPS, []));
    await early.done;
    const bigGet = await FakeClient.connect(server.socketPath);
    bigGet.send(encodeCreateRenderer("bigget"), encodeTransferGet({ handle: 1, level: 0, stride: 0, layerStride: 0, box: box(0, 0, 1, 1), dataSize: 0xffffffff }));
    await bigGet.done;
    const v2 = await FakeClient.connect(server.socketPath);
    v2.send(encodeCreateRenderer("v2"), encodeRequest(VCMD.RESOURCE_CREATE2, [1, 2, 1, 2, 8, 8, 1, 1, 0, 0, 256]));
    await v2.done;
    await server.idle();
    const errs = log.errors.join("\n");
    expect(errs).toMatch(/hostile\): protocol error: SUBMIT_CMD length 1073741824 dwords exceeds the 1048576-byte message limit .*closing connection/);
    expect(errs).toMatch(/unknown\): protocol error: unknown vtest command 77/);
    expect(errs).toMatch(/session 3: error: first message must be CREATE_RENDERER, got GET_CAPS/);
    expect(errs).toMatch(/bigget\): error: TRANSFER_GET of 4294967295 bytes exceeds the 1048576-byte reply limit/);
    expect(errs).toMatch(/v2\): error: RESOURCE_CREATE2 with 256 bytes of backing needs an fd over SCM_RIGHTS/);
    expect(server.connections).toBe(0);
  });

  it("stops serving a client that does not read its replies (bounded write buffer)", async () => {
    const { server, port } = await start();
    const c = await FakeClient.connect(server.socketPath);
    await mesaHandshake(c, "noread");
    c.socket.pause();
    const r = { handle: 1, target: 0, format: 64, bind: 0x10, width: 1 << 20, height: 1, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
    c.send(encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(r)));
    const get = encodeTransferGet({ handle: 1, level: 0, stride: 0, layerStride: 0, box: box(0, 0, 1 << 20, 1), dataSize: 1 << 20 });
    for (let i = 0; i < 64; i++) c.send(get); // 64 MiB of replies requested, none read
    await new Promise((res) => setTimeout(res, 300));
    // The server paused after the first replies instead of queueing 64 MiB for us.
    expect(port.inner.stats.transferGets).toBeLessThan(8);
    // Resume reading: every reply arrives, in order.
    c.socket.resume();
    for (let i = 0; i < 64; i++) expect((await c.read(1 << 20, 20_000)).byteLength).toBe(1 << 20);
    c.destroy();
  });

  it("records each connection to a stream file", async () => {
    const recordDir = tempDir();
    const { server } = await start({ recordDir });
    const c = await FakeClient.connect(server.socketPath);
    await mesaHandshake(c, "rec/me");
    c.destroy();
    await server.idle();
    const files = readdirSync(recordDir);
    expect(files).toEqual(["001-me.vtstream"]);
    const lines = describeStream(readStreamFile(join(recordDir, files[0]!)));
    expect(lines.filter((l) => l.includes(" -> ")).map((l) => l.split(" -> ")[1]!.split(" ")[0])).toEqual([
      "CREATE_RENDERER",
      "PING_PROTOCOL_VERSION",
      "RESOURCE_BUSY_WAIT",
      "PROTOCOL_VERSION",
      "GET_CAPS2",
      "GET_CAPS",
    ]);
  });

  it("refuses a socket path another server is listening on", async () => {
    const { server } = await start();
    await expect(startServer({ socketPath: server.socketPath, port: referenceRecordingPort(), log: memoryLogger() })).rejects.toThrow(/another server is listening/);
  });
});

const HAVE_CHROMIUM = existsSync(process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium");

describe("bin/webvirgl-vtest.mjs", () => {
  // The default renderer (chromium: WebGL2 in headless Chromium + a Vite server) must keep stdout
  // to that one line and exit 0 on SIGTERM too (Vite and Playwright install signal handlers).
  it.each(HAVE_CHROMIUM ? [["recording"], ["default (chromium)"]] : [["recording"]])("%s: prints exactly one 'listening on PATH' line and exits cleanly on SIGTERM", async (kind) => {
    const sock = join(tempDir(), "cli.sock");
    const bin = new URL("../../bin/webvirgl-vtest.mjs", import.meta.url).pathname;
    const args = kind === "recording" ? ["--renderer", "recording"] : [];
    const child = spawn(process.execPath, [bin, "--socket", sock, "--quiet", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toBe(`listening on ${sock}\n`);
    const c = await FakeClient.connect(sock);
    expect(await mesaHandshake(c, "cli")).toBe(0);
    c.destroy();
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", resolve);
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    expect(out).toBe(`listening on ${sock}\n`);
    expect(existsSync(sock)).toBe(false);
  }, 120_000);
});
