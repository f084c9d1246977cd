/**
 * GL fences polled across tasks. WebGL only updates a sync object's status between tasks, so a
 * wait inside one task would spin forever: each fence is checked with clientWaitSync(sync, 0, 0)
 * from a timer until it signals. Fences signal in submission order, so polling stops at the
 * first unsignalled one.
 */

/** WebGL2 sync constants (OpenGL ES 3.0 §5.2). */
const SYNC_GPU_COMMANDS_COMPLETE = 0x9117;
const ALREADY_SIGNALED = 0x911a;
const CONDITION_SATISFIED = 0x911c;
const WAIT_FAILED = 0x911d;
/** Poll interval while fences are outstanding (ms). */
export const FENCE_POLL_MS = 1;

export type FenceGl = Pick<WebGL2RenderingContext, "fenceSync" | "clientWaitSync" | "deleteSync" | "flush">;

interface Pending {
  sync: WebGLSync | null;
  done: (signalled: boolean) => void;
}

export class FencePoller {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly gl: FenceGl,
    private readonly schedule: (cb: () => void) => void = (cb) => void setTimeout(cb, FENCE_POLL_MS),
  ) {}

  /** Inserts a fence after all GL work issued so far; `done(true)` once it signalled (false if GL failed it). */
  add(done: (signalled: boolean) => void): void {
    const sync = this.gl.fenceSync(SYNC_GPU_COMMANDS_COMPLETE, 0);
    // Without a flush the fence may never reach the GPU.
    this.gl.flush();
    this.queue.push({ sync, done });
    this.arm();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Drops every fence (reset / context loss); their callbacks never run. */
  clear(): void {
    for (const p of this.queue) if (p.sync) this.gl.deleteSync(p.sync);
    this.queue = [];
  }

  /** One polling step (also called by the timer). */
  poll(): void {
    while (this.queue.length > 0) {
      const p = this.queue[0];
      const status = p.sync ? this.gl.clientWaitSync(p.sync, 0, 0) : WAIT_FAILED;
      if (status !== ALREADY_SIGNALED && status !== CONDITION_SATISFIED && status !== WAIT_FAILED) break;
      this.queue.shift();
      if (p.sync) this.gl.deleteSync(p.sync);
      p.done(status !== WAIT_FAILED);
    }
    this.arm();
  }

  private arm(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.poll();
    });
  }
}
