/** Shows or hides the serial console pane (the screen takes the whole workspace when hidden). */
export class SerialToggle {
  readonly element: HTMLButtonElement;

  constructor(private readonly workspace: HTMLElement, private readonly pane: HTMLElement, onShow: () => void) {
    this.element = document.createElement("button");
    this.element.type = "button";
    this.element.className = "tool-button";
    this.element.id = "serial-toggle";
    this.element.textContent = "Console";
    this.element.title = "Show or hide the serial console";
    this.element.addEventListener("click", () => {
      this.set(this.pane.hidden);
      if (!this.pane.hidden) onShow();
    });
    this.set(true);
  }

  set(visible: boolean): void {
    this.pane.hidden = !visible;
    this.workspace.classList.toggle("console-hidden", !visible);
    this.element.setAttribute("aria-pressed", String(visible));
  }
}
