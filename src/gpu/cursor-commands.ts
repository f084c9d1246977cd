import { fail, ok, type CommandTable, type GpuCommand, type GpuResponse } from "./command-table.ts";
import type { GpuState } from "./gpu-state.ts";
import { CMD, REQUEST_SIZE, RESP } from "./protocol.ts";

function i32(view: DataView, offset: number): number {
  return view.getInt32(offset, true);
}

function u32(view: DataView, offset: number): number {
  return view.getUint32(offset, true);
}

/**
 * Cursor queue commands (VIRTIO 1.2 5.7.6.10). The cursor queue has no responses (the driver
 * offers no writable buffer); errors are only logged. The image comes from the resource's host
 * copy, which TRANSFER_TO_HOST_2D keeps for cursor-sized resources.
 */
export function registerCursorCommands(table: CommandTable, state: GpuState): void {
  table.register({ type: CMD.UPDATE_CURSOR, name: "UPDATE_CURSOR", requestSize: REQUEST_SIZE.UPDATE_CURSOR, responseSize: 0, handle: (c) => updateCursor(state, c) });
  table.register({ type: CMD.MOVE_CURSOR, name: "MOVE_CURSOR", requestSize: REQUEST_SIZE.UPDATE_CURSOR, responseSize: 0, handle: (c) => moveCursor(state, c) });
}

/** struct virtio_gpu_update_cursor: pos {scanout_id u32, x u32, y u32, padding}, resource_id, hot_x, hot_y, padding. */
function updateCursor(state: GpuState, command: GpuCommand): GpuResponse {
  const view = command.fields;
  const scanoutId = u32(view, 24);
  // x/y are u32 in the header file but Linux puts signed plane coordinates there (cursor partly off-screen).
  const x = i32(view, 28);
  const y = i32(view, 32);
  const id = u32(view, 40);
  const hotX = u32(view, 44);
  const hotY = u32(view, 48);
  if (!state.scanouts[scanoutId]) return fail(RESP.ERR_INVALID_SCANOUT_ID, `scanout ${scanoutId} does not exist (${state.scanouts.length} scanouts)`);
  state.counters.cursorUpdates++;
  if (id === 0) {
    state.cursors[scanoutId] = null;
    state.backend.updateCursor(scanoutId, null, x, y);
    return ok();
  }
  const resource = state.resources.get(id);
  if (!resource) return fail(RESP.ERR_INVALID_RESOURCE_ID, `cursor resource_id ${id} does not exist`);
  if (!resource.shadow) {
    return fail(RESP.ERR_INVALID_PARAMETER, `cursor resource_id ${id} is ${resource.width}x${resource.height}, larger than the ${state.resources.limits.maxCursorDimension}x${state.resources.limits.maxCursorDimension} cursor limit`);
  }
  if (hotX >= resource.width || hotY >= resource.height) {
    return fail(RESP.ERR_INVALID_PARAMETER, `cursor hotspot ${hotX},${hotY} outside resource ${id} (${resource.width}x${resource.height})`);
  }
  state.cursors[scanoutId] = { resourceId: id, hotX, hotY, x, y };
  state.backend.updateCursor(scanoutId, { pixels: resource.shadow.slice(), width: resource.width, height: resource.height, format: resource.format, hotX, hotY }, x, y);
  return ok();
}

function moveCursor(state: GpuState, command: GpuCommand): GpuResponse {
  const view = command.fields;
  const scanoutId = u32(view, 24);
  if (!state.scanouts[scanoutId]) return fail(RESP.ERR_INVALID_SCANOUT_ID, `scanout ${scanoutId} does not exist (${state.scanouts.length} scanouts)`);
  const x = i32(view, 28);
  const y = i32(view, 32);
  const cursor = state.cursors[scanoutId];
  if (cursor) {
    cursor.x = x;
    cursor.y = y;
  }
  state.backend.moveCursor(scanoutId, x, y);
  return ok();
}
