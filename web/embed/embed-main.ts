/**
 * embed.html: just the guest screen and a one-line status, driven by the query (embed-options.ts)
 * and by the host page through postMessage (embed-api.ts, docs/embed.md).
 */
import { createVirtualGpuMachine } from "../../src/machine/machine.ts";
import { toMachineError, type MachineError } from "../../src/machine/errors.ts";
import { EmbedApi } from "./embed-api.ts";
import { readEmbedOptions } from "./embed-options.ts";

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`embed.html has no #${id} element`);
  return element;
}

const status = byId("status");
const errorBox = byId("error");

function showError(title: string, detail: string): void {
  errorBox.replaceChildren(Object.assign(document.createElement("strong"), { textContent: title }), document.createTextNode(`\n${detail}`));
  errorBox.hidden = false;
  status.textContent = "Failed";
  document.documentElement.dataset.phase = "failed";
}

async function main(): Promise<void> {
  // Tells embed.html's load watchdog that the module graph ran.
  document.documentElement.dataset.phase = "loading";
  let api: EmbedApi | null = null;
  const report = (e: MachineError) => {
    showError(e.title, e.detail);
    api?.emit("error", { kind: e.kind, title: e.title, detail: e.detail });
  };
  let options;
  try {
    options = readEmbedOptions(location.search);
  } catch (error) {
    // The host still hears about it (a bad iframe URL is the host's bug).
    new EmbedApi(null).emit("error", { kind: "bad-option", title: "Bad embed parameter", detail: error instanceof Error ? error.message : String(error) });
    showError("Bad embed parameter", error instanceof Error ? error.message : String(error));
    return;
  }
  api = new EmbedApi(options.allowedOrigins);
  let lastStats = 0;
  const machine = await createVirtualGpuMachine({
    container: byId("screen"),
    demo: options.demo,
    autostart: options.autostart,
    memoryMiB: options.memoryMiB,
    virgl: options.virgl,
    guestBaseUrl: options.guestBaseUrl,
    statsIntervalMs: options.statsIntervalMs || 1000,
    onPhase: (phase, detail) => {
      status.textContent = detail;
      document.documentElement.dataset.phase = phase;
      api?.emit("phase", { phase, detail });
    },
    onProgress: (p) => {
      status.textContent = p.stage === "download" ? `Downloading ${p.fraction === null ? "" : `${Math.round(p.fraction * 100)}%`}` : `Booting ${Math.round((p.fraction ?? 0) * 100)}%`;
    },
    onStats: (stats) => {
      if (!options.statsIntervalMs || stats.at - lastStats < options.statsIntervalMs - 50) return;
      lastStats = stats.at;
      api?.emit("stats", stats);
    },
    onError: report,
  }).catch((error: unknown) => {
    report(toMachineError(error));
    return null;
  });
  if (!machine) return;
  api.attach(machine);
  (window as unknown as { webvirglEmbed?: unknown }).webvirglEmbed = { machine };
  if (!options.autostart) status.textContent = "Ready (waiting for start)";
  const ready = api.status();
  if (ready) api.emit("ready", ready);
}

main().catch((error: unknown) => showError("Unexpected error", error instanceof Error ? error.message : String(error)));
