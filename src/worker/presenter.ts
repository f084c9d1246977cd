/**
 * The GL side of 2D scanout: resource textures, the persistent screen texture, the cursor,
 * and one frame's worth of work. It owns no timing (gpu-worker.ts paces it with rAF).
 *
 * Why a persistent screen texture (instead of drawing straight from the resource each frame):
 *  - virtio-gpu semantics: the screen changes on RESOURCE_FLUSH, not on TRANSFER_TO_HOST_2D;
 *    blitting only the flushed rect into the screen texture keeps unflushed writes off screen.
 *  - with preserveDrawingBuffer: false every presented frame is redrawn anyway, so the frame
 *    is one full-screen textured quad + the cursor quad whichever the source; a cursor move
 *    costs no upload and no blit. (That quad is the dominant cost on SwiftShader, which is
 *    why the "damage" present mode exists: README "Present modes".)
 *  - a full-screen flush skips the blit and draws from the resource itself (screenInResource).
 * The damage-proportional work (texSubImage2D of the written rect, scissored blit of the
 * flushed rect) is the only part that scales with what the guest changed.
 *
 * Everything the guest created is kept as a model (sizes, formats, scanouts, cursor image)
 * separate from the GL objects, so a lost context can be rebuilt from nothing.
 */
import type { CursorImage, Format2D, Rect } from "../gpu/scanout-backend.ts";
import { conv2D } from "./conv-2d.ts";
import { DamageList, WriteQueue, contains, flushToScreen, intersect, presentRegions } from "./damage.ts";
import { IDENTITY_SWIZZLE, ZERO_BIAS, createTexelProgram, pixelQuad, type TexelProgram } from "./gl-program.ts";
import type { PresentMode, PresenterStats } from "./protocol.ts";
import type { ReadbackOutput } from "./readback-output.ts";

interface ResourceModel {
  width: number;
  height: number;
  format: Format2D;
  /** The texture belongs to another producer on this context (a 3D resource shown directly): never deleted here. */
  external: boolean;
}

interface ScanoutModel {
  resourceId: number;
  rect: Rect;
}

interface CursorModel {
  image: CursorImage | null;
  x: number;
  y: number;
}

interface GLState {
  gl: WebGL2RenderingContext;
  prog: TexelProgram;
  vao: WebGLVertexArrayObject;
  textures: Map<number, WebGLTexture>;
  screen: RenderTarget | null;
  cursorTex: WebGLTexture | null;
  /** "readback" mode: screen-sized target where regions are composed (cursor, format swizzle) before being read. */
  compose: RenderTarget | null;
  /** "readback" mode: reads a resource texture directly (attached for the read only). */
  readFbo: WebGLFramebuffer | null;
}

interface RenderTarget {
  tex: WebGLTexture;
  fbo: WebGLFramebuffer;
  width: number;
  height: number;
}

/** Where a region's finished pixels can be read: a framebuffer and the screen's origin in it. */
interface ReadSource {
  fbo: WebGLFramebuffer;
  x: number;
  y: number;
}

export type Log = (message: string, context: string) => void;

/*
 * Present modes (PresentMode, see README "Present modes" for the measurements):
 *  - "composite": preserveDrawingBuffer false; every frame redraws the whole screen texture
 *    (one full-screen quad) plus the cursor.
 *  - "damage": preserveDrawingBuffer true; a frame repaints only the damaged rects (and the
 *    old/new cursor rects) from the screen texture.
 *  - "readback": the GL context is not on the displayed canvas; the same rects as "damage" are
 *    read back with readPixels (straight from the scanout texture when its bytes are RGB in
 *    order) and put onto the displayed canvas's 2D context (ReadbackOutput). For browsers that
 *    composite in software, where a WebGL frame is read back anyway (present-mode.ts).
 */
export type { PresentMode };

/** The scanout shown on the canvas; other scanouts are tracked but not displayed. */
export const DISPLAY_SCANOUT = 0;

export class Presenter {
  private readonly resources = new Map<number, ResourceModel>();
  private readonly scanouts = new Map<number, ScanoutModel>();
  private cursor: CursorModel = { image: null, x: 0, y: 0 };
  private readonly writes = new WriteQueue();
  private readonly damage = new DamageList();
  private g: GLState | null = null;
  /** Something on the canvas must change at the next frame (damage, cursor, new scanout). */
  private needsFrame = false;
  /** Oldest flush not yet on screen (epoch ms, page send time) and the newest flush seq seen. */
  private oldestFlushAt: number | null = null;
  private lastSeq = 0;
  private lastPresentedSeq = 0;
  /** Pixel buffers already uploaded (or dropped): handed back to the page for reuse. */
  private spent: ArrayBuffer[] = [];
  /**
   * After a full-screen flush the screen *is* the scanout's resource texture: the frame draws
   * straight from it and skips the resource → screen-texture blit, which on SwiftShader halves
   * the cost of a full-screen update (one full-screen draw instead of two). Valid until the
   * next upload to that resource; materializeScreen() copies it into the screen texture first.
   */
  private screenInResource = false;
  /** The canvas holds a complete frame of the current screen ("damage" mode paints over it). */
  private canvasValid = false;
  /** Cursor rect drawn on the canvas last frame, and whether the cursor changed since. */
  private cursorDrawn: Rect | null = null;
  private cursorChanged = false;

  readonly stats: PresenterStats = {
    framesPresented: 0,
    flushes: 0,
    writes: 0,
    writesCoalesced: 0,
    bytesUploaded: 0,
    lastPresentLatencyMs: 0,
    lastCommitMs: 0,
    commitMsTotal: 0,
    contextLosses: 0,
    errors: 0,
    frameCpuMsTotal: 0,
  };

  /**
   * `canvas` is the displayed canvas, sized to the scanout. In "readback" mode `output` puts
   * pixels on it (the GL context lives on another canvas); the other modes draw into the
   * context's own drawing buffer and need none.
   */
  constructor(
    private readonly canvas: OffscreenCanvas,
    private readonly log: Log,
    readonly mode: PresentMode = "composite",
    private readonly output: ReadbackOutput | null = null,
  ) {
    if ((mode === "readback") !== (output !== null)) throw new Error(`presenter: mode ${mode} ${output ? "takes no" : "needs a"} readback output`);
  }

  // ---- context lifecycle --------------------------------------------------------------------

  /** Creates (or, after a restore, re-creates) every GL object from the model. */
  attach(gl: WebGL2RenderingContext): void {
    const prog = createTexelProgram(gl);
    const vao = gl.createVertexArray();
    if (!vao) throw new Error("createVertexArray failed");
    this.g = { gl, prog, vao, textures: new Map(), screen: null, cursorTex: null, compose: null, readFbo: null };
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.DITHER); // dithering could perturb exact colours on some drivers
    for (const [id, r] of this.resources) {
      // An external texture died with the old context: the resource gets one of its own (black).
      r.external = false;
      this.g.textures.set(id, this.allocTexture(r.width, r.height));
    }
    this.canvasValid = false;
    this.screenInResource = false;
    this.uploadCursor();
    this.rebuildScreen();
  }

  /** The context is gone: GL objects are dead, queued uploads are useless. */
  detach(): void {
    this.g = null;
    this.screenInResource = false;
    this.recycle(this.writes.take());
    this.damage.clear();
    this.stats.contextLosses++;
  }

  get attached(): boolean {
    return this.g !== null;
  }

  // ---- ScanoutBackend operations -------------------------------------------------------------

  createResource2D(id: number, width: number, height: number, format: Format2D): void {
    if (this.resources.has(id)) {
      this.log(`resource ${id} exists; replacing it`, "createResource2D");
      this.destroyResource(id);
    }
    this.resources.set(id, { width, height, format, external: false });
    if (this.g) this.g.textures.set(id, this.allocTexture(width, height));
  }

  /**
   * A resource whose pixels live in another producer's texture on this context (a 3D scanout
   * resource shown directly, as QEMU shows virgl scanout textures): flushes present from it with
   * no copy. The texture must be a complete 2D RGBA-ordered texture of width x height; it is
   * never deleted here, so the owner must destroy this resource before deleting the texture.
   */
  createExternalResource(id: number, width: number, height: number, format: Format2D, texture: WebGLTexture): void {
    if (this.resources.has(id)) this.destroyResource(id);
    if (!this.g) return this.log(`no context for external resource ${id}`, "createExternalResource");
    this.resources.set(id, { width, height, format, external: true });
    this.g.textures.set(id, texture);
  }

  destroyResource(id: number): void {
    if (!this.resources.has(id)) {
      this.log(`unknown resource ${id}`, "destroyResource");
      return;
    }
    if (this.scanouts.get(DISPLAY_SCANOUT)?.resourceId === id) this.materializeScreen(id);
    const external = this.resources.get(id)?.external ?? false;
    this.resources.delete(id);
    this.recycle(this.writes.dropResource(id));
    const tex = this.g?.textures.get(id);
    if (tex && this.g) {
      if (!external) this.g.gl.deleteTexture(tex);
      this.g.textures.delete(id);
    }
    // A destroyed resource still on a scanout shows nothing from then on (the screen keeps
    // the last image, as a real display would until the next modeset).
  }

  writeRect(id: number, rect: Rect, pixels: Uint8Array): void {
    const r = this.resources.get(id);
    if (!r) return this.log(`unknown resource ${id}`, "writeRect");
    if (r.external) {
      this.recycle([{ pixels }]);
      return this.log(`resource ${id} is shown from another producer's texture`, "writeRect");
    }
    if (!contains({ x: 0, y: 0, width: r.width, height: r.height }, rect)) {
      return this.log(`rect ${JSON.stringify(rect)} outside ${r.width}x${r.height}`, `writeRect ${id}`);
    }
    if (rect.width === 0 || rect.height === 0) return;
    this.stats.writes++;
    if (!this.g) {
      // Context lost: the texture is gone and the device re-sends after the restore. Queueing
      // would grow without bound until then.
      this.recycle([{ pixels }]);
      return;
    }
    const dropped = this.writes.push({ resourceId: id, rect, pixels });
    this.stats.writesCoalesced += dropped.length;
    this.recycle(dropped);
  }

  /** Returns whether the displayed scanout changed its active state or size. */
  setScanout(scanoutId: number, resourceId: number, rect: Rect): boolean {
    const old = this.scanouts.get(scanoutId);
    if (resourceId === 0) {
      // The screen keeps the last image: it must not depend on the old resource from now on.
      if (scanoutId === DISPLAY_SCANOUT) this.materializeScreen();
      this.scanouts.delete(scanoutId);
    } else {
      const r = this.resources.get(resourceId);
      if (!r) {
        this.log(`unknown resource ${resourceId}`, `setScanout ${scanoutId}`);
        return false;
      }
      if (rect.width === 0 || rect.height === 0 || !contains({ x: 0, y: 0, width: r.width, height: r.height }, rect)) {
        this.log(`rect ${JSON.stringify(rect)} outside ${r.width}x${r.height}`, `setScanout ${scanoutId}`);
        return false;
      }
      // No materializeScreen() here: rebuildScreen() below damages the whole screen, so the next
      // frame shows the new resource in full and the old image is never needed again (a page flip
      // would otherwise pay a full-screen copy of the outgoing buffer). Should anything read the
      // screen before that frame, materializeScreen() copies the new resource, which is what the
      // scanout shows from now on.
      this.scanouts.set(scanoutId, { resourceId, rect: { ...rect } });
    }
    if (scanoutId !== DISPLAY_SCANOUT) return false;
    const now = this.scanouts.get(scanoutId);
    const changed =
      (old === undefined) !== (now === undefined) ||
      (old !== undefined && now !== undefined && (old.rect.width !== now.rect.width || old.rect.height !== now.rect.height));
    this.rebuildScreen();
    return changed;
  }

  flush(resourceId: number, rect: Rect, seq: number, sentAt: number): void {
    this.stats.flushes++;
    this.lastSeq = Math.max(this.lastSeq, seq);
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    if (s && s.resourceId === resourceId) {
      const d = flushToScreen(rect, s.rect);
      if (d) this.damage.add(d);
    }
    if (this.oldestFlushAt === null) this.oldestFlushAt = sentAt;
    // Even a flush of an undisplayed resource gets a frame: its `presented` ack tells the
    // device the flush is done, and pacing acks on frames is what bounds the queue.
    this.needsFrame = true;
  }

  updateCursor(scanoutId: number, image: CursorImage | null, x: number, y: number): void {
    if (scanoutId !== DISPLAY_SCANOUT) return;
    this.cursor = { image, x, y };
    this.uploadCursor();
    this.cursorChanged = true;
    this.needsFrame = true;
  }

  moveCursor(scanoutId: number, x: number, y: number): void {
    if (scanoutId !== DISPLAY_SCANOUT) return;
    if (x === this.cursor.x && y === this.cursor.y) return;
    this.cursor.x = x;
    this.cursor.y = y;
    if (this.cursor.image) {
      this.cursorChanged = true;
      this.needsFrame = true;
    }
  }

  reset(): void {
    this.materializeScreen();
    const g = this.g;
    if (g) {
      for (const [id, t] of g.textures) if (!this.resources.get(id)?.external) g.gl.deleteTexture(t);
      g.textures.clear();
    }
    this.resources.clear();
    this.scanouts.clear();
    this.recycle(this.writes.take());
    this.damage.clear();
    this.cursor = { image: null, x: 0, y: 0 };
    this.cursorChanged = true;
    this.uploadCursor();
    this.rebuildScreen();
  }

  /**
   * Another producer on this GL context (the virgl host copying a 3D scanout resource into its
   * mirror here) is about to draw into resource `id`'s texture: keeps the screen image first if
   * the screen currently lives in that texture, unless the caller replaces the whole screen and
   * flushes it right away. Returns the texture (null without a context or resource).
   */
  textureForExternalWrite(id: number, replacesScreen: boolean): WebGLTexture | null {
    if (!replacesScreen && this.scanouts.get(DISPLAY_SCANOUT)?.resourceId === id) this.materializeScreen(id);
    return this.g?.textures.get(id) ?? null;
  }

  // ---- frame ---------------------------------------------------------------------------------

  get wantsFrame(): boolean {
    return this.needsFrame || this.writes.length > 0;
  }

  get displaySize(): { width: number; height: number } | null {
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    return s ? { width: s.rect.width, height: s.rect.height } : null;
  }

  /**
   * One animation frame: queued uploads, then blits of this frame's damage, then the
   * composite. Returns what was presented, or null if nothing needed presenting.
   */
  frame(): { seq: number; latencyMs: number } | null {
    const g = this.g;
    if (!g) return null;
    const { gl } = g;
    const t0 = performance.now();
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    const full = g.screen ? { x: 0, y: 0, width: g.screen.width, height: g.screen.height } : null;
    const sTex = s ? g.textures.get(s.resourceId) : undefined;
    const fullFlush = full !== null && sTex !== undefined && this.damage.covers(full);
    // Uploads are about to change the resource the screen lives in, and this frame will not
    // replace the whole screen: keep the old screen image first.
    if (this.screenInResource && s && this.writes.has(s.resourceId) && !fullFlush) this.materializeScreen();
    this.upload();
    if (!this.needsFrame) {
      this.stats.frameCpuMsTotal += performance.now() - t0;
      return null;
    }
    this.needsFrame = false;
    let damaged: Rect[];
    if (fullFlush) {
      damaged = this.damage.take();
      this.screenInResource = true; // draw straight from the resource: no blit
    } else if (this.screenInResource) {
      damaged = this.damage.take(); // resource unchanged since: it still is the screen
    } else {
      damaged = this.blitDamage();
    }
    // Nothing on screen changed (say, a flush of a resource no scanout shows): draw nothing,
    // the canvas keeps its last frame, but the flush is still acknowledged below.
    const screenChanged = damaged.length > 0 || this.cursorChanged || !this.canvasValid;
    if (g.screen && screenChanged) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      const { width, height } = g.screen;
      const cursorNow = this.cursorRect();
      if (this.mode === "composite") {
        this.drawComposite(width, height, true, null, true);
      } else {
        // The canvas keeps its pixels in both other modes (preserved drawing buffer, 2D canvas).
        const plan = presentRegions({
          full: { x: 0, y: 0, width, height },
          damage: damaged,
          canvasValid: this.canvasValid,
          cursorNow,
          cursorDrawn: this.cursorDrawn,
          cursorChanged: this.cursorChanged,
        });
        if (this.mode === "readback") this.presentByReadback(plan.regions, plan.drawCursor);
        else this.drawComposite(width, height, true, plan.regions, plan.drawCursor);
      }
      this.canvasValid = true;
      this.cursorDrawn = cursorNow;
      this.cursorChanged = false;
      this.stats.framesPresented++;
    }
    // Measured once the frame's GL calls are issued; the browser commits the frame when
    // this rAF callback returns.
    const t1 = performance.now();
    this.stats.frameCpuMsTotal += t1 - t0;
    const latencyMs = this.oldestFlushAt === null ? 0 : performance.timeOrigin + t1 - this.oldestFlushAt;
    if (this.oldestFlushAt !== null) this.stats.lastPresentLatencyMs = latencyMs;
    this.oldestFlushAt = null;
    this.lastPresentedSeq = this.lastSeq;
    return { seq: this.lastPresentedSeq, latencyMs };
  }

  /**
   * Reads the current scanout (top row first, RGBA). With `cursor`, the cursor is
   * composited exactly as on the canvas. Pending damage is applied first so a readback
   * after a flush sees that flush.
   */
  readback(cursor: boolean): { width: number; height: number; pixels: Uint8Array } | null {
    const g = this.g;
    if (!g || !g.screen) return null;
    const { gl } = g;
    // Bring the screen texture up to date now: the screen image as last presented, then the
    // pending uploads and blits (damage implies needsFrame, so the canvas catches up at the
    // next frame).
    this.materializeScreen();
    this.upload();
    this.blitDamage();
    const { width, height } = g.screen;
    const pixels = new Uint8Array(width * height * 4);
    if (!cursor) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, g.screen.fbo);
      gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    } else {
      // Composite into a scratch target (the canvas' drawing buffer is not readable after the
      // frame that drew it, and is upside down).
      const scratch = this.allocTarget(width, height);
      gl.bindFramebuffer(gl.FRAMEBUFFER, scratch.fbo);
      this.drawComposite(width, height, false, null, true);
      gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      this.freeTarget(scratch);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return { width, height, pixels };
  }

  // ---- internals -----------------------------------------------------------------------------

  private upload(): void {
    const g = this.g;
    if (!g) return;
    const { gl } = g;
    const uploads = this.writes.take();
    for (const w of uploads) {
      const tex = g.textures.get(w.resourceId);
      if (!tex) continue;
      gl.bindTexture(gl.TEXTURE_2D, tex);
      gl.texSubImage2D(gl.TEXTURE_2D, 0, w.rect.x, w.rect.y, w.rect.width, w.rect.height, gl.RGBA, gl.UNSIGNED_BYTE, w.pixels);
      this.stats.bytesUploaded += w.pixels.byteLength;
    }
    // texSubImage2D has consumed the data by the time it returns: the buffers are free.
    this.recycle(uploads);
  }

  private recycle(writes: { pixels: Uint8Array }[]): void {
    for (const w of writes) {
      const b = w.pixels.buffer;
      if (b instanceof ArrayBuffer && b.byteLength >= 4096 && !this.spent.includes(b)) this.spent.push(b);
    }
  }

  /** Buffers the page may reuse (see gpu-client.ts allocPixels). */
  takeSpent(): ArrayBuffer[] {
    const out = this.spent;
    this.spent = [];
    return out;
  }

  private allocTexture(width: number, height: number): WebGLTexture {
    const gl = this.g!.gl;
    const tex = gl.createTexture();
    if (!tex) throw new Error("createTexture failed");
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, width, height);
    // NEAREST + no mips: texelFetch ignores filtering, but a complete texture is still required.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return tex;
  }

  private uploadCursor(): void {
    const g = this.g;
    if (!g) return;
    const img = this.cursor.image;
    if (g.cursorTex) g.gl.deleteTexture(g.cursorTex);
    g.cursorTex = null;
    if (!img) return;
    g.cursorTex = this.allocTexture(img.width, img.height);
    g.gl.texSubImage2D(g.gl.TEXTURE_2D, 0, 0, 0, img.width, img.height, g.gl.RGBA, g.gl.UNSIGNED_BYTE, img.pixels);
  }

  /** (Re)allocates the screen texture for the display scanout and sizes the canvas to it. */
  private rebuildScreen(): void {
    this.needsFrame = true;
    const g = this.g;
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    if (!g) return;
    if (!s) {
      // Scanout disabled: keep the last image on the canvas (the page switches back to VGA).
      return;
    }
    const { width, height } = s.rect;
    if (!g.screen || g.screen.width !== width || g.screen.height !== height) {
      if (g.screen) this.freeTarget(g.screen);
      if (g.compose) this.freeTarget(g.compose);
      g.compose = null;
      // Opaque black until the first blit (allocTarget clears: texStorage2D contents are alpha 0).
      g.screen = this.allocTarget(width, height);
      // Resizing resets the drawing buffer; a new screen texture also means a full repaint.
      this.canvasValid = false;
      if (this.canvas.width !== width) this.canvas.width = width;
      if (this.canvas.height !== height) this.canvas.height = height;
    }
    // A new scanout shows the whole resource at once (as after a modeset), no flush needed.
    this.damage.clear();
    this.damage.add({ x: 0, y: 0, width, height });
  }

  /** A width x height RGBA8 texture with a framebuffer on it, cleared to opaque black. */
  private allocTarget(width: number, height: number): RenderTarget {
    const gl = this.g!.gl;
    const tex = this.allocTexture(width, height);
    const fbo = gl.createFramebuffer();
    if (!fbo) throw new Error("createFramebuffer failed");
    gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return { tex, fbo, width, height };
  }

  private freeTarget(t: RenderTarget): void {
    const gl = this.g!.gl;
    gl.deleteFramebuffer(t.fbo);
    gl.deleteTexture(t.tex);
  }

  /**
   * "readback" mode: each region's pixels are read from the screen and put on the 2D canvas.
   * A region is read straight from the screen's texture (no draw at all: for a page flip of an
   * RGBA 3D buffer that is the guest's own texture) unless the cursor is in it or the screen
   * lives in a resource whose bytes are not RGB in order; those are composed through the
   * shader into the compose target first, exactly as the other modes draw them.
   */
  private presentByReadback(regions: Rect[], drawCursor: boolean): void {
    const g = this.g;
    const out = this.output;
    if (!g?.screen || !out) return;
    const { gl } = g;
    const cursor = drawCursor ? this.cursorRect() : null;
    const direct = this.directReadSource();
    for (const r of regions) {
      const underCursor = cursor !== null && intersect(r, cursor) !== null;
      const src = direct && !underCursor ? direct : this.composeRegion(r, underCursor);
      const px = out.pixels(r);
      gl.bindFramebuffer(gl.FRAMEBUFFER, src.fbo);
      // Texture row 0 is the top scanline, so the rows come back top first, as ImageData wants.
      gl.readPixels(src.x + r.x, src.y + r.y, r.width, r.height, gl.RGBA, gl.UNSIGNED_BYTE, px);
      out.put(r, px);
    }
    // The resource stays attached only for the read: the renderer may delete its texture later.
    if (g.readFbo) {
      gl.bindFramebuffer(gl.FRAMEBUFFER, g.readFbo);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  /** Where the screen's finished pixels are, if they can be read as stored (alpha aside: ReadbackOutput forces it). */
  private directReadSource(): ReadSource | null {
    const g = this.g;
    if (!g?.screen) return null;
    if (!this.screenInResource) return { fbo: g.screen.fbo, x: 0, y: 0 };
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    const res = s && this.resources.get(s.resourceId);
    const tex = s && g.textures.get(s.resourceId);
    if (!s || !res || !tex) return null;
    const [r, gr, b] = conv2D(res.format).byteOf;
    if (r !== 0 || gr !== 1 || b !== 2) return null;
    g.readFbo ??= g.gl.createFramebuffer();
    if (!g.readFbo) return null;
    const { gl } = g;
    gl.bindFramebuffer(gl.FRAMEBUFFER, g.readFbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
    return { fbo: g.readFbo, x: s.rect.x, y: s.rect.y };
  }

  /** Draws region `r` of the screen (and the cursor over it) into the compose target. */
  private composeRegion(r: Rect, withCursor: boolean): ReadSource {
    const g = this.g!;
    const { width, height } = g.screen!;
    g.compose ??= this.allocTarget(width, height);
    g.gl.bindFramebuffer(g.gl.FRAMEBUFFER, g.compose.fbo);
    // Top-down like the screen texture (no flip); outside `r` the target is never read.
    this.drawComposite(width, height, false, [r], withCursor);
    return { fbo: g.compose.fbo, x: 0, y: 0 };
  }

  /** Copies the screen out of the scanout resource into the screen texture (see screenInResource). */
  private materializeScreen(resourceId?: number): void {
    if (!this.screenInResource) return;
    this.screenInResource = false;
    const g = this.g;
    if (!g?.screen) return;
    this.blitRects([{ x: 0, y: 0, width: g.screen.width, height: g.screen.height }], resourceId);
  }

  /** Blits this frame's damage into the screen texture; returns the rects (screen coords). */
  private blitDamage(): Rect[] {
    return this.blitRects(this.damage.take());
  }

  private blitRects(rects: Rect[], expectResource?: number): Rect[] {
    const g = this.g;
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    if (!g || !g.screen || !s || rects.length === 0) return [];
    if (expectResource !== undefined && s.resourceId !== expectResource) return [];
    const tex = g.textures.get(s.resourceId);
    const res = this.resources.get(s.resourceId);
    if (!tex || !res) return [];
    const { gl, prog } = g;
    const conv = conv2D(res.format);
    gl.bindFramebuffer(gl.FRAMEBUFFER, g.screen.fbo);
    gl.viewport(0, 0, g.screen.width, g.screen.height);
    gl.useProgram(prog.program);
    gl.bindVertexArray(g.vao);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.uniform1i(prog.uTex, 0);
    gl.uniform4f(prog.uQuad, -1, -1, 1, 1);
    gl.uniform2i(prog.uOffset, s.rect.x, s.rect.y);
    gl.uniform1i(prog.uFlipHeight, 0);
    gl.uniformMatrix4fv(prog.uSwizzle, false, conv.matrix);
    gl.uniform4fv(prog.uBias, conv.bias);
    gl.disable(gl.BLEND);
    gl.enable(gl.SCISSOR_TEST);
    for (const r of rects) {
      // The screen texture is stored top row first, so screen y is framebuffer y here.
      gl.scissor(r.x, r.y, r.width, r.height);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    }
    gl.disable(gl.SCISSOR_TEST);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return rects;
  }

  /** Where the cursor is on screen (top-down), or null when hidden. */
  private cursorRect(): Rect | null {
    const img = this.cursor.image;
    if (!img) return null;
    return { x: this.cursor.x - img.hotX, y: this.cursor.y - img.hotY, width: img.width, height: img.height };
  }

  /**
   * Screen texture (+ cursor) onto the bound framebuffer; `toCanvas` flips for GL's y-up.
   * `regions` (top-down screen rects) limits the repaint; null repaints everything.
   */
  private drawComposite(width: number, height: number, toCanvas: boolean, regions: Rect[] | null, drawCursor: boolean): void {
    const g = this.g;
    if (!g || !g.screen) return;
    const { gl, prog } = g;
    gl.viewport(0, 0, width, height);
    gl.useProgram(prog.program);
    gl.bindVertexArray(g.vao);
    gl.activeTexture(gl.TEXTURE0);
    gl.uniform1i(prog.uTex, 0);
    gl.disable(gl.SCISSOR_TEST);
    gl.disable(gl.BLEND);
    gl.uniform4f(prog.uQuad, -1, -1, 1, 1);
    gl.uniform1i(prog.uFlipHeight, toCanvas ? height : 0);
    const s = this.scanouts.get(DISPLAY_SCANOUT);
    const res = s && this.resources.get(s.resourceId);
    const resTex = s && g.textures.get(s.resourceId);
    if (this.screenInResource && s && res && resTex) {
      // The screen lives in the resource (full-screen flush): convert on the way out.
      const conv = conv2D(res.format);
      gl.bindTexture(gl.TEXTURE_2D, resTex);
      gl.uniform2i(prog.uOffset, s.rect.x, s.rect.y);
      gl.uniformMatrix4fv(prog.uSwizzle, false, conv.matrix);
      gl.uniform4fv(prog.uBias, conv.bias);
    } else {
      gl.bindTexture(gl.TEXTURE_2D, g.screen.tex);
      gl.uniform2i(prog.uOffset, 0, 0);
      gl.uniformMatrix4fv(prog.uSwizzle, false, IDENTITY_SWIZZLE);
      gl.uniform4fv(prog.uBias, ZERO_BIAS);
    }
    if (regions === null) {
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    } else {
      gl.enable(gl.SCISSOR_TEST);
      for (const r of regions) {
        gl.scissor(r.x, toCanvas ? height - r.y - r.height : r.y, r.width, r.height);
        gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      }
      gl.disable(gl.SCISSOR_TEST);
    }

    const img = this.cursor.image;
    if (drawCursor && img && g.cursorTex) {
      const cx = this.cursor.x - img.hotX;
      const cy = this.cursor.y - img.hotY;
      const conv = conv2D(img.format);
      gl.bindTexture(gl.TEXTURE_2D, g.cursorTex);
      gl.uniform4fv(prog.uQuad, pixelQuad(cx, cy, img.width, img.height, width, height, toCanvas));
      gl.uniform2i(prog.uOffset, -cx, -cy);
      gl.uniformMatrix4fv(prog.uSwizzle, false, conv.matrix);
      gl.uniform4fv(prog.uBias, conv.bias);
      // DRM cursor planes take premultiplied ARGB by default ("pixel blend mode" =
      // Pre-multiplied), so blend as premultiplied; keep the destination alpha at 1.
      gl.enable(gl.BLEND);
      gl.blendFuncSeparate(gl.ONE, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.disable(gl.BLEND);
    }
  }
}
