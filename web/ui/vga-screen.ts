/**
 * The container v86's ScreenAdapter draws into: a text-mode div (first <div>) and a graphics
 * <canvas>, in the structure v86 expects. The text div is scaled down to fit small panes.
 */
export class VgaScreen {
  readonly container: HTMLElement;
  private readonly text: HTMLElement;
  private readonly observer: ResizeObserver;

  constructor(host: HTMLElement) {
    this.container = document.createElement("div");
    this.container.className = "vga-screen";
    this.text = document.createElement("div");
    const canvas = document.createElement("canvas");
    canvas.style.display = "none";
    this.container.append(this.text, canvas);
    host.replaceChildren(this.container);
    this.observer = new ResizeObserver(() => this.fitText());
    this.observer.observe(this.container);
    // Text changes size when the guest switches modes: refit on content changes too.
    new MutationObserver(() => this.fitText()).observe(this.text, { childList: true });
  }

  private fitText(): void {
    const width = this.text.scrollWidth;
    const height = this.text.scrollHeight;
    if (width === 0 || height === 0) return;
    const scale = Math.min(1, this.container.clientWidth / width, this.container.clientHeight / height);
    this.text.style.transform = scale < 1 ? `scale(${scale})` : "";
  }
}
