/**
 * Time from page navigation to the first frame of kmscube through virgl that the GPU worker
 * presented, with the milestones in between. Runs in the page: performance.now() counts from
 * navigation start, so "page load → first 3D frame" is the present's timestamp.
 *
 * A present counts as kmscube's first 3D frame when the counting VirglPort has seen at least one
 * DRAW_VBO before it (fbcon's 2D flushes also present frames; kmscube is the only GL client in
 * that boot).
 */
import { BOOT_TIMEOUT_MS, serialText, waitForGpuClient, type GuestPage } from "./guest-page.ts";

const PROGRESS_EVERY_MS = 30_000;
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
      if (probe.first3d !== null || draws() === 0) return;
      probe.first3d = performance.now();
      probe.draws = draws();
    });
  });
}

/** Waits for the probe's first 3D frame (or the page failing) and returns the milestones. */
export async function waitForFirstFrame(gp: GuestPage, timeoutMs = BOOT_TIMEOUT_MS, progress?: (line: string) => void): Promise<FirstFrameMilestones> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await gp.page
      .waitForFunction(() => window.benchFirstFrame?.first3d != null || window.webvirgl?.phase === "failed", null, {
        timeout: Math.max(1, Math.min(PROGRESS_EVERY_MS, deadline - Date.now())),
        polling: 250,
      })
      .then(() => true, (error: unknown) => {
        if (Date.now() >= deadline) throw error;
        return false;
      });
    if (done) break;
    if (progress) {
      const m = await readMilestones(gp);
      const last = (await serialText(gp)).trim().split(/\r?\n/).at(-1) ?? "";
      progress(`  … ${Math.round((Date.now() - deadline + timeoutMs) / 1000)} s: /init ${m.initMarkerS ?? "-"} s, kmscube ${m.runBeginS ?? "-"} s; serial: ${last.slice(0, 80)}`);
    }
  }
  const error = await gp.page.evaluate(() => window.webvirgl!.error);
  if (error) throw new Error(`the page failed: ${error}`);
  return readMilestones(gp);
}

/** The milestones reached so far (also after a timeout: how far the boot got). */
export async function readMilestones(gp: GuestPage): Promise<FirstFrameMilestones> {
  const state = await gp.page.evaluate(() => ({ timings: window.webvirgl!.timings, probe: window.benchFirstFrame ?? null }));
  const s = (ms: number | null | undefined) => (ms == null ? null : round(ms / 1000, 2));
  return {
    imagesLoadedS: s(state.timings.imagesLoaded),
    emulatorStartedS: s(state.timings.emulatorStarted),
    initMarkerS: s(state.timings.initMarker),
    runBeginS: s(state.probe?.runBegin),
    firstDrawSubmittedS: s(state.probe?.firstDraw),
    first3dFrameS: s(state.probe?.first3d),
    drawsAtFirstFrame: state.probe?.draws ?? null,
  };
}
