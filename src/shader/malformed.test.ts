/** Malformed input through the whole translator: always a structured error, never an exception, bounded time. */
import { describe, expect, it } from "vitest";
import { translateTgsi } from "./index.ts";
import { loadCorpus } from "./test-util/corpus.ts";

function expectError(text: string, re: RegExp): void {
  const t0 = performance.now();
  const r = translateTgsi(text);
  expect(performance.now() - t0).toBeLessThan(1000);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.error.message).toMatch(re);
    expect(typeof r.error.line).toBe("number");
    expect(typeof r.error.column).toBe("number");
  }
}

describe("malformed shaders", () => {
  it("truncated text", () => expectError("FRAG\nDCL TEMP[0..3]\n  0: MOV TEMP[0], TE", /register file|expected/));
  it("huge indices", () => expectError("FRAG\nDCL TEMP[0]\n  0: MOV TEMP[4294967296], TEMP[0]\n  1: END\n", /exceeds the limit/));
  it("unknown opcode", () => expectError("FRAG\n  0: XYZZY\n  1: END\n", /unknown opcode/));
  it("unbalanced control flow", () => {
    expectError("FRAG\nDCL TEMP[0]\n  0: UIF TEMP[0].xxxx\n  1: END\n", /open if/);
    expectError("FRAG\nDCL TEMP[0]\n  0: ENDLOOP\n  1: END\n", /ENDLOOP without/);
    expectError("FRAG\nDCL TEMP[0]\n  0: BGNLOOP\n  1: ENDIF\n  2: END\n", /ENDIF without/);
  });
  it("bad swizzles", () => {
    expectError("FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0].xyzwq\n  1: END\n", /swizzle/);
    expectError("FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0].\n  1: END\n", /swizzle/);
    expectError("FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0].xx, TEMP[0]\n  1: END\n", /write mask/);
  });
  it("10 MB garbage", () => expectError("\u00ff".repeat(10 << 20), /limit/));
  it("too many instructions", () => {
    const body = Array.from({ length: 40000 }, () => "NOP").join("\n");
    expectError(`FRAG\n${body}\nEND\n`, /more than 32768 instructions/);
  });
  it("deep nesting", () => expectError(`FRAG\nDCL TEMP[0]\n${"UIF TEMP[0].xxxx\n".repeat(100)}END\n`, /nested deeper/));
  it("binary noise", () => {
    const bytes = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join("");
    expectError(`FRAG\n${bytes}`, /.+/);
  });
  it("every prefix of a real shader errors cleanly or translates", () => {
    const s = loadCorpus().find((x) => x.text.includes("BGNLOOP"))!;
    for (let n = 0; n < s.text.length; n += 3) {
      const r = translateTgsi(s.text.slice(0, n));
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
    }
  });
});
