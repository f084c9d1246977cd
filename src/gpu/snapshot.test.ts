import { describe, expect, it } from "vitest";
import { CMD, FORMAT, RESP } from "./protocol.ts";
import { GpuHarness, memEntries } from "./testing/gpu-test-harness.ts";

/**
 * Save/restore beside a v86 snapshot: guest RAM is restored by v86 (here: a copy of the
 * ArrayGuestMemory bytes), the device by restoreState().
 */
describe("saveState / restoreState", () => {
  it("round-trips registers, rings, resources, scanout and cursor, and re-sends pixels", () => {
    const h = new GpuHarness();
    const image = new Uint8Array(8 * 4 * 4).map((_, i) => i);
    const fb = h.place(image);
    const cursorPixels = h.place(new Uint8Array(4 * 4 * 4).fill(0x55));
    h.command(CMD.RESOURCE_CREATE_2D, [1, FORMAT.B8G8R8X8_UNORM, 8, 4]);
    h.command(CMD.RESOURCE_ATTACH_BACKING, [1, 1], memEntries([{ address: fb, length: image.length }]));
    h.command(CMD.SET_SCANOUT, [0, 0, 8, 4, 0, 1]);
    h.command(CMD.RESOURCE_CREATE_2D, [2, FORMAT.B8G8R8A8_UNORM, 4, 4]);
    h.command(CMD.RESOURCE_ATTACH_BACKING, [2, 1], memEntries([{ address: cursorPixels, length: 64 }]));
    h.command(CMD.TRANSFER_TO_HOST_2D, [0, 0, 4, 4, 0, 0, 2, 0]);
    h.command(CMD.UPDATE_CURSOR, [0, 10, 20, 0, 2, 1, 2, 0], undefined, { queue: 1, responseSize: 0 });
    h.command(CMD.MOVE_CURSOR, [0, 30, 40, 0, 0, 0, 0, 0], undefined, { queue: 1, responseSize: 0 });

    // "v86 save_state": guest RAM + our device state + (test only) the fake driver's ring shadows.
    const snapshot = structuredClone(h.gpu.saveState());
    const ram = h.memory.bytes().slice();
    const driverQueues = structuredClone(h.driver.queues);

    // The machine runs on and the guest reboots: everything is gone.
    h.driver.writeStatus(0);
    expect(h.gpu.stats.resources).toBe(0);
    h.backend.take();

    // "v86 restore_state".
    h.memory.bytes().set(ram);
    h.driver.queues.splice(0, h.driver.queues.length, ...driverQueues);
    h.gpu.restoreState(snapshot);

    expect(h.gpu.stats.resources).toBe(2);
    expect(h.gpu.stats.deviceStatus).toBe(0x0f);
    const calls = h.backend.take();
    expect(calls.map((c) => c.method)).toEqual(["reset", "createResource2D", "writeRect", "createResource2D", "writeRect", "setScanout", "flush", "updateCursor"]);
    const fbWrite = calls[2];
    if (fbWrite.method !== "writeRect") throw new Error(fbWrite.method);
    expect([...fbWrite.pixels]).toEqual([...image]);
    const cursor = calls[7];
    if (cursor.method !== "updateCursor") throw new Error(cursor.method);
    expect([cursor.x, cursor.y, cursor.image?.hotX, cursor.image?.hotY]).toEqual([30, 40, 1, 2]);
    expect(cursor.image?.pixels.every((b) => b === 0x55)).toBe(true);

    // The rings continue where they were: the next request is answered on the same ring.
    expect(h.command(CMD.RESOURCE_FLUSH, [0, 0, 8, 4, 1, 0])?.type).toBe(RESP.OK_NODATA);
    expect(h.command(CMD.RESOURCE_CREATE_2D, [1, 2, 4, 4])?.type).toBe(RESP.ERR_INVALID_RESOURCE_ID); // id 1 exists again
    expect(h.logs.filter((l) => !/already exists/.test(l))).toEqual([]);
  });

  it("refuses to save while a request is in flight", () => {
    const h = new GpuHarness();
    h.gpu.device.controlCommands.register({ type: CMD.SUBMIT_3D, name: "SUBMIT_3D", requestSize: 24, responseSize: 24, handle: () => new Promise(() => {}) });
    h.driver.submit(0, [new Uint8Array(new Uint32Array([CMD.SUBMIT_3D, 0, 0, 0, 0, 0]).buffer)], [24]);
    expect(() => h.gpu.saveState()).toThrow(/cannot save state while 1 requests are in flight/);
  });

  it("rejects a snapshot of a device with another shape", () => {
    const h = new GpuHarness();
    const snapshot = h.gpu.saveState();
    const other = new GpuHarness({ displays: [{ width: 800, height: 600 }, { width: 800, height: 600 }] });
    expect(() => other.gpu.device.restoreState(snapshot.device)).toThrow(/1 scanouts does not fit this device \(2 scanouts\)/);
  });
});
