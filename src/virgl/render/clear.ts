// CLEAR with gallium semantics: the whole surface, ignoring scissor and colour/depth/stencil write
// masks (pipe->clear), so those are forced open through the state cache first. Colours arrive as
// raw bits: floats for normalized/float buffers, integers for integer buffers.

import type { CommandOf } from "../decode/types.ts";
import { Clear } from "../protocol.ts";
import type { Attachment } from "./framebuffer.ts";
import { clearColorFor } from "./srgb-write.ts";
import { Caps, type GlStateCache } from "./state-cache.ts";

const COLOR = 0x1800;
const DEPTH = 0x1801;
const STENCIL = 0x1802;
const DEPTH_STENCIL = 0x84f9;

export function executeClear(gl: WebGL2RenderingContext, state: GlStateCache, cmd: CommandOf<"CLEAR">, color: (Attachment | null)[], depth: Attachment | null): void {
  state.setEnabled(Caps.SCISSOR_TEST, false);
  state.setEnabled(Caps.RASTERIZER_DISCARD, false);
  const bits = Uint32Array.from(cmd.color);
  const asFloat = new Float32Array(bits.buffer);
  const asInt = new Int32Array(bits.buffer);
  for (let i = 0; i < color.length; i++) {
    const a = color[i];
    if (!a || !(cmd.buffers & (Clear.COLOR0 << i))) continue;
    state.colorMask(true, true, true, true);
    const ch = a.res.fmt?.channel;
    if (ch === "uint") gl.clearBufferuiv(COLOR, i, bits);
    else if (ch === "sint") gl.clearBufferiv(COLOR, i, asInt);
    else if (a.res.fmt?.cpu.kind === "norm16-f32") {
      // 16-bit normalized stored as float (formats.ts): clamp like the normalized buffer would
      const lo = a.res.fmt.cpu.signed ? -1 : 0;
      gl.clearBufferfv(COLOR, i, asFloat.map((v) => Math.min(1, Math.max(lo, v))));
    } else gl.clearBufferfv(COLOR, i, clearColorFor(a, asFloat));
  }
  if (!depth) return;
  const wantDepth = (cmd.buffers & Clear.DEPTH) !== 0 && depth.res.fmt?.depth === true;
  const wantStencil = (cmd.buffers & Clear.STENCIL) !== 0 && depth.res.fmt?.stencil === true;
  if (wantDepth) state.depthMask(true);
  if (wantStencil) {
    state.stencilMask(Caps.FRONT, 0xff);
    state.stencilMask(Caps.BACK, 0xff);
  }
  const d = Math.min(1, Math.max(0, cmd.depth));
  if (wantDepth && wantStencil) gl.clearBufferfi(DEPTH_STENCIL, 0, d, cmd.stencil & 0xff);
  else if (wantDepth) gl.clearBufferfv(DEPTH, 0, [d]);
  else if (wantStencil) gl.clearBufferiv(STENCIL, 0, [cmd.stencil & 0xff]);
}
