// Multisample resources (nr_samples > 1). WebGL2 has no multisample textures, only multisample
// renderbuffers, so — like vrend on GLES hosts without texture_multisample — a multisample resource
// is two GL objects:
// * `rb`: a renderbufferStorageMultisample renderbuffer, what framebuffers attach (draws, clears);
// * the resource's ordinary single-sample `texture`: the *resolved* copy, what everything that reads
//   the resource uses (sampling, BLIT / copy sources, FROM_HOST readback, scanout).
// A framebuffer bind marks the renderbuffer dirty; `resolveMsaa` blits it into the texture
// (blitFramebuffer from a multisample read framebuffer = GL's resolve: colour averaged, depth /
// stencil and integer formats pick one sample) before any reader, and only when dirty.
// Limits (documented in caps.md): sampling a multisample view returns the resolved texel for every
// sample index; writes into a multisample resource other than rendering (TO_HOST transfers, BLIT /
// copy destinations) are rejected — Mesa never issues them (it renders or blits through a
// single-sample temporary).

import type { FormatInfo } from "../conv/formats.ts";
import type { GlObjects } from "./gl-objects.ts";
import type { GpuResource } from "./resources.ts";
import type { GlStateCache } from "./state-cache.ts";

const RENDERBUFFER = 0x8d41;
const SAMPLES = 0x80a9;
const READ_FRAMEBUFFER = 0x8ca8;
const DRAW_FRAMEBUFFER = 0x8ca9;
const COLOR_ATTACHMENT0 = 0x8ce0;
const DEPTH_ATTACHMENT = 0x8d00;
const DEPTH_STENCIL_ATTACHMENT = 0x821a;
const COLOR_BUFFER_BIT = 0x4000;
const DEPTH_BUFFER_BIT = 0x100;
const STENCIL_BUFFER_BIT = 0x400;
const NEAREST = 0x2600;
const SCISSOR_TEST = 0x0c11;
const DRAW_FRAMEBUFFER_BINDING = 0x8ca6;
const TEXTURE_2D = 0x0de1;
const NO_ERROR = 0;

export interface MsaaStorage {
  rb: WebGLRenderbuffer;
  /** Samples GL actually gave the renderbuffer (≥ the requested count). */
  samples: number;
  /** Rendered to since the last resolve. */
  dirty: boolean;
}

/** The framebuffer attachment point of a format. */
export function attachmentPoint(f: FormatInfo): number {
  return f.depth ? (f.stencil ? DEPTH_STENCIL_ATTACHMENT : DEPTH_ATTACHMENT) : COLOR_ATTACHMENT0;
}

/** Creates the multisample renderbuffer of a `width`×`height` resource; error message on failure. */
export function createMsaaStorage(gl: WebGL2RenderingContext, objs: GlObjects, f: FormatInfo, samples: number, width: number, height: number): MsaaStorage | string {
  const counts = gl.getInternalformatParameter(RENDERBUFFER, f.internalFormat, SAMPLES) as Int32Array | null;
  const max = counts && counts.length > 0 ? Math.max(...counts) : 0;
  if (samples > max) return `format ${f.name} allows at most ${max} samples here, ${samples} requested`;
  const rb = objs.renderbuffer();
  gl.bindRenderbuffer(RENDERBUFFER, rb);
  gl.renderbufferStorageMultisample(RENDERBUFFER, samples, f.internalFormat, width, height);
  gl.bindRenderbuffer(RENDERBUFFER, null);
  const err = gl.getError();
  if (err !== NO_ERROR) {
    objs.deleteRenderbuffer(rb);
    return `renderbufferStorageMultisample(${samples}, ${f.name}, ${width}x${height}) failed (0x${err.toString(16)})`;
  }
  return { rb, samples, dirty: false };
}

export interface ResolveEnv {
  gl: WebGL2RenderingContext;
  state: GlStateCache;
  objs: GlObjects;
  /** A scratch read framebuffer (the renderer's). */
  readFb: WebGLFramebuffer;
}

/**
 * Before a GPU copy (BLIT, RESOURCE_COPY_REGION): the source's resolved copy is brought up to date;
 * a multisample destination is refused (WebGL2 cannot blit into a multisample framebuffer).
 */
export function prepareGpuCopy(env: ResolveEnv, src: GpuResource, dst: GpuResource): string | null {
  if (dst.msaa) return `copies into multisample resource ${dst.desc.handle} are not supported (WebGL2 cannot blit into a multisample framebuffer)`;
  resolveMsaa(env, src);
  return null;
}

/**
 * Brings the resolved texture of a multisample resource up to date (no-op otherwise). Transparent
 * to its caller: the draw framebuffer binding and the scissor enable are restored, so it may run in
 * the middle of a draw's setup (sampler binding) or a blit.
 */
export function resolveMsaa(env: ResolveEnv, r: GpuResource): void {
  const m = r.msaa;
  if (!m || !m.dirty || !r.texture || !r.fmt) return;
  const { gl, state } = env;
  const prevDraw = gl.getParameter(DRAW_FRAMEBUFFER_BINDING) as WebGLFramebuffer | null;
  const prevScissor = gl.isEnabled(SCISSOR_TEST);
  const point = attachmentPoint(r.fmt);
  const bits = r.fmt.depth ? DEPTH_BUFFER_BIT | (r.fmt.stencil ? STENCIL_BUFFER_BIT : 0) : COLOR_BUFFER_BIT;
  const drawFb = env.objs.framebuffer();
  try {
    state.readFramebuffer(env.readFb);
    gl.framebufferRenderbuffer(READ_FRAMEBUFFER, point, RENDERBUFFER, m.rb);
    if (point === COLOR_ATTACHMENT0) gl.readBuffer(COLOR_ATTACHMENT0);
    state.drawFramebuffer(drawFb);
    gl.framebufferTexture2D(DRAW_FRAMEBUFFER, point, TEXTURE_2D, r.texture, 0);
    gl.drawBuffers([point === COLOR_ATTACHMENT0 ? COLOR_ATTACHMENT0 : 0]);
    state.setEnabled(SCISSOR_TEST, false); // resolves cover the whole surface
    const w = r.desc.width;
    const h = r.desc.height;
    gl.blitFramebuffer(0, 0, w, h, 0, 0, w, h, bits, NEAREST);
    m.dirty = false;
  } finally {
    gl.framebufferRenderbuffer(READ_FRAMEBUFFER, point, RENDERBUFFER, null);
    state.drawFramebuffer(prevDraw);
    state.setEnabled(SCISSOR_TEST, prevScissor);
    env.objs.deleteFramebuffer(drawFb);
  }
}
