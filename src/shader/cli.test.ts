/** The CLI through its real entry point (bin/webvirgl-tgsi.mjs registers tsx and loads cli.ts). */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, repoRoot } from "./test-util/corpus.ts";

const BIN = path.join(repoRoot, "bin", "webvirgl-tgsi.mjs");

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: repoRoot }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("webvirgl-tgsi CLI", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "webvirgl-cli-"));

  it("translates a file to GLSL ES on stdout", async () => {
    const f = path.join(dir, "ok.tgsi");
    writeFileSync(f, "FRAG\nDCL OUT[0], COLOR\nIMM[0] FLT32 {0x3f800000, 0, 0, 0x3f800000}\n  0: MOV OUT[0], IMM[0]\n  1: END\n");
    const r = await run([f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#version 300 es/);
  }, 30_000);

  it("prints one line with line and column and exits 1 on bad input", async () => {
    const f = path.join(dir, "bad.tgsi");
    writeFileSync(f, "FRAG\n  0: MOV TEMP[0], TEMP[0].xq\n  1: END\n");
    const r = await run([f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.tgsi:2:28: invalid character 'q' in swizzle/);
  }, 30_000);

  it("--stats summarises a directory", async () => {
    const r = await run(["--stats", corpusDir()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^shaders: \d+\nok: \d+\nfailed: 0\ntime: /);
    expect(r.stdout).toMatch(/opcodes \(shaders using each\): END:/);
  }, 60_000);
});
