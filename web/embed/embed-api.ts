/**
 * The iframe side of the postMessage API: commands from the parent window run on the machine and
 * are answered to the sender's origin; events go to the parent.
 *
 * Who may command: only `window.parent` (messages from other windows/frames are ignored), and when
 * `?origin=` lists origins, only a parent with one of them. Without `?origin=` any embedding page
 * may command: it already decides what the iframe shows and could remove it, and nothing the
 * machine returns (screenshots of the demo, stats) is private to the embedded site.
 */
import { isDemoName, DEMO_NAMES } from "../../src/machine/demos.ts";
import type { VirtualGpuMachine } from "../../src/machine/machine.ts";
import { parseCommand, PROTOCOL_VERSION, type CommandMessage, type EmbedEvents, type EmbedStatus, type ResultMessage, type ScreenshotResult } from "./protocol.ts";

export class EmbedApi {
  private machine: VirtualGpuMachine | null = null;

  constructor(
    private readonly allowedOrigins: string[] | null,
    private readonly target: Window = window.parent,
  ) {
    window.addEventListener("message", (event) => void this.receive(event));
  }

  /** Commands before the machine exists are answered with an error (the host waits for `ready`). */
  attach(machine: VirtualGpuMachine): void {
    this.machine = machine;
  }

  emit<K extends keyof EmbedEvents>(event: K, data: EmbedEvents[K]): void {
    if (this.target === window) return; // not embedded
    // Events carry nothing private; with ?origin= they go only to the first allowed origin.
    this.target.postMessage({ webvirgl: PROTOCOL_VERSION, type: "event", event, data }, this.allowedOrigins?.[0] ?? "*");
  }

  status(): EmbedStatus | null {
    const m = this.machine;
    if (!m) return null;
    const e = m.error;
    return { phase: m.phase, demo: m.demo.name, demos: [...DEMO_NAMES], bootCount: m.bootCount, error: e ? { kind: e.kind, title: e.title, detail: e.detail } : null };
  }

  private async receive(event: MessageEvent): Promise<void> {
    if (event.source !== this.target || this.target === window) return;
    const parsed = parseCommand(event.data);
    if (!parsed) return;
    const reply = (message: ResultMessage, transfer: Transferable[] = []) => this.target.postMessage(message, { targetOrigin: event.origin, transfer });
    if (this.allowedOrigins && !this.allowedOrigins.includes(event.origin)) {
      console.warn(`webvirgl embed: ignored a command from ${event.origin} (allowed: ${this.allowedOrigins.join(", ")})`);
      return;
    }
    if (!parsed.ok) {
      if (parsed.id !== null) reply({ webvirgl: 1, type: "result", id: parsed.id, ok: false, error: parsed.error });
      return;
    }
    const { message } = parsed;
    try {
      const { result, transfer } = await this.run(message);
      reply({ webvirgl: 1, type: "result", id: message.id, ok: true, result }, transfer);
    } catch (error) {
      reply({ webvirgl: 1, type: "result", id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async run(message: CommandMessage): Promise<{ result: EmbedStatus | ScreenshotResult | null; transfer: Transferable[] }> {
    const machine = this.machine;
    if (!machine) throw new Error("the machine is not ready yet (wait for the ready event)");
    switch (message.command) {
      case "start":
        await machine.start();
        return { result: this.status(), transfer: [] };
      case "stop":
        await machine.stop();
        return { result: this.status(), transfer: [] };
      case "reset":
        await machine.reset();
        return { result: this.status(), transfer: [] };
      case "setDemo": {
        const demo = message.args.demo;
        if (!isDemoName(demo)) throw new Error(`unknown demo "${String(demo)}"; demos: ${DEMO_NAMES.join(", ")}`);
        await machine.setDemo(demo);
        return { result: this.status(), transfer: [] };
      }
      case "screenshot": {
        const png = await (await machine.screenshot()).arrayBuffer();
        return { result: { mimeType: "image/png", png }, transfer: [png] };
      }
      case "getStatus":
        return { result: this.status(), transfer: [] };
    }
  }
}
