import type { Page } from "@playwright/test";
import type {} from "../test/pages/shader-exec.ts";

/**
 * Open the shader-exec harness page. Vite's dependency optimiser can reload a page once on first use
 * (navigation interrupted / context destroyed): retry a few times until the harness is up and stable.
 */
export async function loadShaderHarness(page: Page): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await page.goto("/test/pages/shader-exec.html");
      await page.waitForLoadState("networkidle");
      await page.waitForFunction(() => window.shaderExec !== undefined);
      await page.waitForTimeout(200);
      await page.evaluate(() => window.shaderExec.ready);
      return;
    } catch (e) {
      if (attempt >= 3 || !/interrupted|destroyed|navigat/i.test(String(e))) throw e;
    }
  }
}
