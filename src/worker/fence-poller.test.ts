import { describe, expect, it } from "vitest";
import { FencePoller, type FenceGl } from "./fence-poller.ts";

class FakeSyncGl {
  signalled = new Set<number>();
  failed = new Set<number>();
  deleted: number[] = [];
  flushes = 0;
  next = 1;
  waits = 0;
  fenceSync(): WebGLSync {
    return this.next++ as unknown as WebGLSync;
  }
  clientWaitSync(sync: WebGLSync, flags: number, timeout: number): number {
    expect(flags).toBe(0);
    expect(timeout).toBe(0);
    this.waits++;
    const id = sync as unknown as number;
    if (this.failed.has(id)) return 0x911d;
    return this.signalled.has(id) ? 0x911a : 0x911b;
  }
  deleteSync(sync: WebGLSync): void {
    this.deleted.push(sync as unknown as number);
  }
  flush(): void {
    this.flushes++;
  }
}

describe("FencePoller", () => {
  it("reports fences in order, only once signalled, never blocking (timeout 0) and deletes them", () => {
    const gl = new FakeSyncGl();
    const timers: (() => void)[] = [];
    const poller = new FencePoller(gl as unknown as FenceGl, (cb) => timers.push(cb));
    const done: string[] = [];
    poller.add((ok) => done.push(`a${ok}`));
    poller.add((ok) => done.push(`b${ok}`));
    expect(gl.flushes).toBe(2);
    expect(timers.length).toBe(1); // one timer armed, not one per fence
    gl.signalled.add(2); // b signalled before a: still waits for a
    timers.shift()!();
    expect(done).toEqual([]);
    expect(timers.length).toBe(1);
    gl.signalled.add(1);
    timers.shift()!();
    expect(done).toEqual(["atrue", "btrue"]);
    expect(gl.deleted).toEqual([1, 2]);
    expect(timers.length).toBe(0);
    expect(poller.pending).toBe(0);
  });

  it("a failed wait completes with false; clear drops everything", () => {
    const gl = new FakeSyncGl();
    const timers: (() => void)[] = [];
    const poller = new FencePoller(gl as unknown as FenceGl, (cb) => timers.push(cb));
    const done: boolean[] = [];
    poller.add((ok) => done.push(ok));
    gl.failed.add(1);
    poller.poll();
    expect(done).toEqual([false]);
    poller.add((ok) => done.push(ok));
    poller.clear();
    gl.signalled.add(2);
    poller.poll();
    expect(done).toEqual([false]);
    expect(gl.deleted).toContain(2);
  });
});
