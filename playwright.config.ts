import { defineConfig } from "@playwright/test";

// Browsers cannot be downloaded on our machines: we drive Debian's chromium package.
// SwiftShader gives WebGL2 without a GPU; --enable-unsafe-swiftshader keeps it on.
const chromiumPath = process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium";
const port = Number(process.env.WEBVIRGL_E2E_PORT ?? 5199);

export const chromiumArgs = [
  "--no-sandbox",
  "--enable-unsafe-swiftshader",
  "--ignore-gpu-blocklist",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  // Guest boots in v86 slow down several-fold when the 2-core machine is loaded; one retry in CI
  // absorbs a boot that ran out of time. A test must still pass on its own run to count.
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-results.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    viewport: { width: 1280, height: 900 },
    trace: "off",
    screenshot: "only-on-failure",
  },
  webServer: {
    // No HMR / file watching (vite.config.ts): editing src/ must not reload a page mid-test.
    command: `WEBVIRGL_NO_HMR=1 npx vite --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
