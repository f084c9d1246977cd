/** Toolbar select of the demos; picking one reboots the machine into it. */
import { DEMOS, isDemoName, type DemoName } from "../../src/machine/demos.ts";

export class DemoPicker {
  readonly element: HTMLLabelElement;
  private readonly select: HTMLSelectElement;

  constructor(current: DemoName, onPick: (demo: DemoName) => void) {
    this.element = document.createElement("label");
    this.element.className = "demo-picker";
    this.element.textContent = "Demo ";
    this.select = document.createElement("select");
    this.select.id = "demo-select";
    for (const demo of DEMOS) {
      const option = new Option(demo.title, demo.name, false, demo.name === current);
      option.title = demo.description;
      this.select.append(option);
    }
    this.select.addEventListener("change", () => {
      if (isDemoName(this.select.value)) onPick(this.select.value);
    });
    this.element.append(this.select);
  }

  set(demo: DemoName): void {
    this.select.value = demo;
  }
}
