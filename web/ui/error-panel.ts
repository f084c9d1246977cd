/** A visible error box: failures must never leave a blank or silently stuck page. */
export class ErrorPanel {
  constructor(private readonly element: HTMLElement) {}

  show(title: string, detail: string): void {
    const heading = document.createElement("h2");
    heading.textContent = title;
    const body = document.createElement("div");
    body.textContent = detail;
    this.element.replaceChildren(heading, body);
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  get visible(): boolean {
    return !this.element.hidden;
  }
}
