import { describe, expect, it } from "vitest";
import { CMD, CONFIG_EVENTS_CLEAR, CONFIG_EVENTS_READ, CTRL_HDR_SIZE, FORMAT, RESP } from "./protocol.ts";
import { GpuHarness, memEntries } from "./testing/gpu-test-harness.ts";

/**
 * The command sequence the Linux 6.1 virtio_gpu driver sends (platform notes: "the virtio-gpu
 * driver meeting a new device"), with Linux-sized rings (256), indirect descriptors and a
 * 1024x768 framebuffer whose 4 KiB pages are scattered in shuffled order.
 */
describe("Linux-like boot sequence", () => {
  it("probe, modeset, console updates, cursor, hotplug, reboot", () => {
    const h = new GpuHarness({ memorySize: 16 << 20, queueSize: 256 });
    h.driver.initialize({ queueSize: 256 });
    h.backend.take();
    const cmd = (type: number, fields: number[], extra?: Uint8Array, fenceId?: bigint) => h.command(type, fields, extra, { indirect: true, fenceId, splitAt: extra ? [CTRL_HDR_SIZE + 4 * fields.length] : [] });

    // Probe: EDID then display info.
    expect(cmd(CMD.GET_EDID, [0, 0])?.type).toBe(RESP.OK_EDID);
    const info = cmd(CMD.GET_DISPLAY_INFO, []);
    expect([info!.view.getUint32(CTRL_HDR_SIZE + 8, true), info!.view.getUint32(CTRL_HDR_SIZE + 12, true)]).toEqual([1024, 768]);

    // fbdev: 1024x768 XRGB8888 (format 2), backing = 768 scattered 4 KiB pages.
    const width = 1024;
    const height = 768;
    const stride = width * 4;
    const pages = (stride * height) / 4096;
    const pageAddresses: number[] = [];
    for (let i = 0; i < pages; i++) pageAddresses.push(h.driver.alloc(4096, 4096));
    // Shuffle deterministically so linear order ≠ memory order.
    for (let i = pages - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [pageAddresses[i], pageAddresses[j]] = [pageAddresses[j], pageAddresses[i]];
    }
    const writePixel = (x: number, y: number, value: number) => {
      const linear = y * stride + x * 4;
      const address = pageAddresses[Math.floor(linear / 4096)] + (linear % 4096);
      h.driver.view().setUint32(address, value, true);
    };
    expect(cmd(CMD.RESOURCE_CREATE_2D, [1, FORMAT.B8G8R8X8_UNORM, width, height])?.type).toBe(RESP.OK_NODATA);
    expect(cmd(CMD.RESOURCE_ATTACH_BACKING, [1, pages], memEntries(pageAddresses.map((address) => ({ address, length: 4096 }))))?.type).toBe(RESP.OK_NODATA);
    expect(cmd(CMD.SET_SCANOUT, [0, 0, width, height, 0, 1])?.type).toBe(RESP.OK_NODATA);

    // A console update: a damaged rect crossing page boundaries.
    const rect = { x: 1000, y: 10, width: 24, height: 5 };
    for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) writePixel(x, y, (y << 16) | x);
    expect(cmd(CMD.TRANSFER_TO_HOST_2D, [rect.x, rect.y, rect.width, rect.height, rect.y * stride + rect.x * 4, 0, 1, 0], undefined, 1n)?.fenceId).toBe(1n);
    expect(cmd(CMD.RESOURCE_FLUSH, [rect.x, rect.y, rect.width, rect.height, 1, 0])?.type).toBe(RESP.OK_NODATA);
    const calls = h.backend.take();
    expect(calls.map((c) => c.method)).toEqual(["createResource2D", "setScanout", "writeRect", "flush"]);
    const write = calls[2];
    if (write.method !== "writeRect") throw new Error(write.method);
    const got = new DataView(write.pixels.buffer);
    for (let y = 0; y < rect.height; y++) {
      for (let x = 0; x < rect.width; x++) expect(got.getUint32((y * rect.width + x) * 4, true)).toBe(((rect.y + y) << 16) | (rect.x + x));
    }

    // A full-screen update (contiguous path) reads the same bytes.
    expect(cmd(CMD.TRANSFER_TO_HOST_2D, [0, 0, width, height, 0, 0, 1, 0])?.type).toBe(RESP.OK_NODATA);
    const full = h.backend.take()[0];
    if (full.method !== "writeRect") throw new Error(full.method);
    expect(new DataView(full.pixels.buffer).getUint32((12 * width + 1010) * 4, true)).toBe((12 << 16) | 1010);

    // Cursor: 64x64 ARGB resource, fenced transfer on controlq, then UPDATE_CURSOR on cursorq.
    const cursorPages = [h.driver.alloc(16384, 4096)];
    h.driver.memory.bytes().fill(0x7f, cursorPages[0], cursorPages[0] + 16384);
    expect(cmd(CMD.RESOURCE_CREATE_2D, [2, FORMAT.B8G8R8A8_UNORM, 64, 64])?.type).toBe(RESP.OK_NODATA);
    expect(cmd(CMD.RESOURCE_ATTACH_BACKING, [2, 1], memEntries([{ address: cursorPages[0], length: 16384 }]))?.type).toBe(RESP.OK_NODATA);
    expect(cmd(CMD.TRANSFER_TO_HOST_2D, [0, 0, 64, 64, 0, 0, 2, 0], undefined, 2n)?.fenceId).toBe(2n);
    h.backend.take();
    expect(h.command(CMD.UPDATE_CURSOR, [0, 500, 300, 0, 2, 1, 1, 0], undefined, { queue: 1, responseSize: 0 })).toBeNull();
    const cursor = h.backend.take()[0];
    if (cursor.method !== "updateCursor") throw new Error(cursor.method);
    expect(cursor.image?.pixels.every((b) => b === 0x7f)).toBe(true);

    // Hotplug: the host resizes the window.
    h.driver.readIsr();
    h.gpu.setDisplaySize(0, 1280, 720);
    expect(h.driver.readIsr()).toBe(2);
    const events = h.driver.read32(h.driver.deviceCfg + CONFIG_EVENTS_READ);
    expect(events).toBe(1);
    h.driver.write32(h.driver.deviceCfg + CONFIG_EVENTS_CLEAR, events);
    expect(h.driver.read32(h.driver.deviceCfg + CONFIG_EVENTS_READ)).toBe(0);

    expect(h.logs).toEqual([]);
    expect(h.gpu.stats.resources).toBe(2);

    // Reboot: the driver resets the device; everything is freed.
    h.driver.writeStatus(0);
    expect(h.gpu.stats.resources).toBe(0);
    expect(h.backend.take()).toEqual([{ method: "reset" }]);
  });
});
