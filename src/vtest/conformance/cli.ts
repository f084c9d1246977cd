// npm run conformance [-- options]: piglit through the vtest endpoint. See docs/conformance.md.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatBaseline, parseBaseline, parseRegexList, matchesAny, type Expectations } from "./expectations.ts";
import { findPiglit } from "./piglit-install.ts";
import { resultsJson, summaryText } from "./report.ts";
import { runConformance } from "./runner.ts";
import { parseTestList, shard } from "./test-list.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

const USAGE = `usage: npm run conformance -- [options]
  --list FILE          test list (default conformance/piglit-tests.txt)
  --expectations DIR   expected-fails.txt, flakes.txt, skips.txt (default conformance/)
  --filter REGEX       only tests whose name matches (unanchored)
  --shard I/N          only every N-th test starting at I (0-based), e.g. 0/12
  --max N              at most N tests (after filter and shard)
  --jobs N             tests at a time (default 2)
  --timeout SEC        per-test time limit (default 60)
  --out DIR            results.json, summary.md, expected-fails.new.txt, server.log (default conformance/results)
  --server-arg ARG     extra argument for the vtest server (repeatable), e.g. --server-arg=--renderer=recording
  --piglit DIR         piglit root (default: Debian's /usr/lib/x86_64-linux-gnu/piglit)
  --no-retry           do not rerun unexpected failures
  --update-baseline    write the run's failures to expected-fails.txt (keeps entries of tests not run)
  --quiet              no per-test lines
Exit status: 0 clean; 1 new failure/crash/timeout or the renderer died; 2 usage or setup error.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      list: { type: "string", default: join(REPO, "conformance/piglit-tests.txt") },
      expectations: { type: "string", default: join(REPO, "conformance") },
      filter: { type: "string" },
      shard: { type: "string" },
      max: { type: "string" },
      jobs: { type: "string", default: "2" },
      timeout: { type: "string", default: "60" },
      out: { type: "string", default: join(REPO, "conformance/results") },
      "server-arg": { type: "string", multiple: true, default: [] },
      piglit: { type: "string" },
      "no-retry": { type: "boolean", default: false },
      "update-baseline": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const num = (v: string, what: string, min: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`${what}: bad value ${v}`);
    return n;
  };
  const expDir = resolve(values.expectations);
  const read = (f: string): string => (existsSync(join(expDir, f)) ? readFileSync(join(expDir, f), "utf8") : "");
  const expectations: Expectations = {
    baseline: parseBaseline(read("expected-fails.txt"), join(expDir, "expected-fails.txt")),
    flakes: parseRegexList(read("flakes.txt"), join(expDir, "flakes.txt")),
    skips: parseRegexList(read("skips.txt"), join(expDir, "skips.txt")),
  };
  let tests = parseTestList(readFileSync(values.list, "utf8"), values.list);
  const listed = tests.length;
  // Selection happens on the whole list, so a shard is the same set whatever skips.txt says.
  if (values.filter) {
    const re = new RegExp(values.filter);
    tests = tests.filter((t) => re.test(t.name));
  }
  if (values.shard) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (!m) throw new Error(`--shard: expected I/N, got ${values.shard}`);
    tests = shard(tests, Number(m[1]), Number(m[2]));
  }
  if (values.max) tests = tests.slice(0, num(values.max, "--max", 1));
  const selected = tests.length;
  tests = tests.filter((t) => !matchesAny(t.name, expectations.skips));
  const skipped = selected - tests.length;
  if (!tests.length) throw new Error("no tests selected");
  const layout = findPiglit(values.piglit);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  // A short, private work dir: the socket path must fit in sun_path (108 bytes).
  const work = join(out, ".work");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const jobs = num(values.jobs, "--jobs", 1);
  process.stderr.write(`conformance: ${tests.length} tests (${listed} listed, ${selected} selected, ${skipped} of them in skips.txt), ${jobs} at a time, ${values.timeout} s limit\n`);

  const run = await runConformance({
    tests,
    layout,
    expectations,
    jobs,
    timeoutMs: num(values.timeout, "--timeout", 1) * 1000,
    workDir: work,
    serverArgs: values["server-arg"],
    retry: !values["no-retry"],
    onResult: values.quiet
      ? undefined
      : (r, done, total) => process.stderr.write(`[${done}/${total}] ${r.status.padEnd(7)} ${r.outcome.padEnd(14)} ${(r.durationMs / 1000).toFixed(1).padStart(5)}s ${r.name}\n`),
  });
  rmSync(join(work, "mnt"), { recursive: true, force: true });
  const summary = summaryText(run, skipped);
  writeFileSync(join(out, "results.json"), resultsJson(run, { list: values.list, selected, excludedBySkips: skipped, jobs, timeoutSec: Number(values.timeout), piglit: layout.rootDir, date: new Date().toISOString() }));
  writeFileSync(join(out, "summary.md"), summary);
  writeFileSync(join(out, "expected-fails.new.txt"), formatBaseline(run.results, expectations.flakes));
  if (values["update-baseline"]) {
    // Keep what this run could not judge (tests outside the selection).
    const ran = new Set(run.results.map((r) => r.name));
    const kept = [...expectations.baseline].filter(([n]) => !ran.has(n)).map(([n, s]) => `${n},${s}`);
    const merged = [...kept, ...formatBaseline(run.results, expectations.flakes).split("\n").filter(Boolean)].sort();
    const header = read("expected-fails.txt").split("\n").filter((l) => l.startsWith("#"));
    writeFileSync(join(expDir, "expected-fails.txt"), [...header, ...merged].map((l) => `${l}\n`).join(""));
  }
  process.stdout.write(summary);
  process.stdout.write(`results: ${join(out, "results.json")}\n`);
  const bad = run.results.some((r) => r.outcome === "Fail") || run.serverExit !== null || run.notRun.length > 0;
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`conformance: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
