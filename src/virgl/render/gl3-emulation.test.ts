// Unit tests (Node, fake GL) for the pieces that lift the guest to GL 3.0: CPU conditional rendering
// (queries.ts), independent blend overrides (indexed-blend.ts), sRGB write control (srgb-write.ts),
// texture-buffer mirror geometry (texture-buffers.ts).
import { describe, expect, it } from "vitest";
import { formatInfo } from "../conv/formats.ts";
import type { BlendRt, BlendState } from "../decode/types.ts";
import { Obj, Query } from "../protocol.ts";
import { VirglContext } from "./context.ts";
import type { ExecEnv } from "./exec-env.ts";
import type { Attachment } from "./framebuffer.ts";
import { GlObjects } from "./gl-objects.ts";
import { type IndexedBlendGl, applyIndependentBlend, overrideTargets } from "./indexed-blend.ts";
import { QueryManager, RenderCondMode } from "./queries.ts";
import type { GpuResource } from "./resources.ts";
import { clearColorFor, srgbDecode, srgbEncode, srgbOutputKey, srgbWriteConversion } from "./srgb-write.ts";
import { GlStateCache } from "./state-cache.ts";
import { TBO_ROW_ELEMENTS, tboLayout } from "./texture-buffers.ts";
import { SubContext } from "./sub-context.ts";

/** A fake WebGL2 with queries whose availability the test controls. */
function fakeQueryGl() {
  let next = 1;
  const results = new Map<number, { available: boolean; value: number }>();
  let current: number | null = null;
  const gl = {
    createQuery: () => ({ id: next++ }) as unknown as WebGLQuery,
    deleteQuery: () => {},
    beginQuery: (_t: number, q: WebGLQuery) => {
      current = (q as unknown as { id: number }).id;
      results.set(current, { available: false, value: 0 });
    },
    endQuery: () => {
      current = null;
    },
    getQueryParameter: (q: WebGLQuery, p: number) => {
      const r = results.get((q as unknown as { id: number }).id)!;
      return p === 0x8867 ? r.available : r.value === 0 ? false : true;
    },
  };
  /** Makes every query available with `value` (what the next task would see). */
  const finish = (value: number): void => {
    for (const r of results.values()) Object.assign(r, { available: true, value });
  };
  return { gl: gl as unknown as WebGL2RenderingContext, finish, current: () => current };
}

function setup() {
  const f = fakeQueryGl();
  const objs = new GlObjects(f.gl);
  const qm = new QueryManager(f.gl, objs);
  const ctx = new VirglContext(1, "t");
  const sub = new SubContext(0);
  ctx.subs.set(0, sub);
  ctx.current = sub;
  sub.objects.set(5, { type: Obj.QUERY, value: { queryType: Query.OCCLUSION_PREDICATE, index: 0, res: 9, offset: 0, gl: null, active: false } });
  const env = { ctx, resources: new Map(), writes: [], queries: qm } as unknown as ExecEnv;
  return { ...f, objs, qm, env, sub };
}

describe("conditional rendering (CPU-side, never stalls)", () => {
  it("renders when no condition is set or the query never ended", () => {
    const { qm, env, sub } = setup();
    expect(qm.renderCheck(env, sub)).toBe("render");
    expect(qm.setCondition(env, sub, 5, false, RenderCondMode.WAIT)).toBeNull();
    expect(qm.renderCheck(env, sub)).toBe("render");
  });
  it("skips when the result is known and fails the condition; honours the inverted condition", () => {
    const { qm, env, sub, finish } = setup();
    qm.begin(env, sub, 5);
    qm.end(env, sub, 5);
    finish(0); // no samples passed
    qm.setCondition(env, sub, 5, false, RenderCondMode.WAIT);
    expect(qm.renderCheck(env, sub)).toBe("skip");
    expect(qm.conditionalSkips).toBe(1);
    qm.setCondition(env, sub, 5, true, RenderCondMode.WAIT); // inverted: render iff result == 0
    expect(qm.renderCheck(env, sub)).toBe("render");
    qm.setCondition(env, sub, 0, false, 0); // off
    expect(qm.renderCheck(env, sub)).toBe("render");
  });
  it("an unavailable result renders in NO_WAIT modes and asks WAIT modes to wait", () => {
    const { qm, env, sub, finish } = setup();
    qm.begin(env, sub, 5);
    qm.end(env, sub, 5);
    qm.setCondition(env, sub, 5, false, RenderCondMode.NO_WAIT);
    expect(qm.renderCheck(env, sub)).toBe("render");
    expect(qm.unresolvedConditions).toBe(1);
    qm.setCondition(env, sub, 5, false, RenderCondMode.BY_REGION_WAIT);
    expect(qm.renderCheck(env, sub)).toBe("wait");
    expect(qm.suspendedConditions).toBe(1);
    finish(1);
    expect(qm.renderCheck(env, sub)).toBe("render");
    expect(qm.conditionalSkips).toBe(0);
  });
  it("the result stays usable after GET_QUERY_RESULT consumed it; GL queries are freed exactly once", () => {
    const { qm, env, sub, finish, objs } = setup();
    env.resources = new Map([[9, { desc: { handle: 9, width: 64 }, shadow: new Uint8Array(64), attachedTo: new Set([1]) } as unknown as GpuResource]]);
    env.ctx.attached.add(9);
    qm.begin(env, sub, 5);
    qm.end(env, sub, 5);
    qm.request(env, sub, 5);
    finish(0);
    expect(qm.poll(env.resources).length).toBe(1);
    qm.setCondition(env, sub, 5, false, RenderCondMode.WAIT);
    expect(qm.renderCheck(env, sub)).toBe("skip");
    expect(objs.counts().query).toBe(1); // still referenced by the condition
    qm.release(1);
    expect(objs.counts().query ?? 0).toBe(0);
    expect(qm.renderCheck(env, sub)).toBe("render"); // condition dropped with the context
  });
  it("rejects a condition on a missing query or an unknown mode", () => {
    const { qm, env, sub } = setup();
    expect(qm.setCondition(env, sub, 6, false, 0)).toMatch(/query 6 does not exist/);
    expect(qm.setCondition(env, sub, 5, false, 9)).toMatch(/mode 9/);
  });
});

const rt = (o: Partial<BlendRt> = {}): BlendRt => ({ blendEnable: false, rgbFunc: 0, rgbSrcFactor: 1, rgbDstFactor: 0x11, alphaFunc: 0, alphaSrcFactor: 1, alphaDstFactor: 0x11, colormask: 0xf, ...o });
const blendState = (rts: BlendRt[], independent: boolean): BlendState => ({
  independentBlendEnable: independent,
  logicopEnable: false,
  dither: false,
  alphaToCoverage: false,
  alphaToOne: false,
  logicopFunc: 0,
  rt: [...rts, ...Array.from({ length: 8 - rts.length }, () => rt())],
});

describe("independent blend overrides", () => {
  it("only buffers whose state differs from target 0 (or whose no-alpha rewrite differs)", () => {
    const b = blendState([rt(), rt({ colormask: 0x1 }), rt(), rt({ blendEnable: true })], true);
    expect(overrideTargets(b, [false, false, false, false])).toEqual([1, 3]);
    expect(overrideTargets(blendState([rt(), rt({ colormask: 0 })], false), [false, false])).toEqual([]); // not independent: rt[0] for all
    const blendAll = blendState([rt({ blendEnable: true, rgbDstFactor: 0x04 })], false); // DST_ALPHA
    expect(overrideTargets(blendAll, [false, true])).toEqual([1]);
  });
  it("issues indexed calls and forgets the cached global blend state", () => {
    const calls: string[] = [];
    const ext: IndexedBlendGl = {
      enableiOES: (_c, i) => calls.push(`enable ${i}`),
      disableiOES: (_c, i) => calls.push(`disable ${i}`),
      blendEquationSeparateiOES: (i, a, b) => calls.push(`eq ${i} ${a} ${b}`),
      blendFuncSeparateiOES: (i, a, b, c, d) => calls.push(`func ${i} ${a} ${b} ${c} ${d}`),
      colorMaskiOES: (i, r, g, b, a) => calls.push(`mask ${i} ${+r}${+g}${+b}${+a}`),
    };
    const glCalls: string[] = [];
    const stateGl = new Proxy({}, { get: (_t, name) => () => glCalls.push(String(name)) }) as ConstructorParameters<typeof GlStateCache>[0];
    const state = new GlStateCache(stateGl);
    state.colorMask(true, true, true, true);
    const att = (id: number): Attachment => ({ res: { fmt: formatInfo(id) } as GpuResource, level: 0, layer: 0 });
    const b = blendState([rt(), rt({ colormask: 0x3 })], true);
    expect(applyIndependentBlend(ext, state, b, [att(67), att(67)])).toBeNull();
    expect(calls).toEqual(["disable 1", "mask 1 1100"]);
    glCalls.length = 0;
    state.colorMask(true, true, true, true); // forgotten: reaches GL again (resets every buffer)
    expect(glCalls).toEqual(["colorMask"]);
  });
});

describe("sRGB write control", () => {
  const att = (surface: number | undefined, storage: number): Attachment => ({ res: { fmt: formatInfo(storage) } as GpuResource, level: 0, layer: 0, format: surface });
  it("linear surface on sRGB storage decodes, sRGB surface on linear storage encodes, same-space does nothing", () => {
    expect(srgbWriteConversion(att(67, 104))).toBe("decode"); // R8G8B8A8_UNORM view of R8G8B8A8_SRGB
    expect(srgbWriteConversion(att(100, 1))).toBe("encode"); // B8G8R8A8_SRGB view of B8G8R8A8_UNORM
    expect(srgbWriteConversion(att(104, 104))).toBeUndefined();
    expect(srgbWriteConversion(att(undefined, 104))).toBeUndefined();
    expect(srgbOutputKey([att(67, 67), null])).toBeUndefined();
    expect(srgbOutputKey([att(67, 67), att(67, 104)])).toEqual([undefined, "decode"]);
  });
  it("transfer functions invert each other on every 8-bit code; CLEAR colours convert RGB only", () => {
    for (let k = 0; k < 256; k++) expect(Math.round(srgbEncode(srgbDecode(k / 255)) * 255)).toBe(k);
    const c = clearColorFor(att(67, 104), Float32Array.of(0.5, 0, 1, 0.5));
    expect([c[0], c[1], c[2], c[3]].map((x) => +x.toFixed(4))).toEqual([0.214, 0, 1, 0.5]);
  });
});

describe("texture buffer mirrors", () => {
  it("one exact row up to 2048 elements, then full rows plus a partial last row", () => {
    expect(tboLayout(0)).toEqual({ width: 1, rows: 1, fullRows: 0, rest: 0 });
    expect(tboLayout(100)).toEqual({ width: 100, rows: 1, fullRows: 1, rest: 0 });
    expect(tboLayout(TBO_ROW_ELEMENTS)).toEqual({ width: 2048, rows: 1, fullRows: 1, rest: 0 });
    expect(tboLayout(2900)).toEqual({ width: 2048, rows: 2, fullRows: 1, rest: 852 });
  });
});
