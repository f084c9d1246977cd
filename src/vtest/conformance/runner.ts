// Runs a list of piglit tests against one vtest server, several at a time, each isolated
// (isolate.ts), and compares the results with the expectations. Failures that are not
// expected are run once more at the end, alone: passing then makes them flakes (deqp-runner does
// the same), which keeps load-induced timeouts on 2 shared cores from failing a run.

import { mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { classify, type Expectations, type Outcome } from "./expectations.ts";
import { groupOf } from "./groups.ts";
import { isolatedCommand } from "./isolate.ts";
import { runProcess } from "./run-test.ts";
import { ServerProcess } from "./server-process.ts";
import type { Status } from "./status.ts";
import { commandFor, type ListedTest, type PiglitLayout } from "./test-list.ts";

export interface RunOptions {
  tests: readonly ListedTest[];
  layout: PiglitLayout;
  expectations: Expectations;
  jobs: number;
  timeoutMs: number;
  /** Where the socket, the namespace mountpoint and the server log go. */
  workDir: string;
  serverArgs: readonly string[];
  retry: boolean;
  onResult?(r: TestResult, done: number, total: number): void;
}

export interface TestResult {
  name: string;
  group: string;
  status: Status;
  outcome: Outcome;
  durationMs: number;
  note?: string;
  subtests?: Record<string, Status>;
  command: string[];
  /** Status of the rerun, when there was one. */
  retryStatus?: Status;
  /** What the server logged for this test's session(s): renderer errors. */
  serverLog?: string[];
  output?: string;
}

export interface RunOutcome {
  results: TestResult[];
  /** Tests not run because the server died. */
  notRun: string[];
  rendererFaults: string[];
  serverExit: string | null;
  wallMs: number;
}

function clientNames(argv: readonly string[]): string[] {
  // Mesa's process name: the binary, or for shader_runner the .shader_test path (cut to 63 bytes).
  return [basename(argv[0]!), ...(argv[1] && argv[1].endsWith(".shader_test") ? [argv[1], basename(argv[1])] : [])];
}

export async function runConformance(opts: RunOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  mkdirSync(join(opts.workDir, "mnt"), { recursive: true });
  const sock = join(opts.workDir, "virgl.sock");
  rmSync(sock, { force: true });
  const server = await ServerProcess.start(sock, opts.serverArgs, join(opts.workDir, "server.log"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GALLIUM_DRIVER: "virpipe",
    LIBGL_ALWAYS_SOFTWARE: "1",
    PIGLIT_PLATFORM: "surfaceless_egl",
    PIGLIT_SOURCE_DIR: opts.layout.rootDir,
    MESA_SHADER_CACHE_DISABLE: "true",
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const results: TestResult[] = [];
  const notRun: string[] = [];

  const runOne = async (t: ListedTest): Promise<TestResult> => {
    const command = commandFor(t, opts.layout);
    const start = Date.now();
    const r = await runProcess(isolatedCommand(opts.workDir, command), env, opts.timeoutMs);
    const serverLog = server.linesFor(clientNames(command), start - 50, Date.now());
    const res: TestResult = { name: t.name, group: groupOf(t.name), status: r.status, outcome: "Pass", durationMs: r.durationMs, command };
    if (r.note) res.note = r.note;
    if (Object.keys(r.subtests).length) res.subtests = r.subtests;
    if (serverLog.length) res.serverLog = serverLog;
    if (r.status !== "pass" && r.status !== "skip") res.output = r.output;
    return res;
  };

  /** Runs `each` over `items` with opts.jobs workers; stops starting tests once the server died. */
  const pool = async <T>(items: readonly T[], each: (item: T) => Promise<void>, skipped: (item: T) => void): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const item = items[next++]!;
        if (server.alive) await each(item);
        else skipped(item);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  };
  try {
    await pool(
      opts.tests,
      async (t) => {
        const res = await runOne(t);
        res.outcome = classify(res.name, res.status, opts.expectations);
        results.push(res);
        opts.onResult?.(res, results.length + notRun.length, opts.tests.length);
      },
      (t) => notRun.push(t.name),
    );
    if (opts.retry) {
      const byName = new Map(opts.tests.map((t) => [t.name, t]));
      await pool(
        results.filter((r) => r.outcome === "Fail"),
        async (res) => {
          const again = await runOne(byName.get(res.name)!);
          res.retryStatus = again.status;
          const passedOnRetry = again.status === "pass" || classify(res.name, again.status, opts.expectations) !== "Fail";
          res.outcome = classify(res.name, res.status, opts.expectations, passedOnRetry);
        },
        () => {},
      );
    }
  } finally {
    await server.stop();
  }
  const order = new Map(opts.tests.map((t, i) => [t.name, i]));
  results.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return { results, notRun, rendererFaults: server.rendererFaults, serverExit: server.exitReason, wallMs: Date.now() - t0 };
}
