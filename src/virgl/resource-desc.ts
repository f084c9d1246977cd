// Resource descriptions (RESOURCE_CREATE_3D / vtest RESOURCE_CREATE2 fields) and their validation,
// mip-level sizes and the byte geometry of transfers. Pure: shared by the renderer (worker) and
// the device side (which mirrors descriptions to plan backing reads, see transfer-plan.ts).

import { type FormatInfo, formatInfo } from "./conv/formats.ts";
import { Bind, Target } from "./protocol.ts";

export interface ResourceDesc {
  handle: number;
  target: number;
  format: number;
  bind: number;
  width: number;
  height: number;
  depth: number;
  arraySize: number;
  lastLevel: number;
  nrSamples: number;
  flags: number;
}

export interface Box3 {
  x: number;
  y: number;
  z: number;
  w: number;
  h: number;
  d: number;
}

/** Largest byte size we accept for one resource or one transfer (guest RAM is < 4 GiB). */
export const MAX_RESOURCE_BYTES = 2 ** 31;
export const MAX_DIMENSION = 16384;

export const isBuffer = (d: ResourceDesc): boolean => d.target === Target.BUFFER;
/** Staging buffers live only in guest memory (vrend keeps no GL object for them). */
export const isStaging = (d: ResourceDesc): boolean => isBuffer(d) && (d.bind & Bind.STAGING) !== 0;

/**
 * Mesa sends 0 for "unused" extents (e.g. VIRGL_BIND_CUSTOM query buffers with array_size 0);
 * vrend accepts that, so extents of 0 in depth / array_size (and height for buffers) mean 1.
 */
export function normalizeResourceDesc(d: ResourceDesc): ResourceDesc {
  const buffer = d.target === Target.BUFFER;
  return {
    ...d,
    height: buffer && d.height === 0 ? 1 : d.height,
    depth: d.depth === 0 ? 1 : d.depth,
    arraySize: d.arraySize === 0 ? 1 : d.arraySize,
  };
}

/** Returns an error message, or null if the description is acceptable (zero extents mean 1). */
export function validateResourceDesc(raw: ResourceDesc): string | null {
  const d = normalizeResourceDesc(raw);
  if (d.handle === 0) return "resource handle 0 is reserved";
  if (d.target > Target.TEXTURE_CUBE_ARRAY) return `target ${d.target} unknown`;
  if (d.nrSamples > 1) {
    // Multisample resources are WebGL2 multisample renderbuffers (+ a resolved texture): 2D, one level, one layer.
    if (d.nrSamples > 16 || (d.nrSamples & (d.nrSamples - 1)) !== 0) return `nr_samples ${d.nrSamples}: not a power of two ≤ 16`;
    if (d.target !== Target.TEXTURE_2D && d.target !== Target.TEXTURE_RECT) return `nr_samples ${d.nrSamples}: multisampled resources must be 2D (target ${d.target})`;
    if (d.lastLevel !== 0 || d.arraySize > 1) return `nr_samples ${d.nrSamples}: multisampled resources have one level and one layer`;
  }
  if (d.width === 0 || d.height === 0 || d.depth === 0 || d.arraySize === 0) return "zero-sized resource";
  if (isBuffer(d)) {
    if (d.height !== 1 || d.depth !== 1 || d.arraySize !== 1 || d.lastLevel !== 0) return "buffers must be width × 1 × 1, one level";
    if (d.width > MAX_RESOURCE_BYTES) return `buffer of ${d.width} bytes is too large`;
    return null;
  }
  const f = formatInfo(d.format);
  if (!f) return `format ${d.format} unsupported`;
  const max = d.target === Target.TEXTURE_3D ? 2048 : MAX_DIMENSION;
  if (d.width > max || d.height > max || d.depth > max) return `size ${d.width}x${d.height}x${d.depth} exceeds ${max}`;
  if (d.arraySize > 2048) return `array_size ${d.arraySize} exceeds 2048`;
  const is1d = d.target === Target.TEXTURE_1D || d.target === Target.TEXTURE_1D_ARRAY;
  if (is1d && d.height !== 1) return "1D textures have height 1";
  if (d.target !== Target.TEXTURE_3D && d.depth !== 1) return "only 3D textures have depth";
  const arrays = d.target === Target.TEXTURE_1D_ARRAY || d.target === Target.TEXTURE_2D_ARRAY || d.target === Target.TEXTURE_CUBE_ARRAY;
  if (!arrays && d.target !== Target.TEXTURE_CUBE && d.arraySize !== 1) return "array_size > 1 on a non-array target";
  if (d.target === Target.TEXTURE_CUBE && d.arraySize !== 6 && d.arraySize !== 1) return "cube maps have 6 faces";
  if (d.target === Target.TEXTURE_CUBE_ARRAY) return "cube map arrays are not advertised";
  if (d.target === Target.TEXTURE_CUBE && d.width !== d.height) return "cube faces must be square";
  const maxLevels = Math.floor(Math.log2(Math.max(d.width, d.height, d.target === Target.TEXTURE_3D ? d.depth : 1))) + 1;
  if (d.lastLevel >= maxLevels) return `last_level ${d.lastLevel} exceeds the ${maxLevels}-level chain`;
  if (totalBytes(d, f) > MAX_RESOURCE_BYTES) return "resource too large";
  return null;
}

/** Number of layers (array slices, cube faces) or depth of a level. */
export function levelExtent(d: ResourceDesc, level: number): { w: number; h: number; layers: number } {
  const w = Math.max(1, d.width >>> level);
  const h = d.target === Target.TEXTURE_1D || d.target === Target.TEXTURE_1D_ARRAY ? 1 : Math.max(1, d.height >>> level);
  let layers = Math.max(1, d.arraySize);
  if (d.target === Target.TEXTURE_3D) layers = Math.max(1, d.depth >>> level);
  if (d.target === Target.TEXTURE_CUBE) layers = 6;
  return { w, h, layers };
}

function totalBytes(d: ResourceDesc, f: FormatInfo): number {
  let sum = 0;
  for (let l = 0; l <= d.lastLevel; l++) {
    const e = levelExtent(d, l);
    sum += Math.ceil(e.w / f.blockWidth) * Math.ceil(e.h / f.blockHeight) * e.layers * f.blockBytes;
  }
  return sum;
}

export interface TransferGeometry {
  /** Bytes between rows of blocks in the guest layout. */
  stride: number;
  /** Bytes between layers/slices in the guest layout. */
  layerStride: number;
  /** Bytes of one row of the box. */
  rowBytes: number;
  /** Rows of blocks in the box. */
  rows: number;
  /** Total bytes spanned in the guest layout: layerStride*(d-1) + stride*(rows-1) + rowBytes. */
  bytes: number;
}

/**
 * Validates `box` against the resource level and computes the guest-side byte geometry (stride 0 /
 * layer_stride 0 = tightly packed, as vrend infers). Returns an error string on any violation.
 */
export function transferGeometry(d: ResourceDesc, level: number, box: Box3, stride: number, layerStride: number): TransferGeometry | string {
  if (isBuffer(d)) {
    if (level !== 0) return `level ${level} on a buffer`;
    if (box.y !== 0 || box.z !== 0 || box.h !== 1 || box.d !== 1) return "buffer boxes are x/w only";
    if (box.x + box.w > d.width) return `box ${box.x}+${box.w} beyond the ${d.width}-byte buffer`;
    return { stride: box.w, layerStride: box.w, rowBytes: box.w, rows: 1, bytes: box.w };
  }
  const f = formatInfo(d.format);
  if (!f) return `format ${d.format} unsupported`;
  if (level > d.lastLevel) return `level ${level} > last_level ${d.lastLevel}`;
  const e = levelExtent(d, level);
  if (box.w === 0 || box.h === 0 || box.d === 0) return "empty box";
  if (box.x + box.w > e.w || box.y + box.h > e.h || box.z + box.d > e.layers) {
    return `box ${box.x},${box.y},${box.z} ${box.w}x${box.h}x${box.d} beyond level ${level} (${e.w}x${e.h}x${e.layers})`;
  }
  if (f.compressed) {
    const edgeX = box.x + box.w === e.w;
    const edgeY = box.y + box.h === e.h;
    if (box.x % f.blockWidth || box.y % f.blockHeight || (!edgeX && box.w % f.blockWidth) || (!edgeY && box.h % f.blockHeight)) {
      return "compressed box not aligned to blocks";
    }
  }
  const rowBytes = Math.ceil(box.w / f.blockWidth) * f.blockBytes;
  const rows = Math.ceil(box.h / f.blockHeight);
  const s = stride === 0 ? rowBytes : stride;
  if (s < rowBytes) return `stride ${stride} < row size ${rowBytes}`;
  const ls = layerStride === 0 ? s * rows : layerStride;
  if (s > MAX_RESOURCE_BYTES || ls > MAX_RESOURCE_BYTES) return "stride too large";
  if (box.d > 1 && ls < s * rows) return `layer_stride ${layerStride} < layer size ${s * rows}`;
  const bytes = ls * (box.d - 1) + s * (rows - 1) + rowBytes;
  if (bytes > MAX_RESOURCE_BYTES) return "transfer too large";
  return { stride: s, layerStride: ls, rowBytes, rows, bytes };
}
