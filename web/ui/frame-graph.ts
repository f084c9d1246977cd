/** A small bar graph of frame times (ms) on a canvas; the line marks 16.7 ms (60 fps). */
export class FrameGraph {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;

  constructor(width = 160, height = 40) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "frame-graph";
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.setAttribute("aria-label", "frame times");
    this.ctx = this.canvas.getContext("2d");
  }

  draw(frameTimesMs: readonly number[]): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "rgba(0,0,0,0.35)";
    ctx.fillRect(0, 0, width, height);
    // Scale to the slowest recent frame, at least 50 ms, so 60 fps frames stay visible.
    const max = Math.max(50, ...frameTimesMs);
    const bar = width / 120;
    frameTimesMs.slice(-120).forEach((ms, i, all) => {
      const h = Math.max(1, (ms / max) * height);
      ctx.fillStyle = ms > 100 ? "#ff6b6b" : ms > 34 ? "#ffd166" : "#6bd49a";
      ctx.fillRect(width - (all.length - i) * bar, height - h, Math.max(1, bar - 0.5), h);
    });
    const y = height - (16.7 / max) * height;
    ctx.strokeStyle = "rgba(255,255,255,0.5)";
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(width, y);
    ctx.stroke();
  }
}
