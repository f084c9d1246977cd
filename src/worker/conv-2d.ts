/**
 * virtio-gpu 2D formats → how to show them with WebGL2.
 *
 * WebGL2 cannot upload BGRA (no EXT_texture_format_BGRA8888 in WebGL2) and has no texture
 * swizzle parameters, so every 2D resource is uploaded byte-for-byte as RGBA8: texel
 * component i (r,g,b,a = 0..3) is byte i of the pixel. The presenting shader then rebuilds the
 * real colour with a per-format swizzle; "X" (padding) formats force alpha to 1.
 *
 * The names follow Gallium: for these 8-bit-per-channel array formats the name lists the
 * components from the lowest address, so B8G8R8A8 means byte 0 = B, byte 1 = G, byte 2 = R,
 * byte 3 = A. The table below is derived from those names, not typed by hand.
 */
import type { Format2D } from "../gpu/scanout-backend.ts";

/** Component letters in byte order (lowest address first). */
export const FORMAT_NAMES: Readonly<Record<Format2D, string>> = {
  1: "B8G8R8A8",
  2: "B8G8R8X8",
  3: "A8R8G8B8",
  4: "X8R8G8B8",
  67: "R8G8B8A8",
  68: "X8B8G8R8",
  121: "A8B8G8R8",
  134: "R8G8B8X8",
};

export const FORMATS_2D: readonly Format2D[] = [1, 2, 3, 4, 67, 68, 121, 134];

export interface Conv2D {
  readonly name: string;
  /** For output channel R, G, B, A: which byte (= RGBA8 texel component) holds it; -1 = none. */
  readonly byteOf: readonly [number, number, number, number];
  /** True when the format has no alpha: shown as alpha 1 whatever the padding byte holds. */
  readonly opaque: boolean;
  /**
   * Column-major 4x4 matrix M and bias b for the shader: colour = M * texel + b.
   * (GLSL mat4 * vec4 with uniformMatrix4fv(transpose=false) takes exactly this layout.)
   */
  readonly matrix: Float32Array;
  readonly bias: Float32Array;
}

export function isFormat2D(v: unknown): v is Format2D {
  return typeof v === "number" && Object.prototype.hasOwnProperty.call(FORMAT_NAMES, v);
}

function derive(name: string): Conv2D {
  const letters = name.match(/[A-Z]8/g);
  if (!letters || letters.length !== 4 || letters.join("") !== name) {
    throw new Error(`conv-2d: not an 8-bit array format name: ${name}`);
  }
  const comps = letters.map((l) => l[0]);
  const byteOf = (["R", "G", "B", "A"] as const).map((c) => comps.indexOf(c)) as [
    number,
    number,
    number,
    number,
  ];
  const opaque = byteOf[3] < 0;
  const matrix = new Float32Array(16);
  const bias = new Float32Array(4);
  for (let out = 0; out < 4; out++) {
    const src = byteOf[out];
    // Column-major: element (row=out, col=src) lives at src * 4 + out.
    if (src >= 0) matrix[src * 4 + out] = 1;
    else bias[out] = 1; // only alpha can be missing: force it to 1
  }
  return { name, byteOf, opaque, matrix, bias };
}

const TABLE = new Map<Format2D, Conv2D>(FORMATS_2D.map((f) => [f, derive(FORMAT_NAMES[f])]));

export function conv2D(format: Format2D): Conv2D {
  const c = TABLE.get(format);
  if (!c) throw new Error(`conv-2d: unknown format ${String(format)}`);
  return c;
}

/**
 * CPU reference of what the shader shows: one pixel's bytes in `format` → straight RGBA.
 * Used by tests (and handy for the harness to build expected colours).
 */
export function pixelToRGBA(format: Format2D, bytes: ArrayLike<number>): [number, number, number, number] {
  const { byteOf } = conv2D(format);
  return byteOf.map((b) => (b < 0 ? 255 : bytes[b] ?? 0)) as [number, number, number, number];
}

/** Inverse of pixelToRGBA: the 4 bytes a guest would store for straight RGBA in `format`. */
export function rgbaToPixel(format: Format2D, rgba: readonly [number, number, number, number]): Uint8Array {
  const { byteOf } = conv2D(format);
  const out = new Uint8Array(4);
  // Padding bytes get 0x00 on purpose: an X format must still show alpha 1.
  byteOf.forEach((b, ch) => {
    if (b >= 0) out[b] = rgba[ch];
  });
  return out;
}
