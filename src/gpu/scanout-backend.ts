/**
 * The narrow interface between the virtio-gpu device model (beside v86) and whatever shows
 * pixels (the GPU worker's presenter, or a fake in tests). All calls are fire-and-forget
 * messages; the device has already validated every id, rectangle and size, so an
 * implementation may treat a bad argument as a bug (log and ignore, never throw).
 *
 * Pixel data is always tightly packed rows in the resource's own format (4 bytes per pixel
 * for every 2D format); ownership of `pixels` passes to the backend (it may be transferred).
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** VIRTIO_GPU_FORMAT_* values (= virgl format numbers) accepted by RESOURCE_CREATE_2D. */
export type Format2D = 1 | 2 | 3 | 4 | 67 | 68 | 121 | 134;

export interface CursorImage {
  /** 64x64 (or the resource's size) BGRA/RGBA pixels, tightly packed, in `format`. */
  pixels: Uint8Array;
  width: number;
  height: number;
  format: Format2D;
  hotX: number;
  hotY: number;
}

export interface ScanoutBackend {
  createResource2D(resourceId: number, width: number, height: number, format: Format2D): void;
  destroyResource(resourceId: number): void;
  /** Writes `pixels` (rect.width * rect.height * 4 bytes) at `rect` of the resource. */
  writeRect(resourceId: number, rect: Rect, pixels: Uint8Array): void;
  /**
   * Optional: a buffer for the next writeRect, possibly recycled from earlier writes (contents
   * undefined; the caller fills all of it). Without it the device allocates a fresh one.
   */
  allocPixels?(byteLength: number): Uint8Array;
  /** resourceId 0 disables the scanout. `rect` is the part of the resource shown. */
  setScanout(scanoutId: number, resourceId: number, rect: Rect): void;
  /** Presents the damaged `rect` (resource coordinates) on every scanout showing the resource. */
  flush(resourceId: number, rect: Rect): void;
  /** image null hides the cursor. */
  updateCursor(scanoutId: number, image: CursorImage | null, x: number, y: number): void;
  moveCursor(scanoutId: number, x: number, y: number): void;
  /** Frees everything (device reset / guest reboot). */
  reset(): void;
}
