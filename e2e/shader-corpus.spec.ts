/**
 * Every corpus shader, translated in the page, compiles and links in real WebGL2 (Chromium/ANGLE on
 * SwiftShader) — stricter than glslangValidator on limits and on the stage interface.
 * Each shader is linked with a minimal partner stage built by the translator itself.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { loadShaderHarness as loadHarness } from "./shader-harness.ts";
import { corpusDir } from "../src/shader/test-util/corpus.ts";

const dir = corpusDir();

/**
 * Open the harness page. Vite's dependency optimiser can reload a page once on first use (navigation
 * interrupted / context destroyed): retry a few times until the harness is up and stable.
 */

test("every corpus shader compiles and links in WebGL2", async ({ page }) => {
  test.setTimeout(170_000);
  expect(existsSync(dir), `TGSI corpus missing at ${dir}`).toBe(true);
  const shaders = readdirSync(dir).filter((f) => f.endsWith(".tgsi")).sort()
    .map((f) => ({ name: f, text: readFileSync(path.join(dir, f), "utf8") }));
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  const load = (): Promise<void> => loadHarness(page);
  await load();
  const failures: { name: string; error: string }[] = [];
  const t0 = Date.now();
  for (let i = 0; i < shaders.length; i += 200) {
    const batch = shaders.slice(i, i + 200);
    let result: { name: string; error: string }[];
    try {
      result = await page.evaluate((b) => window.shaderExec.linkAll(b), batch);
    } catch (e) {
      // The dev server may reload the page once after optimising dependencies on first use.
      if (!/context was destroyed|navigation/i.test(String(e))) throw e;
      await load();
      result = await page.evaluate((b) => window.shaderExec.linkAll(b), batch);
    }
    failures.push(...result);
  }
  console.log(`linked ${shaders.length} corpus shaders in WebGL2 in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${failures.length} failed`);
  expect(failures.slice(0, 10)).toEqual([]);
});
