/**
 * Keyboard and mouse on the screen pane reach the guest's PS/2 devices, only while the screen has
 * the input: a click on the screen captures it (focus + pointer lock where the browser grants
 * it), Escape, a click elsewhere or `release()` gives it back. While released, typing goes to
 * whatever else has focus (the serial terminal) and nothing reaches the guest's keyboard, so a
 * key is never delivered twice.
 *
 * The PS/2 side is a small `Ps2Sink` so the module works with any emulator; `v86Ps2Sink` adapts
 * v86 and switches off v86's own window-wide keyboard/mouse adapters (they would deliver every key
 * typed outside the terminal as well, and only see the mouse over v86's VGA container).
 */
import type { V86 } from "v86";
import { scancodesFor } from "./ps2-scancodes.ts";

export interface Ps2Sink {
  /** Raw set-1 scan code bytes to the keyboard. */
  sendScancodes(codes: readonly number[]): void;
  /** Relative motion in PS/2 convention: +x right, +y up. */
  mouseDelta(dx: number, dy: number): void;
  mouseButtons(left: boolean, middle: boolean, right: boolean): void;
  /** Wheel steps: positive = towards the user (scroll down). */
  mouseWheel(steps: number): void;
  /**
   * Pointer position within a `width` x `height` screen, for an absolute pointing device (v86's
   * VMware mouse, which Linux's psmouse switches to): used while the pointer is not locked.
   */
  mouseAbsolute?(x: number, y: number, width: number, height: number): void;
  /** The host pointer is locked (motion is relative) or free (motion is absolute). */
  pointerLocked?(locked: boolean): void;
}

/** The part of v86's event bus we send to (not in v86's typings). */
interface V86Bus {
  send(event: string, value: unknown): void;
}

/** A Ps2Sink on v86's i8042; disables v86's own browser input adapters (ours replace them). */
export function v86Ps2Sink(v86: V86): Ps2Sink {
  const bus = (v86 as unknown as { bus?: V86Bus }).bus;
  if (!bus || typeof bus.send !== "function") throw new Error("this v86 build has no event bus (v86.bus)");
  v86.keyboard_set_enabled(false);
  v86.mouse_set_enabled(false);
  return {
    sendScancodes: (codes) => v86.keyboard_send_scancodes([...codes]),
    mouseDelta: (dx, dy) => bus.send("mouse-delta", [dx, dy]),
    mouseButtons: (left, middle, right) => bus.send("mouse-click", [left, middle, right]),
    // v86's handler subtracts its first value from the wheel counter: negative = scroll down.
    mouseWheel: (steps) => bus.send("mouse-wheel", [-steps, 0]),
    // Linux's psmouse finds v86's VMware backdoor and puts the mouse in absolute mode; v86 then
    // takes positions from "mouse-absolute" unless it was told the pointer is locked.
    mouseAbsolute: (x, y, width, height) => bus.send("mouse-absolute", [x, y, width, height]),
    pointerLocked: (locked) => bus.send("mouse-pointer-lock", locked),
  };
}

export interface ScreenInputOptions {
  /** Ask for pointer lock on capture (default true; refused locks fall back to hover deltas). */
  pointerLock?: boolean;
}

export class ScreenInput {
  private capturedNow = false;
  private readonly pressed = new Map<string, true>();
  private buttons = [false, false, false];
  private readonly listeners = new Set<(captured: boolean) => void>();
  private readonly abort = new AbortController();

  constructor(
    /** The screen pane: made focusable; its descendants' events are the guest's while captured. */
    private readonly target: HTMLElement,
    private readonly sink: Ps2Sink,
    private readonly options: ScreenInputOptions = {},
  ) {
    target.tabIndex = 0;
    target.classList.add("screen-input");
    const signal = this.abort.signal;
    target.addEventListener("mousedown", (e) => this.onMouseDown(e), { signal });
    // Button releases and motion are followed on the document: a drag may end outside the pane.
    document.addEventListener("mouseup", (e) => this.onMouseUp(e), { signal });
    document.addEventListener("mousemove", (e) => this.onMouseMove(e), { signal });
    target.addEventListener("wheel", (e) => this.onWheel(e), { signal, passive: false });
    target.addEventListener("contextmenu", (e) => this.capturedNow && e.preventDefault(), { signal });
    target.addEventListener("keydown", (e) => this.onKey(e, true), { signal });
    target.addEventListener("keyup", (e) => this.onKey(e, false), { signal });
    target.addEventListener("blur", () => this.release(), { signal });
    document.addEventListener("pointerlockchange", () => {
      const locked = document.pointerLockElement === target;
      this.sink.pointerLocked?.(locked);
      // The browser ends pointer lock itself on Escape (the key never reaches us): release too.
      if (this.hadLock && !locked) this.release();
      this.hadLock = locked && this.capturedNow;
    }, { signal });
  }

  private hadLock = false;

  private get wantsPointerLock(): boolean {
    return this.options.pointerLock ?? true;
  }

  get captured(): boolean {
    return this.capturedNow;
  }

  /** Called with true/false when the guest gains or loses the input. Returns an unsubscribe. */
  onChange(listener: (captured: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  capture(): void {
    if (this.capturedNow) return;
    this.capturedNow = true;
    this.target.classList.add("screen-input-captured");
    if (document.activeElement !== this.target) this.target.focus({ preventScroll: true });
    if (this.wantsPointerLock && document.pointerLockElement !== this.target) {
      try {
        const pending = this.target.requestPointerLock() as unknown;
        // Chromium returns a promise and rejects it when it refuses (no user gesture, sandboxed
        // iframe): then the mouse is only followed while it hovers the screen.
        if (pending instanceof Promise) pending.catch(() => {});
      } catch {
        /* no pointer lock: hover deltas */
      }
    }
    for (const listener of this.listeners) listener(true);
  }

  release(): void {
    if (!this.capturedNow) return;
    this.capturedNow = false;
    this.target.classList.remove("screen-input-captured");
    // Keys and buttons held at release would stay down in the guest forever otherwise.
    for (const code of this.pressed.keys()) {
      const codes = scancodesFor(code, false);
      if (codes) this.sink.sendScancodes(codes);
    }
    this.pressed.clear();
    if (this.buttons.some(Boolean)) {
      this.buttons = [false, false, false];
      this.sink.mouseButtons(false, false, false);
    }
    this.hadLock = false;
    if (document.pointerLockElement === this.target) document.exitPointerLock();
    for (const listener of this.listeners) listener(false);
  }

  dispose(): void {
    this.release();
    this.abort.abort();
  }

  private onKey(event: KeyboardEvent, down: boolean): void {
    if (!this.capturedNow) return;
    if (down && event.code === "Escape" && !event.ctrlKey && !event.altKey) {
      // Escape gives the input back; Ctrl+Escape sends Escape to the guest.
      event.preventDefault();
      this.release();
      return;
    }
    const code = event.code;
    const codes = scancodesFor(code, down);
    if (!codes) return;
    event.preventDefault();
    event.stopPropagation();
    if (down) {
      this.pressed.set(code, true);
    } else {
      if (!this.pressed.has(code)) return;
      this.pressed.delete(code);
    }
    this.sink.sendScancodes(codes);
  }

  private onMouseDown(event: MouseEvent): void {
    if (!this.capturedNow) {
      // The click that captures is not passed on: it only gives the guest the input.
      event.preventDefault();
      this.capture();
      return;
    }
    this.setButton(event.button, true);
    event.preventDefault();
  }

  private onMouseUp(event: MouseEvent): void {
    if (!this.capturedNow) return;
    this.setButton(event.button, false);
  }

  private setButton(button: number, down: boolean): void {
    // DOM: 0 left, 1 middle, 2 right; PS/2 wants (left, middle, right).
    if (button < 0 || button > 2 || this.buttons[button] === down) return;
    this.buttons[button] = down;
    this.sink.mouseButtons(this.buttons[0]!, this.buttons[1]!, this.buttons[2]!);
  }

  private onMouseMove(event: MouseEvent): void {
    if (!this.capturedNow) return;
    const locked = document.pointerLockElement === this.target;
    // Unlocked, only motion over the screen counts (the host cursor is the guest's then).
    if (!locked && !(event.target instanceof Node && this.target.contains(event.target))) return;
    if (!locked && this.sink.mouseAbsolute && event.target instanceof Element) {
      const rect = displayedRect(event.target);
      this.sink.mouseAbsolute(event.clientX - rect.left, event.clientY - rect.top, rect.width, rect.height);
    }
    if (event.movementX === 0 && event.movementY === 0) return;
    this.sink.mouseDelta(event.movementX, -event.movementY);
  }

  private onWheel(event: WheelEvent): void {
    if (!this.capturedNow) return;
    event.preventDefault();
    if (event.deltaY !== 0) this.sink.mouseWheel(Math.sign(event.deltaY));
  }
}

/**
 * Where the picture is on screen: a canvas shown with `object-fit: contain` (the virtio-gpu
 * display) is letterboxed inside its box; anything else fills its box.
 */
function displayedRect(element: Element): { left: number; top: number; width: number; height: number } {
  const box = element.getBoundingClientRect();
  if (!(element instanceof HTMLCanvasElement) || element.width === 0 || element.height === 0) return box;
  const scale = Math.min(box.width / element.width, box.height / element.height);
  const width = element.width * scale;
  const height = element.height * scale;
  return { left: box.left + (box.width - width) / 2, top: box.top + (box.height - height) / 2, width, height };
}
