/** Downloads a PNG of the guest screen. */
export class ScreenshotButton {
  readonly element: HTMLButtonElement;

  constructor(take: () => Promise<Blob>, onError: (message: string) => void) {
    this.element = document.createElement("button");
    this.element.type = "button";
    this.element.className = "tool-button";
    this.element.id = "screenshot";
    this.element.textContent = "Screenshot";
    this.element.title = "Download a PNG of the guest screen";
    this.element.addEventListener("click", () => {
      take().then(
        (blob) => downloadBlob(blob, `webvirgl-${new Date().toISOString().replace(/[:.]/g, "-")}.png`),
        (error: unknown) => onError(error instanceof Error ? error.message : String(error)),
      );
    });
  }
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
