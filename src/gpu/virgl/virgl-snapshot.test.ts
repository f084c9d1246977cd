/**
 * The 3D module's save/restore: tables + recorded call log out, validated tables + log replay
 * into a fresh renderer (a FakeVirglPort) back. Guest RAM is "restored by v86" by copying bytes.
 */
import { describe, expect, it } from "vitest";
import { CommandStream } from "../../virgl/encode/encoder.ts";
import { Bind, Target, TransferDir } from "../../virgl/protocol.ts";
import { CMD, CTRL_HDR_SIZE, RESP } from "../protocol.ts";
import { encodeCommand, GpuHarness, memEntries } from "../testing/gpu-test-harness.ts";
import type { VirtioGpuSnapshot } from "../create-virtio-gpu.ts";
import { FakeVirglPort } from "./testing/fake-virgl-port.ts";
import { createVirglModule, type VirglModule } from "./virgl-module.ts";
import type { VirglModuleSnapshot } from "./virgl-snapshot.ts";

const capsets = { v1: new Uint8Array(308), v2: new Uint8Array(1376) };
const B8G8R8X8 = 2;
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

function machine(record: boolean | { maxBytes: number } = true): { h: GpuHarness; port: FakeVirglPort; module: VirglModule } {
  const port = new FakeVirglPort();
  const module = createVirglModule({ port, capsets, record });
  const h = new GpuHarness({ modules: [module], memorySize: 1 << 20 });
  port.take();
  return { h, port, module };
}

/** A small kmscube: context, a scanout texture and a vertex buffer with backing, an upload, a submit, a page flip. */
async function runDemo(h: GpuHarness, port: FakeVirglPort): Promise<{ fb: number; vbo: number; vertices: Uint8Array }> {
  const name = new Uint8Array(64);
  name.set(new TextEncoder().encode("kmscube"));
  expect(h.command(CMD.CTX_CREATE, [7, 0], name, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
  const fb = 10;
  const vbo = 11;
  expect(h.command(CMD.RESOURCE_CREATE_3D, [fb, Target.TEXTURE_2D, B8G8R8X8, Bind.RENDER_TARGET | Bind.SCANOUT, 64, 32, 1, 1, 0, 0, 0, 0])?.type).toBe(RESP.OK_NODATA);
  expect(h.command(CMD.RESOURCE_CREATE_3D, [vbo, Target.BUFFER, 64, Bind.VERTEX_BUFFER, 4096, 1, 1, 1, 0, 0, 0, 0])?.type).toBe(RESP.OK_NODATA);
  const fbMem = h.place(new Uint8Array(64 * 32 * 4));
  const vertices = Uint8Array.from({ length: 4096 }, (_, i) => (i * 13) & 0xff);
  const vboMem = h.place(vertices);
  expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [fb, 1], memEntries([{ address: fbMem, length: 64 * 32 * 4 }]))?.type).toBe(RESP.OK_NODATA);
  expect(h.command(CMD.RESOURCE_ATTACH_BACKING, [vbo, 1], memEntries([{ address: vboMem, length: 4096 }]))?.type).toBe(RESP.OK_NODATA);
  expect(h.command(CMD.CTX_ATTACH_RESOURCE, [fb, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
  expect(h.command(CMD.CTX_ATTACH_RESOURCE, [vbo, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
  // TRANSFER_TO_HOST_3D of the vertex buffer: box x,y,z,w,h,d, offset lo/hi, res, level, stride, layer_stride.
  expect(h.command(CMD.TRANSFER_TO_HOST_3D, [0, 0, 0, 4096, 1, 1, 0, 0, vbo, 0, 0, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
  const cs = new CommandStream();
  cs.push({ kind: "TRANSFER3D", res: vbo, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: 256, h: 1, d: 1 }, dataOffset: 512, direction: TransferDir.TO_HOST });
  const words = cs.finish();
  const { head } = h.driver.submit(0, [encodeCommand(CMD.SUBMIT_3D, [words.byteLength, 0], new Uint8Array(words.buffer), { ctxId: 1 })], [CTRL_HDR_SIZE + 64]);
  await tick();
  port.answer();
  await tick();
  expect(h.driver.takeUsed(0).some((u) => u.id === head)).toBe(true);
  expect(h.command(CMD.SET_SCANOUT, [0, 0, 64, 32, 0, fb])?.type).toBe(RESP.OK_NODATA);
  expect(h.command(CMD.RESOURCE_FLUSH, [0, 0, 64, 32, fb, 0])?.type).toBe(RESP.OK_NODATA);
  return { fb, vbo, vertices };
}

/** "v86 save_state": device state (structured-cloned like IndexedDB does), RAM and the fake driver's rings. */
function save(h: GpuHarness): { snapshot: VirtioGpuSnapshot; ram: Uint8Array; queues: GpuHarness["driver"]["queues"] } {
  return { snapshot: structuredClone(h.gpu.saveState()), ram: h.memory.bytes().slice(), queues: structuredClone(h.driver.queues) };
}

function load(h: GpuHarness, saved: ReturnType<typeof save>, snapshot: VirtioGpuSnapshot = saved.snapshot): void {
  h.memory.bytes().set(saved.ram);
  h.driver.queues.splice(0, h.driver.queues.length, ...structuredClone(saved.queues));
  h.gpu.restoreState(snapshot);
}

const moduleState = (s: VirtioGpuSnapshot) => s.device.modules!.virgl as VirglModuleSnapshot;

describe("virgl module save/restore", () => {
  it("round-trips tables and replays the call log into a fresh renderer, then shows the scanout", async () => {
    const a = machine();
    const { fb, vbo, vertices } = await runDemo(a.h, a.port);
    expect(a.module.saveBlocker!()).toBeNull();
    const saved = save(a.h);
    expect(moduleState(saved.snapshot).log!.map((c) => c.op)).toEqual([
      "createContext", "createResource", "createResource", "attachResource", "attachResource", "transferToHost", "submit", "setScanout", "flush",
    ]);

    const b = machine(false);
    load(b.h, saved);
    const calls = b.port.take();
    // Device reset first, then the log (presentation calls skipped), then the final scanout.
    expect(calls.map((c) => c.op)).toEqual(["reset", "createContext", "createResource", "createResource", "attachResource", "attachResource", "transferToHost", "setScanout", "flush"]);
    const upload = calls[6];
    if (upload.op !== "transferToHost") throw new Error(upload.op);
    expect(upload.bytes).toEqual(vertices);
    expect(b.port.pending.map((p) => p.kind)).toEqual(["submit", "fence"]);
    expect(b.port.pending[0].chunks).toEqual([{ res: vbo, offset: 512, bytes: vertices.slice(512, 768) }]);
    b.port.answer();
    b.port.answer();
    const report = await b.module.restored!;
    expect(report).toMatchObject({ calls: 9, errors: 0, expectedErrors: 0, firstError: null });
    expect(b.module.stats).toMatchObject({ contexts: 1, resources: 2 });
    expect(b.h.gpu.device.scanoutStates[0]).toMatchObject({ resourceId: fb, rect: { x: 0, y: 0, width: 64, height: 32 } });

    // The restored device knows the resources and their backing: the guest carries on.
    expect(b.h.command(CMD.TRANSFER_TO_HOST_3D, [0, 0, 0, 16, 1, 1, 100, 0, vbo, 0, 0, 0], undefined, { ctxId: 1 })?.type).toBe(RESP.OK_NODATA);
    const next = b.port.take()[0];
    if (next.op !== "transferToHost") throw new Error(next.op);
    expect(next.bytes).toEqual(vertices.slice(100, 116));
    expect(b.h.command(CMD.CTX_CREATE, [1, 0], new Uint8Array(64), { ctxId: 1 })?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID); // ctx 1 exists
  });

  it("reports replay errors beyond the ones the recorded work had", async () => {
    const a = machine();
    await runDemo(a.h, a.port);
    const saved = save(a.h);
    const b = machine(false);
    load(b.h, saved);
    b.port.answer({ error: { ctx: 1, cmd: "TRANSFER3D", offset: 0, message: "resource 11 has no storage" } });
    b.port.answer();
    expect(await b.module.restored!).toMatchObject({ errors: 1, expectedErrors: 0, firstError: "ctx 1: TRANSFER3D @dw0: resource 11 has no storage" });
  });

  it("without a call log, saving is refused once 3D state exists; past the cap too", async () => {
    const plain = machine(false);
    await runDemo(plain.h, plain.port);
    expect(() => plain.h.gpu.saveState()).toThrow(/module virgl: 2 3D resources and 1 submits so far and no call log/);
    const small = machine({ maxBytes: 2048 });
    await runDemo(small.h, small.port);
    expect(small.module.recording?.state).toBe("overflowed");
    expect(() => small.h.gpu.saveState()).toThrow(/virgl call log passed its 2048-byte cap/);
    small.module.stopRecording();
    expect(small.module.recording?.state).toBe("stopped");
  });

  it("restores an empty-context snapshot saved without a log (the shell save point)", () => {
    const a = machine(false);
    a.h.command(CMD.CTX_CREATE, [0, 0], new Uint8Array(64), { ctxId: 3 });
    const saved = save(a.h);
    expect(moduleState(saved.snapshot).log).toBeNull();
    const b = machine(false);
    load(b.h, saved);
    expect(b.port.take().map((c) => c.op)).toEqual(["reset", "createContext"]);
  });

  const tamper = (edit: (m: VirglModuleSnapshot) => void) => async () => {
    const a = machine();
    await runDemo(a.h, a.port);
    const saved = save(a.h);
    const snapshot = structuredClone(saved.snapshot);
    edit(moduleState(snapshot));
    return { saved, snapshot };
  };

  it.each([
    ["a foreign version", (m: VirglModuleSnapshot) => ((m as { version: number }).version = 1), /virgl: restore: snapshot version 1, expected 2/],
    ["an unknown log entry", (m: VirglModuleSnapshot) => m.log!.splice(2, 0, { op: "eval" } as never), /virgl: restore: virgl log: entry 2 \(eval\): unknown call kind/],
    ["a log entry using a context that does not exist", (m: VirglModuleSnapshot) => m.log!.splice(0, 1), /entry 2 \(attachResource\): ctxId 1 does not exist here/],
    ["backing outside guest RAM", (m: VirglModuleSnapshot) => (m.resources[0].backing = [0x7fff0000, 4096]), /resources\[0\] \(id 10\): backing entry 0 \(2147418112, 4096\) lies outside guest RAM/],
    ["tables that disagree with the log", (m: VirglModuleSnapshot) => m.contexts.pop(), /the call log leaves contexts \[1\], the tables list \[\]/],
    ["an attachment to a missing resource", (m: VirglModuleSnapshot) => m.contexts[0].attached.push(99), /contexts\[0\] \(id 1\): attached lists a resource that does not exist/],
    ["a scanout rect outside its resource", (m: VirglModuleSnapshot) => (m.scanouts[0].rect.width = 65), /scanouts\[0\]: rect .* is not inside resource 10/],
    ["no log but resources", (m: VirglModuleSnapshot) => (m.log = null), /2 resources but no call log to rebuild them/],
  ])("rejects a snapshot with %s, before touching the renderer", async (_, edit, message) => {
    const { saved, snapshot } = await tamper(edit)();
    const b = machine(false);
    expect(() => load(b.h, saved, snapshot)).toThrow(message);
    // Only the device reset reached the renderer: nothing was replayed.
    expect(b.port.take().map((c) => c.op)).toEqual(["reset"]);
    expect(b.module.stats.resources).toBe(0);
  });
});
