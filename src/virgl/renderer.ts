// The virgl renderer: the public API of src/virgl (see README.md). A plain class driven by calls —
// bytes in, results out — usable from the GPU worker, a vtest bridge, a recorded-stream player or
// a test page. It owns one WebGL2 context's objects; guest memory is never visible to it: backing
// bytes come in through a BackingAccess and backing updates go out as BackingWrites.

import { buildCaps, type CapsResult } from "./caps.ts";
import { walkCommands } from "./decode/decoder.ts";
import { formatDecodeError } from "./decode/errors.ts";
import { cmdName } from "./protocol.ts";
import { type Box3, type ResourceDesc, normalizeResourceDesc, transferGeometry } from "./resource-desc.ts";
import { VirglContext, type VirglError } from "./render/context.ts";
import { type ExecEnv, SUSPEND } from "./render/exec-env.ts";
import type { DrawPath } from "./render/draw.ts";
import { disposeShaderBlit } from "./render/shader-blit.ts";
import type { DrawHandler } from "./render/execute.ts";
import { destroySubContext, execute } from "./render/execute.ts";
import { createFormatProbe } from "./render/format-probe.ts";
import { FramebufferBinder } from "./render/framebuffer.ts";
import { type GlObjectKind, GlObjects } from "./render/gl-objects.ts";
import { type GpuResource, createGpuResource, destroyGpuResource } from "./render/resources.ts";
import { DepthReadback } from "./render/depth-readback.ts";
import type { IndexedBlendGl } from "./render/indexed-blend.ts";
import { resolveMsaa } from "./render/msaa.ts";
import { QueryManager } from "./render/queries.ts";
import { GlStateCache } from "./render/state-cache.ts";
import { readback, spanWrites, upload, type TransferEnv } from "./render/transfers.ts";
import type { BackingAccess, BackingWrite } from "./transfer-plan.ts";

export type { VirglError } from "./render/context.ts";
export type { BackingAccess, BackingWrite } from "./transfer-plan.ts";

export interface RendererOptions {
  /** Check gl.getError() after every command (slow; attributes GL errors to commands). */
  debug?: boolean;
  /** DRAW_VBO implementation (`createDrawPath(translator)`); without it draws are counted and skipped. */
  draw?: DrawPath;
}

export type Result = { ok: true } | { ok: false; error: VirglError };

export interface SubmitResult {
  /** Updates for guest pages (FROM_HOST transfers, query results), in command order. */
  backingWrites: BackingWrite[];
  /** Commands executed (decoded and run without error). */
  executed: number;
  /** First error of this submit; the rest of the submit was dropped. */
  error?: VirglError;
  /**
   * Query results still owed to guest memory (renderer-wide). While > 0 the device must not
   * complete the fence of a submit that asked for results: collect them with pollDeferred()/settle().
   */
  deferred?: number;
}

export interface ScanoutSource {
  texture: WebGLTexture;
  width: number;
  height: number;
  /** Always true: memory / GL row 0 is the top scanline. */
  rowZeroIsTop: boolean;
  /** X8 formats: the presenter must treat alpha as 1. */
  alphaIsOne: boolean;
  srgb: boolean;
  /** virgl format of the resource. */
  format: number;
  /**
   * texelFetch of `texture` gives the resource's logical RGBA (alpha aside for X8 formats): a
   * 2D, single-sample-readable, non-sRGB unorm colour texture stored RGBA8 in channel order.
   * Only such textures may be shown directly; others are copied with blitFramebuffer.
   */
  directPresentable: boolean;
}

export interface RendererStats {
  contexts: number;
  resources: number;
  liveGlObjects: Partial<Record<GlObjectKind, number>>;
  skippedCommands: Record<string, number>;
  stateCalls: number;
  stateSkipped: number;
  /**
   * Conditional rendering: commands skipped by a failed condition; NO_WAIT checks made before the
   * result was available (rendered); WAIT checks that suspended the stream until the result came.
   */
  renderCondition: { skipped: number; unresolved: number; suspended: number };
}

const NO_ERROR = 0;
const GL_TEXTURE_2D = 0x0de1;
const GL_RGBA8 = 0x8058;

export class VirglRenderer {
  readonly caps: CapsResult;
  private readonly objs: GlObjects;
  private readonly state: GlStateCache;
  private readonly resources = new Map<number, GpuResource>();
  private readonly contexts = new Map<number, VirglContext>();
  private readonly binders = new Map<number, FramebufferBinder>();
  private readonly skipped = new Map<string, number>();
  private readonly extensions: Set<string>;
  private readFb: WebGLFramebuffer;
  private readonly drawHandler: DrawHandler | undefined;
  private readonly queries: QueryManager;
  private readonly depthReadback: DepthReadback;
  private readonly indexedBlend: IndexedBlendGl | null;
  /**
   * Per context: command streams waiting for a WAIT-mode render condition's query result (the
   * first one starts at the waiting command), in submission order; resumed by pollDeferred().
   */
  private readonly suspended = new Map<number, { words: Uint32Array; backing: BackingAccess }[]>();

  constructor(
    readonly gl: WebGL2RenderingContext,
    private readonly options: RendererOptions = {},
  ) {
    this.objs = new GlObjects(gl);
    this.state = new GlStateCache(gl);
    this.caps = buildCaps(gl, createFormatProbe(gl));
    this.extensions = new Set(this.caps.extensions);
    // Enabled by buildCaps exactly when independent blend is advertised.
    this.indexedBlend = this.extensions.has("OES_draw_buffers_indexed") ? (gl.getExtension("OES_draw_buffers_indexed") as IndexedBlendGl | null) : null;
    this.state.reset();
    this.readFb = this.objs.framebuffer();
    this.queries = new QueryManager(gl, this.objs);
    this.depthReadback = new DepthReadback(gl, this.objs, this.state);
    const path = options.draw;
    this.drawHandler = path ? (env, sub, cmd) => path.draw(env, sub, cmd) : undefined;
  }

  getCapset(id: 1 | 2): Uint8Array {
    return (id === 1 ? this.caps.v1 : this.caps.v2).slice();
  }

  // ---- contexts --------------------------------------------------------------------------------

  createContext(ctxId: number, name = ""): Result {
    if (ctxId === 0) return this.fail(0, "CTX_CREATE", "context id 0 is reserved");
    if (this.contexts.has(ctxId)) return this.fail(ctxId, "CTX_CREATE", `context ${ctxId} exists`);
    const ctx = new VirglContext(ctxId, name);
    ctx.fbo = this.objs.framebuffer();
    this.contexts.set(ctxId, ctx);
    this.binders.set(ctxId, new FramebufferBinder(this.gl, this.state, ctx.fbo));
    return { ok: true };
  }

  destroyContext(ctxId: number): Result {
    const ctx = this.contexts.get(ctxId);
    if (!ctx) return this.fail(ctxId, "CTX_DESTROY", `context ${ctxId} does not exist`);
    const objectDestroyed = this.objectDestroyedHook(ctxId);
    for (const sub of ctx.subs.values()) destroySubContext({ objs: this.objs, objectDestroyed }, sub);
    this.options.draw?.release(ctxId, this.objs);
    this.queries.release(ctxId);
    this.suspended.delete(ctxId);
    this.state.forget(); // programs/VAOs of this context may still be in the shadow
    ctx.subs.clear();
    for (const res of ctx.attached) this.resources.get(res)?.attachedTo.delete(ctxId);
    if (ctx.fbo) {
      this.state.dropObject(ctx.fbo);
      this.objs.deleteFramebuffer(ctx.fbo);
    }
    this.contexts.delete(ctxId);
    this.binders.delete(ctxId);
    return { ok: true };
  }

  // ---- resources -------------------------------------------------------------------------------

  createResource(rawDesc: ResourceDesc): Result {
    const desc = normalizeResourceDesc(rawDesc);
    if (this.resources.has(desc.handle)) return this.fail(0, "RESOURCE_CREATE_3D", `resource ${desc.handle} exists`);
    // errors left by earlier commands (only checked with debug on) must not be blamed on this one
    for (let i = 0; i < 16 && this.gl.getError() !== NO_ERROR; i++);
    const r = createGpuResource(this.gl, this.objs, desc, (e) => this.extensions.has(e));
    if (typeof r === "string") return this.fail(0, "RESOURCE_CREATE_3D", `resource ${desc.handle}: ${r}`);
    const glErr = this.gl.getError();
    if (glErr !== NO_ERROR) {
      destroyGpuResource(this.objs, r);
      return this.fail(0, "RESOURCE_CREATE_3D", `resource ${desc.handle}: GL error 0x${glErr.toString(16)}`);
    }
    this.resources.set(desc.handle, r);
    return { ok: true };
  }

  unrefResource(res: number): Result {
    const r = this.resources.get(res);
    if (!r) return this.fail(0, "RESOURCE_UNREF", `resource ${res} does not exist`);
    for (const c of r.attachedTo) this.contexts.get(c)?.attached.delete(res);
    for (const b of this.binders.values()) b.invalidate();
    destroyGpuResource(this.objs, r);
    this.resources.delete(res);
    return { ok: true };
  }

  attachResource(ctxId: number, res: number): Result {
    const ctx = this.contexts.get(ctxId);
    const r = this.resources.get(res);
    if (!ctx) return this.fail(ctxId, "CTX_ATTACH_RESOURCE", `context ${ctxId} does not exist`);
    if (!r) return this.fail(ctxId, "CTX_ATTACH_RESOURCE", `resource ${res} does not exist`);
    ctx.attached.add(res);
    r.attachedTo.add(ctxId);
    return { ok: true };
  }

  detachResource(ctxId: number, res: number): Result {
    const ctx = this.contexts.get(ctxId);
    if (!ctx) return this.fail(ctxId, "CTX_DETACH_RESOURCE", `context ${ctxId} does not exist`);
    ctx.attached.delete(res);
    this.resources.get(res)?.attachedTo.delete(ctxId);
    this.binders.get(ctxId)?.invalidate();
    return { ok: true };
  }

  describeResource(res: number): ResourceDesc | undefined {
    return this.resources.get(res)?.desc;
  }

  // ---- command submission ----------------------------------------------------------------------

  submit(ctxId: number, words: Uint32Array, backing: BackingAccess): SubmitResult {
    const ctx = this.contexts.get(ctxId);
    if (!ctx) return { backingWrites: [], executed: 0, error: { ctx: ctxId, cmd: "SUBMIT_3D", offset: -1, message: `context ${ctxId} does not exist` } };
    const queued = this.suspended.get(ctxId);
    if (queued) {
      // the context's stream waits for a render-condition result: keep submission order
      queued.push({ words, backing });
      return { backingWrites: [], executed: 0, deferred: this.deferredCount };
    }
    return this.run(ctx, words, backing);
  }

  /** Deferred work: query results owed + suspended command streams. */
  private get deferredCount(): number {
    let n = this.queries.deferredCount;
    for (const q of this.suspended.values()) n += q.length;
    return n;
  }

  /** Executes a command stream; on SUSPEND queues the rest (from that command) for resume(). */
  private run(ctx: VirglContext, words: Uint32Array, backing: BackingAccess): SubmitResult {
    const ctxId = ctx.id;
    const env = this.env(ctx, backing);
    let executed = 0;
    let error: VirglError | undefined;
    let suspendAt = -1;
    const decodeError = walkCommands(words, (cmd, offset) => {
      let msg = execute(env, cmd, this.drawHandler);
      if (msg === SUSPEND) {
        suspendAt = offset;
        return false;
      }
      if (!msg && this.options.debug) {
        const e = this.gl.getError();
        if (e !== NO_ERROR) msg = `GL error 0x${e.toString(16)}`;
      }
      if (msg) {
        error = { ctx: ctxId, cmd: cmd.kind, offset, message: msg };
        return false;
      }
      executed++;
      return true;
    });
    if (decodeError) error = { ctx: ctxId, cmd: decodeError.cmd, offset: decodeError.offset, message: formatDecodeError(decodeError) };
    if (error && !ctx.firstError) ctx.firstError = error;
    if (suspendAt >= 0) this.suspended.set(ctxId, [{ words: words.subarray(suspendAt), backing }, ...(this.suspended.get(ctxId) ?? [])]);
    const out: SubmitResult = { backingWrites: env.writes, executed };
    if (error) out.error = error;
    const deferred = this.deferredCount;
    if (deferred > 0) out.deferred = deferred;
    return out;
  }

  /** Runs suspended streams whose render condition can now be decided; their backing writes. */
  private resume(): BackingWrite[] {
    const out: BackingWrite[] = [];
    for (const [ctxId, queue] of [...this.suspended]) {
      const ctx = this.contexts.get(ctxId);
      this.suspended.delete(ctxId);
      if (!ctx) continue;
      while (queue.length > 0) {
        const next = queue.shift()!;
        const r = this.run(ctx, next.words, next.backing); // may suspend again (re-queued first)
        out.push(...r.backingWrites);
        const again = this.suspended.get(ctxId);
        if (again) {
          again.push(...queue);
          break;
        }
      }
    }
    return out;
  }

  /** virtio TRANSFER_TO_HOST_3D (also vtest TRANSFER_PUT2): backing → resource. */
  transferToHost(ctxId: number, res: number, level: number, box: Box3, offset: number, stride: number, layerStride: number, backing: BackingAccess): Result {
    const r = this.resources.get(res);
    if (!r) return this.fail(ctxId, "TRANSFER_TO_HOST_3D", `resource ${res} does not exist`);
    if (r.kind === "staging") return { ok: true };
    const g = transferGeometry(r.desc, level, box, stride, layerStride);
    if (typeof g === "string") return this.fail(ctxId, "TRANSFER_TO_HOST_3D", g);
    const data = backing.read(res, offset, g.bytes);
    if (typeof data === "string") return this.fail(ctxId, "TRANSFER_TO_HOST_3D", data);
    const err = upload(this.transferEnv(), r, level, box, stride, layerStride, data);
    return err ? this.fail(ctxId, "TRANSFER_TO_HOST_3D", err) : { ok: true };
  }

  /** virtio TRANSFER_FROM_HOST_3D (also vtest TRANSFER_GET2): resource → backing writes. */
  transferFromHost(ctxId: number, res: number, level: number, box: Box3, offset: number, stride: number, layerStride: number): SubmitResult {
    const r = this.resources.get(res);
    const error = (message: string): SubmitResult => ({ backingWrites: [], executed: 0, error: { ctx: ctxId, cmd: "TRANSFER_FROM_HOST_3D", offset: -1, message } });
    if (!r) return error(`resource ${res} does not exist`);
    if (r.kind === "staging") return { backingWrites: [], executed: 1 };
    const g = transferGeometry(r.desc, level, box, stride, layerStride);
    if (typeof g === "string") return error(g);
    const bytes = readback(this.transferEnv(), r, level, box, stride, layerStride);
    if (typeof bytes === "string") return error(bytes);
    return { backingWrites: spanWrites(res, offset, bytes, g, box.d), executed: 1 };
  }

  // ---- scanout ----------------------------------------------------------------------------------

  /**
   * What a presenter sharing this WebGL context needs to show a 3D resource. Memory row 0 (GL
   * texture row 0) is the *top* scanline — st/mesa renders window-system buffers with a negative
   * viewport y scale — so a presenter drawing with texcoord t = 0 at the top shows it upright.
   */
  scanoutSource(res: number): ScanoutSource | undefined {
    const r = this.resources.get(res);
    if (!r || r.kind !== "texture" || !r.texture || !r.fmt) return undefined;
    resolveMsaa(this.transferEnv(), r);
    const f = r.fmt;
    const directPresentable =
      r.glTarget === GL_TEXTURE_2D && f.internalFormat === GL_RGBA8 && f.channel === "unorm" && !f.srgb && !f.compressed && !f.depth &&
      f.swizzle[0] === 0 && f.swizzle[1] === 1 && f.swizzle[2] === 2 && (f.noAlpha || f.swizzle[3] === 3);
    return { texture: r.texture, width: r.desc.width, height: r.desc.height, rowZeroIsTop: true, alphaIsOne: f.noAlpha, srgb: f.srgb, format: r.desc.format, directPresentable };
  }

  /** RGBA8 pixels of a resource rectangle, top scanline first (screenshots, other contexts, tests). */
  readScanout(res: number, x = 0, y = 0, w?: number, h?: number): Uint8Array | string {
    const r = this.resources.get(res);
    if (!r || r.kind !== "texture" || !r.fmt) return `resource ${res} is not a texture`;
    const width = w ?? r.desc.width - x;
    const height = h ?? r.desc.height - y;
    if (x + width > r.desc.width || y + height > r.desc.height || width <= 0 || height <= 0) return "rectangle outside the resource";
    if (r.fmt.channel !== "unorm" || r.fmt.compressed || r.fmt.depth) return `${r.fmt.name} is not a scanout format`;
    resolveMsaa(this.transferEnv(), r);
    const gl = this.gl;
    this.state.readFramebuffer(this.readFb);
    this.state.pixelStore(0x0d05, 1);
    gl.framebufferTexture2D(0x8ca8, 0x8ce0, 0x0de1, r.texture, 0);
    const out = new Uint8Array(width * height * 4);
    gl.readPixels(x, y, width, height, 0x1908, 0x1401, out);
    gl.framebufferTexture2D(0x8ca8, 0x8ce0, 0x0de1, null, 0);
    if (r.fmt.noAlpha) for (let i = 3; i < out.length; i += 4) out[i] = 255;
    return out;
  }

  // ---- deferred results ------------------------------------------------------------------------

  /** Query results that became available since the last call (apply them like backingWrites). */
  pollDeferred(): BackingWrite[] {
    const out = this.queries.poll(this.resources);
    if (this.suspended.size > 0) out.push(...this.resume(), ...this.queries.poll(this.resources));
    return out;
  }

  /** Resolves once every deferred result is delivered (polls across tasks; WebGL needs that). */
  async settle(timeoutMs = 5000): Promise<BackingWrite[]> {
    const out: BackingWrite[] = [];
    const t0 = performance.now();
    for (;;) {
      out.push(...this.pollDeferred());
      if (this.deferredCount === 0 || performance.now() - t0 > timeoutMs) return out;
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  // ---- lifetime and introspection --------------------------------------------------------------

  /** Destroys every context and resource (device reset). GL state is put back to defaults. */
  reset(): void {
    for (const id of [...this.contexts.keys()]) this.destroyContext(id);
    for (const id of [...this.resources.keys()]) this.unrefResource(id);
    this.skipped.clear();
    this.state.reset();
  }

  /**
   * Another user of this WebGL context (the worker's presenter) issued GL calls: puts GL state
   * and the renderer's shadow of it back to WebGL2 defaults, so the next renderer command does
   * not trust stale shadow values. Contexts and resources are untouched.
   */
  resetGlState(): void {
    this.state.reset();
  }

  /** Frees the renderer's own objects too (after reset, live counts are 0). */
  dispose(): void {
    this.reset();
    this.depthReadback.dispose();
    disposeShaderBlit(this.gl, this.state, this.objs);
    this.state.dropObject(this.readFb);
    this.objs.deleteFramebuffer(this.readFb);
  }

  stats(): RendererStats {
    return {
      contexts: this.contexts.size,
      resources: this.resources.size,
      liveGlObjects: this.objs.counts(),
      skippedCommands: Object.fromEntries(this.skipped),
      stateCalls: this.state.calls,
      stateSkipped: this.state.skipped,
      renderCondition: { skipped: this.queries.conditionalSkips, unresolved: this.queries.unresolvedConditions, suspended: this.queries.suspendedConditions },
    };
  }

  contextError(ctxId: number): VirglError | undefined {
    return this.contexts.get(ctxId)?.firstError;
  }

  private transferEnv(): TransferEnv {
    return { gl: this.gl, state: this.state, readFb: this.readFb, depth: this.depthReadback, objs: this.objs };
  }

  private env(ctx: VirglContext, backing: BackingAccess): ExecEnv {
    return {
      gl: this.gl,
      state: this.state,
      objs: this.objs,
      resources: this.resources,
      transfer: this.transferEnv(),
      backing,
      writes: [],
      ctx,
      framebuffer: this.binders.get(ctx.id)!,
      queries: this.queries,
      indexedBlend: this.indexedBlend,
      objectDestroyed: this.objectDestroyedHook(ctx.id),
      skipped: this.skipped,
    };
  }

  private objectDestroyedHook(ctxId: number): ExecEnv["objectDestroyed"] {
    const path = this.options.draw;
    return path ? (entry) => path.objectDestroyed(ctxId, this.objs, entry) : undefined;
  }

  private fail(ctx: number, cmd: string, message: string): Result {
    return { ok: false, error: { ctx, cmd, offset: -1, message } };
  }
}

export { cmdName };
