// vtest wire protocol: command ids, fixed sizes, decoded message types and reply encoders.
// Facts from Mesa 22.3 (src/virtio/vtest/vtest_protocol.h, winsys/virgl/vtest) and
// /work/shared/reference/virgl-protocol.md section 2. All integers are little-endian u32.

/** Every message starts with `[length, cmd_id]`. */
export const VTEST_HDR_BYTES = 8;

export const VCMD = {
  GET_CAPS: 1,
  RESOURCE_CREATE: 2,
  RESOURCE_UNREF: 3,
  TRANSFER_GET: 4,
  TRANSFER_PUT: 5,
  SUBMIT_CMD: 6,
  RESOURCE_BUSY_WAIT: 7,
  CREATE_RENDERER: 8,
  GET_CAPS2: 9,
  PING_PROTOCOL_VERSION: 10,
  PROTOCOL_VERSION: 11,
  RESOURCE_CREATE2: 12,
  TRANSFER_GET2: 13,
  TRANSFER_PUT2: 14,
  GET_PARAM: 15,
  GET_CAPSET: 16,
  CONTEXT_INIT: 17,
  RESOURCE_CREATE_BLOB: 18,
  SYNC_CREATE: 19,
  SYNC_UNREF: 20,
  SYNC_READ: 21,
  SYNC_WRITE: 22,
  SYNC_WAIT: 23,
  SUBMIT_CMD2: 24,
} as const;

export type VcmdId = (typeof VCMD)[keyof typeof VCMD];

const VCMD_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(VCMD).map(([name, id]) => [id, name] as const),
);

/** Human-readable name of a vtest command id, for logs and dumps. */
export function vcmdName(id: number): string {
  return VCMD_NAMES.get(id) ?? `UNKNOWN(${id})`;
}

export function isKnownVcmd(id: number): id is VcmdId {
  return VCMD_NAMES.has(id);
}

/** Body sizes in dwords of the fixed-size requests. */
export const VCMD_SIZE = {
  RES_CREATE: 10,
  RES_CREATE2: 11,
  RES_UNREF: 1,
  TRANSFER_HDR: 11, // v0 TRANSFER_GET / TRANSFER_PUT header
  TRANSFER2_HDR: 10, // TRANSFER_GET2 / TRANSFER_PUT2
  BUSY_WAIT: 2,
  PROTOCOL_VERSION: 1,
  PING_PROTOCOL_VERSION: 0,
} as const;

export const VCMD_BUSY_WAIT_FLAG_WAIT = 1;

/** Capset sizes Mesa 22.3 expects (`struct virgl_caps_v1` / `virgl_caps_v2`). */
export const CAPS_V1_BYTES = 308;
export const CAPS_V2_BYTES = 1376;

/** The highest protocol version the vtest server in virglrenderer 0.10.4 speaks. */
export const VTEST_PROTOCOL_VERSION_MAX = 3;

export interface Box {
  x: number;
  y: number;
  z: number;
  width: number;
  height: number;
  depth: number;
}

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
}

/** A transfer as carried by v0 TRANSFER_GET/PUT (stride and layer stride from the client). */
export interface TransferDesc {
  handle: number;
  level: number;
  stride: number;
  layerStride: number;
  box: Box;
  dataSize: number;
}

/** v2 TRANSFER_GET2/PUT2: data lives in the resource's shared backing at `offset`. */
export interface Transfer2Desc {
  handle: number;
  level: number;
  box: Box;
  dataSize: number;
  offset: number;
}

/**
 * A decoded client message. `raw` is the whole frame exactly as received (header included),
 * so streams can be recorded and replayed byte for byte.
 */
export type VtestMessage =
  | { cmd: typeof VCMD.CREATE_RENDERER; name: string; raw: Uint8Array }
  | { cmd: typeof VCMD.PING_PROTOCOL_VERSION; raw: Uint8Array }
  | { cmd: typeof VCMD.PROTOCOL_VERSION; version: number; raw: Uint8Array }
  | { cmd: typeof VCMD.GET_CAPS; raw: Uint8Array }
  | { cmd: typeof VCMD.GET_CAPS2; raw: Uint8Array }
  | { cmd: typeof VCMD.RESOURCE_CREATE; resource: ResourceDesc; raw: Uint8Array }
  | { cmd: typeof VCMD.RESOURCE_CREATE2; resource: ResourceDesc; dataSize: number; raw: Uint8Array }
  | { cmd: typeof VCMD.RESOURCE_UNREF; handle: number; raw: Uint8Array }
  | { cmd: typeof VCMD.TRANSFER_GET; transfer: TransferDesc; raw: Uint8Array }
  | { cmd: typeof VCMD.TRANSFER_PUT; transfer: TransferDesc; data: Uint8Array; raw: Uint8Array }
  | { cmd: typeof VCMD.TRANSFER_GET2; transfer: Transfer2Desc; raw: Uint8Array }
  | { cmd: typeof VCMD.TRANSFER_PUT2; transfer: Transfer2Desc; raw: Uint8Array }
  | { cmd: typeof VCMD.SUBMIT_CMD; commands: Uint32Array; raw: Uint8Array }
  | { cmd: typeof VCMD.RESOURCE_BUSY_WAIT; handle: number; flags: number; raw: Uint8Array }
  | { cmd: UnsupportedVcmd; body: Uint32Array; raw: Uint8Array };

/** Protocol v3 commands (venus / newer clients): framed by their dword length, then refused. */
export type UnsupportedVcmd =
  | typeof VCMD.GET_PARAM
  | typeof VCMD.GET_CAPSET
  | typeof VCMD.CONTEXT_INIT
  | typeof VCMD.RESOURCE_CREATE_BLOB
  | typeof VCMD.SYNC_CREATE
  | typeof VCMD.SYNC_UNREF
  | typeof VCMD.SYNC_READ
  | typeof VCMD.SYNC_WRITE
  | typeof VCMD.SYNC_WAIT
  | typeof VCMD.SUBMIT_CMD2;

// ---------------------------------------------------------------------------------------------
// Reply encoders (server -> client)

function dwords(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return out;
}

/** PING_PROTOCOL_VERSION reply: header only. */
export function encodePingReply(): Uint8Array {
  return dwords([0, VCMD.PING_PROTOCOL_VERSION]);
}

/** PROTOCOL_VERSION reply: `[1, 11, version]`. */
export function encodeProtocolVersionReply(version: number): Uint8Array {
  return dwords([VCMD_SIZE.PROTOCOL_VERSION, VCMD.PROTOCOL_VERSION, version]);
}

/** RESOURCE_BUSY_WAIT reply: `[1, 7, busy]`. */
export function encodeBusyWaitReply(busy: boolean): Uint8Array {
  return dwords([1, VCMD.RESOURCE_BUSY_WAIT, busy ? 1 : 0]);
}

/**
 * GET_CAPS / GET_CAPS2 reply. Quirk (vtest_send_caps{,2}): the length field is the caps size
 * in **bytes plus one**, and the client reads `length - 1` bytes.
 */
export function encodeCapsReply(cmd: typeof VCMD.GET_CAPS | typeof VCMD.GET_CAPS2, caps: Uint8Array): Uint8Array {
  const out = new Uint8Array(VTEST_HDR_BYTES + caps.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, caps.byteLength + 1, true);
  view.setUint32(4, cmd === VCMD.GET_CAPS2 ? 2 : 1, true);
  out.set(caps, VTEST_HDR_BYTES);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Request encoders (client -> server): used by tests, fake clients and stream tools.

export function encodeRequest(cmd: number, body: readonly number[] | Uint32Array, lengthField?: number): Uint8Array {
  const n = body.length;
  const out = new Uint8Array(VTEST_HDR_BYTES + n * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, lengthField ?? n, true);
  view.setUint32(4, cmd, true);
  for (let i = 0; i < n; i++) view.setUint32(VTEST_HDR_BYTES + i * 4, body[i]! >>> 0, true);
  return out;
}

/** CREATE_RENDERER: length in bytes (strlen + 1), NUL-terminated name. */
export function encodeCreateRenderer(name: string): Uint8Array {
  const bytes = new TextEncoder().encode(name);
  const out = new Uint8Array(VTEST_HDR_BYTES + bytes.byteLength + 1);
  const view = new DataView(out.buffer);
  view.setUint32(0, bytes.byteLength + 1, true);
  view.setUint32(4, VCMD.CREATE_RENDERER, true);
  out.set(bytes, VTEST_HDR_BYTES);
  return out;
}

export function resourceCreateBody(r: ResourceDesc): number[] {
  return [r.handle, r.target, r.format, r.bind, r.width, r.height, r.depth, r.arraySize, r.lastLevel, r.nrSamples];
}

export function transferBody(t: TransferDesc): number[] {
  const b = t.box;
  return [t.handle, t.level, t.stride, t.layerStride, b.x, b.y, b.z, b.width, b.height, b.depth, t.dataSize];
}

/** v0 TRANSFER_PUT as Mesa sends it: length = 11 + ceil(data/4) dwords, data unpadded. */
export function encodeTransferPut(t: TransferDesc, data: Uint8Array): Uint8Array {
  const head = encodeRequest(VCMD.TRANSFER_PUT, transferBody(t), VCMD_SIZE.TRANSFER_HDR + Math.ceil(data.byteLength / 4));
  const out = new Uint8Array(head.byteLength + data.byteLength);
  out.set(head);
  out.set(data, head.byteLength);
  return out;
}

export function encodeTransferGet(t: TransferDesc): Uint8Array {
  return encodeRequest(VCMD.TRANSFER_GET, transferBody(t));
}

export function encodeSubmit(commands: Uint32Array): Uint8Array {
  return encodeRequest(VCMD.SUBMIT_CMD, commands);
}
