// Unit tests: primitive decomposition for stream output, PRIMITIVES_GENERATED counting (pure and
// through QueryManager with a fake GL), and the attribute gather of decomposed capture lists.
import { describe, expect, it } from "vitest";
import { Obj, Prim, Query } from "../protocol.ts";
import { VirglContext } from "./context.ts";
import type { ExecEnv } from "./exec-env.ts";
import { GlObjects } from "./gl-objects.ts";
import { captureList, primitivesGenerated, segments, TF_LINES, TF_POINTS, TF_TRIANGLES, vertexSequence } from "./prim-decompose.ts";
import { fixedRestartIndex } from "../conv/state.ts";
import { QueryManager } from "./queries.ts";
import type { GpuResource } from "./resources.ts";
import { gatherVertices } from "./streamout-capture.ts";
import { SubContext } from "./sub-context.ts";

const seq = (...v: number[]): Uint32Array => Uint32Array.from(v);
const list = (mode: number, s: Uint32Array, first = false, restart?: number) => {
  const l = captureList(mode, s, restart, first);
  if (typeof l === "string") throw new Error(l);
  return { prim: l.prim, v: [...l.vertices] };
};

/** Signed area of a triangle of 1-D "vertex numbers" placed on a fixed convex curve (winding check). */
const pos = (i: number): [number, number] => [Math.cos(i * 0.7), Math.sin(i * 0.7) + i * 0.01];
const area = (a: number, b: number, c: number): number => {
  const [p, q, r] = [pos(a), pos(b), pos(c)];
  return (q[0] - p[0]) * (r[1] - p[1]) - (r[0] - p[0]) * (q[1] - p[1]);
};

describe("capture lists (stream output decomposition)", () => {
  it("points, lines and triangles pass through as whole primitives", () => {
    expect(list(Prim.POINTS, seq(4, 5, 6))).toEqual({ prim: TF_POINTS, v: [4, 5, 6] });
    expect(list(Prim.LINES, seq(0, 1, 2, 3, 4))).toEqual({ prim: TF_LINES, v: [0, 1, 2, 3] });
    expect(list(Prim.TRIANGLES, seq(0, 1, 2, 3, 4, 5, 6))).toEqual({ prim: TF_TRIANGLES, v: [0, 1, 2, 3, 4, 5] });
  });
  it("line strips and loops become their individual lines (a loop closes back to its first vertex)", () => {
    expect(list(Prim.LINE_STRIP, seq(0, 1, 2, 3)).v).toEqual([0, 1, 1, 2, 2, 3]);
    expect(list(Prim.LINE_LOOP, seq(0, 1, 2, 3)).v).toEqual([0, 1, 1, 2, 2, 3, 3, 0]);
    expect(list(Prim.LINE_LOOP, seq(7)).v).toEqual([]);
  });
  it("triangle strips: n-2 triangles, winding of the strip kept, provoking vertex where the convention wants it", () => {
    const s = seq(0, 1, 2, 3, 4);
    const last = list(Prim.TRIANGLE_STRIP, s).v;
    const first = list(Prim.TRIANGLE_STRIP, s, true).v;
    expect(last).toEqual([0, 1, 2, 2, 1, 3, 2, 3, 4]);
    for (const v of [last, first]) expect(v.length).toBe(9);
    for (let t = 0; t < 3; t++) {
      // GL: triangle t of a strip has provoking vertex t+2 (last) or t (first)
      expect(last[t * 3 + 2]).toBe(t + 2);
      expect(first[t * 3]).toBe(t);
      // same winding as GL's strip triangle t: (t, t+1, t+2) for even t, (t+1, t, t+2) for odd t
      const ref = t % 2 === 0 ? area(t, t + 1, t + 2) : area(t + 1, t, t + 2);
      expect(Math.sign(area(last[t * 3], last[t * 3 + 1], last[t * 3 + 2]))).toBe(Math.sign(ref));
      expect(Math.sign(area(first[t * 3], first[t * 3 + 1], first[t * 3 + 2]))).toBe(Math.sign(ref));
    }
  });
  it("triangle fans: (0, i+1, i+2), rotated for the first-vertex convention", () => {
    expect(list(Prim.TRIANGLE_FAN, seq(0, 1, 2, 3)).v).toEqual([0, 1, 2, 0, 2, 3]);
    expect(list(Prim.TRIANGLE_FAN, seq(0, 1, 2, 3), true).v).toEqual([1, 2, 0, 2, 3, 0]);
  });
  it("restarts split strips; indices come from the index data", () => {
    const r = fixedRestartIndex(2);
    const idx = new Uint8Array(new Uint16Array([5, 6, 7, r, 8, 9, 10, 11]).buffer);
    const s = vertexSequence(0, 8, { data: idx, size: 2 });
    expect([...s]).toEqual([5, 6, 7, r, 8, 9, 10, 11]);
    expect(segments(s, r).map((x) => [...x])).toEqual([[5, 6, 7], [8, 9, 10, 11]]);
    expect(list(Prim.TRIANGLE_STRIP, s, false, r).v).toEqual([5, 6, 7, 8, 9, 10, 10, 9, 11]);
    expect([...vertexSequence(3, 4)]).toEqual([3, 4, 5, 6]);
  });
  it("modes that need a geometry shader are refused with the mode in the message", () => {
    expect(captureList(Prim.TRIANGLES_ADJACENCY, seq(0, 1, 2, 3, 4, 5), undefined, false)).toMatch(/mode 12/);
  });
});

describe("PRIMITIVES_GENERATED counting", () => {
  it("per mode, per restart segment, times instances", () => {
    expect(primitivesGenerated(Prim.POINTS, 4, undefined, 1)).toBe(4);
    expect(primitivesGenerated(Prim.TRIANGLES, 6, undefined, 1)).toBe(2);
    expect(primitivesGenerated(Prim.TRIANGLE_STRIP, 5, undefined, 1)).toBe(3);
    expect(primitivesGenerated(Prim.TRIANGLE_FAN, 5, undefined, 2)).toBe(6);
    expect(primitivesGenerated(Prim.LINE_LOOP, 4, undefined, 1)).toBe(4);
    expect(primitivesGenerated(Prim.LINE_STRIP, 4, undefined, 1)).toBe(3);
    expect(primitivesGenerated(Prim.QUAD_STRIP, 6, undefined, 1)).toBe(4);
    expect(primitivesGenerated(Prim.TRIANGLE_STRIP, 1, undefined, 1)).toBe(0);
    expect(primitivesGenerated(Prim.TRIANGLE_STRIP, seq(0, 1, 2, 0xff, 3, 4, 5, 6), 0xff, 1)).toBe(3);
  });

  function setup() {
    const gl = { createQuery: () => ({}), deleteQuery: () => {}, beginQuery: () => {}, endQuery: () => {} } as unknown as WebGL2RenderingContext;
    const qm = new QueryManager(gl, new GlObjects(gl));
    const ctx = new VirglContext(1, "t");
    const sub = new SubContext(0);
    ctx.subs.set(0, sub);
    ctx.current = sub;
    const shadow = new Uint8Array(32);
    const res = { desc: { handle: 9, width: 32 }, shadow } as unknown as GpuResource;
    ctx.attached.add(9);
    const env = { ctx, resources: new Map([[9, res]]), writes: [], queries: qm } as unknown as ExecEnv;
    const query = (handle: number, index = 0) =>
      sub.objects.set(handle, { type: Obj.QUERY, value: { queryType: Query.PRIMITIVES_GENERATED, index, res: 9, offset: 0, gl: null, active: false } });
    const result = (): number => new DataView(shadow.buffer).getUint32(8, true);
    return { qm, env, sub, query, result };
  }

  it("a query counts the draws executed while it is active, and its result is written at once", () => {
    const { qm, env, sub, query, result } = setup();
    query(3);
    let evaluated = 0;
    const draw = (n: number) => qm.countPrimitives(env, sub, () => (evaluated++, n));
    draw(100); // before begin: not counted, not even evaluated
    expect(evaluated).toBe(0);
    expect(qm.begin(env, sub, 3)).toBeNull();
    draw(2);
    draw(3);
    expect(qm.end(env, sub, 3)).toBeNull();
    draw(50);
    expect(evaluated).toBe(2);
    expect(qm.request(env, sub, 3)).toBeNull();
    expect(env.writes).toHaveLength(1);
    expect(result()).toBe(5);
    expect(qm.deferredCount).toBe(0);
  });
  it("a non-zero vertex stream generates nothing without geometry shaders", () => {
    const { qm, env, sub, query, result } = setup();
    query(4, 1);
    qm.begin(env, sub, 4);
    qm.countPrimitives(env, sub, () => 7);
    qm.end(env, sub, 4);
    qm.request(env, sub, 4);
    expect(result()).toBe(0);
  });
});

describe("gatherVertices", () => {
  it("copies each listed element packed, in list order; out-of-range elements read as zero", () => {
    const src = Uint8Array.from([0, 0, 10, 11, 0, 0, 20, 21, 0, 0, 30, 31]); // stride 4, 2-byte elements at offset 2
    expect([...gatherVertices(src, 2, 4, 2, seq(2, 0, 2, 5))]).toEqual([30, 31, 10, 11, 30, 31, 0, 0]);
    expect([...gatherVertices(src, 2, 0, 2, seq(0, 9))]).toEqual([10, 11, 10, 11]); // stride 0: one constant element
  });
});
