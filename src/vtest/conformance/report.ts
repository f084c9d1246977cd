// Results of a conformance run: the JSON file and the human summary (per-area table, outcome
// counts against the expectations, pass rates as issue 6 states them).

import type { Outcome } from "./expectations.ts";
import { GROUPS } from "./groups.ts";
import type { RunOutcome, TestResult } from "./runner.ts";
import { STATUSES, type Status } from "./status.ts";

export interface Rates {
  total: number;
  pass: number;
  skip: number;
  /** pass / total */
  passRate: number;
  /** pass / (total - skip) */
  passRateRun: number;
}

export function rates(results: readonly TestResult[]): Rates {
  const total = results.length;
  const pass = results.filter((r) => r.status === "pass").length;
  const skip = results.filter((r) => r.status === "skip").length;
  return { total, pass, skip, passRate: total ? pass / total : 0, passRateRun: total - skip ? pass / (total - skip) : 0 };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function countBy<K extends string>(results: readonly TestResult[], key: (r: TestResult) => K): Map<K, number> {
  const m = new Map<K, number>();
  for (const r of results) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
}

export function summaryTable(results: readonly TestResult[]): string {
  const groups = [...GROUPS.map((g) => g.id), "other"].filter((g) => results.some((r) => r.group === g));
  const header = ["area", "tests", ...STATUSES, "pass %", "pass % of run"];
  const rows = [...groups.map((g) => ({ g, rs: results.filter((r) => r.group === g) })), { g: "**all**", rs: [...results] }].map(({ g, rs }) => {
    const by = countBy(rs, (r) => r.status);
    const rt = rates(rs);
    return [g, String(rs.length), ...STATUSES.map((s: Status) => String(by.get(s) ?? 0)), pct(rt.passRate), pct(rt.passRateRun)];
  });
  return [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

const OUTCOMES: readonly Outcome[] = ["Pass", "Skip", "ExpectedFail", "Flake", "UnexpectedPass", "Fail"];

/** `excluded`: selected tests not run because skips.txt lists them; they count as not passed. */
export function summaryText(run: RunOutcome, excluded = 0): string {
  const rt = rates(run.results);
  const by = countBy(run.results, (r) => r.outcome);
  const listed = rt.total + excluded;
  const lines = [
    summaryTable(run.results),
    "",
    `pass rate: ${rt.pass}/${listed} = ${pct(listed ? rt.pass / listed : 0)} of the selected tests${excluded ? ` (${excluded} of them excluded by skips.txt)` : ""}; ${pct(rt.passRateRun)} of the ${rt.total - rt.skip} tests run and not skipped`,
    `outcomes: ${OUTCOMES.map((o) => `${o} ${by.get(o) ?? 0}`).join(", ")}; wall time ${(run.wallMs / 1000).toFixed(0)} s`,
  ];
  const fails = run.results.filter((r) => r.outcome === "Fail");
  if (fails.length) lines.push("", `NEW FAILURES (${fails.length}):`, ...fails.map((r) => `  ${r.name}: ${r.status}${r.retryStatus ? ` (retry: ${r.retryStatus})` : ""}${r.note ? ` [${r.note}]` : ""}`));
  const fixed = run.results.filter((r) => r.outcome === "UnexpectedPass");
  if (fixed.length) lines.push("", `UNEXPECTED PASSES (${fixed.length}; remove from expected-fails.txt):`, ...fixed.map((r) => `  ${r.name}: ${r.status}`));
  const flakes = run.results.filter((r) => r.outcome === "Flake");
  if (flakes.length) lines.push("", `flakes (${flakes.length}):`, ...flakes.map((r) => `  ${r.name}: ${r.status}${r.retryStatus ? ` then ${r.retryStatus}` : ""}`));
  if (run.serverExit) lines.push("", `RENDERER CRASH: ${run.serverExit}; ${run.notRun.length} tests not run`);
  if (run.rendererFaults.length) lines.push("", `renderer faults logged (${run.rendererFaults.length}):`, ...run.rendererFaults.slice(0, 10).map((l) => `  ${l}`));
  return `${lines.join("\n")}\n`;
}

export function resultsJson(run: RunOutcome, meta: Record<string, unknown>): string {
  return `${JSON.stringify({ ...meta, rates: rates(run.results), serverExit: run.serverExit, notRun: run.notRun, rendererFaults: run.rendererFaults, wallMs: run.wallMs, results: run.results }, null, 1)}\n`;
}
