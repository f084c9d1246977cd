import type { CtrlHeader, GpuResponse } from "./command-table.ts";
import { CTRL_HDR_SIZE, VIRTIO_GPU_FLAG_FENCE, VIRTIO_GPU_FLAG_INFO_RING_IDX } from "./protocol.ts";

/** struct virtio_gpu_ctrl_hdr from the first 24 request bytes. */
export function decodeHeader(bytes: Uint8Array): CtrlHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    type: view.getUint32(0, true),
    flags: view.getUint32(4, true),
    fenceId: view.getBigUint64(8, true),
    ctxId: view.getUint32(16, true),
    ringIdx: view.getUint8(20),
  };
}

/** Response bytes: header then body. The header echoes the fence (5.7.6.7: FLAG_FENCE, fence_id, ctx_id, ring_idx) of the request. */
export function encodeResponse(request: CtrlHeader | null, response: GpuResponse): Uint8Array {
  const out = new Uint8Array(CTRL_HDR_SIZE + (response.body?.length ?? 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, response.type, true);
  if (request) {
    const echoed = request.flags & (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
    view.setUint32(4, echoed, true);
    if (echoed & VIRTIO_GPU_FLAG_FENCE) view.setBigUint64(8, request.fenceId, true);
    view.setUint32(16, request.ctxId, true);
    if (echoed & VIRTIO_GPU_FLAG_INFO_RING_IDX) view.setUint8(20, request.ringIdx);
  }
  if (response.body) out.set(response.body, CTRL_HDR_SIZE);
  return out;
}
