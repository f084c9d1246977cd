// The vtest server under test, as a child process (bin/webvirgl-vtest.mjs): started once per
// run, its stderr kept in a log file and indexed by session so each test's renderer errors can
// be attached to its result. If it exits while tests run, the renderer crashed.

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../bin/webvirgl-vtest.mjs", import.meta.url));
const SESSION_RE = /session (\d+) \((.*?)\): (.*)$/;
/** Log lines kept per session (renderer errors are capped in the page too). */
const LINES_PER_SESSION = 12;

export interface SessionLog {
  id: number;
  name: string;
  startedAt: number;
  lines: string[];
}

export class ServerProcess {
  readonly sessions = new Map<number, SessionLog>();
  /** Set when the server exits on its own: the renderer (or the server) died. */
  exitReason: string | null = null;
  /** Lines saying the renderer itself broke (page crash, lost WebGL context). */
  readonly rendererFaults: string[] = [];
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
  ) {}

  static async start(socketPath: string, extraArgs: readonly string[], logPath: string, timeoutMs = 120_000): Promise<ServerProcess> {
    const log = createWriteStream(logPath);
    const child = spawn(process.execPath, [BIN, "--socket", socketPath, ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
    const server = new ServerProcess(child, log);
    let pending = "";
    child.stderr!.on("data", (d: Buffer) => {
      log.write(d);
      pending += d.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) server.onLine(l);
    });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`vtest server did not print "listening on" in ${timeoutMs} ms (log: ${logPath})`)), timeoutMs);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        if (out.includes("listening on ")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`vtest server exited before listening (code ${code}, signal ${signal}; log: ${logPath})`));
      });
    });
    child.on("exit", (code, signal) => {
      if (!server.stopping) server.exitReason = `vtest server exited during the run (code ${code}, signal ${signal})`;
    });
    return server;
  }

  private onLine(line: string): void {
    // Our own loseContext() on teardown makes Chromium warn "CONTEXT_LOST_WEBGL: loseContext": not a fault.
    if (/page crashed|bridge page error|WebGL context lost|Target (page, context or browser )?closed|bridge closed/i.test(line)) this.rendererFaults.push(line);
    const m = SESSION_RE.exec(line);
    if (!m) return;
    const id = Number(m[1]);
    let s = this.sessions.get(id);
    if (!s) {
      s = { id, name: m[2]!, startedAt: Date.now(), lines: [] };
      this.sessions.set(id, s);
    }
    const what = m[3]!;
    if (/client connected|negotiated|: closed$|^closed$/.test(what)) return;
    if (s.lines.length < LINES_PER_SESSION) s.lines.push(what);
  }

  /** Log lines of sessions whose client name matches one of `names`, started in [t0, t1]. */
  linesFor(names: readonly string[], t0: number, t1: number): string[] {
    const out: string[] = [];
    for (const s of this.sessions.values()) {
      if (s.startedAt < t0 || s.startedAt > t1) continue;
      if (!names.some((n) => n === s.name || (s.name.length >= 15 && n.startsWith(s.name)))) continue;
      out.push(...s.lines);
    }
    return out;
  }

  get alive(): boolean {
    return this.exitReason === null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
      this.child.kill("SIGTERM");
      const t = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}
