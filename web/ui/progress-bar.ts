/** A download progress bar showing bytes and percent. */
export class ProgressBar {
  private readonly fill: HTMLElement;
  private readonly label: HTMLElement;

  constructor(private readonly element: HTMLElement) {
    element.classList.add("progress");
    element.replaceChildren();
    const track = document.createElement("div");
    track.className = "progress-track";
    track.setAttribute("role", "progressbar");
    track.setAttribute("aria-valuemin", "0");
    track.setAttribute("aria-valuemax", "100");
    this.fill = document.createElement("div");
    this.fill.className = "progress-fill";
    track.append(this.fill);
    this.label = document.createElement("span");
    this.label.className = "progress-label";
    element.append(track, this.label);
  }

  show(): void {
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }

  /** `total` null: size unknown, the bar stays empty and only bytes are shown. */
  update(what: string, loaded: number, total: number | null, unit: "bytes" | "%" = "bytes"): void {
    const percent = total && total > 0 ? Math.min(100, (loaded / total) * 100) : null;
    this.fill.style.width = `${percent ?? 0}%`;
    this.fill.parentElement?.setAttribute("aria-valuenow", String(Math.round(percent ?? 0)));
    this.label.textContent =
      unit === "%"
        ? `${what} (${(percent ?? 0).toFixed(0)}%)`
        : percent === null
        ? `${what}: ${formatBytes(loaded)}`
        : `${what}: ${formatBytes(loaded)} / ${formatBytes(total!)} (${percent.toFixed(0)}%)`;
  }
}

/** A bar for work measured as a fraction (the boot), labelled with what is happening. */
export function updateFraction(bar: ProgressBar, what: string, fraction: number): void {
  bar.update(what, Math.round(fraction * 100), 100, "%");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
