// TRANSFER3D, COPY_TRANSFER3D, RESOURCE_INLINE_WRITE, RESOURCE_COPY_REGION and BLIT handlers.
// Backing reads come from the submit's BackingAccess; FROM_HOST directions append BackingWrites
// that the device applies to guest pages before completing the fence.

import type { CommandOf } from "../decode/types.ts";
import { TransferDir } from "../protocol.ts";
import { transferGeometry } from "../resource-desc.ts";
import type { ExecEnv, ExecResult } from "./exec-env.ts";
import { type GpuResource, T } from "./resources.ts";
import { prepareGpuCopy } from "./msaa.ts";
import { blockCompatible, compressedMirror } from "./compressed-mirror.ts";
import { needsShaderBlit, shaderBlit } from "./shader-blit.ts";
import { readback, spanWrites, upload } from "./transfers.ts";

export function execTransfer3d(env: ExecEnv, c: CommandOf<"TRANSFER3D">): ExecResult {
  const r = env.ctx.resource(env.resources, c.res);
  if (typeof r === "string") return r;
  if (r.kind === "staging") return null; // guest memory only: nothing on the host side
  const g = transferGeometry(r.desc, c.level, c.box, c.stride, c.layerStride);
  if (typeof g === "string") return g;
  if (c.direction === TransferDir.TO_HOST) {
    const data = env.backing.read(c.res, c.dataOffset, g.bytes);
    if (typeof data === "string") return data;
    return upload(env.transfer, r, c.level, c.box, c.stride, c.layerStride, data);
  }
  const bytes = readback(env.transfer, r, c.level, c.box, c.stride, c.layerStride);
  if (typeof bytes === "string") return bytes;
  env.writes.push(...spanWrites(c.res, c.dataOffset, bytes, g, c.box.d));
  return null;
}

export function execCopyTransfer3d(env: ExecEnv, c: CommandOf<"COPY_TRANSFER3D">): ExecResult {
  const dst = env.ctx.resource(env.resources, c.res);
  if (typeof dst === "string") return dst;
  const src = env.ctx.resource(env.resources, c.srcRes);
  if (typeof src === "string") return `staging ${src}`;
  if (src.kind !== "staging" && src.kind !== "buffer") return `COPY_TRANSFER3D source ${c.srcRes} is not a buffer`;
  const g = transferGeometry(dst.desc, c.level, c.box, c.stride, c.layerStride);
  if (typeof g === "string") return g;
  if (c.srcOffset + g.bytes > src.desc.width) return `staging range [${c.srcOffset}, +${g.bytes}) beyond the ${src.desc.width}-byte staging buffer`;
  if (!c.readFromHost) {
    const data = env.backing.read(c.srcRes, c.srcOffset, g.bytes);
    if (typeof data === "string") return data;
    return upload(env.transfer, dst, c.level, c.box, c.stride, c.layerStride, data);
  }
  const bytes = readback(env.transfer, dst, c.level, c.box, c.stride, c.layerStride);
  if (typeof bytes === "string") return bytes;
  env.writes.push(...spanWrites(c.srcRes, c.srcOffset, bytes, g, c.box.d));
  return null;
}

export function execInlineWrite(env: ExecEnv, c: CommandOf<"RESOURCE_INLINE_WRITE">): ExecResult {
  const r = env.ctx.resource(env.resources, c.res);
  if (typeof r === "string") return r;
  return upload(env.transfer, r, c.level, c.box, c.stride, c.layerStride, c.data);
}

const READ_FRAMEBUFFER = 0x8ca8;
const DRAW_FRAMEBUFFER = 0x8ca9;
const COLOR_ATTACHMENT0 = 0x8ce0;
const COLOR_BUFFER_BIT = 0x4000;
const DEPTH_BUFFER_BIT = 0x0100;
const STENCIL_BUFFER_BIT = 0x0400;
const DEPTH_ATTACHMENT = 0x8d00;
const DEPTH_STENCIL_ATTACHMENT = 0x821a;
const PIPE_MASK_Z = 0x10;
const PIPE_MASK_S = 0x20;
const NEAREST = 0x2600;
const LINEAR = 0x2601;

/** Buffer → buffer copies on the GPU (and in the shadows); texture copies through blitFramebuffer. */
export function execCopyRegion(env: ExecEnv, c: CommandOf<"RESOURCE_COPY_REGION">): ExecResult {
  const dst = env.ctx.resource(env.resources, c.dstRes);
  if (typeof dst === "string") return dst;
  const src = env.ctx.resource(env.resources, c.srcRes);
  if (typeof src === "string") return src;
  const { gl } = env;
  if (dst.kind === "buffer" && src.kind === "buffer") {
    const b = c.srcBox;
    if (b.x + b.w > src.desc.width || c.dstX + b.w > dst.desc.width) return "buffer copy out of range";
    dst.shadow!.set(src.shadow!.subarray(b.x, b.x + b.w), c.dstX);
    gl.bindBuffer(T.COPY_READ_BUFFER, src.buffer);
    gl.bindBuffer(T.COPY_WRITE_BUFFER, dst.buffer);
    gl.copyBufferSubData(T.COPY_READ_BUFFER, T.COPY_WRITE_BUFFER, b.x, c.dstX, b.w);
    gl.bindBuffer(T.COPY_READ_BUFFER, null);
    gl.bindBuffer(T.COPY_WRITE_BUFFER, null);
    return null;
  }
  if (dst.kind !== "texture" || src.kind !== "texture") return "RESOURCE_COPY_REGION between a buffer and a texture";
  const sg = transferGeometry(src.desc, c.srcLevel, c.srcBox, 0, 0);
  if (typeof sg === "string") return `source: ${sg}`;
  const dg = transferGeometry(dst.desc, c.dstLevel, { x: c.dstX, y: c.dstY, z: c.dstZ, w: c.srcBox.w, h: c.srcBox.h, d: c.srcBox.d }, 0, 0);
  if (typeof dg === "string") return `destination: ${dg}`;
  const msaa = prepareGpuCopy({ ...env, readFb: env.transfer.readFb }, src, dst);
  if (msaa) return msaa;
  const depth = src.fmt!.depth;
  if (src.fmt!.compressed && dst.fmt && blockCompatible(src.fmt!, dst.fmt)) {
    // from the CPU copy of the compressed blocks (WebGL2 cannot copy compressed textures)
    const blocks = compressedMirror(src)!.read(c.srcLevel, c.srcBox);
    if (typeof blocks === "string") return `source: ${blocks}`;
    const b = c.srcBox;
    const err = upload(env.transfer, dst, c.dstLevel, { x: c.dstX, y: c.dstY, z: c.dstZ, w: b.w, h: b.h, d: b.d }, 0, 0, blocks);
    return err ? `destination: ${err}` : null;
  }
  if (src.fmt!.compressed || (depth && src.fmt!.internalFormat !== dst.fmt!.internalFormat)) {
    env.skipped.set("RESOURCE_COPY_REGION(compressed/mixed depth)", (env.skipped.get("RESOURCE_COPY_REGION(compressed/mixed depth)") ?? 0) + 1);
    return null;
  }
  const bits = depth ? DEPTH_BUFFER_BIT | (src.fmt!.stencil ? STENCIL_BUFFER_BIT : 0) : COLOR_BUFFER_BIT;
  for (let z = 0; z < c.srcBox.d; z++) {
    const err = blitLayer(env, src, c.srcLevel, c.srcBox.z + z, dst, c.dstLevel, c.dstZ + z, [c.srcBox.x, c.srcBox.y, c.srcBox.x + c.srcBox.w, c.srcBox.y + c.srcBox.h], [c.dstX, c.dstY, c.dstX + c.srcBox.w, c.dstY + c.srcBox.h], false, bits);
    if (err) return err;
  }
  return null;
}

export function execBlit(env: ExecEnv, c: CommandOf<"BLIT">): ExecResult {
  const dst = env.ctx.resource(env.resources, c.dst.res);
  if (typeof dst === "string") return dst;
  const src = env.ctx.resource(env.resources, c.src.res);
  if (typeof src === "string") return src;
  if (dst.kind !== "texture" || src.kind !== "texture") return "BLIT needs textures";
  const msaa = prepareGpuCopy({ ...env, readFb: env.transfer.readFb }, src, dst);
  if (msaa) return msaa;
  const s = c.src.box;
  const d = c.dst.box;
  let bits = 0;
  if (src.fmt!.depth || dst.fmt!.depth) {
    // WebGL2 blits depth/stencil only between identical formats, with NEAREST (scaling is allowed)
    const same = src.fmt!.internalFormat === dst.fmt!.internalFormat;
    if (!same || !src.fmt!.depth || !dst.fmt!.depth) {
      env.skipped.set("BLIT(depth/stencil, mixed formats)", (env.skipped.get("BLIT(depth/stencil, mixed formats)") ?? 0) + 1);
      return null;
    }
    if (c.mask & PIPE_MASK_Z) bits |= DEPTH_BUFFER_BIT;
    if (c.mask & PIPE_MASK_S && src.fmt!.stencil) bits |= STENCIL_BUFFER_BIT;
  } else if (c.mask & 0xf) {
    // sources blitFramebuffer cannot read (or would copy as raw storage channels): shader-blit.ts
    if (needsShaderBlit(src, dst)) return shaderBlit(env, c, src, dst);
    bits = COLOR_BUFFER_BIT;
  }
  if (bits === 0) return null;
  const layers = Math.max(1, Math.abs(d.d));
  for (let z = 0; z < layers; z++) {
    const sr: Rect = [s.x, s.y, s.x + s.w, s.y + s.h];
    const dr: Rect = [d.x, d.y, d.x + d.w, d.y + d.h];
    const linear = c.filter === 1 && bits === COLOR_BUFFER_BIT;
    const err =
      src === dst && c.src.level === c.dst.level && s.z + z === d.z + z
        ? blitWithinImage(env, src, c.src.level, s.z + z, sr, dr, linear, bits)
        : blitLayer(env, src, c.src.level, s.z + z, dst, c.dst.level, d.z + z, sr, dr, linear, bits);
    if (err) return err;
  }
  return null;
}

/**
 * A blit inside one image (glBlitFramebuffer within one framebuffer): WebGL refuses read and draw
 * attachments that are the same image, so the source box goes through a temporary texture first.
 */
function blitWithinImage(env: ExecEnv, r: GpuResource, level: number, layer: number, s: Rect, d: Rect, linear: boolean, bits: number): ExecResult {
  const x0 = Math.min(s[0], s[2]);
  const y0 = Math.min(s[1], s[3]);
  const w = Math.abs(s[2] - s[0]);
  const h = Math.abs(s[3] - s[1]);
  if (w === 0 || h === 0) return null;
  const { gl } = env;
  const tex = env.objs.texture();
  try {
    gl.bindTexture(T.TEXTURE_2D, tex);
    gl.texStorage2D(T.TEXTURE_2D, 1, r.fmt!.internalFormat, w, h);
    gl.bindTexture(T.TEXTURE_2D, null);
    const tmp: GpuResource = { ...r, texture: tex, glTarget: T.TEXTURE_2D, msaa: null };
    const err = blitLayer(env, r, level, layer, tmp, 0, 0, [x0, y0, x0 + w, y0 + h], [0, 0, w, h], false, bits);
    if (err) return err;
    return blitLayer(env, tmp, 0, 0, r, level, layer, [s[0] - x0, s[1] - y0, s[2] - x0, s[3] - y0], d, linear, bits);
  } finally {
    env.objs.deleteTexture(tex);
  }
}

type Rect = [number, number, number, number];

function attachLayer(gl: WebGL2RenderingContext, target: number, point: number, r: GpuResource, level: number, layer: number): void {
  if (r.glTarget === T.TEXTURE_3D || r.glTarget === T.TEXTURE_2D_ARRAY) gl.framebufferTextureLayer(target, point, r.texture, level, layer);
  else gl.framebufferTexture2D(target, point, r.glTarget === T.TEXTURE_CUBE_MAP ? T.TEXTURE_CUBE_MAP_POSITIVE_X + layer : r.glTarget, r.texture, level);
}

/** Copies one layer with blitFramebuffer through the scratch read FBO and a temporary draw FBO. */
function blitLayer(
  env: ExecEnv,
  src: GpuResource,
  srcLevel: number,
  srcLayer: number,
  dst: GpuResource,
  dstLevel: number,
  dstLayer: number,
  s: Rect,
  d: Rect,
  linear: boolean,
  bits: number = COLOR_BUFFER_BIT,
): ExecResult {
  const { gl, state } = env;
  const drawFb = env.objs.framebuffer();
  const point = bits === COLOR_BUFFER_BIT ? COLOR_ATTACHMENT0 : src.fmt?.stencil ? DEPTH_STENCIL_ATTACHMENT : DEPTH_ATTACHMENT;
  try {
    state.readFramebuffer(env.transfer.readFb);
    attachLayer(gl, READ_FRAMEBUFFER, point, src, srcLevel, srcLayer);
    gl.readBuffer(point === COLOR_ATTACHMENT0 ? COLOR_ATTACHMENT0 : 0);
    state.drawFramebuffer(drawFb);
    attachLayer(gl, DRAW_FRAMEBUFFER, point, dst, dstLevel, dstLayer);
    gl.drawBuffers([point === COLOR_ATTACHMENT0 ? COLOR_ATTACHMENT0 : 0]);
    state.setEnabled(0x0c11, false); // scissor off: blits copy the whole box
    if (bits & DEPTH_BUFFER_BIT) state.depthMask(true);
    if (bits & STENCIL_BUFFER_BIT) {
      state.stencilMask(0x0404, 0xff);
      state.stencilMask(0x0405, 0xff);
    }
    gl.blitFramebuffer(s[0], s[1], s[2], s[3], d[0], d[1], d[2], d[3], bits, linear ? LINEAR : NEAREST);
    gl.framebufferTexture2D(READ_FRAMEBUFFER, point, T.TEXTURE_2D, null, 0);
    return null;
  } finally {
    state.drawFramebuffer(null);
    state.dropObject(drawFb);
    env.objs.deleteFramebuffer(drawFb);
    env.framebuffer.invalidate();
  }
}
