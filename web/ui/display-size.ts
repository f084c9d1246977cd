/**
 * The guest's display size: a toolbar select (Auto, or a fixed resolution). The choice reaches the
 * guest as a virtio-gpu display-change event with the new preferred mode (`apply`); the guest's DRM
 * driver re-reads the display info and its clients (fbcon, kmscube at start) pick the mode up.
 *
 * Auto follows the screen pane's size in CSS pixels (not device pixels: on a HiDPI screen that
 * would quadruple what the emulated CPU has to draw), debounced so a window drag sends one event.
 * The initial choice comes from `?display=auto|WIDTHxHEIGHT` (default: the device's 1024x768, so
 * nothing is sent at boot unless asked).
 *
 * Seen with the Debian 6.1 guest: landscape sizes (800x600, 928x718) become the connector's
 * preferred mode and fbcon switches to them; a portrait pane size (616x792, a narrow window) did
 * not (1024x768 stayed first in the mode list). Not investigated yet (EDID/mode validation?).
 */

export interface DisplaySize {
  width: number;
  height: number;
}

export type DisplayChoice = "auto" | DisplaySize;

export const DEFAULT_DISPLAY: DisplaySize = { width: 1024, height: 768 };
export const DISPLAY_PRESETS: readonly DisplaySize[] = [
  { width: 800, height: 600 },
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];
const MIN = { width: 320, height: 200 };
const MAX = { width: 3840, height: 2160 };
const DEBOUNCE_MS = 400;

/** `?display=` → a choice; null when absent. Throws on a malformed value. */
export function readDisplayChoice(search = location.search): DisplayChoice | null {
  const value = new URLSearchParams(search).get("display");
  if (value === null) return null;
  if (value === "auto") return "auto";
  const match = /^(\d+)x(\d+)$/.exec(value);
  if (!match) throw new Error(`?display=${value} is not "auto" or WIDTHxHEIGHT`);
  return clampSize({ width: Number(match[1]), height: Number(match[2]) });
}

/** Within what the device accepts; widths a multiple of 8 (fbcon's glyphs, 32-bit scanlines). */
export function clampSize(size: DisplaySize): DisplaySize {
  const width = Math.min(MAX.width, Math.max(MIN.width, Math.floor(size.width / 8) * 8));
  const height = Math.min(MAX.height, Math.max(MIN.height, Math.floor(size.height)));
  return { width, height };
}

const label = (s: DisplaySize): string => `${s.width}x${s.height}`;

export class DisplaySizeControl {
  readonly element: HTMLLabelElement;
  private readonly select: HTMLSelectElement;
  private readonly observer: ResizeObserver;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private current: DisplaySize = DEFAULT_DISPLAY;

  constructor(
    /** The screen pane Auto measures. */
    private readonly pane: HTMLElement,
    /** Sends the preferred mode to the guest (e.g. `gpu.setDisplaySize(0, w, h)`). */
    private readonly apply: (size: DisplaySize) => void,
    initial: DisplayChoice = DEFAULT_DISPLAY,
  ) {
    this.element = document.createElement("label");
    this.element.className = "display-size";
    this.element.textContent = "Display ";
    this.select = document.createElement("select");
    this.select.setAttribute("aria-label", "Guest display size");
    this.select.append(new Option("Auto (fit)", "auto"), ...DISPLAY_PRESETS.map((s) => new Option(label(s), label(s))));
    this.element.append(this.select);
    this.select.addEventListener("change", () => this.choose(this.valueChoice()));
    this.observer = new ResizeObserver(() => {
      if (this.select.value === "auto") this.schedule();
    });
    this.observer.observe(pane);
    // At boot the device already offers its default: send() skips a choice equal to it.
    this.choose(initial);
  }

  /** The size last sent to the guest (or the device default). */
  get size(): DisplaySize {
    return this.current;
  }

  choose(choice: DisplayChoice): void {
    if (choice === "auto") {
      this.select.value = "auto";
      this.schedule();
      return;
    }
    const size = clampSize(choice);
    const value = label(size);
    if (![...this.select.options].some((o) => o.value === value)) this.select.append(new Option(value, value));
    this.select.value = value;
    this.send(size);
  }

  dispose(): void {
    this.observer.disconnect();
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private valueChoice(): DisplayChoice {
    const match = /^(\d+)x(\d+)$/.exec(this.select.value);
    return match ? { width: Number(match[1]), height: Number(match[2]) } : "auto";
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const { clientWidth, clientHeight } = this.pane;
      if (clientWidth > 0 && clientHeight > 0) this.send(clampSize({ width: clientWidth, height: clientHeight }));
    }, DEBOUNCE_MS);
  }

  private send(size: DisplaySize): void {
    if (size.width === this.current.width && size.height === this.current.height) return;
    this.current = size;
    this.apply(size);
  }
}
