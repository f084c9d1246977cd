// Resources as WebGL2 objects. Design:
// * Buffers are GL buffers of WebGL type "other data" (first bound to COPY_WRITE_BUFFER), plus a CPU
//   shadow copy that is authoritative: WebGL forbids binding such a buffer to ELEMENT_ARRAY_BUFFER,
//   so index data is copied from the shadow into a renderer-owned element buffer at draw time, and
//   buffer readback needs no GPU round trip. GPU writes (transform feedback, copies) refresh it.
// * Staging buffers (VIRGL_BIND_STAGING) have no GL object at all: they are pure guest memory
//   used by COPY_TRANSFER3D, like in vrend.
// * Textures use immutable storage (texStorage*), which WebGL zero-fills; 1D maps to 2D, 1D arrays
//   to 2D arrays, RECT to 2D.
// * Multisample textures (nr_samples > 1) add a multisample renderbuffer that framebuffers attach;
//   the texture is then its resolved copy (render/msaa.ts).

import { type FormatInfo, formatInfo, storageFormat } from "../conv/formats.ts";
import { Target } from "../protocol.ts";
import { type ResourceDesc, isBuffer, isStaging, validateResourceDesc } from "../resource-desc.ts";
import type { GlObjects } from "./gl-objects.ts";
import { createMsaaStorage, type MsaaStorage } from "./msaa.ts";
import type { TboMirror } from "./texture-buffers.ts";

export const T = {
  TEXTURE_2D: 0x0de1,
  TEXTURE_3D: 0x806f,
  TEXTURE_2D_ARRAY: 0x8c1a,
  TEXTURE_CUBE_MAP: 0x8513,
  TEXTURE_CUBE_MAP_POSITIVE_X: 0x8515,
  COPY_WRITE_BUFFER: 0x8f37,
  COPY_READ_BUFFER: 0x8f36,
  STATIC_DRAW: 0x88e4,
  DYNAMIC_DRAW: 0x88e8,
} as const;

export interface GpuResource {
  desc: ResourceDesc;
  /** Texture format entry (undefined for buffers). */
  fmt: FormatInfo | undefined;
  kind: "buffer" | "staging" | "texture";
  buffer: WebGLBuffer | null;
  /** Authoritative CPU copy of a buffer's contents. */
  shadow: Uint8Array | null;
  texture: WebGLTexture | null;
  /** GL texture target (0 for buffers). */
  glTarget: number;
  /** Multisample storage (nr_samples > 1); `texture` is then the resolved copy. */
  msaa?: MsaaStorage | null;
  /** Buffers sampled as texture buffers: their 2D mirror (texture-buffers.ts). */
  tbo?: TboMirror | null;
  /** Contexts this resource is attached to. */
  attachedTo: Set<number>;
}

export function glTextureTarget(target: number): number {
  switch (target) {
    case Target.TEXTURE_3D:
      return T.TEXTURE_3D;
    case Target.TEXTURE_CUBE:
      return T.TEXTURE_CUBE_MAP;
    case Target.TEXTURE_1D_ARRAY:
    case Target.TEXTURE_2D_ARRAY:
      return T.TEXTURE_2D_ARRAY;
    default:
      return T.TEXTURE_2D;
  }
}

/** Creates the GL side of a resource. Returns an error message instead of throwing. */
export function createGpuResource(
  gl: WebGL2RenderingContext,
  objs: GlObjects,
  desc: ResourceDesc,
  hasExtension: (ext: string) => boolean,
): GpuResource | string {
  const bad = validateResourceDesc(desc);
  if (bad) return bad;
  const base = { desc, attachedTo: new Set<number>() };
  if (isStaging(desc)) return { ...base, fmt: undefined, kind: "staging", buffer: null, shadow: null, texture: null, glTarget: 0 };
  if (isBuffer(desc)) {
    const buffer = objs.buffer();
    gl.bindBuffer(T.COPY_WRITE_BUFFER, buffer);
    gl.bufferData(T.COPY_WRITE_BUFFER, desc.width, T.DYNAMIC_DRAW);
    gl.bindBuffer(T.COPY_WRITE_BUFFER, null);
    return { ...base, fmt: undefined, kind: "buffer", buffer, shadow: new Uint8Array(desc.width), texture: null, glTarget: 0 };
  }
  const guestFmt = formatInfo(desc.format);
  if (!guestFmt) return `format ${desc.format} unsupported`;
  const fmt = storageFormat(guestFmt, hasExtension); // the format, or its stand-in storage (formats.ts)
  if (!fmt) return `format ${guestFmt.name} needs ${guestFmt.textureExtension}`;
  const glTarget = glTextureTarget(desc.target);
  let msaa: MsaaStorage | null = null;
  if (desc.nrSamples > 1) {
    if (fmt.compressed) return `format ${fmt.name} cannot be multisampled`;
    const m = createMsaaStorage(gl, objs, fmt, desc.nrSamples, desc.width, desc.height);
    if (typeof m === "string") return m;
    msaa = m;
  }
  const texture = objs.texture();
  gl.bindTexture(glTarget, texture);
  const levels = desc.lastLevel + 1;
  const height = desc.target === Target.TEXTURE_1D || desc.target === Target.TEXTURE_1D_ARRAY ? 1 : desc.height;
  if (glTarget === T.TEXTURE_3D) gl.texStorage3D(glTarget, levels, fmt.internalFormat, desc.width, height, desc.depth);
  else if (glTarget === T.TEXTURE_2D_ARRAY) gl.texStorage3D(glTarget, levels, fmt.internalFormat, desc.width, height, desc.arraySize);
  else gl.texStorage2D(glTarget, levels, fmt.internalFormat, desc.width, height);
  gl.bindTexture(glTarget, null);
  return { ...base, fmt, kind: "texture", buffer: null, shadow: null, texture, glTarget, msaa };
}

export function destroyGpuResource(objs: GlObjects, r: GpuResource): void {
  if (r.buffer) objs.deleteBuffer(r.buffer);
  if (r.texture) objs.deleteTexture(r.texture);
  if (r.msaa) objs.deleteRenderbuffer(r.msaa.rb);
  if (r.tbo) objs.deleteTexture(r.tbo.texture);
  r.msaa = null;
  r.tbo = null;
  r.buffer = null;
  r.texture = null;
  r.shadow = null;
}
