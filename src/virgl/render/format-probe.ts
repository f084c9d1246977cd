// The real-context FormatProbe for caps.ts: creates a tiny texture per format, attaches it to a
// framebuffer, and reads a pixel back, checking getError / framebuffer status at each step. Run
// once at renderer start-up (≈150 formats, a few ms on SwiftShader); everything it creates is
// deleted again.

import type { FormatProbe } from "../caps.ts";
import type { FormatInfo } from "../conv/formats.ts";
import { readSpec } from "../conv/readback.ts";

const TEXTURE_2D = 0x0de1;
const FRAMEBUFFER = 0x8d40;
const COLOR_ATTACHMENT0 = 0x8ce0;
const FRAMEBUFFER_COMPLETE = 0x8cd5;
const NO_ERROR = 0;

export function createFormatProbe(gl: WebGL2RenderingContext): FormatProbe {
  const results = new Map<number, { texture: boolean; render: boolean; readback: boolean }>();
  const drain = (): void => {
    for (let i = 0; i < 16 && gl.getError() !== NO_ERROR; i++);
  };
  const probe = (f: FormatInfo) => {
    const hit = results.get(f.id);
    if (hit) return hit;
    drain();
    const out = { texture: false, render: false, readback: false };
    const tex = gl.createTexture();
    const fb = gl.createFramebuffer();
    try {
      gl.bindTexture(TEXTURE_2D, tex);
      gl.texStorage2D(TEXTURE_2D, 1, f.internalFormat, f.blockWidth * 2, f.blockHeight * 2);
      out.texture = gl.getError() === NO_ERROR;
      if (out.texture && !f.compressed && !f.depth) {
        gl.bindFramebuffer(FRAMEBUFFER, fb);
        gl.framebufferTexture2D(FRAMEBUFFER, COLOR_ATTACHMENT0, TEXTURE_2D, tex, 0);
        out.render = gl.checkFramebufferStatus(FRAMEBUFFER) === FRAMEBUFFER_COMPLETE && gl.getError() === NO_ERROR;
        const spec = readSpec(f);
        if (out.render && spec) {
          const buf = new ArrayBuffer(spec.bytes);
          const view = spec.array === "f32" ? new Float32Array(buf) : spec.array === "u32" ? new Uint32Array(buf) : spec.array === "i32" ? new Int32Array(buf) : new Uint8Array(buf);
          gl.readPixels(0, 0, 1, 1, spec.format, spec.type, view);
          out.readback = gl.getError() === NO_ERROR;
        }
      }
    } finally {
      gl.bindFramebuffer(FRAMEBUFFER, null);
      gl.bindTexture(TEXTURE_2D, null);
      gl.deleteFramebuffer(fb);
      gl.deleteTexture(tex);
      drain();
    }
    results.set(f.id, out);
    return out;
  };
  return {
    texture: (f) => probe(f).texture,
    render: (f) => probe(f).render,
    readback: (f) => probe(f).readback,
  };
}
