import { describe, expect, it } from "vitest";
import { BlendFactor } from "../conv/state.ts";
import { formatInfo } from "../conv/formats.ts";
import { Obj } from "../protocol.ts";
import type { BlendState, DsaState, RasterizerState } from "../decode/types.ts";
import { applyPipelineState, RS } from "./pipeline-state.ts";
import type { Attachment } from "./framebuffer.ts";
import type { GpuResource } from "./resources.ts";
import { Caps, GlStateCache, type StateGl } from "./state-cache.ts";
import { SubContext } from "./sub-context.ts";

function recorder(): { gl: StateGl; log: string[] } {
  const log: string[] = [];
  const gl = new Proxy({} as StateGl, {
    get: (_t, name: string) => (...args: unknown[]) => {
      log.push(`${name}(${args.join(",")})`);
    },
  });
  return { gl, log };
}

const rs = (s0: number, extra: Partial<RasterizerState> = {}): RasterizerState => ({
  s0,
  pointSize: 3,
  spriteCoordEnable: 0,
  lineStipplePattern: 0,
  lineStippleFactor: 0,
  clipPlaneEnable: 0,
  lineWidth: 2,
  offsetUnits: 4,
  offsetScale: 1.5,
  offsetClamp: 0,
  ...extra,
});
const blendOn = (rgbSrc: number, rgbDst: number, mask = 0xf): BlendState => ({
  independentBlendEnable: false,
  logicopEnable: false,
  dither: false,
  alphaToCoverage: false,
  alphaToOne: false,
  logicopFunc: 0,
  rt: Array.from({ length: 8 }, () => ({ blendEnable: true, rgbFunc: 0, rgbSrcFactor: rgbSrc, rgbDstFactor: rgbDst, alphaFunc: 4, alphaSrcFactor: 1, alphaDstFactor: 1, colormask: mask })),
});
const dsa = (over: Partial<DsaState> = {}): DsaState => ({
  depthEnabled: true,
  depthWritemask: true,
  depthFunc: 3,
  alphaEnabled: false,
  alphaFunc: 7,
  stencil: [
    { enabled: true, func: 2, failOp: 1, zpassOp: 2, zfailOp: 3, valuemask: 0xf0, writemask: 0x0f },
    { enabled: false, func: 0, failOp: 0, zpassOp: 0, zfailOp: 0, valuemask: 0, writemask: 0 },
  ],
  alphaRef: 0.5,
  ...over,
});
const colorAtt = (format: number): Attachment => ({ res: { fmt: formatInfo(format) } as unknown as GpuResource, level: 0, layer: 0 });

function sub(): SubContext {
  const s = new SubContext(1);
  s.viewports[0] = { scale: [32, 16, 0.5], translate: [32, 16, 0.5] };
  return s;
}

describe("applyPipelineState", () => {
  it("viewport, depth range, culling and polygon offset from the rasterizer", () => {
    const { gl, log } = recorder();
    const s = sub();
    s.objects.set(1, { type: Obj.RASTERIZER, value: rs(RS.depthClip | RS.frontCcw | (2 << 8) | RS.offsetTri) });
    s.rasterizer = 1;
    const out = applyPipelineState(new GlStateCache(gl), s, [colorAtt(67)]);
    expect(out).toEqual({ yflip: false, pointSize: 3, alphaRef: 0 });
    expect(log).toContain("viewport(0,0,64,32)");
    expect(log).toContain("depthRange(0,1)");
    expect(log).toContain(`enable(${Caps.CULL_FACE})`);
    expect(log).toContain(`cullFace(${Caps.BACK})`);
    // gallium front_ccw is y-down winding: GL sees the opposite one
    expect(log).toContain(`frontFace(${0x0900})`);
    expect(log).toContain("polygonOffset(1.5,4)");
    expect(log).toContain("lineWidth(2)");
  });

  it("a negative y scale becomes a positive viewport + yflip; the front face does not flip with it", () => {
    const { gl, log } = recorder();
    const s = sub();
    s.viewports[0] = { scale: [32, -16, 0.5], translate: [32, 16, 0.5] };
    s.objects.set(1, { type: Obj.RASTERIZER, value: rs(RS.frontCcw) });
    s.rasterizer = 1;
    const out = applyPipelineState(new GlStateCache(gl), s, [colorAtt(67)]);
    expect(out).toMatchObject({ yflip: true });
    expect(log).toContain("viewport(0,0,64,32)");
    expect(log).toContain(`frontFace(${0x0900})`);
  });

  it("front_ccw clear (Mesa's value for GL's default CCW into an FBO) is GL CCW", () => {
    const { gl, log } = recorder();
    const s = sub();
    s.objects.set(1, { type: Obj.RASTERIZER, value: rs(RS.depthClip | (2 << 8)) });
    s.rasterizer = 1;
    applyPipelineState(new GlStateCache(gl), s, [colorAtt(67)]);
    expect(log).not.toContain(`frontFace(${0x0900})`); // the cache starts at CCW: no call, or CCW
  });

  it("scissor only when the rasterizer enables it", () => {
    const { gl, log } = recorder();
    const s = sub();
    s.scissors[0] = { minx: 2, miny: 3, maxx: 10, maxy: 7 };
    s.objects.set(1, { type: Obj.RASTERIZER, value: rs(RS.scissor) });
    s.rasterizer = 1;
    applyPipelineState(new GlStateCache(gl), s, [colorAtt(67)]);
    expect(log).toContain(`enable(${Caps.SCISSOR_TEST})`);
    expect(log).toContain("scissor(2,3,8,4)");
  });

  it("blend factors, equations and colour mask; DST_ALPHA is ONE on X8 targets", () => {
    const { gl, log } = recorder();
    const s = sub();
    s.objects.set(2, { type: Obj.BLEND, value: blendOn(BlendFactor.SRC_ALPHA, BlendFactor.INV_DST_ALPHA, 0b0101) });
    s.blend = 2;
    applyPipelineState(new GlStateCache(gl), s, [colorAtt(67)]);
    expect(log).toContain(`blendFuncSeparate(${0x302},${0x305},1,1)`);
    expect(log).toContain(`blendEquationSeparate(${0x8006},${0x8008})`);
    expect(log).toContain("colorMask(true,false,true,false)");
    const r2 = recorder();
    applyPipelineState(new GlStateCache(r2.gl), s, [colorAtt(2)]); // B8G8R8X8
    expect(r2.log).toContain(`blendFuncSeparate(${0x302},0,1,1)`); // INV_DST_ALPHA → ZERO
  });

  it("depth and two-sided stencil with refs", () => {
    const { gl, log } = recorder();
    const s = sub();
    s.objects.set(3, { type: Obj.DSA, value: dsa() });
    s.dsa = 3;
    s.stencilRef = [7, 9];
    const out = applyPipelineState(new GlStateCache(gl), s, []);
    expect(out).toMatchObject({ alphaRef: 0.5 });
    expect(log).toContain(`depthFunc(${0x203})`);
    expect(log).toContain("depthMask(true)");
    // back face disabled: it mirrors the front state and ref (one-sided stencil)
    expect(log).toContain(`stencilFuncSeparate(${Caps.FRONT},${0x202},7,240)`);
    expect(log).toContain(`stencilFuncSeparate(${Caps.BACK},${0x202},7,240)`);
    expect(log).toContain(`stencilOpSeparate(${Caps.FRONT},0,${0x1e02},${0x1e01})`);
    expect(log).toContain(`stencilMaskSeparate(${Caps.FRONT},15)`);
  });

  it("unsupported blend factors are reported, not guessed", () => {
    const { gl } = recorder();
    const s = sub();
    s.objects.set(2, { type: Obj.BLEND, value: blendOn(0x16, BlendFactor.ONE) });
    s.blend = 2;
    expect(applyPipelineState(new GlStateCache(gl), s, [colorAtt(67)])).toMatch(/unsupported/);
  });
});
