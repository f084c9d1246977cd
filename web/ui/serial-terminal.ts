/**
 * The guest's serial console in an xterm.js terminal: guest bytes are written in batches (one
 * write per frame, not per byte), keystrokes go to `onInput`, and the grid follows the pane size.
 */
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";

const FONT_SIZE = 13;
const FONT_FAMILY = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';

export class SerialTerminal {
  readonly terminal: Terminal;
  private pending: number[] = [];
  private flushScheduled = false;
  private readonly host: HTMLElement;

  constructor(pane: HTMLElement, onInput: (data: string) => void) {
    this.host = document.createElement("div");
    this.host.className = "terminal-host";
    pane.replaceChildren(this.host);
    this.terminal = new Terminal({
      fontSize: FONT_SIZE,
      fontFamily: FONT_FAMILY,
      scrollback: 5000,
      convertEol: false,
      cursorBlink: true,
      theme: { background: "#000000" },
    });
    this.terminal.open(this.host);
    this.terminal.onData(onInput);
    new ResizeObserver(() => this.fit()).observe(this.host);
    this.fit();
  }

  writeByte(byte: number): void {
    this.pending.push(byte);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // A timer, not rAF: a hidden tab must keep draining serial output.
      setTimeout(() => this.flush(), 16);
    }
  }

  writeText(text: string): void {
    this.flush();
    this.terminal.write(text);
  }

  focus(): void {
    this.terminal.focus();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    this.terminal.write(Uint8Array.from(this.pending));
    this.pending = [];
  }

  /** Sizes the grid to the pane (what @xterm/addon-fit does, from a measured character cell). */
  private fit(): void {
    const cell = measureCell();
    const cols = Math.max(20, Math.floor((this.host.clientWidth - 14) / cell.width));
    const rows = Math.max(5, Math.floor(this.host.clientHeight / cell.height));
    if (cols !== this.terminal.cols || rows !== this.terminal.rows) this.terminal.resize(cols, rows);
  }
}

let cachedCell: { width: number; height: number } | null = null;

function measureCell(): { width: number; height: number } {
  if (cachedCell) return cachedCell;
  const probe = document.createElement("span");
  probe.style.cssText = `position:absolute;visibility:hidden;white-space:pre;font-size:${FONT_SIZE}px;font-family:${FONT_FAMILY};line-height:normal`;
  probe.textContent = "W".repeat(50);
  document.body.append(probe);
  const rect = probe.getBoundingClientRect();
  probe.remove();
  const cell = { width: rect.width / 50 || 8, height: Math.ceil(rect.height) || 16 };
  if (rect.width > 0) cachedCell = cell;
  return cell;
}
