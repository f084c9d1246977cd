/**
 * Where a kmscube frame's time goes: boots the page with `?run=kmscube` (virgl unless
 * `--params virgl=0`), waits for frames, then for `--seconds` records
 *  - V8 CPU profiles of the page main thread (v86, device, GpuClient) and the GPU worker
 *    (renderer, presenter), via CDP (the worker through Target.setAutoAttach, non-flat sessions),
 *  - CPU time of this browser's GPU process (SwiftShader) per presented frame from /proc,
 * and prints self/inclusive time tables. `--trace` adds a 3 s Chromium trace (/tmp/kmscube-trace.json)
 * whose per-thread event totals show where the worker blocks (e.g. the canvas push's ReadPixels).
 *
 *   npx tsx scripts/profile-kmscube.ts [--seconds 10] [--warmup 8] [--params virgl=0] [--trace]
 *
 * Profiles are written to /tmp/kmscube-{page,worker}.cpuprofile (open in Chrome DevTools).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import type { CDPSession } from "@playwright/test";
import { cliOption as option, startBenchEnvironment } from "../bench/lib/harness.ts";

const args = process.argv.slice(2);
const seconds = Number(option("seconds", "10"));
const warmup = Number(option("warmup", "8"));
const extraParams = new URLSearchParams(option("params", ""));
const trace = args.includes("--trace");

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const where = (f: ProfileNode["callFrame"]): string =>
  `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(src|node_modules)\//, "$1/").replace(/\?.*$/, "")}:${f.lineNumber + 1}`;

/** Self time per function and inclusive time per function (each counted once per sample). */
function summarize(name: string, p: Profile): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(p.samples[i]!)!;
    self.set(where(leaf.callFrame), (self.get(where(leaf.callFrame)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const k = where(byId.get(id)!.callFrame);
      if (!seen.has(k)) incl.set(k, (incl.get(k) ?? 0) + ms);
      seen.add(k);
    }
  }
  const total = (p.endTime - p.startTime) / 1000;
  const table = (m: Map<string, number>, n: number): string =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join("\n");
  return `== ${name}: ${total.toFixed(0)} ms profiled\n-- self\n${table(self, 30)}\n-- inclusive\n${table(incl, 40)}\n`;
}

/** pid → CPU ms (user + system) from /proc (Linux, 100 Hz ticks). */
const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};

/** This process's descendant with `--type=<type>` in its command line. */
function childProcess(type: string): number | null {
  const rows = execSync("ps -eo pid,ppid,args").toString().split("\n").map((l) => l.trim().split(/\s+/)).filter((f) => f.length > 2);
  const procs = rows.map((f) => ({ pid: Number(f[0]), ppid: Number(f[1]), args: f.slice(2).join(" ") }));
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (mine.has(p.pid) || !mine.has(p.ppid)) continue;
      mine.add(p.pid);
      grew = true;
    }
  }
  return procs.find((p) => mine.has(p.pid) && p.args.includes(`--type=${type}`))?.pid ?? null;
}

async function main(): Promise<void> {
  // Vite without HMR/watching (edits elsewhere must not reload the page mid-profile) + Chromium.
  const env = await startBenchEnvironment();
  const browser = env.browser;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const session: CDPSession = await context.newCDPSession(page);
    // The GPU worker's session (non-flat: messages go through Target.sendMessageToTarget).
    let workerSession: string | null = null;
    const pending = new Map<number, (result: unknown) => void>();
    let nextId = 1;
    session.on("Target.attachedToTarget", (e: { sessionId: string; targetInfo: { type: string; url: string } }) => {
      if (e.targetInfo.type === "worker" && e.targetInfo.url.includes("gpu-worker")) workerSession = e.sessionId;
    });
    session.on("Target.receivedMessageFromTarget", (e: { message: string }) => {
      const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: unknown };
      if (m.id !== undefined) pending.get(m.id)?.(m.error ? { error: m.error } : m.result);
      if (m.id !== undefined) pending.delete(m.id);
    });
    const toWorker = <T>(method: string, params: object = {}): Promise<T> =>
      new Promise((done) => {
        const id = nextId++;
        pending.set(id, done as (r: unknown) => void);
        void session.send("Target.sendMessageToTarget", { sessionId: workerSession!, message: JSON.stringify({ id, method, params }) });
      });

    const params = new URLSearchParams({ run: "kmscube", display: "1024x768" });
    for (const [k, v] of extraParams) params.set(k, v);
    await page.goto(`${env.url}/?${params}`);
    await session.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    await page.waitForFunction(() => /Rendered [1-9]\d* frames/.test(window.webvirgl?.serialText() ?? ""), null, { timeout: 600_000, polling: 1000 });
    console.log(`kmscube is rendering; warm-up ${warmup} s`);
    await page.waitForTimeout(warmup * 1000);
    if (!workerSession) throw new Error("no GPU worker target attached");

    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 250 });
    await toWorker("Profiler.enable");
    await toWorker("Profiler.setSamplingInterval", { interval: 250 });
    const t0 = await page.evaluate(() => {
      const w = window as unknown as { profilePresents: number };
      w.profilePresents = 0;
      window.webvirgl!.gpuClient!.onPresented(() => w.profilePresents++);
      return performance.now();
    });
    const gpuPid = childProcess("gpu-process");
    const gpuCpu0 = gpuPid ? cpuMs(gpuPid) : 0;
    await session.send("Profiler.start");
    await toWorker("Profiler.start");
    await page.waitForTimeout(seconds * 1000);
    const { profile: pageProfile } = (await session.send("Profiler.stop")) as { profile: Profile };
    const { profile: workerProfile } = await toWorker<{ profile: Profile }>("Profiler.stop");
    const frames = await page.evaluate((start) => ({ n: (window as unknown as { profilePresents: number }).profilePresents, s: (performance.now() - start) / 1000 }), t0);
    const gpuCpu = gpuPid ? (cpuMs(gpuPid) - gpuCpu0) / Math.max(1, frames.n) : NaN;

    writeFileSync("/tmp/kmscube-page.cpuprofile", JSON.stringify(pageProfile));
    writeFileSync("/tmp/kmscube-worker.cpuprofile", JSON.stringify(workerProfile));
    console.log(summarize("page main thread", pageProfile));
    console.log(summarize("GPU worker", workerProfile));
    console.log(`presented ${frames.n} frames in ${frames.s.toFixed(1)} s = ${(frames.n / frames.s).toFixed(2)} fps; GPU process CPU ${gpuCpu.toFixed(1)} ms/frame; load ${readFileSync("/proc/loadavg", "utf8").trim()}`);

    if (trace) {
      await browser.startTracing(page, { categories: ["toplevel", "gpu", "blink", "v8", "devtools.timeline", "gpu.angle", "disabled-by-default-gpu.service"] });
      await page.waitForTimeout(3000);
      const buf = await browser.stopTracing();
      writeFileSync("/tmp/kmscube-trace.json", buf);
      console.log(`trace: /tmp/kmscube-trace.json (${buf.length} bytes)`);
    }
  } finally {
    await env.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
