// The conformance harness's pure parts: piglit verdict parsing, the list format, deqp-runner
// style expectations, and that the checked-in list is what make-list.ts generates.

import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { parsePiglitOutput } from "../../src/vtest/conformance/status.ts";
import { classify, formatBaseline, parseBaseline, parseRegexList, type Expectations } from "../../src/vtest/conformance/expectations.ts";
import { commandFor, formatTestList, parseTestList, shard } from "../../src/vtest/conformance/test-list.ts";
import { GROUPS, groupOf } from "../../src/vtest/conformance/groups.ts";
import { readProfile, sampleTests } from "../../src/vtest/conformance/make-list.ts";

const ok = { code: 0, signal: null, timedOut: false };

describe("piglit verdicts", () => {
  it("reads result and subtest lines; the worst wins", () => {
    expect(parsePiglitOutput('noise\nPIGLIT: {"result": "pass" }\n', ok).status).toBe("pass");
    const v = parsePiglitOutput('PIGLIT: {"subtest": {"a": "pass"}}\nPIGLIT: {"subtest": {"b": "fail"}}\nPIGLIT: {"result": "pass" }\n', { ...ok, code: 1 });
    expect(v.status).toBe("fail");
    expect(v.subtests).toEqual({ a: "pass", b: "fail" });
    expect(parsePiglitOutput('PIGLIT: {"result": "skip" }\n', ok).status).toBe("skip");
  });

  it("turns signals, aborts, time limits and silence into crash/timeout/fail", () => {
    expect(parsePiglitOutput("", { code: null, signal: "SIGSEGV", timedOut: false })).toMatchObject({ status: "crash", note: "killed by SIGSEGV" });
    expect(parsePiglitOutput('PIGLIT: {"result": "pass" }', { code: 3, signal: null, timedOut: false }).status).toBe("crash");
    expect(parsePiglitOutput("", { code: null, signal: "SIGKILL", timedOut: true }).status).toBe("timeout");
    expect(parsePiglitOutput("nothing", ok)).toMatchObject({ status: "fail", note: "no PIGLIT result line (exit code 0)" });
    expect(parsePiglitOutput('PIGLIT: {"result": "pass" }', { ...ok, code: 1 }).status).toBe("warn");
  });
});

describe("test list", () => {
  const tests = [
    { name: "spec@glsl-1.10@execution@x", program: "shader_runner", args: ["tests/spec/glsl-1.10/execution/x.shader_test"] },
    { name: "spec@arb_texture_barrier@blend 512 42", program: "arb_texture_barrier-blending-in-shader", args: ["512", "42"] },
  ];

  it("round-trips names with spaces and adds piglit's -auto -fbo", () => {
    const text = formatTestList(tests, ["header"]);
    expect(text.startsWith("# header\n")).toBe(true);
    expect(parseTestList(text)).toEqual(tests);
    const layout = { binDir: "/p/bin", rootDir: "/p" };
    expect(commandFor(tests[0]!, layout)).toEqual(["/p/bin/shader_runner", "/p/tests/spec/glsl-1.10/execution/x.shader_test", "-auto", "-fbo"]);
    expect(commandFor(tests[1]!, layout)).toEqual(["/p/bin/arb_texture_barrier-blending-in-shader", "512", "42", "-auto", "-fbo"]);
    expect(() => parseTestList("a\tb\na\tc\n", "l")).toThrow(/l:2: duplicate test a/);
    expect(() => parseTestList("lonely\n", "l")).toThrow(/l:1: expected/);
  });

  it("shards deterministically and completely", () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(shard(items, 1, 3)).toEqual([1, 4, 7]);
    expect([0, 1, 2].flatMap((i) => shard(items, i, 3)).sort((a, b) => a - b)).toEqual(items);
    expect(() => shard(items, 3, 3)).toThrow(/bad shard/);
  });
});

describe("expectations (deqp-runner style)", () => {
  const exp: Expectations = {
    baseline: parseBaseline("# known\nt-fail,Fail\nt-crash,Crash\n"),
    flakes: parseRegexList("t-fl.*\n", "flakes.txt"),
    skips: [],
  };

  it("classifies results against the baseline", () => {
    expect(classify("new", "pass", exp)).toBe("Pass");
    expect(classify("new", "skip", exp)).toBe("Skip");
    expect(classify("new", "fail", exp)).toBe("Fail");
    expect(classify("new", "timeout", exp)).toBe("Fail");
    expect(classify("t-fail", "fail", exp)).toBe("ExpectedFail");
    expect(classify("t-fail", "crash", exp)).toBe("Fail"); // a worse failure than listed
    expect(classify("t-fail", "pass", exp)).toBe("UnexpectedPass");
    expect(classify("t-flaky", "fail", exp)).toBe("Flake");
    expect(classify("new", "fail", exp, true)).toBe("Flake");
  });

  it("parses and writes baselines, rejecting malformed lines", () => {
    expect(() => parseBaseline("name-without-status\n", "b")).toThrow(/b:1: expected/);
    expect(() => parseRegexList("(\n", "f")).toThrow(/f:1: bad regex/);
    expect(parseRegexList("a.c", "f")[0]!.test("xabc")).toBe(false); // whole name
    const text = formatBaseline(
      [
        { name: "b", status: "crash" },
        { name: "a", status: "fail" },
        { name: "c", status: "pass" },
        { name: "t-flaky", status: "fail" },
      ],
      exp.flakes,
    );
    expect(text).toBe("a,Fail\nb,Crash\n");
  });
});

const LIST = new URL("../../conformance/piglit-tests.txt", import.meta.url).pathname;
const PIGLIT = ["/usr/lib/x86_64-linux-gnu/piglit", "/usr/lib/piglit"].find((d) => existsSync(`${d}/tests/quick_gl.xml.gz`));

describe("the checked-in list", () => {
  const tests = parseTestList(readFileSync(LIST, "utf8"), LIST);

  it("covers every area broadly (hundreds of tests)", () => {
    expect(tests.length).toBeGreaterThanOrEqual(500);
    for (const g of GROUPS) expect(tests.filter((t) => groupOf(t.name) === g.id).length, g.id).toBeGreaterThanOrEqual(Math.min(g.quota, 15));
    expect(tests.filter((t) => t.program.startsWith("shader_runner")).length).toBeGreaterThan(100);
  });

  it.skipIf(!PIGLIT)("is exactly what make-list.ts samples from the installed piglit profiles", () => {
    const all = ["quick_gl", "quick_shader"].flatMap((p) => readProfile(`${PIGLIT}/tests/${p}.xml.gz`, p));
    expect(sampleTests(all)).toEqual(tests);
  });
});
