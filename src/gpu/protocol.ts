/**
 * virtio-gpu wire constants and structure sizes.
 * Sources: VIRTIO 1.2 section 5.7 (https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-3650007)
 * and Linux include/uapi/linux/virtio_gpu.h. All fields are little-endian.
 */

/** 5.7.1 Device ID. */
export const VIRTIO_ID_GPU = 16;

/** 5.7.2 Virtqueues. */
export const CONTROL_QUEUE = 0;
export const CURSOR_QUEUE = 1;

/** 5.7.3 Feature bits. */
export const VIRTIO_GPU_F_VIRGL = 0;
export const VIRTIO_GPU_F_EDID = 1;
export const VIRTIO_GPU_F_RESOURCE_UUID = 2;
export const VIRTIO_GPU_F_RESOURCE_BLOB = 3;
export const VIRTIO_GPU_F_CONTEXT_INIT = 4;

/** 5.7.4 Device configuration layout: events_read, events_clear, num_scanouts, num_capsets (u32 each). */
export const CONFIG_EVENTS_READ = 0;
export const CONFIG_EVENTS_CLEAR = 4;
export const CONFIG_NUM_SCANOUTS = 8;
export const CONFIG_NUM_CAPSETS = 12;
export const CONFIG_SIZE = 16;
export const VIRTIO_GPU_EVENT_DISPLAY = 1 << 0;

/** 5.7.6.7 Device Operation: Request header types. */
export const CMD = {
  GET_DISPLAY_INFO: 0x0100,
  RESOURCE_CREATE_2D: 0x0101,
  RESOURCE_UNREF: 0x0102,
  SET_SCANOUT: 0x0103,
  RESOURCE_FLUSH: 0x0104,
  TRANSFER_TO_HOST_2D: 0x0105,
  RESOURCE_ATTACH_BACKING: 0x0106,
  RESOURCE_DETACH_BACKING: 0x0107,
  GET_CAPSET_INFO: 0x0108,
  GET_CAPSET: 0x0109,
  GET_EDID: 0x010a,
  RESOURCE_ASSIGN_UUID: 0x010b,
  RESOURCE_CREATE_BLOB: 0x010c,
  SET_SCANOUT_BLOB: 0x010d,
  CTX_CREATE: 0x0200,
  CTX_DESTROY: 0x0201,
  CTX_ATTACH_RESOURCE: 0x0202,
  CTX_DETACH_RESOURCE: 0x0203,
  RESOURCE_CREATE_3D: 0x0204,
  TRANSFER_TO_HOST_3D: 0x0205,
  TRANSFER_FROM_HOST_3D: 0x0206,
  SUBMIT_3D: 0x0207,
  RESOURCE_MAP_BLOB: 0x0208,
  RESOURCE_UNMAP_BLOB: 0x0209,
  UPDATE_CURSOR: 0x0300,
  MOVE_CURSOR: 0x0301,
} as const;

export const RESP = {
  OK_NODATA: 0x1100,
  OK_DISPLAY_INFO: 0x1101,
  OK_CAPSET_INFO: 0x1102,
  OK_CAPSET: 0x1103,
  OK_EDID: 0x1104,
  OK_RESOURCE_UUID: 0x1105,
  OK_MAP_INFO: 0x1106,
  ERR_UNSPEC: 0x1200,
  ERR_OUT_OF_MEMORY: 0x1201,
  ERR_INVALID_SCANOUT_ID: 0x1202,
  ERR_INVALID_RESOURCE_ID: 0x1203,
  ERR_INVALID_CONTEXT_ID: 0x1204,
  ERR_INVALID_PARAMETER: 0x1205,
} as const;

export type ResponseType = (typeof RESP)[keyof typeof RESP];

/** Names for logs. */
export function commandName(type: number): string {
  for (const [name, value] of Object.entries(CMD)) if (value === type) return name;
  return `0x${type.toString(16).padStart(4, "0")}`;
}

export function responseName(type: number): string {
  for (const [name, value] of Object.entries(RESP)) if (value === type) return name;
  return `0x${type.toString(16)}`;
}

/** struct virtio_gpu_ctrl_hdr: type u32, flags u32, fence_id u64, ctx_id u32, ring_idx u8, padding[3]. */
export const CTRL_HDR_SIZE = 24;
export const VIRTIO_GPU_FLAG_FENCE = 1 << 0;
export const VIRTIO_GPU_FLAG_INFO_RING_IDX = 1 << 1;

/** 5.7.6.8: VIRTIO_GPU_MAX_SCANOUTS. */
export const MAX_SCANOUTS = 16;

/** Full request sizes (header included) of the fixed-size commands. */
export const REQUEST_SIZE = {
  GET_DISPLAY_INFO: CTRL_HDR_SIZE,
  RESOURCE_CREATE_2D: CTRL_HDR_SIZE + 16, // resource_id, format, width, height
  RESOURCE_UNREF: CTRL_HDR_SIZE + 8, // resource_id, padding
  SET_SCANOUT: CTRL_HDR_SIZE + 24, // rect, scanout_id, resource_id
  RESOURCE_FLUSH: CTRL_HDR_SIZE + 24, // rect, resource_id, padding
  TRANSFER_TO_HOST_2D: CTRL_HDR_SIZE + 32, // rect, offset u64, resource_id, padding
  RESOURCE_ATTACH_BACKING: CTRL_HDR_SIZE + 8, // resource_id, nr_entries; then entries
  RESOURCE_DETACH_BACKING: CTRL_HDR_SIZE + 8, // resource_id, padding
  GET_EDID: CTRL_HDR_SIZE + 8, // scanout, padding
  UPDATE_CURSOR: CTRL_HDR_SIZE + 32, // pos {scanout_id, x, y, padding}, resource_id, hot_x, hot_y, padding
} as const;

/** struct virtio_gpu_mem_entry: addr u64, length u32, padding u32. */
export const MEM_ENTRY_SIZE = 16;

/** struct virtio_gpu_resp_display_info: hdr + 16 × {rect (16), enabled u32, flags u32}. */
export const DISPLAY_ONE_SIZE = 24;
export const RESP_DISPLAY_INFO_SIZE = CTRL_HDR_SIZE + MAX_SCANOUTS * DISPLAY_ONE_SIZE;

/** struct virtio_gpu_resp_edid: hdr + size u32 + padding u32 + edid[1024]. */
export const EDID_BLOB_SIZE = 1024;
export const RESP_EDID_SIZE = CTRL_HDR_SIZE + 8 + EDID_BLOB_SIZE;

/** 5.7.6.8 virtio_gpu_formats (values = virgl formats). All are 4 bytes per pixel. */
export const FORMAT = {
  B8G8R8A8_UNORM: 1,
  B8G8R8X8_UNORM: 2,
  A8R8G8B8_UNORM: 3,
  X8R8G8B8_UNORM: 4,
  R8G8B8A8_UNORM: 67,
  X8B8G8R8_UNORM: 68,
  A8B8G8R8_UNORM: 121,
  R8G8B8X8_UNORM: 134,
} as const;

export const BYTES_PER_PIXEL_2D = 4;
