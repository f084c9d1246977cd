// virgl vertex element formats → WebGL2 vertexAttrib(I)Pointer parameters. UNORM/SNORM are
// normalized; USCALED/SSCALED are integer data converted to float without normalization; UINT/SINT
// use vertexAttribIPointer. BGRA-ordered formats (`bgra`) are reordered on the CPU at draw time;
// 64-bit formats (doubleVertexComponents) are converted to floats there too. FIXED has no WebGL2
// equivalent. Mesa (virgl_is_vertex_format_supported) accepts every PLAIN non-FIXED format
// regardless of the vertexbuffer caps mask, so these must cover everything it can send.

import { GL } from "./gl.ts";

export interface VertexFormat {
  size: number;
  type: number;
  normalized: boolean;
  /** Use vertexAttribIPointer (integer attribute). */
  integer: boolean;
  /** Source bytes of one element. */
  bytes: number;
  /** Components arrive in B,G,R,A order; the draw path reorders them on the CPU (convertBgra). */
  bgra: boolean;
}

const table = new Map<number, VertexFormat>();
const v = (id: number, size: number, type: number, compBytes: number, normalized: boolean, integer = false, bgra = false): void => {
  table.set(id, { size, type, normalized, integer, bytes: size * compBytes, bgra });
};

// float
v(28, 1, GL.FLOAT, 4, false);
v(29, 2, GL.FLOAT, 4, false);
v(30, 3, GL.FLOAT, 4, false);
v(31, 4, GL.FLOAT, 4, false);
v(91, 1, GL.HALF_FLOAT, 2, false);
v(92, 2, GL.HALF_FLOAT, 2, false);
v(93, 3, GL.HALF_FLOAT, 2, false);
v(94, 4, GL.HALF_FLOAT, 2, false);
// 8-bit
const families: [number, number, boolean, boolean][] = [
  // first id, GL type, normalized, integer
  [64, GL.UNSIGNED_BYTE, true, false], // R8_UNORM .. R8G8B8A8_UNORM (64..67)
  [69, GL.UNSIGNED_BYTE, false, false], // USCALED (69..72)
  [74, GL.BYTE, true, false], // SNORM (74..77)
  [82, GL.BYTE, false, false], // SSCALED (82..85)
  [48, GL.UNSIGNED_SHORT, true, false], // R16 UNORM (48..51)
  [52, GL.UNSIGNED_SHORT, false, false], // USCALED (52..55)
  [56, GL.SHORT, true, false], // SNORM (56..59)
  [60, GL.SHORT, false, false], // SSCALED (60..63)
  [32, GL.UNSIGNED_INT, true, false], // R32 UNORM (32..35): Mesa sends them for normalized GL_UNSIGNED_INT arrays
  [36, GL.UNSIGNED_INT, false, false], // R32 USCALED (36..39)
  [40, GL.INT, true, false], // R32 SNORM (40..43)
  [44, GL.INT, false, false], // R32 SSCALED (44..47)
  [177, GL.UNSIGNED_BYTE, false, true], // R8 UINT (177..180)
  [181, GL.BYTE, false, true], // R8 SINT
  [185, GL.UNSIGNED_SHORT, false, true], // R16 UINT
  [189, GL.SHORT, false, true], // R16 SINT
  [193, GL.UNSIGNED_INT, false, true], // R32 UINT
  [197, GL.INT, false, true], // R32 SINT
];
const compBytes = (t: number): number => (t === GL.UNSIGNED_BYTE || t === GL.BYTE ? 1 : t === GL.UNSIGNED_SHORT || t === GL.SHORT ? 2 : 4);
for (const [first, type, norm, integer] of families) {
  for (let n = 1; n <= 4; n++) v(first + n - 1, n, type, compBytes(type), norm, integer);
}
// packed and BGRA orders
table.set(8, { size: 4, type: GL.UNSIGNED_INT_2_10_10_10_REV, normalized: true, integer: false, bytes: 4, bgra: false }); // R10G10B10A2_UNORM
table.set(123, { size: 4, type: GL.UNSIGNED_INT_2_10_10_10_REV, normalized: false, integer: false, bytes: 4, bgra: false }); // R10G10B10A2_USCALED
table.set(173, { size: 4, type: GL.INT_2_10_10_10_REV, normalized: true, integer: false, bytes: 4, bgra: false }); // R10G10B10A2_SNORM
table.set(172, { size: 4, type: GL.INT_2_10_10_10_REV, normalized: false, integer: false, bytes: 4, bgra: false }); // R10G10B10A2_SSCALED
table.set(131, { size: 4, type: GL.UNSIGNED_INT_2_10_10_10_REV, normalized: true, integer: false, bytes: 4, bgra: true }); // B10G10R10A2_UNORM
table.set(1, { size: 4, type: GL.UNSIGNED_BYTE, normalized: true, integer: false, bytes: 4, bgra: true }); // B8G8R8A8_UNORM

export function vertexFormat(id: number): VertexFormat | undefined {
  return table.get(id);
}
export function allVertexFormats(): number[] {
  return [...table.keys()].sort((a, b) => a - b);
}

/** R64_FLOAT … R64G64B64A64_FLOAT (glVertexAttribPointer(GL_DOUBLE)): components, else 0. */
export function doubleVertexComponents(id: number): number {
  return id >= 24 && id <= 27 ? id - 23 : 0;
}

/**
 * Converts `n` double-precision elements (each `comps` f64, `stride` bytes apart, first at byte
 * `offset` of `src`) to tightly packed f32. Elements past the end of `src` read as 0.
 */
export function convertDoubles(src: Uint8Array, offset: number, stride: number, comps: number, n: number): Float32Array {
  const out = new Float32Array(n * comps);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let v = 0; v < n; v++) {
    for (let c = 0; c < comps; c++) {
      const at = offset + v * stride + c * 8;
      if (at + 8 <= src.length) out[v * comps + c] = dv.getFloat64(at, true);
    }
  }
  return out;
}

/**
 * Copies `n` elements of a BGRA-ordered vertex format into tightly packed RGBA order (B8G8R8A8:
 * bytes 0/2 swapped; B10G10R10A2: 10-bit R/B fields swapped). Elements past `src` read as 0.
 */
export function convertBgra(id: number, src: Uint8Array, offset: number, stride: number, n: number): Uint8Array {
  const out = new Uint8Array(n * 4);
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const ov = new DataView(out.buffer);
  for (let v = 0; v < n; v++) {
    const at = offset + v * stride;
    if (at + 4 > src.length) break;
    const w = sv.getUint32(at, true);
    if (id === 1) ov.setUint32(v * 4, ((w & 0xff00ff00) | ((w & 0xff) << 16) | ((w >>> 16) & 0xff)) >>> 0, true);
    else ov.setUint32(v * 4, ((w & 0xc00ffc00) | ((w & 0x3ff) << 20) | ((w >>> 20) & 0x3ff)) >>> 0, true);
  }
  return out;
}
