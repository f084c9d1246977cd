// Queries. Occlusion queries run as WebGL ANY_SAMPLES_PASSED(_CONSERVATIVE) — counts are reported
// as 0/1, the same lie vrend tells on GLES hosts; PRIMITIVES_EMITTED uses
// TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN; PRIMITIVES_GENERATED is counted on the CPU from each
// executed draw's mode, count, restarts and instances (exact: the caps offer no geometry shaders,
// so the draw alone decides it; prim-decompose.ts); other types WebGL2 cannot measure report 0.
//
// Results: the guest polls `struct virgl_host_query_state {u32 state; u32 result_size; u64
// result}` in the query buffer's backing (Mesa maps it). WebGL query results only become
// available between tasks, so GET_QUERY_RESULT registers the query as *deferred*; the device
// collects the resulting BackingWrites with `VirglRenderer.pollDeferred()` / `settle()` and must
// delay the fence of a submit that asked for results until they are delivered.
//
// Conditional rendering (SET_RENDER_CONDITION; WebGL2 has none) is emulated on the CPU, like
// gallium's software drivers do (softpipe's check_render_cond): before a DRAW_VBO, CLEAR or
// BLIT (with render_condition_enable) the condition query's result decides whether the command
// runs — render iff (result == 0) == condition. WebGL makes query results available only between
// tasks (blocking inside a task cannot help: the availability flag stays false until the task
// ends), so a result is read when available and cached. Unknown results:
// * NO_WAIT modes render — exactly GL's semantics;
// * WAIT modes answer "wait": the renderer suspends that context's command stream at the command
//   and resumes it from there on a later task once the result is available (renderer.ts); the
//   worker already holds the submit's fence until deferred work is done (settle()). Nothing
//   spins: the wait costs one or a few worker tasks (counted in `suspendedConditions`).

import type { BackingWrite } from "../transfer-plan.ts";
import { HOST_QUERY_STATE_BYTES, Obj, Query, QueryState } from "../protocol.ts";
import type { ExecEnv, ExecResult } from "./exec-env.ts";
import type { GlObjects } from "./gl-objects.ts";
import type { GpuResource } from "./resources.ts";
import type { SubContext } from "./sub-context.ts";

const ANY_SAMPLES_PASSED = 0x8c2f;
const ANY_SAMPLES_PASSED_CONSERVATIVE = 0x8d6a;
const TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN = 0x8c88;
const QUERY_RESULT = 0x8866;
const QUERY_RESULT_AVAILABLE = 0x8867;

export function glQueryTarget(type: number): number | undefined {
  switch (type) {
    case Query.OCCLUSION_COUNTER:
    case Query.OCCLUSION_PREDICATE:
      return ANY_SAMPLES_PASSED;
    case Query.OCCLUSION_PREDICATE_CONSERVATIVE:
      return ANY_SAMPLES_PASSED_CONSERVATIVE;
    case Query.PRIMITIVES_EMITTED:
      return TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN;
    default:
      return undefined;
  }
}

/** The 16-byte virgl_host_query_state for a finished query. */
export function hostQueryState(result: number): Uint8Array {
  const out = new Uint8Array(HOST_QUERY_STATE_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, QueryState.DONE, true);
  dv.setUint32(4, 8, true);
  dv.setUint32(8, result >>> 0, true);
  dv.setUint32(12, Math.floor(result / 2 ** 32) >>> 0, true);
  return out;
}

/** One ended WebGL query, shared by a result request and the render condition (ref-counted). */
interface EndedQuery {
  gl: WebGLQuery | null;
  /** Cached result once read (0 at once for query types WebGL2 cannot measure). */
  result: number | null;
  refs: number;
}

interface Pending {
  ctx: number;
  q: EndedQuery;
  res: number;
  offset: number;
}

/** PIPE_RENDER_COND_* modes. */
export const RenderCondMode = { WAIT: 0, NO_WAIT: 1, BY_REGION_WAIT: 2, BY_REGION_NO_WAIT: 3 } as const;

interface RenderCondition {
  key: string;
  condition: boolean;
  mode: number;
}

export class QueryManager {
  /** Ended WebGL queries whose results were requested, oldest first. */
  private readonly pending: Pending[] = [];
  /** Ended WebGL queries by (ctx, sub, handle) key, until their result is requested. */
  private readonly ended = new Map<string, { q: EndedQuery; res: number; offset: number }>();
  /** The most recently ended query per key: what a render condition on that handle looks at. */
  private readonly latest = new Map<string, EndedQuery>();
  /** Active CPU-counted queries (PRIMITIVES_GENERATED, stream 0) per (ctx, sub): handle → primitives. */
  private readonly counting = new Map<string, Map<number, number>>();
  /** Active render condition per (ctx, sub). */
  private readonly conditions = new Map<string, RenderCondition>();
  /** NO_WAIT render-condition checks whose result was not available yet (rendered, as GL allows). */
  unresolvedConditions = 0;
  /** WAIT-mode checks that suspended a command stream until the result arrived. */
  suspendedConditions = 0;
  /** Commands skipped because their render condition failed. */
  conditionalSkips = 0;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    private readonly objs: GlObjects,
  ) {}

  get deferredCount(): number {
    return this.pending.length;
  }

  begin(env: ExecEnv, sub: SubContext, handle: number): ExecResult {
    const q = sub.get(handle, Obj.QUERY);
    if (!q) return `query ${handle} does not exist`;
    const target = glQueryTarget(q.queryType);
    if (q.active) return `query ${handle} already active`;
    q.active = true;
    if (q.queryType === Query.PRIMITIVES_GENERATED) {
      const subKey = `${env.ctx.id}/${sub.id}`;
      let m = this.counting.get(subKey);
      if (!m) this.counting.set(subKey, (m = new Map()));
      // streams other than 0 exist only with geometry shaders: they generate nothing here
      if (q.index === 0) m.set(handle, 0);
      return null;
    }
    if (target === undefined) return null;
    const glq = this.objs.query();
    this.gl.beginQuery(target, glq);
    q.gl = glq;
    void env;
    return null;
  }

  end(env: ExecEnv, sub: SubContext, handle: number): ExecResult {
    const q = sub.get(handle, Obj.QUERY);
    if (!q) return `query ${handle} does not exist`;
    if (!q.active) return `query ${handle} is not active`;
    q.active = false;
    const target = glQueryTarget(q.queryType);
    if (target !== undefined) this.gl.endQuery(target);
    const key = `${env.ctx.id}/${sub.id}/${handle}`;
    const m = this.counting.get(`${env.ctx.id}/${sub.id}`);
    const counted = m?.get(handle);
    m?.delete(handle);
    const eq: EndedQuery = { gl: q.gl, result: q.gl ? null : (counted ?? 0), refs: 2 };
    const old = this.ended.get(key);
    if (old) this.unref(old.q);
    this.ended.set(key, { q: eq, res: q.res, offset: q.offset });
    const prev = this.latest.get(key);
    if (prev) this.unref(prev);
    this.latest.set(key, eq);
    q.gl = null;
    return null;
  }

  private unref(q: EndedQuery): void {
    if (--q.refs > 0) return;
    if (q.gl) this.objs.deleteQuery(q.gl);
    q.gl = null;
  }

  /**
   * An executed draw: adds its primitives to the sub-context's active PRIMITIVES_GENERATED
   * queries. `primitives` is only evaluated when such a query is active.
   */
  countPrimitives(env: ExecEnv, sub: SubContext, primitives: () => number): void {
    const m = this.counting.get(`${env.ctx.id}/${sub.id}`);
    if (!m || m.size === 0) return;
    const n = primitives();
    for (const [h, v] of m) m.set(h, v + n);
  }

  /** The result if WebGL has it (cached after the first read), else null. */
  private resultOf(q: EndedQuery): number | null {
    if (q.result !== null || !q.gl) return q.result;
    if (!this.gl.getQueryParameter(q.gl, QUERY_RESULT_AVAILABLE)) return null;
    const v = this.gl.getQueryParameter(q.gl, QUERY_RESULT) as number | boolean;
    q.result = typeof v === "boolean" ? (v ? 1 : 0) : v;
    return q.result;
  }

  /** SET_RENDER_CONDITION: handle 0 ends conditional rendering. */
  setCondition(env: ExecEnv, sub: SubContext, handle: number, condition: boolean, mode: number): ExecResult {
    const subKey = `${env.ctx.id}/${sub.id}`;
    if (handle === 0) {
      this.conditions.delete(subKey);
      return null;
    }
    if (!sub.get(handle, Obj.QUERY)) return `render condition query ${handle} does not exist`;
    if (mode > RenderCondMode.BY_REGION_NO_WAIT) return `render condition mode ${mode} unknown`;
    this.conditions.set(subKey, { key: `${subKey}/${handle}`, condition, mode });
    return null;
  }

  /** Should a draw / clear / conditional blit run now, be skipped, or wait for the result? */
  renderCheck(env: ExecEnv, sub: SubContext): "render" | "skip" | "wait" {
    const c = this.conditions.get(`${env.ctx.id}/${sub.id}`);
    if (!c) return "render";
    const q = this.latest.get(c.key);
    if (!q) return "render"; // the query never ended: GL renders
    const r = this.resultOf(q);
    if (r === null) {
      if (c.mode === RenderCondMode.WAIT || c.mode === RenderCondMode.BY_REGION_WAIT) {
        this.suspendedConditions++;
        return "wait";
      }
      this.unresolvedConditions++;
      return "render";
    }
    if ((r === 0) === c.condition) return "render";
    this.conditionalSkips++;
    return "skip";
  }

  /** GET_QUERY_RESULT: immediate write for emulated-zero queries, else deferred until available. */
  request(env: ExecEnv, sub: SubContext, handle: number): ExecResult {
    const q = sub.get(handle, Obj.QUERY);
    if (!q) return `query ${handle} does not exist`;
    const r = env.ctx.resource(env.resources, q.res);
    if (typeof r === "string") return `query ${handle} buffer: ${r}`;
    if (q.offset + HOST_QUERY_STATE_BYTES > r.desc.width) return `query ${handle} state at ${q.offset} beyond its ${r.desc.width}-byte buffer`;
    const key = `${env.ctx.id}/${sub.id}/${handle}`;
    const e = this.ended.get(key);
    if (!e) return null; // never ended: nothing to report yet (the guest keeps WAIT_HOST)
    this.ended.delete(key);
    if (e.q.result !== null) {
      env.writes.push(writeResult(r, e.offset, e.q.result));
      this.unref(e.q);
      return null;
    }
    this.pending.push({ ctx: env.ctx.id, q: e.q, res: e.res, offset: e.offset });
    return null;
  }

  /** Collects available results, oldest first (stops at the first unavailable: results stay ordered). */
  poll(resources: ReadonlyMap<number, GpuResource>): BackingWrite[] {
    const out: BackingWrite[] = [];
    while (this.pending.length > 0) {
      const p = this.pending[0];
      const v = this.resultOf(p.q);
      if (v === null) break;
      this.pending.shift();
      this.unref(p.q);
      const r = resources.get(p.res);
      if (r) out.push(writeResult(r, p.offset, v));
    }
    return out;
  }

  /** Drops a context's queries (destroy/reset). */
  release(ctxId: number): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].ctx === ctxId) {
        this.unref(this.pending[i].q);
        this.pending.splice(i, 1);
      }
    }
    const mine = (k: string): boolean => k.startsWith(`${ctxId}/`);
    for (const [k, e] of [...this.ended]) {
      if (mine(k)) {
        this.unref(e.q);
        this.ended.delete(k);
      }
    }
    for (const [k, q] of [...this.latest]) {
      if (mine(k)) {
        this.unref(q);
        this.latest.delete(k);
      }
    }
    for (const k of [...this.conditions.keys()]) if (mine(k)) this.conditions.delete(k);
    for (const k of [...this.counting.keys()]) if (mine(k)) this.counting.delete(k);
  }
}

/** The backing write for a result; the host copy of the buffer is updated too. */
function writeResult(r: GpuResource, offset: number, result: number): BackingWrite {
  const bytes = hostQueryState(result);
  if (r.shadow) r.shadow.set(bytes, offset);
  return { res: r.desc.handle, offset, bytes };
}
