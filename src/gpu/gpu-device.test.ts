import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STATUS_DEVICE_NEEDS_RESET } from "../virtio/constants.ts";
import { edidChecksum } from "./edid.ts";
import { CMD, CONFIG_EVENTS_CLEAR, CONFIG_EVENTS_READ, CONFIG_NUM_CAPSETS, CONFIG_NUM_SCANOUTS, CTRL_HDR_SIZE, RESP, VIRTIO_GPU_FLAG_FENCE } from "./protocol.ts";
import { GpuHarness } from "./testing/gpu-test-harness.ts";

describe("device identity and config", () => {
  it("is a modern virtio-gpu PCI device offering VERSION_1, INDIRECT_DESC and EDID but not VIRGL", () => {
    const h = new GpuHarness();
    const space = h.host.registration!.configSpace;
    expect(space[0] | (space[1] << 8)).toBe(0x1af4);
    expect(space[2] | (space[3] << 8)).toBe(0x1050);
    expect(h.host.registration!.name).toBe("virtio-gpu");
    expect(h.driver.deviceFeatures()).toBe((1n << 32n) | (1n << 28n) | (1n << 1n));
  });

  it("can be built without EDID", () => {
    const h = new GpuHarness({ edid: false });
    expect(h.driver.deviceFeatures() & 2n).toBe(0n);
    expect(h.command(CMD.GET_EDID, [0, 0])?.type).toBe(RESP.ERR_UNSPEC);
  });

  it("reports num_scanouts and num_capsets = 0", () => {
    const h = new GpuHarness({ displays: [{ width: 800, height: 600 }, { width: 640, height: 480 }] });
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_NUM_SCANOUTS)).toBe(2);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_NUM_CAPSETS)).toBe(0);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_EVENTS_READ)).toBe(0);
  });
});

describe("GET_DISPLAY_INFO and display changes", () => {
  function modes(h: GpuHarness) {
    const r = h.command(CMD.GET_DISPLAY_INFO, []);
    expect(r?.type).toBe(RESP.OK_DISPLAY_INFO);
    expect(r?.length).toBe(CTRL_HDR_SIZE + 16 * 24);
    return [0, 1, 2].map((i) => {
      const at = CTRL_HDR_SIZE + 24 * i;
      return [r!.view.getUint32(at, true), r!.view.getUint32(at + 4, true), r!.view.getUint32(at + 8, true), r!.view.getUint32(at + 12, true), r!.view.getUint32(at + 16, true)];
    });
  }

  it("lists each scanout's preferred mode", () => {
    const h = new GpuHarness({ displays: [{ width: 1024, height: 768 }, { width: 640, height: 480 }] });
    expect(modes(h)).toEqual([
      [0, 0, 1024, 768, 1],
      [0, 0, 640, 480, 1],
      [0, 0, 0, 0, 0],
    ]);
  });

  it("setDisplaySize raises EVENT_DISPLAY + a config interrupt; events_clear clears it", () => {
    const h = new GpuHarness();
    h.driver.readIsr();
    h.gpu.setDisplaySize(0, 1280, 720);
    expect(h.host.irqLevel).toBe(true);
    expect(h.driver.readIsr()).toBe(2);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_EVENTS_READ)).toBe(1);
    expect(modes(h)[0]).toEqual([0, 0, 1280, 720, 1]);
    // Linux writes events_clear with the bits it handled; v86 may split it into bytes.
    h.driver.write8(h.driver.deviceCfg + CONFIG_EVENTS_CLEAR, 1);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_EVENTS_READ)).toBe(0);
    h.gpu.setDisplaySize(0, 0, 0);
    expect(modes(h)[0]).toEqual([0, 0, 0, 0, 0]);
  });

  it("setDisplaySize rejects a bad scanout or size", () => {
    const h = new GpuHarness();
    expect(() => h.gpu.setDisplaySize(1, 800, 600)).toThrow(/scanout 1 does not exist/);
    expect(() => h.gpu.setDisplaySize(0, 20000, 600)).toThrow(/20000x600 outside/);
  });
});

describe("GET_EDID", () => {
  it("returns a 128-byte EDID 1.4 with a correct checksum and the preferred mode as first detailed timing", () => {
    const h = new GpuHarness({ displays: [{ width: 1280, height: 800 }] });
    const r = h.command(CMD.GET_EDID, [0, 0]);
    expect(r?.type).toBe(RESP.OK_EDID);
    expect(r?.length).toBe(CTRL_HDR_SIZE + 8 + 1024);
    expect(r!.view.getUint32(CTRL_HDR_SIZE, true)).toBe(128);
    const edid = new Uint8Array(r!.view.buffer, CTRL_HDR_SIZE + 8, 128);
    expect([...edid.subarray(0, 8)]).toEqual([0, 255, 255, 255, 255, 255, 255, 0]);
    expect([edid[18], edid[19]]).toEqual([1, 4]);
    let sum = 0;
    for (const b of edid) sum += b;
    expect(sum % 256).toBe(0);
    expect(edid[127]).toBe(edidChecksum(edid));
    // DTD 1: horizontal active = byte 56 + high nibble of byte 58; vertical = byte 59 + high nibble of byte 61.
    expect(edid[56] | ((edid[58] >> 4) << 8)).toBe(1280);
    expect(edid[59] | ((edid[61] >> 4) << 8)).toBe(800);
    expect(edid[54] | (edid[55] << 8)).toBeGreaterThan(0); // pixel clock
    // Descriptor tags: range limits 0xFD and product name 0xFC.
    expect(edid[72 + 3]).toBe(0xfd);
    expect(edid[90 + 3]).toBe(0xfc);
    expect(new Uint8Array(r!.view.buffer, CTRL_HDR_SIZE + 8 + 128, 1024 - 128).every((b) => b === 0)).toBe(true);
  });

  it.runIf(existsSync("/usr/bin/edid-decode"))("passes edid-decode --check", () => {
    const h = new GpuHarness({ displays: [{ width: 1920, height: 1080 }] });
    const r = h.command(CMD.GET_EDID, [0, 0]);
    const dir = mkdtempSync(join(tmpdir(), "edid-"));
    try {
      const file = join(dir, "edid.bin");
      writeFileSync(file, new Uint8Array(r!.view.buffer, CTRL_HDR_SIZE + 8, 128));
      const out = execFileSync("/usr/bin/edid-decode", ["--check", file], { encoding: "utf8" });
      expect(out).toMatch(/EDID conformity: PASS/);
      expect(out).toMatch(/DTD 1: +1920x1080/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a bad scanout", () => {
    const h = new GpuHarness();
    expect(h.command(CMD.GET_EDID, [1, 0])?.type).toBe(RESP.ERR_INVALID_SCANOUT_ID);
  });
});

describe("dispatch", () => {
  it("answers unknown commands (including not-yet-implemented 3D ones) with ERR_UNSPEC", () => {
    const h = new GpuHarness();
    expect(h.command(0x0999, [])?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toBe("virtio-gpu: controlq: 0x0999: ERR_UNSPEC: unknown command type 0x999 on controlq");
    expect(h.command(CMD.SUBMIT_3D, [0, 0])?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toMatch(/controlq: SUBMIT_3D: ERR_UNSPEC/);
    // A cursor command on the control queue is unknown there.
    expect(h.command(CMD.MOVE_CURSOR, [0, 0, 0, 0, 0, 0, 0, 0])?.type).toBe(RESP.ERR_UNSPEC);
  });

  it("answers a request shorter than its struct with ERR_UNSPEC and does not run it", () => {
    const h = new GpuHarness();
    expect(h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 4])?.type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toMatch(/RESOURCE_CREATE_2D: ERR_UNSPEC: request is 36 bytes, needs 40/);
    expect(h.backend.calls).toEqual([]);
  });

  it("answers a request shorter than the header with ERR_UNSPEC", () => {
    const h = new GpuHarness();
    const { head, writableAddresses } = h.driver.submit(0, [new Uint8Array(10)], [24]);
    const used = h.driver.takeUsed(0);
    expect(used).toEqual([{ id: head, len: 24 }]);
    expect(h.parse(writableAddresses[0], 24).type).toBe(RESP.ERR_UNSPEC);
    expect(h.logs.at(-1)).toMatch(/request of 10 bytes is shorter than virtio_gpu_ctrl_hdr \(24\)/);
  });

  it("answers ERR_UNSPEC (without running) when the response buffer is too short, and nothing when not even a header fits", () => {
    const h = new GpuHarness();
    const r = h.command(CMD.GET_DISPLAY_INFO, [], undefined, { responseSize: 100 });
    expect(r?.type).toBe(RESP.ERR_UNSPEC);
    expect(r?.length).toBe(24);
    expect(h.logs.at(-1)).toMatch(/GET_DISPLAY_INFO: ERR_UNSPEC: response buffer is 100 bytes, needs 408/);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 4, 4], undefined, { responseSize: 10 })).toBeNull();
    expect(h.backend.calls).toEqual([]);
    expect(h.driver.readStatus() & STATUS_DEVICE_NEEDS_RESET).toBe(0);
  });

  it("reads requests split over several descriptors and indirect tables", () => {
    const h = new GpuHarness();
    expect(h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 4, 4], undefined, { splitAt: [3, 24, 30] })?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [2, 2, 4, 4], undefined, { indirect: true, splitAt: [24] })?.type).toBe(RESP.OK_NODATA);
    expect(h.gpu.stats.resources).toBe(2);
  });

  it("stops logging after maxLoggedErrors but keeps counting", () => {
    const h = new GpuHarness();
    for (let i = 0; i < 105; i++) h.command(CMD.RESOURCE_UNREF, [1000 + i, 0]);
    expect(h.logs).toHaveLength(100);
    expect(h.logs.at(-1)).toMatch(/further errors are counted, not logged, until reset/);
    expect(h.gpu.stats.commands.errors).toBe(105);
  });
});

describe("fences", () => {
  it("echoes FLAG_FENCE, fence_id and ctx_id in the response", () => {
    const h = new GpuHarness();
    const r = h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 4, 4], undefined, { fenceId: 0x1_2345_6789n, ctxId: 0 });
    expect(r?.type).toBe(RESP.OK_NODATA);
    expect(r?.flags).toBe(VIRTIO_GPU_FLAG_FENCE);
    expect(r?.fenceId).toBe(0x1_2345_6789n);
    const plain = h.command(CMD.RESOURCE_UNREF, [1, 0]);
    expect(plain?.flags).toBe(0);
    expect(plain?.fenceId).toBe(0n);
    // Errors echo the fence too.
    const bad = h.command(CMD.RESOURCE_UNREF, [1, 0], undefined, { fenceId: 7n });
    expect([bad?.type, bad?.flags, bad?.fenceId]).toEqual([RESP.ERR_INVALID_RESOURCE_ID, VIRTIO_GPU_FLAG_FENCE, 7n]);
  });

  it("completes a fenced request only after everything before it on the queue; unfenced ones in any order", async () => {
    const h = new GpuHarness();
    // An asynchronous command in the slot a 3D module would use.
    let finishSlow: () => void = () => {};
    h.gpu.device.controlCommands.register({
      type: CMD.SUBMIT_3D,
      name: "SUBMIT_3D",
      requestSize: 32,
      responseSize: 24,
      handle: () => new Promise((resolve) => (finishSlow = () => resolve({ type: RESP.OK_NODATA }))),
    });
    const slow = h.driver.submit(0, [new Uint8Array(new Uint32Array([CMD.SUBMIT_3D, 0, 0, 0, 0, 0, 0, 0]).buffer)], [24]);
    const fenced = h.driver.submit(0, [new Uint8Array(new Uint32Array([CMD.GET_DISPLAY_INFO, VIRTIO_GPU_FLAG_FENCE, 5, 0, 0, 0]).buffer)], [408]);
    const unfenced = h.driver.submit(0, [new Uint8Array(new Uint32Array([CMD.GET_DISPLAY_INFO, 0, 0, 0, 0, 0]).buffer)], [408]);
    expect(h.driver.takeUsed(0).map((u) => u.id)).toEqual([unfenced.head]);
    finishSlow();
    await Promise.resolve();
    await Promise.resolve();
    expect(h.driver.takeUsed(0).map((u) => u.id)).toEqual([slow.head, fenced.head]);
    expect(h.parse(fenced.writableAddresses[0], 24).fenceId).toBe(5n);
  });

  it("drops an asynchronous answer that arrives after a reset", async () => {
    const h = new GpuHarness();
    let finishSlow: () => void = () => {};
    h.gpu.device.controlCommands.register({ type: CMD.SUBMIT_3D, name: "SUBMIT_3D", requestSize: 24, responseSize: 24, handle: () => new Promise((resolve) => (finishSlow = () => resolve({ type: RESP.OK_NODATA }))) });
    const slow = h.driver.submit(0, [new Uint8Array(new Uint32Array([CMD.SUBMIT_3D, 0, 0, 0, 0, 0]).buffer)], [24]);
    h.gpu.reset();
    finishSlow();
    await Promise.resolve();
    await Promise.resolve();
    expect([...h.driver.get(slow.writableAddresses[0], 4)]).toEqual([0xcd, 0xcd, 0xcd, 0xcd]);
  });
});

describe("reset", () => {
  function populated() {
    const h = new GpuHarness();
    h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 64, 64]);
    h.command(CMD.RESOURCE_CREATE_2D, [2, 2, 64, 64]);
    h.command(CMD.SET_SCANOUT, [0, 0, 64, 64, 0, 1]);
    h.backend.take();
    return h;
  }

  it("driver writing status 0 frees every resource and resets the backend", () => {
    const h = populated();
    h.driver.writeStatus(0);
    expect(h.gpu.stats.resources).toBe(0);
    expect(h.gpu.stats.resourceHostBytes).toBe(0);
    expect(h.backend.take()).toEqual([{ method: "reset" }]);
    h.driver.initialize({ queueSize: 64 });
    // Ids are free again after reboot.
    expect(h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 64, 64])?.type).toBe(RESP.OK_NODATA);
  });

  it("the machine-reset hook does the same and clears NEEDS_RESET", () => {
    const h = populated();
    h.gpu.reset();
    expect(h.gpu.stats.resources).toBe(0);
    expect(h.gpu.stats.deviceStatus).toBe(0);
    expect(h.gpu.device.scanoutStates[0].resourceId).toBe(0);
    expect(h.backend.take()).toEqual([{ method: "reset" }]);
  });
});

describe("command modules (the 3D hook)", () => {
  it("adds features, capsets and commands, and is reset with the device", () => {
    let resets = 0;
    const h = new GpuHarness({
      modules: [
        {
          name: "fake-3d",
          features: 1n << 0n,
          numCapsets: 2,
          register: (table) =>
            table.register({ type: CMD.GET_CAPSET_INFO, name: "GET_CAPSET_INFO", requestSize: 32, responseSize: 40, handle: () => ({ type: RESP.OK_CAPSET_INFO, body: new Uint8Array(16) }) }),
          reset: () => resets++,
        },
      ],
    });
    expect(h.driver.deviceFeatures() & 1n).toBe(1n);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_NUM_CAPSETS)).toBe(2);
    expect(h.command(CMD.GET_CAPSET_INFO, [0, 0])?.type).toBe(RESP.OK_CAPSET_INFO);
    const before = resets;
    h.gpu.reset();
    expect(resets).toBe(before + 1);
  });
});
