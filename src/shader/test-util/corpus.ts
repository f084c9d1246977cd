/** Test helper: locate and load the TGSI corpus (test/corpus/tgsi in the repo, or $WEBVIRGL_TGSI_CORPUS). */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function corpusDir(): string {
  return process.env.WEBVIRGL_TGSI_CORPUS ?? path.resolve(repoRoot, "test", "corpus", "tgsi");
}

export interface CorpusShader {
  name: string;
  text: string;
}

export function loadCorpus(): CorpusShader[] {
  const dir = corpusDir();
  if (!existsSync(dir)) {
    throw new Error(`TGSI corpus not found at ${dir} (expected test/corpus/tgsi in the repo; set WEBVIRGL_TGSI_CORPUS)`);
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith(".tgsi"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(path.join(dir, f), "utf8") }));
}
