import { describe, expect, it } from "vitest";
import { FALLBACK_FRAME_MS, FRAME_WATCHDOG_MS, FrameScheduler } from "./frame-scheduler.ts";

function fakeClock(withRaf: boolean) {
  const rafs: (() => void)[] = [];
  const timers: { cb: () => void; ms: number }[] = [];
  return {
    rafs,
    timers,
    clock: {
      raf: withRaf ? (cb: () => void) => void rafs.push(cb) : undefined,
      setTimeout: (cb: () => void, ms: number) => void timers.push({ cb, ms }),
    },
  };
}

describe("FrameScheduler", () => {
  it("runs one frame per request, on rAF, and the watchdog then does nothing", () => {
    const f = fakeClock(true);
    let frames = 0;
    const s = new FrameScheduler(f.clock, () => frames++);
    s.request();
    s.request(); // coalesced
    expect(f.rafs.length).toBe(1);
    expect(f.timers.map((t) => t.ms)).toEqual([FRAME_WATCHDOG_MS]);
    f.rafs[0]();
    expect(frames).toBe(1);
    expect(s.isPending).toBe(false);
    f.timers[0].cb();
    expect(frames).toBe(1);
  });

  it("the watchdog runs the frame when rAF does not come (hidden page)", () => {
    const f = fakeClock(true);
    let frames = 0;
    const s = new FrameScheduler(f.clock, () => frames++);
    s.request();
    f.timers[0].cb();
    expect(frames).toBe(1);
    // The late rAF of that request must not run a second frame, even after a new request.
    s.request();
    f.rafs[0]();
    expect(frames).toBe(1);
    f.rafs[1]();
    expect(frames).toBe(2);
  });

  it("falls back to a 60 Hz timer without rAF", () => {
    const f = fakeClock(false);
    let frames = 0;
    const s = new FrameScheduler(f.clock, () => frames++);
    s.request();
    expect(f.timers.map((t) => t.ms)).toEqual([FALLBACK_FRAME_MS]);
    f.timers[0].cb();
    expect(frames).toBe(1);
  });

  it("a frame may request the next one from inside runFrame", () => {
    const f = fakeClock(true);
    let frames = 0;
    const s: FrameScheduler = new FrameScheduler(f.clock, () => {
      frames++;
      if (frames < 3) s.request();
    });
    s.request();
    f.rafs[0]();
    f.rafs[1]();
    f.rafs[2]?.();
    expect(frames).toBe(3);
    expect(s.isPending).toBe(false);
  });
});
