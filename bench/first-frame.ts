/**
 * Boot to the first 3D frame: page navigation → the first kmscube frame rendered through virgl and
 * presented by the GPU worker (bench/lib/first-frame.ts), in headless Chromium against a Vite
 * server started here:
 *   cold       `?snapshot=0`: images downloaded, Linux booted, kmscube started by /init
 *   first visit  the default page in a fresh browser profile: cold boot into the guest shell, a
 *              snapshot saved to IndexedDB, kmscube typed in and, after its first frames, saved
 *              again running (src/machine instant start)
 *   snapshot   the page loaded again in that profile: the running-kmscube snapshot restored (its
 *              virgl call log replayed into the GPU worker), nothing typed
 * then page memory with kmscube running (after the cold run).
 *
 *   npx tsx bench/first-frame.ts [--runs N] [--restores N] [--settle S]
 *
 * Writes bench/results/first-frame.json. Targets (issue 7): cold < 10 s, from snapshot < 2 s.
 */
import { hasGuestImages, guestManifestPath } from "../src/emulator/node-images.ts";
import { installFirstFrameProbe, readMilestones, waitForFirstFrame, waitForSnapshotSaved, type FirstFrameMilestones } from "./lib/first-frame.ts";
import { newGuestContext, openGuestPage, serialText, withPageErrors, type GuestPage } from "./lib/guest-page.ts";
import { cliOption, errorText, loadAverages, median, startBenchEnvironment, writeResults, type BenchEnvironment, type LoadAverages } from "./lib/harness.ts";
import { MEASURE_MEMORY_ARGS, measurePageMemory, measureProcessMemory, type PageMemory, type ProcessMemory } from "./lib/page-memory.ts";
import type { BrowserContext } from "@playwright/test";

const runs = Math.max(1, Number(cliOption("runs", "1")) || 1);
const restores = Math.max(0, Number(cliOption("restores", "2")));
/** kmscube running time before the memory measurement. */
const settleS = Number(cliOption("settle", "15"));
const SNAPSHOT_SAVE_TIMEOUT_MS = 240_000;
const SETTLE_AFTER_SAVE_MS = 10_000;

interface VisitRun {
  kind: "cold" | "first-visit" | "snapshot";
  ok: boolean;
  error: string | null;
  milestones: FirstFrameMilestones | null;
  /** Load averages when this run ended. */
  load: LoadAverages;
}

type Memory = (PageMemory & { processes: ProcessMemory | { error: string }; afterKmscubeS: number; load: LoadAverages }) | { error: string };

export interface FirstFrameResults {
  demo: "kmscube";
  display: string;
  cold: { runs: VisitRun[]; medianS: number | null; targetS: number };
  firstVisit: VisitRun | null;
  snapshot: { available: boolean; reason: string | null; runs: VisitRun[]; medianS: number | null; targetS: number };
  memory: Memory;
}

const DISPLAY = "1024x768";
const BASE_PARAMS = { run: "kmscube", display: DISPLAY };

/**
 * One page load to the first 3D frame. `keepOpen` runs while the page is still up (memory, waiting
 * for the snapshot write). Failures are recorded with how far the boot got.
 */
async function visit(
  env: BenchEnvironment,
  kind: VisitRun["kind"],
  params: Record<string, string>,
  context?: BrowserContext,
  keepOpen?: (gp: GuestPage) => Promise<void>,
): Promise<VisitRun> {
  let gp: GuestPage | null = null;
  try {
    gp = await openGuestPage(env.browser, env.url, params, context);
    // Snapshot failures are warnings (the machine carries on): show them, they explain a cold boot.
    gp.page.on("console", (m) => {
      if (m.type() === "warning" && /snapshot/.test(m.text())) console.log(`  page: ${m.text().slice(0, 300)}`);
    });
    await installFirstFrameProbe(gp);
    const milestones = await waitForFirstFrame(gp, undefined, (line) => console.log(line));
    console.log(`  first 3D frame at ${milestones.first3dFrameS} s (boot source ${milestones.bootSource}; /init or restore at ${milestones.initMarkerS} s; machine says ${milestones.machineFirstFrameS} s)`);
    if (milestones.restore?.steps) console.log(`  restore steps (ms since the boot started): ${JSON.stringify(milestones.restore.steps)}, replay ${Math.round(milestones.restore.replayMs ?? 0)} ms`);
    await keepOpen?.(gp);
    // Read again: keepOpen may have waited for the snapshot write.
    return { kind, ok: true, error: null, milestones: await readMilestones(gp), load: loadAverages() };
  } catch (error) {
    const milestones = gp ? await readMilestones(gp).catch(() => null) : null;
    const lastLine = gp ? (await serialText(gp).catch(() => "")).trim().split(/\r?\n/).at(-1) ?? "" : "";
    const message = `${errorText(error)}${lastLine ? ` (serial: ${lastLine.slice(0, 120)})` : ""}`;
    console.log(`  failed: ${message}`);
    return { kind, ok: false, error: withPageErrors(message, gp), milestones, load: loadAverages() };
  } finally {
    await gp?.close();
  }
}

const frameTimes = (runs: VisitRun[]) => runs.flatMap((r) => (r.ok && r.milestones?.first3dFrameS != null ? [r.milestones.first3dFrameS] : []));

async function main(): Promise<void> {
  if (!hasGuestImages()) {
    console.log(`first-frame benchmark skipped: ${guestManifestPath()} is missing: run \`bash guest/build.sh\``);
    return;
  }
  const env = await startBenchEnvironment(MEASURE_MEMORY_ARGS);
  const chromium = env.browser.version();
  const coldRuns: VisitRun[] = [];
  const restoreRuns: VisitRun[] = [];
  let firstVisit: VisitRun | null = null;
  let snapshotReason: string | null = null;
  let memory = { error: "not measured" } as Memory;
  try {
    for (let i = 0; i < runs; i++) {
      console.log(`cold boot ${i + 1}/${runs} (?snapshot=0): page load → first kmscube frame through virgl…`);
      const measureMemory = async (gp: GuestPage) => {
        // Memory in the steady state the page is built for: kmscube running through virgl.
        await gp.page.waitForTimeout(settleS * 1000);
        try {
          memory = { ...(await measurePageMemory(gp.page)), processes: await measureProcessMemory(env.browser), afterKmscubeS: settleS, load: loadAverages() };
        } catch (error) {
          memory = { error: errorText(error) };
        }
      };
      let run = await visit(env, "cold", { ...BASE_PARAMS, snapshot: "0" }, undefined, i === runs - 1 ? measureMemory : undefined);
      if (!run.ok) {
        // Recorded, then one more boot: a stalled boot says nothing about boot time.
        coldRuns.push(run);
        console.log("  booting once more");
        run = await visit(env, "cold", { ...BASE_PARAMS, snapshot: "0" }, undefined, i === runs - 1 ? measureMemory : undefined);
      }
      coldRuns.push(run);
    }

    if (restores > 0) {
      // A fresh profile: no snapshot stored yet. The first visit stores one; reloads restore it.
      const context = await newGuestContext(env.browser);
      try {
        console.log("first visit (fresh profile): cold boot to the shell, snapshot saved, kmscube…");
        const waitForSave = async (gp: GuestPage) => {
          if (!(await waitForSnapshotSaved(gp, SNAPSHOT_SAVE_TIMEOUT_MS))) {
            const m = await readMilestones(gp);
            throw new Error(`no snapshot saved within ${SNAPSHOT_SAVE_TIMEOUT_MS / 1000} s${m.snapshotError ? `: ${m.snapshotError}` : ""}`);
          }
          // A page closed within seconds of its IndexedDB write (resolved on commit) can lose the
          // state Blob in this in-memory (incognito) profile: the next read fails with
          // NotReadableError. A visitor stays longer than that; so does the benchmark.
          await gp.page.waitForTimeout(SETTLE_AFTER_SAVE_MS);
        };
        firstVisit = await visit(env, "first-visit", BASE_PARAMS, context, waitForSave);
        if (!firstVisit.ok && !firstVisit.milestones?.snapshotSaved) {
          console.log("  visiting once more");
          firstVisit = await visit(env, "first-visit", BASE_PARAMS, context, waitForSave);
        }
        const saved = firstVisit.milestones?.snapshotSaved;
        if (saved) {
          console.log(`  snapshot saved: ${(saved.bytes / 1e6).toFixed(1)} MB, CPU paused ${saved.pauseMs} ms, written in ${saved.writeMs} ms`);
          const running = firstVisit.milestones?.snapshotSavedRunning;
          console.log(running ? `  snapshot with kmscube running saved at ${running.atS} s: ${(running.bytes / 1e6).toFixed(1)} MB, CPU paused ${running.pauseMs} ms, written in ${running.writeMs} ms` : `  no snapshot with kmscube running: ${firstVisit.milestones?.snapshotError ?? "?"}`);
          for (let i = 0; i < restores; i++) {
            console.log(`reload ${i + 1}/${restores}: snapshot restore → first kmscube frame…`);
            const run = await visit(env, "snapshot", BASE_PARAMS, context);
            if (run.ok && run.milestones?.bootSource !== "snapshot") {
              run.ok = false;
              run.error = `the page booted ${run.milestones?.bootSource ?? "?"}, not from the snapshot`;
            }
            restoreRuns.push(run);
          }
        } else {
          snapshotReason = `the first visit stored no snapshot: ${firstVisit.error ?? "unknown"}`;
        }
      } finally {
        await context.close();
      }
    } else {
      snapshotReason = "skipped (--restores 0)";
    }
  } finally {
    await env.close();
  }

  const results: FirstFrameResults = {
    demo: "kmscube",
    display: DISPLAY,
    cold: { runs: coldRuns, medianS: median(frameTimes(coldRuns)), targetS: 10 },
    firstVisit,
    snapshot: { available: snapshotReason === null, reason: snapshotReason, runs: restoreRuns, medianS: median(frameTimes(restoreRuns)), targetS: 2 },
    memory,
  };
  console.log(`\nboot to first 3D frame (kmscube through virgl, ${DISPLAY}), seconds since navigation; load ${env.loadBefore.join(" ")} → ${loadAverages().join(" ")}`);
  const all = [...coldRuns, ...(firstVisit ? [firstVisit] : []), ...restoreRuns];
  console.table(all.map((r) => ({
    run: r.kind,
    "images": r.milestones?.imagesLoadedS ?? "",
    "/init or restored": r.milestones?.restoredS ?? r.milestones?.initMarkerS ?? "",
    "restored at": r.milestones?.restore?.point ?? "",
    "first draw": r.milestones?.firstDrawSubmittedS ?? "",
    "first 3D frame": r.milestones?.first3dFrameS ?? "",
    "machine firstFrame": r.milestones?.machineFirstFrameS ?? "",
    "load 1m": r.load[0],
    error: r.error ?? "",
  })));
  if ("error" in memory) console.log(`page memory: ${memory.error}`);
  else {
    console.log(`page memory: ${memory.totalMB ?? "n/a"} MB (${JSON.stringify(memory.byScopeMB)}); main-thread JS heap ${memory.mainJsHeapUsedMB} MB used${memory.uasmError ? `; ${memory.uasmError}` : ""}`);
    const procs = memory.processes;
    console.log("error" in procs ? `process memory: ${procs.error}` : `Chromium processes (PSS): ${procs.totalMB} MB ${JSON.stringify(procs.byTypeMB)}`);
  }
  const file = writeResults(
    "first-frame",
    { loadBefore: env.loadBefore, chromium },
    "navigation → first kmscube frame presented by the GPU worker after a DRAW_VBO (performance.now() in the page); cold = ?snapshot=0, snapshot = reload in the profile the first visit saved to; memory via measureUserAgentSpecificMemory + CDP + /proc PSS",
    results,
  );
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
