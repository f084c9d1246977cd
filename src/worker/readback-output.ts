/**
 * The "readback" present mode's output (present-mode.ts): RGBA pixels read back from the GL
 * screen go onto the displayed canvas through its 2D context. The 2D canvas keeps its pixels
 * between frames, so a frame only puts its damaged rects (as the "damage" mode repaints them).
 *
 * The canvas is opaque, like the WebGL canvas (alpha: false) it stands in for: alpha is forced
 * to 255 before the put, so a guest's padding or alpha byte never changes what is shown.
 */
import type { Rect } from "../gpu/scanout-backend.ts";

/** The part of OffscreenCanvasRenderingContext2D this needs (a fake in unit tests). */
export interface PutImageTarget {
  putImageData(image: ImageData, dx: number, dy: number): void;
}

/** Sets every pixel's alpha byte (RGBA order) to 255. */
export function forceOpaque(pixels: Uint8ClampedArray): void {
  if (pixels.byteOffset % 4 !== 0 || pixels.byteLength % 4 !== 0) {
    throw new Error(`forceOpaque: ${pixels.byteLength} bytes at offset ${pixels.byteOffset} are not whole RGBA pixels`);
  }
  const words = new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.byteLength / 4);
  // Little-endian (every browser we run on): the alpha byte is the top byte of each word.
  for (let i = 0; i < words.length; i++) words[i] = (words[i]! | 0xff000000) >>> 0;
}

export class ReadbackOutput {
  /** One scratch buffer, grown to the largest rect so far: a frame's puts reuse it in turn. */
  private scratch = new ArrayBuffer(0);

  constructor(
    private readonly target: PutImageTarget,
    private readonly makeImage: (pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number) => ImageData = (p, w, h) => new ImageData(p, w, h),
  ) {}

  /** A buffer for `rect`'s RGBA pixels (top row first), valid until the next call. */
  pixels(rect: Rect): Uint8ClampedArray<ArrayBuffer> {
    const bytes = rect.width * rect.height * 4;
    if (this.scratch.byteLength < bytes) this.scratch = new ArrayBuffer(bytes);
    return new Uint8ClampedArray(this.scratch, 0, bytes);
  }

  /** Puts `pixels` (from pixels(rect), filled) at the rect's place on the canvas, opaque. */
  put(rect: Rect, pixels: Uint8ClampedArray<ArrayBuffer>): void {
    forceOpaque(pixels);
    this.target.putImageData(this.makeImage(pixels, rect.width, rect.height), rect.x, rect.y);
  }
}
