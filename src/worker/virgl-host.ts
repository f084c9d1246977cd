/**
 * The GPU worker's virgl side: a VirglRenderer on the presenter's WebGL2 context, driven by the
 * virgl messages (virgl-protocol.ts) the device's 3D module sends through GpuClient.
 *
 * Shared context. The renderer shadows GL state (src/virgl/render/state-cache.ts) and the
 * presenter sets what it needs per draw but assumes defaults elsewhere (no depth/cull/stencil,
 * full colour mask). Whoever used GL last is tracked; on every switch the renderer's cache is
 * reset, which puts GL *and* the shadow back to WebGL defaults, so each side finds the state it
 * expects. Switches happen per message batch, not per call.
 *
 * Scanout of 3D resources. The presenter gets a 2D resource with the 3D resource's id (2D and
 * 3D ids share one namespace on the device), so its damage/present logic is reused unchanged:
 *  - *direct* (RGBA8 colour textures, i.e. every window-system buffer Mesa scans out): the
 *    presenter resource is the renderer's own texture, and a flush presents from it with no
 *    copy. That is how QEMU shows virgl scanouts (it hands the texture to its display), and it
 *    saves a full-screen pass per page flip, the dominant cost on SwiftShader. Like a real
 *    display controller, the screen shows the buffer as it is at the next frame: a guest that
 *    renders into the buffer it is showing (front-buffer rendering) may be seen mid-frame.
 *  - *mirror* (other formats): RESOURCE_FLUSH copies the flushed rect from the renderer's
 *    texture into a presenter texture with blitFramebuffer, at that point of the stream.
 * Orientation: the renderer keeps memory row 0 = GL row 0 = top scanline (st/mesa renders
 * window-system buffers with a y-inverted viewport, scanoutSource().rowZeroIsTop), which is the
 * presenter's 2D convention too, so the copy does not flip (QEMU passes Y_0_TOP to its display
 * for the same reason).
 *
 * Fences: replies that need one wait for a gl.fenceSync polled across tasks (fence-poller.ts).
 * Deferred query results (SubmitResult.deferred) are collected with renderer.settle() first.
 */
import type { GatheredChunk, TransferArgs } from "../gpu/virgl/virgl-port.ts";
import type { Rect } from "../gpu/scanout-backend.ts";
import { createDrawPath } from "../virgl/render/draw.ts";
import { translatorFromShaderModule } from "../virgl/render/shader-port.ts";
import { type BackingWrite, type SubmitResult, VirglRenderer, type VirglError } from "../virgl/renderer.ts";
import { GatheredBacking } from "../virgl/transfer-plan.ts";
import { FencePoller } from "./fence-poller.ts";
import type { Presenter } from "./presenter.ts";
import type { FromWorker } from "./protocol.ts";
import type { VirglCapsets, VirglHostStats, VirglToWorker } from "./virgl-protocol.ts";

/** virtio-gpu formats the presenter's mirror uses: RGBA as stored, or RGBX (alpha forced to 1). */
const MIRROR_RGBA = 67;
const MIRROR_RGBX = 134;
const GL_DITHER = 0x0bd0;
const READ_FRAMEBUFFER = 0x8ca8;
const DRAW_FRAMEBUFFER = 0x8ca9;
const COLOR_ATTACHMENT0 = 0x8ce0;
const TEXTURE_2D = 0x0de1;
const COLOR_BUFFER_BIT = 0x4000;
const NEAREST = 0x2600;
/** How long a reply waits for deferred query results before going out without them (ms). */
const SETTLE_TIMEOUT_MS = 5000;

export interface VirglHostEnv {
  gl: WebGL2RenderingContext;
  presenter: Presenter;
  post(msg: FromWorker, transfer?: Transferable[]): void;
  /** presenter.setScanout() reported a change of the displayed scanout: tell the page. */
  scanoutChanged(): void;
  report(message: string, context: string): void;
  /** Check gl.getError() after every renderer command (slow). */
  debug?: boolean;
}

export class VirglHost {
  readonly renderer: VirglRenderer;
  private owner: "renderer" | "presenter" = "renderer";
  private readonly fences: FencePoller;
  /** 3D resources that have a presenter resource (direct or mirror). */
  private readonly mirrors = new Set<number>();
  /** The subset of `mirrors` shown directly from the renderer's texture (no copy). */
  private readonly direct = new Set<number>();
  /**
   * Mirrors owed a whole-resource copy since SET_SCANOUT. Guests follow SET_SCANOUT with a
   * full-rect RESOURCE_FLUSH (every page flip), so copying at SET_SCANOUT *and* at the flush was
   * a full-screen pass per frame for nothing; the copy is made once, at whichever comes first:
   * the flush, the next renderer work (which could change the texture), or the next frame/readback.
   */
  private readonly owedFullCopy = new Set<number>();
  private readonly readFbo: WebGLFramebuffer;
  private readonly drawFbo: WebGLFramebuffer;
  /** Bumped on reset: settle() results of work from before it are not delivered. */
  private epoch = 0;
  private submits = 0;
  private errors = 0;

  constructor(private readonly env: VirglHostEnv) {
    const { gl } = env;
    this.renderer = new VirglRenderer(gl, { debug: env.debug ?? false, draw: createDrawPath(translatorFromShaderModule) });
    const r = gl.createFramebuffer();
    const d = gl.createFramebuffer();
    if (!r || !d) throw new Error("createFramebuffer failed");
    this.readFbo = r;
    this.drawFbo = d;
    this.fences = new FencePoller(gl);
  }

  capsets(): VirglCapsets {
    return { v1: this.renderer.getCapset(1), v2: this.renderer.getCapset(2) };
  }

  /** Call before the presenter issues GL calls (frames, 2D messages, readback). */
  enterPresenter(): void {
    if (this.owner !== "presenter") {
      this.resetRendererGlState();
      this.env.gl.disable(GL_DITHER); // as Presenter.attach() left it: exact colours
      this.owner = "presenter";
    }
    this.payOwedCopies();
  }

  private enterRenderer(): void {
    if (this.owner === "renderer") return;
    // Owed copies must see the texture as it was at SET_SCANOUT, before renderer work changes it.
    this.payOwedCopies();
    this.resetRendererGlState();
    this.owner = "renderer";
  }

  /** Makes the whole-resource copies owed since SET_SCANOUT (called with the presenter owning GL). */
  private payOwedCopies(): void {
    if (this.owedFullCopy.size === 0) return;
    for (const res of this.owedFullCopy) this.copyWhole(res);
    this.owedFullCopy.clear();
  }

  private copyWhole(res: number): void {
    const source = this.renderer.scanoutSource(res);
    if (!source) return;
    const rect = { x: 0, y: 0, width: source.width, height: source.height };
    this.copyToMirror(res, rect, this.coversDisplay(res, rect));
  }

  private resetRendererGlState(): void {
    this.renderer.resetGlState();
  }

  stats(): VirglHostStats {
    return { renderer: this.renderer.stats(), pendingFences: this.fences.pending, scanoutMirrors: this.mirrors.size, scanoutDirect: this.direct.size, submits: this.submits, errors: this.errors };
  }

  /** Executes one validated message. Never throws for guest-caused problems (they become virglError / reply errors). */
  handle(msg: VirglToWorker): void {
    switch (msg.type) {
      case "virglCreateContext":
        return this.fireAndForget(() => this.renderer.createContext(msg.ctxId, msg.name));
      case "virglDestroyContext":
        return this.fireAndForget(() => this.renderer.destroyContext(msg.ctxId));
      case "virglCreateResource":
        return this.fireAndForget(() => this.renderer.createResource(msg.desc));
      case "virglUnrefResource":
        this.owedFullCopy.delete(msg.res);
        // The presenter resource goes first: if the screen lives in a direct texture, the
        // presenter copies it out before the renderer deletes it.
        if (this.mirrors.delete(msg.res)) {
          this.direct.delete(msg.res);
          this.enterPresenter();
          this.env.presenter.destroyResource(msg.res);
        }
        return this.fireAndForget(() => this.renderer.unrefResource(msg.res));
      case "virglAttachResource":
        return this.fireAndForget(() => this.renderer.attachResource(msg.ctxId, msg.res));
      case "virglDetachResource":
        return this.fireAndForget(() => this.renderer.detachResource(msg.ctxId, msg.res));
      case "virglTransferToHost":
        return this.transferToHost(msg.args, msg.bytes);
      case "virglTransferFromHost":
        return this.transferFromHost(msg.id, msg.args, msg.fence);
      case "virglSubmit":
        return this.submit(msg.id, msg.ctxId, msg.words, msg.chunks, msg.fence);
      case "virglFence":
        this.enterRenderer();
        return this.reply(msg.id, { backingWrites: [], executed: 0 }, true);
      case "virglSetScanout":
        return this.setScanout(msg.scanoutId, msg.res, msg.rect);
      case "virglFlush":
        return this.flush(msg.res, msg.rect, msg.seq, msg.sentAt);
      case "virglReset":
        return this.reset();
      case "virglStats":
        return this.env.post({ type: "virglStats", id: msg.id, stats: this.stats() });
    }
  }

  // ---- renderer work -----------------------------------------------------------------------

  private fireAndForget(run: () => { ok: true } | { ok: false; error: VirglError }): void {
    this.enterRenderer();
    const r = run();
    if (!r.ok) this.error(r.error);
  }

  private error(error: VirglError): void {
    this.errors++;
    this.env.post({ type: "virglError", error });
  }

  private transferToHost(args: TransferArgs, bytes: Uint8Array | null): void {
    if (!bytes) return; // staging buffer: guest memory only
    const backing = new GatheredBacking([{ res: args.res, offset: args.offset, bytes }]);
    this.fireAndForget(() => this.renderer.transferToHost(args.ctxId, args.res, args.level, args.box, args.offset, args.stride, args.layerStride, backing));
  }

  private transferFromHost(id: number, args: TransferArgs, fence: boolean): void {
    this.enterRenderer();
    const result = this.renderer.transferFromHost(args.ctxId, args.res, args.level, args.box, args.offset, args.stride, args.layerStride);
    this.reply(id, result, fence);
  }

  private submit(id: number, ctxId: number, words: Uint32Array, chunks: GatheredChunk[], fence: boolean): void {
    this.enterRenderer();
    this.submits++;
    const result = this.renderer.submit(ctxId, words, new GatheredBacking(chunks));
    if (result.error) this.errors++;
    this.reply(id, result, fence);
  }

  /** Sends the reply, after deferred query results and a GL fence when asked. */
  private reply(id: number, result: SubmitResult, fence: boolean): void {
    const epoch = this.epoch;
    const send = (extra: BackingWrite[]) => {
      if (epoch !== this.epoch) return; // the device dropped this work at reset
      // Copies: a write may view renderer-owned memory (a buffer's CPU shadow) that must not be detached.
      const backingWrites = [...result.backingWrites, ...extra].map((w) => ({ res: w.res, offset: w.offset, bytes: w.bytes.slice() }));
      const transfer = backingWrites.map((w) => w.bytes.buffer);
      this.env.post({ type: "virglReply", id, backingWrites, error: result.error ?? null }, transfer);
    };
    const afterFence = (extra: BackingWrite[]) => {
      if (!fence) return send(extra);
      this.fences.add((signalled) => {
        if (!signalled) this.env.report("fence wait failed (context lost?)", `virgl reply ${id}`);
        send(extra);
      });
    };
    if (result.deferred && result.deferred > 0) {
      this.renderer.settle(SETTLE_TIMEOUT_MS).then(afterFence, (e: unknown) => {
        this.env.report(String(e), `virgl settle for reply ${id}`);
        afterFence([]);
      });
    } else afterFence([]);
  }

  // ---- scanout -----------------------------------------------------------------------------

  private setScanout(scanoutId: number, res: number, rect: Rect): void {
    const source = this.renderer.scanoutSource(res);
    if (!source) return this.error({ ctx: 0, cmd: "SET_SCANOUT", offset: -1, message: `resource ${res} is not a texture the renderer can scan out` });
    this.enterPresenter();
    const p = this.env.presenter;
    const format = source.alphaIsOne ? MIRROR_RGBX : MIRROR_RGBA;
    if (!this.mirrors.has(res)) {
      if (source.directPresentable) {
        p.createExternalResource(res, source.width, source.height, format, source.texture);
        this.direct.add(res);
      } else p.createResource2D(res, source.width, source.height, format);
      this.mirrors.add(res);
    }
    // A new scanout shows the whole resource at once (as the presenter does for 2D): a mirror's
    // copy is owed, made before anything could change the texture or show it (owedFullCopy).
    if (!this.direct.has(res)) this.owedFullCopy.add(res);
    if (p.setScanout(scanoutId, res, rect)) this.env.scanoutChanged();
  }

  private flush(res: number, rect: Rect, seq: number, sentAt: number): void {
    // Taken before enterPresenter() pays owed copies: this flush makes the owed copy itself.
    const owedWhole = this.owedFullCopy.delete(res);
    this.enterPresenter();
    if (this.direct.has(res)) this.renderer.scanoutSource(res); // resolves MSAA rendering into the texture
    else if (owedWhole) this.copyWhole(res);
    else if (this.mirrors.has(res)) this.copyToMirror(res, rect, this.coversDisplay(res, rect));
    // Flushes of resources no scanout shows still get their `presented` ack.
    this.env.presenter.flush(res, rect, seq, sentAt);
  }

  private coversDisplay(res: number, rect: Rect): boolean {
    const size = this.env.presenter.displaySize;
    return size !== null && rect.x === 0 && rect.y === 0 && rect.width >= size.width && rect.height >= size.height && this.mirrors.has(res);
  }

  /** blitFramebuffer of `rect` from the renderer's texture into the presenter's mirror texture. */
  private copyToMirror(res: number, rect: Rect, replacesScreen: boolean): void {
    const source = this.renderer.scanoutSource(res);
    const target = this.env.presenter.textureForExternalWrite(res, replacesScreen);
    if (!source || !target) return;
    const { gl } = this.env;
    const x1 = Math.min(rect.x + rect.width, source.width);
    const y1 = Math.min(rect.y + rect.height, source.height);
    gl.bindFramebuffer(READ_FRAMEBUFFER, this.readFbo);
    gl.framebufferTexture2D(READ_FRAMEBUFFER, COLOR_ATTACHMENT0, TEXTURE_2D, source.texture, 0);
    gl.bindFramebuffer(DRAW_FRAMEBUFFER, this.drawFbo);
    gl.framebufferTexture2D(DRAW_FRAMEBUFFER, COLOR_ATTACHMENT0, TEXTURE_2D, target, 0);
    gl.disable(gl.SCISSOR_TEST);
    gl.blitFramebuffer(rect.x, rect.y, x1, y1, rect.x, rect.y, x1, y1, COLOR_BUFFER_BIT, NEAREST);
    gl.framebufferTexture2D(READ_FRAMEBUFFER, COLOR_ATTACHMENT0, TEXTURE_2D, null, 0);
    gl.framebufferTexture2D(DRAW_FRAMEBUFFER, COLOR_ATTACHMENT0, TEXTURE_2D, null, 0);
    gl.bindFramebuffer(READ_FRAMEBUFFER, null);
    gl.bindFramebuffer(DRAW_FRAMEBUFFER, null);
  }

  // ---- lifetime ----------------------------------------------------------------------------

  /** Device reset: every context and resource goes (the page's `reset` frees the mirrors in the presenter). */
  reset(): void {
    this.epoch++;
    this.fences.clear();
    this.owedFullCopy.clear();
    // Direct presenter resources view renderer textures: drop them (the presenter keeps the
    // screen image) before the renderer deletes the textures.
    if (this.direct.size > 0) {
      this.enterPresenter();
      for (const res of this.direct) this.env.presenter.destroyResource(res);
      for (const res of this.direct) this.mirrors.delete(res);
      this.direct.clear();
    }
    this.enterRenderer();
    this.renderer.reset();
    this.mirrors.clear();
  }
}
