/**
 * The page: check the browser, download the guest images with progress, boot them in v86 with the
 * VGA screen and a serial terminal, and expose `window.webvirgl` for tests.
 */
import v86WasmUrl from "v86/build/v86.wasm?url";
import { createEmulator, EmulatorError } from "../src/emulator/emulator.ts";
import { fetchGuestImages } from "../src/emulator/fetch-guest-images.ts";
import { ImageFetchError } from "../src/emulator/fetch-image.ts";
import { buildKernelCmdline, guestRunArg } from "../src/emulator/kernel-cmdline.ts";
import { SerialLog } from "../src/emulator/serial-port.ts";
import { findMissingFeatures } from "./browser-support.ts";
import { installDebugHandle, type PagePhase, type WebvirglDebugHandle } from "./debug-handle.ts";
import { createPageDevices } from "./machine-devices.ts";
import { readPageOptions } from "./page-options.ts";
import { ErrorPanel } from "./ui/error-panel.ts";
import { ProgressBar } from "./ui/progress-bar.ts";
import { SerialTerminal } from "./ui/serial-terminal.ts";
import { StatusLine } from "./ui/status-line.ts";
import { ScreenView } from "./ui/screen-view.ts";
import { DEFAULT_DISPLAY, DisplaySizeControl, readDisplayChoice } from "./ui/display-size.ts";
import { InputCaptureButton } from "./ui/input-capture-button.ts";
import { ScreenInput, v86Ps2Sink } from "./ui/screen-input.ts";

const MiB = 1024 * 1024;
const INIT_MARKER = "WEBVIRGL-INIT-START";

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id} element`);
  return element;
}

const status = new StatusLine(byId("status"));
const progress = new ProgressBar(byId("progress"));
const errorPanel = new ErrorPanel(byId("error"));
const serialLog = new SerialLog();

const handle: WebvirglDebugHandle = {
  emulator: null,
  gpu: null,
  gpuClient: null,
  virgl: null,
  manifest: null,
  phase: "checking",
  error: null,
  timings: { imagesLoaded: null, emulatorStarted: null, initMarker: null },
  serialText: () => serialLog.all(),
  sendSerial: (text) => handle.emulator?.serial.send(text),
};

function setPhase(phase: PagePhase, text: string): void {
  handle.phase = phase;
  status.set(text);
}

function fail(title: string, detail: string): void {
  if (handle.phase === "failed") return;
  handle.error = `${title}: ${detail}`;
  setPhase("failed", "Failed");
  progress.hide();
  errorPanel.show(title, detail);
  console.error(`webvirgl: ${title}: ${detail}`);
}

function explain(error: unknown): [string, string] {
  if (error instanceof ImageFetchError) {
    const hint =
      error.status === 404 || /not found/.test(error.message) ? "\nThe guest images are built into public/guest/ by `bash guest/build.sh`." : "";
    return ["Could not download a guest image", `${error.url}: ${error.message.replace(/^could not download \S+: /, "")}${hint}`];
  }
  if (error instanceof EmulatorError) return ["The emulator could not start", error.message];
  return ["Unexpected error", error instanceof Error ? error.message : String(error)];
}

async function start(): Promise<void> {
  const options = readPageOptions();
  const displayChoice = readDisplayChoice() ?? DEFAULT_DISPLAY;
  const missing = findMissingFeatures();
  if (missing.length > 0) {
    fail(
      `This browser cannot run webvirgl: missing ${missing.map((m) => m.name).join(", ")}`,
      missing.map((m) => `• ${m.name}: ${m.why}`).join("\n"),
    );
    return;
  }

  const screen = new ScreenView(byId("screen"), byId("screen-switch"));
  const terminal = new SerialTerminal(byId("terminal"), (data) => handle.emulator?.serial.send(data));
  terminal.writeText(`\x1b[90mwebvirgl: downloading guest images from ${options.guestBaseUrl}\x1b[0m\r\n`);

  // The GPU worker (WebGL2 set-up) starts while the images download.
  setPhase("downloading", "Downloading guest images…");
  progress.show();
  const devicesReady = createPageDevices(screen.gpuCanvas, { virgl: options.virgl }).catch((error: unknown) => {
    const detail = error instanceof Error ? error.message : String(error);
    throw new EmulatorError(`the GPU worker could not start: ${detail}`, { cause: error });
  });
  // Settled later; without this, a failure while downloads are still running would be "unhandled".
  devicesReady.catch(() => {});
  const images = await fetchGuestImages(options.guestBaseUrl, (p) => progress.update(p.file, p.loaded, p.total));
  handle.manifest = images.manifest;
  handle.timings.imagesLoaded = performance.now();
  progress.hide();

  const devices = await devicesReady;
  handle.gpuClient = devices.gpuClient;
  handle.virgl = devices.virgl;
  devices.gpuClient.onScanoutChanged((active) => screen.setGpuScanoutActive(active));
  devices.gpuClient.onError((e) => console.warn(`webvirgl: GPU worker: ${e.context}: ${e.message}`));

  setPhase("starting", "Starting the emulator…");
  // Without VIRGL the guest's Mesa must take the software path (kms_swrast/softpipe into dumb buffers).
  const glArg = devices.virgl ? "" : "webvirgl.gl=softpipe";
  const cmdline = buildKernelCmdline([guestRunArg(options.run), glArg, options.extraCmdline]);
  terminal.writeText(`\x1b[90mwebvirgl: booting Linux: ${cmdline}\x1b[0m\r\n`);
  let lineStart = 0;
  const memorySize =
    (options.memoryMiB ?? Math.max(256, 2 ** Math.ceil(Math.log2(64 + images.initrd.byteLength / MiB)))) * MiB;
  const emulator = await createEmulator({
    wasm: v86WasmUrl,
    bios: images.bios,
    vgaBios: images.vgaBios,
    bzimage: images.bzimage,
    initrd: images.initrd,
    cmdline,
    memorySize,
    screenContainer: screen.vga.container,
    devices: devices.factories,
    onSerialByte: (byte) => {
      serialLog.push(byte);
      terminal.writeByte(byte);
      if (byte === 0x0a && handle.timings.initMarker === null) {
        const text = serialLog.all();
        if (text.slice(lineStart).includes(INIT_MARKER)) {
          handle.timings.initMarker = performance.now();
          const seconds = (handle.timings.initMarker - (handle.timings.emulatorStarted ?? 0)) / 1000;
          setPhase("running", `Guest running (/init after ${seconds.toFixed(1)} s)`);
        }
        lineStart = text.length;
      }
    },
  });
  handle.emulator = emulator;
  handle.gpu = devices.gpu();
  // Keyboard and mouse on the screen pane go to the guest's PS/2 devices while it has the input.
  const screenInput = new ScreenInput(byId("screen"), v86Ps2Sink(emulator.v86));
  byId("toolbar-slot").append(new InputCaptureButton(screenInput).element);
  const gpu = handle.gpu;
  if (gpu) {
    const display = new DisplaySizeControl(byId("screen"), (size) => gpu.setDisplaySize(0, size.width, size.height), displayChoice);
    byId("toolbar-slot").append(display.element);
  }
  emulator.onReboot(() => {
    setPhase("stopped", "The guest rebooted: the PC is stopped (reload the page to boot again)");
    terminal.writeText("\r\n\x1b[33mwebvirgl: the guest rebooted. v86 cannot restart a kernel booted directly, so the PC is stopped; reload the page to boot again.\x1b[0m\r\n");
  });
  handle.timings.emulatorStarted = emulator.startedAt;
  if (handle.phase === "starting") setPhase("booting", "Booting Linux…");
  terminal.focus();
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
  window.addEventListener("unhandledrejection", (event) => fail(...explain(event.reason)));
  start().catch((error: unknown) => fail(...explain(error)));
}
