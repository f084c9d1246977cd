// Shadow copy of the WebGL2 state the renderer touches (in the style of three.js WebGLState): every
// setter compares with the shadow and skips redundant GL calls. `reset()` puts GL back to its
// defaults and the shadow with it (after context creation, or when someone else used the context);
// `forget()` marks everything unknown so the next setter always calls GL.

export type StateGl = Pick<
  WebGL2RenderingContext,
  | "enable"
  | "disable"
  | "blendFuncSeparate"
  | "blendEquationSeparate"
  | "blendColor"
  | "colorMask"
  | "depthMask"
  | "depthFunc"
  | "stencilFuncSeparate"
  | "stencilOpSeparate"
  | "stencilMaskSeparate"
  | "cullFace"
  | "frontFace"
  | "polygonOffset"
  | "lineWidth"
  | "viewport"
  | "scissor"
  | "depthRange"
  | "bindFramebuffer"
  | "useProgram"
  | "bindVertexArray"
  | "pixelStorei"
>;

const C = {
  BLEND: 0x0be2,
  CULL_FACE: 0x0b44,
  DEPTH_TEST: 0x0b71,
  STENCIL_TEST: 0x0b90,
  SCISSOR_TEST: 0x0c11,
  POLYGON_OFFSET_FILL: 0x8037,
  SAMPLE_ALPHA_TO_COVERAGE: 0x809e,
  RASTERIZER_DISCARD: 0x8c89,
  DITHER: 0x0bd0,
  FRONT: 0x0404,
  BACK: 0x0405,
  CCW: 0x0901,
  LESS: 0x0201,
  ALWAYS: 0x0207,
  KEEP: 0x1e00,
  ONE: 1,
  ZERO: 0,
  FUNC_ADD: 0x8006,
  DRAW_FRAMEBUFFER: 0x8ca9,
  READ_FRAMEBUFFER: 0x8ca8,
  UNPACK_ALIGNMENT: 0x0cf5,
  PACK_ALIGNMENT: 0x0d05,
} as const;
export const Caps = C;

type Key = string;

export class GlStateCache {
  private readonly shadow = new Map<Key, unknown>();
  /** GL calls issued / skipped, for tests and the debug panel. */
  calls = 0;
  skipped = 0;

  constructor(private readonly gl: StateGl) {}

  /** true if the value changed (and the caller must issue the GL call). */
  private changed(key: Key, value: unknown): boolean {
    const old = this.shadow.get(key);
    if (old !== undefined && sameValue(old, value)) {
      this.skipped++;
      return false;
    }
    this.shadow.set(key, Array.isArray(value) ? [...value] : value);
    this.calls++;
    return true;
  }

  setEnabled(cap: number, on: boolean): void {
    if (this.changed(`en${cap}`, on)) {
      if (on) this.gl.enable(cap);
      else this.gl.disable(cap);
    }
  }
  blendFunc(srcRgb: number, dstRgb: number, srcA: number, dstA: number): void {
    if (this.changed("blendFunc", [srcRgb, dstRgb, srcA, dstA])) this.gl.blendFuncSeparate(srcRgb, dstRgb, srcA, dstA);
  }
  blendEquation(rgb: number, a: number): void {
    if (this.changed("blendEq", [rgb, a])) this.gl.blendEquationSeparate(rgb, a);
  }
  blendColor(r: number, g: number, b: number, a: number): void {
    if (this.changed("blendColor", [r, g, b, a])) this.gl.blendColor(r, g, b, a);
  }
  colorMask(r: boolean, g: boolean, b: boolean, a: boolean): void {
    if (this.changed("colorMask", [r, g, b, a])) this.gl.colorMask(r, g, b, a);
  }
  depthMask(on: boolean): void {
    if (this.changed("depthMask", on)) this.gl.depthMask(on);
  }
  depthFunc(f: number): void {
    if (this.changed("depthFunc", f)) this.gl.depthFunc(f);
  }
  stencilFunc(face: number, func: number, ref: number, mask: number): void {
    if (this.changed(`stencilFunc${face}`, [func, ref, mask])) this.gl.stencilFuncSeparate(face, func, ref, mask);
  }
  stencilOp(face: number, fail: number, zfail: number, zpass: number): void {
    if (this.changed(`stencilOp${face}`, [fail, zfail, zpass])) this.gl.stencilOpSeparate(face, fail, zfail, zpass);
  }
  stencilMask(face: number, mask: number): void {
    if (this.changed(`stencilMask${face}`, mask)) this.gl.stencilMaskSeparate(face, mask);
  }
  cullFace(face: number): void {
    if (this.changed("cullFace", face)) this.gl.cullFace(face);
  }
  frontFace(dir: number): void {
    if (this.changed("frontFace", dir)) this.gl.frontFace(dir);
  }
  polygonOffset(factor: number, units: number): void {
    if (this.changed("polygonOffset", [factor, units])) this.gl.polygonOffset(factor, units);
  }
  lineWidth(w: number): void {
    if (this.changed("lineWidth", w)) this.gl.lineWidth(w);
  }
  viewport(x: number, y: number, w: number, h: number): void {
    if (this.changed("viewport", [x, y, w, h])) this.gl.viewport(x, y, w, h);
  }
  scissor(x: number, y: number, w: number, h: number): void {
    if (this.changed("scissor", [x, y, w, h])) this.gl.scissor(x, y, w, h);
  }
  depthRange(n: number, f: number): void {
    if (this.changed("depthRange", [n, f])) this.gl.depthRange(n, f);
  }
  drawFramebuffer(fb: WebGLFramebuffer | null): void {
    if (this.changed("drawFb", fb ?? 0)) this.gl.bindFramebuffer(C.DRAW_FRAMEBUFFER, fb);
  }
  readFramebuffer(fb: WebGLFramebuffer | null): void {
    if (this.changed("readFb", fb ?? 0)) this.gl.bindFramebuffer(C.READ_FRAMEBUFFER, fb);
  }
  program(p: WebGLProgram | null): void {
    if (this.changed("program", p ?? 0)) this.gl.useProgram(p);
  }
  vertexArray(v: WebGLVertexArrayObject | null): void {
    if (this.changed("vao", v ?? 0)) this.gl.bindVertexArray(v);
  }
  pixelStore(pname: number, v: number): void {
    if (this.changed(`px${pname}`, v)) this.gl.pixelStorei(pname, v);
  }

  /** Object deleted elsewhere: drop any binding of it from the shadow (GL unbinds it itself). */
  dropObject(o: unknown): void {
    for (const [k, v] of this.shadow) if (v === o) this.shadow.delete(k);
  }

  /** Blend enable/func/equation and colour mask unknown (indexed per-buffer calls bypassed the cache). */
  forgetBlend(): void {
    for (const k of [`en${C.BLEND}`, "blendFunc", "blendEq", "colorMask"]) this.shadow.delete(k);
  }

  /** Everything unknown: the next setter always reaches GL. */
  forget(): void {
    this.shadow.clear();
  }

  /** Puts GL (and the shadow) into the WebGL2 default state. */
  reset(): void {
    this.forget();
    for (const cap of [C.BLEND, C.CULL_FACE, C.DEPTH_TEST, C.STENCIL_TEST, C.SCISSOR_TEST, C.POLYGON_OFFSET_FILL, C.SAMPLE_ALPHA_TO_COVERAGE, C.RASTERIZER_DISCARD]) {
      this.setEnabled(cap, false);
    }
    this.setEnabled(C.DITHER, true);
    this.blendFunc(C.ONE, C.ZERO, C.ONE, C.ZERO);
    this.blendEquation(C.FUNC_ADD, C.FUNC_ADD);
    this.blendColor(0, 0, 0, 0);
    this.colorMask(true, true, true, true);
    this.depthMask(true);
    this.depthFunc(C.LESS);
    for (const face of [C.FRONT, C.BACK]) {
      this.stencilFunc(face, C.ALWAYS, 0, 0xffffffff);
      this.stencilOp(face, C.KEEP, C.KEEP, C.KEEP);
      this.stencilMask(face, 0xffffffff);
    }
    this.cullFace(C.BACK);
    this.frontFace(C.CCW);
    this.polygonOffset(0, 0);
    this.lineWidth(1);
    this.depthRange(0, 1);
    this.drawFramebuffer(null);
    this.readFramebuffer(null);
    this.program(null);
    this.vertexArray(null);
    this.pixelStore(C.UNPACK_ALIGNMENT, 4);
    this.pixelStore(C.PACK_ALIGNMENT, 4);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
