import { u64ToNumber } from "../virtio/guest-ram.ts";
import { Backing, type BackingEntry } from "./backing.ts";
import { fail, ok, okWith, type CommandTable, type GpuCommand, type GpuResponse } from "./command-table.ts";
import { buildEdid } from "./edid.ts";
import type { GpuState } from "./gpu-state.ts";
import {
  CMD,
  CTRL_HDR_SIZE,
  DISPLAY_ONE_SIZE,
  EDID_BLOB_SIZE,
  FORMAT,
  MAX_SCANOUTS,
  MEM_ENTRY_SIZE,
  REQUEST_SIZE,
  RESP,
  RESP_DISPLAY_INFO_SIZE,
  RESP_EDID_SIZE,
} from "./protocol.ts";
import type { Format2D, Rect } from "./scanout-backend.ts";
import { EMPTY_RECT, formatRect, rectInside } from "./scanouts.ts";

const FORMATS_2D: ReadonlySet<number> = new Set(Object.values(FORMAT));

function u32(view: DataView, offset: number): number {
  return view.getUint32(offset, true);
}

function u64(view: DataView, offset: number): number {
  return u64ToNumber(view.getUint32(offset, true), view.getUint32(offset + 4, true));
}

/** struct virtio_gpu_rect at `offset`. */
function readRect(view: DataView, offset: number): Rect {
  return { x: u32(view, offset), y: u32(view, offset + 4), width: u32(view, offset + 8), height: u32(view, offset + 12) };
}

/** The 2D command set (VIRTIO 1.2 5.7.6.8), registered into the control queue's table. */
export function register2DCommands(table: CommandTable, state: GpuState, options: { edid: boolean }): void {
  const noData = CTRL_HDR_SIZE;
  table.register({ type: CMD.GET_DISPLAY_INFO, name: "GET_DISPLAY_INFO", requestSize: REQUEST_SIZE.GET_DISPLAY_INFO, responseSize: RESP_DISPLAY_INFO_SIZE, handle: () => getDisplayInfo(state) });
  table.register({ type: CMD.RESOURCE_CREATE_2D, name: "RESOURCE_CREATE_2D", requestSize: REQUEST_SIZE.RESOURCE_CREATE_2D, responseSize: noData, handle: (c) => resourceCreate2D(state, c) });
  table.register({ type: CMD.RESOURCE_UNREF, name: "RESOURCE_UNREF", requestSize: REQUEST_SIZE.RESOURCE_UNREF, responseSize: noData, handle: (c) => resourceUnref(state, c) });
  table.register({ type: CMD.SET_SCANOUT, name: "SET_SCANOUT", requestSize: REQUEST_SIZE.SET_SCANOUT, responseSize: noData, handle: (c) => setScanout(state, c) });
  table.register({ type: CMD.RESOURCE_FLUSH, name: "RESOURCE_FLUSH", requestSize: REQUEST_SIZE.RESOURCE_FLUSH, responseSize: noData, handle: (c) => resourceFlush(state, c) });
  table.register({ type: CMD.TRANSFER_TO_HOST_2D, name: "TRANSFER_TO_HOST_2D", requestSize: REQUEST_SIZE.TRANSFER_TO_HOST_2D, responseSize: noData, handle: (c) => transferToHost2D(state, c) });
  table.register({ type: CMD.RESOURCE_ATTACH_BACKING, name: "RESOURCE_ATTACH_BACKING", requestSize: REQUEST_SIZE.RESOURCE_ATTACH_BACKING, responseSize: noData, handle: (c) => attachBacking(state, c) });
  table.register({ type: CMD.RESOURCE_DETACH_BACKING, name: "RESOURCE_DETACH_BACKING", requestSize: REQUEST_SIZE.RESOURCE_DETACH_BACKING, responseSize: noData, handle: (c) => detachBacking(state, c) });
  if (options.edid) {
    table.register({ type: CMD.GET_EDID, name: "GET_EDID", requestSize: REQUEST_SIZE.GET_EDID, responseSize: RESP_EDID_SIZE, handle: (c) => getEdid(state, c) });
  }
}

function getDisplayInfo(state: GpuState): GpuResponse {
  const body = new Uint8Array(MAX_SCANOUTS * DISPLAY_ONE_SIZE);
  const view = new DataView(body.buffer);
  for (const scanout of state.scanouts) {
    const at = scanout.id * DISPLAY_ONE_SIZE;
    const connected = scanout.width > 0 && scanout.height > 0;
    view.setUint32(at + 8, scanout.width, true);
    view.setUint32(at + 12, scanout.height, true);
    view.setUint32(at + 16, connected ? 1 : 0, true);
  }
  return okWith(RESP.OK_DISPLAY_INFO, body);
}

function getEdid(state: GpuState, command: GpuCommand): GpuResponse {
  const scanoutId = u32(command.fields, 24);
  const scanout = state.scanouts[scanoutId];
  if (!scanout) return fail(RESP.ERR_INVALID_SCANOUT_ID, `scanout ${scanoutId} does not exist (${state.scanouts.length} scanouts)`);
  const edid = buildEdid(scanout.width || 1024, scanout.height || 768);
  const body = new Uint8Array(8 + EDID_BLOB_SIZE);
  new DataView(body.buffer).setUint32(0, edid.length, true);
  body.set(edid, 8);
  return okWith(RESP.OK_EDID, body);
}

function resourceCreate2D(state: GpuState, command: GpuCommand): GpuResponse {
  const view = command.fields;
  const id = u32(view, 24);
  const format = u32(view, 28);
  const width = u32(view, 32);
  const height = u32(view, 36);
  const limits = state.resources.limits;
  if (id === 0) return fail(RESP.ERR_INVALID_RESOURCE_ID, "resource_id 0 is reserved");
  if (state.resources.has(id)) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} already exists`);
  if (!FORMATS_2D.has(format)) return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: format ${format} is not a 2D format`);
  if (width === 0 || height === 0 || width > limits.maxDimension || height > limits.maxDimension) {
    return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: size ${width}x${height} outside 1..${limits.maxDimension}`);
  }
  const refused = state.resources.refuseReason(width, height);
  if (refused) return fail(RESP.ERR_OUT_OF_MEMORY, `resource_id ${id} (${width}x${height}): ${refused}`);
  state.resources.add(id, format as Format2D, width, height);
  state.backend.createResource2D(id, width, height, format as Format2D);
  return ok();
}

function resourceUnref(state: GpuState, command: GpuCommand): GpuResponse {
  const id = u32(command.fields, 24);
  if (!state.resources.has(id)) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} does not exist`);
  // A scanout must not keep showing a freed resource.
  for (const scanout of state.scanouts) {
    if (scanout.resourceId === id) {
      scanout.resourceId = 0;
      scanout.rect = EMPTY_RECT;
      state.backend.setScanout(scanout.id, 0, EMPTY_RECT);
    }
  }
  state.resources.remove(id);
  state.backend.destroyResource(id);
  return ok();
}

function setScanout(state: GpuState, command: GpuCommand): GpuResponse {
  const view = command.fields;
  const rect = readRect(view, 24);
  const scanoutId = u32(view, 40);
  const id = u32(view, 44);
  const scanout = state.scanouts[scanoutId];
  if (!scanout) return fail(RESP.ERR_INVALID_SCANOUT_ID, `scanout ${scanoutId} does not exist (${state.scanouts.length} scanouts)`);
  if (id === 0) {
    scanout.resourceId = 0;
    scanout.rect = EMPTY_RECT;
    state.backend.setScanout(scanoutId, 0, EMPTY_RECT);
    return ok();
  }
  const resource = state.resources.get(id);
  if (!resource) return fail(RESP.ERR_INVALID_RESOURCE_ID, `scanout ${scanoutId}: resource_id ${id} does not exist`);
  if (rect.width === 0 || rect.height === 0 || !rectInside(rect, resource.width, resource.height)) {
    return fail(RESP.ERR_INVALID_PARAMETER, `scanout ${scanoutId}: rect ${formatRect(rect)} is empty or outside resource ${id} (${resource.width}x${resource.height})`);
  }
  scanout.resourceId = id;
  scanout.rect = rect;
  state.backend.setScanout(scanoutId, id, rect);
  return ok();
}

function resourceFlush(state: GpuState, command: GpuCommand): GpuResponse {
  const rect = readRect(command.fields, 24);
  const id = u32(command.fields, 40);
  const resource = state.resources.get(id);
  if (!resource) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} does not exist`);
  if (!rectInside(rect, resource.width, resource.height)) {
    return fail(RESP.ERR_INVALID_PARAMETER, `rect ${formatRect(rect)} outside resource ${id} (${resource.width}x${resource.height})`);
  }
  if (rect.width === 0 || rect.height === 0) return ok();
  state.counters.flushes++;
  state.backend.flush(id, rect);
  return ok();
}

/**
 * Gathers rect rows from the backing: row r starts at `offset + r * stride` (the guest puts
 * y * stride + x * 4 in offset, as Linux and QEMU agree) and is width*4 bytes long.
 */
function transferToHost2D(state: GpuState, command: GpuCommand): GpuResponse {
  const view = command.fields;
  const rect = readRect(view, 24);
  const offset = u64(view, 40);
  const id = u32(view, 48);
  const resource = state.resources.get(id);
  if (!resource) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} does not exist`);
  if (!resource.backing) return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id} has no backing attached`);
  if (!rectInside(rect, resource.width, resource.height)) {
    return fail(RESP.ERR_INVALID_PARAMETER, `rect ${formatRect(rect)} outside resource ${id} (${resource.width}x${resource.height})`);
  }
  if (rect.width === 0 || rect.height === 0) return ok();
  const rowBytes = rect.width * 4;
  const end = offset + (rect.height - 1) * resource.stride + rowBytes;
  if (end > resource.backing.totalLength) {
    return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: offset ${offset} + rect ${formatRect(rect)} needs ${end} bytes of backing, only ${resource.backing.totalLength} attached`);
  }
  // Recycled when the backend offers it: a fresh full-screen buffer costs ~1.5 ms per transfer.
  const bytes = rowBytes * rect.height;
  const pixels = state.backend.allocPixels?.(bytes) ?? new Uint8Array(bytes);
  if (rowBytes === resource.stride) {
    // Full-width rect (every console/fb update from Linux): the rows are contiguous in the backing.
    resource.backing.gather(state.ram, offset, pixels.length, pixels, 0);
  } else {
    for (let row = 0; row < rect.height; row++) {
      resource.backing.gather(state.ram, offset + row * resource.stride, rowBytes, pixels, row * rowBytes);
    }
  }
  if (resource.shadow) {
    for (let row = 0; row < rect.height; row++) {
      resource.shadow.set(pixels.subarray(row * rowBytes, (row + 1) * rowBytes), (rect.y + row) * resource.stride + rect.x * 4);
    }
  }
  state.counters.transfers++;
  state.counters.bytesTransferred += pixels.length;
  state.backend.writeRect(id, rect, pixels);
  return ok();
}

function attachBacking(state: GpuState, command: GpuCommand): GpuResponse {
  const id = u32(command.fields, 24);
  const resource = state.resources.get(id);
  if (!resource) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} does not exist`);
  if (resource.backing) return fail(RESP.ERR_UNSPEC, `resource_id ${id} already has backing attached`);
  const backing = readBackingEntries(state, command);
  if (!(backing instanceof Backing)) return backing;
  if (backing.totalLength < resource.hostBytes) {
    return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: backing of ${backing.totalLength} bytes does not cover the resource's ${resource.hostBytes} bytes`);
  }
  resource.backing = backing;
  return ok();
}

/**
 * The nr_entries virtio_gpu_mem_entry after RESOURCE_ATTACH_BACKING's fields, checked (count,
 * request length, every entry inside guest RAM). Shared with the 3D module: 2D and 3D resources
 * attach backing with the same command.
 */
export function readBackingEntries(state: GpuState, command: GpuCommand): Backing | GpuResponse {
  const id = u32(command.fields, 24);
  const count = u32(command.fields, 28);
  const limits = state.resources.limits;
  if (count === 0 || count > limits.maxBackingEntries) {
    return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: nr_entries ${count} outside 1..${limits.maxBackingEntries}`);
  }
  const needed = REQUEST_SIZE.RESOURCE_ATTACH_BACKING + count * MEM_ENTRY_SIZE;
  if (command.request.readableLength < needed) {
    return fail(RESP.ERR_UNSPEC, `resource_id ${id}: nr_entries ${count} needs ${needed} request bytes, got ${command.request.readableLength}`);
  }
  const raw = command.request.readBytes(REQUEST_SIZE.RESOURCE_ATTACH_BACKING, count * MEM_ENTRY_SIZE);
  const view = new DataView(raw.buffer);
  const entries: BackingEntry[] = [];
  for (let i = 0; i < count; i++) {
    const address = u64(view, i * MEM_ENTRY_SIZE);
    const length = u32(view, i * MEM_ENTRY_SIZE + 8);
    if (length === 0 || !state.ram.contains(address, length)) {
      return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: entry ${i} addr 0x${address.toString(16)} length ${length} is empty or outside guest RAM (0x${state.ram.size.toString(16)} bytes)`);
    }
    entries.push({ address, length });
  }
  return new Backing(entries);
}

function detachBacking(state: GpuState, command: GpuCommand): GpuResponse {
  const id = u32(command.fields, 24);
  const resource = state.resources.get(id);
  if (!resource) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} does not exist`);
  if (!resource.backing) return fail(RESP.ERR_UNSPEC, `resource_id ${id} has no backing to detach`);
  resource.backing = null;
  return ok();
}
