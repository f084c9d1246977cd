/**
 * The combined benchmark table: reads the latest bench/results/*.json, prints one table with the
 * issue-7 targets beside the numbers (and the load average each was taken under), writes
 * bench/results/summary.json. `--markdown` also prints the table as Markdown (README.md).
 * scripts/bench.sh runs this last; it measures nothing itself.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resultsDir, round } from "./lib/harness.ts";

export interface SummaryRow {
  metric: string;
  value: string;
  target: string;
  /** "met", "missed", or "" (no target / no number). */
  verdict: "met" | "missed" | "";
  load1m: number | null;
  date: string | null;
  source: string;
}

type Json = Record<string, unknown>;

function read(name: string): Json | null {
  const file = join(resultsDir, `${name}.json`);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Json;
  } catch {
    return null;
  }
}

const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** The 1-min load at the start of a run, from either envelope (bench/lib/harness.ts or the older kmscube/boot ones). */
function load1m(result: Json): number | null {
  const host = obj(result.host);
  const before = host.loadBefore;
  if (Array.isArray(before)) return num(before[0]);
  return num(host.loadAverage1mBefore) ?? num(result.loadavg1m);
}

function row(metric: string, source: string, result: Json | null, value: number | null, unit: string, target?: { op: "<" | ">="; limit: number }, note?: string): SummaryRow {
  const shown = value === null ? (note ?? (result ? "failed" : "not run")) : `${round(value, 2)}${unit ? ` ${unit}` : ""}${note ? ` (${note})` : ""}`;
  let verdict: SummaryRow["verdict"] = "";
  if (target && value !== null) verdict = (target.op === "<" ? value < target.limit : value >= target.limit) ? "met" : "missed";
  return {
    metric,
    value: shown,
    target: target ? `${target.op} ${target.limit} ${unit}` : "",
    verdict,
    load1m: result ? load1m(result) : null,
    date: result ? str(result.date) : null,
    source,
  };
}

export function summaryRows(): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const ff = read("first-frame");
  const ffr = obj(ff?.results);
  const cold = obj(ffr.cold);
  const coldErrors = Array.isArray(cold.runs) ? cold.runs.map((r) => str(obj(r).error)).filter((e): e is string => e !== null) : [];
  const coldNote = num(cold.medianS) === null ? coldErrors[0] : coldErrors.length ? `${coldErrors.length} failed boot(s) not counted: ${coldErrors[0]!.slice(0, 80)}` : undefined;
  rows.push(row("boot to first 3D frame, cold (?snapshot=0)", "first-frame", ff, num(cold.medianS), "s", { op: "<", limit: 10 }, coldNote));
  const snap = obj(ffr.snapshot);
  const restoreRuns = Array.isArray(snap.runs) ? (snap.runs as Json[]) : [];
  const restore = obj(obj(restoreRuns.find((r) => r.ok === true)?.milestones).restore);
  const restoreNote = num(restore.ms) !== null ? `${restoreRuns.length} reloads; restore ${round(num(restore.ms)! / 1000, 2)} s of it, ${round((num(restore.bytes) ?? 0) / 1e6, 0)} MB state` : str(restoreRuns[0]?.error) ?? undefined;
  rows.push(
    snap.available === true
      ? row("boot to first 3D frame, from snapshot (reload)", "first-frame", ff, num(snap.medianS), "s", { op: "<", limit: 2 }, restoreNote)
      : { ...row("boot to first 3D frame, from snapshot (reload)", "first-frame", ff, null, "s", { op: "<", limit: 2 }, `not available: ${str(snap.reason) ?? "not measured"}`), load1m: null },
  );
  const first = obj(ffr.firstVisit);
  const firstMilestones = obj(first.milestones);
  const saved = obj(firstMilestones.snapshotSaved);
  if (ffr.firstVisit) {
    const note = num(saved.bytes) !== null ? `cold boot to the shell, ${round(num(saved.bytes)! / 1e6, 0)} MB snapshot saved` : str(first.error) ?? undefined;
    rows.push(row("first visit: first 3D frame (boot + snapshot save)", "first-frame", ff, num(firstMilestones.first3dFrameS), "s", undefined, note));
  }

  const km = read("kmscube");
  const kmResults = Array.isArray(km?.results) ? (km!.results as Json[]) : [];
  const path = (name: string) => kmResults.find((r) => r.path === name) ?? null;
  const virgl = path("virgl");
  const twoD = path("2d");
  rows.push(row("kmscube fps through virgl (1024x768, frames presented)", "kmscube", km, num(virgl?.fps), "fps", { op: ">=", limit: 30 }, virgl && !virgl.ok ? str(virgl.error) ?? undefined : undefined));
  rows.push(row("kmscube fps on the 2D path (softpipe in the guest)", "kmscube", km, num(twoD?.fps), "fps", undefined, twoD && !twoD.ok ? str(twoD.error) ?? undefined : undefined));
  rows.push(row("kmscube virgl / 2D ratio (same run)", "kmscube", km, num(km?.ratioVirglOver2d), "x", { op: ">=", limit: 20 }));

  const gm = read("glmark2");
  const gmr = obj(gm?.results);
  const scenes = Array.isArray(gmr.scenes) ? (gmr.scenes as Json[]) : [];
  const fps = scenes.map((s) => num(s.frameTimeMs)).filter((f): f is number => f !== null).map((ms) => round(1000 / ms, 1)).sort((a, b) => a - b);
  const meanFps = num(gmr.meanFps);
  const sceneNote = fps.length
    ? `${fps.length} scenes of ${num(gmr.durationS)} s: ${fps[0]}…${fps.at(-1)} fps${meanFps !== null ? `, mean ${meanFps}` : ""}`
    : str(gmr.error) ?? undefined;
  rows.push(row("glmark2-es2-drm score through virgl", "glmark2", gm, num(gmr.score), "", undefined, sceneNote));

  const rr = read("renderer-replay");
  const replays = Array.isArray(rr?.results) ? (rr!.results as Json[]) : [];
  for (const r of replays) {
    const name = (str(r.stream) ?? "?").replace(".vtstream.gz", "");
    const frames = obj(r.frames);
    const upload = obj(r.upload);
    const drawsPerSec = num(frames.drawsPerSec);
    if (r.frames !== null) rows.push(row(`renderer replay of recorded ${name}: draws/s`, "renderer-replay", rr, drawsPerSec === null ? null : Math.round(drawsPerSec), "draws/s", undefined, str(r.error) ?? (num(frames.framesPerSec) !== null ? `${round(num(frames.framesPerSec)!, 1)} frames/s incl. readback` : undefined)));
    const mbps = num(upload.MBps);
    if (mbps !== null) rows.push(row(`renderer replay of recorded ${name}: upload`, "renderer-replay", rr, round(mbps, 0), "MB/s", undefined, `${round((num(upload.uploadBytes) ?? 0) / Math.max(1, num(upload.loops) ?? 1) / 1024, 1)} KB of puts per pass`));
  }

  const memory = obj(ffr.memory);
  const byScope = obj(memory.byScopeMB);
  const scopeNote = Object.entries(byScope).map(([k, v]) => `${k || "unattributed"} ${v}`).join(", ");
  rows.push(row("page memory with kmscube running (measureUserAgentSpecificMemory)", "first-frame", ff, num(memory.totalMB), "MB", undefined, str(memory.error) ?? str(memory.uasmError) ?? (scopeNote || undefined)));
  const procs = obj(memory.processes);
  if (num(procs.totalMB) !== null) {
    const byType = Object.entries(obj(procs.byTypeMB)).map(([k, v]) => `${k} ${v}`).join(", ");
    rows.push(row("Chromium processes with kmscube running (PSS)", "first-frame", ff, num(procs.totalMB), "MB", undefined, byType));
  }
  if (num(memory.mainJsHeapUsedMB) !== null) rows.push(row("page main-thread JS heap (CDP Performance.getMetrics)", "first-frame", ff, num(memory.mainJsHeapUsedMB), "MB"));

  const boot = read("boot");
  const chromiumBoot = (Array.isArray(boot?.summary) ? (boot!.summary as Json[]) : []).find((s) => s.target === "chromium");
  const bootMs = num(chromiumBoot?.medianBootMs);
  rows.push(row("guest boot to /init in Chromium (sysinfo, no GPU work)", "boot", boot, bootMs === null ? null : round(bootMs / 1000, 1), "s"));
  return rows;
}

function markdown(rows: SummaryRow[]): string {
  const lines = ["| benchmark | result | target | load (1 min) | date |", "|---|---|---|---|---|"];
  for (const r of rows) {
    const target = r.target ? `${r.target}${r.verdict ? ` (${r.verdict})` : ""}` : "";
    lines.push(`| ${r.metric} | ${r.value} | ${target} | ${r.load1m ?? ""} | ${r.date?.slice(0, 16).replace("T", " ") ?? ""} |`);
  }
  return lines.join("\n");
}

const rows = summaryRows();
console.log("\n=== webvirgl benchmarks (latest bench/results/*.json) ===");
console.table(rows.map((r) => ({ benchmark: r.metric, result: r.value, target: r.target ? `${r.target}${r.verdict ? ` ${r.verdict}` : ""}` : "", "load 1m": r.load1m ?? "", date: r.date?.slice(0, 16) ?? "" })));
writeFileSync(join(resultsDir, "summary.json"), `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
console.log(`wrote ${join(resultsDir, "summary.json")}`);
if (process.argv.includes("--markdown")) console.log(`\n${markdown(rows)}`);
