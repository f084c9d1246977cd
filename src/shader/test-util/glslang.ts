/**
 * Test helper: compile many GLSL ES sources with glslangValidator in a few batched processes.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const GLSLANG = process.env.WEBVIRGL_GLSLANG ?? "/usr/bin/glslangValidator";

export function hasGlslang(): boolean {
  return existsSync(GLSLANG);
}

export interface CompileInput {
  name: string;
  stage: "vert" | "frag";
  glsl: string;
}

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(GLSLANG, args, { cwd, maxBuffer: 64 << 20 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/** Returns name → error text for every source that failed to compile (empty map = all compiled). */
export async function compileAll(inputs: readonly CompileInput[], processes = 2): Promise<Map<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), "webvirgl-glsl-"));
  try {
    const files = inputs.map((inp, i) => {
      const file = `s${i}.${inp.stage}`;
      writeFileSync(path.join(dir, file), inp.glsl);
      return file;
    });
    const chunks: string[][] = Array.from({ length: processes }, () => []);
    files.forEach((f, i) => chunks[i % processes]!.push(f));
    // Each process gets its files in batches to keep the command line bounded.
    const outputs = await Promise.all(
      chunks.map(async (chunk) => {
        let text = "";
        for (let i = 0; i < chunk.length; i += 300) text += await run(chunk.slice(i, i + 300), dir);
        return text;
      }),
    );
    const errors = new Map<string, string>();
    const byFile = new Map(files.map((f, i) => [f, inputs[i]!.name]));
    for (const out of outputs) {
      let current: string | null = null;
      for (const line of out.split("\n")) {
        const t = line.trim();
        if (byFile.has(t)) {
          current = t;
          continue;
        }
        if (current && /ERROR/.test(t) && !/compilation errors|compilation terminated/.test(t)) {
          const name = byFile.get(current)!;
          errors.set(name, (errors.get(name) ?? "") + t + "\n");
        }
      }
    }
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Link a VS/FS pair with glslangValidator -l (checks the interface between the stages). */
export async function linkPair(vs: string, fs: string): Promise<string | null> {
  const dir = mkdtempSync(path.join(tmpdir(), "webvirgl-link-"));
  try {
    writeFileSync(path.join(dir, "p.vert"), vs);
    writeFileSync(path.join(dir, "p.frag"), fs);
    const out = await run(["-l", "p.vert", "p.frag"], dir);
    return /ERROR/.test(out) ? out : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
