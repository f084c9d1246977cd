/**
 * Toolbar button for ScreenInput: says whether the guest has the keyboard and mouse, and gives
 * them back (or takes them) on click. Append `element` to `#toolbar-slot`.
 */
import type { ScreenInput } from "./screen-input.ts";

export class InputCaptureButton {
  readonly element: HTMLButtonElement;

  constructor(private readonly input: ScreenInput) {
    this.element = document.createElement("button");
    this.element.type = "button";
    this.element.className = "view-button input-capture-button";
    // mousedown would move focus to the button and blur the screen (a release) before the click.
    this.element.addEventListener("mousedown", (e) => e.preventDefault());
    this.element.addEventListener("click", () => (input.captured ? input.release() : input.capture()));
    input.onChange(() => this.update());
    this.update();
  }

  private update(): void {
    const captured = this.input.captured;
    this.element.textContent = captured ? "Release input (Esc)" : "Click the screen to type";
    this.element.title = captured
      ? "Keyboard and mouse go to the guest's PS/2 devices. Esc or this button gives them back; Ctrl+Esc sends Esc to the guest."
      : "Keyboard and mouse go to the page. Click the screen (or this button) to give them to the guest.";
    this.element.setAttribute("aria-pressed", String(captured));
  }
}
