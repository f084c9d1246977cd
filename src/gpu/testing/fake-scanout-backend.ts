import type { CursorImage, Format2D, Rect, ScanoutBackend } from "../scanout-backend.ts";

export type BackendCall =
  | { method: "createResource2D"; resourceId: number; width: number; height: number; format: Format2D }
  | { method: "destroyResource"; resourceId: number }
  | { method: "writeRect"; resourceId: number; rect: Rect; pixels: Uint8Array }
  | { method: "setScanout"; scanoutId: number; resourceId: number; rect: Rect }
  | { method: "flush"; resourceId: number; rect: Rect }
  | { method: "updateCursor"; scanoutId: number; image: CursorImage | null; x: number; y: number }
  | { method: "moveCursor"; scanoutId: number; x: number; y: number }
  | { method: "reset" };

/** Records every call the device makes, in order, for assertions. */
export class FakeScanoutBackend implements ScanoutBackend {
  readonly calls: BackendCall[] = [];

  createResource2D(resourceId: number, width: number, height: number, format: Format2D): void {
    this.calls.push({ method: "createResource2D", resourceId, width, height, format });
  }
  destroyResource(resourceId: number): void {
    this.calls.push({ method: "destroyResource", resourceId });
  }
  writeRect(resourceId: number, rect: Rect, pixels: Uint8Array): void {
    this.calls.push({ method: "writeRect", resourceId, rect, pixels });
  }
  setScanout(scanoutId: number, resourceId: number, rect: Rect): void {
    this.calls.push({ method: "setScanout", scanoutId, resourceId, rect });
  }
  flush(resourceId: number, rect: Rect): void {
    this.calls.push({ method: "flush", resourceId, rect });
  }
  updateCursor(scanoutId: number, image: CursorImage | null, x: number, y: number): void {
    this.calls.push({ method: "updateCursor", scanoutId, image, x, y });
  }
  moveCursor(scanoutId: number, x: number, y: number): void {
    this.calls.push({ method: "moveCursor", scanoutId, x, y });
  }
  reset(): void {
    this.calls.push({ method: "reset" });
  }

  take(): BackendCall[] {
    return this.calls.splice(0);
  }
}
