/** What webvirgl needs from the browser, and a readable list of what is missing. */
export interface MissingFeature {
  name: string;
  why: string;
}

export function findMissingFeatures(): MissingFeature[] {
  const missing: MissingFeature[] = [];
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    missing.push({ name: "WebAssembly", why: "the v86 PC emulator is a WebAssembly module" });
  }
  if (!hasWebGL2()) {
    missing.push({ name: "WebGL2", why: "the virtual GPU renders with WebGL2 (enable hardware acceleration or use a current browser)" });
  }
  if (!globalThis.crossOriginIsolated) {
    missing.push({
      name: "cross-origin isolation",
      why:
        "SharedArrayBuffer needs the page served with Cross-Origin-Opener-Policy: same-origin and " +
        "Cross-Origin-Embedder-Policy: require-corp (the Vite dev/preview servers send them)",
    });
  }
  return missing;
}

function hasWebGL2(): boolean {
  try {
    const canvas = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(1, 1) : document.createElement("canvas");
    return canvas.getContext("webgl2") !== null;
  } catch {
    return false;
  }
}
