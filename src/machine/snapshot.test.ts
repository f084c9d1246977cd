import { describe, expect, it } from "vitest";
import type { VirtioGpuSnapshot } from "../gpu/index.ts";
import { CMD, RESP } from "../gpu/protocol.ts";
import { GpuHarness } from "../gpu/testing/gpu-test-harness.ts";
import { FakeVirglPort } from "../gpu/virgl/testing/fake-virgl-port.ts";
import { createVirglModule } from "../gpu/virgl/virgl-module.ts";
import { getDemo } from "./demos.ts";
import { capsHash, cmdlineOverridesRun, demoSnapshotPoint, SavePoint, snapshotConfig } from "./snapshot-boot.ts";
import { demoCommandLine, isShellPrompt, SNAPSHOT_READY_MARKER } from "./snapshot-guest.ts";
import { MemorySnapshotStorage, SNAPSHOT_FORMAT, snapshotKey, SnapshotStore, type SnapshotConfig } from "./snapshot-store.ts";

const MiB = 1024 * 1024;
const caps = { v1: new Uint8Array(308).fill(1), v2: new Uint8Array(1376).fill(2) };
const config = (version: string, over: Partial<SnapshotConfig> = {}): SnapshotConfig => ({ ...snapshotConfig(version, 256 * MiB, caps, "console=ttyS0 webvirgl.run=shell"), ...over });
const gpuState = { transport: {}, device: { version: 1 } } as unknown as VirtioGpuSnapshot;
const record = (c: SnapshotConfig, bytes = 16) => ({ config: c, savedAt: 1, memorySize: c.memoryMiB * MiB, v86State: new ArrayBuffer(bytes), gpuState });

describe("SnapshotStore", () => {
  it("finds a saved snapshot only for the same image version and config", async () => {
    const store = new SnapshotStore(new MemorySnapshotStorage());
    const info = await store.save(record(config("v1"), 64));
    expect(info.bytes).toBe(64);
    expect((await store.find(config("v1")))?.v86State.byteLength).toBe(64);
    expect(await store.info(config("v1"))).toMatchObject({ key: info.key, bytes: 64 });
    for (const other of [
      config("v1", { memoryMiB: 512 }),
      config("v1", { virgl: false }),
      config("v1", { display: { width: 800, height: 600 } }),
      config("v1", { capsHash: "other" }),
      config("v1", { cmdline: "console=ttyS0 webvirgl.run=shell webvirgl.gl=softpipe" }),
      config("v1", { point: demoSnapshotPoint(getDemo("kmscube"))! }),
    ]) {
      expect(await store.find(other), JSON.stringify(other)).toBeNull();
    }
  });

  it("a new guest image version invalidates: the old record is never returned and is deleted", async () => {
    const storage = new MemorySnapshotStorage();
    const store = new SnapshotStore(storage);
    const old = await store.save(record(config("v1")));
    expect(await store.info(config("v2"))).toBeNull();
    expect(await storage.keys()).not.toContain(old.key);
    await storage.put({ ...record(config("v1")), key: old.key, format: SNAPSHOT_FORMAT });
    expect(await store.find(config("v2"))).toBeNull();
    expect(await storage.keys()).not.toContain(old.key);
    // Saving for v2 also drops anything older.
    await storage.put({ ...record(config("v1")), key: old.key, format: SNAPSHOT_FORMAT });
    const fresh = await store.save(record(config("v2")));
    expect(await storage.keys()).toEqual([fresh.key]);
  });

  it("records of another record format are stale too", async () => {
    const storage = new MemorySnapshotStorage();
    const key = snapshotKey(config("v1")).replace(`/f${SNAPSHOT_FORMAT}/`, "/f0/");
    await storage.put({ ...record(config("v1")), key, format: 0 });
    await storage.put({ ...record(config("v1")), key: "someone-else", format: 0 });
    await new SnapshotStore(storage).deleteStale("v1");
    expect(await storage.keys()).toEqual(["someone-else"]);
  });

  it("discard removes this config's snapshot, or every webvirgl snapshot", async () => {
    const storage = new MemorySnapshotStorage();
    const store = new SnapshotStore(storage);
    await store.save(record(config("v1")));
    const second = await store.save(record(config("v1", { memoryMiB: 512 })));
    await store.discard(config("v1"));
    expect(await storage.keys()).toEqual([second.key]);
    await store.discard();
    expect(await storage.keys()).toEqual([]);
  });

  it("keys spell out the config; caps and command line are hashed", () => {
    const key = snapshotKey(config("5aa2e407"));
    expect(key).toMatch(new RegExp(`^webvirgl-snapshot/f${SNAPSHOT_FORMAT}/5aa2e407/256M/virgl/1024x768/[0-9a-f]{8}/[0-9a-f]{8}/shell$`));
    expect(capsHash(caps)).not.toBe(capsHash({ v1: caps.v1, v2: new Uint8Array(1376) }));
    expect(snapshotConfig("v", 128 * MiB, null, "").virgl).toBe(false);
  });
});

describe("save points", () => {
  it("endless demos are saved running, under a point naming the demo and hashing its command line", async () => {
    const kmscube = demoSnapshotPoint(getDemo("kmscube"));
    expect(kmscube).toMatch(/^demo:kmscube:[0-9a-f]{8}$/);
    expect(demoSnapshotPoint({ ...getDemo("kmscube"), args: "-M rgba" })).not.toBe(kmscube);
    for (const name of ["glinfo", "glmark2", "shell", "sysinfo"] as const) expect(demoSnapshotPoint(getDemo(name)), name).toBeNull();
    // Shell and running-demo records live side by side.
    const store = new SnapshotStore(new MemorySnapshotStorage());
    const shell = await store.save(record(config("v1"), 10));
    const running = await store.save(record(config("v1", { point: kmscube! }), 20));
    expect(shell.key).not.toBe(running.key);
    expect((await store.find(config("v1", { point: kmscube! })))?.v86State.byteLength).toBe(20);
    expect((await store.find(config("v1")))?.v86State.byteLength).toBe(10);
  });
});

describe("guest side", () => {
  it("demo command lines carry /init's markers only in their output, not in the echoed input", () => {
    const line = demoCommandLine(getDemo("kmscube"));
    expect(line).toBe("M=WEBVIRGL-RUN; echo $M-BEGIN kmscube; set -f; kmscube; s=$?; set +f; echo $M-END kmscube status=$s\n");
    expect(line).not.toContain("WEBVIRGL-RUN-BEGIN");
    expect(demoCommandLine(getDemo("glmark2"))).toContain("glmark2-es2-drm --visual-config r=8:g=8:b=8:a=0;");
    expect(demoCommandLine(getDemo("glmark2-build"))).toContain("glmark2-es2-drm --visual-config r=8:g=8:b=8:a=0 -b build:use-vbo=true:duration=60;");
    expect(demoCommandLine(getDemo("shell"))).toBe("M=WEBVIRGL-RUN; echo $M-BEGIN shell\n");
  });

  it("recognises the guest prompt", () => {
    expect(isShellPrompt("webvirgl:/# ")).toBe(true);
    expect(isShellPrompt("webvirgl:/root# ")).toBe(true);
    expect(isShellPrompt("webvirgl:/# f=$(awk ")).toBe(false);
    expect(isShellPrompt("WEBVIRGL-RUN-BEGIN shell")).toBe(false);
  });

  it("SavePoint: prompt → zeroing command → ready marker → prompt → save, once", () => {
    const sent: string[] = [];
    let ready = 0;
    const point = new SavePoint((text) => sent.push(text), () => ready++);
    point.line("WEBVIRGL-RUN-BEGIN shell\n");
    point.partial("webvirgl:/# ");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/MemFree[\s\S]*dd if=\/dev\/zero[\s\S]*echo \$M-READY\n$/);
    point.partial("webvirgl:/# "); // the echo of the command line starts with the old prompt
    expect(ready).toBe(0);
    point.line(`${SNAPSHOT_READY_MARKER}\n`);
    point.partial("webvirgl:/# ");
    expect(ready).toBe(1);
    expect(point.done).toBe(true);
    point.partial("webvirgl:/# ");
    expect([ready, sent.length]).toEqual([1, 1]);
  });

  it("extra kernel arguments that pick the program turn snapshots off", () => {
    expect(cmdlineOverridesRun('webvirgl.args="-b build"')).toBe(true);
    expect(cmdlineOverridesRun("quiet webvirgl.run=glinfo")).toBe(true);
    expect(cmdlineOverridesRun("webvirgl.gl=softpipe loglevel=7")).toBe(false);
  });
});

describe("virtio-gpu with the virgl module at the save point", () => {
  const V1 = new Uint8Array(308);
  const V2 = new Uint8Array(1376);
  const setup = () => {
    const port = new FakeVirglPort();
    const module = createVirglModule({ port, capsets: { v1: V1, v2: V2 } });
    return { port, module, h: new GpuHarness({ modules: [module] }) };
  };
  const createCtx = (h: GpuHarness, ctxId: number, name: string) => {
    const bytes = new Uint8Array(64);
    bytes.set(new TextEncoder().encode(name));
    return h.command(CMD.CTX_CREATE, [name.length, 0], bytes, { ctxId });
  };

  it("saves empty contexts (Linux's fbdev client) and re-creates them in the renderer on restore", () => {
    const { h, port } = setup();
    expect(createCtx(h, 1, "fbdev")?.type).toBe(RESP.OK_NODATA);
    // "v86 save_state": guest RAM + the fake driver's ring shadows, beside the device state.
    const snapshot = structuredClone(h.gpu.saveState());
    const ram = h.memory.bytes().slice();
    const driverQueues = structuredClone(h.driver.queues);
    h.driver.writeStatus(0);
    port.take();

    h.memory.bytes().set(ram);
    h.driver.queues.splice(0, h.driver.queues.length, ...driverQueues);
    h.gpu.restoreState(snapshot);
    expect(port.take()).toEqual([{ op: "reset" }, { op: "createContext", ctxId: 1, name: "fbdev" }]);
    // The guest's context id is known again: a second CTX_CREATE for it is refused as on the original device.
    expect(createCtx(h, 1, "again")?.type).toBe(RESP.ERR_INVALID_CONTEXT_ID);
  });

  it("refuses to save once a 3D resource exists (its GL object lives in the worker)", () => {
    const { h } = setup();
    createCtx(h, 1, "kmscube");
    expect(h.command(CMD.RESOURCE_CREATE_3D, [5, 2, 2, 2, 64, 32, 1, 1, 0, 0, 0, 0])?.type).toBe(RESP.OK_NODATA);
    expect(() => h.gpu.saveState()).toThrow(/module virgl: 1 3D resources and 0 submits so far/);
  });
});
