/**
 * Which present mode the worker uses when the page asks for "auto" (the default).
 *
 * Where the browser composites in software — Chromium does whenever WebGL itself runs on a
 * software rasterizer (SwiftShader; chrome://gpu then says "Compositing: Software only") — every
 * WebGL canvas frame is read back by the browser after the frame callback (a synchronous
 * ReadPixels of the drawing buffer) and copied into a shared bitmap. The only way such a frame
 * reaches the screen is as CPU pixels, so "readback" does that readback itself, straight from the
 * scanout texture, and skips the full-screen draw into the drawing buffer that the WebGL canvas
 * needs first (on SwiftShader the draw is the larger cost: README "Present modes").
 * With a hardware GPU the WebGL canvas is composited without a copy, and reading pixels back
 * would only add one: "damage" stays the choice there.
 */
import type { PresentMode, PresentModeRequest } from "./protocol.ts";

/** Renderer strings (UNMASKED_RENDERER_WEBGL) of software rasterizers. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software rasterizer|microsoft basic render/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

/** The mode to use for `requested` on a context whose renderer string is `renderer`. */
export function resolvePresentMode(requested: PresentModeRequest, renderer: string): PresentMode {
  if (requested !== "auto") return requested;
  return isSoftwareRenderer(renderer) ? "readback" : "damage";
}
