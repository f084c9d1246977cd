// Texture buffer objects (GL_TEXTURE_BUFFER / samplerBuffer; gallium buffer sampler views). WebGL2
// has no buffer textures, so a buffer sampler view is mirrored into a 2D texture of the view's
// format, `width` elements per row (width = min(count, TBO_ROW_ELEMENTS)); the translator fetches
// element i at (i % width, i / width) (src/shader/emit/texture.ts, target BUFFER). The buffer's CPU
// shadow is authoritative (resources.ts), so the mirror is refreshed from it at every draw that
// samples the view — always current, no dirty tracking across the many buffer-write paths.
// Limits: formats that need a CPU layout conversion (BGRA orders, Z24) are refused; textureSize
// on a samplerBuffer reports width × rows (the element count rounded up to whole rows).

import { formatInfo } from "../conv/formats.ts";
import type { GlObjects } from "./gl-objects.ts";
import type { GpuResource } from "./resources.ts";
import type { GlStateCache } from "./state-cache.ts";
import { typedView } from "./transfers.ts";

/** Elements per mirror row: WebGL2 guarantees MAX_TEXTURE_SIZE ≥ 2048. */
export const TBO_ROW_ELEMENTS = 2048;

const TEXTURE_2D = 0x0de1;
const TEXTURE_MIN_FILTER = 0x2801;
const TEXTURE_MAG_FILTER = 0x2800;
const NEAREST = 0x2600;
const UNPACK_ALIGNMENT = 0x0cf5;

export interface TboMirror {
  texture: WebGLTexture;
  key: string;
}

/** Mirror geometry of a view of `count` elements. */
export function tboLayout(count: number): { width: number; rows: number; fullRows: number; rest: number } {
  const width = Math.max(1, Math.min(count, TBO_ROW_ELEMENTS));
  const rows = Math.max(1, Math.ceil(count / width));
  return { width, rows, fullRows: Math.floor(count / width), rest: count % width };
}

export interface TboEnv {
  gl: WebGL2RenderingContext;
  state: GlStateCache;
  objs: GlObjects;
}

/**
 * Binds (to TEXTURE_2D of the active unit) the up-to-date 2D mirror of elements first..last of a
 * buffer in `format`. Returns an error message for unusable views.
 */
export function bindTextureBuffer(env: TboEnv, r: GpuResource, format: number, first: number, last: number): string | null {
  if (r.kind !== "buffer" || !r.shadow) return `resource ${r.desc.handle} is not a buffer`;
  const f = formatInfo(format);
  if (!f || f.compressed || f.depth || f.cpu.kind !== "none") return `format ${f?.name ?? format} cannot be a texture buffer format here`;
  const bb = f.blockBytes;
  const available = Math.floor(r.shadow.length / bb);
  const count = Math.max(0, Math.min(last, available - 1) - first + 1);
  const { width, rows, fullRows, rest } = tboLayout(count);
  const { gl } = env;
  const key = `${f.internalFormat}/${width}x${rows}`;
  if (r.tbo?.key !== key) {
    if (r.tbo) env.objs.deleteTexture(r.tbo.texture);
    const texture = env.objs.texture();
    gl.bindTexture(TEXTURE_2D, texture);
    gl.texStorage2D(TEXTURE_2D, 1, f.internalFormat, width, rows);
    gl.texParameteri(TEXTURE_2D, TEXTURE_MIN_FILTER, NEAREST); // integer formats are incomplete with LINEAR
    gl.texParameteri(TEXTURE_2D, TEXTURE_MAG_FILTER, NEAREST);
    r.tbo = { texture, key };
  } else gl.bindTexture(TEXTURE_2D, r.tbo.texture);
  if (count === 0) return null;
  env.state.pixelStore(UNPACK_ALIGNMENT, 1);
  const bytes = r.shadow.subarray(first * bb, (first + count) * bb);
  const split = fullRows * width * bb;
  if (fullRows > 0) gl.texSubImage2D(TEXTURE_2D, 0, 0, 0, width, fullRows, f.glFormat, f.glType, typedView(f.glType, bytes.subarray(0, split)));
  if (rest > 0) gl.texSubImage2D(TEXTURE_2D, 0, 0, fullRows, rest, 1, f.glFormat, f.glType, typedView(f.glType, bytes.subarray(split)));
  return null;
}
