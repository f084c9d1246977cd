/**
 * Time from page navigation to the first frame of kmscube through virgl that the GPU worker
 * presented, with the milestones in between. Runs in the page: performance.now() counts from
 * navigation start, so "page load → first 3D frame" is the present's timestamp.
 *
 * A present counts as kmscube's first 3D frame when it arrives after /init's
 * "WEBVIRGL-RUN-BEGIN kmscube" and after the counting VirglPort saw at least one DRAW_VBO (fbcon's
 * 2D flushes also present frames, and kmscube is the only GL client in that boot).
 */
import { BOOT_TIMEOUT_MS, waitForGpuClient, type GuestPage } from "./guest-page.ts";
import { round } from "./harness.ts";

export interface FirstFrameMilestones {
  /** All in seconds since navigation start; null when not reached. */
  imagesLoadedS: number | null;
  emulatorStartedS: number | null;
  initMarkerS: number | null;
  runBeginS: number | null;
  firstDrawSubmittedS: number | null;
  first3dFrameS: number | null;
  /** Renderer stats when the first 3D frame was presented. */
  drawsAtFirstFrame: number | null;
}

interface Probe {
  runBegin: number | null;
  firstDraw: number | null;
  first3d: number | null;
  draws: number | null;
}

declare global {
  interface Window {
    benchFirstFrame?: Probe;
  }
}

/** Installs the present/serial probes as soon as the GPU client exists (long before the guest draws). */
export async function installFirstFrameProbe(gp: GuestPage): Promise<void> {
  await waitForGpuClient(gp);
  await gp.page.evaluate(() => {
    const probe: Probe = { runBegin: null, firstDraw: null, first3d: null, draws: null };
    window.benchFirstFrame = probe;
    const handle = window.webvirgl!;
    handle.machine!.on("guest", (e) => {
      if (e.type === "run-begin" && e.name === "kmscube") probe.runBegin ??= performance.now();
    });
    const draws = () => handle.virgl?.counting.traffic.draws ?? 0;
    // Submits are counted on the page before they go to the worker: poll for the first draw.
    const poll = setInterval(() => {
      if (draws() > 0) {
        probe.firstDraw ??= performance.now();
        clearInterval(poll);
      }
    }, 5);
    handle.gpuClient!.onPresented(() => {
      if (probe.first3d !== null || probe.runBegin === null || draws() === 0) return;
      probe.first3d = performance.now();
      probe.draws = draws();
    });
  });
}

/** Waits for the probe's first 3D frame (or the page failing) and returns the milestones. */
export async function waitForFirstFrame(gp: GuestPage, timeoutMs = BOOT_TIMEOUT_MS): Promise<FirstFrameMilestones> {
  await gp.page.waitForFunction(() => window.benchFirstFrame?.first3d != null || window.webvirgl?.phase === "failed", null, {
    timeout: timeoutMs,
    polling: 250,
  });
  const state = await gp.page.evaluate(() => ({ error: window.webvirgl!.error, timings: window.webvirgl!.timings, probe: window.benchFirstFrame! }));
  if (state.error) throw new Error(`the page failed: ${state.error}`);
  const s = (ms: number | null) => (ms === null ? null : round(ms / 1000, 2));
  return {
    imagesLoadedS: s(state.timings.imagesLoaded),
    emulatorStartedS: s(state.timings.emulatorStarted),
    initMarkerS: s(state.timings.initMarker),
    runBeginS: s(state.probe.runBegin),
    firstDrawSubmittedS: s(state.probe.firstDraw),
    first3dFrameS: s(state.probe.first3d),
    drawsAtFirstFrame: state.probe.draws,
  };
}
