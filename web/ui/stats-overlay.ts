/**
 * The stats overlay on the screen pane: fps, frame-time graph, virgl commands/s, draws/s, upload
 * MB/s, fences in flight, the guest's GL renderer/version (from its serial output) and the host's
 * WebGL renderer. A toolbar button shows/hides it.
 */
import type { MachineStats } from "../../src/machine/machine-stats.ts";
import { FrameGraph } from "./frame-graph.ts";

export class StatsOverlay {
  readonly element: HTMLElement;
  readonly toggle: HTMLButtonElement;
  private readonly text: HTMLElement;
  private readonly graph = new FrameGraph();

  constructor(pane: HTMLElement) {
    this.element = document.createElement("div");
    this.element.className = "stats-overlay";
    this.element.id = "stats";
    this.element.setAttribute("aria-label", "Stats");
    this.text = document.createElement("pre");
    this.text.className = "stats-text";
    this.element.append(this.graph.canvas, this.text);
    pane.append(this.element);

    this.toggle = document.createElement("button");
    this.toggle.type = "button";
    this.toggle.className = "tool-button";
    this.toggle.id = "stats-toggle";
    this.toggle.textContent = "Stats";
    this.toggle.title = "Show or hide the stats overlay";
    this.toggle.addEventListener("click", () => this.setVisible(this.element.hidden));
    this.setVisible(true);
  }

  setVisible(visible: boolean): void {
    this.element.hidden = !visible;
    this.toggle.setAttribute("aria-pressed", String(visible));
  }

  update(stats: MachineStats): void {
    if (this.element.hidden) return;
    this.graph.draw(stats.frameTimesMs);
    const times = stats.frameTimesMs;
    const avg = times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0;
    const lines = [
      `${stats.fps.toFixed(1)} fps   frame ${avg ? `${avg.toFixed(0)} ms avg` : "–"}`,
      stats.virgl
        ? `virgl ${fmt(stats.virglCommandsPerSec)} cmd/s  ${fmt(stats.drawsPerSec)} draws/s`
        : "virgl off (2D device, guest softpipe)",
      `upload ${stats.uploadMBps.toFixed(2)} MB/s   fences in flight ${stats.fencesInFlight}`,
    ];
    if (stats.guestGl) lines.push(`guest GL: ${stats.guestGl.renderer ?? "?"}`, `          ${stats.guestGl.version ?? ""}`.trimEnd());
    // The full host string is long (ANGLE (vendor, API (device), driver)); machine.stats has it whole.
    if (stats.hostRenderer) lines.push(`host: ${shorten(stats.hostRenderer, 44)}`);
    this.text.textContent = lines.filter((l) => l.trim()).join("\n");
  }
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function fmt(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}
