/** Puts one element (the screen pane) into fullscreen; hidden where the browser has no Fullscreen API. */
export class FullscreenButton {
  readonly element: HTMLButtonElement;

  constructor(target: HTMLElement) {
    this.element = document.createElement("button");
    this.element.type = "button";
    this.element.className = "tool-button";
    this.element.id = "fullscreen";
    this.element.textContent = "Fullscreen";
    this.element.title = "Show the screen fullscreen (Esc leaves)";
    this.element.hidden = !document.fullscreenEnabled;
    this.element.addEventListener("click", () => {
      const request = document.fullscreenElement ? document.exitFullscreen() : target.requestFullscreen();
      request.catch((error: unknown) => console.warn(`webvirgl: fullscreen refused: ${error instanceof Error ? error.message : String(error)}`));
    });
  }
}
