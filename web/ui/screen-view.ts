/**
 * The screen pane's view switch: buttons to force the virtio-gpu display or v86's VGA screen; the
 * machine's screen (src/machine/machine-screen.ts) follows the guest until one is pressed.
 */
import type { MachineScreen, ScreenSource } from "../../src/machine/machine-screen.ts";

export class ScreenView {
  private readonly buttons: Record<ScreenSource, HTMLButtonElement>;

  constructor(private readonly screen: MachineScreen, switcher: HTMLElement) {
    const button = (source: ScreenSource, label: string) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "view-button";
      b.textContent = label;
      b.addEventListener("click", () => this.screen.setSource(source));
      return b;
    };
    this.buttons = { gpu: button("gpu", "virtio-gpu"), vga: button("vga", "VGA") };
    switcher.replaceChildren(this.buttons.gpu, this.buttons.vga);
    screen.onChange(() => this.update());
    this.update();
  }

  get gpuCanvas(): HTMLCanvasElement {
    return this.screen.gpuCanvas;
  }

  private update(): void {
    for (const source of ["gpu", "vga"] as const) {
      this.buttons[source].setAttribute("aria-pressed", String(source === this.screen.visible));
    }
  }
}
