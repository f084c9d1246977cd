/**
 * Boot to the first 3D frame: page navigation → the first kmscube frame rendered through virgl and
 * presented by the GPU worker, cold (images downloaded, Linux booted) and from a snapshot; then
 * page memory with kmscube running. Headless Chromium against a Vite server started here.
 *
 *   npx tsx bench/first-frame.ts [--runs N] [--settle S]
 *
 * Writes bench/results/first-frame.json. Targets (issue 7): cold < 10 s, from snapshot < 2 s.
 */
import { hasGuestImages, guestManifestPath } from "../src/emulator/node-images.ts";
import { installFirstFrameProbe, readMilestones, waitForFirstFrame, type FirstFrameMilestones } from "./lib/first-frame.ts";
import { openGuestPage, serialText, withPageErrors, type GuestPage } from "./lib/guest-page.ts";
import { cliOption, errorText, loadAverages, median, startBenchEnvironment, writeResults, type LoadAverages } from "./lib/harness.ts";
import { MEASURE_MEMORY_ARGS, measurePageMemory, measureProcessMemory, type PageMemory, type ProcessMemory } from "./lib/page-memory.ts";

const runs = Math.max(1, Number(cliOption("runs", "1")) || 1);
/** kmscube running time before the memory measurement. */
const settleS = Number(cliOption("settle", "15"));

interface ColdRun {
  ok: boolean;
  error: string | null;
  milestones: FirstFrameMilestones | null;
  /** Load averages when this run ended. */
  load: LoadAverages;
}

export interface FirstFrameResults {
  demo: "kmscube";
  display: string;
  cold: { runs: ColdRun[]; medianS: number | null; targetS: number };
  snapshot: { available: boolean; reason: string | null; runs: ColdRun[]; medianS: number | null; targetS: number };
  memory: (PageMemory & { processes: ProcessMemory | { error: string }; afterKmscubeS: number; load: LoadAverages }) | { error: string };
}

const DISPLAY = "1024x768";

async function main(): Promise<void> {
  if (!hasGuestImages()) {
    console.log(`first-frame benchmark skipped: ${guestManifestPath()} is missing: run \`bash guest/build.sh\``);
    return;
  }
  const env = await startBenchEnvironment(MEASURE_MEMORY_ARGS);
  const chromium = env.browser.version();
  const coldRuns: ColdRun[] = [];
  let memory: FirstFrameResults["memory"] = { error: "not measured" };
  try {
    for (let i = 0; i < runs; i++) {
      console.log(`cold boot ${i + 1}/${runs}: page load → first kmscube frame through virgl…`);
      let gp: GuestPage | null = null;
      try {
        gp = await openGuestPage(env.browser, env.url, { run: "kmscube", display: DISPLAY });
        await installFirstFrameProbe(gp);
        const milestones = await waitForFirstFrame(gp, undefined, (line) => console.log(line));
        coldRuns.push({ ok: true, error: null, milestones, load: loadAverages() });
        console.log(`  first 3D frame at ${milestones.first3dFrameS} s (Linux /init at ${milestones.initMarkerS} s, kmscube started at ${milestones.runBeginS} s)`);
        if (i === runs - 1) {
          // Memory in the steady state the page is built for: kmscube running through virgl.
          await gp.page.waitForTimeout(settleS * 1000);
          try {
            memory = { ...(await measurePageMemory(gp.page)), processes: await measureProcessMemory(env.browser), afterKmscubeS: settleS, load: loadAverages() };
          } catch (error) {
            memory = { error: errorText(error) };
          }
        }
      } catch (error) {
        // How far it got: the milestones reached and the guest's last serial line.
        const milestones = gp ? await readMilestones(gp).catch(() => null) : null;
        const lastLine = gp ? (await serialText(gp).catch(() => "")).trim().split(/\r?\n/).at(-1) ?? "" : "";
        const message = `${errorText(error)}${lastLine ? ` (serial: ${lastLine.slice(0, 120)})` : ""}`;
        coldRuns.push({ ok: false, error: withPageErrors(message, gp), milestones, load: loadAverages() });
        console.log(`  failed: ${coldRuns.at(-1)!.error}`);
      } finally {
        await gp?.close();
      }
    }
  } finally {
    await env.close();
  }
  const okTimes = coldRuns.flatMap((r) => (r.milestones?.first3dFrameS != null ? [r.milestones.first3dFrameS] : []));
  const results: FirstFrameResults = {
    demo: "kmscube",
    display: DISPLAY,
    cold: { runs: coldRuns, medianS: median(okTimes), targetS: 10 },
    snapshot: {
      available: false,
      reason: "snapshot restore is not in src/machine yet (issue 7 'Instant start')",
      runs: [],
      medianS: null,
      targetS: 2,
    },
    memory,
  };
  console.log(`\nboot to first 3D frame (kmscube through virgl, ${DISPLAY}); load ${env.loadBefore.join(" ")} → ${loadAverages().join(" ")}`);
  console.table(coldRuns.map((r, i) => ({
    run: `cold ${i + 1}`,
    "images s": r.milestones?.imagesLoadedS ?? "",
    "/init s": r.milestones?.initMarkerS ?? "",
    "kmscube start s": r.milestones?.runBeginS ?? "",
    "first draw s": r.milestones?.firstDrawSubmittedS ?? "",
    "first 3D frame s": r.milestones?.first3dFrameS ?? "",
    "load 1m": r.load[0],
    error: r.error ?? "",
  })));
  if ("error" in memory) console.log(`page memory: ${memory.error}`);
  else {
    console.log(`page memory: ${memory.totalMB ?? "n/a"} MB (${JSON.stringify(memory.byScopeMB)}); main-thread JS heap ${memory.mainJsHeapUsedMB} MB used${memory.uasmError ? `; ${memory.uasmError}` : ""}`);
    const procs = memory.processes;
    console.log("error" in procs ? `process memory: ${procs.error}` : `Chromium processes (PSS): ${procs.totalMB} MB ${JSON.stringify(procs.byTypeMB)}`);
  }
  const file = writeResults("first-frame", { loadBefore: env.loadBefore, chromium }, "navigation → first kmscube frame presented by the GPU worker after a DRAW_VBO (performance.now() in the page); memory via measureUserAgentSpecificMemory + CDP", results);
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
