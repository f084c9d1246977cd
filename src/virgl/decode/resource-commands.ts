// Data-moving commands (virgl-protocol.md §3.1): TRANSFER3D, COPY_TRANSFER3D, RESOURCE_INLINE_WRITE,
// BLIT, RESOURCE_COPY_REGION. The decoder checks shapes (lengths, non-negative boxes, directions);
// bounds against the resource and its backing are the renderer's job (render/transfer-layout.ts),
// because only it knows resource sizes.

import { CopyTransferFlag, Len, TransferDir } from "../protocol.ts";
import { fail } from "./errors.ts";
import { type Payload, nonNegInt } from "./payload.ts";
import type { BlitSide, Box, Command } from "./types.ts";
import { unpackScissor } from "./state-commands.ts";

/** x,y,z,w,h,d as non-negative ints starting at payload dword `i`. */
function box(p: Payload, i: number): Box {
  return {
    x: nonNegInt(p, i, "box.x"),
    y: nonNegInt(p, i + 1, "box.y"),
    z: nonNegInt(p, i + 2, "box.z"),
    w: nonNegInt(p, i + 3, "box.w"),
    h: nonNegInt(p, i + 4, "box.h"),
    d: nonNegInt(p, i + 5, "box.d"),
  };
}

/** Blit boxes are signed: a negative extent mirrors (pipe_blit_info). */
function signedBox(p: Payload, i: number): Box {
  return { x: p.i32(i), y: p.i32(i + 1), z: p.i32(i + 2), w: p.i32(i + 3), h: p.i32(i + 4), d: p.i32(i + 5) };
}

/** Common head of TRANSFER3D / COPY_TRANSFER3D / INLINE_WRITE: res, level, usage, stride, layer_stride, box. */
function transferHead(p: Payload) {
  return {
    res: p.at(0),
    level: p.at(1),
    usage: p.at(2),
    stride: p.at(3),
    layerStride: p.at(4),
    box: box(p, 5),
  };
}

export function transfer3d(p: Payload): Command {
  p.atLeast(Len.TRANSFER3D);
  const head = transferHead(p);
  const direction = p.at(12);
  if (direction !== TransferDir.TO_HOST && direction !== TransferDir.FROM_HOST) {
    fail("direction", direction, "must be 1 (TO_HOST) or 2 (FROM_HOST)");
  }
  return { kind: "TRANSFER3D", ...head, dataOffset: p.at(11), direction };
}

export function copyTransfer3d(p: Payload): Command {
  p.exact(Len.COPY_TRANSFER3D);
  const head = transferHead(p);
  const flags = p.at(13);
  return {
    kind: "COPY_TRANSFER3D",
    ...head,
    srcRes: p.at(11),
    srcOffset: p.at(12),
    synchronized: (flags & CopyTransferFlag.SYNCHRONIZED) !== 0,
    readFromHost: (flags & CopyTransferFlag.READ_FROM_HOST) !== 0,
  };
}

export function inlineWrite(p: Payload): Command {
  p.atLeast(Len.INLINE_WRITE_HDR + 1);
  const head = transferHead(p);
  return { kind: "RESOURCE_INLINE_WRITE", ...head, data: p.bytes(Len.INLINE_WRITE_HDR, p.length - Len.INLINE_WRITE_HDR) };
}

function blitSide(p: Payload, i: number): BlitSide {
  return { res: p.at(i), level: p.at(i + 1), format: p.at(i + 2), box: signedBox(p, i + 3) };
}

export function blit(p: Payload): Command {
  p.exact(Len.BLIT);
  const s0 = p.at(0);
  return {
    kind: "BLIT",
    mask: s0 & 0xff,
    filter: (s0 >>> 8) & 3,
    scissorEnable: ((s0 >>> 10) & 1) !== 0,
    renderConditionEnable: ((s0 >>> 11) & 1) !== 0,
    alphaBlend: ((s0 >>> 12) & 1) !== 0,
    scissor: unpackScissor(p.at(1), p.at(2)),
    dst: blitSide(p, 3),
    src: blitSide(p, 12),
  };
}

export function resourceCopyRegion(p: Payload): Command {
  p.exact(Len.RESOURCE_COPY_REGION);
  return {
    kind: "RESOURCE_COPY_REGION",
    dstRes: p.at(0),
    dstLevel: p.at(1),
    dstX: nonNegInt(p, 2, "dst_x"),
    dstY: nonNegInt(p, 3, "dst_y"),
    dstZ: nonNegInt(p, 4, "dst_z"),
    srcRes: p.at(5),
    srcLevel: p.at(6),
    srcBox: box(p, 7),
  };
}
