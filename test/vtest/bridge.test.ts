// The Chromium bridge: vtest server -> BridgePort -> WebSocket -> bridge page in headless
// Chromium (Debian `chromium`) -> the page's RendererPort. Skips without chromium.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { VCMD, encodeCreateRenderer, encodeRequest, encodeTransferGet, encodeTransferPut, resourceCreateBody } from "../../src/vtest/protocol.ts";
import { loadCapsets } from "../../src/vtest/capsets.ts";
import { startServer, type VtestServer } from "../../src/vtest/server.ts";
import {
  BridgeOp,
  decodeBridgeRequest,
  decodeBridgeResponse,
  decodeHello,
  decodeResource,
  decodeTransfer,
  encodeBridgeRequest,
  encodeBridgeResponse,
  encodeHello,
  encodeResource,
  encodeTransfer,
} from "../../src/vtest/bridge/wire.ts";
import type { ChromiumBridge } from "../../src/vtest/bridge/chromium.ts";
import { FakeClient, memoryLogger, tempDir } from "./helpers.ts";

describe("bridge wire format", () => {
  it("round-trips requests, responses and payloads", () => {
    const req = decodeBridgeRequest(encodeBridgeRequest(BridgeOp.SUBMIT, 7, 3, Uint8Array.of(1, 2, 3, 4)));
    expect([req.op, req.id, req.ctx, Array.from(req.payload)]).toEqual([BridgeOp.SUBMIT, 7, 3, [1, 2, 3, 4]]);
    const res = decodeBridgeResponse(encodeBridgeResponse(9, false, new TextEncoder().encode("boom")));
    expect([res.id, res.ok, new TextDecoder().decode(res.payload)]).toEqual([9, false, "boom"]);
    const r = { handle: 1, target: 2, format: 67, bind: 2, width: 3, height: 4, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
    expect(decodeResource(encodeResource(r))).toEqual(r);
    const t = { handle: 1, level: 2, stride: 16, layerStride: 64, box: { x: 1, y: 2, z: 3, width: 4, height: 5, depth: 6 }, dataSize: 99 };
    expect(decodeTransfer(encodeTransfer(t))).toEqual(t);
    const h = decodeHello(encodeHello(Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5)));
    expect([Array.from(h.capset1), Array.from(h.capset2)]).toEqual([[1, 2], [3, 4, 5]]);
    expect(() => decodeBridgeRequest(new Uint8Array(4))).toThrow(/too short/);
  });
});

const chromiumMissing = existsSync(process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium") ? null : "chromium (Debian chromium)";

describe.skipIf(chromiumMissing !== null)(`Chromium bridge${chromiumMissing ? ` (skipped: missing ${chromiumMissing})` : ""}`, () => {
  let bridge: ChromiumBridge;
  let server: VtestServer;
  const log = memoryLogger();

  beforeAll(async () => {
    const { startChromiumBridge } = await import("../../src/vtest/bridge/chromium.ts");
    bridge = await startChromiumBridge({ ...loadCapsets(), log: (l) => log.info(l) });
    server = await startServer({ socketPath: join(tempDir(), "bridge.sock"), port: bridge.port, log });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await bridge?.close();
  });

  it("reports the page's WebGL2", () => {
    expect(bridge.description).toMatch(/WebGL2 WebGL 2\.0/);
  });

  it("serves handshake, caps and a texture round trip through the WebGL2 renderer, for two clients", async () => {
    const clients = await Promise.all([FakeClient.connect(server.socketPath), FakeClient.connect(server.socketPath)]);
    await Promise.all(
      clients.map(async (c, i) => {
        c.send(encodeCreateRenderer(`bridge-${i}`), encodeRequest(VCMD.PING_PROTOCOL_VERSION, []), encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [0, 0]));
        expect(await c.readU32s(5)).toEqual([0, 10, 1, 7, 0]);
        c.send(encodeRequest(VCMD.PROTOCOL_VERSION, [2]), encodeRequest(VCMD.GET_CAPS2, []));
        expect(await c.readU32s(3)).toEqual([1, 11, 0]);
        expect(await c.readU32s(2)).toEqual([1377, 2]);
        const caps = await c.read(1376);
        // The page's WebGL2 renderer builds the caps (the reference capset would say LLVMPIPE).
        const rendererName = new TextDecoder().decode(caps.subarray(696, 760)).replace(/\0.*$/s, "");
        expect(rendererName).toMatch(/^(ANGLE|SwiftShader|Google)/);
        const r = { handle: 1, target: 2, format: 67, bind: 2, width: 64, height: 64, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
        const t = { handle: 1, level: 0, stride: 256, layerStride: 0, box: { x: 0, y: 0, z: 0, width: 64, height: 64, depth: 1 }, dataSize: 256 * 64 };
        const data = Uint8Array.from({ length: t.dataSize }, (_, k) => (k * 7 + i) & 0xff);
        c.send(encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(r)), encodeTransferPut(t, data), encodeRequest(VCMD.SUBMIT_CMD, [0]));
        c.send(encodeTransferGet(t));
        expect(Buffer.from(await c.read(t.dataSize)).equals(Buffer.from(data))).toBe(true);
        c.destroy();
      }),
    );
    await server.idle();
    expect(log.errors).toEqual([]);
  }, 60_000);

  it("tears a dying client's WebGL context down: 24 clients killed mid-message, then one that works", async () => {
    const r = { handle: 1, target: 2, format: 67, bind: 2, width: 16, height: 16, depth: 1, arraySize: 1, lastLevel: 0, nrSamples: 0 };
    const t = { handle: 1, level: 0, stride: 64, layerStride: 0, box: { x: 0, y: 0, z: 0, width: 16, height: 16, depth: 1 }, dataSize: 64 * 16 };
    const data = Uint8Array.from({ length: t.dataSize }, (_, k) => (k * 13) & 0xff);
    // More clients than Chromium keeps WebGL contexts per page (16): a leaked context would make
    // Chromium drop the oldest one and warn "Too many active WebGL contexts".
    for (let i = 0; i < 24; i++) {
      const c = await FakeClient.connect(server.socketPath);
      c.send(encodeCreateRenderer(`dying-${i}`), encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(r)), encodeTransferPut(t, data));
      c.send(encodeTransferGet(t));
      await c.read(t.dataSize); // the page created the context and the texture
      c.socket.write(Buffer.from(encodeTransferPut(t, data)).subarray(0, 100)); // dies inside a TRANSFER_PUT
      c.destroy();
      await c.done;
    }
    await server.idle();
    const c = await FakeClient.connect(server.socketPath);
    c.send(encodeCreateRenderer("survivor"), encodeRequest(VCMD.RESOURCE_CREATE, resourceCreateBody(r)), encodeTransferPut(t, data), encodeTransferGet(t));
    expect(Buffer.from(await c.read(t.dataSize)).equals(Buffer.from(data))).toBe(true);
    c.destroy();
    await server.idle();
    expect(log.lines.filter((l) => /too many active webgl contexts|context lost/i.test(l))).toEqual([]);
    expect(log.lines.filter((l) => /dying-23\): client went away: stream ended inside TRANSFER_PUT/.test(l))).toHaveLength(1);
  }, 120_000);
});
