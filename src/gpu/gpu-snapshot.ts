import { Backing, type BackingEntry } from "./backing.ts";
import type { CursorState, GpuState } from "./gpu-state.ts";
import type { Format2D, Rect } from "./scanout-backend.ts";

/** One 2D resource in a device snapshot. Backing is flat [address, length, ...] pairs. */
export interface GpuResourceSnapshot {
  id: number;
  format: number;
  width: number;
  height: number;
  backing: number[] | null;
  shadow: Uint8Array | null;
}

/** Device state for save/restore beside a v86 snapshot (structured-clone friendly). */
export interface GpuDeviceSnapshot {
  version: 1;
  eventsRead: number;
  scanouts: { width: number; height: number; resourceId: number; rect: Rect }[];
  cursors: (CursorState | null)[];
  resources: GpuResourceSnapshot[];
  /** Command modules' own state by module name (GpuModule.saveState). */
  modules?: Record<string, unknown>;
}

export function saveGpuState(state: GpuState, eventsRead: number): GpuDeviceSnapshot {
  const resources: GpuResourceSnapshot[] = [];
  for (const id of state.resources.ids()) {
    const resource = state.resources.get(id);
    if (!resource) continue;
    resources.push({
      id,
      format: resource.format,
      width: resource.width,
      height: resource.height,
      backing: resource.backing ? resource.backing.entries.flatMap((entry) => [entry.address, entry.length]) : null,
      shadow: resource.shadow ? resource.shadow.slice() : null,
    });
  }
  return {
    version: 1,
    eventsRead,
    scanouts: state.scanouts.map((s) => ({ width: s.width, height: s.height, resourceId: s.resourceId, rect: { ...s.rect } })),
    cursors: state.cursors.map((c) => (c ? { ...c } : null)),
    resources,
  };
}

export function checkSnapshotFits(snapshot: GpuDeviceSnapshot, scanoutCount: number): void {
  if (snapshot.version !== 1 || snapshot.scanouts.length !== scanoutCount) {
    throw new Error(`virtio-gpu: snapshot version ${snapshot.version} with ${snapshot.scanouts.length} scanouts does not fit this device (${scanoutCount} scanouts)`);
  }
}

/**
 * Rebuilds resources, backing, scanouts and cursors into a freshly reset device and re-sends
 * them to the backend. Pixels are re-read from each resource's backing, i.e. the guest
 * framebuffer as restored by v86 (what the guest would transfer next anyway).
 */
export function restoreGpuState(state: GpuState, snapshot: GpuDeviceSnapshot): void {
  const backend = state.backend;
  for (const saved of snapshot.resources) {
    const resource = state.resources.add(saved.id, saved.format as Format2D, saved.width, saved.height);
    backend.createResource2D(saved.id, saved.width, saved.height, saved.format as Format2D);
    if (resource.shadow && saved.shadow) resource.shadow.set(saved.shadow.subarray(0, resource.shadow.length));
    if (!saved.backing) continue;
    const entries: BackingEntry[] = [];
    for (let i = 0; i + 1 < saved.backing.length; i += 2) entries.push({ address: saved.backing[i], length: saved.backing[i + 1] });
    if (!entries.every((entry) => state.ram.contains(entry.address, entry.length))) {
      state.log(`restore: resource ${saved.id}: backing lies outside guest RAM; restored without backing`);
      continue;
    }
    resource.backing = new Backing(entries);
    if (resource.backing.totalLength >= resource.hostBytes) {
      const pixels = new Uint8Array(resource.hostBytes);
      resource.backing.gather(state.ram, 0, pixels.length, pixels, 0);
      backend.writeRect(saved.id, { x: 0, y: 0, width: saved.width, height: saved.height }, pixels);
    }
  }
  snapshot.scanouts.forEach((saved, i) => {
    const scanout = state.scanouts[i];
    scanout.width = saved.width;
    scanout.height = saved.height;
    if (saved.resourceId !== 0 && state.resources.has(saved.resourceId)) {
      scanout.resourceId = saved.resourceId;
      scanout.rect = { ...saved.rect };
      backend.setScanout(i, saved.resourceId, scanout.rect);
      backend.flush(saved.resourceId, scanout.rect);
    }
  });
  snapshot.cursors.forEach((cursor, i) => {
    const resource = cursor ? state.resources.get(cursor.resourceId) : undefined;
    if (!cursor || !resource?.shadow || i >= state.scanouts.length) return;
    state.cursors[i] = { ...cursor };
    const image = { pixels: resource.shadow.slice(), width: resource.width, height: resource.height, format: resource.format, hotX: cursor.hotX, hotY: cursor.hotY };
    backend.updateCursor(i, image, cursor.x, cursor.y);
  });
}
