/**
 * CLI: `webvirgl-tgsi FILE.tgsi [--key JSON]` → GLSL ES on stdout (exit 0) or `FILE:line:col: message` on stderr
 * (exit 1). `webvirgl-tgsi --stats DIR` translates every *.tgsi in DIR and prints a summary.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { translateTgsi } from "./translate.ts";
import type { ShaderKey } from "./types.ts";

const USAGE = "usage: webvirgl-tgsi FILE.tgsi [--key JSON] | webvirgl-tgsi --stats DIR";

function parseKey(json: string | undefined): ShaderKey {
  if (!json) return {};
  const v: unknown = JSON.parse(json);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("--key must be a JSON object");
  return v as ShaderKey;
}

function stats(dir: string): number {
  const files = readdirSync(dir).filter((f) => f.endsWith(".tgsi")).sort();
  const texts = files.map((f) => readFileSync(path.join(dir, f), "utf8"));
  const opcodes = new Map<string, number>();
  const failures: string[] = [];
  let ok = 0;
  const t0 = performance.now();
  texts.forEach((text, i) => {
    const r = translateTgsi(text);
    if (r.ok) {
      ok++;
      for (const op of r.info.opcodes) opcodes.set(op, (opcodes.get(op) ?? 0) + 1);
    } else failures.push(`${files[i]}:${r.error.line}:${r.error.column}: ${r.error.message}`);
  });
  const ms = performance.now() - t0;
  const out = process.stdout;
  out.write(`shaders: ${files.length}\nok: ${ok}\nfailed: ${failures.length}\n`);
  out.write(`time: ${ms.toFixed(1)} ms (${(files.length / (ms / 1000)).toFixed(0)} shaders/s)\n`);
  out.write(`opcodes (shaders using each): ${[...opcodes].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o}:${n}`).join(" ")}\n`);
  for (const f of failures.slice(0, 50)) out.write(`FAILED ${f}\n`);
  return failures.length === 0 ? 0 : 1;
}

export function main(argv: readonly string[]): number {
  const args = [...argv];
  if (args.length === 0 || args.includes("-h") || args.includes("--help")) {
    process.stderr.write(`${USAGE}\n`);
    return args.length === 0 ? 1 : 0;
  }
  try {
    if (args[0] === "--stats") {
      const dir = args[1];
      if (!dir || !statSync(dir).isDirectory()) {
        process.stderr.write(`webvirgl-tgsi: --stats needs a directory\n`);
        return 1;
      }
      return stats(dir);
    }
    const file = args[0]!;
    const ki = args.indexOf("--key");
    const key = parseKey(ki >= 0 ? args[ki + 1] : undefined);
    const text = readFileSync(file, "utf8");
    const r = translateTgsi(text, key);
    if (!r.ok) {
      process.stderr.write(`${file}:${r.error.line}:${r.error.column}: ${r.error.message.replace(/\n/g, " ")}\n`);
      return 1;
    }
    process.stdout.write(r.glsl);
    return 0;
  } catch (e) {
    process.stderr.write(`webvirgl-tgsi: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
