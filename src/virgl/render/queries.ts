// Queries. Occlusion queries run as WebGL ANY_SAMPLES_PASSED(_CONSERVATIVE) — counts are reported
// as 0/1, the same lie vrend tells on GLES hosts; PRIMITIVES_EMITTED uses
// TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN; types WebGL2 cannot measure report 0 at once.
//
// Results: the guest polls `struct virgl_host_query_state {u32 state; u32 result_size; u64
// result}` in the query buffer's backing (Mesa maps it). WebGL query results only become
// available between tasks, so GET_QUERY_RESULT registers the query as *deferred*; the device
// collects the resulting BackingWrites with `VirglRenderer.pollDeferred()` / `settle()` and must
// delay the fence of a submit that asked for results until they are delivered.

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

interface Pending {
  ctx: number;
  gl: WebGLQuery;
  res: number;
  offset: number;
}

export class QueryManager {
  /** Ended WebGL queries whose results were requested, oldest first. */
  private readonly pending: Pending[] = [];
  /** Ended WebGL queries by (ctx, sub, handle) key, until their result is requested. */
  private readonly ended = new Map<string, { gl: WebGLQuery | null; res: number; offset: number }>();

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
    const old = this.ended.get(key);
    if (old?.gl) this.objs.deleteQuery(old.gl);
    this.ended.set(key, { gl: q.gl, res: q.res, offset: q.offset });
    q.gl = null;
    return null;
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
    if (!e.gl) {
      env.writes.push(writeResult(r, e.offset, 0));
      return null;
    }
    this.pending.push({ ctx: env.ctx.id, gl: e.gl, res: e.res, offset: e.offset });
    return null;
  }

  /** Collects available results, oldest first (stops at the first unavailable: results stay ordered). */
  poll(resources: ReadonlyMap<number, GpuResource>): BackingWrite[] {
    const out: BackingWrite[] = [];
    while (this.pending.length > 0) {
      const p = this.pending[0];
      if (!this.gl.getQueryParameter(p.gl, QUERY_RESULT_AVAILABLE)) break;
      const v = this.gl.getQueryParameter(p.gl, QUERY_RESULT) as number | boolean;
      this.pending.shift();
      this.objs.deleteQuery(p.gl);
      const r = resources.get(p.res);
      if (r) out.push(writeResult(r, p.offset, typeof v === "boolean" ? (v ? 1 : 0) : v));
    }
    return out;
  }

  /** Drops a context's queries (destroy/reset). */
  release(ctxId: number): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].ctx === ctxId) {
        this.objs.deleteQuery(this.pending[i].gl);
        this.pending.splice(i, 1);
      }
    }
    for (const [k, e] of [...this.ended]) {
      if (k.startsWith(`${ctxId}/`)) {
        if (e.gl) this.objs.deleteQuery(e.gl);
        this.ended.delete(k);
      }
    }
  }
}

/** The backing write for a result; the host copy of the buffer is updated too. */
function writeResult(r: GpuResource, offset: number, result: number): BackingWrite {
  const bytes = hostQueryState(result);
  if (r.shadow) r.shadow.set(bytes, offset);
  return { res: r.desc.handle, offset, bytes };
}
