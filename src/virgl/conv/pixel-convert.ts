// CPU pixel conversions between a virgl format's guest memory layout and the WebGL2 upload layout
// chosen in formats.ts (`FormatInfo.cpu`). Pure, in place on a copy the caller owns.

import type { CpuConversion } from "./formats.ts";

/**
 * Guest layout → GL layout (upload). Converts `bytes` in place and returns them, or returns new
 * bytes when the GL layout is larger (norm16-f32).
 */
export function guestToGl(c: CpuConversion, bytes: Uint8Array): Uint8Array {
  switch (c.kind) {
    case "none":
      return bytes;
    case "norm16-f32": {
      const n = bytes.length >> 1;
      const src = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
      const out = new Float32Array(n);
      if (c.signed) for (let i = 0; i < n; i++) out[i] = Math.max(src.getInt16(i * 2, true) / 32767, -1);
      else for (let i = 0; i < n; i++) out[i] = src.getUint16(i * 2, true) / 65535;
      return new Uint8Array(out.buffer);
    }
    case "permute8": {
      const [p0, p1, p2, p3] = c.perm;
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const s0 = bytes[i + p0];
        const s1 = bytes[i + p1];
        const s2 = bytes[i + p2];
        const s3 = bytes[i + p3];
        bytes[i] = s0;
        bytes[i + 1] = s1;
        bytes[i + 2] = s2;
        bytes[i + 3] = s3;
      }
      return bytes;
    }
    case "swap-rb-1010102":
      eachU32(bytes, swapRb1010102);
      return bytes;
    case "z24-low-to-high":
      eachU32(bytes, (v) => ((v << 8) | (v >>> 24)) >>> 0);
      return bytes;
  }
}

/** GL layout → guest layout (readback). Converts `bytes` in place. */
export function glToGuest(c: CpuConversion, bytes: Uint8Array): void {
  switch (c.kind) {
    case "none":
    case "norm16-f32": // sizes differ: packReadback converts from the float readback
      return;
    case "permute8": {
      const [p0, p1, p2, p3] = c.perm;
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const g0 = bytes[i];
        const g1 = bytes[i + 1];
        const g2 = bytes[i + 2];
        const g3 = bytes[i + 3];
        bytes[i + p0] = g0;
        bytes[i + p1] = g1;
        bytes[i + p2] = g2;
        bytes[i + p3] = g3;
      }
      return;
    }
    case "swap-rb-1010102":
      return eachU32(bytes, swapRb1010102);
    case "z24-low-to-high":
      return eachU32(bytes, (v) => ((v >>> 8) | (v << 24)) >>> 0);
  }
}

function swapRb1010102(v: number): number {
  const r = v & 0x3ff;
  const b = (v >>> 20) & 0x3ff;
  return ((v & 0xc00ffc00) | (b << 0) | (r << 20)) >>> 0;
}

/** Apply `f` to each little-endian u32 (any byte alignment; trailing bytes untouched). */
function eachU32(bytes: Uint8Array, f: (v: number) => number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 3 < bytes.length; i += 4) dv.setUint32(i, f(dv.getUint32(i, true)), true);
}
