/**
 * glmark2-es2-drm in the guest through virgl: its score and per-scene fps, parsed from its output
 * on the serial console. Headless Chromium, the webvirgl page with `?run=glmark2` and the scene
 * list on the kernel command line (how e2e/virgl-guest.spec.ts runs it).
 *
 *   npx tsx bench/glmark2.ts [--duration S] [--full]
 *
 * Default: 18 scenes covering glmark2's default set (one option each), `duration=S` (4) each;
 * --full runs glmark2's own default benchmark list (~35 scenes of 10 s: many minutes here). The
 * score is glmark2's (mean fps of the scenes it ran), so it compares only with runs of the same list.
 * Writes bench/results/glmark2.json.
 */
import { hasGuestImages, guestManifestPath } from "../src/emulator/node-images.ts";
import { BOOT_TIMEOUT_MS, openGuestPage, serialText, waitForSerial, withPageErrors, type GuestPage } from "./lib/guest-page.ts";
import { parseGlmark2, type Glmark2Scene } from "./lib/glmark2-output.ts";
import { cliOption, errorText, loadAverages, round, startBenchEnvironment, writeResults, type LoadAverages } from "./lib/harness.ts";

const args = process.argv.slice(2);
const durationS = Number(cliOption("duration", "4"));
const full = args.includes("--full");

/** The scenes of e2e/virgl-guest.spec.ts: every scene family of glmark2's default list. */
const SCENES = [
  "build:use-vbo=false", "build:use-vbo=true", "texture:texture-filter=linear", "shading:shading=gouraud", "shading:shading=phong",
  "bump:bump-render=normals", "effect2d:kernel=0,1,0;1,-4,1;0,1,0;", "pulsar", "desktop", "buffer", "ideas", "jellyfish", "terrain",
  "shadow", "refract", "conditionals", "function", "loop",
];

export interface Glmark2Results {
  ok: boolean;
  error: string | null;
  sceneList: string;
  durationS: number | null;
  /** glmark2's score: the mean of its integer per-scene fps (0 when every scene is under 1 fps). */
  score: number | null;
  /** The same mean from the frame times (1000 / FrameTime), which keeps the fractions. */
  meanFps: number | null;
  scenes: Glmark2Scene[];
  glRenderer: string | null;
  /** Page load → glmark2's end marker, s. */
  wallS: number | null;
  /** Renderer errors the virgl module counted (module.stats). */
  virglModuleStats: unknown;
  load: LoadAverages;
}

async function main(): Promise<void> {
  if (!hasGuestImages()) {
    console.log(`glmark2 benchmark skipped: ${guestManifestPath()} is missing: run \`bash guest/build.sh\``);
    return;
  }
  const sceneArgs = full ? "" : SCENES.map((s) => `-b ${s}:duration=${durationS}`).join(" ");
  const env = await startBenchEnvironment();
  const chromium = env.browser.version();
  const result: Glmark2Results = {
    ok: false, error: null, sceneList: full ? "glmark2 default" : `${SCENES.length} scenes (e2e list)`, durationS: full ? 10 : durationS,
    score: null, meanFps: null, scenes: [], glRenderer: null, wallS: null, virglModuleStats: null, load: loadAverages(),
  };
  let gp: GuestPage | null = null;
  try {
    const params: Record<string, string> = { run: "glmark2", display: "1024x768" };
    if (sceneArgs) params.cmdline = `webvirgl.args="${sceneArgs}"`;
    const t0 = Date.now();
    gp = await openGuestPage(env.browser, env.url, params);
    await waitForSerial(gp, "WEBVIRGL-RUN-BEGIN glmark2");
    console.log(`glmark2 started after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Progress while it runs: a scene line every few seconds of guest time.
    let shown = 0;
    const deadline = Date.now() + BOOT_TIMEOUT_MS + 1_800_000;
    for (;;) {
      const text = await serialText(gp);
      const { scenes } = parseGlmark2(text);
      for (const s of scenes.slice(shown)) console.log(`  [${s.scene}] ${s.options}: ${s.fps ?? s.status} fps`);
      shown = scenes.length;
      if (/WEBVIRGL-RUN-END glmark2/.test(text)) break;
      const failed = await gp.page.evaluate(() => window.webvirgl?.error ?? null);
      if (failed) throw new Error(`the page failed: ${failed}`);
      if (Date.now() > deadline) throw new Error(`glmark2 did not finish (${scenes.length} scene lines so far)`);
      await gp.page.waitForTimeout(5000);
    }
    result.wallS = round((Date.now() - t0) / 1000, 1);
    const text = await serialText(gp);
    Object.assign(result, parseGlmark2(text));
    result.virglModuleStats = await gp.page.evaluate(() => window.webvirgl?.virgl?.module.stats ?? null);
    result.ok = result.score !== null;
    if (!result.ok) result.error = `no "glmark2 Score" line (${/WEBVIRGL-RUN-END glmark2 status=\d+/.exec(text)?.[0] ?? "no end marker"})`;
  } catch (error) {
    result.error = withPageErrors(errorText(error), gp);
    // Scenes done before the failure are still numbers.
    if (gp) Object.assign(result, parseGlmark2(await serialText(gp).catch(() => "")));
  } finally {
    await gp?.close();
    await env.close();
  }
  result.load = loadAverages();
  const frameTimes = result.scenes.flatMap((sc) => (sc.frameTimeMs ? [sc.frameTimeMs] : []));
  result.meanFps = frameTimes.length ? round(frameTimes.reduce((sum, ms) => sum + 1000 / ms, 0) / frameTimes.length, 2) : null;
  console.log(`\nglmark2-es2-drm through virgl (${result.sceneList}, ${result.durationS} s each), ${result.glRenderer ?? "renderer ?"}; load ${env.loadBefore.join(" ")} → ${result.load.join(" ")}`);
  console.table(result.scenes.map((s) => ({
    scene: s.scene,
    options: s.options.slice(0, 40),
    fps: s.fps ?? "",
    "fps (frame time)": s.frameTimeMs ? round(1000 / s.frameTimeMs, 2) : "",
    "frame ms": s.frameTimeMs ?? "",
    status: s.status ?? "",
  })));
  console.log(`glmark2 Score: ${result.score ?? "n/a"}; mean fps from frame times ${result.meanFps ?? "n/a"}${result.error ? ` (error: ${result.error})` : ""}`);
  const file = writeResults("glmark2", { loadBefore: env.loadBefore, chromium }, "glmark2-es2-drm in the guest through virgl; its serial output parsed", result);
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
