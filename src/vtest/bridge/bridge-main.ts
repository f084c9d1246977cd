// Entry of bridge.html: hosts the bridge with the page's renderer port, chosen by `?port=`:
// `webgl` (default) runs the real VirglRenderer on one WebGL2 context per client
// (webgl-port.ts); `recording` is the in-memory RecordingPort (caps from Node's HELLO, renders
// nothing). Exposes `window.webvirglVtestBridge = { status: string[], description }` for Playwright.

import { RecordingPort } from "../recording-port.ts";
import type { RendererPort } from "../renderer-port.ts";
import { hostBridge } from "./page-host.ts";
import { WebGlRendererPort } from "./webgl-port.ts";

declare global {
  interface Window {
    webvirglVtestBridge?: { status: string[]; description: string };
  }
}

type PagePortKind = "webgl" | "recording";

function describeWebGl(kind: PagePortKind): string {
  const gl = document.createElement("canvas").getContext("webgl2");
  const name = kind === "webgl" ? "WebGL2 renderer" : "recording port";
  if (!gl) return `page renderer: ${name} (no WebGL2)`;
  const ext = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  const text = `page renderer: ${name}; WebGL2 ${String(gl.getParameter(gl.VERSION))} on ${String(renderer)}`;
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return text;
}

const params = new URLSearchParams(location.search);
const url = params.get("ws");
const kind: PagePortKind = params.get("port") === "recording" ? "recording" : "webgl";
const out = document.getElementById("status");
const state = { status: [] as string[], description: describeWebGl(kind) };
window.webvirglVtestBridge = state;
const log = (t: string): void => {
  state.status.push(t);
  // Keep the page small over long conformance runs: the status list is for tests, not history.
  if (state.status.length > 200) state.status.splice(0, 100);
  if (out) out.textContent = state.status.slice(-50).join("\n");
};
const createPort = (caps: { capset1: Uint8Array; capset2: Uint8Array }): RendererPort =>
  kind === "webgl" ? new WebGlRendererPort({ warn: (m) => console.warn(m) }) : new RecordingPort(caps);
if (!url) {
  log("missing ?ws=ws://HOST:PORT/ parameter");
} else {
  log(state.description);
  hostBridge({ url, createPort, describe: () => state.description, onStatus: log });
}
