/**
 * What the machine shows in its container: the virtio-gpu display (a canvas the GPU worker draws
 * into) and v86's VGA screen, one at a time. It follows the guest (VGA until the virtio-gpu
 * scanout is set, back to VGA when it is disabled) unless a source was forced with setSource().
 * Inline styles, so a host page needs no stylesheet of ours; class names for pages that style it.
 */
import { VgaScreen } from "./vga-screen.ts";

export type ScreenSource = "gpu" | "vga";

export class MachineScreen {
  readonly gpuCanvas: HTMLCanvasElement;
  /** Null when the machine was given a bare canvas (no VGA view). */
  private readonly vgaHost: HTMLElement | null;
  private vgaScreen: VgaScreen | null = null;
  private forced: ScreenSource | null = null;
  private guest: ScreenSource = "vga";
  private readonly listeners = new Set<(visible: ScreenSource) => void>();

  constructor(target: { container: HTMLElement } | { canvas: HTMLCanvasElement }) {
    if ("canvas" in target) {
      this.gpuCanvas = target.canvas;
      this.vgaHost = null;
      return;
    }
    const { container } = target;
    if (getComputedStyle(container).position === "static") container.style.position = "relative";
    this.vgaHost = document.createElement("div");
    this.vgaHost.className = "screen-layer";
    this.vgaHost.style.cssText = "position:absolute;inset:0";
    this.gpuCanvas = document.createElement("canvas");
    this.gpuCanvas.className = "screen-layer gpu-display";
    this.gpuCanvas.style.cssText = "position:absolute;inset:0;width:100%;height:100%;object-fit:contain";
    this.gpuCanvas.width = 1024;
    this.gpuCanvas.height = 768;
    this.gpuCanvas.setAttribute("aria-label", "virtio-gpu display");
    container.replaceChildren(this.vgaHost, this.gpuCanvas);
    this.update();
  }

  /** A fresh VGA container for v86 (one per boot), or null without a VGA view. */
  newVgaContainer(): HTMLElement | null {
    if (!this.vgaHost) return null;
    this.vgaScreen?.dispose();
    this.vgaScreen = new VgaScreen(this.vgaHost);
    return this.vgaScreen.container;
  }

  /** v86's graphics canvas (VGA graphics modes), for screenshots before the virtio-gpu scanout is up. */
  get vgaCanvas(): HTMLCanvasElement | null {
    return this.vgaScreen?.canvas ?? null;
  }

  /** The guest enabled (true) or disabled the virtio-gpu scanout. */
  setGpuScanoutActive(active: boolean): void {
    this.guest = active ? "gpu" : "vga";
    this.update();
  }

  /** Force a source (a view switch), or null to follow the guest again. */
  setSource(source: ScreenSource | null): void {
    this.forced = source;
    this.update();
  }

  get visible(): ScreenSource {
    return this.vgaHost ? (this.forced ?? this.guest) : "gpu";
  }

  onChange(listener: (visible: ScreenSource) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(): void {
    if (!this.vgaHost) return;
    const visible = this.visible;
    // hidden for pages that style [hidden]; display because inline styles would beat the UA's [hidden].
    this.gpuCanvas.hidden = visible !== "gpu";
    this.gpuCanvas.style.display = visible === "gpu" ? "block" : "none";
    this.vgaHost.hidden = visible !== "vga";
    this.vgaHost.style.display = visible === "vga" ? "" : "none";
    for (const l of this.listeners) l(visible);
  }
}
