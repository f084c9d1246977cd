// Binary messages between BridgePort (Node) and the bridge page (browser) over a WebSocket.
// Browser-safe. Little-endian u32s.
//
//   request  (Node -> page): u32 op | u32 request id | u32 context id | payload
//   response (page -> Node): u32 request id | u32 status (0 ok, 1 error) | payload
//
// Payloads: HELLO = u32 n1 | capset1 | u32 n2 | capset2 (the caps the page should answer
// with unless its renderer computes its own), reply = UTF-8 page description;
// CREATE_CONTEXT = UTF-8 JSON ContextInfo; GET_CAPS = u32 capset -> bytes;
// CREATE_RESOURCE = 10 u32 (vtest order); UNREF = u32 handle; TRANSFER_PUT = 11 u32 + data;
// TRANSFER_GET = 11 u32 -> bytes; SUBMIT = u32 command dwords; BUSY_WAIT = u32 handle,
// u32 wait -> u32 busy; DESTROY_CONTEXT = -. Error payload: UTF-8 message.

import type { ResourceDesc, TransferDesc } from "../protocol.ts";
import { resourceCreateBody, transferBody } from "../protocol.ts";

export const BridgeOp = {
  HELLO: 1,
  CREATE_CONTEXT: 2,
  GET_CAPS: 3,
  CREATE_RESOURCE: 4,
  UNREF_RESOURCE: 5,
  TRANSFER_PUT: 6,
  TRANSFER_GET: 7,
  SUBMIT: 8,
  BUSY_WAIT: 9,
  DESTROY_CONTEXT: 10,
} as const;
export type BridgeOp = (typeof BridgeOp)[keyof typeof BridgeOp];

export const REQUEST_HDR_BYTES = 12;
export const RESPONSE_HDR_BYTES = 8;

export function encodeBridgeRequest(op: BridgeOp, id: number, ctx: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(REQUEST_HDR_BYTES + payload.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, op, true);
  v.setUint32(4, id, true);
  v.setUint32(8, ctx, true);
  out.set(payload, REQUEST_HDR_BYTES);
  return out;
}

export interface BridgeRequest {
  op: number;
  id: number;
  ctx: number;
  payload: Uint8Array;
}

export function decodeBridgeRequest(bytes: Uint8Array): BridgeRequest {
  if (bytes.byteLength < REQUEST_HDR_BYTES) throw new Error(`bridge request of ${bytes.byteLength} bytes is too short`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { op: v.getUint32(0, true), id: v.getUint32(4, true), ctx: v.getUint32(8, true), payload: bytes.subarray(REQUEST_HDR_BYTES) };
}

export function encodeBridgeResponse(id: number, ok: boolean, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(RESPONSE_HDR_BYTES + payload.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, id, true);
  v.setUint32(4, ok ? 0 : 1, true);
  out.set(payload, RESPONSE_HDR_BYTES);
  return out;
}

export interface BridgeResponse {
  id: number;
  ok: boolean;
  payload: Uint8Array;
}

export function decodeBridgeResponse(bytes: Uint8Array): BridgeResponse {
  if (bytes.byteLength < RESPONSE_HDR_BYTES) throw new Error(`bridge response of ${bytes.byteLength} bytes is too short`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { id: v.getUint32(0, true), ok: v.getUint32(4, true) === 0, payload: bytes.subarray(RESPONSE_HDR_BYTES) };
}

export function u32Bytes(values: readonly number[] | Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setUint32(i * 4, values[i]! >>> 0, true);
  return out;
}

export function readU32s(bytes: Uint8Array, count: number): number[] {
  if (bytes.byteLength < count * 4) throw new Error(`bridge payload of ${bytes.byteLength} bytes, need ${count * 4}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, i) => v.getUint32(i * 4, true));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

export const encodeResource = (r: ResourceDesc): Uint8Array => u32Bytes(resourceCreateBody(r));
export const encodeTransfer = (t: TransferDesc): Uint8Array => u32Bytes(transferBody(t));

export function decodeResource(p: Uint8Array): ResourceDesc {
  const d = readU32s(p, 10);
  return { handle: d[0]!, target: d[1]!, format: d[2]!, bind: d[3]!, width: d[4]!, height: d[5]!, depth: d[6]!, arraySize: d[7]!, lastLevel: d[8]!, nrSamples: d[9]! };
}

export function decodeTransfer(p: Uint8Array): TransferDesc {
  const d = readU32s(p, 11);
  return {
    handle: d[0]!,
    level: d[1]!,
    stride: d[2]!,
    layerStride: d[3]!,
    box: { x: d[4]!, y: d[5]!, z: d[6]!, width: d[7]!, height: d[8]!, depth: d[9]! },
    dataSize: d[10]!,
  };
}

export function encodeHello(capset1: Uint8Array, capset2: Uint8Array): Uint8Array {
  return concatBytes(u32Bytes([capset1.byteLength]), capset1, u32Bytes([capset2.byteLength]), capset2);
}

export function decodeHello(p: Uint8Array): { capset1: Uint8Array; capset2: Uint8Array } {
  const [n1] = readU32s(p, 1);
  const capset1 = p.slice(4, 4 + n1!);
  const [n2] = readU32s(p.subarray(4 + n1!), 1);
  const capset2 = p.slice(8 + n1!, 8 + n1! + n2!);
  if (capset1.byteLength !== n1 || capset2.byteLength !== n2) throw new Error("bridge HELLO truncated");
  return { capset1, capset2 };
}
