// Readback packing: what readPixels is asked for per format, and how its RGBA result is packed into
// the guest layout. WebGL2 guarantees RGBA/UNSIGNED_BYTE for normalized fixed-point colour buffers,
// RGBA/FLOAT for float ones (with EXT_color_buffer_float), RGBA_INTEGER/UNSIGNED_INT or INT for
// integer ones, and RGBA/UNSIGNED_INT_2_10_10_10_REV for RGB10_A2. Formats not handled here are not
// advertised in supported_readback_formats (caps.ts).

import type { FormatInfo } from "./formats.ts";
import { GL } from "./gl.ts";
import { glToGuest } from "./pixel-convert.ts";

export interface ReadSpec {
  format: number;
  type: number;
  /** Bytes per pixel readPixels returns. */
  bytes: number;
  /** Build the typed array readPixels wants over `buffer`. */
  array: "u8" | "u16" | "f32" | "u32" | "i32";
}

/** The typed array readPixels wants for `spec` over `buffer`. */
export function readbackView(spec: ReadSpec, buffer: ArrayBuffer): ArrayBufferView {
  switch (spec.array) {
    case "f32":
      return new Float32Array(buffer);
    case "u32":
      return new Uint32Array(buffer);
    case "i32":
      return new Int32Array(buffer);
    case "u16":
      return new Uint16Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

const comps = (f: FormatInfo): number =>
  f.glFormat === GL.RED || f.glFormat === GL.RED_INTEGER ? 1 : f.glFormat === GL.RG || f.glFormat === GL.RG_INTEGER ? 2 : f.glFormat === GL.RGB || f.glFormat === GL.RGB_INTEGER ? 3 : 4;

export function readSpec(f: FormatInfo): ReadSpec | undefined {
  if (f.compressed || f.depth || !f.renderable) return undefined;
  if (f.cpu.kind === "norm16-f32") return { format: GL.RGBA, type: GL.FLOAT, bytes: 16, array: "f32" };
  if (f.internalFormat === GL.RGB10_A2) return { format: GL.RGBA, type: GL.UNSIGNED_INT_2_10_10_10_REV, bytes: 4, array: "u32" };
  if (f.internalFormat === GL.RGB10_A2UI) return { format: GL.RGBA_INTEGER, type: GL.UNSIGNED_INT, bytes: 16, array: "u32" };
  if (f.channel === "uint") return { format: GL.RGBA_INTEGER, type: GL.UNSIGNED_INT, bytes: 16, array: "u32" };
  if (f.channel === "sint") return { format: GL.RGBA_INTEGER, type: GL.INT, bytes: 16, array: "i32" };
  if (f.channel === "float") {
    if (f.glType !== GL.FLOAT && f.glType !== GL.HALF_FLOAT) return undefined;
    return { format: GL.RGBA, type: GL.FLOAT, bytes: 16, array: "f32" };
  }
  if (f.channel === "unorm") {
    if (f.glType === GL.UNSIGNED_BYTE || f.glType === GL.UNSIGNED_SHORT_5_6_5 || f.glType === GL.UNSIGNED_SHORT_4_4_4_4) {
      return { format: GL.RGBA, type: GL.UNSIGNED_BYTE, bytes: 4, array: "u8" };
    }
    // 16-bit normalized (EXT_texture_norm16 colour buffers read as RGBA/UNSIGNED_SHORT): exact
    if (f.glType === GL.UNSIGNED_SHORT) return { format: GL.RGBA, type: GL.UNSIGNED_SHORT, bytes: 8, array: "u16" };
  }
  return undefined;
}

export function canReadBack(f: FormatInfo): boolean {
  return readSpec(f) !== undefined;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** float → IEEE half (round to nearest even, with overflow to inf and denormals). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // may carry into the exponent: still correct
  return sign | h;
}

/**
 * Packs `pixels` RGBA readPixels results (`src`, laid out per readSpec) into the guest layout of `f`
 * (tight rows, `f.blockBytes` per pixel). Returns the packed bytes.
 */
export function packReadback(f: FormatInfo, spec: ReadSpec, src: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * f.blockBytes);
  const dv = new DataView(out.buffer);
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const n = comps(f);
  if (spec.type === GL.UNSIGNED_INT_2_10_10_10_REV) {
    out.set(src.subarray(0, pixels * 4));
  } else if (spec.array === "u8") {
    if (f.glType === GL.UNSIGNED_SHORT_5_6_5) {
      for (let p = 0; p < pixels; p++) {
        const r = src[p * 4] >>> 3;
        const g = src[p * 4 + 1] >>> 2;
        const b = src[p * 4 + 2] >>> 3;
        dv.setUint16(p * 2, (r << 11) | (g << 5) | b, true);
      }
    } else if (f.glType === GL.UNSIGNED_SHORT_4_4_4_4) {
      for (let p = 0; p < pixels; p++) {
        const c = (i: number) => src[p * 4 + i] >>> 4;
        dv.setUint16(p * 2, (c(0) << 12) | (c(1) << 8) | (c(2) << 4) | c(3), true);
      }
    } else {
      for (let p = 0; p < pixels; p++) for (let c = 0; c < n; c++) out[p * n + c] = src[p * 4 + c];
    }
  } else if (spec.array === "u16") {
    for (let p = 0; p < pixels; p++) for (let c = 0; c < n; c++) dv.setUint16((p * n + c) * 2, sv.getUint16((p * 4 + c) * 2, true), true);
  } else if (f.cpu.kind === "norm16-f32") {
    // 16-bit (s)norm stored as float: round to the nearest code, as a 16-bit buffer would hold it
    const signed = f.cpu.signed;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < n; c++) {
        const v = sv.getFloat32(p * 16 + c * 4, true);
        const at = (p * n + c) * 2;
        if (signed) dv.setInt16(at, Math.round(Math.min(1, Math.max(-1, v || 0)) * 32767), true);
        else dv.setUint16(at, Math.round(Math.min(1, Math.max(0, v || 0)) * 65535), true);
      }
    }
  } else if (spec.array === "f32") {
    const half = f.glType === GL.HALF_FLOAT;
    const cb = half ? 2 : 4;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < n; c++) {
        const v = sv.getFloat32(p * 16 + c * 4, true);
        if (half) dv.setUint16((p * n + c) * cb, toHalf(v), true);
        else dv.setFloat32((p * n + c) * cb, v, true);
      }
    }
  } else {
    const cb = f.blockBytes / n;
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < n; c++) {
        const v = sv.getUint32(p * 16 + c * 4, true);
        const at = (p * n + c) * cb;
        if (cb === 1) dv.setUint8(at, v & 0xff);
        else if (cb === 2) dv.setUint16(at, v & 0xffff, true);
        else dv.setUint32(at, v, true);
      }
    }
  }
  if (f.internalFormat === GL.RGB10_A2UI) {
    // packed 10:10:10:2 integer: repack from the RGBA_INTEGER words
    for (let p = 0; p < pixels; p++) {
      const c = (i: number) => sv.getUint32(p * 16 + i * 4, true);
      dv.setUint32(p * 4, ((c(3) & 3) << 30) | ((c(2) & 0x3ff) << 20) | ((c(1) & 0x3ff) << 10) | (c(0) & 0x3ff), true);
    }
  }
  glToGuest(f.cpu, out);
  return out;
}
