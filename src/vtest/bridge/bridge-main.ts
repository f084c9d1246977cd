// Entry of bridge.html: hosts the bridge with the page's renderer port. Until src/virgl provides
// a WebGL2 renderer port, the in-memory RecordingPort answers (caps from Node's HELLO).
// Exposes `window.webvirglVtestBridge = { status: string[], description }` for Playwright.

import { RecordingPort } from "../recording-port.ts";
import { hostBridge } from "./page-host.ts";

declare global {
  interface Window {
    webvirglVtestBridge?: { status: string[]; description: string };
  }
}

function describeWebGl(): string {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return "page renderer: recording port (no WebGL2)";
  const ext = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return `page renderer: recording port; WebGL2 ${String(gl.getParameter(gl.VERSION))} on ${String(renderer)}`;
}

const url = new URLSearchParams(location.search).get("ws");
const out = document.getElementById("status");
const state = { status: [] as string[], description: describeWebGl() };
window.webvirglVtestBridge = state;
const log = (t: string): void => {
  state.status.push(t);
  if (out) out.textContent += `${t}\n`;
};
if (!url) {
  log("missing ?ws=ws://HOST:PORT/ parameter");
} else {
  log(state.description);
  hostBridge({ url, createPort: (caps) => new RecordingPort(caps), describe: () => state.description, onStatus: log });
}
