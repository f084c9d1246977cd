/**
 * Machine stats sampled on a timer: frame rate and frame-time history (from the GPU worker's
 * `presented` acks), virgl commands/draws per second, upload bandwidth and fences in flight
 * (from CountingVirglPort and the device's 2D counters). Rates are deltas between samples.
 */
import type { GuestGlInfo } from "./guest-gl-info.ts";
import type { VirglTraffic } from "./virgl-traffic.ts";

export interface MachineStats {
  /** performance.now() of this sample. */
  at: number;
  /** Frames presented per second (frames with new guest content). */
  fps: number;
  /** Intervals between the most recent presented frames, oldest first, ms (up to 120). */
  frameTimesMs: number[];
  virglCommandsPerSec: number;
  drawsPerSec: number;
  submitsPerSec: number;
  /** 2D TRANSFER_TO_HOST + virgl uploads, MB (10^6 bytes) per second. */
  uploadMBps: number;
  fencesInFlight: number;
  /** Totals since the machine was created. */
  totals: { frames: number; virglCommands: number; draws: number; submits: number; uploadBytes: number };
  /** Whether the device offers virgl 3D. */
  virgl: boolean;
  /** The guest's GL renderer/version as printed on the serial console (null until seen). */
  guestGl: GuestGlInfo | null;
  /** The GPU worker's WebGL renderer (the host side, e.g. ANGLE/SwiftShader). */
  hostRenderer: string;
}

export interface StatsSources {
  traffic(): Readonly<VirglTraffic> | null;
  /** Bytes of 2D TRANSFER_TO_HOST_2D, summed over every device this machine had. */
  bytes2D(): number;
  guestGl(): GuestGlInfo | null;
  hostRenderer(): string;
  virgl(): boolean;
}

const FRAME_HISTORY = 120;

export class StatsSampler {
  private readonly frameTimes: number[] = [];
  private lastFrameAt: number | null = null;
  private frames = 0;
  private prev: { at: number; frames: number; commands: number; draws: number; submits: number; upload: number } | null = null;
  latest: MachineStats;

  constructor(private readonly sources: StatsSources) {
    this.latest = this.sample(performance.now());
  }

  /** One presented frame (call from GpuClient.onPresented). */
  frame(now = performance.now()): void {
    this.frames++;
    if (this.lastFrameAt !== null) {
      this.frameTimes.push(now - this.lastFrameAt);
      if (this.frameTimes.length > FRAME_HISTORY) this.frameTimes.shift();
    }
    this.lastFrameAt = now;
  }

  sample(now = performance.now()): MachineStats {
    const t = this.sources.traffic();
    const cur = {
      at: now,
      frames: this.frames,
      commands: t?.commands ?? 0,
      draws: t?.draws ?? 0,
      submits: t?.submits ?? 0,
      upload: (t?.uploadBytes ?? 0) + this.sources.bytes2D(),
    };
    const prev = this.prev ?? cur;
    const seconds = Math.max(1e-3, (cur.at - prev.at) / 1000);
    const rate = (a: number, b: number) => (cur.at === prev.at ? 0 : (a - b) / seconds);
    this.prev = cur;
    this.latest = {
      at: now,
      fps: rate(cur.frames, prev.frames),
      frameTimesMs: [...this.frameTimes],
      virglCommandsPerSec: rate(cur.commands, prev.commands),
      drawsPerSec: rate(cur.draws, prev.draws),
      submitsPerSec: rate(cur.submits, prev.submits),
      uploadMBps: rate(cur.upload, prev.upload) / 1e6,
      fencesInFlight: t?.fencesInFlight ?? 0,
      totals: { frames: cur.frames, virglCommands: cur.commands, draws: cur.draws, submits: cur.submits, uploadBytes: cur.upload },
      virgl: this.sources.virgl(),
      guestGl: this.sources.guestGl(),
      hostRenderer: this.sources.hostRenderer(),
    };
    return this.latest;
  }
}
