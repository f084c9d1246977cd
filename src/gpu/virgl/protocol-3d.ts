/**
 * virtio-gpu 3D (virgl) wire constants and structure sizes.
 * Sources: VIRTIO 1.2 5.7.6.7-5.7.6.8 and Linux include/uapi/linux/virtio_gpu.h; capset sizes and
 * versions from virglrenderer 0.10.4 (VREND_CAPSET_VIRGL{,2}_MAX_VERSION) and Mesa 22.3 virgl_hw.h
 * (/work/shared/reference/virgl-protocol.md §1, §5). All fields little-endian u32 unless noted.
 */
import { CTRL_HDR_SIZE } from "../protocol.ts";

/** virtio_gpu.h VIRTIO_GPU_CAPSET_VIRGL / _VIRGL2. */
export const CAPSET_VIRGL = 1;
export const CAPSET_VIRGL2 = 2;

/** The capsets we offer, in GET_CAPSET_INFO index order: id, max_version, size (struct virgl_caps_v1 / v2). */
export const CAPSETS = [
  { id: CAPSET_VIRGL, maxVersion: 1, size: 308 },
  { id: CAPSET_VIRGL2, maxVersion: 2, size: 1376 },
] as const;

/** virtio_gpu.h VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK: low 8 bits of context_init. */
export const CONTEXT_INIT_CAPSET_ID_MASK = 0xff;
/** struct virtio_gpu_ctx_create debug_name[64]. */
export const CTX_DEBUG_NAME_MAX = 64;

/** virtio_gpu.h VIRTIO_GPU_RESOURCE_FLAG_Y_0_TOP (RESOURCE_CREATE_3D flags bit 0). */
export const RESOURCE_FLAG_Y_0_TOP = 1 << 0;
/** Every RESOURCE_CREATE_3D flag we know (others are rejected). */
export const RESOURCE_FLAGS_KNOWN = RESOURCE_FLAG_Y_0_TOP;

/** Largest SUBMIT_3D stream we take (Mesa's command buffer is 64 Ki dwords; 16 MiB is generous). */
export const MAX_SUBMIT_BYTES = 16 << 20;

/** Full request sizes (header included). */
export const REQUEST_SIZE_3D = {
  GET_CAPSET_INFO: CTRL_HDR_SIZE + 8, // capset_index, padding
  GET_CAPSET: CTRL_HDR_SIZE + 8, // capset_id, capset_version
  CTX_CREATE: CTRL_HDR_SIZE + 8 + CTX_DEBUG_NAME_MAX, // nlen, context_init, debug_name[64]
  CTX_DESTROY: CTRL_HDR_SIZE,
  CTX_RESOURCE: CTRL_HDR_SIZE + 8, // resource_id, padding (ATTACH / DETACH)
  RESOURCE_CREATE_3D: CTRL_HDR_SIZE + 48, // resource_id, target, format, bind, width, height, depth, array_size, last_level, nr_samples, flags, padding
  TRANSFER_3D: CTRL_HDR_SIZE + 48, // box{x,y,z,w,h,d}, offset u64, resource_id, level, stride, layer_stride
  SUBMIT_3D: CTRL_HDR_SIZE + 8, // size, padding; then `size` bytes
} as const;

/** struct virtio_gpu_resp_capset_info: hdr + capset_id, capset_max_version, capset_max_size, padding. */
export const RESP_CAPSET_INFO_SIZE = CTRL_HDR_SIZE + 16;
