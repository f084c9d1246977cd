/** Start / stop (pause) / reset buttons, enabled according to the machine's phase. */
import type { MachinePhase } from "../../src/machine/machine.ts";

export interface MachineControlActions {
  start(): void;
  stop(): void;
  reset(): void;
}

export class MachineControls {
  readonly element: HTMLElement;
  private readonly buttons: Record<keyof MachineControlActions, HTMLButtonElement>;

  constructor(actions: MachineControlActions) {
    this.element = document.createElement("div");
    this.element.className = "button-group";
    this.element.setAttribute("role", "group");
    this.element.setAttribute("aria-label", "Machine");
    const make = (key: keyof MachineControlActions, label: string, title: string) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tool-button";
      b.id = `machine-${key}`;
      b.textContent = label;
      b.title = title;
      b.addEventListener("click", () => actions[key]());
      return b;
    };
    this.buttons = {
      start: make("start", "Start", "Boot, or resume the paused CPU"),
      stop: make("stop", "Stop", "Pause the CPU"),
      reset: make("reset", "Reset", "Reboot: a new PC boots the selected demo"),
    };
    this.element.append(this.buttons.start, this.buttons.stop, this.buttons.reset);
    this.update("idle");
  }

  update(phase: MachinePhase): void {
    const busy = phase === "downloading" || phase === "starting";
    this.buttons.start.disabled = busy || phase === "booting" || phase === "running";
    this.buttons.stop.disabled = !(phase === "booting" || phase === "running");
    this.buttons.reset.disabled = busy;
  }
}
