import { defineConfig } from "vitest/config";

// Cross-origin isolation: SharedArrayBuffer and precise timers need COOP + COEP on every
// response the page loads. CORP lets an isolated third-party page embed our frames.
const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

// Test and benchmark servers (WEBVIRGL_NO_HMR=1, set by playwright.config.ts) neither watch files
// nor hot-reload: an edit in the tree while a guest boots would otherwise reload the page under test.
const noHmr = process.env.WEBVIRGL_NO_HMR === "1";

export default defineConfig({
  server: { headers: isolationHeaders, host: "127.0.0.1", port: 5173, strictPort: false, ...(noHmr ? { hmr: false, watch: null } : {}) },
  preview: { headers: isolationHeaders, host: "127.0.0.1", port: 4173 },
  worker: { format: "es" },
  build: {
    target: "es2022",
    // Two pages: the demo page and the embeddable screen (docs/embed.md).
    rollupOptions: { input: { main: "index.html", embed: "embed.html" } },
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "guest/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
  },
});
