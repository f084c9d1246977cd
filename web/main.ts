/**
 * The page: a webvirgl machine (src/machine, the same API any other app uses) in the screen pane,
 * the serial console beside it, and the toolbar controls. Boots kmscube through virgl with no
 * clicks; `window.webvirgl` is the debug handle for tests.
 */
import { createVirtualGpuMachine, type VirtualGpuMachine } from "../src/machine/machine.ts";
import { toMachineError } from "../src/machine/errors.ts";
import { installDebugHandle, type PagePhase, type WebvirglDebugHandle } from "./debug-handle.ts";
import { readPageOptions } from "./page-options.ts";
import { DemoPicker } from "./ui/demo-picker.ts";
import { DEFAULT_DISPLAY, DisplaySizeControl, readDisplayChoice } from "./ui/display-size.ts";
import { ErrorPanel } from "./ui/error-panel.ts";
import { FullscreenButton } from "./ui/fullscreen-button.ts";
import { InputCaptureButton } from "./ui/input-capture-button.ts";
import { MachineControls } from "./ui/machine-controls.ts";
import { ProgressBar, updateFraction } from "./ui/progress-bar.ts";
import { ScreenInput, v86Ps2Sink } from "./ui/screen-input.ts";
import { ScreenshotButton } from "./ui/screenshot-button.ts";
import { ScreenView } from "./ui/screen-view.ts";
import { SnapshotControl } from "./ui/snapshot-control.ts";
import { SerialTerminal } from "./ui/serial-terminal.ts";
import { SerialToggle } from "./ui/serial-toggle.ts";
import { StatsOverlay } from "./ui/stats-overlay.ts";
import { StatusLine } from "./ui/status-line.ts";

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id} element`);
  return element;
}

const status = new StatusLine(byId("status"));
const downloadBar = new ProgressBar(byId("progress"));
const bootBar = new ProgressBar(byId("boot-progress"));
const errorPanel = new ErrorPanel(byId("error"));

let machine: VirtualGpuMachine | null = null;
let pagePhase: PagePhase = "checking";
let pageError: string | null = null;

// Getters: the machine replaces its emulator/device on every reset; the handle follows.
const handle: WebvirglDebugHandle = {
  get machine() {
    return machine;
  },
  get emulator() {
    return machine?.emulator ?? null;
  },
  get gpu() {
    return machine?.gpu ?? null;
  },
  get gpuClient() {
    return machine?.gpuClient ?? null;
  },
  get virgl() {
    return machine?.virgl ?? null;
  },
  get manifest() {
    return machine?.manifest ?? null;
  },
  get phase() {
    return pageError ? "failed" : (machine?.phase ?? pagePhase);
  },
  get error() {
    return pageError;
  },
  get timings() {
    return machine?.timings ?? { imagesLoaded: null, bootStarted: null, emulatorStarted: null, initMarker: null, restored: null, firstFrame: null };
  },
  instantStart: { restored: null, saved: null, firstFrame: null },
  serialText: () => machine?.serialText() ?? "",
  sendSerial: (text) => machine?.sendSerial(text),
};

function fail(title: string, detail: string): void {
  if (pageError) return;
  pageError = `${title}: ${detail}`;
  status.set("Failed");
  downloadBar.hide();
  bootBar.hide();
  errorPanel.show(title, detail);
  console.error(`webvirgl: ${title}: ${detail}`);
}

function showError(error: unknown): void {
  const e = toMachineError(error);
  fail(e.title, e.detail);
}

async function start(): Promise<void> {
  let options;
  let displayChoice;
  try {
    options = readPageOptions();
    displayChoice = readDisplayChoice() ?? DEFAULT_DISPLAY;
  } catch (error) {
    fail("Bad page parameter", error instanceof Error ? error.message : String(error));
    return;
  }
  const terminal = new SerialTerminal(byId("terminal"), (data) => machine?.sendSerial(data));
  terminal.writeText(`\x1b[90mwebvirgl: downloading guest images from ${options.guestBaseUrl}\x1b[0m\r\n`);
  const screenPane = byId("screen-pane");
  const stats = new StatsOverlay(screenPane);
  const controls = new MachineControls({
    start: () => machine?.start().catch(showError),
    stop: () => machine?.stop().catch(showError),
    reset: () => machine?.reset().catch(showError),
  });

  downloadBar.show();
  machine = await createVirtualGpuMachine({
    container: byId("screen"),
    guestBaseUrl: options.guestBaseUrl,
    demo: options.demo,
    cmdline: options.extraCmdline,
    memoryMiB: options.memoryMiB ?? undefined,
    virgl: options.virgl,
    snapshot: options.snapshot ? "auto" : "off",
    onSerial: (byte) => terminal.writeByte(byte),
    onPhase: (phase, detail) => {
      status.set(detail);
      controls.update(phase);
      if (phase !== "downloading") downloadBar.hide();
      if (phase === "running" || phase === "failed" || phase === "stopped") bootBar.hide();
      if (phase === "stopped") terminal.writeText("\r\n\x1b[33mwebvirgl: the guest rebooted; v86 cannot restart a kernel booted directly, so the PC is stopped. Reset boots a new one.\x1b[0m\r\n");
    },
    onProgress: (p) => {
      if (p.stage === "download") {
        downloadBar.show();
        downloadBar.update(p.label, p.loaded, p.total);
      } else {
        bootBar.show();
        updateFraction(bootBar, `Boot: ${p.label}`, p.fraction ?? 0);
        if (p.fraction === 1) bootBar.hide();
      }
    },
    onStats: (s) => stats.update(s),
    onError: (e) => fail(e.title, e.detail),
  });
  const m = machine;
  m.on("restored", (r) => (handle.instantStart.restored = r));
  m.on("snapshotSaved", (s) => (handle.instantStart.saved = s));
  m.on("firstFrame", (f) => (handle.instantStart.firstFrame = f));
  new ScreenView(m.screen, byId("screen-switch"));

  const picker = new DemoPicker(m.demo.name, (demo) => void m.setDemo(demo).catch(showError));
  const serialToggle = new SerialToggle(byId("workspace"), byId("terminal-pane"), () => terminal.focus());
  const screenshot = new ScreenshotButton(() => m.screenshot(), (message) => fail("Screenshot failed", message));
  const fullscreen = new FullscreenButton(screenPane);
  byId("machine-controls").append(picker.element, controls.element, screenshot.element, fullscreen.element, serialToggle.element, stats.toggle);
  if (options.snapshot) byId("machine-controls").append(new SnapshotControl(m, (message) => fail("Snapshot", message)).element);
  controls.update(m.phase);

  m.on("boot", ({ count, cmdline }) => {
    // A new PC (Start after a failure, Reset, a demo pick): the old error no longer describes it.
    pageError = null;
    errorPanel.hide();
    if (count > 1) terminal.writeText(`\r\n\x1b[90m---- webvirgl: reboot #${count - 1} (${m.demo.name}) ----\x1b[0m\r\n`);
    terminal.writeText(`\x1b[90mwebvirgl: booting Linux: ${cmdline}\x1b[0m\r\n`);
    picker.set(m.demo.name);
  });

  // Per boot: keyboard/mouse capture and the display size control bind to that PC's v86 and device.
  let perBoot: { dispose(): void }[] = [];
  const bindBoot = () => {
    for (const d of perBoot) d.dispose();
    perBoot = [];
    const emulator = m.emulator;
    if (!emulator) return;
    const screenInput = new ScreenInput(byId("screen"), v86Ps2Sink(emulator.v86));
    const captureButton = new InputCaptureButton(screenInput);
    byId("toolbar-slot").append(captureButton.element);
    perBoot.push(screenInput, { dispose: () => captureButton.element.remove() });
    const gpu = m.gpu;
    if (gpu) {
      const display = new DisplaySizeControl(byId("screen"), (size) => gpu.setDisplaySize(0, size.width, size.height), displayChoice);
      byId("toolbar-slot").append(display.element);
      perBoot.push({ dispose: () => { display.dispose(); display.element.remove(); } });
    }
    terminal.focus();
  };
  m.on("started", bindBoot);
  if (m.emulator) bindBoot();
}

// Vite's dev server would reload the page (rebooting the guest) whenever any module in the page's
// graph changes, e.g. another engineer saving src/gpu. Accepting updates here stops that: the
// re-executed module sees the running machine and does nothing; new code runs after a reload.
if (import.meta.hot) {
  import.meta.hot.accept(() => console.info("webvirgl: code changed; reload the page to run it"));
}

if (window.webvirgl && window.webvirgl.phase !== "failed") {
  console.info("webvirgl: already running; not starting a second machine");
} else {
  installDebugHandle(handle);
  window.addEventListener("error", (event) => fail("Unexpected error", event.message));
  window.addEventListener("unhandledrejection", (event) => showError(event.reason));
  start().catch(showError);
}
