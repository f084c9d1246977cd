/** The one-line status text in the toolbar. */
export class StatusLine {
  constructor(private readonly element: HTMLElement) {}

  set(text: string): void {
    this.element.textContent = text;
  }
}
