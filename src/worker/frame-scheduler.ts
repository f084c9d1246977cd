/**
 * At most one pending frame, run by whichever comes first: the next animation frame or a
 * watchdog timer. Worker rAF stops while the page is hidden; a device that completes
 * RESOURCE_FLUSH on our `presented` ack must not hang the guest then, so the watchdog keeps
 * frames (and acks) coming at a low rate. Clocks are injected so this is unit-testable.
 */
export interface FrameClock {
  /** requestAnimationFrame, or undefined where the worker has none. */
  raf: ((cb: () => void) => void) | undefined;
  setTimeout: (cb: () => void, ms: number) => void;
}

export const FRAME_WATCHDOG_MS = 250;
/** Without rAF: a plain ~60 Hz timer. */
export const FALLBACK_FRAME_MS = 16;

export class FrameScheduler {
  private pending = false;
  private token = 0;

  constructor(
    private readonly clock: FrameClock,
    private readonly runFrame: () => void,
  ) {}

  get isPending(): boolean {
    return this.pending;
  }

  /** Schedules one frame unless one is already pending. */
  request(): void {
    if (this.pending) return;
    this.pending = true;
    const token = ++this.token;
    // The loser of the race finds a newer token (or nothing pending) and does nothing.
    const run = (): void => {
      if (!this.pending || token !== this.token) return;
      this.pending = false;
      this.token++;
      this.runFrame();
    };
    if (this.clock.raf) this.clock.raf(run);
    this.clock.setTimeout(run, this.clock.raf ? FRAME_WATCHDOG_MS : FALLBACK_FRAME_MS);
  }
}
