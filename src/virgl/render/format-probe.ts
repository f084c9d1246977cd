// The real-context FormatProbe for caps.ts: creates a tiny texture per format, attaches it to a
// framebuffer, and reads a pixel back, checking getError / framebuffer status at each step; asks
// the context how many samples a renderbuffer of the format may have. Run once at renderer
// start-up (≈150 formats, a few ms on SwiftShader); everything it creates is deleted again.
//
// Each question is answered (and cached) when it is first asked, not earlier: buildCaps enables an
// extension (getExtension) right before it asks about the formats that need it, and a colour-
// buffer-float format probed for rendering before EXT_color_buffer_float was enabled would be
// remembered as unrenderable (that cost the guest GLES 3.0: no float render targets).

import type { FormatProbe } from "../caps.ts";
import type { FormatInfo } from "../conv/formats.ts";
import { readbackView, readSpec } from "../conv/readback.ts";

const TEXTURE_2D = 0x0de1;
const FRAMEBUFFER = 0x8d40;
const RENDERBUFFER = 0x8d41;
const COLOR_ATTACHMENT0 = 0x8ce0;
const FRAMEBUFFER_COMPLETE = 0x8cd5;
const SAMPLES = 0x80a9;
const NO_ERROR = 0;

type Question = "texture" | "render" | "readback" | "samples";

export function createFormatProbe(gl: WebGL2RenderingContext): FormatProbe {
  const cache = new Map<string, boolean | number>();
  const drain = (): void => {
    for (let i = 0; i < 16 && gl.getError() !== NO_ERROR; i++);
  };
  /** Runs `body` with a fresh 2×2-block texture of the format bound (and a framebuffer); cleans up. */
  const withTexture = <R>(f: FormatInfo, fail: R, body: (fb: WebGLFramebuffer, tex: WebGLTexture) => R): R => {
    drain();
    const tex = gl.createTexture();
    const fb = gl.createFramebuffer();
    try {
      gl.bindTexture(TEXTURE_2D, tex);
      gl.texStorage2D(TEXTURE_2D, 1, f.internalFormat, f.blockWidth * 2, f.blockHeight * 2);
      if (gl.getError() !== NO_ERROR) return fail;
      return body(fb, tex);
    } finally {
      gl.bindFramebuffer(FRAMEBUFFER, null);
      gl.bindTexture(TEXTURE_2D, null);
      gl.deleteFramebuffer(fb);
      gl.deleteTexture(tex);
      drain();
    }
  };
  const attachOk = (fb: WebGLFramebuffer, tex: WebGLTexture): boolean => {
    gl.bindFramebuffer(FRAMEBUFFER, fb);
    gl.framebufferTexture2D(FRAMEBUFFER, COLOR_ATTACHMENT0, TEXTURE_2D, tex, 0);
    return gl.checkFramebufferStatus(FRAMEBUFFER) === FRAMEBUFFER_COMPLETE && gl.getError() === NO_ERROR;
  };
  const answer = (q: Question, f: FormatInfo): boolean | number => {
    switch (q) {
      case "texture":
        return withTexture(f, false, () => true);
      case "render":
        if (f.compressed || f.depth) return false;
        return withTexture(f, false, attachOk);
      case "readback": {
        const spec = readSpec(f);
        if (!spec || f.compressed || f.depth) return false;
        return withTexture(f, false, (fb, tex) => {
          if (!attachOk(fb, tex)) return false;
          const buf = new ArrayBuffer(spec.bytes);
          const view = readbackView(spec, buf);
          gl.readPixels(0, 0, 1, 1, spec.format, spec.type, view);
          return gl.getError() === NO_ERROR;
        });
      }
      case "samples": {
        if (f.compressed) return 0;
        drain();
        const counts = gl.getInternalformatParameter(RENDERBUFFER, f.internalFormat, SAMPLES) as Int32Array | null;
        const ok = gl.getError() === NO_ERROR;
        return ok && counts && counts.length > 0 ? Math.max(...counts) : 0;
      }
    }
  };
  const ask = (q: Question, f: FormatInfo): boolean | number => {
    const key = `${q}:${f.id}`;
    let v = cache.get(key);
    if (v === undefined) {
      v = answer(q, f);
      cache.set(key, v);
    }
    return v;
  };
  return {
    texture: (f) => ask("texture", f) === true,
    render: (f) => ask("render", f) === true,
    readback: (f) => ask("readback", f) === true,
    maxSamples: (f) => ask("samples", f) as number,
  };
}
