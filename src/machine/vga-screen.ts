/**
 * The container v86's ScreenAdapter draws into: a text-mode div (first <div>) and a graphics
 * <canvas>, in the structure v86 expects. The text div is scaled down to fit small panes.
 * A new one per boot: v86 keeps references into it until it is destroyed.
 */
export class VgaScreen {
  readonly container: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly text: HTMLElement;
  private readonly observers: { disconnect(): void }[] = [];

  constructor(host: HTMLElement) {
    this.container = document.createElement("div");
    this.container.className = "vga-screen";
    this.container.style.cssText = "position:absolute;inset:0;display:flex;align-items:center;justify-content:center;overflow:hidden";
    this.text = document.createElement("div");
    this.text.style.cssText = "white-space:pre;font:14px monospace;line-height:14px;color:#ccc;transform-origin:center";
    this.canvas = document.createElement("canvas");
    this.canvas.style.cssText = "display:none;max-width:100%;max-height:100%;object-fit:contain;image-rendering:pixelated";
    this.container.append(this.text, this.canvas);
    host.replaceChildren(this.container);
    const resize = new ResizeObserver(() => this.fitText());
    resize.observe(this.container);
    // Text changes size when the guest switches modes: refit on content changes too.
    const mutation = new MutationObserver(() => this.fitText());
    mutation.observe(this.text, { childList: true });
    this.observers.push(resize, mutation);
  }

  dispose(): void {
    for (const o of this.observers) o.disconnect();
    this.container.remove();
  }

  private fitText(): void {
    const width = this.text.scrollWidth;
    const height = this.text.scrollHeight;
    if (width === 0 || height === 0) return;
    const scale = Math.min(1, this.container.clientWidth / width, this.container.clientHeight / height);
    this.text.style.transform = scale < 1 ? `scale(${scale})` : "";
  }
}
