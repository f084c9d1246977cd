// SET_FRAMEBUFFER_STATE → one WebGL framebuffer per context, re-attached only when the attachment
// set changes (keyed by resource/level/layer). Surfaces view a texture level/layer; WebGL2 has no
// texture views, so a surface whose format differs from its resource's storage renders with the
// resource's storage format. Multisample resources attach their multisample renderbuffer; every
// bind marks it dirty (draws and clears bind first), so readers resolve it (render/msaa.ts).

import type { GpuResource } from "./resources.ts";
import { T } from "./resources.ts";
import type { GlStateCache } from "./state-cache.ts";

const DRAW_FRAMEBUFFER = 0x8ca9;
const COLOR_ATTACHMENT0 = 0x8ce0;
const DEPTH_ATTACHMENT = 0x8d00;
const DEPTH_STENCIL_ATTACHMENT = 0x821a;
const NONE = 0;
const RENDERBUFFER = 0x8d41;
const FRAMEBUFFER_COMPLETE = 0x8cd5;

export interface Attachment {
  res: GpuResource;
  level: number;
  layer: number;
  /** The surface's virgl format when known (may differ from the resource's in sRGB-ness: srgb-write.ts). */
  format?: number;
}
export interface FramebufferAttachments {
  color: (Attachment | null)[];
  depth: Attachment | null;
}

const keyOf = (a: Attachment | null): string => (a ? `${a.res.desc.handle}:${a.level}:${a.layer}` : "-");

/** A unique number per resource object (handles are reused; objects are not). */
const serials = new WeakMap<GpuResource, number>();
let nextSerial = 1;
const objectKeyOf = (a: Attachment | null): string => {
  if (!a) return "-";
  let n = serials.get(a.res);
  if (n === undefined) serials.set(a.res, (n = nextSerial++));
  return `${n}:${a.level}:${a.layer}`;
};
/** Attachment sets remembered as complete per binder (a guest flipping between buffers cycles a few). */
const MAX_COMPLETE_SETS = 64;

export class FramebufferBinder {
  private key = "";
  /**
   * Attachment sets (by resource object, level, layer) already found complete: re-attaching one
   * skips checkFramebufferStatus, a synchronous round trip to the GPU process that waits for all
   * queued GL work (once per frame for a guest that alternates render targets).
   */
  private readonly complete = new Set<string>();
  /** Size of the smallest attachment (the drawable area), 0×0 without attachments. */
  width = 0;
  height = 0;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    private readonly state: GlStateCache,
    readonly fbo: WebGLFramebuffer,
  ) {}

  invalidate(): void {
    this.key = "";
  }

  /** Binds the FBO with these attachments; returns an error string if incomplete. */
  bind(att: FramebufferAttachments): string | null {
    this.state.drawFramebuffer(this.fbo);
    for (const a of att.color) if (a?.res.msaa) a.res.msaa.dirty = true;
    if (att.depth?.res.msaa) att.depth.res.msaa.dirty = true;
    const key = [...att.color.map(keyOf), keyOf(att.depth)].join("|");
    if (key === this.key) return null;
    const { gl } = this;
    const attach = (point: number, a: Attachment | null): void => {
      if (!a || !a.res.texture) {
        gl.framebufferTexture2D(DRAW_FRAMEBUFFER, point, T.TEXTURE_2D, null, 0);
        return;
      }
      if (a.res.msaa) {
        gl.framebufferRenderbuffer(DRAW_FRAMEBUFFER, point, RENDERBUFFER, a.res.msaa.rb);
        return;
      }
      const t = a.res.glTarget;
      if (t === T.TEXTURE_3D || t === T.TEXTURE_2D_ARRAY) gl.framebufferTextureLayer(DRAW_FRAMEBUFFER, point, a.res.texture, a.level, a.layer);
      else gl.framebufferTexture2D(DRAW_FRAMEBUFFER, point, t === T.TEXTURE_CUBE_MAP ? T.TEXTURE_CUBE_MAP_POSITIVE_X + a.layer : t, a.res.texture, a.level);
    };
    const maxColor = 8;
    for (let i = 0; i < maxColor; i++) attach(COLOR_ATTACHMENT0 + i, att.color[i] ?? null);
    const ds = att.depth;
    if (ds && ds.res.fmt?.stencil) {
      attach(DEPTH_ATTACHMENT, null);
      attach(DEPTH_STENCIL_ATTACHMENT, ds);
    } else {
      attach(DEPTH_STENCIL_ATTACHMENT, null);
      attach(DEPTH_ATTACHMENT, ds);
    }
    const n = att.color.length;
    gl.drawBuffers(Array.from({ length: Math.max(n, 1) }, (_, i) => (att.color[i] ? COLOR_ATTACHMENT0 + i : NONE)));
    this.key = key;
    let w = Infinity;
    let h = Infinity;
    for (const a of [...att.color, att.depth]) {
      if (!a) continue;
      w = Math.min(w, Math.max(1, a.res.desc.width >>> a.level));
      h = Math.min(h, Math.max(1, a.res.desc.height >>> a.level));
    }
    this.width = Number.isFinite(w) ? w : 0;
    this.height = Number.isFinite(h) ? h : 0;
    const objectKey = [...att.color.map(objectKeyOf), objectKeyOf(att.depth)].join("|");
    if (this.complete.has(objectKey)) return null;
    const status = gl.checkFramebufferStatus(DRAW_FRAMEBUFFER);
    if (status !== FRAMEBUFFER_COMPLETE && (n > 0 || ds)) {
      this.key = "";
      return `framebuffer incomplete (0x${status.toString(16)})`;
    }
    if (this.complete.size >= MAX_COMPLETE_SETS) this.complete.clear();
    this.complete.add(objectKey);
    return null;
  }
}
