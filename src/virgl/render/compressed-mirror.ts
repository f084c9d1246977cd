// CPU copy of compressed textures. WebGL2 cannot attach a compressed texture to a framebuffer, so
// it can neither read one back nor copy it (no copyImageSubData, no blit source). The bytes the
// guest uploaded are therefore kept here, block for block, per level: RESOURCE_COPY_REGION from a
// compressed resource (Mesa copies level 0 of a texture's first single-level allocation into the
// full miptree) and FROM_HOST transfers are served from it. The GL texture only ever receives
// these bytes (compressed data has no GPU-side producer in WebGL2), so the copy stays exact.
//
// Layout of a level: layers one after the other, each a tight grid of blocks (block rows of
// ceil(w / blockWidth) blocks, ceil(h / blockHeight) rows). Levels are allocated on first use.

import type { FormatInfo } from "../conv/formats.ts";
import { type Box3, levelExtent, type ResourceDesc } from "../resource-desc.ts";

interface LevelGeometry {
  /** Blocks per row / block rows per layer / layers of the whole level. */
  bx: number;
  by: number;
  layers: number;
}

export class CompressedMirror {
  private readonly levels = new Map<number, Uint8Array>();

  constructor(
    readonly desc: ResourceDesc,
    readonly fmt: FormatInfo,
  ) {}

  private geometry(level: number): LevelGeometry {
    const e = levelExtent(this.desc, level);
    return { bx: Math.ceil(e.w / this.fmt.blockWidth), by: Math.ceil(e.h / this.fmt.blockHeight), layers: e.layers };
  }

  private data(level: number): Uint8Array {
    let d = this.levels.get(level);
    if (!d) {
      const g = this.geometry(level);
      d = new Uint8Array(g.bx * g.by * g.layers * this.fmt.blockBytes);
      this.levels.set(level, d);
    }
    return d;
  }

  /**
   * Block span of a (validated, block-aligned) box: first block column/row and block counts.
   * Returns an error string when the box leaves the level.
   */
  private span(level: number, box: Box3): { x0: number; y0: number; nx: number; ny: number; g: LevelGeometry } | string {
    if (level < 0 || level > this.desc.lastLevel) return `level ${level} outside 0..${this.desc.lastLevel}`;
    const g = this.geometry(level);
    const f = this.fmt;
    const x0 = Math.floor(box.x / f.blockWidth);
    const y0 = Math.floor(box.y / f.blockHeight);
    const nx = Math.ceil(box.w / f.blockWidth);
    const ny = Math.ceil(box.h / f.blockHeight);
    if (box.w <= 0 || box.h <= 0 || box.d <= 0 || x0 + nx > g.bx || y0 + ny > g.by || box.z < 0 || box.z + box.d > g.layers) {
      return `box ${box.x},${box.y},${box.z} ${box.w}x${box.h}x${box.d} outside level ${level} (${g.bx}x${g.by} blocks, ${g.layers} layers)`;
    }
    return { x0, y0, nx, ny, g };
  }

  /** Stores the tight block rows of `box` (layers consecutive), as uploaded to GL. */
  write(level: number, box: Box3, tight: Uint8Array): string | null {
    const s = this.span(level, box);
    if (typeof s === "string") return s;
    const bb = this.fmt.blockBytes;
    const row = s.nx * bb;
    if (tight.length < row * s.ny * box.d) return `${tight.length} bytes for ${s.nx}x${s.ny}x${box.d} blocks`;
    const d = this.data(level);
    for (let z = 0; z < box.d; z++) {
      for (let y = 0; y < s.ny; y++) {
        const to = (((box.z + z) * s.g.by + s.y0 + y) * s.g.bx + s.x0) * bb;
        const from = (z * s.ny + y) * row;
        d.set(tight.subarray(from, from + row), to);
      }
    }
    return null;
  }

  /** The tight block rows of `box` (zero where nothing was uploaded, like the GL texture). */
  read(level: number, box: Box3): Uint8Array | string {
    const s = this.span(level, box);
    if (typeof s === "string") return s;
    const bb = this.fmt.blockBytes;
    const row = s.nx * bb;
    const out = new Uint8Array(row * s.ny * box.d);
    const d = this.levels.get(level);
    if (!d) return out;
    for (let z = 0; z < box.d; z++) {
      for (let y = 0; y < s.ny; y++) {
        const from = (((box.z + z) * s.g.by + s.y0 + y) * s.g.bx + s.x0) * bb;
        out.set(d.subarray(from, from + row), (z * s.ny + y) * row);
      }
    }
    return out;
  }
}

const mirrors = new WeakMap<object, CompressedMirror>();

/** The mirror of a compressed texture resource (created empty on first use); undefined otherwise. */
export function compressedMirror(r: { desc: ResourceDesc; fmt: FormatInfo | undefined; kind: string }): CompressedMirror | undefined {
  if (r.kind !== "texture" || !r.fmt?.compressed) return undefined;
  let m = mirrors.get(r);
  if (!m) {
    m = new CompressedMirror(r.desc, r.fmt);
    mirrors.set(r, m);
  }
  return m;
}

/** Can `src` blocks be copied byte for byte into `dst` (same block size and bytes per block)? */
export function blockCompatible(src: FormatInfo, dst: FormatInfo): boolean {
  return src.blockWidth === dst.blockWidth && src.blockHeight === dst.blockHeight && src.blockBytes === dst.blockBytes;
}
