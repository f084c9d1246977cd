// Piglit verdicts: parsing a test's output the way piglit's framework does
// (framework/test/piglit_test.py, base.py), without running Python.
//
// A test prints `PIGLIT: {"result": "pass"}` and/or `PIGLIT: {"subtest": {"name": "fail"}}` lines;
// the verdict is the worst of them. A signal or exit code 3 (piglit's abort) is a crash; a
// nonzero exit turns a pass into a warn and anything else into a fail; no verdict line is a fail.

export type Status = "pass" | "warn" | "fail" | "skip" | "crash" | "timeout";

/** Worst first, as piglit orders them (status.py), restricted to what we report. */
const SEVERITY: Record<Status, number> = { skip: 0, pass: 1, warn: 2, fail: 3, crash: 4, timeout: 5 };

export const STATUSES: readonly Status[] = ["pass", "warn", "fail", "skip", "crash", "timeout"];

export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}

export function worst(a: Status, b: Status): Status {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export interface Verdict {
  status: Status;
  subtests: Record<string, Status>;
  /** Why the status is what it is when the output alone does not say (exit code, signal, missing line). */
  note?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
}

/** piglit's result strings that we fold into ours ("notrun" of an enumerated subtest never ran). */
function normalize(s: string): Status | null {
  if (isStatus(s)) return s;
  if (s === "notrun") return null;
  if (s === "dmesg-warn") return "warn";
  if (s === "dmesg-fail" || s === "incomplete") return "fail";
  return "fail";
}

export function parsePiglitOutput(stdout: string, exit: ExitInfo): Verdict {
  let result: Status | null = null;
  const subtests: Record<string, Status> = {};
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("PIGLIT:")) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line.slice(7));
    } catch {
      continue; // a test printing a malformed line is judged by the rest
    }
    if (typeof obj !== "object" || obj === null) continue;
    const rec = obj as Record<string, unknown>;
    if (typeof rec.result === "string") {
      const s = normalize(rec.result);
      if (s) result = result ? worst(result, s) : s;
    }
    if (typeof rec.subtest === "object" && rec.subtest !== null) {
      for (const [name, v] of Object.entries(rec.subtest as Record<string, unknown>)) {
        const s = typeof v === "string" ? normalize(v) : null;
        if (s) subtests[name] = s;
      }
    }
  }
  const subWorst = Object.values(subtests).reduce<Status | null>((acc, s) => (acc ? worst(acc, s) : s), null);
  // With subtests, piglit's total is the worst subtest (a "result" line may summarise them).
  let status: Status | null = result && subWorst ? worst(result, subWorst) : (result ?? subWorst);
  let note: string | undefined;
  if (exit.timedOut) return { status: "timeout", subtests, note: "killed at the time limit" };
  if (exit.signal || exit.code === 3) {
    return { status: "crash", subtests, note: exit.signal ? `killed by ${exit.signal}` : "exit code 3 (abort)" };
  }
  if (status === null) {
    status = "fail";
    note = `no PIGLIT result line (exit code ${exit.code})`;
  } else if (exit.code !== 0 && exit.code !== null) {
    status = status === "pass" ? "warn" : status === "skip" ? "skip" : "fail";
    note = `exit code ${exit.code}`;
  }
  return note ? { status, subtests, note } : { status, subtests };
}
