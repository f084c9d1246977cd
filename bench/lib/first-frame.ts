/**
 * Time from page navigation to the first frame of kmscube through virgl that the GPU worker
 * presented, with the milestones in between. Runs in the page: performance.now() counts from
 * navigation start, so "page load → first 3D frame" is the present's timestamp.
 *
 * A present counts as kmscube's first 3D frame when the counting VirglPort has seen at least one
 * DRAW_VBO before it (fbcon's 2D flushes also present frames; kmscube is the only GL client in
 * that boot). The machine's own `timings.firstFrame` (src/machine: first present after the demo's
 * first draw) is reported beside it. With instant start (src/machine/snapshot-*.ts) the probe also
 * records the machine's `restored` and `snapshotSaved` events.
 */
import type { MachineRestored, MachineSnapshotSaved } from "../../src/machine/machine.ts";
import { BOOT_TIMEOUT_MS, serialText, waitForGpuClient, type GuestPage } from "./guest-page.ts";
import { round } from "./harness.ts";

const PROGRESS_EVERY_MS = 30_000;
/** /init → demo start took 35-40 s under load 20; far beyond that the boot has stalled. */
const STALL_AFTER_INIT_S = 150;

export interface FirstFrameMilestones {
  /** "cold" or "snapshot" (MachineBootSource), null before the PC exists. */
  bootSource: string | null;
  /** All in seconds since navigation start; null when not reached. */
  imagesLoadedS: number | null;
  emulatorStartedS: number | null;
  initMarkerS: number | null;
  /** Snapshot restores: the restored CPU runs again. */
  restoredS: number | null;
  runBeginS: number | null;
  firstDrawSubmittedS: number | null;
  first3dFrameS: number | null;
  /** The machine's own first-frame timing (src/machine), for comparison. */
  machineFirstFrameS: number | null;
  /** Renderer stats when the first 3D frame was presented. */
  drawsAtFirstFrame: number | null;
  restore: { ms: number; readMs: number; bytes: number; point: string; replayMs: number | null; replayCalls: number | null; steps: Record<string, number> | null } | null;
  /** The snapshot at the shell prompt (first visit). */
  snapshotSaved: { bytes: number; pauseMs: number; writeMs: number; atS: number } | null;
  /** The snapshot with kmscube running (first visit, after its first frames). */
  snapshotSavedRunning: { bytes: number; pauseMs: number; writeMs: number; atS: number } | null;
  snapshotError: string | null;
}

interface Probe {
  runBegin: number | null;
  firstDraw: number | null;
  first3d: number | null;
  draws: number | null;
  restore: FirstFrameMilestones["restore"];
  saved: { bytes: number; pauseMs: number; writeMs: number; at: number } | null;
  savedRunning: { bytes: number; pauseMs: number; writeMs: number; at: number } | null;
  snapshotError: string | null;
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
    const probe: Probe = { runBegin: null, firstDraw: null, first3d: null, draws: null, restore: null, saved: null, savedRunning: null, snapshotError: null };
    window.benchFirstFrame = probe;
    const handle = window.webvirgl!;
    const machine = handle.machine!;
    machine.on("guest", (e) => {
      if (e.type === "run-begin" && e.name === "kmscube") probe.runBegin ??= performance.now();
    });
    machine.on("restored", (r: MachineRestored) => {
      const steps = r.steps ? Object.fromEntries(Object.entries(r.steps).map(([k, v]) => [k, Math.round(v)])) : null;
      probe.restore = { ms: r.ms, readMs: r.readMs, bytes: r.bytes, point: r.point, replayMs: r.replay?.ms ?? null, replayCalls: r.replay?.calls ?? null, steps };
    });
    machine.on("snapshotSaved", (info: MachineSnapshotSaved) => {
      const saved = { bytes: info.bytes, pauseMs: info.pauseMs, writeMs: info.writeMs, at: performance.now() };
      if (info.point === "shell") probe.saved = saved;
      else probe.savedRunning = saved;
    });
    machine.on("snapshotError", (e) => {
      probe.snapshotError = `${e.operation}: ${e.message}`;
    });
    const draws = () => handle.virgl?.counting.traffic.draws ?? 0;
    // Submits are counted on the page before they go to the worker: poll for the first draw.
    const poll = setInterval(() => {
      if (draws() > 0) {
        probe.firstDraw ??= performance.now();
        clearInterval(poll);
      }
    }, 20);
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
    const m = await readMilestones(gp);
    // The known virgl-mode boot stall (README "Known limits"): /init printed its marker but the
    // demo never starts. Give up early so the caller can record it and boot again.
    const nowS = (await gp.page.evaluate(() => performance.now())) / 1000;
    if (m.initMarkerS !== null && m.runBeginS === null && m.restoredS === null && nowS - m.initMarkerS > STALL_AFTER_INIT_S) {
      throw new Error(`boot stalled: /init at ${m.initMarkerS} s, no demo start ${Math.round(nowS - m.initMarkerS)} s later`);
    }
    if (progress) {
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
  const state = await gp.page.evaluate(() => ({
    timings: window.webvirgl!.timings,
    source: window.webvirgl!.machine?.bootSource ?? null,
    probe: window.benchFirstFrame ?? null,
  }));
  const s = (ms: number | null | undefined) => (ms == null ? null : round(ms / 1000, 2));
  const saved = state.probe?.saved ?? null;
  const running = state.probe?.savedRunning ?? null;
  return {
    bootSource: state.source,
    imagesLoadedS: s(state.timings.imagesLoaded),
    emulatorStartedS: s(state.timings.emulatorStarted),
    initMarkerS: s(state.timings.initMarker),
    restoredS: s(state.timings.restored),
    runBeginS: s(state.probe?.runBegin),
    firstDrawSubmittedS: s(state.probe?.firstDraw),
    first3dFrameS: s(state.probe?.first3d),
    machineFirstFrameS: s(state.timings.firstFrame),
    drawsAtFirstFrame: state.probe?.draws ?? null,
    restore: state.probe?.restore ?? null,
    snapshotSaved: saved && { bytes: saved.bytes, pauseMs: round(saved.pauseMs, 0), writeMs: round(saved.writeMs, 0), atS: round(saved.at / 1000, 2) },
    snapshotSavedRunning: running && { bytes: running.bytes, pauseMs: round(running.pauseMs, 0), writeMs: round(running.writeMs, 0), atS: round(running.at / 1000, 2) },
    snapshotError: state.probe?.snapshotError ?? null,
  };
}

/**
 * Waits until the machine reports the snapshot with kmscube running stored, or a save error (the
 * shell snapshot may still be there); true when some snapshot was stored, false on timeout.
 */
export async function waitForSnapshotSaved(gp: GuestPage, timeoutMs: number): Promise<boolean> {
  return gp.page
    .waitForFunction(() => window.benchFirstFrame?.savedRunning != null || window.benchFirstFrame?.snapshotError != null, null, { timeout: timeoutMs, polling: 250 })
    .then(
      () => gp.page.evaluate(() => window.benchFirstFrame?.saved != null),
      () => false,
    );
}
