import { describe, expect, it } from "vitest";
import { Caps, GlStateCache, type StateGl } from "./state-cache.ts";

function recorder(): { gl: StateGl; log: string[] } {
  const log: string[] = [];
  const gl = new Proxy({} as StateGl, {
    get: (_t, name: string) => (...args: unknown[]) => {
      log.push(`${name}(${args.map((a) => (a === null ? "null" : String(a))).join(",")})`);
    },
  });
  return { gl, log };
}

describe("GlStateCache", () => {
  it("skips redundant calls", () => {
    const { gl, log } = recorder();
    const s = new GlStateCache(gl);
    s.setEnabled(Caps.BLEND, true);
    s.setEnabled(Caps.BLEND, true);
    s.blendFunc(1, 0, 1, 0);
    s.blendFunc(1, 0, 1, 0);
    s.blendFunc(1, 0x303, 1, 0);
    s.viewport(0, 0, 64, 64);
    s.viewport(0, 0, 64, 64);
    expect(log).toEqual([`enable(${Caps.BLEND})`, "blendFuncSeparate(1,0,1,0)", "blendFuncSeparate(1,771,1,0)", "viewport(0,0,64,64)"]);
    expect(s.skipped).toBe(3);
  });
  it("per-face stencil state is keyed by face", () => {
    const { gl, log } = recorder();
    const s = new GlStateCache(gl);
    s.stencilMask(Caps.FRONT, 0xff);
    s.stencilMask(Caps.BACK, 0xff);
    s.stencilMask(Caps.FRONT, 0xff);
    expect(log.length).toBe(2);
  });
  it("forget makes the next call reach GL; reset applies defaults once", () => {
    const { gl, log } = recorder();
    const s = new GlStateCache(gl);
    s.depthMask(false);
    s.forget();
    s.depthMask(false);
    expect(log).toEqual(["depthMask(false)", "depthMask(false)"]);
    log.length = 0;
    s.reset();
    const n = log.length;
    expect(n).toBeGreaterThan(20);
    expect(log).toContain("depthMask(true)");
    expect(log).toContain(`disable(${Caps.SCISSOR_TEST})`);
    s.depthMask(true);
    s.colorMask(true, true, true, true);
    s.drawFramebuffer(null);
    expect(log.length).toBe(n);
  });
  it("dropObject forgets bindings of a deleted object", () => {
    const { gl, log } = recorder();
    const s = new GlStateCache(gl);
    const fb = {} as WebGLFramebuffer;
    s.drawFramebuffer(fb);
    s.dropObject(fb);
    s.drawFramebuffer(fb);
    expect(log.length).toBe(2);
  });
});
