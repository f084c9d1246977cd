// The bounded conformance subset `npm test` runs: every 12th test of conformance/piglit-tests.txt
// (about 48, across all areas) through `npm run conformance` — real piglit binaries, the real
// renderer in headless Chromium, per-test mount namespaces — compared with the checked-in
// expectations. A new failure, crash or timeout (after one retry) fails this test.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers.ts";

const CLI = new URL("../../src/vtest/conformance/cli.ts", import.meta.url).pathname;
const PIGLIT = ["/usr/lib/x86_64-linux-gnu/piglit", "/usr/lib/piglit"].find((d) => existsSync(`${d}/bin/shader_runner`));
const CHROMIUM = existsSync(process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium");
const UNSHARE = spawnSync("unshare", process.getuid?.() === 0 ? ["--mount", "true"] : ["--user", "--map-root-user", "--mount", "true"]).status === 0;
const missing = [!PIGLIT && "piglit (Debian piglit)", !CHROMIUM && "chromium (Debian chromium)", !UNSHARE && "unshare with mount namespaces"].filter(Boolean).join(", ");

interface ResultsFile {
  rates: { total: number; pass: number; skip: number };
  serverExit: string | null;
  results: { name: string; status: string; outcome: string; note?: string }[];
}

describe.skipIf(missing !== "")(`piglit conformance subset${missing ? ` (skipped: missing ${missing})` : ""}`, () => {
  it("runs shard 0/12 of the list with no new failures and no renderer crash", () => {
    const out = tempDir("webvirgl-conformance-");
    const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "--shard", "0/12", "--jobs", "2", "--timeout", "120", "--out", out, "--quiet"], {
      encoding: "utf8",
      timeout: 540_000,
    });
    const summary = `${r.stdout}\n${r.stderr}`;
    expect(r.status, summary).toBe(0);
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as ResultsFile;
    expect(res.serverExit).toBeNull();
    expect(res.results.length).toBeGreaterThanOrEqual(40);
    expect(res.results.filter((t) => t.outcome === "Fail")).toEqual([]);
    // Most of it really renders and passes (the skip/fail counts are in the summary).
    expect(res.rates.pass, summary).toBeGreaterThan(res.results.length / 2);
  }, 600_000);
});
