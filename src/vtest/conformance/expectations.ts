// deqp-runner style expectations: a baseline of known failures (`expected-fails.txt`, lines
// `test-name,Fail|Crash|Timeout|Warn`), and regex lists for flaky (`flakes.txt`) and skipped
// (`skips.txt`) tests, one regex per line, `#` comments. A regex must match the whole name.

import type { Status } from "./status.ts";

export type BaselineStatus = "Fail" | "Crash" | "Timeout" | "Warn";

const FROM_STATUS: Partial<Record<Status, BaselineStatus>> = { fail: "Fail", crash: "Crash", timeout: "Timeout", warn: "Warn" };

export interface Expectations {
  baseline: Map<string, BaselineStatus>;
  flakes: RegExp[];
  skips: RegExp[];
}

export function parseBaseline(text: string, source = "expected-fails.txt"): Map<string, BaselineStatus> {
  const out = new Map<string, BaselineStatus>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const comma = line.lastIndexOf(",");
    const name = line.slice(0, comma);
    const st = line.slice(comma + 1);
    if (comma <= 0 || !["Fail", "Crash", "Timeout", "Warn"].includes(st)) {
      throw new Error(`${source}:${i + 1}: expected "test-name,Fail|Crash|Timeout|Warn", got ${JSON.stringify(line)}`);
    }
    out.set(name, st as BaselineStatus);
  });
  return out;
}

export function parseRegexList(text: string, source: string): RegExp[] {
  const out: RegExp[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    try {
      out.push(new RegExp(`^(?:${line})$`));
    } catch (err) {
      throw new Error(`${source}:${i + 1}: bad regex ${JSON.stringify(line)}: ${(err as Error).message}`);
    }
  });
  return out;
}

export const matchesAny = (name: string, res: readonly RegExp[]): boolean => res.some((r) => r.test(name));

export function baselineStatus(s: Status): BaselineStatus | undefined {
  return FROM_STATUS[s];
}

/**
 * How a result compares with the expectations:
 * - `Pass` / `Skip`: passed or skipped and not listed;
 * - `ExpectedFail`: failed exactly as the baseline says;
 * - `UnexpectedPass`: listed as failing but passed (or skipped): update the baseline;
 * - `Flake`: failed but matches flakes.txt (or passed on retry);
 * - `Fail`: a new failure, or a different failure than listed (Fail -> Crash): the run fails.
 */
export type Outcome = "Pass" | "Skip" | "ExpectedFail" | "UnexpectedPass" | "Flake" | "Fail";

export function classify(name: string, status: Status, exp: Expectations, passedOnRetry = false): Outcome {
  const expected = exp.baseline.get(name);
  const actual = baselineStatus(status);
  if (!actual) return expected ? "UnexpectedPass" : status === "skip" ? "Skip" : "Pass";
  if (expected === actual) return "ExpectedFail";
  if (passedOnRetry || matchesAny(name, exp.flakes)) return "Flake";
  return "Fail";
}

/** The baseline that would make this run clean: every non-flaky failure with its status. */
export function formatBaseline(results: readonly { name: string; status: Status }[], flakes: readonly RegExp[]): string {
  const lines = results
    .filter((r) => baselineStatus(r.status) && !matchesAny(r.name, flakes))
    .map((r) => `${r.name},${baselineStatus(r.status)!}`)
    .sort();
  return lines.length ? `${lines.join("\n")}\n` : "";
}
