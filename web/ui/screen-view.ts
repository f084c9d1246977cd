/**
 * The screen pane: the virtio-gpu display (a canvas the GPU worker draws into) and v86's VGA
 * screen, one visible at a time. It follows the guest (VGA until the virtio-gpu scanout is set,
 * back to VGA if the scanout is disabled) unless the user picked a view with the buttons.
 */
import { VgaScreen } from "./vga-screen.ts";

export type ScreenSource = "gpu" | "vga";

export class ScreenView {
  readonly gpuCanvas: HTMLCanvasElement;
  readonly vga: VgaScreen;
  private readonly buttons: Record<ScreenSource, HTMLButtonElement>;
  private userChoice: ScreenSource | null = null;
  private guestChoice: ScreenSource = "vga";

  constructor(body: HTMLElement, switcher: HTMLElement) {
    const vgaHost = document.createElement("div");
    vgaHost.className = "screen-layer";
    this.gpuCanvas = document.createElement("canvas");
    this.gpuCanvas.className = "screen-layer gpu-display";
    this.gpuCanvas.width = 1024;
    this.gpuCanvas.height = 768;
    this.gpuCanvas.setAttribute("aria-label", "virtio-gpu display");
    body.replaceChildren(vgaHost, this.gpuCanvas);
    this.vga = new VgaScreen(vgaHost);

    const button = (source: ScreenSource, label: string) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "view-button";
      b.textContent = label;
      b.addEventListener("click", () => {
        this.userChoice = source;
        this.update();
      });
      return b;
    };
    this.buttons = { gpu: button("gpu", "virtio-gpu"), vga: button("vga", "VGA") };
    switcher.replaceChildren(this.buttons.gpu, this.buttons.vga);
    this.update();
  }

  /** The guest enabled (true) or disabled the virtio-gpu scanout. */
  setGpuScanoutActive(active: boolean): void {
    this.guestChoice = active ? "gpu" : "vga";
    this.update();
  }

  get visible(): ScreenSource {
    return this.userChoice ?? this.guestChoice;
  }

  private update(): void {
    const visible = this.visible;
    this.gpuCanvas.hidden = visible !== "gpu";
    this.vga.container.parentElement!.hidden = visible !== "vga";
    for (const source of ["gpu", "vga"] as const) {
      this.buttons[source].setAttribute("aria-pressed", String(source === visible));
    }
  }
}
