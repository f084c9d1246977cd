// Runs one piglit test process with a time limit and collects its verdict.

import { spawn } from "node:child_process";
import { parsePiglitOutput, type Verdict } from "./status.ts";

/** Output kept per test (head and tail), enough to see why it failed. */
const KEEP_BYTES = 16 * 1024;

export interface ProcessResult extends Verdict {
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  output: string;
}

function clip(s: string): string {
  return s.length <= KEEP_BYTES ? s : `${s.slice(0, KEEP_BYTES / 2)}\n[... ${s.length - KEEP_BYTES} bytes cut ...]\n${s.slice(-KEEP_BYTES / 2)}`;
}

export function runProcess(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProcessResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // Own process group: a timeout kills the namespace's shell, the test and anything it forked.
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let both = "";
    let timedOut = false;
    child.stdout!.on("data", (d: Buffer) => {
      const s = d.toString("utf8");
      stdout += s;
      both += s;
    });
    child.stderr!.on("data", (d: Buffer) => (both += d.toString("utf8")));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    const finish = (code: number | null, signal: string | null, spawnError?: string) => {
      clearTimeout(timer);
      const verdict = spawnError
        ? { status: "crash" as const, subtests: {}, note: `could not start: ${spawnError}` }
        : parsePiglitOutput(stdout, { code, signal, timedOut });
      resolve({ ...verdict, durationMs: Date.now() - t0, exitCode: code, signal, output: clip(both) });
    };
    child.on("error", (err) => finish(null, null, err.message));
    child.on("close", (code, signal) => finish(code, signal));
  });
}
