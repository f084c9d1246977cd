// Moving bytes between guest layouts and GL objects: uploads (TRANSFER3D/TO_HOST, COPY_TRANSFER3D,
// RESOURCE_INLINE_WRITE, virtio TRANSFER_TO_HOST_3D) and readbacks (FROM_HOST directions). The
// guest layout is described by transfer geometry (resource-desc.ts); GL always receives tightly
// packed rows (UNPACK_ALIGNMENT 1) after the format's CPU conversion. Readback goes through a
// scratch read framebuffer + readPixels and the format's readback packer.

import { guestToGl } from "../conv/pixel-convert.ts";
import { packReadback, readbackView, readSpec } from "../conv/readback.ts";
import { GL } from "../conv/gl.ts";
import { type Box3, type TransferGeometry, transferGeometry } from "../resource-desc.ts";
import type { GpuResource } from "./resources.ts";
import { T } from "./resources.ts";
import type { BackingWrite } from "../transfer-plan.ts";
import { compressedMirror } from "./compressed-mirror.ts";
import type { DepthReadback } from "./depth-readback.ts";
import type { GlObjects } from "./gl-objects.ts";
import { resolveMsaa } from "./msaa.ts";
import type { GlStateCache } from "./state-cache.ts";

const UNPACK_ALIGNMENT = 0x0cf5;
const PACK_ALIGNMENT = 0x0d05;
const READ_FRAMEBUFFER = 0x8ca8;
const COLOR_ATTACHMENT0 = 0x8ce0;
const FRAMEBUFFER_COMPLETE = 0x8cd5;

export interface TransferEnv {
  gl: WebGL2RenderingContext;
  state: GlStateCache;
  /** Scratch framebuffer used for readbacks (owned by the renderer). */
  readFb: WebGLFramebuffer;
  /** Shader path for depth formats (readPixels cannot read depth in WebGL2). */
  depth: DepthReadback;
  /** Object accounting (scratch framebuffers of multisample resolves). */
  objs: GlObjects;
}

/** Copies the box's rows out of a guest-layout span into a tight buffer. */
function tighten(src: Uint8Array, g: TransferGeometry, d: number): Uint8Array {
  const out = new Uint8Array(g.rowBytes * g.rows * d);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < g.rows; y++) {
      const from = z * g.layerStride + y * g.stride;
      out.set(src.subarray(from, from + g.rowBytes), (z * g.rows + y) * g.rowBytes);
    }
  }
  return out;
}

/**
 * Backing writes for a readback span: one write when the rows are contiguous in guest memory,
 * otherwise one per row, so the bytes between rows (other pixels of the guest's copy) are never
 * overwritten.
 */
export function spanWrites(res: number, offset: number, bytes: Uint8Array, g: TransferGeometry, d: number): BackingWrite[] {
  const contiguous = g.stride === g.rowBytes && (d === 1 || g.layerStride === g.stride * g.rows);
  if (contiguous) return [{ res, offset, bytes }];
  const out: BackingWrite[] = [];
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < g.rows; y++) {
      const at = z * g.layerStride + y * g.stride;
      out.push({ res, offset: offset + at, bytes: bytes.subarray(at, at + g.rowBytes) });
    }
  }
  return out;
}

/** Scatters tight rows into a guest-layout span (bytes between rows keep `base` contents). */
function loosen(tight: Uint8Array, g: TransferGeometry, d: number, base: Uint8Array): Uint8Array {
  const out = base.length >= g.bytes ? base.slice(0, g.bytes) : new Uint8Array(g.bytes);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < g.rows; y++) {
      const to = z * g.layerStride + y * g.stride;
      out.set(tight.subarray((z * g.rows + y) * g.rowBytes, (z * g.rows + y + 1) * g.rowBytes), to);
    }
  }
  return out;
}

export function typedView(type: number, bytes: Uint8Array): ArrayBufferView {
  const b = bytes.buffer;
  const o = bytes.byteOffset;
  switch (type) {
    case GL.BYTE:
      return new Int8Array(b, o, bytes.length);
    case GL.SHORT:
      return new Int16Array(b, o, bytes.length >> 1);
    case GL.UNSIGNED_SHORT:
    case GL.HALF_FLOAT:
    case GL.UNSIGNED_SHORT_5_6_5:
    case GL.UNSIGNED_SHORT_4_4_4_4:
    case GL.UNSIGNED_SHORT_5_5_5_1:
      return new Uint16Array(b, o, bytes.length >> 1);
    case GL.INT:
      return new Int32Array(b, o, bytes.length >> 2);
    case GL.FLOAT:
      return new Float32Array(b, o, bytes.length >> 2);
    case GL.UNSIGNED_INT:
    case GL.UNSIGNED_INT_2_10_10_10_REV:
    case GL.UNSIGNED_INT_10F_11F_11F_REV:
    case GL.UNSIGNED_INT_5_9_9_9_REV:
    case GL.UNSIGNED_INT_24_8:
      return new Uint32Array(b, o, bytes.length >> 2);
    default:
      return bytes;
  }
}

/**
 * Writes guest-layout `data` (exactly `g.bytes` long or longer) into the resource box.
 * Returns an error message or null.
 */
export function upload(env: TransferEnv, r: GpuResource, level: number, box: Box3, stride: number, layerStride: number, data: Uint8Array): string | null {
  const g = transferGeometry(r.desc, level, box, stride, layerStride);
  if (typeof g === "string") return g;
  if (data.length < g.bytes) return `${data.length} data bytes for a ${g.bytes}-byte transfer`;
  if (r.kind === "staging") return "uploads into staging buffers go through their backing";
  if (r.msaa) return "uploads into multisample resources are not supported (Mesa blits through a single-sample resource)";
  const { gl } = env;
  if (r.kind === "buffer") {
    r.shadow!.set(data.subarray(0, box.w), box.x);
    gl.bindBuffer(T.COPY_WRITE_BUFFER, r.buffer);
    gl.bufferSubData(T.COPY_WRITE_BUFFER, box.x, data, 0, box.w);
    gl.bindBuffer(T.COPY_WRITE_BUFFER, null);
    return null;
  }
  const f = r.fmt!;
  if (f.glType === GL.FLOAT_32_UNSIGNED_INT_24_8_REV) return `${f.name} cannot be uploaded in WebGL2`;
  const tight = guestToGl(f.cpu, tighten(data, g, box.d)); // GL layout (larger for norm16-f32)
  if (f.compressed) {
    // kept on the CPU: WebGL2 can neither read nor copy compressed textures (compressed-mirror.ts)
    const err = compressedMirror(r)?.write(level, box, tight);
    if (err) return err;
  }
  env.state.pixelStore(UNPACK_ALIGNMENT, 1);
  gl.bindTexture(r.glTarget, r.texture);
  const view = f.compressed ? tight : typedView(f.glType, tight);
  if (r.glTarget === T.TEXTURE_3D || r.glTarget === T.TEXTURE_2D_ARRAY) {
    if (f.compressed) gl.compressedTexSubImage3D(r.glTarget, level, box.x, box.y, box.z, box.w, box.h, box.d, f.internalFormat, view);
    else gl.texSubImage3D(r.glTarget, level, box.x, box.y, box.z, box.w, box.h, box.d, f.glFormat, f.glType, view);
  } else if (r.glTarget === T.TEXTURE_CUBE_MAP) {
    const layer = tight.length / box.d;
    for (let z = 0; z < box.d; z++) {
      const face = T.TEXTURE_CUBE_MAP_POSITIVE_X + box.z + z;
      const part = tight.subarray(z * layer, (z + 1) * layer);
      if (f.compressed) gl.compressedTexSubImage2D(face, level, box.x, box.y, box.w, box.h, f.internalFormat, part);
      else gl.texSubImage2D(face, level, box.x, box.y, box.w, box.h, f.glFormat, f.glType, typedView(f.glType, part));
    }
  } else {
    if (f.compressed) gl.compressedTexSubImage2D(r.glTarget, level, box.x, box.y, box.w, box.h, f.internalFormat, view);
    else gl.texSubImage2D(r.glTarget, level, box.x, box.y, box.w, box.h, f.glFormat, f.glType, view);
  }
  gl.bindTexture(r.glTarget, null);
  return null;
}

/**
 * Reads the resource box back in guest layout (`g.bytes` long; bytes between rows taken from
 * `base` if given, else zero). Returns the bytes or an error message.
 */
export function readback(env: TransferEnv, r: GpuResource, level: number, box: Box3, stride: number, layerStride: number, base?: Uint8Array): Uint8Array | string {
  const g = transferGeometry(r.desc, level, box, stride, layerStride);
  if (typeof g === "string") return g;
  if (r.kind === "staging") return "readback from a staging buffer goes through its backing";
  if (r.kind === "buffer") return r.shadow!.slice(box.x, box.x + box.w);
  resolveMsaa(env, r); // multisample: read the resolved copy
  const f = r.fmt!;
  if (f.depth) {
    const pixels = box.w * box.h;
    const tight = new Uint8Array(pixels * f.blockBytes * box.d);
    for (let z = 0; z < box.d; z++) {
      const layer = env.depth.read(r.texture!, r.glTarget, f, level, box.z + z, box.x, box.y, box.w, box.h, Math.max(1, r.desc.width >> level), Math.max(1, r.desc.height >> level));
      if (typeof layer === "string") return layer;
      tight.set(layer, z * pixels * f.blockBytes);
    }
    return loosen(tight, g, box.d, base ?? new Uint8Array(g.bytes));
  }
  if (f.compressed) {
    const blocks = compressedMirror(r)?.read(level, box);
    if (blocks === undefined || typeof blocks === "string") return blocks ?? `${f.name}: no CPU copy`;
    return loosen(blocks, g, box.d, base ?? new Uint8Array(g.bytes));
  }
  const spec = readSpec(f);
  if (!spec) return `${f.name} cannot be read back (not in supported_readback_formats)`;
  const { gl } = env;
  env.state.readFramebuffer(env.readFb);
  env.state.pixelStore(PACK_ALIGNMENT, 1);
  const pixels = box.w * box.h;
  const tight = new Uint8Array(pixels * f.blockBytes * box.d);
  const raw = new Uint8Array(pixels * spec.bytes);
  for (let z = 0; z < box.d; z++) {
    const layer = box.z + z;
    if (r.glTarget === T.TEXTURE_3D || r.glTarget === T.TEXTURE_2D_ARRAY) {
      gl.framebufferTextureLayer(READ_FRAMEBUFFER, COLOR_ATTACHMENT0, r.texture, level, layer);
    } else {
      const tgt = r.glTarget === T.TEXTURE_CUBE_MAP ? T.TEXTURE_CUBE_MAP_POSITIVE_X + layer : r.glTarget;
      gl.framebufferTexture2D(READ_FRAMEBUFFER, COLOR_ATTACHMENT0, tgt, r.texture, level);
    }
    if (gl.checkFramebufferStatus(READ_FRAMEBUFFER) !== FRAMEBUFFER_COMPLETE) return `${f.name} level ${level} layer ${layer} is not readable`;
    gl.readBuffer(COLOR_ATTACHMENT0);
    const view = readbackView(spec, raw.buffer);
    gl.readPixels(box.x, box.y, box.w, box.h, spec.format, spec.type, view);
    tight.set(packReadback(f, spec, raw, pixels), z * pixels * f.blockBytes);
  }
  gl.framebufferTexture2D(READ_FRAMEBUFFER, COLOR_ATTACHMENT0, T.TEXTURE_2D, null, 0);
  return loosen(tight, g, box.d, base ?? new Uint8Array(g.bytes));
}
